"""The PDF report of the bundled example: what a manager reads in it, in English and French,
with and without charts, and the same bytes from the same inputs."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from reports import ReportError, build_report, input_files
from reports import document as report_document
from reports import render as report_render
from reports.formats import money
from scenarios.overlay import apply, load_scenario
from scoring import EXAMPLE_TENDER, evaluate, load_tender

CREATED = datetime(2027, 1, 10, 9, 30, tzinfo=UTC)
CAN_DRAW = report_render.find_browser() is not None and importlib.util.find_spec("kaleido") is not None


@pytest.fixture(scope="module")
def ev():
    return evaluate(load_tender(EXAMPLE_TENDER))


@pytest.fixture(scope="module")
def sources():
    return input_files(EXAMPLE_TENDER)


def text_of(path) -> str:
    """The PDF's text, runs of ASCII spaces and line breaks made one space (a name wrapped
    in a table cell reads whole; the no-break spaces of French amounts stay as they are)."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"[ \n\r\t]+", " ", text)


def test_english_report_names_the_winner_its_tco_and_every_operator(ev, sources, tmp_path):
    out = build_report(ev, tmp_path / "report.pdf", sources=sources, charts=CAN_DRAW, created=CREATED)
    assert out == tmp_path / "report.pdf" and out.read_bytes().startswith(b"%PDF")
    text = text_of(out)
    winner = ev.tender.bid(ev.winner).operator
    assert f"Recommended: {winner}" in text
    assert money(ev.figures[ev.winner].tco, "en") in text
    for bid in ev.tender.bids:
        assert bid.operator in text
    assert "Decision summary" in text and "Audit trail" in text and "Page 1 of" in text
    assert hashlib.sha256((EXAMPLE_TENDER / "tender.yaml").read_bytes()).hexdigest() in text
    assert "2027-01-10 09:30" in text
    images = sum(len(page.images) for page in PdfReader(out).pages)
    if CAN_DRAW:
        assert "Charts skipped" not in text
        assert images >= 3, "ranking, cost breakdown and stay-vs-switch charts"
    else:
        assert "Charts skipped" in text and images == 0


def test_charts_turned_off_say_so_and_the_tables_remain(ev, tmp_path):
    text = text_of(build_report(ev, tmp_path / "r.pdf", charts=False, created=CREATED))
    assert "Charts skipped: turned off for this report" in text
    assert "TCO by cost component" in text and "Break-even month" in text
    assert "No input files were given" in text


def test_without_kaleido_or_a_browser_the_report_still_builds(ev, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "kaleido", None)  # import kaleido → ImportError
    text = text_of(build_report(ev, tmp_path / "a.pdf", created=CREATED))
    assert "Charts skipped: kaleido (≥ 1.0) is not installed" in text
    monkeypatch.delitem(sys.modules, "kaleido")
    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    text = text_of(build_report(ev, tmp_path / "b.pdf", created=CREATED))
    assert "Charts skipped: no Chromium or Chrome browser was found" in text


def test_french_report(ev, sources, tmp_path):
    text = text_of(build_report(ev, tmp_path / "rapport.pdf", lang="fr", sources=sources, charts=False,
                                created=CREATED))
    assert "Synthèse de décision" in text and "Rapport d'évaluation" in text
    amount = money(ev.figures[ev.winner].tco, "fr")
    assert "\u202f" in amount and amount in text  # 2 086 926 € with its narrow no-break spaces
    assert "« offre anormalement basse »" in text.replace("\u00a0", " ")
    assert "Graphiques omis" in text and "Page 1 sur" in text


def test_same_inputs_give_the_same_bytes(ev, sources, tmp_path):
    first = build_report(ev, tmp_path / "1.pdf", sources=sources, charts=False, created=CREATED).read_bytes()
    second = build_report(ev, tmp_path / "2.pdf", sources=sources, charts=False, created=CREATED).read_bytes()
    assert first == second
    later = build_report(ev, tmp_path / "3.pdf", sources=sources, charts=False,
                         created=datetime(2027, 1, 11, tzinfo=UTC)).read_bytes()
    assert later != first


