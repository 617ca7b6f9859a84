"""The contract's scoring rules, each written once, over a draw axis.

The ranking (`scoring.rank`, one draw), Monte Carlo (`scenarios.montecarlo`, D draws) and the
explanations (`scoring.explain`) all call these functions; none re-writes a rule.

- **Price formulas** — a registry. Each `PriceFormula` is declared once: its name (what
  ``evaluation.price.formula`` accepts; the model validates against this registry), a
  vectorised score over prices ``P`` (…, B) with ``Pmin``/``Pmax`` of each row's reference
  pool, its conditions (prices above 0, bounds) and a one-line description. `register` adds
  one; an unknown name is a validation error naming the field, never a silent fallback.
- **Price bases** — `BASES`, what ``evaluation.price.basis`` accepts, each with the
  `BidCostFigures` attribute that values it and what it needs in the tender.
- **TOPSIS** — `topsis(matrix, weights, benefit)` over (…, alternatives, criteria): vector
  normalisation, weights over their sum, ideal and anti-ideal, distances, 100 × closeness,
  returned together (`Topsis`) so the explanations read their points off the same numbers.
- **The tie rule** — `rank_positions`: total at 9 decimals descending, then TCO at the cent
  ascending, then the bid id.

Adding a price formula: declare it here with `register` (or from any module imported before
the tender is read), add its test, and document it (docs/evaluation.md, docs/tender-format.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import TenderError

FORMULA_FIELD = "evaluation.price.formula"

# --------------------------------------------------------------------------- price formulas

# (P, Pmin, Pmax, bounds) → score 0..1, elementwise: P is (…, B), Pmin and Pmax (…, 1) over
# each row's reference pool, bounds the tender's {best, worst} or None.
ScoreFunction = Callable[[np.ndarray, np.ndarray, np.ndarray, Any], np.ndarray]


@dataclass(frozen=True)
class PriceFormula:
    name: str
    score: ScoreFunction
    description: str  # one line, as the docs and the evaluation workbook state it
    positive: bool = False  # needs every price of the reference pool above 0 (it divides by P or Pmin)
    needs_bounds: bool = False  # scores against the tender's bounds {best, worst}


_FORMULAS: dict[str, PriceFormula] = {}


def register(formula: PriceFormula) -> PriceFormula:
    """Add a price formula to the registry (in this order in the formula comparison)."""
    if formula.name in _FORMULAS:
        raise ValueError(f"price formula {formula.name!r} is already registered")
    _FORMULAS[formula.name] = formula
    return formula


def unregister(name: str) -> None:
    """Remove a price formula (tests that register their own)."""
    del _FORMULAS[name]


def formula_names() -> tuple[str, ...]:
    return tuple(_FORMULAS)


def price_formula(name: str) -> PriceFormula:
    try:
        return _FORMULAS[name]
    except KeyError:
        raise LookupError(f"unknown price formula {name!r} (registered: {', '.join(_FORMULAS)})") from None


def _bounded(p: np.ndarray, p_min: np.ndarray, p_max: np.ndarray, bounds: Any) -> np.ndarray:
    return np.clip((bounds.worst - p) / (bounds.worst - bounds.best), 0.0, 1.0)


register(PriceFormula("ratio", lambda p, p_min, p_max, bounds: p_min / p,
                      "score = lowest price ÷ the bid's price (Pmin / P)", positive=True))
register(PriceFormula("linear", lambda p, p_min, p_max, bounds: np.where(p_max == p_min, 1.0,
                                                                         (p_max - p) / (p_max - p_min)),
                      "score = (highest price − P) ÷ (highest price − lowest price); 1 when all prices are equal"))
register(PriceFormula("bounded", _bounded, "score = (worst − P) ÷ (worst − best), clipped to 0..1",
                      needs_bounds=True))
register(PriceFormula("deviation", lambda p, p_min, p_max, bounds: np.maximum(0.0, 1.0 - (p - p_min) / p_min),
                      "score = max(0, 1 − (P − Pmin) ÷ Pmin)", positive=True))


def one_of(names: Sequence[str], quote: Callable[[str], str] = repr) -> str:
    """``'a', 'b' or 'c'`` (as pydantic lists a Literal's values)."""
    quoted = [quote(n) for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def price_scores(price: Any, values: np.ndarray, pool: np.ndarray) -> np.ndarray:
    """Price score 0..1 of every price in ``values`` (…, B) under ``price.formula``, with
    Pmin/Pmax over the bids of ``pool`` (bool, same shape) in each row. NaN prices, and rows
    with an empty pool, score NaN; the caller keeps the scores of the bids it ranks."""
    formula = price_formula(price.formula)
    p_min = np.where(pool, values, np.inf).min(axis=-1, keepdims=True)
    p_max = np.where(pool, values, -np.inf).max(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return formula.score(values, p_min, p_max, price.bounds)


def check_prices(price: Any, values: dict[str, float], pool: Sequence[str], file: str) -> None:
    """Refuse a formula's condition on the reference pool's prices: a TenderError naming
    `evaluation.price.formula` and the first bid that breaks it."""
    if not price_formula(price.formula).positive:
        return
    for b in pool:
        if values[b] <= 0:
            usable = one_of([f.name for f in _FORMULAS.values() if not f.positive], lambda n: f"`{n}`")
            raise TenderError.at(
                file, FORMULA_FIELD,
                f"bid {b!r} has a {price.basis} of {values[b]:.2f} ≤ 0, which the {price.formula!r} "
                f"formula cannot score; use {usable}",
            )


# --------------------------------------------------------------------------- price bases


@dataclass(frozen=True)
class PriceBasis:
    name: str
    figure: str  # the `scoring.rank.BidCostFigures` attribute that values it for one bid
    description: str
    needs: str | None = None  # the tender.yaml field it cannot do without
    missing: str | None = None  # the formula comparison's note when the tender lacks it


BASES: tuple[PriceBasis, ...] = (
    PriceBasis("tco", "tco", "TCO: total cost of ownership over the term, the buyer's switching cost included"),
    PriceBasis("bid", "bid_cost", "bid cost: the TCO without the buyer's own switching cost"),
    PriceBasis("npv", "npv", "NPV: the monthly costs discounted at the tender's discount rate",
               needs="discount_rate", missing="no discount_rate"),
    PriceBasis("tco_service", "tco_service", "TCO plus the hidden cost of poor service",
               needs="service_costs", missing="no service_costs block"),
)


def basis_names() -> tuple[str, ...]:
    return tuple(b.name for b in BASES)


def price_basis(name: str) -> PriceBasis:
    for b in BASES:
        if b.name == name:
            return b
    raise LookupError(f"unknown price basis {name!r} (known: {', '.join(basis_names())})")


# --------------------------------------------------------------------------- TOPSIS


@dataclass(frozen=True, eq=False)
class Topsis:
    """TOPSIS and its diagnostics; leading axes (draws) are kept throughout."""

    share: np.ndarray  # (…, K) weights over their sum
    normalised: np.ndarray  # (…, A, K) each column over its Euclidean norm (0 where the norm is 0)
    weighted: np.ndarray  # (…, A, K) normalised × share
    ideal: np.ndarray  # (…, K) best weighted value per column (max if benefit, else min)
    anti_ideal: np.ndarray  # (…, K) worst
    d_plus: np.ndarray  # (…, A) distance to the ideal
    d_minus: np.ndarray  # (…, A) distance to the anti-ideal
    total: np.ndarray  # (…, A) 100 × closeness d⁻ / (d⁺ + d⁻); 100 when both are 0

    def points(self) -> np.ndarray:
        """(…, A, K) "points" per column: 100 × (weight share − distance to the ideal), so the
        best alternative on a column has the most and the points it lost are 100 × that distance."""
        return 100 * (self.share[..., None, :] - np.abs(self.ideal[..., None, :] - self.weighted))


def topsis(matrix: np.ndarray, weights: np.ndarray, benefit: np.ndarray) -> Topsis:
    """TOPSIS of ``matrix`` (…, alternatives, criteria) with ``weights`` (…, criteria) and
    ``benefit`` flags (criteria,), vector normalisation."""
    norms = np.sqrt((matrix**2).sum(axis=-2, keepdims=True))
    normalised = np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)
    share = weights / weights.sum(axis=-1, keepdims=True)
    weighted = normalised * share[..., None, :]
    ideal = np.where(benefit, weighted.max(axis=-2), weighted.min(axis=-2))
    anti = np.where(benefit, weighted.min(axis=-2), weighted.max(axis=-2))
    d_plus = np.sqrt(((weighted - ideal[..., None, :]) ** 2).sum(axis=-1))
    d_minus = np.sqrt(((weighted - anti[..., None, :]) ** 2).sum(axis=-1))
    denom = d_plus + d_minus
    total = np.where(denom > 0, 100.0 * d_minus / np.where(denom > 0, denom, 1.0), 100.0)
    return Topsis(share, normalised, weighted, ideal, anti, d_plus, d_minus, total)


# --------------------------------------------------------------------------- the tie rule

TOTAL_DECIMALS = 9  # totals are compared at 9 decimals
TCO_DECIMALS = 2  # ties go to the lower TCO at the cent, then to the bid id


def rank_positions(total: np.ndarray, tco: np.ndarray, ids: Sequence[str], eligible: np.ndarray) -> np.ndarray:
    """Ranks 1… of the bids ``ids`` along the last axis (0: not ranked) — the contract's tie
    rule: the highest total at `TOTAL_DECIMALS` first, then the lower TCO at the cent (an
    unknown TCO last), then the bid id. Only ``eligible`` bids are ranked."""
    by_id = {b: i for i, b in enumerate(sorted(ids))}
    total = np.where(eligible, total, -np.inf)
    order = np.lexsort((np.broadcast_to(np.array([by_id[b] for b in ids]), total.shape),
                        np.round(np.nan_to_num(tco, nan=np.inf), TCO_DECIMALS),
                        -np.round(total, TOTAL_DECIMALS)), axis=-1)
    rank = np.empty(total.shape, dtype=int)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(1, len(ids) + 1), total.shape), axis=-1)
    return np.where(eligible, rank, 0)


__all__ = ["BASES", "FORMULA_FIELD", "TCO_DECIMALS", "TOTAL_DECIMALS", "PriceBasis", "PriceFormula", "Topsis",
           "basis_names", "check_prices", "formula_names", "one_of", "price_basis", "price_formula", "price_scores",
           "rank_positions", "register", "topsis", "unregister"]
