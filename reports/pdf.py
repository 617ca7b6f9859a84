"""The evaluation as an A4 PDF report for management, in English or French.

`build_report(ev, out_path, lang=…, sources=…, scenario_name=…)` writes:

1. the decision summary: winner, TCO, margin, saving against the incumbent, risks;
2. the ranking table (knocked-out bids last, with the reasons) and points per criterion;
3. costs by contract year and by component per bid, by entity for the winner;
4. switching: the cost parts and break-even month per challenger;
5. sensitivity: the drivers that move the margin most, weight-stability ranges;
6. the award split across operators, when the tender has an ``award`` block (`award_section`);
A. the methodology (formulas, weights, knock-out rules, cost rules);
B. the audit trail (SHA-256 of every input file, versions, date, scenario).

Charts are the app's own plotly figures (`reports.charts`), rendered to PNG by kaleido ≥ 1 with
the system's Chromium (``BROWSER_PATH``, else ``chromium`` on the PATH — Debian's package —
passed to kaleido as ``path=``; plotly.js comes from the plotly package and MathJax is off,
so nothing is fetched, and the browser is started offline: `OFFLINE_FLAGS`). Without kaleido or a browser, or with
``charts=False``, the report is built with tables only and says so on its first page.

Text is set in DejaVu Sans (Debian's ``fonts-dejavu-core``) so €, accents, « », – and —
print. With the same inputs, the same ``created`` date and charts off, the output is the
same bytes.

Files: `document` (fonts, page, building blocks), `render` (charts to PNG), `sections`
(1–5 and appendix A), `audit` (appendix B and the input files); texts from reports/text.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from scenarios.sensitivity import DELTA, sensitivity
from scenarios.switch import stay_or_switch
from scoring.evaluate import Evaluation

from .audit import _audit, fleetbid_version, input_files
from .award_section import award_figures, award_result, award_section
from .document import Document, ReportError, find_font_dir, t
from .formats import LANGS, amounts_locale
from .render import Charts, chart_figures, charts_note, charts_unavailable, find_browser, render_charts
from .sections import _costs, _cover, _methodology, _ranking, _sensitivity, _switching


def build_report(ev: Evaluation, out_path: str | Path, *, lang: str = "en", sources: dict[str, bytes] | None = None,
                 scenario_name: str | None = None, charts: bool = True, created: datetime | None = None,
                 browser: str | None = None, warn: Callable[[str], None] | None = None) -> Path:
    """Write the evaluation as an A4 PDF report at ``out_path`` and return its path.

    ``sources``: the raw input files (path in the tender folder → bytes, see `input_files`)
    whose SHA-256 the audit trail lists. ``scenario_name``: the what-if scenario applied to
    ``ev``, if any. ``charts=False`` builds tables only (as when kaleido or a browser is
    missing); ``browser`` overrides `find_browser`. ``created`` (default: now) is the
    generation date printed and stored in the PDF: fix it to get the same bytes from the
    same inputs (with charts off). ``warn`` is called with one English sentence when charts
    were asked for but could not be drawn (the report itself says so on its first page).
    Raises `ReportError` without the DejaVu fonts. Amounts are grouped in the tender's
    ``locale`` when it has one (`reports.formats.amounts_locale`).
    """
    with amounts_locale(ev.tender.spec.locale):
        return _build_report(ev, out_path, lang=lang, sources=sources, scenario_name=scenario_name, charts=charts,
                             created=created, browser=browser, warn=warn)


def _build_report(ev: Evaluation, out_path: str | Path, *, lang: str, sources: dict[str, bytes] | None,
                  scenario_name: str | None, charts: bool, created: datetime | None, browser: str | None,
                  warn: Callable[[str], None] | None) -> Path:
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    generated = created.strftime("%Y-%m-%d %H:%M")
    sos = stay_or_switch(ev)
    sens = sensitivity(ev, DELTA)
    award = award_result(ev)  # None without an award block: nothing of the section is drawn
    pdf = Document(lang, ev.tender.name, generated)  # fails early, before any rendering, without fonts
    if charts:
        try:
            figs = chart_figures(ev, sos, sens, lang)
            if isinstance(award, dict):
                figs.update(award_figures(award, ev, lang))
        except ImportError:
            rendered = Charts({}, ("charts.no_plotly", {}), lang=lang)
        else:
            rendered = render_charts(figs, lang, browser=browser)
    else:
        rendered = render_charts({}, lang, enabled=False)
    if charts and rendered.why is not None and warn is not None:
        warn(f"the report has no charts: {rendered.reason('en')}; its tables carry the same figures")

    pdf.describe(created, title=f"{t('title', lang)} — {ev.tender.name}", subject=ev.tender.name, author="Fleetbid",
                 creator=f"Fleetbid {fleetbid_version()}")
    _cover(pdf, ev, sos, sens, lang, scenario_name, rendered)
    _ranking(pdf, ev, lang, rendered)
    _costs(pdf, ev, lang, rendered)
    _switching(pdf, ev, sos, lang, rendered)
    _sensitivity(pdf, ev, sens, lang, rendered)
    if award is not None:
        award_section(pdf, ev, award, "6", lang, rendered)
    _methodology(pdf, ev, lang)
    _audit(pdf, ev, lang, sources, scenario_name, generated, rendered)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(out))
    return out


__all__ = ["ReportError", "build_report", "charts_note", "charts_unavailable", "find_browser", "find_font_dir", "input_files",
           "render_charts"]
