"""Why a bid ranks where it does.

For each bid: the points it won and lost on every criterion (price included) against the
best bid on that criterion; the margin between first and second; and a rank-reversal check
that re-ranks with each other bid left out and warns, naming that bid, when its removal
changes the winner (relative price formulas such as Pmin/P make the winner depend on bids
that cannot win themselves). Under TOPSIS there are no additive points: "lost" is the
weighted, normalised distance to the ideal on that column, × 100.
Also: the winner and ranks under every price formula and basis, so a buyer sees how much
that choice matters before publishing it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .criteria import CriteriaTable
from .errors import TenderError
from .model import Evaluation as EvaluationSpec
from .model import Tender
from .rank import BidCostFigures, Ranking, basis_value, decision_matrix, rank_bids

PRICE = "price"


@dataclass(frozen=True)
class Explanation:
    points: dict[str, dict[str, float | None]]  # bid → criterion (and "price") → points
    lost: dict[str, dict[str, float | None]]  # bid → criterion → points behind the best bid
    best: dict[str, str | None]  # criterion → the bid with the most points on it
    margin: float | None  # winner's total − runner-up's
    runner_up: str | None
    reversals: dict[str, str]  # bid left out → winner without it
    formula_comparison: list[dict]

    def warnings(self, winner: str | None) -> list[str]:
        return [
            f"rank reversal: without bid {left_out!r}, {new!r} would win instead of {winner!r}"
            for left_out, new in self.reversals.items()
        ]


def explain(
    tender: Tender,
    figures: dict[str, BidCostFigures],
    criteria: CriteriaTable,
    cost_knockouts: dict[str, tuple[str, ...]],
    ranking: Ranking,
    spec: EvaluationSpec | None = None,
) -> Explanation:
    spec = spec or tender.spec.evaluation
    ids = [b.id for b in tender.bids]
    ok = [b for b in ids if ranking.compliant[b]]
    keys = [PRICE, *(c.id for c in spec.criteria)]
    points: dict[str, dict[str, float | None]] = {}
    if spec.method == "weighted_sum":
        for b in ids:
            points[b] = {PRICE: ranking.price_score[b]}
            points[b].update({c.id: c.weight * criteria.results[b][c.id].score for c in spec.criteria})
    else:
        points = _topsis_points(figures, criteria, ok, ids, spec)
    best: dict[str, str | None] = {}
    lost: dict[str, dict[str, float | None]] = {b: {} for b in ids}
    for key in keys:
        scored = [(points[b][key], b) for b in ok if points[b][key] is not None]
        top = max(scored, key=lambda pb: (pb[0], -ok.index(pb[1])), default=None)
        best[key] = top[1] if top else None
        for b in ids:
            own = points[b][key]
            lost[b][key] = None if top is None or own is None else top[0] - own

    order = sorted((b for b in ok if ranking.rank[b]), key=lambda b: ranking.rank[b])  # type: ignore[arg-type, return-value]
    margin = runner_up = None
    if len(order) >= 2:
        runner_up = order[1]
        margin = ranking.total[order[0]] - ranking.total[order[1]]  # type: ignore[operator]

    reversals: dict[str, str] = {}
    if ranking.winner is not None:
        for b in ids:
            if b == ranking.winner:
                continue
            without = rank_bids(tender, figures, criteria, cost_knockouts, spec, exclude=frozenset({b}))
            if without.winner != ranking.winner and without.winner is not None:
                reversals[b] = without.winner
    return Explanation(points, lost, best, margin, runner_up, reversals,
                       formula_comparison(tender, figures, criteria, cost_knockouts, spec))


def _topsis_points(figures, criteria, ok, ids, spec) -> dict[str, dict[str, float | None]]:
    keys = [PRICE, *(c.id for c in spec.criteria)]
    out: dict[str, dict[str, float | None]] = {b: dict.fromkeys(keys) for b in ids}
    if not ok:
        return out
    values = {b: basis_value(figures[b], spec.price.basis) for b in ok}
    matrix, weights, benefit = decision_matrix(values, criteria, ok, spec)
    norms = np.sqrt((matrix**2).sum(axis=0))
    weighted = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0) * (weights / weights.sum())
    ideal = np.where(benefit, weighted.max(axis=0), weighted.min(axis=0))
    # "Points" = 100 × (weight share − distance to the ideal): the best bid on a column has
    # the most, so `lost` is 100 × the distance to the ideal.
    share = weights / weights.sum()
    for i, b in enumerate(ok):
        for k, key in enumerate(keys):
            out[b][key] = float(100 * (share[k] - abs(ideal[k] - weighted[i, k])))
    return out


FORMULAS = ("ratio", "linear", "bounded", "deviation")
BASES = ("tco", "bid", "npv", "tco_service")


def formula_comparison(tender, figures, criteria, cost_knockouts, spec: EvaluationSpec) -> list[dict]:
    """Winner and ranks under every price formula × basis (weighted sum only)."""
    if spec.method != "weighted_sum":
        return []
    rows = []
    for basis in BASES:
        for formula in FORMULAS:
            row: dict = {"basis": basis, "formula": formula, "winner": None, "ranks": {}, "note": None}
            if basis == "npv" and tender.spec.discount_rate is None:
                row["note"] = "no discount_rate"
            elif basis == "tco_service" and tender.spec.service_costs is None:
                row["note"] = "no service_costs block"
            elif formula == "bounded" and spec.price.bounds is None:
                row["note"] = "no bounds"
            else:
                variant = spec.model_copy(update={"price": spec.price.model_copy(update={"basis": basis,
                                                                                          "formula": formula})})
                try:
                    r = rank_bids(tender, figures, criteria, cost_knockouts, variant)
                except TenderError as exc:
                    row["note"] = exc.problems[0].message
                else:
                    row["winner"] = r.winner
                    row["ranks"] = {b: k for b, k in r.rank.items() if k is not None}
            row["chosen"] = basis == spec.price.basis and formula == spec.price.formula
            rows.append(row)
    return rows
