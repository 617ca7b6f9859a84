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
from reports import pdf as report_pdf
from scenarios.overlay import apply, load_scenario
from scoring import EXAMPLE_TENDER, evaluate, load_tender
from ui.i18n import money

CREATED = datetime(2027, 1, 10, 9, 30, tzinfo=UTC)
CAN_DRAW = report_pdf.find_browser() is not None and importlib.util.find_spec("kaleido") is not None


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
    monkeypatch.setattr(report_pdf, "FONT_DIRS", ())
    monkeypatch.setenv("FLEETBID_FONT_DIR", str(tmp_path))
    with pytest.raises(ReportError, match="fonts-dejavu-core"):
        build_report(ev, tmp_path / "x.pdf", charts=False)
    assert not (tmp_path / "x.pdf").exists()


def test_unknown_language_is_refused(ev, tmp_path):
    with pytest.raises(ReportError, match="language"):
        build_report(ev, tmp_path / "x.pdf", lang="de", charts=False)
