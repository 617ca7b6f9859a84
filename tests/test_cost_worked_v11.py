"""Worked examples of the contract v1.1 cost terms, each computed by hand in its docstring.

Block rates, caps (with and without usage spread), per-line monthly fees, the minimum monthly
spend, non-recoverable tax and the lump-sum warning: one term at a time, on tiny tenders a
reader can redo on paper. Amounts in euros excl. VAT. With usage spread, the examples use a
gamma distribution of cv 1 — the exponential, whose sums have closed forms on paper:
``P(U > t) = e^(−t/m)``, ``E[min(U, L)] = m·(1 − e^(−L/m))``, memoryless beyond an allowance.
"""

from __future__ import annotations

import math

import numpy as np
from test_cost_worked import bid, close, plan, run, tender

from scoring import evaluate, load_tender
from scoring.draws import cost_draws, unit_draws


def data_tender(usage, lines=10, **over) -> dict:
    return tender(profiles=[{"id": "std", "lines": {"hq": lines}, "usage": {"data_gb": usage}}], **over)


def data_plan(rate, allowance=0, fee=0.0, **kw) -> dict:
    return plan(fee=fee, allowances={"data_gb": allowance}, rates={"data_gb": rate}, **kw)


def exponential(mean: float) -> dict:
    return {"mean": mean, "cv": 1.0, "dist": "gamma"}


def draws_agree(folder) -> None:
    """The Monte Carlo's unit draw gives the cost table's monthly totals (same rules, scoring.pricing)."""
    ev = evaluate(load_tender(folder))
    for b in ev.costs.bids:
        if not ev.costs.costed(b):
            continue
        d = cost_draws(ev.tender, ev.costs.fleet, ev.tender.bid(b), ev.costs.plan_assignment[b],
                       unit_draws(ev.costs.fleet))
        np.testing.assert_allclose(d.monthly[0], ev.costs.monthly()[ev.costs.index(b)], rtol=1e-12, atol=1e-9)


# --------------------------------------------------------------------------- block rates


def test_block_rate_without_spread(make_tender):
    """10 lines use 3.4 GB; 2 GB included, then €5 per started block of 0.5 GB; fee 0; 12 months.

    Beyond the allowance 1.4 GB → 1.4 / 0.5 = 2.8 → 3 blocks × €5 = €15 per line-month.
    15 × 10 lines × 12 months = 1,800 (a per-unit €10/GB would give 1.4 × 10 × 120 = 1,680).
    """
    p = data_plan({"block": 0.5, "price": 5}, allowance=2)
    folder = make_tender(data_tender(3.4), {"a": bid([p])})
    r = run(lambda *a: folder, None, None)["a"]
    assert close(r["cost_breakdown"]["usage"], 1800) and close(r["tco"], 1800)
    draws_agree(folder)


def test_block_rate_counts_a_whole_number_of_blocks_within_1e_9(make_tender):
    """2.7 GB used, 2 GB included, €1 per block of 0.1 GB: 2.7 − 2 = 0.7000000000000002 in
    float64, / 0.1 = 7.000000000000002 — within 1e-9 of 7, so 7 blocks, not 8.
    7 × €1 × 10 lines × 12 months = 840."""
    p = data_plan({"block": 0.1, "price": 1}, allowance=2)
    r = run(make_tender, data_tender(2.7), {"a": bid([p])})["a"]
    assert close(r["cost_breakdown"]["usage"], 840)


def test_block_rate_with_spread(make_tender):
    """10 lines whose data use is exponential (gamma, cv 1) of mean 2 GB; nothing included;
    €3 per started block of 1 GB.

    Expected blocks per line ``Σ_{n≥0} P(X > n) = Σ e^(−n/2) = 1 / (1 − e^(−1/2)) = 2.541494``;
    2.541494 × €3 × 10 lines × 12 months = 914.94.
    """
    p = data_plan({"block": 1, "price": 3})
    folder = make_tender(data_tender(exponential(2)), {"a": bid([p])})
    r = run(lambda *a: folder, None, None)["a"]
    assert close(r["cost_breakdown"]["usage"], 3 * 120 / (1 - math.exp(-0.5)))
    assert close(r["cost_breakdown"]["usage"], 914.94)
    draws_agree(folder)


def test_block_rate_prices_its_component_for_the_coverage_rule(make_tender):
    """A plan with 1 GB included and only a block rate for data is usable for 3 GB lines:
    4 blocks of 0.5 GB × €2 = €8 per line-month, × 10 × 12 = 960."""
    p = data_plan({"block": 0.5, "price": 2}, allowance=1)
    r = run(make_tender, data_tender(3), {"a": bid([p])})["a"]
    assert r["knockouts"] == [] and close(r["tco"], 960)


