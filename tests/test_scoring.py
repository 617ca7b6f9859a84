"""Scoring and ranking: published worked examples, hand-computed cases and properties.

Sources named in each test. Price points and totals are on the contract's 0..100 scale.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import evaluate, load_tender
from scoring.formulas import topsis
from scoring.rank import BidCostFigures, rank_bids

from conftest import DATA


def test_topsis_tzeng_huang_2011():
    """Tzeng, G.-H. & Huang, J.-J. (2011), *Multiple Attribute Decision Making: Methods and
    Applications*, CRC Press — the TOPSIS example also used by scikit-criteria's tests:
    4 alternatives × 3 benefit criteria, weights 0.3/0.4/0.3, vector normalisation.
    Printed closeness: 0.5037, 0.6581, 0.7482, 0.3340 (ranks 3, 2, 1, 4)."""
    matrix = np.array([[5, 8, 4], [7, 6, 8], [8, 8, 6], [7, 4, 6]], dtype=float)
    closeness = topsis(matrix, np.array([0.3, 0.4, 0.3]), np.array([True, True, True])).total / 100
    assert closeness == pytest.approx([0.5037, 0.6581, 0.7482, 0.3340], abs=5e-5)


def _one_line_tender(prices: dict[str, float], memo: dict[str, dict[str, float]], criteria: list[dict],
                     price_weight: float, **evaluation) -> tuple[dict, dict]:
    """A tender whose TCO per bid is exactly its price: 1 line, 1 month, fee = price."""
    tender = {
        "name": "scoring example", "term_months": 1, "entities": [{"id": "hq"}],
        "profiles": [{"id": "line", "lines": {"hq": 1}, "usage": {"voice_min": 1}}],
        "evaluation": {"price": {"weight": price_weight, **evaluation.pop("price", {})}, "criteria": criteria,
                       **evaluation},
    }
    bids = {b: {"operator": b.upper(), "plans": [{"id": "p", "monthly_fee": price,
                                                  "allowances": {"voice_min": "unlimited"}}],
                "offer": {"line": "p"}, "service": memo.get(b, {})} for b, price in prices.items()}
    return tender, bids


NEGOMETRIX_CRITERIA = [
    {"id": "experience", "weight": 30, "from": "evaluators", "scale": 60},
    {"id": "quality_assurance", "weight": 20, "from": "evaluators", "scale": 40},
    {"id": "time_to_completion", "weight": 15, "from": "evaluators", "scale": 30},
]


def test_lowest_price_over_price_negometrix_example(make_tender):
    """Negometrix support, "Low bid scoring formula" (relative to lowest bid score):
    200 points = experience 60, quality assurance 40, time to completion 30, price 70.
    Bidder A scores 40, 30, 20 and bids $10,000; bidder B 32, 20, 22 and $8,000.
    Printed: A price 8,000/10,000 × 70 = 56, total 146 (73 %); B price 70, total 144 (72 %);
    A wins. On the contract's 0..100 scale the weights are 30/20/15/35: A 28 + 45 = 73,
    B 35 + 37 = 72. Evaluator scores on each criterion's own scale reproduce the points."""
    tender, bids = _one_line_tender({"a": 10_000, "b": 8_000}, {}, NEGOMETRIX_CRITERIA, 35)
    scores = {"panel": {"a": {"experience": 40, "quality_assurance": 30, "time_to_completion": 20},
                        "b": {"experience": 32, "quality_assurance": 20, "time_to_completion": 22}}}
    out = evaluate(load_tender(make_tender(tender, bids, scores))).to_dict()
    a, b = out["bids"]
    assert a["price_score"] == pytest.approx(28) and b["price_score"] == pytest.approx(35)
    assert a["total_score"] == pytest.approx(73) and b["total_score"] == pytest.approx(72)
    assert out["winner"] == "a" and out["margin"] == pytest.approx(1)
    assert a["points_lost"]["price"] == pytest.approx(7) and b["points_lost"]["experience"] == pytest.approx(4)


