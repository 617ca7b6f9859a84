"""The non-recoverable tax as its own segment (issue #14, item 1: "a tax bar in the TCO
chart, the labels in both languages"), on the conformance sample c2-real-offers (20 %).

The figures come from the sample's published expected.json, and the tax is checked against
the rule itself: 20 % of each bid's operator charges (every component but switching and tax).
The test fails if the tax segment leaves the TCO chart (reports/charts/evaluation.py
`breakdown_chart`) or the PDF's table by component, in English or French.
"""

from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader

from reports import build_report
from reports.charts.evaluation import breakdown_chart
from reports.charts.style import COMPONENT_COLORS
from reports.formats import money
from scoring import evaluate, load_tender

from conftest import DATA

SAMPLE = DATA / "c2-real-offers"
LABEL = {"en": "Non-recoverable tax", "fr": "Taxe non récupérable"}


@pytest.fixture(scope="module")
def ev():
    return evaluate(load_tender(SAMPLE))


@pytest.fixture(scope="module")
def expected_tax() -> dict[str, float]:
    """nordic: 0.20 × (36,227.52 + 1,408.848 + 29,265.1663 + 969.6) = 13,574.2269, and so on:
    each published tax is 20 % of the bid's other charges, switching excluded."""
    bids = {b["id"]: b["cost_breakdown"] for b in json.loads((SAMPLE / "expected.json").read_text())["bids"]}
    for breakdown in bids.values():
        charges = sum(v for k, v in breakdown.items() if k not in ("tax", "switching"))
        assert breakdown["tax"] == pytest.approx(0.20 * charges, abs=0.001)
    return {b: breakdown["tax"] for b, breakdown in bids.items()}


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_tco_chart_stacks_the_tax_as_its_own_segment(ev, expected_tax, lang):
    fig = breakdown_chart(ev, lang)
    assert fig.layout.barmode == "relative"  # stacked, credits below zero
    bars = [trace for trace in fig.data if trace.type == "bar"]
    tax = [trace for trace in bars if trace.name == LABEL[lang]]
    assert len(tax) == 1, [trace.name for trace in bars]
    (tax,) = tax
    assert tax.marker.color == COMPONENT_COLORS["tax"]
    assert LABEL[lang] in tax.hovertemplate
    # The bars are in TCO order; customdata names each bar's operator.
    operators = {b.operator: b.id for b in ev.tender.bids}
    got = {operators[name]: y for name, y in zip(tax.customdata, tax.y)}
    assert got == pytest.approx(expected_tax, abs=0.01)
    # Its own segment: the other bars of each bid add up to the TCO without it.
    tco = {b["id"]: b["tco"] for b in json.loads((SAMPLE / "expected.json").read_text())["bids"]}
    for i, name in enumerate(tax.customdata):
        assert sum(trace.y[i] for trace in bars) == pytest.approx(tco[operators[name]], abs=0.01)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_pdf_lists_the_tax_by_component(ev, expected_tax, lang, tmp_path):
    out = build_report(ev, tmp_path / f"report-{lang}.pdf", lang=lang, charts=False)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    text = re.sub(r"[ \u00a0\n\r\t]+", " ", text)  # pypdf reads the no-break space before € as a space
    cur = ev.tender.spec.currency
    total = {"en": "Total", "fr": "Total"}[lang]
    row = re.search(re.escape(LABEL[lang]) + r" (.*?) " + total, text)  # the row, up to the total's
    assert row, f"no {LABEL[lang]!r} row in the PDF's table by component"
    for bid_id, tax in expected_tax.items():
        assert money(tax, lang, cur).replace("\u00a0", " ") in row.group(1), (bid_id, row.group(1))