# --------------------------------------------------------------------------- caps


def test_cap_without_spread(make_tender):
    """"€1 per GB up to €20 a month": 10 lines use 30 GB, nothing included, fee €6.75.

    Usage per line-month min(20, 30 × 1) = 20 (30 without the cap); 20 × 10 × 12 = 2,400.
    Subscriptions 6.75 × 10 × 12 = 810 → TCO 3,210. A line using 15 GB pays 15: with 15 GB
    the cap does not bind (15 × 120 = 1,800).
    """
    capped = data_plan(1.0, fee=6.75, caps={"data_gb": 20})
    r = run(make_tender, data_tender(30), {"a": bid([capped])})["a"]
    assert close(r["cost_breakdown"]["usage"], 2400) and close(r["tco"], 3210)
    r = run(make_tender, data_tender(15), {"a": bid([capped])})["a"]
    assert close(r["cost_breakdown"]["usage"], 1800)


def test_cap_is_indexed_like_its_rate(make_tender):
    """Indexation 10 %, 24 months, 10 lines using 30 GB at €1/GB capped at €20.
    Year 0: min(20, 30) × 120 = 2,400; year 1: min(22, 33) × 120 = 2,640 → 5,040."""
    b = bid([data_plan(1.0, caps={"data_gb": 20})], indexation_percent=10)
    r = run(make_tender, data_tender(30, term_months=24), {"a": b})["a"]
    assert close(r["cost_breakdown"]["usage"], 5040)
    assert close(r["annual_cost"][0], 2400) and close(r["annual_cost"][1], 2640)


def test_cap_with_a_rate_of_zero_charges_nothing(make_tender):
    """A rate of 0 capped at 20: the capped charge is 0 (TCO: subscriptions only, 10 × 10 × 12)."""
    p = data_plan(0.0, fee=10, caps={"data_gb": 20})
    r = run(make_tender, data_tender(30), {"a": bid([p])})["a"]
    assert close(r["cost_breakdown"]["usage"], 0) and close(r["tco"], 1200)


def test_cap_with_spread(make_tender):
    """10 lines, exponential data use of mean 10 GB (gamma, cv 1), 5 GB included, €1/GB
    capped at €10 a month.

    Contract: ``r·(E[X] − E[max(0, X − cap/r)])`` with X the excess. Memoryless: X is 0 with
    probability 1 − e^(−1/2), else exponential of mean 10, so
    E[X] = e^(−0.5) × 10 = 6.065307 and E[max(0, X − 10)] = e^(−0.5) × 10 × e^(−1) = 2.231302:
    3.834005 per line-month × 10 lines × 12 months = 460.08 (727.84 without the cap).
    """
    capped = data_plan(1.0, allowance=5, caps={"data_gb": 10})
    folder = make_tender(data_tender(exponential(10)), {"a": bid([capped])})
    r = run(lambda *a: folder, None, None)["a"]
    assert close(r["cost_breakdown"]["usage"], 460.08)
    r = run(make_tender, data_tender(exponential(10)), {"a": bid([data_plan(1.0, allowance=5)])})["a"]
    assert close(r["cost_breakdown"]["usage"], 727.84)
    draws_agree(folder)


# --------------------------------------------------------------------------- fees


def test_per_line_monthly_fee(make_tender):
    """100 lines +10 %/year, €10 plan fee with a 20 % volume discount (tier 50 lines), €0.50 per
    line per month, indexation 2 %, 24 months.

    Line fees (not discounted): 0.5 × (100 × 12 + 110 × 1.02 × 12) = 600 + 673.20 = 1,273.20.
    Subscriptions: 10 × 0.8 × (1,200 + 1,346.40) = 20,371.20.
    """
    t = tender(term_months=24, profiles=[{"id": "std", "lines": {"hq": 100}, "line_growth": 0.1,
                                          "usage": {"voice_min": 100}}])
    b = bid(fees={"per_line_monthly": 0.5}, indexation_percent=2,
            discounts={"volume": [{"min_lines": 50, "percent": 20}]})
    r = run(make_tender, t, {"a": b})["a"]
    assert close(r["cost_breakdown"]["line_fees"], 1273.20)
    assert close(r["cost_breakdown"]["subscriptions"], 20371.20)
    assert close(r["tco"], 1273.20 + 20371.20)