def test_rank_reversal_cheap_poor_bid_changes_the_winner(make_tender):
    """The ranking paradox of relative price scoring (Stilger, Siderius & van Raaij, 2017,
    "A comparative study of formulas for choosing the economically most advantageous
    tender", J. Public Procurement 17(1)), on the Negometrix weights, computed by hand:
    A: quality 43 (of 65), $10,000; B: quality 37, $8,000.
      A and B only: A = 43 + 35 × 0.8 = 71, B = 37 + 35 = 72 → B wins.
    Add C: quality 0, $4,000 (cheap and poor): Pmin = 4,000,
      A = 43 + 35 × 0.4 = 57, B = 37 + 35 × 0.5 = 54.5, C = 35 → A wins.
    With C present the rank-reversal check warns: without C, B would win."""
    scores = {"panel": {"a": {"experience": 40, "quality_assurance": 30, "time_to_completion": 16},
                        "b": {"experience": 32, "quality_assurance": 20, "time_to_completion": 22},
                        "c": {"experience": 0, "quality_assurance": 0, "time_to_completion": 0}}}
    two, bids2 = _one_line_tender({"a": 10_000, "b": 8_000}, {}, NEGOMETRIX_CRITERIA, 35)
    scores2 = {"panel": {k: v for k, v in scores["panel"].items() if k != "c"}}
    before = evaluate(load_tender(make_tender(two, bids2, scores2))).to_dict()
    assert before["winner"] == "b"
    assert [x["total_score"] for x in before["bids"]] == pytest.approx([71, 72])
    three, bids3 = _one_line_tender({"a": 10_000, "b": 8_000, "c": 4_000}, {}, NEGOMETRIX_CRITERIA, 35)
    after = evaluate(load_tender(make_tender(three, bids3, scores))).to_dict()
    assert after["winner"] == "a"
    assert [x["total_score"] for x in after["bids"]] == pytest.approx([57, 54.5, 35])
    assert "rank reversal: without bid 'c', 'b' would win instead of 'a'" in after["warnings"]


PRICES = {"a": 100.0, "b": 125.0, "c": 200.0}


@pytest.mark.parametrize(("formula", "extra", "expected"), [
    ("ratio", {}, {"a": 1.0, "b": 0.8, "c": 0.5}),
    ("linear", {}, {"a": 1.0, "b": 0.75, "c": 0.0}),
    ("bounded", {"bounds": {"best": 110, "worst": 210}}, {"a": 1.0, "b": 0.85, "c": 0.1}),
    ("deviation", {}, {"a": 1.0, "b": 0.75, "c": 0.0}),
])
def test_price_formulas_by_hand(make_tender, formula, extra, expected):
    """Prices 100, 125, 200 (Pmin 100, Pmax 200), price weight 100:
    ratio 100/P → 1, 0.8, 0.5; linear (200−P)/100 → 1, 0.75, 0;
    bounded best 110, worst 210: (210−P)/100 clipped → 1 (1.1 clipped), 0.85, 0.1;
    deviation max(0, 1−(P−100)/100) → 1, 0.75, 0."""
    tender, bids = _one_line_tender(PRICES, {}, [], 100, price={"formula": formula, **extra})
    out = evaluate(load_tender(make_tender(tender, bids))).to_dict()
    for b in out["bids"]:
        assert b["price_score"] == pytest.approx(100 * expected[b["id"]])


def test_reference_all_lets_a_knocked_out_bid_set_pmin(make_tender):
    """c (price 50) fails a required yes/no. With `reference: compliant` Pmin = 100 (a gets
    full points); with `reference: all` Pmin = 50: a = 50 × 50/100 = 25, b = 50 × 50/125 = 20."""
    crit = [{"id": "split", "weight": 50, "from": "service.split", "required": True}]
    memo = {"a": {"split": True}, "b": {"split": True}, "c": {"split": False}}
    prices = {"a": 100.0, "b": 125.0, "c": 50.0}
    for reference, expected in (("compliant", {"a": 50, "b": 40}), ("all", {"a": 25, "b": 20})):
        tender, bids = _one_line_tender(prices, memo, crit, 50, price={"reference": reference})
        out = {b["id"]: b for b in evaluate(load_tender(make_tender(tender, bids))).to_dict()["bids"]}
        assert out["c"]["compliant"] is False and out["c"]["rank"] is None and out["c"]["total_score"] is None
        assert out["c"]["criteria"]["split"] == {"value": False, "score": 0.0, "points": 0.0}
        for b, points in expected.items():
            assert out[b]["price_score"] == pytest.approx(points)


