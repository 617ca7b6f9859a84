"""Amounts grouped in the tender's locale (issue #14, item 4: tender.yaml's optional
``locale``, docs/tender-format.md §9; reports/formats.py).

The expected strings are written out by hand (en-IN groups the last three digits, then by
two: 1,96,00,00,000; fr-FR by three with narrow no-break spaces; de-DE with dots and a
decimal comma), or grouped by `lakhs` below, a few lines independent of Babel. Checked: the
format functions, a bad locale, the command line's text (and its --json unchanged), the PDF,
the charts and the app's Compare page; without a locale nothing changes.
"""

from __future__ import annotations

import contextvars
import re
import shutil
import subprocess
import sys

import pytest
import yaml
from pypdf import PdfReader

from reports import build_report
from reports import formats as f
from reports.charts.evaluation import breakdown_chart
from scoring import EXAMPLE_TENDER, evaluate, load_tender
from scoring.archive import files_of_folder
from scoring.errors import TenderError

from conftest import ROOT

NNBSP, NBSP, MINUS = "\u202f", "\u00a0", "\u2212"


def lakhs(n: int) -> str:
    """Indian grouping by hand: the last three digits, then groups of two."""
    digits = str(n)
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        head, groups = head[:-2], [head[-2:], *groups]
    return ",".join([g for g in [head, *groups] if g] + [tail])


def test_lakhs_by_hand():
    assert lakhs(1_960_000_000) == "1,96,00,00,000" and lakhs(123) == "123" and lakhs(123_456) == "1,23,456"


@pytest.mark.parametrize("locale, lang, value, decimals, expected", [
    ("en-IN", "en", 1_960_000_000, 0, "1,96,00,00,000 INR"),  # Rs 196 crore
    ("en-IN", "en", 1_234_567.891, 2, "12,34,567.89 INR"),
    ("en-IN", "fr", -12_345_678, 0, f"{MINUS}1,23,45,678{NBSP}INR"),
    ("fr-FR", "en", 1_960_000_000, 0, f"1{NNBSP}960{NNBSP}000{NNBSP}000 INR"),
    ("de-DE", "en", 1_960_000_000.5, 2, "1.960.000.000,50 INR"),
    ("de-DE", "fr", 999.5, 0, f"1.000{NBSP}INR"),  # rounded once, by Python: 999.5 → 1000 (half to even)
    ("en-US", "en", 1_960_000_000, 0, "1,960,000,000 INR"),
])
def test_money_in_the_locale(locale, lang, value, decimals, expected):
    with f.amounts_locale(locale):
        assert f.money(value, lang, "INR", decimals) == expected
    assert f.current_locale() is None  # the block ends, the locale with it


def test_digits_are_not_rounded_twice():
    """1.015 is 1.01499999… in binary: Python's format gives 1.01; Babel, given the text, keeps it."""
    assert f.number(1.015, "en", 2) == "1.01"
    with f.amounts_locale("de-DE"):
        assert f.number(1.015, "en", 2) == "1,01"  # Babel given 1.015 would round half-even to 1,02
        assert f.percent(0.125, "en", 1) == "12,5%"  # the percent sign stays the page language's
        assert f.number(-0.4, "en", 0) == "0"  # no −0
        assert f.money(None, "en") == f.MISSING


def test_without_a_locale_nothing_changes():
    assert f.money(1_960_000_000, "en", "INR") == "1,960,000,000 INR"
    assert f.money(1234.5, "fr", "EUR", 1) == f"1{NNBSP}234,5{NBSP}€"
    assert f.plotly_separators("en") == ".," and f.plotly_separators("fr") == "," + NNBSP
    with f.amounts_locale("de-DE"):
        assert f.plotly_separators("en") == ",."
    with f.amounts_locale("fr-FR"):
        assert f.plotly_separators("en") == "," + NNBSP


def test_the_locale_does_not_leak_to_another_thread_of_work():
    """Each app session runs in its own thread: a locale set in one context is not another's."""
    ctx = contextvars.copy_context()
    ctx.run(f.set_amounts_locale, "en-IN")
    assert ctx.run(f.current_locale) == "en-IN" and f.current_locale() is None


def _tender_with(tmp_path, source=EXAMPLE_TENDER, **fields):
    folder = tmp_path / "t"
    shutil.copytree(source, folder)
    tender = yaml.safe_load((folder / "tender.yaml").read_text())
    tender.update(fields)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False, allow_unicode=True))
    return folder


@pytest.mark.parametrize("bad, words", [("en_IN", "such as en-IN"), ("xx-ZZ", "unknown locale"),
                                        ("english", "such as en-IN"), (12, "valid string")])