def test_line_fees_follow_the_entity_of_the_line(make_tender):
    """60 lines at hq, 40 at field, €1 per line per month over 12 months: 720 and 480."""
    t = tender(entities=[{"id": "hq"}, {"id": "field"}],
               profiles=[{"id": "std", "lines": {"hq": 60, "field": 40}, "usage": {"voice_min": 100}}])
    r = run(make_tender, t, {"a": bid([plan(fee=0)], fees={"per_line_monthly": 1})})["a"]
    assert close(r["entity_costs"]["hq"], 720) and close(r["entity_costs"]["field"], 480)


def test_minimum_monthly_spend_shortfall(make_tender):
    """10 lines at €10 (+ 1 GB each at €2/GB beyond 0, + €5 account fee + €0.50 per line) =
    100 + 20 + 5 + 5 = €130 of recurring charges a month; the operator bills at least €150:
    shortfall €20 a month, × 12 = 240. Devices (€24 handset over 24 months: €1 per line-month)
    neither count nor reduce it. Split pro rata to initial lines: hq 6, field 4 → 144 and 96.
    """
    t = tender(entities=[{"id": "hq"}, {"id": "field"}],
               profiles=[{"id": "std", "lines": {"hq": 6, "field": 4}, "usage": {"data_gb": 1},
                          "device": {"tier": "basic", "refresh_months": 24}}])
    b = bid([data_plan(2.0, fee=10)], fees={"account_monthly": 5, "per_line_monthly": 0.5,
                                            "minimum_monthly_spend": 150},
            devices={"prices": {"basic": 24}})
    ev = evaluate(load_tender(make_tender(t, {"a": b})))
    r = ev.to_dict()["bids"][0]
    assert close(r["cost_breakdown"]["minimum_spend"], 240)
    assert close(r["cost_breakdown"]["devices"], 120)
    assert close(r["tco"], 130 * 12 + 240 + 120)
    share = ev.costs.cube[0][..., list(ev.costs.components).index("minimum_spend")].sum(axis=(0, 1))
    assert close(share[0], 144) and close(share[1], 96)


def test_minimum_spend_binds_in_part_of_the_term(make_tender):
    """10 lines +50 % in year 2, €10 each; minimum €120 a month, indexed 0 %. Year 1: 100 →
    shortfall 20 × 12 = 240; year 2: 150 ≥ 120 → none. Total 240."""
    t = tender(term_months=24, profiles=[{"id": "std", "lines": {"hq": 10}, "line_growth": 0.5,
                                          "usage": {"voice_min": 100}}])
    r = run(make_tender, t, {"a": bid(fees={"minimum_monthly_spend": 120})})["a"]
    assert close(r["cost_breakdown"]["minimum_spend"], 240)
    assert close(r["annual_cost"][0], 1440) and close(r["annual_cost"][1], 1800)


def test_plan_mix_minimises_before_the_shortfall(make_tender):
    """Plans at €10 and €11 both stay under a €500 minimum (10 lines): either way the bid costs
    €500 a month, but the mix is chosen on the cost before the shortfall: the €10 plan
    (shortfall 400 × 12 = 4,800)."""
    b = bid([plan("cheap", fee=10), plan("dear", fee=11)], offer={"std": ["cheap", "dear"]},
            fees={"minimum_monthly_spend": 500})
    r = run(make_tender, tender(profiles=[{"id": "std", "lines": {"hq": 10}, "usage": {"voice_min": 1}}]),
            {"a": b})["a"]
    assert r["plan_assignment"] == {"std": "cheap"}
    assert close(r["cost_breakdown"]["minimum_spend"], 4800) and close(r["tco"], 6000)


# --------------------------------------------------------------------------- tax


def test_non_recoverable_tax(make_tender):
    """20 % tax. 10 lines × €10 = €100 a month; a €500 welcome credit in month 1 and a challenger's
    switching project of €1,000 (the incumbent is another bid).

    Month 1 bid cost 100 − 500 = −400 → tax −80 (negative); months 2..12: 100 → 20 each, 220.
    Tax 140; switching untaxed. Bid cost 1,200 − 500 + 140 = 840; TCO 1,840.
    """
    t = tender(non_recoverable_tax_percent=20, incumbent="inc", switching={"project_eur": 1000},
               profiles=[{"id": "std", "lines": {"hq": 10}, "usage": {"voice_min": 1}}])
    bids = {"a": bid(discounts={"welcome_credit": 500}), "inc": bid([plan(fee=50)])}
    folder = make_tender(t, bids)
    r = run(lambda *a: folder, None, None)["a"]
    assert close(r["cost_breakdown"]["tax"], 140)
    assert close(r["bid_cost"], 840) and close(r["tco"], 1840) and close(r["switching_cost"], 1000)
    draws_agree(folder)


