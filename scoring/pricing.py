"""A bid's prices as arrays over the fleet, and the contract's cost rules written once.

Three views price bids with these rules: the cost table (scoring.cost: every euro in a
``month × profile × entity × component`` cell, one draw of the fleet), the Monte Carlo and
sensitivity draws (scoring.draws: N draws of usage, line and switching multipliers, monthly
totals) and the per-line view (scoring.per_line: each measured line's share). Each builds a
bid's `Terms` (plans, pool, indexation) once, its plan mix's arrays with `Mix`, and calls the
rules below, which carry a draw axis where draws move them (the cost table is the one-draw
case: a multiplier of 1.0 leaves every float as it is).

Rules here: plan fees and allowances (`Terms`, `Mix`), indexation (`indexation`), volume
discount (`volume_discounts`) and plan fees after it (`discounted_fee`: a subscription is
``fee × (1 − discount) × indexation × lines``), pooled overage (`pool_overage`,
`pool_charge`), device cost per line (`device_monthly`), device fund (`fund_used`), one-off
fees per line (`once_per_line`); contract v1.1: caps and block rates
(`billed`: units billed beyond allowances, the closed forms of scoring.usage for profiles, exact
per line-month for measured lines), per-line monthly fees (`line_fees`), the minimum monthly
spend's shortfall (`shortfall`) and non-recoverable tax (`tax_on`); switching and portability
are scoring.switching's. Where the views still differ is only in how they add cells up (per cell,
per profile or per line), which the figures they publish depend on to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .fleet import Fleet
from .model import Bid, BlockRate
from .usage import billed_units, line_billed

ONE = np.ones(1)  # one draw, every multiplier 1.0


def _special(block: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Rates billed otherwise than units × rate: a block rate (block > 0) or a cap (finite limit)."""
    return (block > 0) | np.isfinite(limit)


@dataclass(frozen=True)
class Plans:
    """A bid's plans as arrays over the fleet's components."""

    ids: tuple[str, ...]
    fee: np.ndarray  # (J,)
    allowance: np.ndarray  # (J, C) inf = unlimited, 0 when absent
    rate: np.ndarray  # (J, C) 0 when absent
    has_rate: np.ndarray  # (J, C)
    included: np.ndarray  # (J, C) key present in allowances
    block: np.ndarray  # (J, C) a block rate's block (its price is in ``rate``), 0 for a per-unit rate
    limit: np.ndarray  # (J, C) a cap in units beyond the allowance (cap / rate), +inf without a cap

    @property
    def special(self) -> np.ndarray:
        """(J, C) rates billed otherwise than units × rate: block rates and caps."""
        return _special(self.block, self.limit)


def plans_of(bid: Bid, components: tuple[str, ...]) -> Plans:
    plans = bid.spec.plans
    shape = (len(plans), len(components))
    allowance, rate = np.zeros(shape), np.zeros(shape)
    has_rate, included = np.zeros(shape, bool), np.zeros(shape, bool)
    block, limit = np.zeros(shape), np.full(shape, np.inf)
    for j, plan in enumerate(plans):
        for c, name in enumerate(components):
            if name in plan.allowances:
                included[j, c] = True
                value = plan.allowances[name]
                allowance[j, c] = np.inf if value == "unlimited" else float(value)
            if name in plan.rates:
                has_rate[j, c] = True
                value = plan.rates[name]
                if isinstance(value, BlockRate):
                    rate[j, c], block[j, c] = value.price, value.block
                else:
                    rate[j, c] = value
            if name in plan.caps and rate[j, c] > 0:  # a rate of 0 charges 0: nothing to cap
                limit[j, c] = plan.caps[name] / rate[j, c]
    return Plans(
        ids=tuple(p.id for p in plans),
        fee=np.array([p.monthly_fee for p in plans], dtype=float),
        allowance=allowance,
        rate=rate,
        has_rate=has_rate,
        included=included,
        block=block,
        limit=limit,
    )


@dataclass(frozen=True)
class Mix:
    """A bid's terms under one plan per profile (the contract fixes it for the term)."""

    choice: np.ndarray  # (P,) plan index of each profile
    fee: np.ndarray  # (P,) monthly fee
    allowance: np.ndarray  # (P, C)
    rate: np.ndarray  # (P, C) rate beyond the allowance, 0 for pooled components (billed by the pool)
    block: np.ndarray  # (P, C) block of a block rate, 0 otherwise (and for pooled components)
    limit: np.ndarray  # (P, C) cap / rate, +inf without a cap (and for pooled components)

    @property
    def special(self) -> np.ndarray:
        """(P, C) rates billed otherwise than units × rate: block rates and caps."""
        return _special(self.block, self.limit)


