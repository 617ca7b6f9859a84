"""The invoice audit (docs/invoice-audit.md) on a small contract whose every figure is computed
by hand in the docstrings: one test per finding category, the precedence rule, a clean invoice
giving no finding, the re-split across entities adding up, unused lines, deadlines, and bad
inputs (one error each, naming file, row and column; no raw phone number).

The contract (`write_contract`): tender `t` (24 months, entities hq and depot; profiles std —
2 lines at hq, 1 at depot — and tab — 1 at hq; incumbent `old`) awarded to `nova`, start
2027-01. Nova: plan s10 €20 (data 5 GB, voice unlimited, roaming €0.50/min), s30 €30 (data
20 GB, same rates), t2 €10 (data 2 GB); data pooled at €2/GB beyond the pool; setup €500,
activation €5, SIM €1, account €10/month; volume discount 10 % from 3 lines (the tender's 4
initial lines reach it); welcome credit €100, migration credit €50; indexation 2 %/year;
device `basic` €200. Plans: std → s10, tab → t2.

Hence, year 1: s10 = 20 × 0.9 = 18.00, s30 = 27.00, t2 = 9.00; year 2 (from 2028-01): × 1.02.

Lines (inventory): L1 0611111111 hq std, L2 0622222222 hq std terminated 2027-02-15, L3
0633333333 depot std activated 2027-02-10, L4 0644444444 hq tab (L1, L2, L4 active at start).
"""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitoring.audit import CATEGORIES, audit_folder

from conftest import ROOT, write_tender

L1, L2, L3, L4, UNKNOWN = "0611111111", "0622222222", "0633333333", "0644444444", "0699999999"
HEADER = ["invoice", "date", "period", "line", "charge", "component", "plan", "quantity", "amount"]
TENDER = {
    "name": "audit example", "term_months": 24, "incumbent": "old",
    "entities": [{"id": "hq"}, {"id": "depot"}],
    "profiles": [{"id": "std", "lines": {"hq": 2, "depot": 1}, "usage": {"voice_min": 100, "data_gb": 3,
                                                                         "roam_min": 10}},
                 {"id": "tab", "lines": {"hq": 1}, "usage": {"data_gb": 1}}],
    "evaluation": {"price": {"weight": 100, "formula": "linear"}},
}
BIDS = {
    "nova": {"operator": "Nova", "plans": [
        {"id": "s10", "monthly_fee": 20, "allowances": {"voice_min": "unlimited", "data_gb": 5},
         "rates": {"roam_min": 0.5}},
        {"id": "s30", "monthly_fee": 30, "allowances": {"voice_min": "unlimited", "data_gb": 20},
         "rates": {"roam_min": 0.5}},
        {"id": "t2", "monthly_fee": 10, "allowances": {"data_gb": 2}}],
        "offer": {"std": ["s10", "s30"], "tab": "t2"}, "pool": {"data_gb": {"overage_rate": 2}},
        "fees": {"setup": 500, "per_line_activation": 5, "sim_card": 1, "account_monthly": 10},
        "discounts": {"volume": [{"min_lines": 3, "percent": 10}], "welcome_credit": 100},
        "indexation_percent": 2, "devices": {"prices": {"basic": 200}}, "portability": {"migration_credit": 50}},
    "old": {"operator": "Old", "plans": [{"id": "o", "monthly_fee": 40, "allowances": {
        "voice_min": "unlimited", "data_gb": 50, "roam_min": 100}}], "offer": {"std": "o", "tab": "o"}},
}
INVENTORY = [["line", "entity", "profile", "activated", "terminated"],
             [L1, "hq", "std", "2020-01-01", ""], [L2, "hq", "std", "2020-01-01", "2027-02-15"],
             [L3, "depot", "std", "2027-02-10", ""], [L4, "hq", "tab", "2020-01-01", ""]]