def test_scenario_is_named_and_its_file_hashed(tmp_path):
    path = EXAMPLE_TENDER / "scenarios" / "growth-30.yaml"
    scenario = load_scenario(path)
    ev = evaluate(apply(load_tender(EXAMPLE_TENDER), scenario))
    sources = input_files(EXAMPLE_TENDER, path)
    assert "scenarios/growth-30.yaml" in sources
    text = text_of(build_report(ev, tmp_path / "s.pdf", sources=sources, scenario_name=scenario.name, charts=False,
                                created=CREATED))
    assert scenario.name in text
    assert hashlib.sha256(path.read_bytes()).hexdigest() in text


def test_missing_font_names_the_debian_package(ev, tmp_path, monkeypatch):
    monkeypatch.setattr(report_document, "FONT_DIRS", ())
    monkeypatch.setenv("FLEETBID_FONT_DIR", str(tmp_path))
    with pytest.raises(ReportError, match="fonts-dejavu-core"):
        build_report(ev, tmp_path / "x.pdf", charts=False)
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_language_is_refused(ev, tmp_path):
    with pytest.raises(ReportError, match="language"):
        build_report(ev, tmp_path / "x.pdf", lang="de", charts=False)


# --------------------------------------------------------------------------- what a person reads (issue 12)


def test_without_a_browser_the_cli_warns_and_the_pdf_says_so(tmp_path):
    """No chromium: exit 0 (the PDF is valid, with its tables) but never silently: one warning
    line on stderr, and the reason on the PDF's first page. --out makes its folder."""
    import os
    import subprocess

    from conftest import ROOT

    out = tmp_path / "new" / "report.pdf"
    env = {**os.environ, "BROWSER_PATH": str(tmp_path / "no-such-chromium")}
    run = subprocess.run([sys.executable, "-m", "scoring", "report", str(EXAMPLE_TENDER), "--out", str(out)],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"warning: {out}: the report has no charts: no Chromium or Chrome browser was found")
    assert "chromium package" in line
    first_page = re.sub(r"\s+", " ", PdfReader(out).pages[0].extract_text())
    assert "Charts skipped: no Chromium or Chrome browser was found" in first_page


def test_summary_page_says_when_the_pdf_will_have_no_charts(monkeypatch, tmp_path):
    from streamlit.testing.v1 import AppTest

    def run_summary():
        from ui import summary_page

        summary_page.render()

    def captions(lang: str) -> str:
        at = AppTest.from_function(run_summary, default_timeout=60)
        at.session_state["lang"] = lang
        at.run()
        assert not at.exception, at.exception
        return " ".join(c.value for c in at.caption)

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    assert "The management report (PDF) will have no charts: no Chromium or Chrome browser was found" in captions("en")
    assert "n'aura pas de graphiques" in captions("fr")
    monkeypatch.setattr(report_render, "find_browser", lambda: "/usr/bin/chromium")
    if importlib.util.find_spec("kaleido") is not None:
        assert "no charts" not in captions("en")


def test_pdf_names_operators_and_criteria_and_explains_its_terms(ev, tmp_path):
    ids = {c.id for c in ev.tender.spec.evaluation.criteria} | {"tco_service"}
    for lang in ("en", "fr"):
        text = text_of(build_report(ev, tmp_path / f"{lang}.pdf", lang=lang, charts=False, created=CREATED))
        assert {i for i in ids if re.search(rf"(?<![\w.]){i}(?![\w.])", text)} == set(), lang
        assert not any(f"{b.operator}'s" in text for b in ev.tender.bids), "no possessive on a name"
    en = text_of(tmp_path / "en.pdf")
    assert "Mistral Mobile Pro is knocked out — Support answer time (minutes): 14 is worse than the limit 10." in en
    assert "the TCO of Novacom Entreprises would rise by" in en
    assert "NPV: net present value" in en and "TCO + service: the TCO plus the hidden cost of poor service" in en
    # Weight stability as the tie rule has it: Telvia wins at 100 % only, on the tie-break.
    assert "0% – 100% — Telvia Business, at 100% only (a tie, won on the lower TCO)" in en
    assert "égalité, gagnée au coût total le plus bas" in text_of(tmp_path / "fr.pdf")
