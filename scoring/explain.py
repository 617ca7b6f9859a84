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

from .criteria import CriteriaTable
from .errors import TenderError
from .formulas import BASES, formula_names, price_formula
from .model import Evaluation as EvaluationSpec
from .model import Tender
from .rank import BidCostFigures, Ranking, rank_bids

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
        points = _topsis_points(ranking, ok, ids, spec)
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


def _topsis_points(ranking: Ranking, ok, ids, spec) -> dict[str, dict[str, float | None]]:
    """"Points" from the ranking's own TOPSIS diagnostics (`scoring.formulas.Topsis.points`):
    100 × (weight share − distance to the ideal), so `lost` is 100 × the distance to the ideal."""
    keys = [PRICE, *(c.id for c in spec.criteria)]
    out: dict[str, dict[str, float | None]] = {b: dict.fromkeys(keys) for b in ids}
    if not ok or ranking.topsis is None:
        return out
    points = ranking.topsis.points()
    for i, b in enumerate(ok):
        for k, key in enumerate(keys):
            out[b][key] = float(points[i, k])
    return out


def formula_comparison(tender, figures, criteria, cost_knockouts, spec: EvaluationSpec) -> list[dict]:
    """Winner and ranks under every price formula × basis (weighted sum only)."""
    if spec.method != "weighted_sum":
        return []
    rows = []
    for price_basis in BASES:
        basis = price_basis.name
        for formula in formula_names():
            row: dict = {"basis": basis, "formula": formula, "winner": None, "ranks": {}, "note": None}
            if price_basis.needs is not None and getattr(tender.spec, price_basis.needs) is None:
                row["note"] = price_basis.missing
            elif price_formula(formula).needs_bounds and spec.price.bounds is None:
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
