"""The price-formula registry (scoring.formulas): a formula declared once is the one the
model accepts, the ranking scores with, Monte Carlo re-scores every draw with and the
explanations compare; a name not in the registry is a validation error, never a fallback.

The new formula is declared in a temporary module, as a deployment would add one:
"square ratio" (Pmin / P)², which punishes a price gap more than `ratio`.

Worked example (computed by hand): price weight 50, one evaluator criterion `q` weight 50,
scale 10. a: price 100, q 7 (35 points); b: price 125, q 10 (50 points). Pmin = 100.
  ratio:        a = 50 × 1 + 35 = 85,  b = 50 × 0.8 + 50 = 90   → b wins;
  square_ratio: a = 50 × 1 + 35 = 85,  b = 50 × 0.64 + 50 = 82  → a wins.
So whoever uses the new formula names a; a silent fallback to any other would name b.
"""

from __future__ import annotations

import importlib
import re
import sys

import numpy as np
import pytest
from test_report import CREATED, text_of

import scoring.formulas as formulas
from scenarios.montecarlo import draw_multipliers, monte_carlo
from scoring import TenderError, evaluate, load_tender
from scoring.model import Uncertainty

from conftest import ROOT

SQUARE = "square_ratio"
MODULE = '''
from scoring.formulas import PriceFormula, register

register(PriceFormula("square_ratio", lambda p, p_min, p_max, bounds: (p_min / p) ** 2,
                      "score = (lowest price ÷ the bid's price)², (Pmin / P)²", positive=True))
'''


@pytest.fixture
def square_ratio(tmp_path, monkeypatch):
    """The formula registered from a module of its own, removed after the test."""
    (tmp_path / "square_ratio_formula.py").write_text(MODULE)
    monkeypatch.syspath_prepend(str(tmp_path))
    importlib.import_module("square_ratio_formula")
    yield formulas.price_formula(SQUARE)
    formulas.unregister(SQUARE)
    sys.modules.pop("square_ratio_formula", None)


def _tender(make_tender, formula: str):
    tender = {
        "name": "registry example", "term_months": 1, "entities": [{"id": "hq"}],
        "profiles": [{"id": "line", "lines": {"hq": 1}, "usage": {"voice_min": 1}}],
        "evaluation": {"price": {"weight": 50, "formula": formula},
                       "criteria": [{"id": "q", "weight": 50, "from": "evaluators", "scale": 10}]},
    }
    bids = {b: {"operator": b.upper(), "plans": [{"id": "p", "monthly_fee": price,
                                                  "allowances": {"voice_min": "unlimited"}}],
                "offer": {"line": "p"}} for b, price in {"a": 100.0, "b": 125.0}.items()}
    return make_tender(tender, bids, {"panel": {"a": {"q": 7}, "b": {"q": 10}}})


def test_a_registered_formula_is_used_by_ranking_monte_carlo_and_explanations(make_tender, square_ratio):
    assert SQUARE in formulas.formula_names()
    ev = evaluate(load_tender(_tender(make_tender, SQUARE)))

    # The ranking.
    assert ev.ranking.price_score == pytest.approx({"a": 50.0, "b": 32.0})
    assert ev.ranking.total == pytest.approx({"a": 85.0, "b": 82.0})
    assert ev.winner == "a" and ev.ranking.rank == {"a": 1, "b": 2}

    # Monte Carlo: every draw re-scores price with the same formula (no uncertainty: every
    # draw is the engine's ranking; under `ratio` b would win every draw).
    mc = {b["id"]: b for b in monte_carlo(ev, 64, 1).bids}
    assert mc["a"]["rank_probabilities"] == [1.0, 0.0] and mc["b"]["rank_probabilities"] == [0.0, 1.0]
    # With drawn weights (price w_p, q w_q), a wins exactly the draws where
    # w_p × 1 + w_q × 0.7 > w_p × 0.64 + w_q × 1 — the new formula's scores, draw by draw.
    uncertainty = Uncertainty.model_validate({"weights": {"concentration": 4}})
    _, weights = draw_multipliers(ev, uncertainty, 400, 3)
    by_hand = (weights[:, 0] * 1.0 + weights[:, 1] * 0.7 > weights[:, 0] * 0.64 + weights[:, 1] * 1.0).mean()
    drawn = {b["id"]: b for b in monte_carlo(ev, 400, 3, uncertainty).bids}
    assert 0 < by_hand < 1 and drawn["a"]["rank_probabilities"][0] == pytest.approx(by_hand)

    # The explanations: points, points lost and the formula comparison, which lists it too.
    assert ev.explanation.points["b"]["price"] == pytest.approx(32.0)
    assert ev.explanation.lost["b"]["price"] == pytest.approx(18.0)
    rows = {(r["basis"], r["formula"]): r for r in ev.explanation.formula_comparison}
    assert [f for (basis, f) in rows if basis == "tco"] == ["ratio", "linear", "bounded", "deviation", SQUARE]
    assert rows[("tco", SQUARE)]["chosen"] and rows[("tco", SQUARE)]["winner"] == "a"
    assert rows[("tco", "ratio")]["winner"] == "b" and not rows[("tco", "ratio")]["chosen"]

    # Its condition (prices above 0) is the registry's, with the same message as `ratio`'s.
    assert square_ratio.positive
    with pytest.raises(TenderError) as err:
        formulas.check_prices(ev.spec.price, {"a": 0.0}, ["a"], "tender.yaml")
    assert err.value.problems[0].field == "evaluation.price.formula"
    assert "'square_ratio' formula cannot score; use `linear` or `bounded`" in err.value.problems[0].message