def test_ties_go_to_lower_tco_then_bid_id(make_tender):
    """a: price 100, support 1 min (best) → 50 + 50 = 100; b: price 100... all equal totals
    are broken by TCO at the cent, then by id. Here a/b/c have equal totals (price weight
    100 under `linear` with equal prices → everyone 100): equal TCO → id order a, b, c."""
    tender, bids = _one_line_tender({"c": 100.0, "a": 100.0, "b": 100.0}, {}, [], 100, price={"formula": "linear"})
    out = {b["id"]: b["rank"] for b in evaluate(load_tender(make_tender(tender, bids))).to_dict()["bids"]}
    assert out == {"a": 1, "b": 2, "c": 3}
    # Equal totals but different TCO: bounded with both prices under `best` score 1 each.
    tender, bids = _one_line_tender({"a": 90.0, "b": 80.0}, {}, [], 100,
                                    price={"formula": "bounded", "bounds": {"best": 100, "worst": 200}})
    out = {b["id"]: b["rank"] for b in evaluate(load_tender(make_tender(tender, bids))).to_dict()["bids"]}
    assert out == {"b": 1, "a": 2}


def test_knockouts_and_missing_values(make_tender):
    """support: lower is better, best 1, worst 15, limit 10. a answers in 8 min →
    score (8−15)/(1−15) = 0.5, 20 × 0.5 = 10 points. b answers in 12 > 10 → knocked out.
    c gives no value: with a limit that is a knock-out. d has no `sim` value: `sim` has no
    limit or requirement, so it scores 0 with a warning."""
    crit = [{"id": "support", "weight": 20, "from": "service.support", "better": "lower", "best": 1,
             "worst": 15, "limit": 10},
            {"id": "sim", "weight": 10, "from": "service.sim", "best": 1, "worst": 5}]
    memo = {"a": {"support": 8, "sim": 5}, "b": {"support": 12, "sim": 1}, "c": {"sim": 1}, "d": {"support": 1}}
    tender, bids = _one_line_tender({"a": 100.0, "b": 100.0, "c": 100.0, "d": 100.0}, memo, crit, 70)
    out = evaluate(load_tender(make_tender(tender, bids))).to_dict()
    r = {b["id"]: b for b in out["bids"]}
    assert r["a"]["criteria"]["support"] == pytest.approx({"value": 8.0, "score": 0.5, "points": 10.0})
    assert r["b"]["knockouts"] == ["support: 12 is worse than the limit 10"]
    assert r["c"]["compliant"] is False and "no value" in r["c"]["knockouts"][0]
    assert r["d"]["compliant"] and r["d"]["criteria"]["sim"] == {"value": None, "score": 0.0, "points": 0.0}
    assert any("bid d: no value for criterion 'sim'" in w for w in out["warnings"])


def test_abnormally_low_flag(make_tender):
    """threshold 0.2: a bid is flagged when its bid cost < 0.8 × the mean of the others'.
    a = 70: others' mean (100 + 100)/2 = 100 → 70 < 80 → flagged. b = 100: others' mean
    (70 + 100)/2 = 85 → 100 ≥ 68 → not flagged."""
    tender, bids = _one_line_tender({"a": 70.0, "b": 100.0, "c": 100.0}, {}, [], 100, abnormally_low=0.2)
    out = {b["id"]: b["flags"] for b in evaluate(load_tender(make_tender(tender, bids))).to_dict()["bids"]}
    assert out == {"a": ["abnormally_low"], "b": [], "c": []}


