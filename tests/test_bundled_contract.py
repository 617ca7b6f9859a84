"""The bundled contract (contracts/conseil-2027-novacom/, written by scripts/make_contract.py):
the bundled tender's winner, its line inventory and 12 monthly invoices with seeded errors.

- The audit finds exactly what the generator seeded (its seeded.json): the same categories,
  periods, counts and row references, and the same differences; the same unused lines.
- A few figures read by hand from tenders/conseil-2027/bids/novacom.yaml (docstrings).
- The service-level logs (issue 17): `python -m monitoring sla` measures what the logs were
  built with (seeded.json's ``service_levels``): the bad SIM quarter, the migration quarter's
  slow answers, the rejected ports and their reasons, the lost number, credits due vs paid.
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


def test_an_export_with_columns_after_the_mapped_ones_reads_as_read_records(tmp_path):
    """The bundled invoices end with an unmapped column (the amount incl. VAT): monitoring.tables._read
    gives the same frame as read_records (tests/test_records.py checks the fast path itself), and
    a row blank in every mapped cell is still skipped."""
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


# ---------------------------------------------------------------------------- service levels (issue 17)


@pytest.fixture(scope="module")
def sla():
    """`python -m monitoring sla contracts/conseil-2027-novacom --json`, as a user runs it."""
    import os
    import subprocess

    env = {**os.environ, "FLEETBID_PSEUDONYM_KEY": KEY.decode()}
    run = subprocess.run([sys.executable, "-m", "monitoring", "sla", str(BUNDLED), "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    seeded = json.loads((BUNDLED / "seeded.json").read_text(encoding="utf-8"))["service_levels"]
    return seeded, json.loads(run.stdout)


def test_the_kpis_are_what_the_logs_were_built_with(sla):
    """Each log KPI's count, open records and value per quarter are those of the durations the
    generator built the logs with (seeded.json: answer minutes and working days drawn, then
    written as timestamps and dates — the command reads them back on the French calendar);
    billing accuracy is the seeded error rows' share of billed line-periods.

    Targets by hand: tenders/conseil-2027/bids/novacom.yaml commits to a support answer in
    3 minutes, a SIM replaced in 1 working day and a billing accuracy of 99.2 % (0.992); the
    porting success target is 1 − the tender's porting_failure_rate 0.02 = 0.98; the porting
    delay is given, 3 working days; incidents fixed within 2 working days: 90 %."""
    seeded, got = sla
    assert got["bid"] == "novacom" and got["periods"] == ["2027Q1", "2027Q2", "2027Q3", "2027Q4", "2028Q1"]
    targets = {"support_answer": 3, "sim_replacement": 1, "incident_fix_2d": 0.9, "porting_delay": 3,
               "porting_success": 0.98, "billing_accuracy": 0.992}
    assert seeded["targets"] == targets
    assert [k["id"] for k in got["kpis"]] == [k for k in targets for _ in got["periods"]]
    for k in got["kpis"]:
        assert k["target"] == targets[k["id"]], k
        if k["id"] == "billing_accuracy":
            want = {"n": 1, "open": 0, "value": seeded["billing_accuracy"][k["period"]]["value"]}
        else:
            want = seeded["kpis"][k["id"]][k["period"]]
        assert (k["n"], k["open"]) == (want["n"], want["open"]), k
        assert k["value"] == pytest.approx(want["value"], abs=1e-9), k
        higher = k["id"] in ("incident_fix_2d", "porting_success", "billing_accuracy")
        assert k["met"] == (k["value"] >= k["target"] if higher else k["value"] <= k["target"]), k


def test_the_seeded_misses_bad_sim_quarter_and_migration(sla):
    """What was seeded: SIM replacement misses one quarter only (the operator's SIM shortage,
    2027Q3: a mean of 2.9 working days against 1); the support answer misses the migration
    quarter only (2027Q1, the hotline swamped during the port of 1,800 numbers: p90 8 minutes
    against 3); billing accuracy misses from 2027Q2 on (the negotiated rate not applied from
    2027-05, the invoices' seeded errors); incidents and porting meet their targets."""
    seeded, got = sla
    missed = defaultdict(list)
    for k in got["kpis"]:
        if k["met"] is False:
            missed[k["id"]].append(k["period"])
    assert seeded["sim_bad_quarter"] == "2027Q3" and seeded["migration_quarter"] == "2027Q1"
    assert dict(missed) == {"sim_replacement": ["2027Q3"], "support_answer": ["2027Q1"],
                            "billing_accuracy": ["2027Q2", "2027Q3", "2027Q4", "2028Q1"]}
    sim = {k["period"]: k for k in got["kpis"] if k["id"] == "sim_replacement"}
    assert sim["2027Q3"]["value"] == pytest.approx(2.9) and sim["2027Q3"]["miss"] == pytest.approx(1.9)


def test_credits_due_and_received_differ(sla):
    """Credits by hand from contract.yaml's tiers and the 8 % cap, on the JSON's bases:
    - 2027Q1: support answer missed by (8 − 3) / 3 = 1.67 ≥ 0.5 → 4 % × 68,909.87 = 2,756.39;
    - 2027Q3: SIM missed by 1.9 ≥ 1 → 6 %, billing accuracy by (0.992 − 0.7698) / 0.992 =
      0.224 ≥ 0.05 → 3 %: 9 % > the 8 % cap → 8 % × 104,763.85 = 8,381.11, capped.
    The operator paid the ticket KPIs' credits (it contests the audit's), two months after the
    quarter: 2,756.39 on the 2027-05 invoice (billing quarter 2027Q2) and the SIM's 6 % ×
    104,763.85 = 6,285.83 on 2027-11 (2027Q4); 2027Q4's and 2028Q1's are not paid yet."""
    seeded, got = sla
    by = got["by_period"]
    assert by["2027Q1"]["credit_due"] == pytest.approx(0.04 * by["2027Q1"]["base"])
    assert by["2027Q1"]["base"] == pytest.approx(68909.87, abs=0.005)
    assert by["2027Q3"]["capped"] and by["2027Q3"]["credit_due"] == pytest.approx(0.08 * by["2027Q3"]["base"])
    assert by["2027Q3"]["base"] == pytest.approx(104763.85, abs=0.005)
    assert [p for p in by if by[p]["capped"]] == ["2027Q3"]
    for p, due in seeded["credits"]["due"].items():
        assert by[p]["credit_due"] == pytest.approx(due["credit_due"], abs=1e-6) and by[p]["capped"] == due["capped"]
    received = {p: round(c["credit_received"], 2) for p, c in by.items()}
    assert received == {"2027Q1": 0.0, "2027Q2": 2756.39, "2027Q3": 0.0, "2027Q4": 6285.83, "2028Q1": 0.0}
    assert [(r["for"], r["billing_period"], r["amount"]) for r in seeded["credits"]["received"]] == [
        ("2027Q1", "2027-05", 2756.39), ("2027Q3", "2027-11", 6285.83)]
    due, paid = (sum(c[x] for c in by.values()) for x in ("credit_due", "credit_received"))
    assert paid == pytest.approx(9042.22) and due > paid + 9000


def test_sla_credit_rows_are_not_findings(bundled):
    """The credit notes (`Pénalité qualité de service` → sla_credit, docs/invoice-audit.md)
    are billed as expected: no finding points at them, and the findings stay the seeded ones."""
    seeded, result = bundled
    rows = {r["row"] for r in seeded["service_levels"]["credits"]["received"]}
    assert len(rows) == 2
    assert not rows & {r for f in result.findings for r in f.rows}
    for ref in rows:
        name, row = ref.rsplit(":", 1)
        cells = (BUNDLED / name).read_text(encoding="utf-8").splitlines()[int(row) - 1].split(";")
        assert cells[5] == "Pénalité qualité de service" and cells[10].startswith("-")


def test_the_port_log_rejections_and_the_lost_number():
    """ports.csv: the migration's requests in 2027Q1 (90 % of the 2,000 lines, the tender's
    port_share), six rejected with a reason — three RIOs with a wrong key, two holders that
    differ, one personal contract — each asked again and ported, and one number lost. The
    porting funnel shows them; the RIO check (`monitoring.rio.check_rio`) finds the wrong
    keys and the personal contract on those rows, and nothing wrong with any ported row."""
    from monitoring.rio import check_rio
    from monitoring.service_levels import service_levels

    seeded = json.loads((BUNDLED / "seeded.json").read_text(encoding="utf-8"))["service_levels"]["ports"]
    result = service_levels(BUNDLED, key=KEY)
    q1 = result.porting[0]
    assert (q1.period, q1.rejected, q1.lost, q1.pending) == ("2027Q1", 6, 1, 0)
    lost = "Numéro résilié par l'opérateur cédant avant le portage"
    assert q1.reasons == {"RIO erroné": 3, "Titulaire différent": 2, "Contrat personnel (RIO particulier)": 1,
                          lost: 1}
    assert Counter(r["reason"] for r in seeded["rejected"]) == {"RIO erroné": 3, "Titulaire différent": 2,
                                                                "Contrat personnel (RIO particulier)": 1}
    assert [r["reason"] for r in seeded["lost"]] == [lost]
    assert sum(p.rejected + p.lost for p in result.porting[1:]) == 0
    rows = [r.split(";") for r in (BUNDLED / "ports.csv").read_text(encoding="utf-8").splitlines()]
    header, body = rows[0], rows[1:]
    assert header == ["Numéro", "RIO", "Demandé le", "Porté le", "Statut", "Motif"]
    assert q1.requested == sum(1 for r in body if r[2] < "2027-04") and q1.ported == q1.requested - 7
    for entry in seeded["rejected"] + seeded["lost"]:
        row = body[int(entry["row"].rsplit(":", 1)[1]) - 2]
        assert (row[3], row[5]) == ("", entry["reason"])
        assert row[4] == ("lost" if entry in seeded["lost"] else "rejected")
        assert sum(r[0] == row[0] and r[4] == "ported" for r in body) == (entry in seeded["rejected"])
    failed = [body[int(e["row"].rsplit(":", 1)[1]) - 2] for e in seeded["rejected"]]
    check = check_rio(list(range(len(failed))), [r[0] for r in failed], [r[1] for r in failed], key=KEY)
    why = {r[5]: set() for r in failed}
    for r, x in zip(failed, check.lines):
        why[r[5]] |= set(x.reasons)
    assert why == {"RIO erroné": {"key"}, "Titulaire différent": set(), "Contrat personnel (RIO particulier)": {"personal"}}
    ported = [r for r in body if r[4] == "ported"]
    check = check_rio(list(range(len(ported))), [r[0] for r in ported], [r[1] for r in ported], key=KEY)
    assert check.by_status() == {"ok": len(ported), "warning": 0, "invalid": 0}


def test_the_action_log():
    """actions.yaml: seven actions of the quarterly reviews, open ones first by due date."""
    from monitoring.service_levels import service_levels

    actions = service_levels(BUNDLED, key=KEY).actions
    assert [a.status for a in actions] == ["open"] * 4 + ["done"] * 3
    assert [a.due.isoformat() for a in actions if a.status == "open"] == sorted(
        a.due.isoformat() for a in actions if a.status == "open")