def test_tax_is_split_by_each_entitys_own_bid_cost(make_tender):
    """10 % tax; hq 6 lines, field 4 at €10; setup €100 split 60/40 in month 1. hq: 720 + 60 →
    tax 78; field: 480 + 40 → tax 52."""
    t = tender(non_recoverable_tax_percent=10, entities=[{"id": "hq"}, {"id": "field"}],
               profiles=[{"id": "std", "lines": {"hq": 6, "field": 4}, "usage": {"voice_min": 1}}])
    r = run(make_tender, t, {"a": bid(fees={"setup": 100})})["a"]
    assert close(r["entity_costs"]["hq"], 780 * 1.1) and close(r["entity_costs"]["field"], 520 * 1.1)
    assert close(r["cost_breakdown"]["tax"], 130)


def test_v11_keys_appear_only_where_used(make_tender):
    """A v1 tender's breakdown has no line_fees, minimum_spend or tax keys; a tender using tax
    shows it (with 0 on no bid here)."""
    r = run(make_tender, tender(), {"a": bid()})["a"]
    assert not {"line_fees", "minimum_spend", "tax"} & set(r["cost_breakdown"])
    r = run(make_tender, tender(non_recoverable_tax_percent=5), {"a": bid()})["a"]
    assert "tax" in r["cost_breakdown"] and "line_fees" not in r["cost_breakdown"]


# --------------------------------------------------------------------------- lump sums


def test_lump_sum_warning(make_tender):
    """Bid a: 10 lines × €10 = 100 a month and an account fee of €150: 150 / 250 = 60 % of its
    recurring charges are fleet-level → warned. Bid b: €100 + account fee €100: exactly half,
    not strictly above → no warning. Bid c: €100 and a €300 minimum: shortfall 200 / 300 → warned.
    No figure changes."""
    bids = {"a": bid(fees={"account_monthly": 150}), "b": bid(fees={"account_monthly": 100}),
            "c": bid(fees={"minimum_monthly_spend": 300})}
    out = run(make_tender, tender(profiles=[{"id": "std", "lines": {"hq": 10}, "usage": {"voice_min": 1}}]), bids)
    warned = [w for w in out["_"]["warnings"] if "lump sum" in w]
    assert len(warned) == 2
    assert warned[0].startswith("bid a:") and "60%" in warned[0]
    assert warned[1].startswith("bid c:") and "67%" in warned[1]
    assert close(out["a"]["tco"], 3000)


# --------------------------------------------------------------------------- measured lines


