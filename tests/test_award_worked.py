"""Worked examples of the award split (docs/award-split.md), each computed by hand in its
docstring: a volume-tier cliff, a pool that changes with the cells a bid wins, `min_lines`, a
fixed unit (with switching scaled by f_b), and public_fr tiers.

Every tender: a 12-month term, no growth, usage within the allowances (no overage unless said),
so a bid's cost on a set of lines is lines × monthly fee × (1 − discount) × 12 plus its fixed
charges and switching. Each example is solved both ways the optimiser has (enumeration and the
mixed-integer programme) and must give the figures of the docstring.
"""

from __future__ import annotations

import pytest

from scenarios.api import Fleetbid
from scenarios.award import AwardProblem, Rules
from scenarios.award_milp import MilpSolver

EVALUATION = {"price": {"weight": 100, "basis": "tco", "formula": "ratio"}}


def tender(entities: dict[str, float], award: dict, **extra) -> dict:
    """One profile `std` (100 voice minutes a month) over ``entities`` (id → lines)."""
    return {"term_months": 12, "entities": [{"id": e} for e in entities],
            "profiles": [{"id": "std", "lines": dict(entities), "usage": {"voice_min": 100}}],
            "evaluation": EVALUATION, "award": award, **extra}


def bid(fee: float, **extra) -> dict:
    return {"plans": [{"id": "p", "monthly_fee": fee, "allowances": {"voice_min": "unlimited"}}],
            "offer": {"std": "p"}, **extra}


def solve(folder):
    """The result, and the optimum of the programme for the tender's own rules (the other solver)."""
    session = Fleetbid.open(folder)
    result = session.award()
    problem = AwardProblem.of(session.evaluation())
    milp = MilpSolver(problem).solve(Rules.of(problem.spec, min_lines=True))
    return result, milp


def costs(result) -> dict:
    return {b.bid: b.cost for b in result.award.bids}


def test_volume_tier_cliff(make_tender):
    """Entities a (60 lines) and b (40). `tiered` charges 10 a line a month, 20 % off from 100
    lines; `flat` charges 9. Whole fleet: tiered 100 × 10 × 0.8 × 12 = 9,600; flat 100 × 9 × 12 =
    10,800. With max_share 0.7 the fleet must be split, and tiered falls off its tier:
    a → flat 60 × 9 × 12 = 6,480 + b → tiered 40 × 10 × 12 = 4,800 = 11,280 (the other way:
    7,200 + 4,320 = 11,520). The rule costs 11,280 − 9,600 = 1,680; the share curve is 9,600 at
    1.0, 11,280 from 0.9 to 0.6, and null at 0.5 (a alone is 60 % of the lines)."""
    folder = make_tender(tender({"a": 60, "b": 40}, {"unit": "entity", "max_share": 0.7}),
                         {"tiered": bid(10, discounts={"volume": [{"min_lines": 100, "percent": 20}]}),
                          "flat": bid(9)})
    result, milp = solve(folder)
    assert result.award.cost == pytest.approx(11280, abs=0.005)
    assert milp.cost == pytest.approx(11280, abs=0.005)
    assert {b.bid: b.units for b in result.award.bids} == {"flat": ("a",), "tiered": ("b",)}
    assert result.single_award == ("tiered", pytest.approx(9600, abs=0.005))
    assert result.saving_vs_single == pytest.approx(-1680, abs=0.005)
    [rule] = result.rule_costs
    assert (rule.rule, rule.cost_without, rule.difference) == ("max_share", pytest.approx(9600), pytest.approx(1680))
    assert [p.cost for p in result.share_curve] == [pytest.approx(9600), *[pytest.approx(11280)] * 4, None]


def test_public_fr_tiers_are_the_whole_fleets(make_tender):
    """The same tender under `regime: public_fr`: tiered keeps its 20 % (the whole fleet's 100
    lines reach the tier) on any part it wins. a → tiered 60 × 10 × 0.8 × 12 = 5,760 + b → flat
    40 × 9 × 12 = 4,320 = 10,080 (the other way 6,480 + 3,840 = 10,320), against 11,280 in the
    private regime. The whole fleet to tiered still costs its TCO, 9,600."""
    folder = make_tender(tender({"a": 60, "b": 40}, {"unit": "entity", "max_share": 0.7, "regime": "public_fr"}),
                         {"tiered": bid(10, discounts={"volume": [{"min_lines": 100, "percent": 20}]}),
                          "flat": bid(9)})
    result, milp = solve(folder)
    assert result.award.cost == pytest.approx(10080, abs=0.005)
    assert milp.cost == pytest.approx(10080, abs=0.005)
    assert costs(result) == {"flat": pytest.approx(4320), "tiered": pytest.approx(5760)}
    assert result.share_curve[0].cost == pytest.approx(9600, abs=0.005)


