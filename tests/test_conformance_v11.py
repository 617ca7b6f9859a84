"""The shared conformance sample of contract v1.1 (tests/data/c2-real-offers, copied from
shared/conformance): per-line caps (with and without usage spread), block rates (with and
without spread), per-line monthly fees, a minimum monthly spend binding in year 1 only, a pooled
bid with plan lists and 20 % non-recoverable tax. `python -m scoring evaluate c2-real-offers
--json` must agree with expected.json to the cent (figures rounded to 4 decimals there).
"""

from __future__ import annotations

import json
import subprocess
import sys

from test_conformance import _compare

from conftest import DATA, ROOT

SAMPLE = DATA / "c2-real-offers"


def _run() -> dict:
    run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(SAMPLE), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


def test_cli_json_matches_expected_to_the_cent():
    actual = _run()
    _compare(actual, json.loads((SAMPLE / "expected.json").read_text()))
    assert actual["warnings"] == []
    for bid in actual["bids"]:
        assert abs(sum(bid["entity_costs"].values()) - bid["tco"]) < 1e-6
        assert abs(sum(bid["cost_breakdown"].values()) - bid["tco"]) < 1e-6
        assert abs(sum(bid["annual_cost"]) - bid["tco"]) < 1e-6


def test_hand_checked_figures():
    """The README's hand checks: Nordic's subscriptions (120 + 40) × 9 × 12 + (132 + 40) × 9 ×
    1.02 × 12 = 36,227.52; its line fees 0.35 × (160 × 12 + 172 × 1.02 × 12) = 1,408.85; its
    tax 20 % × 67,871.13 = 13,574.23."""
    nordic = next(b for b in _run()["bids"] if b["id"] == "nordic")["cost_breakdown"]
    assert abs(nordic["subscriptions"] - 36_227.52) < 0.005
    assert abs(nordic["line_fees"] - 1_408.848) < 0.005
    assert abs(nordic["tax"] - 13_574.2269) < 0.005
    assert abs(nordic["tax"] - 0.2 * (sum(nordic.values()) - nordic["tax"] - nordic["switching"])) < 1e-6
