"""Worked examples of the cost rules, each computed by hand in its docstring.

Every tender here is tiny on purpose: one rule at a time, numbers a reader can redo on
paper. Amounts are euros excl. VAT; "per month" is per contract month.
"""

from __future__ import annotations

import copy

import pytest

from scoring import evaluate, load_tender


def tender(**over) -> dict:
    base = {
        "name": "worked",
        "term_months": 12,
        "entities": [{"id": "hq"}],
        "profiles": [{"id": "std", "lines": {"hq": 100}, "usage": {"voice_min": 100}}],
        "evaluation": {"price": {"weight": 100}},
    }
    base.update(over)
    return base


def plan(id="p", fee=10.0, **kw) -> dict:
    return {"id": id, "monthly_fee": fee, "allowances": kw.pop("allowances", {"voice_min": "unlimited"}), **kw}


def bid(plans=None, offer=None, **kw) -> dict:
    plans = plans or [plan()]
    return {"plans": plans, "offer": offer or {"std": plans[0]["id"]}, **kw}


def run(make_tender, t, bids, evaluations=None) -> dict:
    out = evaluate(load_tender(make_tender(t, bids, evaluations))).to_dict()
    return {b["id"]: b for b in out["bids"]} | {"_": out}


def close(a, b):
    return a == pytest.approx(b, abs=0.005)


def test_subscriptions_volume_tier_indexation_partial_year(make_tender):
    """100 lines × €10, 15-month term, indexation 10 %, tiers 50→10 %, 100→20 %, 200→30 %.

    Initial lines 100 reach the 100-line tier: 20 % off the plan fee, fixed for the term.
    Year 0: 12 months × 100 × 10 × 0.8         = 9,600
    Year 1:  3 months × 100 × 10 × 1.1 × 0.8   = 2,640      → TCO 12,240
    """
    b = bid(discounts={"volume": [{"min_lines": 50, "percent": 10}, {"min_lines": 100, "percent": 20},
                                  {"min_lines": 200, "percent": 30}]}, indexation_percent=10)
    r = run(make_tender, tender(term_months=15), {"a": b})["a"]
    assert close(r["tco"], 12240)
    assert close(r["annual_cost"][0], 9600) and close(r["annual_cost"][1], 2640)
    assert close(r["cost_breakdown"]["subscriptions"], 12240)


def test_volume_tiers_sharing_min_lines_take_the_larger_percent(make_tender):
    """Two tiers at 100 lines (20 % and 25 %): 25 % applies. 12 × 100 × 10 × 0.75 = 9,000."""
    b = bid(discounts={"volume": [{"min_lines": 100, "percent": 25}, {"min_lines": 100, "percent": 20}]})
    assert close(run(make_tender, tender(), {"a": b})["a"]["tco"], 9000)


def test_per_line_overage_with_usage_growth(make_tender):
    """10 lines use 5 GB, +20 %/year; plan: 5 GB included, €2/GB beyond, fee 0; 24 months.

    Year 0: 5 GB ≤ 5 → 0.  Year 1: 6 GB → 1 GB × €2 × 10 lines × 12 months = 240.
    """
    t = tender(term_months=24, profiles=[{"id": "std", "lines": {"hq": 10}, "usage": {"data_gb": 5},
                                          "usage_growth": {"data_gb": 0.2}}])
    p = plan(fee=0, allowances={"data_gb": 5}, rates={"data_gb": 2})
    r = run(make_tender, t, {"a": bid([p])})["a"]
    assert close(r["cost_breakdown"]["usage"], 240) and close(r["annual_cost"][1], 240)