def test_pool_changes_with_the_cells_won(make_tender):
    """One entity `a`, profiles `heavy` (10 lines, 20 GB a month each) and `light` (10 lines,
    2 GB), awarded by cell. `pool` offers 10 GB a line at 10 a month, data pooled, 1 a GB beyond
    the pool; `flat` offers unlimited data at 25 (heavy) and 2 GB at 5 (light).
    pool on both cells: supply 20 × 10 = 200 GB, demand 200 + 20 = 220, overage 20 × 1 × 12 = 240
    + fees 20 × 10 × 12 = 2,400 → 2,640. pool on heavy alone: overage (200 − 100) × 12 = 1,200 +
    1,200 = 2,400; on light alone 1,200 (no overage). flat: heavy 3,000, light 600.
    Optimum 2,640 (pool wins both: light's spare 80 GB absorbs heavy's overage). With max_share
    0.5 each bid takes one cell: pool heavy + flat light = 2,400 + 600 = 3,000 (the other way
    3,000 + 1,200 = 4,200): the rule costs 360."""
    t = {"term_months": 12, "entities": [{"id": "a"}],
         "profiles": [{"id": "heavy", "lines": {"a": 10}, "usage": {"data_gb": 20}},
                      {"id": "light", "lines": {"a": 10}, "usage": {"data_gb": 2}}],
         "evaluation": EVALUATION, "award": {"unit": "cell", "max_share": 0.5}}
    pool = {"plans": [{"id": "p10", "monthly_fee": 10, "allowances": {"data_gb": 10}}],
            "offer": {"heavy": "p10", "light": "p10"}, "pool": {"data_gb": {"overage_rate": 1.0}}}
    flat = {"plans": [{"id": "unl", "monthly_fee": 25, "allowances": {"data_gb": "unlimited"}},
                      {"id": "s2", "monthly_fee": 5, "allowances": {"data_gb": 2}}],
            "offer": {"heavy": "unl", "light": "s2"}}
    result, milp = solve(make_tender(t, {"pool": pool, "flat": flat}))
    assert result.award.cost == pytest.approx(3000, abs=0.005)
    assert milp.cost == pytest.approx(3000, abs=0.005)
    assert {b.bid: b.units for b in result.award.bids} == {"flat": ("a.light",), "pool": ("a.heavy",)}
    assert costs(result) == {"flat": pytest.approx(600), "pool": pytest.approx(2400)}
    [rule] = result.rule_costs
    assert (rule.cost_without, rule.difference, rule.split_without) == (
        pytest.approx(2640), pytest.approx(360), {"pool": ["a.heavy", "a.light"]})


def test_min_lines(make_tender):
    """Entities a 50, b 30, c 20 lines; `big` at 8, `small` at 10 with `award.min_lines: 40`;
    max_share 0.7. Without min_lines: big a + c (70 lines) 70 × 96 = 6,720 + small b 30 × 120 =
    3,600 → 10,320, but small would hold 30 < 40 lines. With it small needs ≥ 40: small a (6,000)
    + big b + c (4,800), or small b + c (6,000) + big a (4,800): 10,800. min_lines costs 480;
    max_share costs 10,800 − 9,600 (all to big)."""
    folder = make_tender(tender({"a": 50, "b": 30, "c": 20}, {"unit": "entity", "max_share": 0.7}),
                         {"big": bid(8), "small": bid(10, award={"min_lines": 40})})
    result, milp = solve(folder)
    assert result.award.cost == pytest.approx(10800, abs=0.005)
    assert milp.cost == pytest.approx(10800, abs=0.005)
    small = next(b for b in result.award.bids if b.bid == "small")
    assert small.initial_lines >= 40
    by_rule = {r.rule: (r.cost_without, r.difference) for r in result.rule_costs}
    assert by_rule == {"max_share": (pytest.approx(9600), pytest.approx(1200)),
                       "min_lines": (pytest.approx(10320), pytest.approx(480))}


def test_fixed_unit_and_switching_scaled_by_share(make_tender):
    """Entities a 60, b 40; `flat` (the incumbent) at 9, `other` at 10; b fixed to other.
    Switching: project 1,000, 2 a line, 5,000 a month for 1 parallel month, exit fee 3,000.
    other on b (40 lines, f = 0.4): bid 40 × 10 × 12 = 4,800; switching 1,000 + 2 × 40 +
    5,000 × 0.4 + 3,000 × 0.4 = 4,280. flat on a: 60 × 9 × 12 = 6,480, no switching. Award
    4,800 + 4,280 + 6,480 = 15,560. Without `fixed`: all to flat, 10,800 (fixed costs 4,760).
    Single award under `fixed`: all to other, 12,000 + 1,000 + 200 + 5,000 + 3,000 = 21,200:
    the split saves 5,640."""
    switching = {"project_eur": 1000, "per_line_eur": 2, "current_monthly_eur": 5000, "parallel_months": 1,
                 "incumbent_exit_fee_eur": 3000}
    folder = make_tender(tender({"a": 60, "b": 40}, {"unit": "entity", "fixed": {"b": "other"}},
                                incumbent="flat", switching=switching),
                         {"flat": bid(9), "other": bid(10)})
    result, milp = solve(folder)
    assert result.award.cost == pytest.approx(15560, abs=0.005)
    assert milp.cost == pytest.approx(15560, abs=0.005)
    other = next(b for b in result.award.bids if b.bid == "other")
    assert (other.bid_cost, other.switching_cost, other.units) == (pytest.approx(4800), pytest.approx(4280), ("b",))
    assert other.entity_costs == {"a": 0.0, "b": pytest.approx(9080)}
    assert result.single_award == ("other", pytest.approx(21200))
    assert result.saving_vs_single == pytest.approx(5640)
    [rule] = result.rule_costs
    assert (rule.rule, rule.cost_without, rule.difference) == ("fixed", pytest.approx(10800), pytest.approx(4760))
