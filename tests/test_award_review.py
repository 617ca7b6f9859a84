"""Second-reader probes of doubtful readings of the award-split contract
(/work/shared/design/award-split.md), each figure computed by hand in the docstring.

Every tender: a 12-month term, no growth, usage within the allowances, so a bid's cost on a set
of lines is lines × monthly fee × 12 plus its fixed charges and switching.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scenarios.api import Fleetbid
from scenarios.award import AwardProblem, Rules
from scenarios.award_milp import MilpSolver

EVALUATION = {"price": {"weight": 100, "basis": "tco", "formula": "ratio"}}


def bid(prices: dict[str, float], **extra) -> dict:
    """Plan `p_<profile>` at ``prices[profile]`` a month for each profile offered."""
    return {"plans": [{"id": f"p_{p}", "monthly_fee": f, "allowances": {"voice_min": "unlimited"}}
                      for p, f in prices.items()],
            "offer": {p: f"p_{p}" for p in prices}, **extra}


def three_profiles(award: dict, **extra) -> dict:
    """Entity `a`; profiles x (10 lines), y (20), z (30): 60 lines."""
    return {"term_months": 12, "entities": [{"id": "a"}],
            "profiles": [{"id": p, "lines": {"a": n}, "usage": {"voice_min": 100}}
                         for p, n in (("x", 10), ("y", 20), ("z", 30))],
            "evaluation": EVALUATION, "award": award, **extra}


def both(folder):
    session = Fleetbid.open(folder)
    result = session.award()
    problem = AwardProblem.of(session.evaluation())
    milp = MilpSolver(problem).solve(Rules.of(problem.spec, min_lines=True))
    return result, milp


def test_costing_knockout_covers_two_of_three_profiles(make_tender):
    """`part` offers x at 1 and y at 1 but not z (a costing knock-out: no offer for z); `full`
    offers all three at 2. unit: profile. part may take x and y: 30 × 1 × 12 = 360; full z:
    30 × 2 × 12 = 720 → 1,080. Single award: only full covers everything: 60 × 24 = 1,440;
    saving 360. part is eligible (listed), not excluded."""
    folder = make_tender(three_profiles({"unit": "profile"}),
                         {"part": bid({"x": 1, "y": 1}), "full": bid({"x": 2, "y": 2, "z": 2})})
    result, milp = both(folder)
    assert result.feasible
    assert result.award.cost == pytest.approx(1080, abs=0.005)
    assert milp.cost == pytest.approx(1080, abs=0.005)
    assert {b.bid: b.units for b in result.award.bids} == {"full": ("z",), "part": ("x", "y")}
    assert result.single_award == ("full", pytest.approx(1440))
    assert result.saving_vs_single == pytest.approx(360)
    assert result.eligible == ("full", "part") and result.excluded == {}


def test_min_total_score_excludes_a_null_score(make_tender):
    """The same tender with `min_total_score: 0`: part has a null total score (costing
    knock-out), so any min_total_score excludes it: all to full, 1,440. The rule is listed:
    without it 1,080, so it costs 360."""
    folder = make_tender(three_profiles({"unit": "profile", "min_total_score": 0}),
                         {"part": bid({"x": 1, "y": 1}), "full": bid({"x": 2, "y": 2, "z": 2})})
    result, milp = both(folder)
    assert result.award.cost == pytest.approx(1440, abs=0.005)
    assert milp.cost == pytest.approx(1440, abs=0.005)
    assert result.eligible == ("full",) and set(result.excluded) == {"part"}
    [rule] = result.rule_costs
    assert (rule.rule, rule.cost_without, rule.difference) == (
        "min_total_score", pytest.approx(1080), pytest.approx(360))


def test_incumbent_that_did_not_bid_keeps_nothing(make_tender):
    """`incumbent: gone` did not bid, `incumbent_min_share: 0.3`: the contract's "(0 if it did
    not bid)" makes the rule 0 — feasible, and not listed in rule_costs (listed only when the
    incumbent bid). Optimum: every profile to the cheapest, `cheap` at 1: 60 × 12 = 720."""
    folder = make_tender(three_profiles({"unit": "profile", "incumbent_min_share": 0.3}, incumbent="gone"),
                         {"cheap": bid({"x": 1, "y": 1, "z": 1}), "dear": bid({"x": 2, "y": 2, "z": 2})})
    result, milp = both(folder)
    assert result.feasible and result.infeasible_rules == ()
    assert result.award.cost == pytest.approx(720, abs=0.005)
    assert milp.cost == pytest.approx(720, abs=0.005)
    assert result.rule_costs == ()


def test_npv_objective(make_tender):
    """discount_rate 0.1 with a 24-month term: costs fall in months 1..24, so every output cost
    is an NPV while bid_cost and switching_cost stay nominal. Checked against the engine's own
    NPV of the whole fleet (evaluate) for the single award, and the award's cost = Σ bids' NPV
    (here every profile to cheap, which is then the single award too)."""
    t = three_profiles({"unit": "profile", "objective": "npv"}, discount_rate=0.1)
    t["term_months"] = 24
    folder = make_tender(t, {"cheap": bid({"x": 1, "y": 1, "z": 1}), "dear": bid({"x": 2, "y": 2, "z": 2})})
    session = Fleetbid.open(folder)
    result = session.award()
    ev = session.evaluation()
    npv = dict(zip([b.id for b in ev.tender.bids], ev.costs.npv()))
    [cheap] = result.award.bids
    assert cheap.bid_cost == pytest.approx(60 * 24)  # nominal
    assert cheap.cost == pytest.approx(npv["cheap"]) and cheap.cost < 60 * 24
    assert result.award.cost == pytest.approx(npv["cheap"])
    assert result.single_award == ("cheap", pytest.approx(npv["cheap"]))


def test_portability_and_minimum_spend_per_awarded_bid(make_tender):
    """Entities a 60, b 40 (one profile `x`), unit entity, b fixed to `chal`; `inc` (the
    incumbent) at 9. `chal` at 10 with portability fee_per_number 1, exit_fee_refund 0.5,
    migration_credit 100, and minimum_monthly_spend 500. Switching: exit fee 3,000 only
    (port_share 1). chal on b (f = 0.4): bid 40 × 10 = 400 a month < 500 → minimum in full:
    500 × 12 = 6,000; portability 40 × 1 − 0.5 × 3,000 × 0.4 − 100 = −660; switching
    3,000 × 0.4 = 1,200. inc on a: 60 × 9 × 12 = 6,480. Award 6,000 − 660 + 1,200 + 6,480 =
    13,020."""
    t = {"term_months": 12, "entities": [{"id": "a"}, {"id": "b"}],
         "profiles": [{"id": "x", "lines": {"a": 60, "b": 40}, "usage": {"voice_min": 100}}],
         "evaluation": EVALUATION, "award": {"unit": "entity", "fixed": {"b": "chal"}},
         "incumbent": "inc", "switching": {"incumbent_exit_fee_eur": 3000}}
    chal = bid({"x": 10}, fees={"minimum_monthly_spend": 500},
               portability={"fee_per_number": 1, "exit_fee_refund": 0.5, "migration_credit": 100})
    result, milp = both(make_tender(t, {"inc": bid({"x": 9}), "chal": chal}))
    assert result.award.cost == pytest.approx(13020, abs=0.005)
    assert milp.cost == pytest.approx(13020, abs=0.005)
    by = {b.bid: b for b in result.award.bids}
    assert by["chal"].switching_cost == pytest.approx(1200)
    assert by["chal"].cost == pytest.approx(6000 - 660 + 1200)
    assert list(by["inc"].entity_costs) == ["a", "b"] and by["inc"].entity_costs["b"] == 0.0


def test_infeasible_rules_minimal_and_cli(make_tender):
    """max_operators 1 with max_share 0.7 cannot hold (one operator holds 100 %); min_share 0.1
    is innocent. infeasible_rules = [max_operators, max_share]; the CLI exits 2 naming them, the
    JSON still on stdout with feasible false and award null."""
    folder = make_tender(three_profiles({"unit": "profile", "max_operators": 1, "max_share": 0.7,
                                         "min_share": 0.1}),
                         {"cheap": bid({"x": 1, "y": 1, "z": 1}), "dear": bid({"x": 2, "y": 2, "z": 2})})
    run = subprocess.run([sys.executable, "-m", "scenarios", "award", str(folder), "--json"],
                         capture_output=True, text=True)
    assert run.returncode == 2, run.stderr
    data = json.loads(run.stdout)
    assert (data["feasible"], data["award"], data["infeasible_rules"]) == (False, None, ["max_operators", "max_share"])
    assert "max_operators" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_fixed_to_a_bid_under_min_total_score(make_tender):
    """Price scored by ratio: cheap (1 a line a month) scores 100, dear (2) 100 × 1/2 = 50. With
    min_total_score 60 dear is excluded; `fixed: {z: dear}` then cannot hold: the smallest
    clashing set is {fixed, min_total_score} (either alone is feasible; max_share 0.9, set too,
    is innocent: cheap on x+y and dear on z is 50 % each)."""
    folder = make_tender(three_profiles({"unit": "profile", "min_total_score": 60, "fixed": {"z": "dear"},
                                         "max_share": 0.9}),
                         {"cheap": bid({"x": 1, "y": 1, "z": 1}), "dear": bid({"x": 2, "y": 2, "z": 2})})
    result = Fleetbid.open(folder).award()
    assert not result.feasible and result.award is None
    assert result.infeasible_rules == ("fixed", "min_total_score")
    assert set(result.excluded) == {"dear"}


def test_excluded_incumbent_with_a_share_is_named(make_tender):
    """The incumbent `dear` (score 50) under min_total_score 60 with incumbent_min_share 0.2:
    infeasible, named {incumbent_min_share, min_total_score}. Without min_total_score: dear keeps
    ≥ 12 lines — x (10) is too few, y (20) to dear: 20 × 24 = 480 + cheap x+z 40 × 12 = 480 →
    960 (the rule cost of min_total_score is then null: the award with it does not exist)."""
    folder = make_tender(three_profiles({"unit": "profile", "min_total_score": 60, "incumbent_min_share": 0.2},
                                        incumbent="dear"),
                         {"cheap": bid({"x": 1, "y": 1, "z": 1}), "dear": bid({"x": 2, "y": 2, "z": 2})})
    result = Fleetbid.open(folder).award()
    assert not result.feasible
    assert result.infeasible_rules == ("incumbent_min_share", "min_total_score")
    by_rule = {r.rule: (r.cost_without, r.difference) for r in result.rule_costs}
    assert by_rule == {"incumbent_min_share": (pytest.approx(720), None), "min_total_score": (pytest.approx(960), None)}
    assert result.single_award is None and result.saving_vs_single is None


def test_min_operators_above_the_eligible_bids(make_tender):
    """min_operators 3 with two bids: infeasible (not an error), named [min_operators]; the share
    curve is null everywhere; the single award ignores operator counts: all to cheap, 720."""
    folder = make_tender(three_profiles({"unit": "profile", "min_operators": 3}),
                         {"cheap": bid({"x": 1, "y": 1, "z": 1}), "dear": bid({"x": 2, "y": 2, "z": 2})})
    result = Fleetbid.open(folder).award()
    assert (result.feasible, result.infeasible_rules) == (False, ("min_operators",))
    assert [p.cost for p in result.share_curve] == [None] * 6
    assert result.single_award == ("cheap", pytest.approx(720))


def test_cells_entity_first_and_every_entity_costed(make_tender):
    """unit: cell over entities b, a (tender order b first) and profiles x, y: cells b.x, b.y,
    a.x, a.y (entity first, tender order — not sorted). max_share 0.5, min_operators 2, cheap at
    1 and dear at 2 (1 line each cell): any 2/2 split costs 2 × 12 + 2 × 24 = 72. Every awarded
    bid's entity_costs names both entities, in tender order, adding up to its cost."""
    t = {"term_months": 12, "entities": [{"id": "b"}, {"id": "a"}],
         "profiles": [{"id": p, "lines": {"b": 1, "a": 1}, "usage": {"voice_min": 100}} for p in ("x", "y")],
         "evaluation": EVALUATION, "award": {"unit": "cell", "max_share": 0.5}}
    result = Fleetbid.open(make_tender(t, {"cheap": bid({"x": 1, "y": 1}), "dear": bid({"x": 2, "y": 2})})).award()
    assert [u for u, _ in result.units] == ["b.x", "b.y", "a.x", "a.y"]
    assert result.award.cost == pytest.approx(72)
    for b in result.award.bids:
        assert list(b.entity_costs) == ["b", "a"]
        assert sum(b.entity_costs.values()) == pytest.approx(b.tco)
        assert list(b.units) == [u for u in ["b.x", "b.y", "a.x", "a.y"] if u in b.units]