@dataclass(frozen=True)
class Terms:
    """A bid's arrays over the fleet: plans, which components it pools and at what rate,
    and indexation per period."""

    plans: Plans
    pooled: np.ndarray  # (C,)
    pool_rate: np.ndarray  # (C,)
    k: np.ndarray  # (Y,) indexation per contract year
    kq: np.ndarray  # (Q,) indexation per period

    def mix(self, choice: np.ndarray) -> Mix:
        """The arrays of the plan mix ``choice`` (P,)."""
        return Mix(choice=choice, fee=self.plans.fee[choice], allowance=self.plans.allowance[choice],
                   rate=np.where(self.pooled, 0.0, self.plans.rate[choice]),
                   block=np.where(self.pooled, 0.0, self.plans.block[choice]),
                   limit=np.where(self.pooled, np.inf, self.plans.limit[choice]))

    def assigned(self, fleet: Fleet, assignment: dict[str, str]) -> Mix:
        """The arrays of a plan assignment (profile id → plan id)."""
        return self.mix(np.array([self.plans.ids.index(assignment[p]) for p in fleet.profiles]))


def indexation(bid: Bid, years: np.ndarray) -> np.ndarray:
    """The bid's indexation factor of each contract year ``years`` (0 = the first): ``(1 +
    indexation_percent / 100) ** year``."""
    return (1.0 + bid.spec.indexation_percent / 100.0) ** years


def terms_of(bid: Bid, fleet: Fleet) -> Terms:
    spec = bid.spec
    k = indexation(bid, np.arange(fleet.years))
    return Terms(
        plans=plans_of(bid, fleet.components),
        pooled=np.array([c in spec.pool for c in fleet.components], dtype=bool),
        pool_rate=np.array([spec.pool[c].overage_rate if c in spec.pool else 0.0 for c in fleet.components]),
        k=k,
        kq=k[fleet.period_year],
    )