def clean_rows() -> list[list]:
    """A correct invoice of 2027-01 and 2027-02 (billed 510.00 = expected).

    2027-01 (invoice I1, 2027-02-05): subscriptions 18 + 18 + 9 = 45; L1's 12 roaming minutes
    12 × 0.50 = 6; activation and SIM of the three lines active at start 3 × 6 = 18; account
    10; setup 500; pool: usage 4 + 6 + 3 = 13 GB over 5 + 5 + 2 = 12 GB → 1 × 2 = 2; credits
    −100 − 50. Total 431.
    2027-02 (invoice I2, 2027-03-05): subscriptions 4 × … = 18 + 18 + 18 + 9 = 63; L3's
    activation and SIM 6; account 10. Total 79.
    """
    a, b = ("I1", "2027-02-05", "2027-01"), ("I2", "2027-03-05", "2027-02")
    return [
        [*a, L1, "subscription", "", "s10", 1, 18.00], [*a, L1, "usage", "data_gb", "", 4, 0],
        [*a, L1, "usage", "roam_min", "", 12, 6.00], [*a, L1, "activation", "", "", "", 5], [*a, L1, "sim_card", "", "", "", 1],
        [*a, L2, "subscription", "", "s10", 1, 18.00], [*a, L2, "usage", "data_gb", "", 6, 0],
        [*a, L2, "activation", "", "", "", 5], [*a, L2, "sim_card", "", "", "", 1],
        [*a, L4, "subscription", "", "t2", 1, 9.00], [*a, L4, "usage", "data_gb", "", 3, 0],
        [*a, L4, "activation", "", "", "", 5], [*a, L4, "sim_card", "", "", "", 1],
        [*a, "", "account_fee", "", "", "", 10], [*a, "", "setup", "", "", "", 500],
        [*a, "", "pool_overage", "data_gb", "", "", 2.00],
        [*a, "", "credit", "", "", "", -100], [*a, "", "credit", "", "", "", -50],
        [*b, L1, "subscription", "", "s10", 1, 18.00], [*b, L2, "subscription", "", "s10", 1, 18.00],
        [*b, L3, "subscription", "", "s10", 1, 18.00], [*b, L3, "activation", "", "", "", 5],
        [*b, L3, "sim_card", "", "", "", 1], [*b, L4, "subscription", "", "t2", 1, 9.00],
        [*b, "", "account_fee", "", "", "", 10],
    ]


def _csv(rows: list[list], delimiter: str = ",") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def write_contract(folder: Path, invoices: dict[str, list[list]] | None = None, inventory: list[list] | None = None,
                   **contract) -> Path:
    """The contract folder: tender/, contract.yaml, inventory.csv, invoices/<name>.csv."""
    write_tender(folder / "tender", TENDER, BIDS)
    spec = {"tender": "tender", "bid": "nova", "start": "2027-01", "plans": {"std": "s10", "tab": "t2"},
            "invoice_file": {"columns": {h: h for h in HEADER}, "plans": {"LEGACY": "legacy"}},
            "inventory_file": {"columns": {h: h for h in INVENTORY[0]}}}
    spec.update(contract)
    (folder / "contract.yaml").write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
    (folder / "inventory.csv").write_text(_csv(inventory or INVENTORY))
    (folder / "invoices").mkdir(exist_ok=True)
    for name, rows in (invoices if invoices is not None else {"a.csv": clean_rows()}).items():
        (folder / "invoices" / name).write_text(_csv([HEADER, *rows]))
    return folder


def run(tmp_path: Path, rows: list[list] | None = None, **contract):
    return audit_folder(write_contract(tmp_path / "c", {"a.csv": rows if rows is not None else clean_rows()},
                                       **contract))


def only(result, category: str):
    assert [f.category for f in result.findings] == [category], [f.as_json() for f in result.findings]
    return result.findings[0]


def row_of(rows: list[list], line: str, period: str, charge: str) -> int:
    """Index in ``rows`` of the first row of this line, period and charge."""
    return next(i for i, r in enumerate(rows) if r[3] == line and r[2] == period and r[4] == charge)