def test_usage_beyond_allowance_without_rate_is_a_knockout(make_tender):
    """Same fleet, plan without a data rate: year 1 uses 6 GB > 5 GB with no price → no
    usable plan, the bid is non-compliant and every cost field is null."""
    t = tender(term_months=24, profiles=[{"id": "std", "lines": {"hq": 10}, "usage": {"data_gb": 5},
                                          "usage_growth": {"data_gb": 0.2}}])
    r = run(make_tender, t, {"a": bid([plan(fee=0, allowances={"data_gb": 5})])})
    a = r["a"]
    assert a["compliant"] is False and a["rank"] is None and a["tco"] is None
    assert a["cost_breakdown"] is None and a["entity_costs"] is None and a["plan_assignment"] is None
    assert "data_gb" in a["knockouts"][0] and "exceeds" in a["knockouts"][0]
    assert r["_"]["winner"] is None


def test_unpriced_component_and_missing_offer_are_knockouts(make_tender):
    """A used component that the plan neither includes nor prices (sms) makes it unusable;
    a profile without an offer knocks the bid out too."""
    t = tender(profiles=[{"id": "std", "lines": {"hq": 10}, "usage": {"voice_min": 1, "sms": 5}},
                         {"id": "tab", "lines": {"hq": 1}, "usage": {"voice_min": 1}}])
    bids = {"a": bid(offer={"std": "p", "tab": "p"}), "b": bid(offer={"std": "p"})}
    r = run(make_tender, t, bids)
    assert "neither includes nor prices 'sms'" in r["a"]["knockouts"][0]
    assert any("no offer for profile 'tab'" in k for k in r["b"]["knockouts"])


def _pool_tender(heavy_offer, rate=1.0):
    """Entities a and b; heavy: 10 lines at a using 20 GB; light: 10 lines at b using 7 GB.
    Plans: s €10 with 5 GB, l €20 with 30 GB, u €40 unlimited. Data pooled at `rate`/GB."""
    t = tender(entities=[{"id": "a"}, {"id": "b"}], profiles=[
        {"id": "heavy", "lines": {"a": 10}, "usage": {"data_gb": 20}},
        {"id": "light", "lines": {"b": 10}, "usage": {"data_gb": 7}},
    ])
    plans = [plan("s", 10, allowances={"data_gb": 5}), plan("l", 20, allowances={"data_gb": 30}),
             plan("u", 40, allowances={"data_gb": "unlimited"})]
    return t, bid(plans, offer={"heavy": heavy_offer, "light": "s"}, pool={"data_gb": {"overage_rate": rate}})


def test_pool_overage_split_by_individual_overage(make_tender):
    """Both on s. Demand 10×20 + 10×7 = 270 GB; pooled allowance 10×5 + 10×5 = 100 GB;
    overage 170 GB × €1 = 170 per month. Individual overage: heavy 10×(20−5) = 150 at a,
    light 10×(7−5) = 20 at b → a gets 150, b gets 20 of the pool each month.
    Entity a: (100 + 150) × 12 = 3,000; b: (100 + 20) × 12 = 1,440; TCO 4,440.
    """
    t, b = _pool_tender("s")
    r = run(make_tender, t, {"x": b})["x"]
    assert close(r["tco"], 4440) and close(r["cost_breakdown"]["pool_overage"], 2040)
    assert close(r["entity_costs"]["a"], 3000) and close(r["entity_costs"]["b"], 1440)


def test_plan_mix_feeds_the_pool(make_tender):
    """heavy offered [s, l]. s: 200 subs + 170 pool = 370/month; l: 300 subs and the pool
    has 10×30 + 50 = 350 ≥ 270 GB → 0 overage: 300/month. The mix picks l: 12 × 300 = 3,600."""
    t, b = _pool_tender(["s", "l"])
    r = run(make_tender, t, {"x": b})["x"]
    assert r["plan_assignment"] == {"heavy": "l", "light": "s"}
    assert close(r["tco"], 3600) and close(r["cost_breakdown"]["pool_overage"], 0)


def test_unlimited_pooled_allowance_empties_the_pool(make_tender):
    """heavy offered [s, u] at €3/GB. s: 200 + 170 × 3 = 710/month; u: 400 + 100 = 500 and
    an unlimited pooled allowance with lines makes the pool unlimited → 0 overage.
    u wins: 12 × 500 = 6,000."""
    t, b = _pool_tender(["s", "u"], rate=3.0)
    r = run(make_tender, t, {"x": b})["x"]
    assert r["plan_assignment"]["heavy"] == "u" and close(r["tco"], 6000)