def test_npv_pooled_plan_mix_programme_equals_enumeration(make_tender):
    """objective npv, a pooled bid offering two plans (small 10 GB at 10, big 30 GB at 12) on a
    heavy profile whose data grows 50 % a year, discount rate 0.9, 36 months, by cell: the
    programme's free plan mix minimises the NPV, the engine's (the contract's) the nominal cost,
    so the programme alone undercosts some awards (6,030.08 against 6,232.39 before the fix, a
    RuntimeError). The programme must now return the brute force's optimum (every award costed
    by the engine: `Enumeration`) within 0.01, under the tender's rules and with max_share 0.6."""
    from scenarios.award import Enumeration

    t = {"term_months": 36, "discount_rate": 0.9, "entities": [{"id": "a"}, {"id": "b"}],
         "profiles": [{"id": "heavy", "lines": {"a": 10, "b": 10}, "usage": {"data_gb": 10},
                       "usage_growth": {"data_gb": 0.5}},
                      {"id": "light", "lines": {"a": 10, "b": 5}, "usage": {"data_gb": 1}}],
         "evaluation": EVALUATION, "award": {"unit": "cell", "objective": "npv"}}
    pool = {"plans": [{"id": "small", "monthly_fee": 10, "allowances": {"data_gb": 10}},
                      {"id": "big", "monthly_fee": 12, "allowances": {"data_gb": 30}}],
            "offer": {"heavy": ["small", "big"], "light": ["small", "big"]}, "pool": {"data_gb": {"overage_rate": 1.0}}}
    flat = {"plans": [{"id": "u", "monthly_fee": 30, "allowances": {"data_gb": "unlimited"}}],
            "offer": {"heavy": "u", "light": "u"}}
    problem = AwardProblem.of(Fleetbid.open(make_tender(t, {"pool": pool, "flat": flat})).evaluation())
    base = Rules.of(problem.spec, min_lines=True)
    for rules in (base, Rules(max_share=0.6)):
        brute = Enumeration(problem).solve(rules)
        milp = MilpSolver(problem).solve(rules)
        assert milp.cost == pytest.approx(brute.cost, abs=0.01)
        assert milp.cost == pytest.approx(sum(problem.cost(b, [u for u, o in enumerate(milp.owner) if o == b]).npv
                                              for b in set(milp.owner)), abs=1e-6)