FEB = ("I2", "2027-03-05", "2027-02")


# --------------------------------------------------------------------------- a clean invoice


def test_a_clean_invoice_gives_no_finding(tmp_path):
    """Billed = expected = 431 + 79 = 510.00 (see `clean_rows`); accuracy 1; nothing claimed."""
    result = run(tmp_path)
    assert result.findings == ()
    assert result.billed == pytest.approx(510.0) and result.expected == pytest.approx(510.0)
    assert result.claimed == 0 and result.billing_accuracy == 1.0
    assert result.periods == ("2027-01", "2027-02")
    assert result.bid == "nova" and result.operator == "Nova" and result.currency == "EUR"
    assert all(v == {"count": 0, "difference": 0.0} for v in result.by_category.values())
    assert list(result.by_category) == list(CATEGORIES)


def test_the_entity_resplit_adds_up(tmp_path):
    """January: every line row is hq's, and the account rows (10 + 500 + 2 − 150 = 362) go to
    hq, the only entity with lines subscribed (L1, L2, L4): 431. February: hq's lines 18 + 18
    + 9 = 45 and 3/4 of the account fee 10 (L1, L2, L4 of the four subscribed lines) = 7.50;
    depot: L3's 18 + 5 + 1 = 24 and 1/4 × 10 = 2.50. hq 483.50, depot 26.50: 510.00."""
    result = run(tmp_path)
    assert result.by_entity["hq"]["billed"] == pytest.approx(483.5)
    assert result.by_entity["depot"]["billed"] == pytest.approx(26.5)
    assert result.by_entity["depot"]["expected"] == pytest.approx(26.5)
    assert "unassigned" not in result.by_entity
    assert sum(v["billed"] for v in result.by_entity.values()) == pytest.approx(result.billed)
    assert sum(v["expected"] for v in result.by_entity.values()) == pytest.approx(result.expected)


def test_unknown_lines_are_unassigned_and_share_the_account_rows(tmp_path):
    """An unknown line's subscription in February (18.00, claimed) goes to `unassigned`, which
    also counts as one of the five subscribed lines for the account fee: 18 + 10/5 = 20.00;
    depot gets 24 + 2 = 26; hq 45 + 6 + 431 = 482."""
    rows = clean_rows() + [[*FEB, UNKNOWN, "subscription", "", "s10", 1, 18.00]]
    result = run(tmp_path, rows)
    assert result.by_entity["unassigned"]["billed"] == pytest.approx(20.0)
    assert result.by_entity["unassigned"]["expected"] == pytest.approx(2.0)
    assert result.by_entity["depot"]["billed"] == pytest.approx(26.0)
    assert result.by_entity["hq"]["billed"] == pytest.approx(482.0)
    assert sum(v["billed"] for v in result.by_entity.values()) == pytest.approx(528.0)


# --------------------------------------------------------------------------- one test per category


def test_duplicate_charge(tmp_path):
    """L1's January subscription billed twice: the second is the finding, 18.00 claimed (the
    first is checked normally). Deadline: the invoice date 2027-02-05 + 1 year."""
    rows = clean_rows()
    rows.append(list(rows[0]))
    f = only(run(tmp_path, rows), "duplicate_charge")
    assert (f.billed, f.expected, f.difference, f.claim) == (18.0, 0.0, 18.0, True)
    assert f.rows == (f"invoices/a.csv:{len(rows) + 1}",) and f.deadline == "2028-02-05" and f.period == "2027-01"
    assert f.line.startswith("L-") and f.charge == "subscription"


def test_line_not_in_inventory(tmp_path):
    """A February subscription of a line the inventory does not know: 18.00 claimed; its line
    shows as a pseudonym, never as the number."""
    rows = clean_rows() + [[*FEB, UNKNOWN, "subscription", "", "s10", 1, 18.00]]
    result = run(tmp_path, rows)
    f = only(result, "line_not_in_inventory")
    assert (f.billed, f.expected, f.difference, f.claim) == (18.0, 0.0, 18.0, True)
    assert UNKNOWN not in json.dumps(result.as_json())
    assert result.billing_accuracy == pytest.approx(7 / 8)  # 8 billed line-months, one with a finding