def test_blocks_and_caps_on_measured_lines_are_exact_per_line_month(tmp_path, monkeypatch):
    """tests/test_lines.py's three-line export (data GB: line 1 [2, 8], line 2 [6, 6] at entity
    a, line 3 [0, 12] at b; each contract year replays the two export months six times; year 2
    usage × 1.5: [3, 12], [9, 9], [0, 18]). 5 GB included, fee 0, no indexation.

    Block bid (€3 per started block of 2 GB; €1 per line per month): blocks per export month —
      year 1: m1 line 2: 1 GB → 1; m2 line 1: 3 → 2, line 2: 1 → 1, line 3: 7 → 4.
      year 2: m1 line 2: 4 → 2; m2 line 1: 7 → 4, line 2: 4 → 2, line 3: 13 → 7.
      line 1: (2 + 4) × 6 × 3 = 108; line 2: (1 + 1 + 2 + 2) × 18 = 108; line 3: (4 + 7) × 18 = 198;
      usage 414 (a 216, b 198); line fees 3 lines × 24 months = 72, 24 per line.
    Capped bid (€2/GB, at most €10 a month, i.e. 5 GB):
      year 1: m1 line 2 → 2; m2 line 1 → 6, line 2 → 2, line 3 → min(14, 10) = 10;
      year 2: m1 line 2 → 8; m2 line 1 → min(14, 10) = 10, line 2 → 8, line 3 → 10.
      line 1: (6 + 10) × 6 = 96; line 2: (2 + 2 + 8 + 8) × 6 = 120; line 3: (10 + 10) × 6 = 120; usage 336.
    """
    from test_lines import KEY, SMALL_EXPORT, SMALL_TENDER, write_tender

    from scoring.cost import Draws, line_costs

    monkeypatch.setattr("scoring.usage_file.pseudonym_key", lambda: KEY, raising=False)
    base = {"plans": [], "offer": {"std": "p"}}
    blocks = {**base, "plans": [{"id": "p", "monthly_fee": 0, "allowances": {"data_gb": 5, "voice_min": "unlimited"},
                                 "rates": {"data_gb": {"block": 2, "price": 3}}}],
              "fees": {"per_line_monthly": 1}}
    capped = {**base, "plans": [{"id": "p", "monthly_fee": 0, "allowances": {"data_gb": 5, "voice_min": "unlimited"},
                                 "rates": {"data_gb": 2}, "caps": {"data_gb": 10}}]}
    t = {**SMALL_TENDER, "incumbent": "blocks"}
    ev = evaluate(load_tender(write_tender(tmp_path / "t", t, {"blocks": blocks, "capped": capped}, SMALL_EXPORT)))
    out = {b["id"]: b for b in ev.to_dict()["bids"]}
    assert close(out["blocks"]["cost_breakdown"]["usage"], 414) and close(out["blocks"]["cost_breakdown"]["line_fees"], 72)
    assert close(out["blocks"]["entity_costs"]["a"], 216 + 48) and close(out["blocks"]["entity_costs"]["b"], 198 + 24)
    assert close(out["capped"]["cost_breakdown"]["usage"], 336)
    ids = ev.tender.lines.usage.line_ids
    per_line = line_costs(ev.costs, ev.tender, "blocks").set_index("line")
    assert [round(per_line.loc[i, "usage"], 6) for i in ids] == [108, 108, 198]
    assert list(per_line.loc[list(ids), "line_fees"]) == [24, 24, 24]
    assert close(per_line["total"].sum(), out["blocks"]["tco"])
    per_line = line_costs(ev.costs, ev.tender, "capped").set_index("line")
    assert [round(per_line.loc[i, "usage"], 6) for i in ids] == [96, 120, 120]
    # The Monte Carlo's draws bill the same lines the same way: unit draws give the cost table.
    fleet = ev.costs.fleet
    for b, bid_id in enumerate(ev.costs.bids):
        d = cost_draws(ev.tender, fleet, ev.tender.bid(bid_id), ev.costs.plan_assignment[bid_id], unit_draws(fleet))
        np.testing.assert_allclose(d.monthly[0], ev.costs.monthly()[b], atol=1e-9)
    # A draw doubling data: line 3's year 1 month 2 is 24 GB → min(38, 10)…: the draw equals the
    # engine run on usage_scale {data_gb: 2}.
    t2 = {**t, "usage_file": {**t["usage_file"], "usage_scale": {"data_gb": 2}}}
    ev2 = evaluate(load_tender(write_tender(tmp_path / "t2", t2, {"blocks": blocks, "capped": capped}, SMALL_EXPORT)))
    factors = np.ones((1, len(fleet.components)))
    factors[0, fleet.components.index("data_gb")] = 2
    for b, bid_id in enumerate(ev.costs.bids):
        d = cost_draws(ev.tender, fleet, ev.tender.bid(bid_id), ev.costs.plan_assignment[bid_id],
                       Draws(usage=factors, lines=np.ones(1), switching={}))
        np.testing.assert_allclose(d.monthly[0], ev2.costs.monthly()[b], atol=1e-9)


def test_per_line_view_taxes_each_lines_own_charges(tmp_path, monkeypatch):
    """The three-line export, a 10 % tax, a plan at €10 with 5 GB included and €2/GB beyond, no
    indexation: each line's `tax` column is 10 % of its own subscriptions + usage, and the lines'
    totals add up to the TCO (no fleet-wide item here). Line 3 (b): 24 × 10 + (7 × 6 + 13 × 6) × 2
    = 240 + 240 = 480 → tax 48, total 528."""
    from test_lines import KEY, SMALL_EXPORT, SMALL_TENDER, write_tender

    from scoring.cost import line_costs

    monkeypatch.setattr("scoring.usage_file.pseudonym_key", lambda: KEY, raising=False)
    b = {"plans": [{"id": "p", "monthly_fee": 10, "allowances": {"data_gb": 5, "voice_min": "unlimited"},
                    "rates": {"data_gb": 2}}], "offer": {"std": "p"}}
    t = {**SMALL_TENDER, "incumbent": "a", "non_recoverable_tax_percent": 10}
    ev = evaluate(load_tender(write_tender(tmp_path / "t", t, {"a": b}, SMALL_EXPORT)))
    table = line_costs(ev.costs, ev.tender, "a").set_index("line")
    line3 = ev.tender.lines.usage.line_ids[2]
    assert close(table.loc[line3, "tax"], 48) and close(table.loc[line3, "total"], 528)
    assert np.allclose(table["tax"], 0.1 * (table["subscriptions"] + table["usage"]))
    assert close(table["total"].sum(), ev.to_dict()["bids"][0]["tco"])
