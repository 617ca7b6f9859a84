"""The bundled contract (contracts/conseil-2027-novacom/, written by scripts/make_contract.py):
the bundled tender's winner, its line inventory and 12 monthly invoices with seeded errors.

- The audit finds exactly what the generator seeded (its seeded.json): the same categories,
  periods, counts and row references, and the same differences; the same unused lines.
- A few figures read by hand from tenders/conseil-2027/bids/novacom.yaml (docstrings).
- Re-running the generator gives the same bytes; a bid that pools data and has a welcome
  credit (Telvia's) gets the pooled-usage and welcome-credit errors, found likewise.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

from monitoring.audit import audit_folder
from monitoring.tables import _read, _spec
from scoring.evaluate import evaluate
from scoring.load import load_tender
from scoring.usage_file.records import read_records

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "contracts" / "conseil-2027-novacom"
TENDER = ROOT / "tenders" / "conseil-2027"
KEY = b"bundled-contract-test-key-000000"


def _generator():
    spec = importlib.util.spec_from_file_location("make_contract", ROOT / "scripts" / "make_contract.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_contract", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bundled():
    seeded = json.loads((BUNDLED / "seeded.json").read_text(encoding="utf-8"))
    return seeded, audit_folder(BUNDLED, key=KEY)


def _seeded_findings(seeded: dict) -> tuple[Counter, dict, dict]:
    """(count per (category, period), row references per category, Σ difference per (category, period))."""
    counts, rows, diffs = Counter(), defaultdict(set), defaultdict(float)
    for error in seeded["errors"]:
        for period, got in error["periods"].items():
            counts[error["category"], period] += got["count"]
            rows[error["category"]] |= set(got["rows"])
            diffs[error["category"], period] += got["difference"]
    return counts, rows, diffs


def _check(seeded: dict, result) -> None:
    counts, rows, diffs = _seeded_findings(seeded)
    found = Counter((f.category, f.period) for f in result.findings)
    assert found == counts
    for category in {c for c, _ in counts}:
        if category != "missing_credit":  # the missing credit is account-level: no row of its own
            assert {r for f in result.findings if f.category == category for r in f.rows} == rows[category]
    got = defaultdict(float)
    for f in result.findings:
        got[f.category, f.period] += f.difference
    for key, count in counts.items():  # the invoice is rounded to the cent, the contract is not
        assert got[key] == pytest.approx(diffs[key], abs=0.005 * count + 1e-6), key
    assert all(f.claim for f in result.findings)  # every seeded error over-bills
    assert len(result.unused_lines) == seeded["unused_lines"]["count"]
    assert {u.months for u in result.unused_lines} == {seeded["unused_lines"]["months"]}


def test_the_bundled_contract_is_the_tender_winners_without_a_copy_of_the_tender():
    """contract.yaml names ../../tenders/conseil-2027 (the bundled tender, not a copy) and the
    bid the evaluation ranks first; the inventory holds the tender's 2,000 lines, entity by
    entity and profile by profile, active before the start, plus the lines activated during
    the year."""
    contract = yaml.safe_load((BUNDLED / "contract.yaml").read_text(encoding="utf-8"))
    assert contract["tender"] == "../../tenders/conseil-2027"
    assert (BUNDLED / contract["tender"]).resolve() == TENDER.resolve()
    assert contract["bid"] == evaluate(load_tender(TENDER)).winner
    tender = yaml.safe_load((TENDER / "tender.yaml").read_text(encoding="utf-8"))
    published = Counter({(e, p["id"]): int(n) for p in tender["profiles"] for e, n in p["lines"].items() if int(n)})
    lines = (BUNDLED / "inventory.csv").read_text(encoding="utf-8").splitlines()[1:]
    cells = [line.split(";") for line in lines]
    at_start = Counter((c[1], c[2]) for c in cells if c[3] < contract["start"])
    assert at_start == published and sum(at_start.values()) == 2000
    seeded = json.loads((BUNDLED / "seeded.json").read_text(encoding="utf-8"))
    assert len(cells) == 2000 + seeded["new_lines"] > 2000
    assert sum(1 for c in cells if c[4]) == seeded["terminated_lines"] > 0
    assert all(c[0][:4] in ("0601", "0701") and len(c[0]) == 10 for c in cells)  # fictional ranges


def test_the_audit_finds_exactly_the_seeded_errors(bundled):
    seeded, result = bundled
    _check(seeded, result)
    assert {e["error"] for e in seeded["errors"]} == {
        "negotiated_rate_not_applied", "pooled_data_billed_per_line", "billed_after_termination", "duplicate",
        "missing_welcome_credit", "management_fee_not_in_contract"}
    assert {f.category for f in result.findings} == {
        "rate_not_applied", "billed_after_termination", "duplicate_charge", "missing_credit", "fee_not_in_contract"}


def test_figures_read_from_the_bid_by_hand(bundled):
    """Novacom's bid (tenders/conseil-2027/bids/novacom.yaml): `essentiel` at 12.50 a month,
    no volume tiers, indexation 2.5 % from contract year 2 (the 12 months are year 1: factor
    1), no welcome credit, a migration credit of 25,000 (a challenger: Orbis is the incumbent),
    handsets 310 / 790 / 430.

    - Negotiated rate not applied from month 4 (2027-05, the start being 2027-02): the list
      price ceil(12.50 × 1.2) − 0.10 = 14.90 instead of 12.50: +2.40 on each full month.
    - Missing credit: the migration credit is not on month 1: 0 − (−25,000) = 25,000.
    - Management fee: 150.00 a month from month 7 (2027-08) to month 12 (2028-01): 6 × 150.
    - Duplicate: one handset billed twice: the second at the bid's price, expected 0."""
    seeded, result = bundled
    assert seeded["rate"] == {"plan": "essentiel", "entity": seeded["rate"]["entity"], "contract_fee": 12.5,
                              "list_price": 14.9}
    rate_rows = {r for e in seeded["errors"] if e["error"] == "negotiated_rate_not_applied"
                 for got in e["periods"].values() for r in got["rows"]}
    rate = [f for f in result.findings if set(f.rows) & rate_rows]
    assert min(f.period for f in rate) == "2027-05"
    full = [f for f in rate if f.billed == 14.90]
    assert len(full) >= 0.9 * len(rate)
    assert all(f.expected == pytest.approx(12.50) and f.difference == pytest.approx(2.40) for f in full)
    (credit,) = [f for f in result.findings if f.category == "missing_credit"]
    assert (credit.period, credit.billed, credit.expected, credit.difference) == ("2027-02", 0.0, -25000.0, 25000.0)
    fees = [f for f in result.findings if f.category == "fee_not_in_contract"]
    assert [f.period for f in fees] == ["2027-08", "2027-09", "2027-10", "2027-11", "2027-12", "2028-01"]
    assert all((f.billed, f.expected, f.line) == (150.0, 0.0, None) for f in fees)
    (dup,) = [f for f in result.findings if f.category == "duplicate_charge"]
    assert (dup.charge, dup.expected, dup.period) == ("device", 0.0, "2027-06")
    assert dup.billed in (310.0, 790.0, 430.0)
    late = [f for f in result.findings if f.category == "billed_after_termination"]
    assert late and all(f.charge == "subscription" and f.billed in (26.0, 19.9, 12.5, 10.0) for f in late)