def test_service_knockout_excludes_and_min_lines_is_any_bids(make_tender):
    """`ko` (cheapest, 0.5 a line) lacks cost-centre billing, a required criterion: knocked out
    by a service criterion, it receives nothing even on units it could cover; its
    `award.min_lines: 5` is still the bids' min_lines rule set to a non-default value (the
    contract: "min_lines of all bids is one rule"), listed with a difference of 0. Optimum: all
    to cheap, 60 × 12 = 720."""
    t = three_profiles({"unit": "profile"})
    t["evaluation"] = {"price": {"weight": 90, "basis": "tco", "formula": "ratio"},
                       "criteria": [{"id": "ccb", "weight": 10, "from": "service.cost_centre_billing",
                                     "required": True}]}
    ok = {"service": {"cost_centre_billing": True}}
    folder = make_tender(t, {"cheap": bid({"x": 1, "y": 1, "z": 1}, **ok),
                             "dear": bid({"x": 2, "y": 2, "z": 2}, **ok),
                             "ko": bid({"x": 0.5, "y": 0.5, "z": 0.5}, service={"cost_centre_billing": False},
                                       award={"min_lines": 5})})
    result = Fleetbid.open(folder).award()
    assert result.eligible == ("cheap", "dear") and set(result.excluded) == {"ko"}
    assert result.award.cost == pytest.approx(720)
    assert [(r.rule, r.cost_without, r.difference) for r in result.rule_costs] == [
        ("min_lines", pytest.approx(720), pytest.approx(0))]