def chosen(excess: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """(Q, P, E, C) the excess (Q, P, E, J, C) under each profile's chosen plan."""
    rows = np.arange(len(choice))
    return excess.transpose(1, 3, 0, 2, 4)[rows, choice].transpose(1, 0, 2, 3)


def volume_discounts(bid: Bid, initial_lines: np.ndarray) -> np.ndarray:
    """Share off plan monthly fees for many initial line counts at once: the reached tier with
    the largest `min_lines` (the larger percent where two tiers share it)."""
    tiers = bid.spec.discounts.volume
    if not tiers:
        return np.zeros_like(initial_lines)
    mins = np.array([t.min_lines for t in tiers])
    pct = np.array([t.percent for t in tiers]) / 100.0
    reached = initial_lines[:, None] >= mins[None, :]
    top = np.where(reached, mins[None, :], -np.inf).max(axis=1)
    return np.where(reached & (mins[None, :] == top[:, None]), pct[None, :], 0.0).max(axis=1)


def volume_discount(bid: Bid, initial_lines: float) -> float:
    """`volume_discounts` for one line count."""
    return float(volume_discounts(bid, np.array([initial_lines]))[0])


def discounted_fee(fee, discount):
    """Plan fees after the volume discount: ``fee × (1 − discount)``, ``discount`` a share
    (`volume_discounts`; plan monthly fees only, not usage, pool, per-line or account fees).
    ``fee`` is any amount of plan fees or factor of one: a plan's monthly fee, a line's fees
    over the term already indexed, a draw's line multiplier. Each view multiplies in its own
    quantity and indexation (`indexation`), in the order its published figures depend on to
    the last bit. Arrays broadcast."""
    return fee * (1.0 - discount)


def pool_overage(fleet: Fleet, allowance: np.ndarray, c: int, rate: float, kq: np.ndarray,
                 usage: np.ndarray = ONE, lines: np.ndarray = ONE) -> np.ndarray:
    """(N, Q) the pooled overage of component ``c`` in one month of each period, per draw: the
    fleet's demand above the pool's supply (each profile's lines × its allowance ``allowance``
    (P,)) × overage ``rate`` × indexation ``kq`` (Q,); none in a period where a profile with
    lines has an unlimited allowance. ``usage`` (N,) multiplies demand and ``lines`` (N,) the
    overage in each draw (one draw of 1.0 by default)."""
    lines_qp = fleet.period_profile_lines  # (Q, P)
    unlimited = (np.isinf(allowance)[None, :] & (lines_qp > 0)).any(axis=1)
    supply = (lines_qp * np.where(np.isinf(allowance), 0.0, allowance)[None]).sum(axis=1)
    demand = fleet.demand[..., c].sum(axis=(1, 2))
    return pool_charge(demand[None] * usage[:, None], supply[None], unlimited[None], rate, kq[None], lines[:, None])


def pool_charge(demand, supply, unlimited, rate, k, lines=1.0):
    """The pool's overage charge: ``max(0, demand − supply) × lines × rate × k`` — none where
    an unlimited allowance feeds the pool (``unlimited``; ``supply`` counts the finite
    allowances only). Arrays broadcast; ``lines`` multiplies the overage (draws)."""
    over = np.maximum(0.0, demand - supply)
    return np.where(unlimited, 0.0, lines * over) * rate * k


def device_monthly(fleet: Fleet, bid: Bid) -> np.ndarray:
    """(P,) device cost per line per month: price / refresh months (0 without device)."""
    prices = np.array([bid.spec.devices.prices.get(t, 0.0) if t else 0.0 for t in fleet.device_tier])
    return np.where(np.isnan(fleet.refresh_months), 0.0, prices / np.nan_to_num(fleet.refresh_months, nan=1.0))


def fund_used(spend: np.ndarray, fund: float) -> np.ndarray:
    """(…, T) the device fund set against device spend ``spend`` (…, T), month by month until
    used up: never more than a month's spend, never below zero."""
    before = np.cumsum(spend, axis=-1) - spend
    return np.minimum(spend, np.maximum(0.0, fund - before))


def once_per_line(bid: Bid) -> float:
    """One-off fee per line migrated or added by growth: activation and SIM card."""
    return bid.spec.fees.per_line_activation + bid.spec.fees.sim_card


# --------------------------------------------------------------------------- contract v1.1

LINE_CHUNK_UNITS = 8_192  # measured lines billed at once (bounded temporaries)


def billed(fleet: Fleet, plans: Plans, pooled: np.ndarray, excess: np.ndarray) -> np.ndarray:
    """(Q, P, E, J, C) units billed beyond each plan's allowances in one month of each period,
    summed over each cell's lines: ``excess`` (`Fleet.excess`) itself for a per-unit rate, and
    for a block rate (blocks started) or a capped rate (units up to cap / rate) the contract
    v1.1 rules — expected values over a profile's spread (scoring.usage), exact per line-month
    on measured lines. Pooled components stay ``excess`` (the pool bills them). Returns
    ``excess`` itself when no plan has a block rate or a cap."""
    special = plans.special & ~pooled[None]
    if not special.any():
        return excess
    out = excess.copy()
    for j, c in np.argwhere(special):
        out[:, :, :, j, c] = _billed_cell(fleet, c, plans.allowance[j, c], plans.block[j, c], plans.limit[j, c])
    return out


def _billed_cell(fleet: Fleet, c: int, allowance: float, block: float, limit: float) -> np.ndarray:
    """(Q, P, E) billed units of component ``c`` under one allowance and rate."""
    q = fleet.period_year
    if fleet.measured is None:
        per_line = billed_units(fleet.usage[:, :, c], fleet.cv[:, c], fleet.dist[:, c], allowance, block, limit)
        return fleet.period_lines * per_line[q][:, :, None]
    lines = fleet.measured
    P, E = len(fleet.profiles), len(fleet.entities)
    out = np.zeros((len(q), P * E))
    x = lines.usage.usage
    for lo in range(0, lines.n, LINE_CHUNK_UNITS):
        part = slice(lo, lo + LINE_CHUNK_UNITS)
        p_i = lines.profile[part]
        units = measured_units(x[part][:, fleet.period_month, c], fleet.growth[q][:, p_i, c].T, allowance, block,
                               limit)  # (n, Q)
        cells = lines.cell[part]
        for k in range(len(q)):
            out[k] += np.bincount(cells, weights=units[:, k], minlength=P * E)
    return out.reshape(len(q), P, E) * fleet.weight[q][:, :, None]


def measured_units(x: np.ndarray, growth: np.ndarray, allowance, block, limit) -> np.ndarray:
    """Billed units of measured lines, exact per line-month: usage ``x`` × ``growth`` beyond the
    allowance, in started blocks or capped (scoring.usage.line_billed); arrays broadcast."""
    with np.errstate(invalid="ignore"):  # an unlimited allowance: -inf beyond it, no charge
        excess = np.maximum(0.0, x * growth - allowance)
    return line_billed(excess, block, limit)


def line_fees(bid: Bid, lines: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Per-line monthly fees: ``lines × fee × k`` (not volume-discounted), arrays broadcast."""
    return lines * bid.spec.fees.per_line_monthly * k


def shortfall(bid: Bid, recurring: np.ndarray, k: np.ndarray) -> np.ndarray:
    """The minimum monthly spend's shortfall ``max(0, spend × k − recurring)`` for a month's
    recurring charges (subscriptions, usage, pool overage, account and per-line fees)."""
    return np.maximum(0.0, bid.spec.fees.minimum_monthly_spend * k - recurring)


def tax_on(percent: float, bid_cost: np.ndarray) -> np.ndarray:
    """Non-recoverable tax on a month's bid cost (negative on a negative month), unrounded."""
    return percent / 100.0 * bid_cost