def test_regenerating_gives_identical_bytes(tmp_path):
    """Same seed and lines → the same files; contract.yaml differs only by the tender's
    relative path (another folder)."""
    out = tmp_path / "again"
    _generator().generate(out)
    names = sorted(p.relative_to(BUNDLED).as_posix() for p in BUNDLED.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    for name in names:
        if name != "contract.yaml":
            assert (out / name).read_bytes() == (BUNDLED / name).read_bytes(), name
    mine, theirs = ((d / "contract.yaml").read_text(encoding="utf-8").splitlines() for d in (out, BUNDLED))
    assert [x for x in mine if not x.startswith("tender:")] == [x for x in theirs if not x.startswith("tender:")]
    assert (out / yaml.safe_load("\n".join(mine))["tender"]).resolve() == TENDER.resolve()


def test_a_bid_with_a_data_pool_and_a_welcome_credit(tmp_path):
    """Telvia's bid pools data (overage 2.00/GB) and has a welcome credit of 15,000 beside its
    migration credit of 8,000: the per-line data rows are `pooled_usage_billed`, and the
    missing welcome credit is 15,000 short (the migration credit row is there)."""
    out = tmp_path / "telvia"
    seeded = _generator().generate(out, bid_id="telvia", lines=300, seed=7)
    result = audit_folder(out, key=KEY)
    _check(seeded, result)
    categories = {e["error"]: e["category"] for e in seeded["errors"]}
    assert categories["pooled_data_billed_per_line"] == "pooled_usage_billed"
    (credit,) = [f for f in result.findings if f.category == "missing_credit"]
    assert (credit.billed, credit.expected, credit.difference) == (-8000.0, -23000.0, 15000.0)
    assert any(f.category == "pooled_usage_billed" for f in result.findings)


def test_an_unmapped_last_column_reads_as_before(tmp_path):
    """monitoring.tables._read maps the file's last column when no role does (pyarrow's fast
    reader needs it, docs/invoice-audit.md): same frame as read_records on the file as mapped,
    a row blank in every mapped cell still skipped."""
    from monitoring.contract import read_contract

    fmt = read_contract(BUNDLED).spec.invoice_file
    spec = _spec(fmt, fmt.columns, ("quantity", "amount"))
    lines = (BUNDLED / "invoices" / "facture_2027-03.csv").read_text(encoding="utf-8").splitlines()[:40]
    lines.insert(5, ";" * 11 + "12,00")  # only the incl.-VAT amount: a blank row for the audit
    path = tmp_path / "f.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fast = _read(path, "f.csv", spec)
    plain = read_records(path.read_bytes(), spec, shown="f.csv")
    assert fast.columns.tolist() == plain.columns.tolist() and len(fast) == len(plain) == 39
    for column in plain.columns:
        assert fast[column].astype(object).fillna("").tolist() == plain[column].astype(object).fillna("").tolist()