def test_billed_after_termination(tmp_path):
    """L2 was terminated on 2027-02-15: its March subscription (18.00) is after the month of
    its termination; its February one is not."""
    rows = clean_rows() + [["I3", "2027-04-05", "2027-03", L2, "subscription", "", "s10", 1, 18.00]]
    f = only(run(tmp_path, rows), "billed_after_termination")
    assert (f.period, f.billed, f.difference, f.claim) == ("2027-03", 18.0, 18.0, True)


def test_billed_before_activation(tmp_path):
    """L3 was activated on 2027-02-10: a January subscription (18.00) is before its activation.
    (January's pool row is left out here: L3's subscription would feed 5 GB to the pool, 13 GB
    used of 17, and the pool's 2.00 would be a second finding.)"""
    rows = clean_rows() + [["I1", "2027-02-05", "2027-01", L3, "subscription", "", "s10", 1, 18.00]]
    del rows[row_of(rows, "", "2027-01", "pool_overage")]
    f = only(run(tmp_path, rows), "billed_after_termination")
    assert (f.period, f.billed, f.expected, f.difference) == ("2027-01", 18.0, 0.0, 18.0)


def test_plan_not_in_contract(tmp_path):
    """A second February subscription of L1 on the operator's code LEGACY, mapped to a plan id
    the bid does not have: the whole 25.00 is claimed."""
    rows = clean_rows() + [[*FEB, L1, "subscription", "", "LEGACY", 1, 25.00]]
    f = only(run(tmp_path, rows), "plan_not_in_contract")
    assert (f.billed, f.expected, f.difference, f.claim) == (25.0, 0.0, 25.0, True)


def test_pooled_usage_billed(tmp_path):
    """L1's 4 GB of pooled data billed 3.00 on its own line in February: pooled usage is never
    billed per line. (February's pool: 4 GB of 5 × 3 + 2 = 17 GB: no overage row due.)"""
    rows = clean_rows() + [[*FEB, L1, "usage", "data_gb", "", 4, 3.00]]
    f = only(run(tmp_path, rows), "pooled_usage_billed")
    assert (f.billed, f.expected, f.difference, f.component) == (3.0, 0.0, 3.0, "data_gb")


@pytest.mark.parametrize("extra, billed", [
    ([*FEB, "", "other", "", "", "", 4.90], 4.90),  # a fee the contract does not have
    ([*FEB, L1, "activation", "", "", "", 5], 5.0),  # L1's activation was due in January only
    ([*FEB, "", "setup", "", "", "", 500], 500.0),  # setup is due once, in contract month 1
    ([*FEB, L1, "device", "luxury", "", 1, 900], 900.0),  # a device tier the bid does not price
])
def test_fee_not_in_contract(tmp_path, extra, billed):
    """Each row is not due at all: its whole amount is claimed."""
    f = only(run(tmp_path, clean_rows() + [extra]), "fee_not_in_contract")
    assert (f.billed, f.expected, f.difference, f.claim) == (billed, 0.0, billed, True)


@pytest.mark.parametrize("line, charge, billed, expected", [
    (L4, "subscription", 10.0, 9.0),  # t2 at 10 × 0.9 = 9.00: the discount not applied
    (L1, "usage", 7.2, 6.0),  # 12 roaming minutes at 0.60 instead of 0.50: 6.00
    (L1, "activation", 15.0, 5.0),  # the due activation at a wrong amount
    ("", "account_fee", 12.0, 10.0),
    ("", "pool_overage", 4.0, 2.0),  # (13 − 12) GB × 2.00
])
def test_rate_not_applied(tmp_path, line, charge, billed, expected):
    """A row due at another amount than the contract's: billed − expected claimed."""
    rows = clean_rows()
    rows[row_of(rows, line, "2027-01", charge) + (1 if charge == "usage" else 0)][8] = billed  # (roaming: 2nd usage row)
    f = only(run(tmp_path, rows), "rate_not_applied")
    assert (f.billed, f.charge) == (billed, charge)
    assert f.expected == pytest.approx(expected) and f.difference == pytest.approx(billed - expected) and f.claim