def test_topsis_tender_has_no_price_or_quality_points(make_tender):
    """Under TOPSIS the totals are 100 × closeness; price_score and quality_score are null.
    Two bids, price (cost) 100 vs 200, weight 100: the cheaper is the ideal → 100, the
    other the anti-ideal → 0."""
    tender, bids = _one_line_tender({"a": 100.0, "b": 200.0}, {}, [], 100, method="topsis")
    out = {b["id"]: b for b in evaluate(load_tender(make_tender(tender, bids))).to_dict()["bids"]}
    assert out["a"]["total_score"] == pytest.approx(100) and out["b"]["total_score"] == pytest.approx(0)
    assert out["a"]["price_score"] is None and out["a"]["quality_score"] is None


def test_formula_comparison_lists_every_formula_and_basis():
    ev = evaluate(load_tender(DATA / "c1-sample")).to_dict()
    rows = ev["formula_comparison"]
    assert {(r["basis"], r["formula"]) for r in rows} == {(b, f) for b in ("tco", "bid", "npv", "tco_service")
                                                          for f in ("ratio", "linear", "bounded", "deviation")}
    assert all(r["note"] == "no service_costs block" for r in rows if r["basis"] == "tco_service")
    chosen = [r for r in rows if r["chosen"]]
    assert len(chosen) == 1 and chosen[0]["winner"] == ev["winner"]
    assert all(r["note"] == "no bounds" for r in rows if r["formula"] == "bounded" and r["basis"] != "tco_service")


# ----------------------------------------------------------------------------- properties

SAMPLE = evaluate(load_tender(DATA / "c1-sample"))


@settings(max_examples=60, deadline=None)
@given(st.floats(0.01, 100.0))
def test_scaling_every_price_keeps_ratio_ranks(factor):
    ev = SAMPLE
    scaled = {b: BidCostFigures(*(None if x is None else x * factor for x in (f.tco, f.bid_cost, f.npv)))
              for b, f in ev.figures.items()}
    again = rank_bids(ev.tender, scaled, ev.criteria, ev.costs.knockouts)
    assert again.rank == ev.ranking.rank


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["azur", "boreal", "cobalt"]), st.sampled_from(["support_answer_minutes", "sim_replacement_days"]),
       st.floats(0.0, 20.0))
def test_a_better_commitment_never_lowers_a_total(tmp_path_factory, bid_id, field, improved):
    """Lower is better for both commitments: replacing a value by a smaller one never lowers
    that bid's total."""
    folder = tmp_path_factory.mktemp("c1")
    shutil.copytree(DATA / "c1-sample", folder, dirs_exist_ok=True)
    path = folder / "bids" / f"{bid_id}.yaml"
    data = yaml.safe_load(path.read_text())
    if improved > data["service"][field]:
        return
    data["service"][field] = improved
    path.write_text(yaml.safe_dump(data))
    before = {b["id"]: b["total_score"] for b in SAMPLE.to_dict()["bids"]}[bid_id]
    after = {b["id"]: b["total_score"] for b in evaluate(load_tender(folder)).to_dict()["bids"]}[bid_id]
    assert after >= before - 1e-9


def test_removing_a_knocked_out_bid_changes_nobody(make_tender):
    """d fails the required yes/no; leaving it out changes no one's score or rank."""
    crit = [{"id": "split", "weight": 30, "from": "service.split", "required": True}]
    memo = {b: {"split": b != "d"} for b in "abcd"}
    tender, bids = _one_line_tender({"a": 100.0, "b": 120.0, "c": 150.0, "d": 60.0}, memo, crit, 70)
    ev = evaluate(load_tender(make_tender(tender, bids)))
    without = rank_bids(ev.tender, ev.figures, ev.criteria, ev.costs.knockouts, exclude=frozenset({"d"}))
    for b in "abc":
        assert without.total[b] == ev.ranking.total[b] and without.rank[b] == ev.ranking.rank[b]


# ----------------------------------------------------------------------------- evaluators