def test_a_bad_locale_is_one_error(tmp_path, bad, words):
    folder = _tender_with(tmp_path, locale=bad)
    with pytest.raises(TenderError) as err:
        load_tender(folder)
    assert [(p.file.endswith("t/tender.yaml"), p.field) for p in err.value.problems] == [(True, "locale")]
    assert words in err.value.problems[0].message
    run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.startswith(f"error: {folder}/tender.yaml: locale: ") and run.stderr.count("\n") == 1


def _cli(*args) -> str:
    run = subprocess.run([sys.executable, "-m", "scoring", *args], cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_command_line_text_in_the_locale_and_json_unchanged(tmp_path):
    """The bundled example's TCOs (about 1.2 to 1.5 million euros) in lakhs: 11,79,265 for
    1,179,265. --json keeps plain numbers: the same bytes as without a locale."""
    ev = evaluate(load_tender(EXAMPLE_TENDER))
    folder = _tender_with(tmp_path, locale="en-IN")
    text = _cli("evaluate", str(folder))
    for bid in ev.costs.bids:
        tco = round(ev.figures[bid].tco)
        assert tco >= 100_000 and f" {lakhs(tco)} " in text, (bid, lakhs(tco))
        assert f"{tco:,}" not in text
    assert _cli("evaluate", str(folder), "--json") == _cli("evaluate", str(EXAMPLE_TENDER), "--json")


def test_en_us_groups_as_without_a_locale(tmp_path):
    """en-US groups by threes with commas, as the command line does without a locale: the same text."""
    folder = _tender_with(tmp_path, locale="en-US")
    assert _cli("evaluate", str(folder)) == _cli("evaluate", str(EXAMPLE_TENDER))


def test_pdf_and_charts_in_the_locale(tmp_path):
    """The PDF built as `python -m scoring report` builds it (the locale of the tender in
    effect): the winner's TCO in German grouping in the French report; the TCO chart's
    separators and its labels too."""
    ev = evaluate(load_tender(_tender_with(tmp_path, locale="de-DE")))
    tco = round(ev.figures[ev.winner].tco)
    german = f"{tco:,}".replace(",", ".")
    with f.amounts_locale(ev.tender.spec.locale):
        out = build_report(ev, tmp_path / "r.pdf", lang="fr", charts=False)
        fig = breakdown_chart(ev, "en")
    text = re.sub(r"[ \u00a0\n]+", " ", "\n".join(p.extract_text() for p in PdfReader(out).pages))
    assert f"{german} €" in text
    assert f"{tco:,}".replace(",", NNBSP) not in text  # not the French grouping
    assert fig.layout.separators == ",."
    assert f"€{german}" in {a.text.replace("<b>", "").replace("</b>", "") for a in fig.layout.annotations}


def test_report_command_sets_the_locale(tmp_path, monkeypatch):
    """`python -m scoring report` on an en-IN tender: lakhs in the PDF's text (charts off: no
    browser; run in a copy of the context, so the command's locale stays there)."""
    from cli.scoring import main

    monkeypatch.setenv("BROWSER_PATH", str(tmp_path / "no-such-chromium"))
    folder = _tender_with(tmp_path, locale="en-IN")
    ev = evaluate(load_tender(folder))
    out = tmp_path / "r.pdf"
    assert contextvars.copy_context().run(main, ["report", str(folder), "--out", str(out)]) == 0
    assert f.current_locale() is None
    text = re.sub(r"[ \u00a0\n]+", " ", "\n".join(p.extract_text() for p in PdfReader(out).pages))
    assert f"€{lakhs(round(ev.figures[ev.winner].tco))}" in text


def test_compare_page_in_the_locale():
    from streamlit.testing.v1 import AppTest

    from ui.api import Source

    def run_compare():
        from ui.compare_page import render

        render()

    files = files_of_folder(EXAMPLE_TENDER)
    tender = yaml.safe_load(files["tender.yaml"])
    tender["locale"] = "en-IN"
    files["tender.yaml"] = yaml.safe_dump(tender, sort_keys=False, allow_unicode=True).encode()
    ev = evaluate(load_tender(EXAMPLE_TENDER))
    at = AppTest.from_function(run_compare, default_timeout=60)
    at.session_state["lang"] = "en"
    at.session_state["source"] = Source("conseil", files)
    at.run()
    assert not at.exception, at.exception
    frame = next(d.value for d in at.dataframe if "TCO over the term" in d.value.index)
    for b in ev.costs.bids:
        assert frame.loc["TCO over the term", ev.tender.bid(b).operator] == f"€{lakhs(round(ev.figures[b].tco))}"
    assert f.current_locale() is None  # the app's locale stayed in its script thread