def test_under_billing_is_reported_not_claimed(tmp_path):
    """L4's February t2 billed 8.00 for 9.00: −1.00, a finding but not a claim."""
    rows = clean_rows()
    rows[row_of(rows, L4, "2027-02", "subscription")][8] = 8.0
    result = run(tmp_path, rows)
    f = only(result, "rate_not_applied")
    assert f.difference == pytest.approx(-1.0) and not f.claim and result.claimed == 0


def test_indexation_from_the_second_contract_year(tmp_path):
    """2028-01 is contract month 13, year 2: s10 = 20 × 0.9 × 1.02 = 18.36 and the account fee
    10 × 1.02 = 10.20; L1's subscription billed at the year-1 18.00 is −0.36 (under-billed)."""
    jan28 = ("I13", "2028-02-05", "2028-01")
    rows = clean_rows() + [[*jan28, L4, "subscription", "", "t2", 1, 9.18], [*jan28, "", "account_fee", "", "", "", 10.2],
                           [*jan28, L1, "subscription", "", "s10", 1, 18.00]]
    f = only(run(tmp_path, rows), "rate_not_applied")
    assert f.expected == pytest.approx(18.36) and f.difference == pytest.approx(-0.36) and not f.claim


def test_wrong_plan(tmp_path):
    """L1 (profile std, contracted on s10) billed s30 at s30's contract price 30 × 0.9 = 27.00
    in February: claimed 27.00 − 18.00 = 9.00, the expected being s10's fee."""
    rows = clean_rows()
    i = row_of(rows, L1, "2027-02", "subscription")
    rows[i][6], rows[i][8] = "s30", 27.0
    f = only(run(tmp_path, rows), "wrong_plan")
    assert (f.billed, f.expected, f.difference, f.claim) == (27.0, 18.0, 9.0, True)


def test_missing_credit(tmp_path):
    """The migration credit (−50) is missing from January: credited −100 for −150 due, 50.00
    claimed, pointing at the month-1 credit row; expected counts the credits in full."""
    rows = clean_rows()
    del rows[row_of(rows, "", "2027-01", "credit") + 1]
    result = run(tmp_path, rows)
    f = only(result, "missing_credit")
    assert (f.billed, f.expected, f.difference, f.claim, f.line) == (-100.0, -150.0, 50.0, True, None)
    assert f.rows == (f"invoices/a.csv:{row_of(rows, '', '2027-01', 'credit') + 2}",)
    assert result.billed == pytest.approx(560.0) and result.expected == pytest.approx(510.0)
    assert result.billing_accuracy == 1.0  # an account-level finding: no line-month is wrong


# --------------------------------------------------------------------------- precedence


def test_precedence_a_row_gets_the_first_category_that_applies(tmp_path):
    """L2's March subscription twice: the first is billed_after_termination, the second a
    duplicate (rule 1 before rule 3). An unknown line on an unknown plan: line_not_in_inventory
    only (2 before 4). L1 on s30 billed 30.00 (undiscounted): rate_not_applied against s30's
    27.00 (+3.00), not wrong_plan (7 before 8)."""
    mar = ("I3", "2027-04-05", "2027-03")
    rows = clean_rows() + [[*mar, L2, "subscription", "", "s10", 1, 18.0], [*mar, L2, "subscription", "", "s10", 1, 18.0],
                           [*FEB, UNKNOWN, "subscription", "", "LEGACY", 1, 25.0]]
    i = row_of(rows, L1, "2027-02", "subscription")
    rows[i][6], rows[i][8] = "s30", 30.0
    result = run(tmp_path, rows)
    got = sorted((f.period, f.category, f.difference) for f in result.findings)
    assert got == [("2027-02", "line_not_in_inventory", 25.0), ("2027-02", "rate_not_applied", pytest.approx(3.0)),
                   ("2027-03", "billed_after_termination", 18.0), ("2027-03", "duplicate_charge", 18.0)]
    assert len(result.findings) == 4


