"""Price points, totals, ranks and flags of one evaluation.

Weighted sum: total = price points + criterion points (0..100). Price score on the chosen
basis P (``tco``, ``bid`` = TCO without switching, ``npv``, ``tco_service``), with Pmin/Pmax
over the reference pool (compliant bids, or every costed bid under ``reference: all``), by
the formula the tender names (the registry in `scoring.formulas`: ``ratio`` Pmin/P,
``linear``, ``bounded``, ``deviation``…). TOPSIS: the decision matrix of the compliant bids
(`decision_matrix`) through `scoring.formulas.topsis`, total = 100 × closeness; its
diagnostics stay on the `Ranking` for the explanations.
Ranks: `scoring.formulas.rank_positions` (total at 9 decimals, then TCO at the cent, then the
bid id). Knocked-out bids get no rank and do not set Pmin/Pmax.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .criteria import CriteriaTable
from .formulas import Topsis, check_prices, price_basis, price_scores, rank_positions, topsis
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
    # TOPSIS diagnostics, rows = the compliant bids in tender order (None under the weighted sum)
    topsis: Topsis | None = field(default=None, compare=False)


def basis_value(figures: BidCostFigures, basis: str) -> float | None:
    return getattr(figures, price_basis(basis).figure)


def criterion_values(criteria: CriteriaTable, ids: list[str], spec: EvaluationSpec) -> tuple[np.ndarray, np.ndarray]:
    """The criteria' columns of the TOPSIS decision matrix for ``ids`` (bids × criteria) and
    their benefit flags: a numeric criterion's direction comes from best/worst; yes/no is 1/0;
    an evaluator criterion its consensus (moderated, else mean). A missing numeric value
    counts as `worst`, a missing yes/no or evaluator value as 0."""
    columns = []
    for c in spec.criteria:
        col = []
        for b in ids:
            v = criteria.results[b][c.id].value
            col.append(float((c.worst if c.kind == "numeric" else 0.0) if v is None else v))
        columns.append(col)
    benefit = np.array([c.kind != "numeric" or c.higher_is_better for c in spec.criteria], dtype=bool)
    return np.array(columns, dtype=float).T.reshape(len(ids), len(spec.criteria)), benefit


def decision_matrix(
    values: dict[str, float | None], criteria: CriteriaTable, ok: list[str], spec: EvaluationSpec
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TOPSIS inputs for the compliant bids ``ok``: matrix (bids × [price, criteria…]),
    weights and benefit flags. Price is a cost column; the criteria as `criterion_values`."""
    crit, benefit = criterion_values(criteria, ok, spec)
    matrix = np.column_stack([np.array([values[b] for b in ok], dtype=float), crit])
    return matrix, stated_weights(spec), np.concatenate([[False], benefit])


def stated_weights(spec: EvaluationSpec) -> np.ndarray:
    """The weights [price, criteria…] of the evaluation block, the columns' order everywhere."""
    return np.array([spec.price.weight, *(c.weight for c in spec.criteria)], dtype=float)


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

    diagnostics = None
    if spec.method == "weighted_sum":
        pool = ok if spec.price.reference == "compliant" else [b for b in ids if values[b] is not None]
        pool = [b for b in pool if values[b] is not None]
        check_prices(spec.price, values, pool, file)  # type: ignore[arg-type]
        prices = np.array([np.nan if values[b] is None else values[b] for b in ids], dtype=float)
        scored = price_scores(spec.price, prices, np.array([b in pool for b in ids], dtype=bool))
        for i, b in enumerate(ids):
            if not compliant[b]:
                continue
            price_pts[b] = spec.price.weight * float(scored[i])
            # Points from this spec's weights (what-if reranks change them), not the tender's.
            quality_pts[b] = sum(c.weight * criteria.results[b][c.id].score for c in spec.criteria)
            total[b] = price_pts[b] + quality_pts[b]  # type: ignore[operator]
    elif ok:
        diagnostics = topsis(*decision_matrix(values, criteria, ok, spec))
        for b, t in zip(ok, diagnostics.total):
            total[b] = float(t)

    positions = rank_positions(np.array([np.nan if total[b] is None else total[b] for b in ids], dtype=float),
                               np.array([figures[b].tco or 0.0 for b in ids], dtype=float), ids,
                               np.array([compliant[b] for b in ids], dtype=bool))
    rank: dict[str, int | None] = {b: int(r) or None for b, r in zip(ids, positions)}
    winner = next((b for b in ids if rank[b] == 1), None)
    return Ranking(
        compliant=compliant,
        price_score=price_pts,
        quality_score=quality_pts,
        total=total,
        rank=rank,
        flags=_flags(tender, figures, ok, spec, exclude),
        winner=winner,
        knockouts=knockouts,
        topsis=diagnostics,
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
