"""The award split's conformance sample (tests/data/a1-award-split, a copy of
/work/shared/conformance/a1-award-split): `python -m scenarios award DIR --json` prints pure JSON
matching expected.json to the cent — the award's cost (any award of that cost is acceptable:
the one returned must satisfy the rules and its figures must add up), the rule costs, the share
curve's costs, the single award, the saving, feasibility, eligibility; and the command's
behaviour on rules that cannot hold together (exit 2, the rules named, the JSON still printed).
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
import sys

import pytest
from test_validation import edit_yaml, put

from scenarios.api import Fleetbid
from scenarios.award import AwardProblem, AwardResult, Rules
from scenarios.overlay import load_scenario

from conftest import DATA, ROOT

SAMPLE = DATA / "a1-award-split"
CENT = 0.005


def award_json(folder, *extra) -> tuple[subprocess.CompletedProcess, dict]:
    run = subprocess.run([sys.executable, "-m", "scenarios", "award", str(folder), *extra, "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    return run, json.loads(run.stdout)  # pure JSON on stdout, or this fails


@pytest.fixture(scope="module")
def got():
    run, data = award_json(SAMPLE)
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    return data


@pytest.fixture(scope="module")
def expected():
    return json.loads((SAMPLE / "expected.json").read_text())


def test_header_feasibility_and_eligibility(got, expected):
    for key in ("objective", "unit", "regime", "feasible", "infeasible_rules", "eligible", "excluded"):
        assert got[key] == expected[key], key


def test_award_cost_to_the_cent(got, expected):
    assert got["award"]["cost"] == pytest.approx(expected["award"]["cost"], abs=CENT)


def test_single_award_and_saving(got, expected):
    assert got["single_award"]["bid"] == expected["single_award"]["bid"]
    assert got["single_award"]["cost"] == pytest.approx(expected["single_award"]["cost"], abs=CENT)
    assert got["saving_vs_single"] == pytest.approx(expected["saving_vs_single"], abs=CENT)


def test_rule_costs(got, expected):
    assert [r["rule"] for r in got["rule_costs"]] == [r["rule"] for r in expected["rule_costs"]]
    for mine, theirs in zip(got["rule_costs"], expected["rule_costs"]):
        for key in ("cost_without", "difference"):
            assert mine[key] == pytest.approx(theirs[key], abs=CENT), (mine["rule"], key)


def test_share_curve(got, expected):
    assert [p["max_share"] for p in got["share_curve"]] == [p["max_share"] for p in expected["share_curve"]]
    for mine, theirs in zip(got["share_curve"], expected["share_curve"]):
        if theirs["cost"] is None:
            assert mine["cost"] is None
        else:
            assert mine["cost"] == pytest.approx(theirs["cost"], abs=CENT), mine["max_share"]


def test_returned_award_satisfies_the_rules_and_adds_up(got):
    """Whichever award of the optimal cost is returned: every unit once, shares within 0.75, each
    bid's entity costs add up to its TCO, its cost is bid cost + switching, the award's cost is
    the sum of its bids'."""
    bids = got["award"]["bids"]
    units = [u for part in bids.values() for u in part["units"]]
    assert sorted(units) == sorted(u["id"] for u in got["units"])
    lines = {u["id"]: u["initial_lines"] for u in got["units"]}
    for part in bids.values():
        assert part["share"] <= 0.75 + 1e-12
        assert part["initial_lines"] == pytest.approx(sum(lines[u] for u in part["units"]))
        assert part["share"] == pytest.approx(part["initial_lines"] / got["fleet_initial_lines"])
        assert sum(part["entity_costs"].values()) == pytest.approx(part["tco"], abs=1e-6)
        assert set(part["entity_costs"]) == {"lille", "lyon", "nantes", "rennes", "nice"}
        assert part["bid_cost"] + part["switching_cost"] == pytest.approx(part["tco"], abs=1e-6)
        assert part["cost"] == part["tco"]
    assert got["award"]["cost"] == pytest.approx(sum(p["cost"] for p in bids.values()), abs=1e-6)
    assert list(bids) == sorted(bids)