def test_ties_within_half_a_cent_go_to_the_first_plan_listed(make_tender):
    """One line, 12 months: plan q costs €10.0000, plan p €10.0001 per month; the mixes
    differ by €0.0012 ≤ 0.005, so the first in offer order wins: [p, q] → p, [q, p] → q.
    The same holds on the pooled path (profiles × plans enumerated in lexicographic order)."""
    t = tender(profiles=[{"id": "std", "lines": {"hq": 1}, "usage": {"voice_min": 1}}])
    plans = [plan("p", 10.0001), plan("q", 10.0)]
    r = run(make_tender, t, {"a": bid(plans, offer={"std": ["p", "q"]}),
                             "b": bid(plans, offer={"std": ["q", "p"]}),
                             "c": bid(plans, offer={"std": ["p", "q"]}, pool={"data_gb": {"overage_rate": 1}})})
    assert r["a"]["plan_assignment"]["std"] == "p"
    assert r["b"]["plan_assignment"]["std"] == "q"
    assert r["c"]["plan_assignment"]["std"] == "p"


def test_devices_and_fund_in_month_order(make_tender):
    """40 lines (10 at a, 30 at b), premium €480 over 24 months → €20/line/month = €800 per
    month; 12 months = 9,600. Fund 2,000: month 1 uses 800, month 2 800, month 3 400, then
    nothing. Fund split by device spend: a 25 % → −500, b 75 % → −1,500.
    A rugged profile refreshing every 48 months on a 12-month term pays 12/48 of €300 per
    line: 2 lines × 300/48 × 12 = 150."""
    t = tender(entities=[{"id": "a"}, {"id": "b"}], profiles=[
        {"id": "std", "lines": {"a": 10, "b": 30}, "usage": {"voice_min": 1},
         "device": {"tier": "premium", "refresh_months": 24}},
        {"id": "rug", "lines": {"a": 2}, "usage": {"voice_min": 1}, "device": {"tier": "rugged", "refresh_months": 48}},
    ])
    b = bid([plan(fee=0)], offer={"std": "p", "rug": "p"}, devices={"prices": {"premium": 480, "rugged": 300},
                                                                    "fund": 2000})
    r = run(make_tender, t, {"x": b, "y": {**copy.deepcopy(b), "devices": {"prices": {"premium": 480}}}})
    x = r["x"]
    assert close(x["cost_breakdown"]["devices"], 9750) and close(x["cost_breakdown"]["device_fund"], -2000)
    assert close(x["entity_costs"]["a"], 2026.9231)
    assert close(x["entity_costs"]["b"], 5723.0769)
    assert any("no device price for tier 'rugged'" in k for k in r["y"]["knockouts"])


def _switch_tender(**over):
    """100 lines at hq growing 10 %/year (100, 110, 121) over 36 months, plans free."""
    return tender(**{"term_months": 36, "discount_rate": 0.1, "incumbent": "inc",
                     "profiles": [{"id": "std", "lines": {"hq": 100}, "line_growth": 0.1, "usage": {"voice_min": 1}}],
                     **over})


SWITCHING = {"project_eur": 5000, "per_line_eur": 10, "current_monthly_eur": 2000, "parallel_months": 1.5,
             "incumbent_exit_fee_eur": 4000, "port_share": 0.5, "porting_failure_rate": 0.1,
             "lost_number_eur": 300}


