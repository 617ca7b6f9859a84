"""Price points, totals, ranks and flags.

Weighted sum: total = price points + criterion points (0..100). Price score on the chosen
basis P (``tco``, ``bid`` = TCO without switching, ``npv``), with Pmin/Pmax over the
reference pool (compliant bids, or every costed bid under ``reference: all``):
``ratio`` Pmin/P, ``linear`` (Pmax−P)/(Pmax−Pmin), ``bounded`` clip((worst−P)/(worst−best)),
``deviation`` max(0, 1−(P−Pmin)/Pmin). TOPSIS: vector-normalised decision matrix of the
compliant bids, weights over their sum, total = 100 × closeness.
Rank 1 = highest total compared at 9 decimals; ties go to the lower TCO at the cent, then
the bid id. Knocked-out bids get no rank and do not set Pmin/Pmax.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .criteria import CriteriaTable
from .errors import TenderError
from .model import Evaluation as EvaluationSpec
from .model import Tender


@dataclass(frozen=True)
class BidCostFigures:
    """What the ranking needs from the cost engine for one bid (None: not costed)."""

    tco: float | None
    bid_cost: float | None
    npv: float | None
    service_cost: float | None = None  # hidden cost of poor service (service_costs block)

    @property
    def tco_service(self) -> float | None:
        return None if self.tco is None or self.service_cost is None else self.tco + self.service_cost


@dataclass(frozen=True)
class Ranking:
    compliant: dict[str, bool]
    price_score: dict[str, float | None]
    quality_score: dict[str, float | None]
    total: dict[str, float | None]
    rank: dict[str, int | None]
    flags: dict[str, list[str]]
    winner: str | None
    knockouts: dict[str, list[str]]  # raised by the ranking itself (a price basis it cannot value)


def basis_value(figures: BidCostFigures, basis: str) -> float | None:
    return {"tco": figures.tco, "bid": figures.bid_cost, "npv": figures.npv, "tco_service": figures.tco_service}[basis]


def price_scores(values: dict[str, float], scored: list[str], pool: list[str], spec: EvaluationSpec,
                 file: str) -> dict[str, float]:
    """Price score 0..1 of each bid in ``scored`` against the reference ``pool``."""
    price = spec.price
    if not pool:
        return {}
    ref = np.array([values[b] for b in pool])
    p_min, p_max = float(ref.min()), float(ref.max())
    if price.formula in ("ratio", "deviation"):
        for b in pool:
            if values[b] <= 0:
                raise TenderError.at(
                    file, "evaluation.price.formula",
                    f"bid {b!r} has a {price.basis} of {values[b]:.2f} ≤ 0, which the {price.formula!r} "
                    "formula cannot score; use `linear` or `bounded`",
                )
    out = {}
    for b in scored:
        p = values[b]
        if price.formula == "ratio":
            s = p_min / p
        elif price.formula == "linear":
            s = 1.0 if p_max == p_min else (p_max - p) / (p_max - p_min)
        elif price.formula == "bounded":
            assert price.bounds is not None
            s = min(1.0, max(0.0, (price.bounds.worst - p) / (price.bounds.worst - price.bounds.best)))
        else:
            s = max(0.0, 1.0 - (p - p_min) / p_min)
        out[b] = s
    return out


def topsis_totals(matrix: np.ndarray, weights: np.ndarray, benefit: np.ndarray) -> np.ndarray:
    """TOPSIS closeness × 100 of each row (alternatives × criteria), vector normalisation."""
    norms = np.sqrt((matrix**2).sum(axis=0))
    normalised = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    weighted = normalised * (weights / weights.sum())
    ideal = np.where(benefit, weighted.max(axis=0), weighted.min(axis=0))
    anti = np.where(benefit, weighted.min(axis=0), weighted.max(axis=0))
    d_plus = np.sqrt(((weighted - ideal) ** 2).sum(axis=1))
    d_minus = np.sqrt(((weighted - anti) ** 2).sum(axis=1))
    denom = d_plus + d_minus
    return np.where(denom > 0, 100.0 * d_minus / np.where(denom > 0, denom, 1.0), 100.0)


def decision_matrix(
    values: dict[str, float | None], criteria: CriteriaTable, ok: list[str], spec: EvaluationSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TOPSIS inputs for the compliant bids ``ok``: matrix (bids × [price, criteria…]),
    weights and benefit flags. Price is a cost column; a numeric criterion's direction comes
    from best/worst; yes/no is 1/0; an evaluator criterion its consensus (moderated, else mean). A missing numeric
    value counts as `worst`, a missing yes/no or evaluator value as 0."""
    columns = [np.array([values[b] for b in ok], dtype=float)]
    benefit = [False]
    weights = [spec.price.weight]
    for c in spec.criteria:
        col = []
        for b in ok:
            v = criteria.results[b][c.id].value
            if v is None:
                v = c.worst if c.kind == "numeric" else 0.0
            col.append(float(v))
        columns.append(np.array(col))
        benefit.append(c.kind != "numeric" or c.higher_is_better)
        weights.append(c.weight)
    return np.column_stack(columns), np.array(weights, float), np.array(benefit)


