"""The award split in the management PDF and the evaluation workbook (docs/award-split.md):
a tender with an ``award`` block gets the section and the sheet, with the contract's figures
(the conformance sample a1-award-split, whose expected.json was computed independently of
this code); totals reconcile; a tender without one gets neither."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime

import openpyxl
import pytest
from pypdf import PdfReader

from reports import build_report, formats
from reports.formats import percent
from reports.workbook import write_evaluation_workbook
from scoring import evaluate, load_tender

from conftest import DATA

A1 = DATA / "a1-award-split"
EXPECTED = json.loads((A1 / "expected.json").read_text())
CREATED = datetime(2027, 1, 10, 9, 30, tzinfo=UTC)
CENT = 0.005


@pytest.fixture(scope="module")
def ev():
    return evaluate(load_tender(A1))


def text_of(path) -> str:
    """The PDF's text, runs of spaces and line breaks made one space; the no-break space before
    a French currency sign reads back as a space from a table, so it is one everywhere here."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages).replace("\u00a0", " ")
    return re.sub(r"[ \n\r\t]+", " ", text)


def money(x, lang: str) -> str:
    return formats.money(x, lang).replace("\u00a0", " ")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_carries_the_award_section(ev, lang, tmp_path):
    """Section 6 names the split (Azur: Rennes, Nice; Boreal: Lille, Lyon, Nantes), its cost
    and each operator's, the single award it is compared with, the cost of the max_share rule
    and the six points of the share curve."""
    text = text_of(build_report(ev, tmp_path / "r.pdf", lang=lang, charts=False, created=CREATED))
    title = {"en": "6. Award split across operators", "fr": "6. Partage de l'attribution entre opérateurs"}[lang]
    assert title in text
    section = text[text.index(title):]
    assert money(EXPECTED["award"]["cost"], lang) in section
    for bid in ("azur", "boreal"):
        assert money(EXPECTED["award"]["bids"][bid]["cost"], lang) in section
    assert "Azur Mobile Rennes, Nice" in section and "Boreal Telecom Lille, Lyon, Nantes" in section
    assert money(abs(EXPECTED["saving_vs_single"]), lang) in section and "Boreal Telecom" in section
    assert money(EXPECTED["rule_costs"][0]["difference"], lang) in section
    rule = {"en": "no operator above 75% of the lines", "fr": "aucun opérateur au-delà de 75\u202f% des lignes"}[lang]
    assert rule in section
    for point in EXPECTED["share_curve"]:
        assert f"{percent(point['max_share'], lang)} {money(point['cost'], lang)}" in section


def test_pdf_without_award_block_has_no_award_section(tmp_path):
    ev = evaluate(load_tender(DATA / "c1-sample"))
    text = text_of(build_report(ev, tmp_path / "r.pdf", charts=False, created=CREATED))
    assert "Award split" not in text and "6. " not in text.split("Appendix A")[0].split("5. Sensitivity")[-1]


def _sheet(ev):
    data = write_evaluation_workbook(ev, io.BytesIO(), include_sensitivity=False)
    return openpyxl.load_workbook(io.BytesIO(data))


def _table(ws, first: str) -> tuple[list, list[list]]:
    """The header row starting with ``first`` and the rows under it up to a blank first cell."""
    rows = list(ws.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == first)
    head = [h for h in rows[start] if h is not None]
    body = []
    for r in rows[start + 1:]:
        if r[0] is None:
            break
        body.append(list(r[:len(head)]))
    return head, body


def test_workbook_sheet_totals_reconcile(ev):
    """Each operator's row is the contract's, the total row is the sum of the rows above it and
    the split's cost; the cost per entity adds up across and down to the same cost."""
    ws = _sheet(ev)["Award split"]
    head, body = _table(ws, "Operator")
    col = {h: i for i, h in enumerate(head)}
    *bids, total = body
    assert [r[col["Bid"]] for r in bids] == ["azur", "boreal"] and total[0] == "Total"
    for r in bids:
        expected = EXPECTED["award"]["bids"][r[col["Bid"]]]
        for name, key in (("Cost", "cost"), ("Bid cost", "bid_cost"), ("Switching cost", "switching_cost"),
                          ("Initial lines", "initial_lines"), ("Share", "share")):
            assert r[col[name]] == pytest.approx(expected[key], abs=CENT)
    for name in ("Cost", "Bid cost", "Switching cost", "Initial lines", "Share"):
        assert total[col[name]] == pytest.approx(sum(r[col[name]] for r in bids), abs=1e-9)
    assert total[col["Cost"]] == pytest.approx(EXPECTED["award"]["cost"], abs=CENT)
    head, body = _table(ws, "Entity")
    *entities, totals = body
    for r in entities:
        assert r[len(head) - 1] == pytest.approx(sum(r[2:len(head) - 1]), abs=1e-9)
    for c in range(2, len(head)):
        assert totals[c] == pytest.approx(sum(r[c] for r in entities), abs=1e-9)
    assert totals[len(head) - 1] == pytest.approx(EXPECTED["award"]["cost"], abs=CENT)
    head, body = _table(ws, "Largest share per operator")
    assert [r[1] for r in body] == pytest.approx([p["cost"] for p in EXPECTED["share_curve"]], abs=CENT)


def test_workbook_without_award_block_has_no_award_sheet():
    assert "Award split" not in _sheet(evaluate(load_tender(DATA / "c1-sample"))).sheetnames