def test_the_pdf_states_a_registered_formula_without_text_of_its_own(make_tender, square_ratio, tmp_path):
    """The PDF's methodology gives a formula its own expression (``formula.<name>`` in
    reports/text/report.py) when it has one, else the registry's description: a formula
    registered without PDF text still gets its report, in both languages."""
    from reports import build_report

    ev = evaluate(load_tender(_tender(make_tender, SQUARE)))
    expression = "(lowest price ÷ the bid's price)², (Pmin / P)²"
    en = text_of(build_report(ev, tmp_path / "en.pdf", charts=False, created=CREATED))
    assert f"Price formula in use: {SQUARE}, score = {expression}, where P" in en
    fr = text_of(build_report(ev, tmp_path / "fr.pdf", lang="fr", charts=False, created=CREATED))
    assert f"Formule de prix retenue : {SQUARE}, note = {expression}, P étant" in fr


def test_a_formula_not_in_the_registry_is_a_validation_error(make_tender):
    assert SQUARE not in formulas.formula_names()
    with pytest.raises(TenderError) as err:
        load_tender(_tender(make_tender, SQUARE))
    [problem] = err.value.problems
    assert problem.field == "evaluation.price.formula"
    assert problem.message == "Input should be 'ratio', 'linear', 'bounded' or 'deviation' (got 'square_ratio')"


def test_the_accepted_names_follow_the_registry(make_tender, square_ratio):
    with pytest.raises(TenderError) as err:
        load_tender(_tender(make_tender, "cubic"))
    assert err.value.problems[0].message.startswith(
        "Input should be 'ratio', 'linear', 'bounded', 'deviation' or 'square_ratio'")


def test_no_silent_fallback_when_a_formula_leaves_the_registry(make_tender, square_ratio):
    """A spec made while the formula was registered, scored after it left: an error naming it,
    in the ranking and in Monte Carlo alike — not a score under another formula."""
    ev = evaluate(load_tender(_tender(make_tender, SQUARE)))
    formulas.unregister(SQUARE)
    try:
        with pytest.raises(LookupError, match="square_ratio"):
            ev.rerank(ev.spec)
        with pytest.raises(LookupError, match="square_ratio"):
            monte_carlo(ev, 8, 1)
    finally:
        formulas.register(square_ratio)


def test_register_refuses_a_second_formula_of_the_same_name():
    with pytest.raises(ValueError, match="already registered"):
        formulas.register(formulas.PriceFormula("ratio", lambda p, lo, hi, bounds: p, "again"))


def test_every_formula_and_basis_is_documented():
    """The docs' price-points table (docs/tender-format.md §6.4) has a row per registered
    formula, and the field reference lists every formula and basis."""
    text = (ROOT / "docs" / "tender-format.md").read_text(encoding="utf-8")
    for name in formulas.formula_names():
        assert re.search(rf"^\| `{name}` \|", text, re.M), name
    field_row = next(line for line in text.splitlines() if line.startswith("| `formula` |"))
    assert all(f"`{name}`" in field_row for name in formulas.formula_names())
    for basis in formulas.BASES:
        assert f"`{basis.name}`" in text and basis.description


def test_one_vectorised_formula_scores_one_draw_and_many_alike():
    """The ranking's one draw (B,) and Monte Carlo's D draws (D, B) are the same function:
    row d of the (D, B) call is the (B,) call on row d, bit for bit."""
    rng = np.random.default_rng(5)
    values = rng.uniform(50, 500, (30, 6))
    pool = rng.random((30, 6)) < 0.8
    for name in formulas.formula_names():
        spec = type("Price", (), {"formula": name, "bounds": type("B", (), {"best": 100.0, "worst": 400.0})()})
        many = formulas.price_scores(spec, values, pool)
        for d in range(len(values)):
            assert np.array_equal(many[d], formulas.price_scores(spec, values[d], pool[d]), equal_nan=True)
