"""Monte Carlo over the tender's uncertainty: rank acceptability, TCO ranges, regret.

The ``uncertainty:`` block (tender.yaml or a scenario's ``set``) gives multipliers centred on
1 — on each usage component ("*" for all), on every line count, on switching assumptions —
and optionally a Dirichlet around the stated weights. Draws are quasi-random (scrambled
Halton, ``scipy.stats.qmc``) from the seed, mapped through each law's inverse CDF, so the
same seed gives the same output byte for byte.

Each draw re-costs every bid with its plan mix held fixed (the contract fixes the
assignment for the term), re-scores price and re-ranks with the contract's rules. A draw in
which usage outgrows an allowance that has no rate knocks that bid out of that draw, so a
bid's rank probabilities add up to its probability of being compliant.
Per bid: P(rank r), P(cheapest TCO among compliant bids), TCO P5/P50/P95, and the expected
regret of choosing it: the mean, over draws where it is compliant, of its TCO minus the
lowest compliant TCO of that draw. TCO percentiles are taken over the draws in which the bid
can be costed.

Limits (docs/reliability.md §3): at most ``FLEETBID_MAX_DRAWS`` draws (1,000,000), refused
before anything is drawn; each bid's monthly costs are computed a chunk of draws at a time
(``CHUNK_BYTES`` of draws × months), so only a few numbers per draw and bid are kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats
from scipy.stats import qmc

from scoring.archive import env_limit
from scoring.cost import COMPONENTS, Draws, cost_draws
from scoring.errors import TenderError
from scoring.evaluate import Evaluation
from scoring.formulas import price_scores, rank_positions, topsis
from scoring.model import Multiplier, Uncertainty
from scoring.rank import criterion_values, stated_weights

# Draws per run (read at each call, so a test may lower it): each keeps a few numbers per bid.
MAX_DRAWS = env_limit("FLEETBID_MAX_DRAWS", 1_000_000)
# Bytes of one chunk's monthly costs (draws × months × 8): bounds memory, not input. Runs of up
# to CHUNK_BYTES / (8 × months) draws are computed in one chunk, as they always were.
CHUNK_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class _Dimension:
    target: str  # "usage:<component>", "lines", "switching:<field>", "weights"
    law: Multiplier | None


def _inverse(law: Multiplier, u: np.ndarray) -> np.ndarray:
    if law.dist == "lognormal":
        s2 = np.log1p((law.cv or 0.0) ** 2)
        return np.exp(-s2 / 2 + np.sqrt(s2) * stats.norm.ppf(u))
    low, high = float(law.low), float(law.high)  # type: ignore[arg-type]
    if law.dist == "uniform" or high == low:
        return low + (high - low) * u
    return stats.triang.ppf(u, c=(1.0 - low) / (high - low), loc=low, scale=high - low)


def draw_multipliers(ev: Evaluation, uncertainty: Uncertainty | None, n: int, seed: int):
    """(Draws, weights (N, 1 + criteria) or None) from a scrambled Halton sequence."""
    fleet = ev.costs.fleet
    spec = ev.spec  # the evaluation block in use (a what-if may have re-weighted it)
    u = uncertainty or Uncertainty()
    usage_laws = [u.usage.get(c, u.usage.get("*")) for c in fleet.components]
    dims = [(f"usage:{c}", law) for c, law in zip(fleet.components, usage_laws) if law is not None]
    if u.lines is not None:
        dims.append(("lines", u.lines))
    dims += [(f"switching:{f}", law) for f, law in sorted(u.switching.items())]
    stated = stated_weights(spec)
    n_weights = len(stated) if u.weights is not None else 0
    d = len(dims) + n_weights
    points = qmc.Halton(d=d, scramble=True, seed=seed).random(n) if d else np.zeros((n, 0))
    # Keep away from 0 and 1 exactly, where inverse CDFs are infinite.
    points = np.clip(points, 1e-12, 1 - 1e-12)
    usage = np.ones((n, len(fleet.components)))
    lines = np.ones(n)
    switching: dict[str, np.ndarray] = {}
    for col, (target, law) in enumerate(dims):
        values = _inverse(law, points[:, col])
        if target.startswith("usage:"):
            usage[:, fleet.components.index(target[6:])] = values
        elif target == "lines":
            lines = values
        else:
            switching[target[10:]] = values
    weights = None
    if u.weights is not None:
        alpha = u.weights.concentration * stated / stated.sum()
        g = np.zeros((n, len(stated)))
        for k, a in enumerate(alpha):
            g[:, k] = stats.gamma.ppf(points[:, len(dims) + k], a) if a > 0 else 0.0
        weights = 100.0 * g / g.sum(axis=1, keepdims=True)
    return Draws(usage=usage, lines=lines, switching=switching), weights


@dataclass(frozen=True)
class MonteCarlo:
    draws: int
    seed: int
    bids: list[dict]
    tco: dict[str, np.ndarray]  # per costed bid, (N,)

    def to_dict(self) -> dict:
        return {"draws": self.draws, "seed": self.seed, "bids": self.bids}


def _chunk(draws: Draws, lo: int, hi: int) -> Draws:
    return Draws(usage=draws.usage[lo:hi], lines=draws.lines[lo:hi],
                 switching={k: v[lo:hi] for k, v in draws.switching.items()})


def check_draws(n: int) -> None:
    """Refuse more draws than `MAX_DRAWS` (a TenderError naming ``--draws``)."""
    if n > MAX_DRAWS:
        raise TenderError.at("--draws", str(n), f"more than the {MAX_DRAWS:,} draws allowed (environment variable "
                             "FLEETBID_MAX_DRAWS)")


def monte_carlo(ev: Evaluation, n: int, seed: int, uncertainty: Uncertainty | None = None) -> MonteCarlo:
    check_draws(n)
    tender, costs = ev.tender, ev.costs
    spec = ev.spec  # the evaluation block in use (a what-if may have re-weighted it)
    uncertainty = uncertainty if uncertainty is not None else tender.spec.uncertainty
    draws, weights = draw_multipliers(ev, uncertainty, n, seed)
    ids = list(costs.bids)
    B = len(ids)
    tco = np.full((n, B), np.nan)
    basis = np.full((n, B), np.nan)
    ok = np.zeros((n, B), dtype=bool)
    usable = np.zeros((n, B), dtype=bool)  # costable in that draw (knock-outs on criteria aside)
    factors = costs.discount_factors()
    step = max(1, CHUNK_BYTES // (8 * costs.fleet.term_months))
    for b, bid in enumerate(tender.bids):
        if not costs.costed(bid.id):
            continue
        for lo in range(0, n, step):
            part = slice(lo, lo + step)
            chunk = _chunk(draws, lo, lo + step)
            result = cost_draws(tender, costs.fleet, bid, costs.plan_assignment[bid.id], chunk)  # type: ignore[arg-type]
            tco[part, b] = result.monthly.sum(axis=1)
            basis[part, b] = _basis(spec.price.basis, tco[part, b], result, factors, ev.figures[bid.id].service_cost,
                                    chunk.lines)
            usable[part, b] = result.usable
            ok[part, b] = result.usable & ev.ranking.compliant[bid.id]
    # Criterion scores do not move with these drivers; only weights may.
    crit = np.array([[ev.criteria.results[i][c.id].score for c in spec.criteria] for i in ids]).reshape(B, -1)
    stated = stated_weights(spec)
    w = weights if weights is not None else np.broadcast_to(stated, (n, len(stated)))
    if spec.method == "weighted_sum":
        # `reference: all` lets costed bids set Pmin/Pmax, but not a bid this draw cannot cost.
        pool = ok if spec.price.reference == "compliant" else ~np.isnan(basis) & usable
        scores = np.where(ok, price_scores(spec.price, basis, pool), np.nan)
        total = w[:, :1] * scores + (w[:, None, 1:] * crit[None]).sum(axis=2)
    else:
        total = _topsis_draws(ev, basis, ok, w)
    rank = rank_positions(total, tco, ids, ok)  # the contract's tie rule, draw by draw; 0: not compliant
    cheapest_tco = np.where(ok, tco, np.inf).min(axis=1)
    cheapest = np.where(ok, tco, np.inf).argmin(axis=1)
    bids = []
    for b, bid_id in enumerate(ids):
        # Percentiles over the draws in which the bid can be costed: in the others its usage
        # outgrows an allowance that has no price, and a cost there would be a silent zero.
        served = tco[usable[:, b], b]
        costed = len(served) > 0
        regret = (tco[:, b] - cheapest_tco)[ok[:, b]]
        bids.append({
            "id": bid_id,
            "p_compliant": float(ok[:, b].mean()),
            "rank_probabilities": [float((rank[:, b] == r).mean()) for r in range(1, B + 1)],
            "p_cheapest": float(((cheapest == b) & ok[:, b]).mean()),
            "tco_p5": float(np.percentile(served, 5)) if costed else None,
            "tco_p50": float(np.percentile(served, 50)) if costed else None,
            "tco_p95": float(np.percentile(served, 95)) if costed else None,
            "expected_regret": float(regret.mean()) if len(regret) else None,
        })
    return MonteCarlo(n, seed, bids, {i: tco[:, b] for b, i in enumerate(ids) if costs.costed(i)})


def _basis(basis: str, tco: np.ndarray, result, factors, service: float | None, lines: np.ndarray) -> np.ndarray:
    """The price basis per draw for one bid (each basis of `scoring.formulas.BASES`)."""
    if basis == "tco":
        return tco
    if basis == "bid":
        return tco - result.switching
    if basis == "npv":
        return result.monthly @ factors
    if basis == "tco_service":
        # The hidden service cost is per line: it moves with the line count.
        return tco + (np.nan if service is None else service) * lines
    raise LookupError(f"no per-draw value for the price basis {basis!r}")


def _topsis_draws(ev: Evaluation, basis: np.ndarray, ok: np.ndarray, w: np.ndarray) -> np.ndarray:
    """TOPSIS closeness × 100 per draw over the bids compliant in that draw."""
    ids = list(ev.costs.bids)
    crit, benefit = criterion_values(ev.criteria, ids, ev.spec)  # the evaluation block in use
    benefit = np.concatenate([[False], benefit])
    n, B = basis.shape
    total = np.full((n, B), np.nan)
    # Draws share their compliant set in most cases: group them, one TOPSIS per group.
    patterns, inverse = np.unique(ok, axis=0, return_inverse=True)
    for k, pattern in enumerate(patterns):
        rows = np.flatnonzero(inverse.ravel() == k)
        members = np.flatnonzero(pattern)
        if len(members) == 0:
            continue
        # A chunk of draws at a time: TOPSIS keeps a few (draws × bids × columns) arrays.
        step = max(1, CHUNK_BYTES // (8 * 8 * len(members) * len(benefit)))
        for lo in range(0, len(rows), step):
            part = rows[lo:lo + step]
            prices = basis[np.ix_(part, members)][..., None]
            matrix = np.concatenate([prices, np.broadcast_to(crit[members], (len(part), *crit[members].shape))], axis=-1)
            total[np.ix_(part, members)] = topsis(matrix, w[part], benefit).total
    return total


__all__ = ["COMPONENTS", "MAX_DRAWS", "MonteCarlo", "check_draws", "draw_multipliers", "monte_carlo"]