def _c1_copy(tmp_path, evaluations=None, consensus=None):
    folder = tmp_path / "c1"
    shutil.copytree(DATA / "c1-sample", folder)
    if evaluations is not None:
        (folder / "evaluations.yaml").write_text(yaml.safe_dump(evaluations))
    if consensus is not None:
        (folder / "consensus.yaml").write_text(yaml.safe_dump(consensus, allow_unicode=True))
    return folder


SCORES = {"claire": {"azur": {"memo": 3}, "boreal": {"memo": 4}, "cobalt": {"memo": 1}},
          "marc": {"azur": {"memo": 5}, "boreal": {"memo": 4.5}, "cobalt": {"memo": 3.5}}}


def test_discrepancy_is_a_spread_over_40_percent_of_the_scale(tmp_path):
    """Scale 5 → threshold 2. azur 3 vs 5: spread 2, not over → no flag (the boundary).
    cobalt 1 vs 3.5: spread 2.5 > 2 → flagged, with a warning naming both evaluators.
    The raw scores and their mean (2.25) are kept beside the consensus."""
    out = evaluate(load_tender(_c1_copy(tmp_path, SCORES))).to_dict()
    memo = {b["id"]: b["criteria"]["memo"] for b in out["bids"]}
    assert memo["azur"]["discrepancy"] is False
    assert memo["cobalt"]["discrepancy"] is True
    assert memo["cobalt"]["evaluator_scores"] == {"claire": 1, "marc": 3.5}
    assert memo["cobalt"]["mean"] == pytest.approx(2.25) and memo["cobalt"]["value"] == pytest.approx(2.25)
    warning = [w for w in out["warnings"] if "evaluators disagree" in w]
    assert len(warning) == 1 and "cobalt" in warning[0] and "claire 1" in warning[0] and "marc 3.5" in warning[0]


def test_moderated_consensus_replaces_the_mean_and_keeps_the_raw_scores(tmp_path):
    """consensus.yaml sets cobalt's memo to 3 with a reason: value 3, score 3/5 = 0.6,
    points 20 × 0.6 = 12 (the mean 2.25 would give 9). Raw scores stay; no warning."""
    reason = "Panel 12/01: claire had missed the annex on eSIM logistics"
    folder = _c1_copy(tmp_path, SCORES, {"cobalt": {"memo": {"score": 3, "reason": reason}}})
    out = evaluate(load_tender(folder)).to_dict()
    memo = {b["id"]: b["criteria"]["memo"] for b in out["bids"]}["cobalt"]
    assert memo["value"] == 3 and memo["score"] == pytest.approx(0.6) and memo["points"] == pytest.approx(12)
    assert memo["moderated"] == {"score": 3, "reason": reason}
    assert memo["evaluator_scores"] == {"claire": 1, "marc": 3.5} and memo["mean"] == pytest.approx(2.25)
    assert memo["discrepancy"] is True
    assert not [w for w in out["warnings"] if "evaluators disagree" in w]


@pytest.mark.parametrize(("consensus", "field", "words"), [
    ({"cobalt": {"memo": {"score": 3}}}, "cobalt.memo.reason", "required"),
    ({"cobalt": {"memo": {"score": 3, "reason": "  "}}}, "cobalt.memo.reason", "written reason"),
    ({"cobalt": {"memo": {"score": 6, "reason": "x"}}}, "cobalt.memo.score", "outside 0..5"),
    ({"nobody": {"memo": {"score": 3, "reason": "x"}}}, "nobody", "unknown bid"),
    ({"cobalt": {"support": {"score": 3, "reason": "x"}}}, "cobalt.support", "not a criterion scored by evaluators"),
], ids=["no-reason", "blank-reason", "score-over-scale", "unknown-bid", "not-evaluator-criterion"])
def test_bad_consensus_file(tmp_path, consensus, field, words):
    from scoring import TenderError
    with pytest.raises(TenderError) as err:
        load_tender(_c1_copy(tmp_path, consensus=consensus))
    problem = err.value.problems[0]
    assert problem.file.endswith("consensus.yaml") and problem.field == field and words in problem.message
