"""Stay vs switch (scenarios/switch.py) and sensitivity (scenarios/sensitivity.py), by hand."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
import yaml

from scenarios.overlay import apply, scenario_from_dict
from scenarios.sensitivity import tornado, weight_stability, with_weight
from scenarios.switch import RISK_RATES, break_even_month, stay_or_switch
from scoring.evaluate import evaluate
from scoring.load import load_tender
from scoring.rank import rank_bids

from conftest import DATA, ROOT

C1 = DATA / "c1-sample"

# --------------------------------------------------------------------------- 5. break-even month


@pytest.mark.parametrize("saving, month", [
    ([-3, -1, 0.5, 2], 3),             # negative, then ≥ 0 from month 3 on
    ([-3, 1, -0.5, 2, 3], 4),          # ahead in month 2, dips back in month 3: the later month 4
    ([-1, 0, 0], 2),                   # exactly 0 counts as "at or below the incumbent's cost"
    ([-5, -1e-9, 3], 2),               # float noise within the 1e-6 tolerance counts as 0
    ([-1, -2, 1, -0.1], None),         # behind again in the last month: never
    ([-1, -2, -3], None),              # always behind
    ([5, 5, -1], None),                # ahead, then behind at the end
    ([0, 1, 2], 1),                    # never behind: month 1
    ([7.0], 1),
])
def test_break_even_month_by_hand(saving, month):
    assert break_even_month(np.array(saving, dtype=float)) == month


# --------------------------------------------------------------------------- 6. stay vs switch by hand

# 10 lines, 12 months, one voice profile on unlimited plans.
# Incumbent `inc`: 10 × 100 = 1,000 / month. Challenger `chal`: 10 × 80 = 800 / month.
# Switching (buyer): project 600 + staff 20 × 10 = 200 + parallel 1 × 300 = 300 + exit fee 400
#   + lost numbers: ported = 0.5 × 10 = 5, 5 × 0.1 × 200 = 100           → 1,600
# Portability (operator): 5 × 10 − 0.25 × 400 − 50 = 50 − 100 − 50        →  −100
# Month-1 extra for the challenger: 1,600 − 100 = 1,500.
# Cumulative saving in month m: 1000m − (800m + 1500) = 200m − 1500:
#   m = 7 → −100, m = 8 → +100 → break-even month 8; m = 12 → 900.
SWITCHING = {"project_eur": 600, "per_line_eur": 20, "current_monthly_eur": 300, "parallel_months": 1,
             "incumbent_exit_fee_eur": 400, "port_share": 0.5, "porting_failure_rate": 0.1, "lost_number_eur": 200}


def tiny_switch_tender(make_tender):
    plan = {"id": "p", "allowances": {"voice_min": "unlimited"}}
    return make_tender(
        {"name": "tiny", "term_months": 12, "incumbent": "inc", "entities": [{"id": "hq"}],
         "profiles": [{"id": "staff", "lines": {"hq": 10}, "usage": {"voice_min": 100}}],
         "switching": SWITCHING, "evaluation": {"price": {"weight": 100}}},
        {"inc": {"plans": [{**plan, "monthly_fee": 100}], "offer": {"staff": "p"}},
         "chal": {"plans": [{**plan, "monthly_fee": 80}], "offer": {"staff": "p"},
                  "portability": {"fee_per_number": 10, "exit_fee_refund": 0.25, "migration_credit": 50}}},
    )


def test_stay_or_switch_by_hand(make_tender):
    ev = evaluate(load_tender(tiny_switch_tender(make_tender)))
    result = stay_or_switch(ev)
    assert result.incumbent == "inc" and result.note is None
    assert result.incumbent_cumulative == pytest.approx([1000.0 * m for m in range(1, 13)], abs=1e-9)
    [c] = result.challengers
    assert c.id == "chal"
    assert c.switching_cost == pytest.approx(1600.0, abs=1e-9)
    assert c.cumulative_cost == pytest.approx([800.0 * m + 1500 for m in range(1, 13)], abs=1e-9)
    assert c.cumulative_saving == pytest.approx([200.0 * m - 1500 for m in range(1, 13)], abs=1e-9)
    assert c.cumulative_saving[6] == pytest.approx(-100) and c.cumulative_saving[7] == pytest.approx(100)
    assert c.break_even_month == 8

    assert c.waterfall == pytest.approx({"project": 600.0, "staff_and_sims": 200.0, "parallel_running": 300.0,
                                         "exit_fee": 400.0, "lost_numbers": 100.0, "portability_terms": -100.0})
    assert sum(c.waterfall.values()) == pytest.approx(1500.0)  # switching + portability
    bid = {b["id"]: b for b in ev.to_dict()["bids"]}["chal"]
    assert sum(c.waterfall.values()) == pytest.approx(bid["cost_breakdown"]["switching"]
                                                      + bid["cost_breakdown"]["portability"])

    # Porting risk: tco(r) = 11,100 − 100 + 5 × r × 200 = 11,000 + 1,000 r over r = 0, 1 %, …, 20 %.
    assert [p["rate"] for p in c.porting_risk] == pytest.approx([r / 100 for r in range(21)])
    assert len(c.porting_risk) == 21 and len(RISK_RATES) == 21
    assert c.porting_risk[0]["tco"] == pytest.approx(11000.0)
    assert c.porting_risk[20]["tco"] == pytest.approx(11200.0)
    assert c.porting_risk[10]["tco"] == pytest.approx(bid["tco"]) == pytest.approx(11100.0)  # today's 10 %
    for p in c.porting_risk:
        assert p["tco"] == pytest.approx(11000.0 + 1000.0 * p["rate"], abs=1e-9)
    # the curve agrees with re-evaluating the tender at 20 %
    at20 = evaluate(apply(ev.tender, scenario_from_dict(
        {"name": "20 %", "set": {"switching": {"porting_failure_rate": 0.2}}})))
    assert at20.figures["chal"].tco == pytest.approx(c.porting_risk[20]["tco"], abs=1e-9)


def test_switch_cli_json_shape_on_the_example():
    r = subprocess.run([sys.executable, "-m", "scenarios", "switch", "tenders/conseil-2027", "--json"], cwd=ROOT,
                       capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["incumbent"] == "orbis"
    assert isinstance(data["challengers"], list)
    assert [c["id"] for c in data["challengers"]] == ["mistral", "novacom", "telvia"]
    for c in data["challengers"]:
        assert {"id", "switching_cost", "break_even_month", "cumulative_saving"} <= set(c)
        assert len(c["cumulative_saving"]) == 36
        assert isinstance(c["switching_cost"], float) and c["switching_cost"] > 0
        assert c["break_even_month"] is None or 1 <= c["break_even_month"] <= 36
        assert c["break_even_month"] == break_even_month(np.array(c["cumulative_saving"]))
    # the same figures as in-process
    ev = evaluate(load_tender(ROOT / "tenders" / "conseil-2027"))
    for c, mine in zip(data["challengers"], stay_or_switch(ev).challengers):
        assert c["cumulative_saving"] == mine.cumulative_saving and c["switching_cost"] == mine.switching_cost


# --------------------------------------------------------------------------- 7. weight stability by hand

# Two bids, 1 line, 1 month, no incumbent and no switching block: TCO = monthly fee.
# a: 800, service.quality 2 → price score 800/800 = 1,   criterion score 2/10 = 0.2
# b: 1000, service.quality 10 → price score 800/1000 = 0.8, criterion score 1
# Price 60 / quality 40: a = 60 + 8 = 68, b = 48 + 40 = 88 → b wins.
# Price weight w (quality 100 − w): a = w + 0.2(100 − w) = 20 + 0.8w, b = 0.8w + 100 − w = 100 − 0.2w,
#   equal at w = 80 (84 each): the tie goes to the lower TCO, a. b wins on [0, 80) → stable 0..80, a above.
# Quality weight v (price 100 − v): a = 100 − 0.8v, b = 80 + 0.2v, equal at v = 20 (tie → a):
#   b wins on (20, 100] → stable 20..100, a below.


def two_bid_tender(make_tender, price_weight=60, quality_weight=40):
    plan = {"id": "p", "allowances": {"voice_min": "unlimited"}}
    return load_tender(make_tender(
        {"name": "weights", "term_months": 1, "entities": [{"id": "hq"}],
         "profiles": [{"id": "staff", "lines": {"hq": 1}, "usage": {"voice_min": 1}}],
         "evaluation": {"price": {"weight": price_weight},
                        "criteria": [{"id": "quality", "weight": quality_weight, "from": "service.quality",
                                      "best": 10, "worst": 0}]}},
        {"a": {"plans": [{**plan, "monthly_fee": 800}], "offer": {"staff": "p"}, "service": {"quality": 2}},
         "b": {"plans": [{**plan, "monthly_fee": 1000}], "offer": {"staff": "p"}, "service": {"quality": 10}}},
    ))


def test_weight_stability_by_hand(make_tender):
    ev = evaluate(two_bid_tender(make_tender))
    assert ev.ranking.total == pytest.approx({"a": 68.0, "b": 88.0})
    assert ev.winner == "b"

    spec = ev.tender.spec.evaluation

    def winner(key, w):
        return rank_bids(ev.tender, ev.figures, ev.criteria, ev.costs.knockouts, with_weight(spec, key, w)).winner

    # the tie rule at the exact boundaries: equal totals, a has the lower TCO
    assert winner("price", 80.0) == "a" and winner("price", 79.999) == "b" and winner("price", 80.001) == "a"
    assert winner("quality", 20.0) == "a" and winner("quality", 20.001) == "b" and winner("quality", 19.999) == "a"

    rows = {r["weight"]: r for r in weight_stability(ev)}
    price, quality = rows["price"], rows["quality"]
    assert price["stated"] == 60 and price["winner"] == "b"
    assert price["stable_from"] == 0.0 and price["below"] is None
    assert price["stable_to"] == pytest.approx(80.0, abs=1e-6) and price["above"] == "a"
    assert winner("price", price["stable_to"]) == "b"  # the last weight at which b still wins (80 goes to a)
    assert quality["stated"] == 40 and quality["winner"] == "b"
    assert quality["stable_from"] == pytest.approx(20.0, abs=1e-6) and quality["below"] == "a"
    assert winner("quality", quality["stable_from"]) == "b"  # 20 itself goes to a
    assert quality["stable_to"] == 100.0 and quality["above"] is None


def test_shown_range_rounds_like_the_tie_rule(make_tender):
    """b wins (quality); both answer yes to "cert". With every point on cert (weight 100) the
    totals tie and the tie goes to the lower TCO, a's: b's range ends a hair below 100. Shown:
    0 to 100, a winning at 100 only, by that tie — never "to 100.00, above: a"."""
    from scenarios.stability import shown_range

    plan = {"id": "p", "allowances": {"voice_min": "unlimited"}}
    ev = evaluate(load_tender(make_tender(
        {"name": "ties", "term_months": 1, "entities": [{"id": "hq"}],
         "profiles": [{"id": "staff", "lines": {"hq": 1}, "usage": {"voice_min": 1}}],
         "evaluation": {"price": {"weight": 50},
                        "criteria": [{"id": "quality", "weight": 40, "from": "service.quality", "best": 10, "worst": 0},
                                     {"id": "cert", "weight": 10, "from": "service.cert"}]}},
        {"a": {"plans": [{**plan, "monthly_fee": 800}], "offer": {"staff": "p"}, "service": {"quality": 2, "cert": True}},
         "b": {"plans": [{**plan, "monthly_fee": 1000}], "offer": {"staff": "p"},
               "service": {"quality": 10, "cert": True}}},
    )))
    assert ev.winner == "b"
    rows = {r["weight"]: r for r in weight_stability(ev)}
    cert = rows["cert"]
    assert 99.99 < cert["stable_to"] < 100.0 and cert["above"] == "a"  # the raw result: a sliver above
    shown = shown_range(ev, cert)
    assert (shown.start, shown.end, shown.above, shown.at_end, shown.tie_end) == (0.0, 100.0, None, "a", "tco")
    price = shown_range(ev, rows["price"])  # an ordinary crossing stays "above"
    assert price.end == round(rows["price"]["stable_to"], 2) < 100 and price.above == "a" and price.at_end is None
    assert shown_range(ev, rows["price"], decimals=1).end == round(rows["price"]["stable_to"], 1)


# --------------------------------------------------------------------------- 8. tornado


def test_tornado_on_c1():
    """c1: 670 initial lines (150 + 420 + 100), azur incumbent. Drivers: 5 usage components,
    lines, line growth, usage growth, 3 bids' prices, 8 switching fields = 19 rows.
    Hand check — `switching: port_share` at ×1.2 is capped at 1 (0.85 × 1.2 = 1.02): boreal's
    TCO rises by (1 − 0.85) × 670 × 0.015 × 350 = 527.625 (boreal charges nothing per number),
    at ×0.8 (0.68) it falls by 0.17 × 670 × 5.25 = 597.975; `switching: project_eur` moves a
    challenger by ±0.2 × 18,000 = 3,600."""
    ev = evaluate(load_tender(C1))
    rows = tornado(ev)
    bids = {"azur", "boreal", "cobalt"}
    assert {r["driver"] for r in rows} == {
        "usage: voice_min", "usage: sms", "usage: data_gb", "usage: roam_eu_data_gb", "usage: roam_world_voice_min",
        "lines", "line growth", "usage growth", "prices: azur", "prices: boreal", "prices: cobalt",
        *(f"switching: {f}" for f in ("project_eur", "per_line_eur", "current_monthly_eur", "parallel_months",
                                      "incumbent_exit_fee_eur", "port_share", "porting_failure_rate",
                                      "lost_number_eur"))}
    base = {b: ev.figures[b].tco for b in bids}
    by_name = {r["driver"]: r for r in rows}
    for r in rows:
        for side, factor in (("low", 0.8), ("high", 1.2)):
            assert r[side]["factor"] == pytest.approx(factor)
            assert set(r[side]["tco"]) == bids and all(v is not None for v in r[side]["tco"].values()), r
        if r["driver"].startswith("prices: "):
            bid = r["driver"].removeprefix("prices: ")
            assert r["high"]["tco"][bid] >= base[bid] >= r["low"]["tco"][bid]
            assert r["high"]["tco"][bid] > r["low"]["tco"][bid]
        if r["driver"].startswith("switching: "):
            assert r["low"]["tco"]["azur"] == base["azur"] == r["high"]["tco"]["azur"], r["driver"]

    port = by_name["switching: port_share"]
    assert port["high"]["tco"]["boreal"] - base["boreal"] == pytest.approx(527.625, abs=1e-6)
    assert port["low"]["tco"]["boreal"] - base["boreal"] == pytest.approx(-597.975, abs=1e-6)
    project = by_name["switching: project_eur"]
    for b in ("boreal", "cobalt"):
        assert project["high"]["tco"][b] - base[b] == pytest.approx(3600.0, abs=1e-6)
        assert project["low"]["tco"][b] - base[b] == pytest.approx(-3600.0, abs=1e-6)

    # sorted by swing of the baseline winner's margin, largest first (then by name)
    def margin(totals):
        others = [t for b, t in totals.items() if b != ev.winner and t is not None]
        return totals[ev.winner] - max(others)

    base_margin = margin(ev.ranking.total)
    swings = [max(abs(r[s]["margin"] - base_margin) for s in ("low", "high")) for r in rows]
    assert all(x >= y - 1e-12 for x, y in zip(swings, swings[1:]))
    assert swings[0] > swings[-1]
    assert [r["driver"] for r in rows if r["driver"].startswith("switching: current")] == \
        ["switching: current_monthly_eur"]


# --------------------------------------------------------------------------- 9. with_weight / rerank regression


def hand_weighted(tmp_path, source, price_w, weights):
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    t = yaml.safe_load((folder / "tender.yaml").read_text(encoding="utf-8"))
    t["evaluation"]["price"]["weight"] = price_w
    for c in t["evaluation"]["criteria"]:
        c["weight"] = weights[c["id"]]
    (folder / "tender.yaml").write_text(yaml.safe_dump(t, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return evaluate(load_tender(folder))


def test_rerank_with_weight_recomputes_criterion_points(tmp_path):
    """c1, memo 20 → 40: the others × (100 − 40)/(100 − 20) = 0.75: price 41.25, support 7.5,
    sim_swap 7.5, billing_split 3.75. The rerank must rank as a tender written with those
    weights. (The old bug took criterion points from the tender's own weights: boreal's
    quality would stay 9.29 + 10 + 5 + 17 = 41.29 instead of 6.96 + 7.5 + 3.75 + 34 = 52.21.)"""
    ev = evaluate(load_tender(C1))
    spec = with_weight(ev.tender.spec.evaluation, "memo", 40)
    assert spec.price.weight == 41.25 and [c.weight for c in spec.criteria] == [7.5, 7.5, 3.75, 40]
    reranked = ev.rerank(spec)
    hand = hand_weighted(tmp_path, C1, 41.25, {"support": 7.5, "sim_swap": 7.5, "billing_split": 3.75, "memo": 40})
    assert reranked.ranking.quality_score["boreal"] == pytest.approx(52.2142857, abs=1e-6)
    for field in ("rank", "total", "price_score", "quality_score"):
        assert getattr(reranked.ranking, field) == pytest.approx(getattr(hand.ranking, field), abs=1e-9), field
    assert reranked.winner == hand.winner
    # the ranker's own recomputation gives the same as well
    direct = rank_bids(ev.tender, ev.figures, ev.criteria, ev.costs.knockouts, spec)
    assert direct.total == pytest.approx(hand.ranking.total, abs=1e-9) and direct.rank == hand.ranking.rank


def test_with_weight_can_change_the_winner_like_a_hand_edit(make_tender):
    """Two-bid tender above at price weight 90 (quality 10): a = 20 + 72 = 92, b = 100 − 18 = 82
    → a wins, under rerank and under a tender written with 90/10."""
    ev = evaluate(two_bid_tender(make_tender))
    reranked = ev.rerank(with_weight(ev.tender.spec.evaluation, "price", 90))
    assert reranked.ranking.total == pytest.approx({"a": 92.0, "b": 82.0})
    assert reranked.winner == "a"
    hand = evaluate(two_bid_tender(make_tender, 90, 10))
    assert hand.ranking.total == pytest.approx(reranked.ranking.total) and hand.ranking.rank == reranked.ranking.rank


def test_rerank_json_equals_hand_edited_tender_json(tmp_path):
    """The whole JSON of a rerank should be that of the hand-edited tender. Today ranks and
    totals agree, but `bids[].criteria[].points` still carry the tender's own weights
    (boreal memo: 17.0 instead of 40 × 0.85 = 34.0)."""
    shutil.copytree(C1, tmp_path / "base" / C1.name)
    ev = evaluate(load_tender(tmp_path / "base" / C1.name))
    spec = with_weight(ev.tender.spec.evaluation, "memo", 40)
    hand = hand_weighted(tmp_path, tmp_path / "base" / C1.name, 41.25,
                         {"support": 7.5, "sim_swap": 7.5, "billing_split": 3.75, "memo": 40})
    a, b = ev.rerank(spec).to_dict(), hand.to_dict()
    assert a["bids"] == b["bids"]
