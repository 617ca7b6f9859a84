"""The shared conformance sample (tests/data/c1-sample, copied from shared/conformance):
`python -m scoring evaluate c1-sample --json` must agree with expected.json to the cent.

expected.json was computed by an implementation of the format contract that shares no code
with Fleetbid; its figures are rounded to 4 decimals, so money and scores are compared
within 0.01 and everything else exactly.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import DATA, ROOT

SAMPLE = DATA / "c1-sample"


def _compare(actual, expected, path="$"):
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            _compare(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected)):
            _compare(a, e, f"{path}[{i}]")
    elif isinstance(expected, float):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), path
        assert abs(actual - expected) <= 0.01, f"{path}: {actual} != {expected}"
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def test_cli_json_matches_expected_to_the_cent():
    run = subprocess.run(
        [sys.executable, "-m", "scoring", "evaluate", str(SAMPLE), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    actual = json.loads(run.stdout)
    expected = json.loads((SAMPLE / "expected.json").read_text())
    _compare(actual, expected)
    assert [b["id"] for b in actual["bids"]] == sorted(b["id"] for b in actual["bids"])
    assert actual["warnings"] == []


def test_sample_reconciles():
    """Entity costs and the breakdown each add up to the TCO, for every bid."""
    actual = json.loads(subprocess.run(
        [sys.executable, "-m", "scoring", "evaluate", str(SAMPLE), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    for bid in actual["bids"]:
        assert abs(sum(bid["entity_costs"].values()) - bid["tco"]) < 1e-6
        assert abs(sum(bid["cost_breakdown"].values()) - bid["tco"]) < 1e-6
        assert abs(sum(bid["annual_cost"]) - bid["tco"]) < 1e-6
