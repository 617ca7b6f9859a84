"""The Excel export (reports.workbook): what the buyer's workbook must get right.

Figures equal the evaluation's JSON and are stored as numbers; every cost sheet adds up to
each bid's TCO to the cent; no cell is a formula or a link, whatever the tender files say;
the same evaluation gives the same bytes.
"""

from __future__ import annotations

import io
import re
import shutil
import zipfile

import openpyxl
import pytest
import yaml

from reports.workbook import money_format, write_evaluation_workbook
from scoring import EXAMPLE_TENDER, evaluate, load_tender

from conftest import DATA

SHEETS = ["Summary", "Criteria", "Costs by year", "Costs by component", "Costs by entity", "Costs by profile",
          "Unit prices", "Monthly", "Switching", "Award split", "Sensitivity", "Warnings", "Method", "Inputs"]
CENT = 0.005


@pytest.fixture(scope="module")
def example():
    ev = evaluate(load_tender(EXAMPLE_TENDER))
    data = write_evaluation_workbook(ev, io.BytesIO())
    return ev, data, openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """The conformance sample with text that spreadsheets take for formulas in every free-text field."""
    folder = tmp_path_factory.mktemp("hostile") / "c1"
    shutil.copytree(DATA / "c1-sample", folder)

    def edit(path, change):
        data = yaml.safe_load(path.read_text())
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))

    edit(folder / "bids" / "azur.yaml", lambda b: b.update(operator='=HYPERLINK("http://x")'))
    edit(folder / "bids" / "boreal.yaml", lambda b: b["plans"][0].update(name="+cmd|' /C calc'!A0"))
    edit(folder / "tender.yaml", lambda t: (t.update(buyer="@SUM(1+1)", name="-2+3 http://example.com"),
                                             t["entities"][0].update(name="=1+1")))
    edit(folder / "evaluations.yaml", lambda e: e.update({"=A1": e.pop("claire")}))
    (folder / "consensus.yaml").write_text(yaml.safe_dump(
        {"cobalt": {"memo": {"score": 4, "reason": "=WEBSERVICE(\"http://x\")\tagreed"}}}))
    ev = evaluate(load_tender(folder))
    data = write_evaluation_workbook(ev, io.BytesIO(), include_sensitivity=False)
    return ev, data, openpyxl.load_workbook(io.BytesIO(data))