def test_findings_are_sorted_by_period_then_line_then_charge(tmp_path):
    """Account-level rows first within a period, then lines by pseudonym, then charge."""
    rows = clean_rows() + [[*FEB, "", "other", "", "", "", 1.0], [*FEB, L1, "usage", "data_gb", "", 4, 3.00],
                           [*FEB, L3, "activation", "", "", "", 5], ["I1", "2027-02-05", "2027-01", "", "other", "", "", "", 1]]
    findings = run(tmp_path, rows).findings
    keys = [(f.period, f.line is not None, f.line or "", f.charge) for f in findings]
    assert keys == sorted(keys) and len(keys) == 4 and keys[0][:2] == ("2027-01", False)


# --------------------------------------------------------------------------- unused lines, deadlines


def test_unused_lines(tmp_path):
    """With unused_months 2: L4 used 3 GB in January, then is billed t2 in February and March
    (9.00 each) with no usage: a run of 2 months, monthly cost its latest subscription 9.00.
    L1, L2 (usage in January, no March row) and L3 (February only) have runs of 1: not listed."""
    rows = clean_rows() + [["I3", "2027-04-05", "2027-03", L4, "subscription", "", "t2", 1, 9.00]]
    result = run(tmp_path, rows, unused_months=2)
    assert result.findings == ()
    assert [(u.entity, u.profile, u.months, u.monthly_cost) for u in result.unused_lines] == [("hq", "tab", 2, 9.0)]
    assert result.unused_lines[0].line.startswith("L-")


def test_a_deadline_from_29_february_falls_on_28_february(tmp_path):
    rows = clean_rows() + [["I14", "2028-02-29", "2028-01", "", "other", "", "", "", 2.0]]
    f = only(run(tmp_path, rows), "fee_not_in_contract")
    assert f.deadline == "2029-02-28"


# --------------------------------------------------------------------------- bad inputs


def _cli(folder: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitoring", "audit", str(folder), *extra], cwd=ROOT,
                          capture_output=True, text=True, check=False)


PHONE = re.compile(r"(?<![\d.])0[67]\d{8}(?!\d)")  # a raw number, not the digits of a decimal


@pytest.mark.parametrize("where, change, expected", [
    ("invoice", lambda rows: rows[0].__setitem__(4, "Abonnement"), r"a\.csv: row 2, column charge: unknown charge label 'Abonnement'"),
    ("invoice", lambda rows: rows[0].__setitem__(8, "18,00 EUR"), r"a\.csv: row 2, column amount: '18,00 EUR' is not a number"),
    ("invoice", lambda rows: rows[0].__setitem__(2, "01/2027"), r"a\.csv: row 2, column period: period '01/2027' is not a month written YYYY-MM"),
    ("invoice", lambda rows: rows[0].__setitem__(6, "GOLD"), r"a\.csv: row 2, column plan: unknown plan code 'GOLD'"),
    ("invoice", lambda rows: rows[1].__setitem__(5, "video_gb"), r"a\.csv: row 3, column component: unknown usage component 'video_gb'"),
    ("inventory", lambda rows: rows.append(list(rows[1])), r"inventory\.csv: row 6, column line: line L-[0-9a-f]{16} is already in the inventory \(row 2\)"),
    ("inventory", lambda rows: rows[2].__setitem__(1, "annex"), r"inventory\.csv: row 3, column entity: unknown entity 'annex'; known: hq, depot"),
    ("inventory", lambda rows: rows[2].__setitem__(2, "vip"), r"inventory\.csv: row 3, column profile: unknown profile 'vip'"),
])
def test_bad_input_is_one_error_naming_file_row_and_column(tmp_path, where, change, expected):
    invoice, inventory = clean_rows(), [list(r) for r in INVENTORY]
    change(invoice if where == "invoice" else inventory)
    folder = write_contract(tmp_path / "c", {"a.csv": invoice}, inventory)
    run_ = _cli(folder, "--json")
    assert run_.returncode == 2 and run_.stdout == ""
    lines = run_.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and re.search(expected, lines[0]), run_.stderr
    assert "Traceback" not in run_.stderr and not PHONE.search(run_.stderr)


