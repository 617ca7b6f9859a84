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
from .pricing import (
    LINE_CHUNK_UNITS,
    device_monthly,
    discounted_fee,
    fund_used,
    line_fees,
    measured_units,
    once_per_line,
    pool_overage,
    shortfall,
    tax_on,
    terms_of,
    volume_discounts,
)
from .switching import is_challenger, parts_of, portability_of
from .usage import billed_units, expected_excess


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

    usage_cost = _draw_excess(fleet, mix, du)  # (N, Q) a month's usage beyond allowances × rate
    discount = volume_discounts(bid, lam * fleet.lines0.sum())  # (N,)
    per = discounted_fee(lam, discount)[:, None] * ((lines_qp * mix.fee).sum(axis=1) * kq)[None]  # subscriptions
    per = per + lam[:, None] * usage_cost * kq[None]  # usage
    for c in np.flatnonzero(pooled):
        per = per + pool_overage(fleet, mix.allowance[:, c], c, terms.pool_rate[c], kq, du[:, c], lam)
    per = per + spec.fees.account_monthly * kq[None]
    if spec.fees.per_line_monthly > 0:
        per = per + lam[:, None] * line_fees(bid, lines_qp.sum(axis=1), kq)[None]
    if spec.fees.minimum_monthly_spend > 0:  # per holds the month's recurring charges so far
        per = per + shortfall(bid, per, kq[None])
    devices = lam[:, None] * (lines_qp * device_monthly(fleet, bid)).sum(axis=1)[None]  # (N, Q)
    monthly = (per + devices)[:, fleet.period_of_month]  # (N, T)
    monthly -= fund_used(devices[:, fleet.period_of_month], spec.devices.fund)

    challenger = is_challenger(tender, bid)
    once = once_per_line(bid)
    lines0 = lam * fleet.lines0.sum()
    monthly[:, 0] += spec.fees.setup - spec.discounts.welcome_credit + (once * lines0 if challenger else 0.0)
    monthly[:, fleet.year_starts] += once * lam[:, None] * fleet.added_lines.sum(axis=(1, 2))[None]

    switching = np.zeros(draws.n)
    percent = tender.spec.non_recoverable_tax_percent
    if challenger:
        assumed = switching_draws(tender, draws)
        monthly[:, 0] += portability_of(spec.portability, assumed, lines0)
        if tender.spec.switching is not None:
            switching = sum(parts_of(assumed, lines0).values())
    if percent > 0:  # on the month's bid cost: switching comes after
        monthly += tax_on(percent, monthly)
    if challenger and tender.spec.switching is not None:
        monthly[:, 0] += switching
    return DrawCosts(monthly=monthly, switching=switching, usable=usable)


def _draw_excess(fleet: Fleet, mix, du: np.ndarray) -> np.ndarray:
    """(N, Q) ``Σ_p,c`` a month's fleet usage beyond the chosen allowances ``(P, C)`` × rate,
    with usage multiplied by ``du`` (N, C), in blocks or capped where the mix's plans say so
    (scoring.pricing). Only priced, capped components are computed."""
    allowance, rate = mix.allowance, mix.rate
    pairs = np.argwhere((rate > 0) & np.isfinite(allowance) & fleet.used)  # (R, 2) profile, component
    p, c = pairs[:, 0], pairs[:, 1]
    special = mix.special[p, c]  # (R,) block rates and caps
    q = fleet.period_year
    if fleet.measured is None:
        per_line = expected_excess(fleet.usage[None][:, :, p, c] * du[:, None, c], fleet.cv[p, c], fleet.dist[p, c],
                                   allowance[p, c])  # (N, Y, R)
        if special.any():
            s = np.flatnonzero(special)
            per_line[..., s] = billed_units(fleet.usage[None][:, :, p[s], c[s]] * du[:, None, c[s]], fleet.cv[p[s], c[s]],
                                            fleet.dist[p[s], c[s]], allowance[p[s], c[s]], mix.block[p[s], c[s]],
                                            mix.limit[p[s], c[s]])
        lines = fleet.lines.sum(axis=2)[:, p]  # (Y, R)
        return ((per_line * lines[None] * rate[p, c])[:, q]).sum(axis=2)
    G = fleet.growth[q][:, p, c][None] * du[:, None, c]  # (N, Q, R)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(G > 0, allowance[p, c] / G, np.inf)
    book, months = fleet.measured.by_profile, fleet.period_month
    units = np.empty_like(t)
    # One sorted search per (export month, profile, component) group, over every draw and
    # every period replaying that month: memory stays O(draws × periods).
    for k in np.unique(months):
        qs = np.flatnonzero(months == k)
        for r in range(len(p)):
            if special[r]:  # billed per line-month (ceil, min)
                units[:, qs, r] = _measured_special(book, c[r], k, p[r], G[:, qs, r], allowance[p[r], c[r]],
                                                    mix.block[p[r], c[r]], mix.limit[p[r], c[r]])
            else:
                units[:, qs, r] = book.above_one(c[r], k, p[r], t[:, qs, r]) * G[:, qs, r]
    return (units * fleet.weight[q][:, p][None] * rate[p, c]).sum(axis=2)


def _measured_special(book, c: int, k: int, g: int, growth: np.ndarray, allowance: float, block: float,
                      limit: float) -> np.ndarray:
    """``Σ`` over the lines of group ``g`` (export month ``k``) of their billed units at usage ×
    ``growth`` (any shape): block rates and caps, exact per line-month."""
    values = book.values[c, k, book.lo[g]:book.hi[g]]
    out = np.zeros(growth.shape)
    for lo in range(0, len(values), LINE_CHUNK_UNITS):
        x = values[lo:lo + LINE_CHUNK_UNITS]
        out += measured_units(x, growth[..., None], allowance, block, limit).sum(axis=-1)
    return out