def header_row(ws, first: str) -> int:
    """The row whose first cell is ``first`` (a table's header)."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == first:
            return row[0].row
    raise AssertionError(f"no table starting with {first!r} on {ws.title}")


def read_table(ws, first: str, key_col: int = 2) -> list[dict]:
    """Rows under the header, as {header: value}, until ``key_col`` is empty."""
    r = header_row(ws, first)
    head = [c.value for c in ws[r]]
    out = []
    for row in ws.iter_rows(min_row=r + 1):
        if row[key_col - 1].value is None:
            break
        out.append({h: c for h, c in zip(head, row) if h is not None})
    return out


def bid_label(ev, bid_id: str) -> str:
    return ev.tender.bid(bid_id).operator + (" (knocked out)" if ev.ranking.rank[bid_id] is None else "")


def test_sheets_in_order(example):
    ev, data, wb = example
    assert wb.sheetnames == SHEETS
    for name in SHEETS:
        assert wb[name].freeze_panes is not None, f"{name}: no frozen header"
    for name in ["Summary", "Criteria", "Costs by year", "Costs by component", "Costs by entity",
                 "Costs by profile", "Unit prices", "Monthly", "Switching", "Sensitivity", "Warnings"]:
        assert wb[name].auto_filter.ref, f"{name}: no autofilter"


def test_summary_ranking_equals_the_json(example):
    ev, _, wb = example
    d = ev.to_dict()
    rows = read_table(wb["Summary"], "Rank")
    bids = {b["id"]: b for b in d["bids"]}
    assert [r["Bid"].value for r in rows] == [b for b in sorted(bids, key=lambda b: (
        bids[b]["rank"] is None, bids[b]["rank"] or 0, b))]
    assert rows[-1]["Bid"].value == "mistral" and rows[-1]["Rank"].value is None  # knocked out, last
    fields = {"Rank": "rank", "TCO": "tco", "Bid cost": "bid_cost", "Switching cost": "switching_cost",
              "NPV": "npv", "Hidden service cost": "service_cost", "Price points": "price_score",
              "Quality points": "quality_score", "Total points": "total_score"}
    for row in rows:
        b = bids[row["Bid"].value]
        assert row["Operator"].value == b["operator"]
        assert row["Compliant"].value == ("yes" if b["compliant"] else "no")
        assert (row["Knock-outs"].value or "") == "; ".join(b["knockouts"])
        for header, key in fields.items():
            cell = row[header]
            if b[key] is None:
                assert cell.value is None, (b["id"], header)
            else:
                assert cell.data_type == "n" and isinstance(cell.value, (int, float)), (b["id"], header, cell.value)
                assert cell.value == pytest.approx(b[key], rel=1e-12, abs=1e-9), (b["id"], header)
    summary = {r[0].value: r[1].value for r in wb["Summary"].iter_rows(max_col=2, max_row=20) if r[0].value}
    assert summary["Winner"].startswith(d["winner"] + " — ")
    assert summary["Runner-up"].startswith(d["runner_up"] + " — ")
    assert summary["Margin (points)"] == pytest.approx(d["margin"])


def test_number_formats(example):
    ev, _, wb = example
    row = read_table(wb["Summary"], "Rank")[0]
    assert row["TCO"].number_format == '#,##0.00 "€"'
    assert row["Total points"].number_format == "0.00"
    crit = read_table(wb["Criteria"], "Rank", key_col=2)
    assert crit[0]["Score"].number_format.endswith("%")
    assert money_format("GBP") == '"£"#,##0.00' and money_format('=1+1"') == "#,##0.00"


@pytest.mark.parametrize("sheet, first", [("Costs by component", "Component"), ("Costs by entity", "Entity"),
                                          ("Costs by year", "Contract year"), ("Monthly", "Month")])
def test_cost_sheets_add_up_to_each_tco(example, sheet, first):
    ev, _, wb = example
    ws = wb[sheet]
    r = header_row(ws, first)
    head = [c.value for c in ws[r]]
    bids = {bid_label(ev, b): b for b in ev.costs.bids}
    columns = {i: bids[h] for i, h in enumerate(head) if h in bids}
    assert sorted(columns.values()) == sorted(b for b in ev.costs.bids if ev.costs.costed(b))
    rows = list(ws.iter_rows(min_row=r + 1))
    total_at = next(i for i, row in enumerate(rows) if row[0].value == "Total (TCO)")
    for i, bid_id in columns.items():
        cells = [row[i] for row in rows[:total_at]]
        assert all(c.data_type == "n" for c in cells)
        tco = ev.figures[bid_id].tco
        assert sum(c.value for c in cells) == pytest.approx(tco, abs=CENT)
        assert rows[total_at][i].value == pytest.approx(tco, abs=CENT)


def test_profile_sheet_adds_up_and_divides_by_line_months(example):
    ev, _, wb = example
    ws = wb["Costs by profile"]
    r = header_row(ws, "Profile")
    groups = [c.value for c in ws[r - 1]]
    rows = list(ws.iter_rows(min_row=r + 1))
    total_at = next(i for i, row in enumerate(rows) if str(row[0].value).startswith("Total"))
    for i, label in enumerate(groups):
        if label is None:
            continue
        bid_id = next(b for b in ev.costs.bids if bid_label(ev, b) == label)
        parts = [row[i + 1].value for row in rows[:total_at]]
        assert sum(parts) == pytest.approx(ev.figures[bid_id].tco, abs=CENT)
        assert rows[total_at][i + 1].value == pytest.approx(ev.figures[bid_id].tco, abs=CENT)
        for row in rows[:total_at]:  # TCO part = per line per month × line-months
            assert row[i + 2].value * row[3].value == pytest.approx(row[i + 1].value, rel=1e-9)


def test_criteria_sheet_equals_the_json(example):
    ev, _, wb = example
    d = {b["id"]: b for b in ev.to_dict()["bids"]}
    rows = read_table(wb["Criteria"], "Rank", key_col=2)
    assert len(rows) == len(d) * (1 + len(ev.spec.criteria))
    for row in rows:
        b, crit = d[row["Bid"].value], row["Criterion"].value
        if crit == "price":
            assert row["Points"].value == pytest.approx(b["price_score"]) if b["price_score"] is not None \
                else row["Points"].value is None
            continue
        c = b["criteria"][crit]
        assert row["Points"].value == pytest.approx(c["points"])
        assert row["Score"].value == pytest.approx(c["score"])
        if "evaluator_scores" in c:
            for name, score in c["evaluator_scores"].items():
                assert row[f"Evaluator: {name}"].value == score
            assert row["Evaluators' mean"].value == pytest.approx(c["mean"])
            assert row["Discrepancy"].value == ("yes" if c["discrepancy"] else "no")


def test_switching_and_warnings(example):
    from scenarios.switch import stay_or_switch

    ev, _, wb = example
    ss = stay_or_switch(ev)
    rows = {r["Bid"].value: r for r in read_table(wb["Switching"], "Bid")}
    for c in ss.challengers:
        assert rows[c.id]["Break-even month"].value == c.break_even_month
        assert rows[c.id]["Switching cost"].value == pytest.approx(c.switching_cost)
    messages = [r["Message"].value for r in read_table(wb["Warnings"], "Type", key_col=1)]
    for w in ev.warnings:
        assert w in messages
    for b in ev.costs.bids:
        for reason in ev.knockouts(b):
            assert reason in messages


def test_formula_like_text_stays_plain_text(hostile):
    ev, data, wb = hostile
    texts = {}
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.setdefault(cell.value, []).append(cell)
        assert not ws._hyperlinks, f"{ws.title} has hyperlinks"
    operator = '=HYPERLINK("http://x")'
    rows = {r["Bid"].value: r for r in read_table(wb["Summary"], "Rank")}
    assert rows["azur"]["Operator"].value == operator and rows["azur"]["Operator"].data_type == "s"
    for text in [operator, "+cmd|' /C calc'!A0", "@SUM(1+1)", "=1+1", "Evaluator: =A1"]:
        cells = texts.get(text) or []
        assert cells, f"{text!r} not written"
        assert all(c.data_type == "s" for c in cells)
    assert any(c.quotePrefix for c in texts[operator])  # and Excel keeps it text when the cell is edited
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                xml = z.read(name).decode()
                assert not re.search(r"<f[ >]", xml), f"formula element in {name}"
                assert "<hyperlink" not in xml


def test_same_evaluation_same_bytes(tmp_path):
    ev = evaluate(load_tender(DATA / "c1-sample"))
    first = write_evaluation_workbook(ev, io.BytesIO(), include_sensitivity=False)
    second = write_evaluation_workbook(ev, io.BytesIO(), include_sensitivity=False)
    assert first == second
    path = tmp_path / "evaluation.xlsx"
    assert write_evaluation_workbook(ev, path, include_sensitivity=False) is None
    assert path.read_bytes() == first
    assert "Sensitivity" not in openpyxl.load_workbook(io.BytesIO(first)).sheetnames


def test_weight_stability_is_rounded_like_the_tie_rule(example):
    """cost_centre_billing at 100: Novacom and Telvia tie and the tie goes to the lower TCO;
    the workbook shows the range as rounded, not 99.99999998… with "telvia" above it."""
    ev, _, wb = example
    rows = {r["Weight"].value: r for r in read_table(wb["Sensitivity"], "Weight", key_col=1)}
    assert set(rows) == {"price", *(c.id for c in ev.tender.spec.evaluation.criteria)}
    ccb = rows["cost_centre_billing"]
    assert ccb["Criterion"].value == "Invoices split by cost centre (entity)"
    assert ccb["Stable from"].value == 0 and ccb["Stable to"].value == 100
    assert ccb["Winner above"].value == "Telvia Business, at 100 only (a tie, won on the lower TCO)"
    assert ccb["Winner"].value == "Novacom Entreprises"
    price = rows["price"]
    assert price["Stable to"].value == 71.7 and price["Winner above"].value == "Telvia Business"
    for r in rows.values():
        for key in ("Stable from", "Stable to"):
            assert r[key].value is None or r[key].value == round(r[key].value, 2)


def test_real_offer_terms_are_written_as_offered(tmp_path):
    """c2-real-offers (contract v1.1): Sud's block rates read as offered ("4.00 per block of 2",
    "5.00 per block of 0.5"), Nordic's caps (data 12, roaming 10 per line) and the v1.1 fees
    (Nordic 0.35 per line per month, Sud's minimum spend 3,050) each get a column — columns a
    v1 tender does not show (the bundled example's workbook keeps its bytes, checked elsewhere)."""
    ev = evaluate(load_tender(DATA / "c2-real-offers"))
    write_evaluation_workbook(ev, tmp_path / "c2.xlsx")
    wb = openpyxl.load_workbook(tmp_path / "c2.xlsx")
    cells = {(ws.title, c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    values = {v for _, v in cells}
    assert {"4.00 per block of 2", "5.00 per block of 0.5"} <= values
    assert {"Cap data_gb per line", "Cap roam_world_data_gb per line"} <= values
    assert {"Fee per line per month", "Minimum monthly spend"} <= values
    assert {12, 10, 0.35, 3050} <= values