def test_a_bid_the_tender_does_not_have(tmp_path):
    run_ = _cli(write_contract(tmp_path / "c", bid="nobody"))
    assert run_.returncode == 2
    assert re.fullmatch(r"error: .*contract\.yaml: bid: 'nobody' is not a bid of the tender; bids: nova, old\n",
                        run_.stderr)


SERVICE_LEVELS = {"calendar": "FR", "period": "quarter", "credit_cap_percent": 6, "kpis": [
    {"id": "answer", "source": "tickets", "measure": "answer_minutes", "statistic": "p90", "better": "lower",
     "target": 4, "credit": [{"miss": 0, "percent": 3}]},
    {"id": "accuracy", "source": "audit", "measure": "billing_accuracy", "statistic": "mean", "better": "higher",
     "target": 0.98}]}
TICKETS_FILE = {"path": "tickets.csv", "columns": {"opened": "opened", "answered": "answered"}}


def test_unknown_contract_keys_are_errors_but_service_level_blocks_are_accepted(tmp_path):
    """contract.yaml is strict: an unknown key is an error; the service-level contract's blocks
    are known keys, validated (docs/service-levels.md): valid ones leave the audit as it is
    without them (its log, tickets.csv, is not even read), an invalid one is an error naming
    its field."""
    plain = _cli(write_contract(tmp_path / "plain"), "--json")
    ok = _cli(write_contract(tmp_path / "a", service_levels=SERVICE_LEVELS, tickets_file=TICKETS_FILE), "--json")
    assert plain.returncode == ok.returncode == 0 and ok.stdout == plain.stdout
    no_kpi = _cli(write_contract(tmp_path / "c", service_levels={**SERVICE_LEVELS, "kpis": []}))
    assert no_kpi.returncode == 2 and "contract.yaml: service_levels.kpis" in no_kpi.stderr
    assert "Traceback" not in no_kpi.stderr
    wrong_source = {**SERVICE_LEVELS, "kpis": [{**SERVICE_LEVELS["kpis"][0], "source": "ports"}]}
    mixed = _cli(write_contract(tmp_path / "d", service_levels=wrong_source))
    assert mixed.returncode == 2 and "contract.yaml: service_levels.kpis.0.measure" in mixed.stderr
    bad = _cli(write_contract(tmp_path / "b", invoice_fiel={}))
    assert bad.returncode == 2 and "contract.yaml: invoice_fiel: unknown field" in bad.stderr


def test_the_cli_text_and_json_show_no_phone_number(tmp_path):
    rows = clean_rows() + [[*FEB, UNKNOWN, "subscription", "", "s10", 1, 18.00]]
    folder = write_contract(tmp_path / "c", {"a.csv": rows})
    text, data = _cli(folder), _cli(folder, "--json")
    assert text.returncode == 0 and data.returncode == 0
    assert "line_not_in_inventory" in text.stdout and "Claims" in text.stdout
    assert json.loads(data.stdout)["by_category"]["line_not_in_inventory"]["count"] == 1
    assert not PHONE.search(text.stdout + data.stdout)


