"""Properties of the contract v1.1 terms (hypothesis), on whole tenders and on the rules of
scoring.usage: a cap never raises a cost; a block rate is never below the per-unit rate
``price / block`` applied to the same usage; tax scales the bid cost exactly."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from test_properties import SETTINGS, build, examples

from scoring.evaluate import evaluate
from scoring.usage import GAMMA, LOGNORMAL, billed_units

amount = st.floats(min_value=0, max_value=50, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0.05, max_value=20, allow_nan=False, allow_infinity=False)
cv = st.sampled_from([0.0, 0.3, 1.0, 1.8])
dist = st.sampled_from(["lognormal", "gamma"])


@st.composite
def usage(draw):
    mean = draw(amount)
    spread = draw(cv)
    return {"mean": mean, "cv": spread, "dist": draw(dist)} if spread > 0 else mean


def tender(data, tax=0.0, term=24, lines=(30.0, 10.0)) -> dict:
    return {"term_months": term, "entities": [{"id": "hq"}, {"id": "field"}],
            "profiles": [{"id": "std", "lines": {"hq": lines[0], "field": lines[1]}, "line_growth": 0.1,
                          "usage": {"data_gb": data}, "usage_growth": {"data_gb": 0.2}}],
            "non_recoverable_tax_percent": tax, "evaluation": {"price": {"weight": 100}}}


def one_bid(rate, allowance, index, caps=None, **fees) -> dict:
    plan = {"id": "p", "monthly_fee": 5.0, "allowances": {"data_gb": allowance}, "rates": {"data_gb": rate}}
    if caps:
        plan["caps"] = caps
    return {"plans": [plan], "offer": {"std": "p"}, "indexation_percent": index, "fees": fees}


def tco(t: dict, b: dict) -> float:
    return evaluate(build(t, {"a": b})).to_dict()["bids"][0]["tco"]


@settings(max_examples=examples(40), **SETTINGS)
@given(data=usage(), allowance=amount, rate=positive, cap=amount, index=st.sampled_from([0.0, 3.0, -2.0]))
def test_a_cap_never_raises_a_cost(data, allowance, rate, cap, index):
    uncapped = tco(tender(data), one_bid(rate, allowance, index))
    capped = tco(tender(data), one_bid(rate, allowance, index, caps={"data_gb": cap}))
    assert capped <= uncapped + 1e-9 * max(1.0, uncapped)


@settings(max_examples=examples(40), **SETTINGS)
@given(data=usage(), allowance=amount, block=positive, price=positive, index=st.sampled_from([0.0, 3.0]))
def test_a_block_rate_is_never_below_its_per_unit_rate(data, allowance, block, price, index):
    blocks = tco(tender(data), one_bid({"block": block, "price": price}, allowance, index))
    per_unit = tco(tender(data), one_bid(price / block, allowance, index))
    assert blocks >= per_unit - 1e-9 * max(1.0, per_unit)


@settings(max_examples=examples(40), **SETTINGS)
@given(data=usage(), tax=st.floats(min_value=0, max_value=100), credit=st.floats(min_value=0, max_value=5000),
       spend=st.sampled_from([0.0, 300.0, 3000.0]), fee=st.sampled_from([0.0, 0.5]))
def test_tax_scales_the_bid_cost_exactly(data, tax, credit, spend, fee):
    """With tax t, every month's bid cost (so the bid cost, NPV and each year) is × (1 + t/100),
    credits and negative months included; switching is not taxed."""
    b = one_bid(2.0, 1.0, 2.0, minimum_monthly_spend=spend, per_line_monthly=fee)
    b["discounts"] = {"welcome_credit": credit}
    t = tender(data)
    t["switching"], t["incumbent"], t["discount_rate"] = {"project_eur": 1000.0}, "zz", 0.03
    inc = one_bid(1.0, 10.0, 0.0)
    before = {x["id"]: x for x in evaluate(build(t, {"a": b, "zz": inc})).to_dict()["bids"]}["a"]
    after = {x["id"]: x for x in evaluate(build({**t, "non_recoverable_tax_percent": tax},
                                                 {"a": b, "zz": inc})).to_dict()["bids"]}["a"]
    k = 1 + tax / 100
    scale = 1e-9 * max(1.0, abs(before["bid_cost"]) + credit)
    assert abs(after["bid_cost"] - k * before["bid_cost"]) <= scale * k
    assert after["switching_cost"] == before["switching_cost"]
    for y, value in enumerate(before["annual_cost"]):
        switching = before["switching_cost"] if y == 0 else 0.0
        assert abs(after["annual_cost"][y] - (k * (value - switching) + switching)) <= scale * k
    assert abs(after["cost_breakdown"].get("tax", 0.0) - tax / 100 * before["bid_cost"]) <= scale * k


@settings(max_examples=examples(150), **SETTINGS)
@given(mean=amount, spread=cv, code=st.sampled_from([LOGNORMAL, GAMMA]), allowance=amount, rate=positive,
       cap=amount, block=positive)
def test_rules_per_line(mean, spread, code, allowance, rate, cap, block):
    """The rules of scoring.usage on one line: capped units ≤ the excess; blocks × block ≥ the
    excess (a block rate never below price / block per unit)."""
    c = code if spread > 0 else 0
    excess = billed_units(mean, spread, c, allowance, 0.0, np.inf)
    capped = billed_units(mean, spread, c, allowance, 0.0, cap / rate)
    blocks = billed_units(mean, spread, c, allowance, block, np.inf)
    assert capped <= excess + 1e-12 * max(1.0, excess)
    assert capped <= cap / rate + 1e-12 * max(1.0, cap / rate)
    assert blocks * block >= excess - 1e-9 * max(1.0, excess)