def test_one_off_fees_switching_portability_credits_npv(make_tender):
    """Fees: setup 1,000, activation 5 + SIM 2 = 7 per migrated or added line.
    Lines added by growth: 10 in month 13, 11 in month 25 (both bids pay 7 each).
    Incumbent one-off: 1,000 + 21 × 7 = 1,147 (no migrated lines, no switching).
    Challenger one-off: 1,000 + 100 × 7 + 147 = 1,847.
    Switching: 5,000 + 10 × 100 + 1.5 × 2,000 + 4,000 + (0.5 × 100) × 0.1 × 300 = 14,500.
    Portability: 50 ported × €1 − 0.25 × 4,000 − 500 = −1,450. Welcome credit −800.
    Challenger TCO = 1,847 − 800 − 1,450 + 14,500 = 14,097; bid cost = −403.
    NPV at 10 %: month-1 items undiscounted (13,950), 70 × 1.1^-1 + 77 × 1.1^-2 = 127.2727
    → 14,077.2727. Annual: [13,950, 70, 77].
    """
    fees = {"setup": 1000, "per_line_activation": 5, "sim_card": 2}
    r = run(make_tender, _switch_tender(switching=SWITCHING), {
        "inc": bid([plan(fee=0)], fees=fees),
        "ch": bid([plan(fee=0)], fees=fees, discounts={"welcome_credit": 800},
                  portability={"fee_per_number": 1, "exit_fee_refund": 0.25, "migration_credit": 500}),
    })
    inc, ch = r["inc"], r["ch"]
    assert inc["incumbent"] and not ch["incumbent"]
    assert close(inc["tco"], 1147) and inc["switching_cost"] == 0 and inc["cost_breakdown"]["portability"] == 0
    assert close(ch["cost_breakdown"]["one_off_fees"], 1847)
    assert close(ch["switching_cost"], 14500) and close(ch["cost_breakdown"]["portability"], -1450)
    assert close(ch["cost_breakdown"]["credits"], -800)
    assert close(ch["tco"], 14097) and close(ch["bid_cost"], -403)
    assert close(ch["npv"], 14077.2727)
    assert [round(x, 2) for x in ch["annual_cost"]] == [13950, 70, 77]


def test_portability_without_switching_block_uses_defaults(make_tender):
    """No switching block: no switching cost; portability reads port_share 1 and exit fee 0:
    100 × €1 − 0 − 500 = −400 for the challenger."""
    r = run(make_tender, _switch_tender(evaluation={"price": {"weight": 100, "formula": "linear"}}), {
        "inc": bid([plan(fee=0)]),
        "ch": bid([plan(fee=0)], portability={"fee_per_number": 1, "exit_fee_refund": 1, "migration_credit": 500}),
    })
    assert r["ch"]["switching_cost"] == 0 and close(r["ch"]["cost_breakdown"]["portability"], -400)


def test_incumbent_that_did_not_bid_makes_everyone_switch(make_tender):
    """incumbent 'gone' has no bid: a warning, and both bids carry the 14,500 switching cost."""
    r = run(make_tender, _switch_tender(switching=SWITCHING, incumbent="gone"),
            {"inc": bid([plan(fee=0)]), "ch": bid([plan(fee=0)])})
    assert close(r["inc"]["switching_cost"], 14500) and close(r["ch"]["switching_cost"], 14500)
    assert any("'gone' did not bid" in w for w in r["_"]["warnings"])


def test_account_fee_indexed_and_fleet_wide_split_by_initial_lines(make_tender):
    """Account fee €100/month, indexation 5 %, 24 months: 12 × 100 + 12 × 105 = 2,460.
    Entities a (30 initial lines) and b (10): a pays 75 %, b 25 %. Line growth does not
    move the key (pro-rata to initial lines)."""
    t = tender(term_months=24, entities=[{"id": "a"}, {"id": "b"}],
               profiles=[{"id": "std", "lines": {"a": 30, "b": 10}, "line_growth": 0.5, "usage": {"voice_min": 1}}])
    r = run(make_tender, t, {"x": bid([plan(fee=0)], fees={"account_monthly": 100}, indexation_percent=5)})["x"]
    assert close(r["tco"], 2460)
    assert close(r["entity_costs"]["a"], 1845) and close(r["entity_costs"]["b"], 615)