def rank_bids(
    tender: Tender,
    figures: dict[str, BidCostFigures],
    criteria: CriteriaTable,
    cost_knockouts: dict[str, tuple[str, ...]],
    spec: EvaluationSpec | None = None,
    exclude: frozenset[str] = frozenset(),
) -> Ranking:
    """Rank the bids; ``spec`` overrides the tender's evaluation block (what-if weights) and
    ``exclude`` leaves bids out as if they had not bid (rank-reversal checks)."""
    spec = spec or tender.spec.evaluation
    file = f"{tender.folder}/tender.yaml"
    ids = [b.id for b in tender.bids if b.id not in exclude]
    compliant = {b: not cost_knockouts[b] and not criteria.knockouts(b) for b in ids}
    basis = spec.price.basis
    values = {b: basis_value(figures[b], basis) for b in ids}
    knockouts: dict[str, list[str]] = {b: [] for b in ids}
    for b in ids:
        if compliant[b] and values[b] is None:  # costed, but the basis needs a missing commitment
            compliant[b] = False
            knockouts[b].append(f"price basis {basis!r} cannot be valued: a service commitment is missing")
    ok = [b for b in ids if compliant[b]]
    price_pts: dict[str, float | None] = dict.fromkeys(ids)
    quality_pts: dict[str, float | None] = dict.fromkeys(ids)
    total: dict[str, float | None] = dict.fromkeys(ids)

    if spec.method == "weighted_sum":
        pool = ok if spec.price.reference == "compliant" else [b for b in ids if values[b] is not None]
        pool = [b for b in pool if values[b] is not None]
        known = {b: v for b, v in values.items() if v is not None}
        scored = price_scores(known, ok, pool, spec, file)
        for b in ok:
            price_pts[b] = spec.price.weight * scored[b]
            # Points from this spec's weights (what-if reranks change them), not the tender's.
            quality_pts[b] = sum(c.weight * criteria.results[b][c.id].score for c in spec.criteria)
            total[b] = price_pts[b] + quality_pts[b]  # type: ignore[operator]
    elif ok:
        matrix, weights, benefit = decision_matrix(values, criteria, ok, spec)
        for b, t in zip(ok, topsis_totals(matrix, weights, benefit)):
            total[b] = float(t)

    order = sorted(ok, key=lambda b: (-round(total[b], 9), round(figures[b].tco or 0.0, 2), b))  # type: ignore[arg-type]
    rank: dict[str, int | None] = dict.fromkeys(ids)
    for position, b in enumerate(order, start=1):
        rank[b] = position
    return Ranking(
        compliant=compliant,
        price_score=price_pts,
        quality_score=quality_pts,
        total=total,
        rank=rank,
        flags=_flags(tender, figures, ok, spec, exclude),
        winner=order[0] if order else None,
        knockouts=knockouts,
    )


def _flags(tender: Tender, figures: dict[str, BidCostFigures], ok: list[str], spec: EvaluationSpec,
           exclude: frozenset[str]) -> dict[str, list[str]]:
    flags: dict[str, list[str]] = {b.id: [] for b in tender.bids if b.id not in exclude}
    threshold = spec.abnormally_low
    if threshold is not None:
        for b in ok:
            others = [figures[o].bid_cost for o in ok if o != b]
            if others and figures[b].bid_cost < (1 - threshold) * (sum(others) / len(others)):  # type: ignore[operator, arg-type]
                flags[b].append("abnormally_low")
    award = tender.spec.award_date
    if award is not None:
        for bid in tender.bids:
            if bid.id in flags and bid.spec.valid_until is not None and bid.spec.valid_until < award:
                flags[bid.id].append("expired")
    return flags