def test_the_programme_agrees_with_enumeration():
    """The sample is small enough to enumerate (243 awards); the mixed-integer programme gives the
    same optimum for the tender's rules, each rule reset, and every share-curve point."""
    from scenarios.award_milp import MilpSolver

    session = Fleetbid.open(SAMPLE)
    problem = AwardProblem.of(session.evaluation())
    milp = MilpSolver(problem)
    rules = Rules.of(problem.spec, min_lines=True)
    for variant in [rules, rules.reset("max_share"), *(dataclasses.replace(rules, max_share=s)
                                                       for s in (1.0, 0.9, 0.8, 0.7, 0.6, 0.5))]:
        assert milp.solve(variant).cost == pytest.approx(problem.solve(variant).cost, abs=CENT)


def test_facade_result_is_frozen_and_its_json_is_the_cli_json(got):
    result = Fleetbid.open(SAMPLE).award()
    assert isinstance(result, AwardResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.feasible = False  # type: ignore[misc]
    assert json.loads(json.dumps(result.as_json())) == got


def test_text_table(tmp_path):
    run = subprocess.run([sys.executable, "-m", "scenarios", "award", str(SAMPLE)], cwd=ROOT, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert "Cost of the best split: 280,509" in run.stdout
    assert "no operator above 75% of the lines" in run.stdout


def test_infeasible_rules_exit_2_named_and_json_still_printed(tmp_path):
    """max_share 0.5 with one operator at most: no award (one operator holds 100 %); each rule
    alone can hold, so both are named (min_share 0.1, also set, is not part of the clash)."""
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    edit_yaml(folder, "tender.yaml", put("award", {"unit": "entity", "max_share": 0.5, "max_operators": 1,
                                                   "min_share": 0.1}))
    run, data = award_json(folder)
    assert run.returncode == 2
    assert data["feasible"] is False and data["award"] is None
    assert data["infeasible_rules"] == ["max_operators", "max_share"]
    assert "max_operators, max_share" in run.stderr and run.stderr.startswith("error: ")
    assert len(run.stderr.strip().splitlines()) == 1
    text = subprocess.run([sys.executable, "-m", "scenarios", "award", str(folder)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert text.returncode == 2 and "at most 1 operators" in text.stderr


def test_fixed_to_an_excluded_bid_is_infeasible_and_named(tmp_path):
    """min_total_score 90 leaves azur (91.79) and boreal (97.78), excludes cirrus (75.36); nice
    fixed to cirrus cannot hold with it: {fixed, min_total_score}."""
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    edit_yaml(folder, "tender.yaml", put("award", {"unit": "entity", "min_total_score": 90,
                                                   "fixed": {"nice": "cirrus"}}))
    run, data = award_json(folder)
    assert run.returncode == 2
    assert data["infeasible_rules"] == ["fixed", "min_total_score"]
    assert data["eligible"] == ["azur", "boreal"]
    assert data["excluded"] == {"cirrus": "total score 75.36, below min_total_score 90"}


def test_scenario_sets_the_award_block_and_compare_reports_the_split(tmp_path):
    """A scenario changes the award block (`set: {award: {max_share: 0.5}}`): the award command
    takes it as its second argument and gives the share curve's 0.5 point (317,378.27 in
    expected.json); `scenarios compare` reports the split's cost for the baseline (280,509.27)
    and for the scenario."""
    scenario = tmp_path / "cap.yaml"
    scenario.write_text("name: cap at one half\nset:\n  award: {max_share: 0.5}\n")
    run, data = award_json(SAMPLE, str(scenario))
    assert run.returncode == 0, run.stderr
    assert data["award"]["cost"] == pytest.approx(317378.2716, abs=CENT)
    result = Fleetbid.open(SAMPLE).award(load_scenario(scenario))
    assert result.award.cost == pytest.approx(317378.2716, abs=CENT)
    compare = subprocess.run([sys.executable, "-m", "scenarios", "compare", str(SAMPLE), str(scenario), "--json"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert compare.returncode == 0, compare.stderr
    runs = json.loads(compare.stdout)["scenarios"]
    assert [r["award"]["cost"] for r in runs] == [pytest.approx(280509.27, abs=CENT),
                                                 pytest.approx(317378.2716, abs=CENT)]
    assert sorted(u for us in runs[1]["award"]["split"].values() for u in us) == sorted(
        ["lille", "lyon", "nantes", "rennes", "nice"])
