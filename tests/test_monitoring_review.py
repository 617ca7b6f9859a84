"""Second-review probes of the invoice audit, the service levels and the RIO check: readings of
docs/invoice-audit.md and docs/service-levels.md that the conformance sample does not exercise.
Every figure is computed by hand in the test's docstring."""

from __future__ import annotations

import math
import shutil

import numpy as np
import pytest
from test_audit import FEB, INVENTORY, L1, L4, clean_rows, only, run, write_contract

from monitoring.audit import audit_folder
from monitoring.contract import KpiSpec
from monitoring.rio import check_rio, inventory_pseudonyms, rio_key
from monitoring.service_levels import capped_credits, credit_percent, judge, service_levels
from monitoring.workdays import working_days_after
from scoring.errors import TenderError

from conftest import DATA

KEY = b"review-key"


# --------------------------------------------------------------------------- invoice audit


def test_indexation_follows_the_contract_year_not_the_calendar_year(tmp_path):
    """start 2027-03: 2028-02 is contract month 12 (year 1, no indexation): s10 = 20 × 0.9 =
    18.00; 2028-03 is month 13 (year 2): 18.00 × 1.02 = 18.36. Both billed so: no finding."""
    rows = [["I12", "2028-03-05", "2028-02", L1, "subscription", "", "s10", 1, 18.00],
            ["I13", "2028-04-05", "2028-03", L1, "subscription", "", "s10", 1, 18.36]]
    result = run(tmp_path, rows, start="2027-03")
    assert result.findings == ()
    assert result.expected == pytest.approx(36.36)


def test_a_one_cent_difference_is_within_the_default_tolerance(tmp_path):
    """L1's February subscription billed 18.01 for 18.00: the difference 0.01 is not *more*
    than the tolerance 0.01, whatever the float noise of 18.01 − 18.00 (0.0100000000000016):
    no finding; 18.02 is one (0.02 claimed)."""
    rows = clean_rows()
    at = next(i for i, r in enumerate(rows) if r[2] == "2027-02" and r[3] == L1 and r[4] == "subscription")
    rows[at] = [*rows[at][:8], 18.01]
    assert run(tmp_path, rows).findings == ()
    rows[at] = [*rows[at][:8], 18.02]
    f = only(run(tmp_path / "b", rows), "rate_not_applied")
    assert f.difference == pytest.approx(0.02) and f.claim


def test_a_zero_amount_fee_not_in_the_contract_is_a_finding_not_a_claim(tmp_path):
    """An `other` row of 0.00: fee_not_in_contract (zero-amount rows get findings too),
    difference 0, not claimed."""
    f = only(run(tmp_path, clean_rows() + [[*FEB, "", "other", "", "", "", 0]]), "fee_not_in_contract")
    assert (f.billed, f.expected, f.difference, f.claim) == (0.0, 0.0, 0.0, False)


def test_account_rows_of_a_period_without_subscription_go_to_unassigned(tmp_path):
    """A March account fee (10.00, contract month 3, year 1: expected 10.00) in a month with no
    subscription row: nobody to share it with, so `unassigned` gets it; billed still adds up
    (510 + 10 = 520)."""
    rows = clean_rows() + [["I3", "2027-04-05", "2027-03", "", "account_fee", "", "", "", 10]]
    result = run(tmp_path, rows)
    assert result.findings == ()
    assert result.by_entity["unassigned"] == {"billed": 10.0, "expected": 10.0}
    assert sum(v["billed"] for v in result.by_entity.values()) == pytest.approx(520.0)


def test_pooled_overage_counts_only_lines_with_a_subscription(tmp_path):
    """February: L4 (t2, 2 GB) uses 9 GB of the data pool but has no subscription row that
    month: its usage is outside the pool; the other three lines (s10, 5 GB each) use 4 GB of
    their 15: no overage is due, so a 14.00 pool_overage (7 GB × 2) is rate_not_applied."""
    rows = [r for r in clean_rows() if not (r[2] == "2027-02" and r[3] == L4)]
    rows += [[*FEB, L1, "usage", "data_gb", "", 4, 0], [*FEB, L4, "usage", "data_gb", "", 9, 0],
             [*FEB, "", "pool_overage", "data_gb", "", "", 14.0]]
    f = only(run(tmp_path, rows), "rate_not_applied")
    assert (f.charge, f.expected, f.difference) == ("pool_overage", 0.0, 14.0)


# --------------------------------------------------------------------------- service levels


def test_working_days_around_easter_monday_and_the_clock_time():
    """Opened Fri 2027-03-26 (any time): Sat 27, Sun 28, Easter Monday 29 (a French public
    holiday) are not working days, Tue 30 is: resolved Tue = 1, resolved Mon = 0; opened Sat 27
    resolved Wed 31 = 2 (Tue, Wed)."""
    start = np.array(["2027-03-26", "2027-03-26", "2027-03-27"], "datetime64[D]")
    end = np.array(["2027-03-30", "2027-03-29", "2027-03-31"], "datetime64[D]")
    assert working_days_after(start, end, "FR").tolist() == [1.0, 0.0, 2.0]


# --------------------------------------------------------------------------- RIO


