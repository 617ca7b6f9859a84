"""Properties of the invoice audit on generated contracts (the small contract of
tests/test_audit.py, its inventory and invoices drawn by hypothesis):

- an invoice generated from the contract with no error — every amount computed here from the
  contract's terms, independently of the engine, and rounded to the cent as operators bill —
  gives no finding and a billing accuracy of 1;
- injecting one error of a category gives exactly one finding, of that category, with that
  difference;
- a corrupted cell gives exactly one error, naming its file, row and column.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_audit import HEADER, write_contract

from monitoring.audit import audit_folder
from scoring.errors import TenderError

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow], max_examples=30)
START = (2027, 1)
FEE = {"std": 20.0, "tab": 10.0}  # the contracted plans s10 and t2
PLAN = {"std": "s10", "tab": "t2"}
POOL = {"std": 5.0, "tab": 2.0}  # GB each plan feeds to the data pool
DISCOUNT, INDEX = 0.10, 0.02


def _period(m: int) -> str:
    y, mo = divmod(START[1] - 1 + m, 12)
    return f"{START[0] + y}-{mo + 1:02d}"


def _k(m: int) -> float:
    return (1 + INDEX) ** (m // 12)


@st.composite
def contracts(draw):
    """Lines (profile, entity, month of activation or None when before the start, month of
    termination or None), the billed contract months, and usage per line and month."""
    months = sorted(draw(st.sets(st.sampled_from([0, 1, 2, 12, 13]), min_size=1, max_size=4)))
    n = draw(st.integers(1, 6))
    lines = []
    for i in range(n):
        act = draw(st.one_of(st.none(), st.integers(0, 13)))
        end = draw(st.one_of(st.none(), st.integers(act or 0, 14)))
        lines.append({"number": f"06{10000000 + i * 1234567:08d}", "profile": draw(st.sampled_from(["std", "tab"])),
                      "entity": draw(st.sampled_from(["hq", "depot"])), "act": act, "end": end})
    usage = {(i, m): (draw(st.integers(0, 16)) / 2, draw(st.integers(0, 30))) for i in range(n) for m in months}
    return lines, months, usage


def _active(line: dict, m: int) -> bool:
    return (line["act"] is None or line["act"] <= m) and (line["end"] is None or m <= line["end"])


def generate(lines, months, usage) -> tuple[list[list], list[list], dict]:
    """The inventory and a correct invoice, priced by hand: subscription fee × 0.9 × 1.02^year;
    roaming minutes × 0.50 × k; one-offs (activation 5, SIM 1) in the activation month (month
    0 for lines active at start); account fee 10 × k; setup 500 and credits −100 and −50 in
    month 0; the pool's (Σ data − Σ allowance)⁺ × 2 × k."""
    inventory = [["line", "entity", "profile", "activated", "terminated"]]
    for line in lines:
        act = "2020-06-01" if line["act"] is None else f"{_period(line['act'])}-10"
        end = "" if line["end"] is None else f"{_period(line['end'])}-20"
        inventory.append([line["number"], line["entity"], line["profile"], act, end])
    rows, pool_over = [], {}
    for m in months:
        k, head = _k(m), (f"F{m}", f"{_period(m + 1)}-05", _period(m))
        demand = supply = 0.0
        for i, line in enumerate(lines):
            if not _active(line, m):
                continue
            data, roam = usage[i, m]
            rows.append([*head, line["number"], "subscription", "", PLAN[line["profile"]], 1,
                         round(FEE[line["profile"]] * (1 - DISCOUNT) * k, 2)])
            rows.append([*head, line["number"], "usage", "data_gb", "", data, 0])
            if line["profile"] == "std" and roam:
                rows.append([*head, line["number"], "usage", "roam_min", "", roam, round(roam * 0.5 * k, 2)])
            if (line["act"] or 0) == m:
                rows += [[*head, line["number"], "activation", "", "", "", 5], [*head, line["number"], "sim_card", "", "", "", 1]]
            demand, supply = demand + data, supply + POOL[line["profile"]]
        pool_over[m] = max(0.0, demand - supply) * 2 * k
        rows += [[*head, "", "account_fee", "", "", "", round(10 * k, 2)],
                 [*head, "", "pool_overage", "data_gb", "", "", round(pool_over[m], 2)]]
        if m == 0:
            rows += [[*head, "", "setup", "", "", "", 500], [*head, "", "credit", "", "", "", -100],
                     [*head, "", "credit", "", "", "", -50]]
    return inventory, rows, pool_over


def _audit(inventory, rows):
    with tempfile.TemporaryDirectory() as tmp:
        return audit_folder(write_contract(Path(tmp) / "c", {"a.csv": rows}, inventory))


