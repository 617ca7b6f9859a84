"""One bid's monthly cost under N draws at once (Monte Carlo, sensitivity).

Each draw multiplies every usage component's mean, every line count and the switching
assumptions (shares capped at 1); the plan mix stays the one the cost table chose (the
contract fixes it for the term: actual usage moves, plans do not). The contract's rules are
scoring.pricing's and scoring.switching's, here with a draw axis; unit draws give the cost
table's monthly totals (a test checks they agree).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np

from .fleet import Fleet
from .model import Bid, Switching, Tender
from .pricing import device_monthly, fund_used, once_per_line, pool_overage, terms_of, volume_discounts
from .switching import is_challenger, parts_of, portability_of
from .usage import expected_excess


@dataclass(frozen=True)
class Draws:
    """Multipliers for N draws (Monte Carlo, sensitivity): on each usage component's mean,
    on every line count, and on switching assumptions (shares capped at 1)."""

    usage: np.ndarray  # (N, C) per fleet component
    lines: np.ndarray  # (N,)
    switching: dict[str, np.ndarray]  # switching field → (N,)

    @property
    def n(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class DrawCosts:
    monthly: np.ndarray  # (N, T) total cost per month, switching included
    switching: np.ndarray  # (N,)
    usable: np.ndarray  # (N,) False where usage outgrows an allowance with no rate


def unit_draws(fleet: Fleet, n: int = 1) -> Draws:
    return Draws(usage=np.ones((n, len(fleet.components))), lines=np.ones(n), switching={})


def switching_draws(tender: Tender, draws: Draws) -> SimpleNamespace:
    """The tender's switching assumptions (or the block's defaults) × each draw's multipliers,
    field by field as (N,) arrays; shares capped at 1."""
    base = tender.spec.switching or Switching()
    value = {f: getattr(base, f) * draws.switching.get(f, np.ones(draws.n)) for f in Switching.model_fields}
    for share in ("port_share", "porting_failure_rate"):
        value[share] = np.minimum(1.0, value[share])
    return SimpleNamespace(**value)


def cost_draws(tender: Tender, fleet: Fleet, bid: Bid, assignment: dict[str, str], draws: Draws) -> DrawCosts:
    """The monthly cost of one bid under N sets of multipliers, its plan mix held fixed."""
    spec = bid.spec
    terms = terms_of(bid, fleet)
    mix = terms.assigned(fleet, assignment)
    pooled, kq = terms.pooled, terms.kq
    lam = draws.lines  # (N,)
    lines_qp = fleet.period_profile_lines  # (Q, P)
    du = draws.usage  # (N, C)

    # A usage that outgrows a finite allowance with no rate makes the plan unusable.
    unpriced = fleet.used & ~pooled[None] & ~terms.plans.has_rate[mix.choice] & np.isfinite(mix.allowance)  # (P, C)
    usable = ~((fleet.peak[None] * du[:, None, :] > mix.allowance[None]) & unpriced[None]).any(axis=(1, 2))

    usage_cost = _draw_excess(fleet, mix.allowance, mix.rate, du)  # (N, Q) a month's usage beyond allowances × rate
    discount = volume_discounts(bid, lam * fleet.lines0.sum())  # (N,)
    per = (lam * (1.0 - discount))[:, None] * ((lines_qp * mix.fee).sum(axis=1) * kq)[None]  # subscriptions
    per = per + lam[:, None] * usage_cost * kq[None]  # usage
    for c in np.flatnonzero(pooled):
        per = per + pool_overage(fleet, mix.allowance[:, c], c, terms.pool_rate[c], kq, du[:, c], lam)
    per = per + spec.fees.account_monthly * kq[None]
    devices = lam[:, None] * (lines_qp * device_monthly(fleet, bid)).sum(axis=1)[None]  # (N, Q)
    monthly = (per + devices)[:, fleet.period_of_month]  # (N, T)
    monthly -= fund_used(devices[:, fleet.period_of_month], spec.devices.fund)

    challenger = is_challenger(tender, bid)
    once = once_per_line(bid)
    lines0 = lam * fleet.lines0.sum()
    monthly[:, 0] += spec.fees.setup - spec.discounts.welcome_credit + (once * lines0 if challenger else 0.0)
    monthly[:, fleet.year_starts] += once * lam[:, None] * fleet.added_lines.sum(axis=(1, 2))[None]

    switching = np.zeros(draws.n)
    if challenger:
        assumed = switching_draws(tender, draws)
        monthly[:, 0] += portability_of(spec.portability, assumed, lines0)
        if tender.spec.switching is not None:
            switching = sum(parts_of(assumed, lines0).values())
            monthly[:, 0] += switching
    return DrawCosts(monthly=monthly, switching=switching, usable=usable)


def _draw_excess(fleet: Fleet, allowance: np.ndarray, rate: np.ndarray, du: np.ndarray) -> np.ndarray:
    """(N, Q) ``Σ_p,c`` a month's fleet usage beyond the chosen allowances ``(P, C)`` × rate,
    with usage multiplied by ``du`` (N, C). Only priced, capped components are computed."""
    pairs = np.argwhere((rate > 0) & np.isfinite(allowance) & fleet.used)  # (R, 2) profile, component
    p, c = pairs[:, 0], pairs[:, 1]
    q = fleet.period_year
    if fleet.measured is None:
        per_line = expected_excess(fleet.usage[None][:, :, p, c] * du[:, None, c], fleet.cv[p, c], fleet.dist[p, c],
                                   allowance[p, c])  # (N, Y, R)
        lines = fleet.lines.sum(axis=2)[:, p]  # (Y, R)
        return ((per_line * lines[None] * rate[p, c])[:, q]).sum(axis=2)
    G = fleet.growth[q][:, p, c][None] * du[:, None, c]  # (N, Q, R)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(G > 0, allowance[p, c] / G, np.inf)
    book, months = fleet.measured.by_profile, fleet.period_month
    above = np.empty_like(t)
    # One sorted search per (export month, profile, component) group, over every draw and
    # every period replaying that month: memory stays O(draws × periods).
    for k in np.unique(months):
        qs = np.flatnonzero(months == k)
        for r in range(len(p)):
            above[:, qs, r] = book.above_one(c[r], k, p[r], t[:, qs, r])
    return (above * G * fleet.weight[q][:, p][None] * rate[p, c]).sum(axis=2)