def test_rio_inventory_written_in_international_form(tmp_path):
    """The inventory writes L1 as +33611111111 (international form): the port list's
    0611111111 is the same line, so not `not_in_inventory`; 0655555555 is not in it."""
    inventory = [INVENTORY[0], ["+33611111111", *INVENTORY[1][1:]], *INVENTORY[2:]]
    folder = write_contract(tmp_path / "c", inventory=inventory)
    inside = inventory_pseudonyms(folder, KEY)
    prefix = "01EEROY4P"
    lines = ["0611111111", "0655555555"]
    check = check_rio([2, 3], lines, [prefix + rio_key(prefix, n) for n in lines], inventory=inside, key=KEY)
    assert [x.reasons for x in check.lines] == [(), ("not_in_inventory",)]


# --------------------------------------------------------------------------- bad input


def test_nan_in_a_number_column_is_not_a_number(tmp_path):
    """pyarrow reads "nan" as a float: it must be refused as the text reader refuses it, not
    taken for an empty quantity (which defaults to 1 on a subscription row)."""
    rows = clean_rows()
    rows[0] = [*rows[0][:7], "nan", rows[0][8]]
    with pytest.raises(TenderError) as err:
        run(tmp_path, rows)
    (problem,) = err.value.problems
    assert (problem.file.endswith("invoices/a.csv"), problem.field, problem.message) == (
        True, "row 2, column quantity", "'nan' is not a number")


def test_the_inventory_cannot_use_its_decimal_mark_as_delimiter(tmp_path):
    """The delimiter/decimal check holds for every file format of contract.yaml (it was the
    invoices' only): an inventory_file with delimiter "," and decimal "," is refused."""
    folder = write_contract(tmp_path / "c", inventory_file={"columns": {h: h for h in INVENTORY[0]},
                                                             "delimiter": ",", "decimal": ","})
    with pytest.raises(TenderError) as err:
        audit_folder(folder)
    assert [p.field for p in err.value.problems] == ["inventory_file.delimiter"]


def test_findings_of_one_period_line_and_charge_keep_row_order(tmp_path):
    """L1's January activation billed 6.00 at file row 5 (due, 1 over: rate_not_applied) and
    again 5.00 at row 27 (a second billing: fee_not_in_contract): same period, line and
    charge, so row 5 comes before row 27 (rows compare as numbers, not as text "27" < "5")."""
    rows = clean_rows()
    rows[3] = [*rows[3][:8], 6]
    rows.append(["I1", "2027-02-05", "2027-01", L1, "activation", "", "", "", 5])
    result = run(tmp_path, rows)
    assert [(f.category, f.rows) for f in result.findings] == [
        ("rate_not_applied", ("invoices/a.csv:5",)), ("fee_not_in_contract", ("invoices/a.csv:27",))]


def test_an_action_log_that_is_not_utf8_is_an_error(tmp_path):
    """A latin-1 "é" (byte 0xE9) in actions.yaml: one error naming the file, not a text
    silently turned into "\ufffd" in the minutes."""
    folder = tmp_path / "m1"
    shutil.copytree(DATA / "m1-contract", folder)
    (folder / "actions.yaml").write_bytes("- {id: a1, text: \"réunion\", status: open}\n".encode("latin-1"))
    with pytest.raises(TenderError) as err:
        service_levels(folder, key=KEY)
    (problem,) = err.value.problems
    assert problem.file.endswith("actions.yaml") and "UTF-8" in problem.message


def test_a_miss_on_a_tier_boundary_reaches_the_tier():
    """Mean 3.3 working days for a target of 3: missed by 0.3 / 3 = 0.10 exactly by hand (floats
    give 0.0999…94), so the 0.10 tier applies: 5 %, not the 0 tier's 2 %. Same for a share
    171/200 = 0.855 against 0.95: (0.95 − 0.855) / 0.95 = 0.10."""
    tiers = [{"miss": 0, "percent": 2}, {"miss": 0.1, "percent": 5}]
    days = KpiSpec.model_validate({"id": "k", "source": "tickets", "measure": "resolution_working_days",
                                   "statistic": "mean", "target": 3, "better": "lower", "credit": tiers})
    met, miss = judge(3.3, 3.0, days)
    assert not met and credit_percent(miss, days) == 5
    share = KpiSpec.model_validate({"id": "s", "source": "tickets", "measure": "resolution_working_days",
                                    "statistic": "share_within", "within": 2, "target": 0.95, "better": "lower",
                                    "credit": tiers})
    met, miss = judge(171 / 200, 0.95, share)
    assert not met and credit_percent(miss, share) == 5


def test_credits_equal_to_the_cap_are_not_capped():
    """Tiers of 1 % and 5 % of a 777.77 base: 7.7777 + 38.8885 = 46.6662, exactly the 6 % cap
    (floats: 46.6662 against 46.666199999999996): due 46.6662, not cut by the cap; 2 % more
    would be (54.4439 capped to 46.6662)."""
    base = 777.77
    due, capped = capped_credits(math.fsum([1 * base / 100, 5 * base / 100]), base, 6)
    assert (due, capped) == (pytest.approx(46.6662), False)
    due, capped = capped_credits(math.fsum([1 * base / 100, 5 * base / 100, 2 * base / 100]), base, 6)
    assert (due, capped) == (pytest.approx(46.6662), True)