@settings(**SETTINGS)
@given(contracts())
def test_an_invoice_as_the_contract_prices_it_gives_no_finding(drawn):
    inventory, rows, _ = generate(*drawn)
    result = _audit(inventory, rows)
    assert result.findings == () and result.billing_accuracy == 1.0 and result.claimed == 0
    assert result.billed == pytest.approx(sum(r[8] for r in rows), abs=1e-9)
    assert abs(result.billed - result.expected) <= 0.005 * len(rows) + 1e-9  # cents only
    assert sum(v["billed"] for v in result.by_entity.values()) == pytest.approx(result.billed, abs=1e-6)


CATEGORIES = ["duplicate_charge", "line_not_in_inventory", "billed_after_termination", "plan_not_in_contract",
              "pooled_usage_billed", "fee_not_in_contract", "rate_not_applied", "wrong_plan", "missing_credit"]


@settings(**SETTINGS)
@given(contracts(), st.sampled_from(CATEGORIES), st.data())
def test_one_injected_error_gives_one_finding_of_its_category(drawn, category, data):
    lines, months, usage = drawn
    inventory, rows, pool_over = generate(lines, months, usage)
    subs = [i for i, r in enumerate(rows) if r[4] == "subscription"]
    m = data.draw(st.sampled_from(months))
    head = (f"F{m}", f"{_period(m + 1)}-05", _period(m))
    if category == "duplicate_charge":
        i = data.draw(st.sampled_from(range(len(rows))))
        rows.append(list(rows[i]))
        difference = rows[i][8]
    elif category == "line_not_in_inventory":
        rows.append([*head, "0799999999", "device", "basic", "", 1, 200])
        difference = 200.0
    elif category == "billed_after_termination":
        out = [line for line in lines if not _active(line, m)]
        assume(out)
        rows.append([*head, out[0]["number"], "device", "basic", "", 1, 200])
        difference = 200.0
    elif category == "plan_not_in_contract":
        active = [line for line in lines if _active(line, m)]
        assume(active)
        rows.append([*head, active[0]["number"], "subscription", "", "LEGACY", 1, 25.0])  # feeds no allowance
        difference = 25.0
    elif category == "pooled_usage_billed":
        data_rows = [i for i, r in enumerate(rows) if r[5] == "data_gb" and r[4] == "usage"]
        assume(data_rows)
        i = data.draw(st.sampled_from(data_rows))
        rows[i][8] = difference = 3.5
    elif category == "fee_not_in_contract":
        rows.append([*head, "", "other", "", "", "", 4.9])
        difference = 4.9
    elif category == "rate_not_applied":
        assume(subs)
        i = data.draw(st.sampled_from(subs))
        difference = data.draw(st.sampled_from([0.5, 2.0, -1.25]))
        rows[i][8] = round(rows[i][8] + difference, 2)
    elif category == "wrong_plan":
        std = [i for i in subs if rows[i][6] == "s10" and pool_over[int(rows[i][0][1:])] == 0]
        assume(std)  # (s30 feeds 20 GB to the pool: with no overage, the pool's expected stays 0)
        i = data.draw(st.sampled_from(std))
        k = _k(int(rows[i][0][1:]))
        rows[i][6], rows[i][8] = "s30", round(30 * 0.9 * k, 2)
        difference = 27 * k - 18 * k
    else:  # missing_credit
        assume(0 in months)
        del rows[next(i for i, r in enumerate(rows) if r[4] == "credit" and r[8] == -50)]
        difference = 50.0
    result = _audit(inventory, rows)
    assert [f.category for f in result.findings] == [category], [f.as_json() for f in result.findings]
    assert result.findings[0].difference == pytest.approx(difference, abs=0.0101)


@settings(**SETTINGS)
@given(contracts(), st.data())
def test_a_corrupted_cell_gives_one_error_naming_its_row_and_column(drawn, data):
    inventory, rows, _ = generate(*drawn)
    i = data.draw(st.sampled_from(range(len(rows))))
    column, bad = data.draw(st.sampled_from([(8, "12,5x"), (2, "2027/13"), (4, "Remise"), (1, "05/02/2027")]))
    rows[i][column] = bad
    with pytest.raises(TenderError) as caught:
        _audit(inventory, rows)
    problems = caught.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    assert problems[0].file.endswith("invoices/a.csv")
    assert problems[0].field == f"row {i + 2}, column {HEADER[column]}"


def test_the_generator_follows_the_calendar():
    assert [_period(m) for m in (0, 11, 12, 13)] == ["2027-01", "2027-12", "2028-01", "2028-02"]
    assert _k(11) == 1 and _k(12) == pytest.approx(1.02) and dt.date.fromisoformat(f"{_period(13)}-05")