def test_workbooks_read_as_csv_files(tmp_path):
    """The same invoice and inventory as workbooks (first sheet; numbers as numbers, dates as
    dates, phone numbers as numbers without their leading 0 are not the same line — so they
    are written as text, as operators' exports do): the same clean audit."""
    import datetime as dt

    import openpyxl

    folder = write_contract(tmp_path / "c", {})
    for name, rows in (("invoices/a.xlsx", [HEADER, *clean_rows()]), ("inventory.xlsx", INVENTORY)):
        book = openpyxl.Workbook()
        for row in rows:
            book.active.append([dt.date.fromisoformat(c) if isinstance(c, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", c)
                                else c if c != "" else None for c in row])
        book.save(folder / name)
    (folder / "inventory.csv").unlink()
    result = audit_folder(folder)
    assert result.findings == () and result.billed == pytest.approx(510.0) and result.expected == pytest.approx(510.0)


def test_a_row_with_a_cell_too_many_is_named(tmp_path):
    folder = write_contract(tmp_path / "c")
    path = folder / "invoices" / "a.csv"
    lines = path.read_text().splitlines()
    lines[3] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    run_ = _cli(folder)
    assert run_.returncode == 2 and "a.csv: row 4" in run_.stderr and len(run_.stderr.strip().splitlines()) == 1


def test_missing_credit_without_any_credit_row(tmp_path):
    """No credit row at all in January: credited 0 for −150 due, 150.00 claimed, the finding
    naming January's invoice with no row; the −150 still counts in `expected` (510.00), billed
    is 431 + 150 + 79 = 660.00, and the re-split's expected adds up to it (all to hq in January)."""
    rows = [r for r in clean_rows() if r[4] != "credit"]
    result = run(tmp_path, rows)
    f = only(result, "missing_credit")
    assert (f.billed, f.expected, f.difference, f.rows, f.invoice) == (0.0, -150.0, 150.0, (), "I1")
    assert result.billed == pytest.approx(660.0) and result.expected == pytest.approx(510.0)
    assert sum(v["expected"] for v in result.by_entity.values()) == pytest.approx(510.0)
    assert result.by_entity["hq"]["expected"] == pytest.approx(483.5)


def test_invoice_totals_kept_for_the_app_and_the_service_levels(tmp_path):
    """The invoices are read once: the audit keeps each billed month's distinct lines and its
    subscription and sla_credit amounts (monitoring.audit.InvoiceTotals), which the app's
    accuracy per month (ContractAudit.line_periods) and the service levels' base and credits
    received take from it. clean_rows plus, on 2027-02, L1's subscription twice (a duplicate
    is still billed) and a service credit of −7.50:

    2027-01: lines L1, L2, L4 → 3; subscriptions 18 + 18 + 9 = 45; no sla_credit.
    2027-02: lines L1, L2, L3, L4 → 4 (the duplicate names L1 again); subscriptions
    18 + 18 + 18 + 9 + 18 = 81; sla_credit −7.50.
    Quarter 2027Q1 (ordinal (2027 − 1970) × 12 // 3 = 228): 45 + 81 = 126 and −7.50; the
    service levels' quarter: base 126, credit received 7.50."""
    from monitoring.api import ContractFiles, open_contract
    from monitoring.service_levels import service_levels

    feb = ("I2", "2027-03-05", "2027-02")
    rows = clean_rows() + [[*feb, L1, "subscription", "", "s10", 1, 18.00], [*feb, "", "sla_credit", "", "", "", -7.5]]
    accuracy_only = {"calendar": "FR", "period": "quarter", "kpis": [SERVICE_LEVELS["kpis"][1]]}
    folder = write_contract(tmp_path / "c", {"a.csv": rows}, service_levels=accuracy_only)
    totals = audit_folder(folder).totals
    assert totals.line_periods == {"2027-01": 3, "2027-02": 4}
    assert totals.subscriptions == {"2027-01": 45.0, "2027-02": 81.0}
    assert totals.sla_credits == {"2027-01": 0.0, "2027-02": -7.5}
    assert totals.quarter_subscriptions == {228: 126.0} and totals.quarter_sla_credits == {228: -7.5}
    assert open_contract(ContractFiles.of_folder(folder)).line_periods == totals.line_periods
    (quarter,) = service_levels(folder).by_period.values()
    assert (quarter.period, quarter.base, quarter.credit_received) == ("2027Q1", 126.0, 7.5)
