"""The RIO check of the buyer's line list, before the switch, as a what-if scenario (issue 17
item 5; docs/service-levels.md, docs/what-if.md): its measured rejection share replaces the
tender's assumed ``switching.porting_failure_rate``.

The list is the m1 conformance sample's (tests/data/m1-contract/rio_requests.csv, columns
``msisdn`` and ``rio_code``, checked against the contract's inventory); the tender is the
sample's (tests/data/m1-contract/tender/c1-sample).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitoring.rio import parse_columns, porting_scenario, rio_file
from scenarios.overlay import apply, evaluate_scenario, load_scenario, scenario_from_dict
from scoring.errors import TenderError
from scoring.load import build_tender, read_folder
from scoring.switching import switching_parts

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "tests" / "data" / "m1-contract"
LIST = SAMPLE / "rio_requests.csv"
TENDER = SAMPLE / "tender" / "c1-sample"
KEY = b"porting-scenario-test-key-000000"
COLUMNS = "line=msisdn,rio=rio_code"


@pytest.fixture(scope="module")
def check():
    return rio_file(LIST, parse_columns(COLUMNS), SAMPLE, key=KEY)


def test_the_rejected_share_of_the_m1_list(check):
    """The m1 README: rows 2–17 (16 lines); invalid: row 10 (key), rows 11 and 12 (format),
    rows 14 and 16 (duplicate), row 17 (not in the inventory) — 6 rows; row 9 (personal
    alone) is a warning, which can be fixed with the holder's mandate: not counted. 6 / 16 =
    0.375."""
    assert len(check.lines) == 16
    assert [x.row for x in check.lines if x.status == "invalid"] == [10, 11, 12, 14, 16, 17]
    assert check.rejected_share == 6 / 16 == 0.375
    assert porting_scenario(check, "m1") == {"name": "m1", "set": {"switching": {"porting_failure_rate": 0.375}}}


def test_the_scenario_evaluates_with_the_measured_rate_and_its_lost_number_cost(check):
    """c1-sample's switching block: 670 initial lines (README), port_share 0.85,
    porting_failure_rate 0.015, lost_number_eur 350; azur is the incumbent. The lost-number
    cost (docs/tender-format.md: ported × porting_failure_rate × lost_number_eur, ported =
    port_share × initial lines = 0.85 × 670 = 569.5):
    - stated: 569.5 × 0.015 × 350 = 2,989.875;
    - measured: 569.5 × 0.375 × 350 = 74,746.875;
    so each challenger's switching cost (and TCO) rises by 569.5 × (0.375 − 0.015) × 350 =
    71,757.00; the incumbent's stays 0."""
    raw = read_folder(TENDER)
    base = build_tender(raw)
    scenario = scenario_from_dict(porting_scenario(check, "RIO check"), "porting.yaml")
    changed = apply(raw, scenario)
    assert changed.spec.switching.porting_failure_rate == 0.375
    assert switching_parts(base)["lost_numbers"] == pytest.approx(2989.875)
    assert switching_parts(changed)["lost_numbers"] == pytest.approx(74746.875)
    before = evaluate_scenario(raw, scenario_from_dict({"name": "none"}, "none.yaml"))
    after = evaluate_scenario(raw, scenario)
    for bid in ("azur", "boreal", "cobalt"):
        b, a = before.figures[bid], after.figures[bid]
        rise = (a.tco - a.bid_cost) - (b.tco - b.bid_cost)
        assert rise == pytest.approx(0.0 if bid == "azur" else 71757.0, abs=1e-6), bid
        assert a.tco - b.tco == pytest.approx(rise, abs=1e-6) and a.bid_cost == pytest.approx(b.bid_cost)


def test_the_command_writes_the_scenario_and_keeps_json_pure(tmp_path):
    """`python -m monitoring rio FILE --json --scenario-out F`: stdout is the JSON alone, with
    rejected_share 0.375; F is a scenario file `load_scenario` reads, setting the rate; the
    message goes to stderr."""
    out = tmp_path / "sub" / "porting.yaml"
    env = {**os.environ, "FLEETBID_PSEUDONYM_KEY": KEY.decode()}
    run = subprocess.run([sys.executable, "-m", "monitoring", "rio", str(LIST), "--columns", COLUMNS, "--json",
                          "--scenario-out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["rejected_share"] == 0.375 and len(data["lines"]) == 16
    assert "porting_failure_rate = 0.375" in run.stderr
    scenario = load_scenario(out)
    assert scenario.spec.set == {"switching": {"porting_failure_rate": 0.375}}
    assert "6 of 16" in (scenario.spec.description or "")
    assert "0701374940" not in out.read_text(encoding="utf-8") + run.stdout + run.stderr


def test_a_list_without_a_line_has_no_share(tmp_path):
    """A header alone: no share to use — one error line naming the file, exit 2, no file."""
    empty = tmp_path / "empty.csv"
    empty.write_text("msisdn,rio_code\n", encoding="utf-8")
    with pytest.raises(TenderError):
        porting_scenario(rio_file(empty, parse_columns(COLUMNS), key=KEY), "x")
    out = tmp_path / "porting.yaml"
    run = subprocess.run([sys.executable, "-m", "monitoring", "rio", str(empty), "--columns", COLUMNS,
                          "--scenario-out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and not out.exists()
    errors = [x for x in run.stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 1 and str(empty) in errors[0] and "Traceback" not in run.stderr
