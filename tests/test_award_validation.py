"""Bad `award` blocks (docs/award-split.md, "Validation"): each defect the contract lists is one
error naming the file and the exact field, raised when the tender is loaded (so `python -m
scoring evaluate` refuses it too) and from `python -m scenarios award` as `error: FILE: FIELD:
MESSAGE` with exit 2.

Each case copies the award conformance sample (tests/data/a1-award-split: entities lille, lyon,
nantes, rennes, nice; bids azur, boreal, cirrus; award unit entity, max_share 0.75), breaks one
thing and checks the problem (helpers of tests/test_validation.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from test_validation import assert_problem, chain, drop, edit_yaml, load_error, put

from conftest import DATA, ROOT

SAMPLE = DATA / "a1-award-split"
TENDER, AZUR = "tender.yaml", "bids/azur.yaml"

CASES = [
    # id, file, edit, field, words
    ("max-share-above-1", TENDER, put("award.max_share", 1.2), "award.max_share", ("less than or equal to 1",)),
    ("max-share-negative", TENDER, put("award.max_share", -0.1), "award.max_share", ("greater than or equal to 0",)),
    ("min-share-above-1", TENDER, put("award.min_share", 1.5), "award.min_share", ("less than or equal to 1",)),
    ("incumbent-share-negative", TENDER, put("award.incumbent_min_share", -0.2), "award.incumbent_min_share",
     ("greater than or equal to 0",)),
    ("min-share-above-max", TENDER, put("award.min_share", 0.8), "award.min_share", ("above max_share",)),
    ("min-operators-above-max", TENDER, chain(put("award.max_operators", 2), put("award.min_operators", 3)),
     "award.min_operators", ("above max_operators",)),
    ("max-operators-zero", TENDER, put("award.max_operators", 0), "award.max_operators",
     ("greater than or equal to 1",)),
    ("min-operators-zero", TENDER, put("award.min_operators", 0), "award.min_operators",
     ("greater than or equal to 1",)),
    ("operators-not-integer", TENDER, put("award.max_operators", 1.5), "award.max_operators", ("integer",)),
    ("unknown-unit-in-fixed", TENDER, put("award.fixed", {"paris": "azur"}), "award.fixed.paris",
     ("unknown entity unit",)),
    ("unknown-bid-in-fixed", TENDER, put("award.fixed", {"lille": "zenith"}), "award.fixed.lille", ("unknown bid",)),
    ("cell-unit-in-fixed-needs-a-cell", TENDER, chain(put("award.unit", "cell"), put("award.fixed", {"lille": "azur"})),
     "award.fixed.lille", ("<entity>.<profile>",)),
    ("bad-unit", TENDER, put("award.unit", "region"), "award.unit", ("entity", "profile", "cell")),
    ("unit-missing", TENDER, drop("award.unit"), "award.unit", ("required",)),
    ("bad-objective", TENDER, put("award.objective", "cheapest"), "award.objective", ("tco", "npv")),
    ("npv-without-discount-rate", TENDER, put("award.objective", "npv"), "award.objective", ("discount_rate",)),
    ("bad-regime", TENDER, put("award.regime", "public"), "award.regime", ("private", "public_fr")),
    ("unknown-field", TENDER, put("award.max_lots", 2), "award.max_lots", ("unknown field",)),
    ("score-above-100", TENDER, put("award.min_total_score", 120), "award.min_total_score",
     ("less than or equal to 100",)),
    ("min-lines-negative", AZUR, put("award", {"min_lines": -5}), "award.min_lines", ("greater than or equal to 0",)),
    ("min-lines-under-public-fr", AZUR, put("award", {"min_lines": 100}), "award.min_lines", ("public_fr", "L2151-1")),
]


def _public_fr(case_id: str, folder) -> None:
    if case_id == "min-lines-under-public-fr":
        edit_yaml(folder, TENDER, put("award.regime", "public_fr"))


@pytest.mark.parametrize(("case_id", "file", "edit", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_bad_award_block_names_file_and_field(tmp_path, case_id, file, edit, field, words):
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    edit_yaml(folder, file, chain(edit))
    _public_fr(case_id, folder)
    err = load_error(folder)
    assert_problem(err, file, field, *words)
    assert len(err.problems) == 1, err.problems


def test_cli_error_line_and_exit_2(tmp_path):
    """The command line prints one `error:` line per problem, nothing on stdout, exit 2."""
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    edit_yaml(folder, TENDER, put("award.min_share", 0.9))
    run = subprocess.run([sys.executable, "-m", "scenarios", "award", str(folder), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.strip() == (f"error: {folder}/tender.yaml: award.min_share: min_share (0.9) is above "
                                  "max_share (0.75)")


def test_no_award_block_is_an_error_for_the_award_command(tmp_path):
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    edit_yaml(folder, TENDER, drop("award"))
    run = subprocess.run([sys.executable, "-m", "scenarios", "award", str(folder)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: {folder}/tender.yaml: award: no award block")


def test_scenario_errors_name_the_scenario_file(tmp_path):
    """A scenario that sets a bad award block is an error naming the scenario file and `set.…`."""
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("name: bad\nset:\n  award: {fixed: {lille: zenith}}\n")
    run = subprocess.run([sys.executable, "-m", "scenarios", "award", str(SAMPLE), str(scenario)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: {scenario}: set.award.fixed.lille: unknown bid 'zenith'")


def test_time_limit_is_a_clean_error(tmp_path):
    """The benchmark tender (20 units, too many awards to enumerate) with a 1-second budget per set
    of rules (FLEETBID_MAX_AWARD_SECONDS): no unproven optimum, one error line naming the limit."""
    import importlib.util
    import os

    spec = importlib.util.spec_from_file_location("bench_award", ROOT / "bench" / "bench_award.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    folder = bench.write(tmp_path / "bench", *bench.synthetic(1))
    run = subprocess.run([sys.executable, "-m", "scenarios", "award", str(folder), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=600,
                         env={**os.environ, "FLEETBID_MAX_AWARD_SECONDS": "1"})
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.strip() == (f"error: {folder}/tender.yaml: award: the award split could not be proven optimal "
                                  "within 1 s (environment variable FLEETBID_MAX_AWARD_SECONDS): fewer units (a "
                                  "coarser `unit`) or fewer plans per profile in pooled bids make it faster")
