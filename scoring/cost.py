"""Cost of every bid over the contract term (the contract's "core semantics").

Conventions: money in the tender's currency **excluding VAT**; usage per line per month;
contract month ``m = 1..T`` (arrays index it 0-based), contract year ``y = (m-1) // 12``
(a term that is not a multiple of 12 ends with a partial year). Nothing is rounded here.

The result is a `CostTable`: one float64 cube ``bid × month × profile × entity × component``
in which every euro sits in exactly one cell, so any slice (per entity, per component, per
year, per profile) adds up to the TCO. Fleet-wide costs (setup, account fee, credits,
switching, portability) sit in the profile × entity cells pro-rata to initial lines, pooled
overage pro-rata to each cell's individual overage, the device fund used pro-rata to each
cell's device spend — the contract's entity split, refined to profiles.
Bids that cannot be costed (no offer, no usable plan, no device price) are NaN in the cube,
so nothing ever sums them silently; `knockouts` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .archive import env_limit
from .errors import TenderError
from .lines import Lines
from .model import Bid, Switching, Tender, UsageDistribution, usage_mean
from .plans import MixProblem, PlanMixTimeout, choose_plans
from .switching import is_challenger, portability_terms, switching_cost
from .usage import DIST_CODES, FIXED, expected_excess

COMPONENTS = (
    "subscriptions",
    "usage",
    "pool_overage",
    "account_fees",
    "devices",
    "device_fund",
    "one_off_fees",
    "credits",
    "portability",
    "switching",
)
K = {name: k for k, name in enumerate(COMPONENTS)}
# Float64 holds whole cents exactly up to ~9·10^13: a bid costing more than this over the term
# (absurd for any fleet) is refused rather than reported with sums that no longer reconcile.
MAX_TOTAL = 1e13
# Bytes the cost arrays of one evaluation may take (estimated before they are allocated): the
# cost table (bids × months × profiles × entities × components) and, for one bid at a time,
# its own cube and the usage beyond each plan's allowances (periods × profiles × entities ×
# plans × usage components, and a temporary as large). docs/reliability.md §3.
MAX_COST_BYTES = env_limit("FLEETBID_MAX_COST_BYTES", 2 * 1024**3)


@dataclass(frozen=True)
class Fleet:
    """The buyer side as arrays (independent of bids).

    Two kinds of fleet share these arrays: profiles (each line uses its profile's mean, or a
    distribution across lines, the same every month of a contract year) and a measured
    fleet (``measured``: every line of a billing export on its own usage, export month
    ``((m-1) mod K) + 1`` replayed in contract month ``m``; scoring.lines). Costs are computed
    per *period*, the distinct (contract year, export month) pairs: a profile fleet's periods
    are its contract years.
    """

    term_months: int
    profiles: tuple[str, ...]
    entities: tuple[str, ...]
    components: tuple[str, ...]  # every usage component, in order of first appearance
    lines0: np.ndarray  # (P, E) initial lines
    lines: np.ndarray  # (Y, P, E) lines in each contract year
    usage: np.ndarray  # (Y, P, C) mean usage per line per month
    used: np.ndarray  # (P, C) the profile uses the component (usage > 0)
    cv: np.ndarray  # (P, C) spread across lines (0: every line uses the mean)
    dist: np.ndarray  # (P, C) distribution code (scoring.usage)
    device_tier: tuple[str | None, ...]  # (P,)
    refresh_months: np.ndarray  # (P,) nan without device
    growth: np.ndarray | None = None  # (Y, P, C) factor on a measured line's usage (growth × multiplier)
    measured: Lines | None = None

    @property
    def years(self) -> int:
        return len(self.lines)

    @cached_property
    def year_of_month(self) -> np.ndarray:
        return np.arange(self.term_months) // 12

    @cached_property
    def months_in_year(self) -> np.ndarray:
        return np.bincount(self.year_of_month, minlength=self.years).astype(float)

    @cached_property
    def initial_share(self) -> np.ndarray:
        """(P, E) share of initial lines: the key for fleet-wide costs."""
        return self.lines0 / self.lines0.sum()

    @cached_property
    def _periods(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        K = self.measured.months if self.measured is not None else 1
        m = np.arange(self.term_months)
        pairs, of_month = np.unique((m // 12) * K + m % K, return_inverse=True)
        return of_month, pairs // K, pairs % K, np.bincount(of_month).astype(float)

    @property
    def period_of_month(self) -> np.ndarray:
        """(T,) the period of each contract month."""
        return self._periods[0]

    @property
    def period_year(self) -> np.ndarray:
        """(Q,) contract year of each period."""
        return self._periods[1]

    @property
    def period_month(self) -> np.ndarray:
        """(Q,) export month replayed in each period (0 for a profile fleet)."""
        return self._periods[2]

    @property
    def months_in_period(self) -> np.ndarray:
        return self._periods[3]

    @cached_property
    def period_lines(self) -> np.ndarray:
        """(Q, P, E) lines in each period (its contract year's)."""
        return self.lines[self.period_year]

    @cached_property
    def weight(self) -> np.ndarray:
        """(Y, P) what one measured line counts for in each contract year (line growth and
        the usage file's lines_scale)."""
        n = self.measured.counts.sum(axis=1) if self.measured is not None else self.lines0.sum(axis=1)
        return np.divide(self.lines.sum(axis=2), n, out=np.zeros(self.lines.shape[:2]), where=n > 0)

    @cached_property
    def peak(self) -> np.ndarray:
        """(P, C) the largest monthly usage of one line over the term; inf where usage is
        spread across lines by a distribution (some line exceeds any finite allowance)."""
        if self.measured is not None:  # the export months the term replays, each at its year's growth
            replayed = self.measured.peak[:, self.period_month, :] * self.growth[self.period_year].transpose(1, 0, 2)
            return replayed.max(axis=1, initial=0.0)
        return np.where(self.cv > 0, np.inf, self.usage.max(axis=0))

    def excess(self, allowance: np.ndarray) -> np.ndarray:
        """(Q, P, E, J, C) usage beyond each allowance ``(J, C)`` in one month of each period,
        summed over the cell's lines (expected values for a profile fleet)."""
        q = self.period_year
        if self.measured is None:
            per_line = expected_excess(self.usage[:, :, None, :], self.cv[None, :, None, :],
                                       self.dist[None, :, None, :], allowance[None, None])  # (Y, P, J, C)
            return self.period_lines[:, :, :, None, None] * per_line[q][:, :, None]
        E = len(self.entities)
        G = self.growth[q]  # (Q, P, C)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(G[:, :, None, :] > 0, allowance[None, None] / G[:, :, None, :], np.inf)  # (Q, P, J, C)
        cell = np.arange(len(self.profiles))[:, None] * E + np.arange(E)[None, :]  # (P, E)
        above = self.measured.by_cell.above(
            np.arange(len(self.components)), self.period_month[:, None, None, None, None],
            cell[None, :, :, None, None], t[:, :, None])  # (Q, P, E, J, C)
        return (self.weight[q][:, :, None, None, None] * G[:, :, None, None, :]) * above

    @cached_property
    def demand(self) -> np.ndarray:
        """(Q, P, E, C) total usage in one month of each period."""
        q = self.period_year
        if self.measured is None:
            return self.period_lines[..., None] * self.usage[q][:, :, None, :]
        P, E, C = len(self.profiles), len(self.entities), len(self.components)
        total = self.measured.by_cell.total()[:, self.period_month]  # (C, Q, P*E)
        total = total.transpose(1, 2, 0).reshape(len(q), P, E, C)
        return self.weight[q][:, :, None, None] * self.growth[q][:, :, None, :] * total


def fleet_of(tender: Tender) -> Fleet:
    spec = tender.spec
    profiles = tuple(p.id for p in spec.profiles)
    entities = tuple(e.id for e in spec.entities)
    measured = tender.lines if spec.usage_file is not None and spec.usage_file.evaluate_on == "lines" else None
    if measured is not None:
        components = measured.components
    else:
        components = tuple(dict.fromkeys(c for p in spec.profiles for c in p.usage))
    years = -(-spec.term_months // 12)
    y = np.arange(years, dtype=float)
    # With a measured fleet, the profiles' lines are the export's counts × lines_scale (scoring.load).
    lines0 = np.array([[p.lines.get(e, 0.0) for e in entities] for p in spec.profiles], dtype=float)
    growth = np.array([p.line_growth for p in spec.profiles])
    lines = lines0[None, :, :] * ((1.0 + growth)[None, :] ** y[:, None])[:, :, None]
    ugrowth = np.array([[p.usage_growth.get(c, 0.0) for c in components] for p in spec.profiles])
    factor = (1.0 + ugrowth)[None] ** y[:, None, None]  # (Y, P, C)
    if measured is not None:
        factor = factor * np.array([spec.usage_file.usage_factor(c) for c in components])
        base = measured.mean
        cv = np.zeros_like(base)
        dist = np.full(base.shape, FIXED, dtype=int)
        used = (measured.peak.max(axis=1) * factor.max(axis=0)) > 0  # a usage scaled to 0 is not used
    else:
        base = np.array([[usage_mean(p.usage.get(c, 0.0)) for c in components] for p in spec.profiles], dtype=float)
        spread = [[p.usage.get(c) for c in components] for p in spec.profiles]
        cv = np.array([[u.cv if isinstance(u, UsageDistribution) else 0.0 for u in row] for row in spread])
        dist = np.array([[DIST_CODES[u.dist] if isinstance(u, UsageDistribution) and u.cv > 0 else FIXED
                          for u in row] for row in spread], dtype=int)
        used = base > 0
    return Fleet(
        term_months=spec.term_months,
        profiles=profiles,
        entities=entities,
        components=components,
        lines0=lines0,
        lines=lines,
        usage=base[None] * factor,
        used=used,
        cv=cv,
        dist=dist,
        device_tier=tuple(p.device.tier if p.device else None for p in spec.profiles),
        refresh_months=np.array([p.device.refresh_months if p.device else np.nan for p in spec.profiles]),
        growth=factor,
        measured=measured,
    )


@dataclass(frozen=True)
class _Plans:
    """A bid's plans as arrays over the fleet's components."""

    ids: tuple[str, ...]
    fee: np.ndarray  # (J,)
    allowance: np.ndarray  # (J, C) inf = unlimited, 0 when absent
    rate: np.ndarray  # (J, C) 0 when absent
    has_rate: np.ndarray  # (J, C)
    included: np.ndarray  # (J, C) key present in allowances


def _plans_of(bid: Bid, components: tuple[str, ...]) -> _Plans:
    plans = bid.spec.plans
    shape = (len(plans), len(components))
    allowance, rate = np.zeros(shape), np.zeros(shape)
    has_rate, included = np.zeros(shape, bool), np.zeros(shape, bool)
    for j, plan in enumerate(plans):
        for c, name in enumerate(components):
            if name in plan.allowances:
                included[j, c] = True
                value = plan.allowances[name]
                allowance[j, c] = np.inf if value == "unlimited" else float(value)
            if name in plan.rates:
                has_rate[j, c] = True
                rate[j, c] = plan.rates[name]
    return _Plans(
        ids=tuple(p.id for p in plans),
        fee=np.array([p.monthly_fee for p in plans], dtype=float),
        allowance=allowance,
        rate=rate,
        has_rate=has_rate,
        included=included,
    )


@dataclass(frozen=True)
class _Terms:
    """A bid's arrays over the fleet: plans, which components it pools and at what rate,
    and indexation per period."""

    plans: _Plans
    pooled: np.ndarray  # (C,)
    pool_rate: np.ndarray  # (C,)
    k: np.ndarray  # (Y,) indexation per contract year
    kq: np.ndarray  # (Q,) indexation per period


def _terms(bid: Bid, fleet: Fleet) -> _Terms:
    spec = bid.spec
    k = (1.0 + spec.indexation_percent / 100.0) ** np.arange(fleet.years)
    return _Terms(
        plans=_plans_of(bid, fleet.components),
        pooled=np.array([c in spec.pool for c in fleet.components], dtype=bool),
        pool_rate=np.array([spec.pool[c].overage_rate if c in spec.pool else 0.0 for c in fleet.components]),
        k=k,
        kq=k[fleet.period_year],
    )


def _pool_terms(fleet: Fleet, allow: np.ndarray, c: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For pooled component ``c`` under per-profile allowances ``allow`` (P,), per period:
    unlimited (an unlimited allowance on a profile with lines), the pool's supply and the
    fleet's demand in one month."""
    lines_qp = fleet.period_lines.sum(axis=2)  # (Q, P)
    unlimited = (np.isinf(allow)[None, :] & (lines_qp > 0)).any(axis=1)
    supply = (lines_qp * np.where(np.isinf(allow), 0.0, allow)[None]).sum(axis=1)
    return unlimited, supply, fleet.demand[..., c].sum(axis=(1, 2))


def volume_discount(bid: Bid, initial_lines: float) -> float:
    """Share off plan monthly fees: the reached tier with the largest `min_lines`."""
    return float(_volume_discounts(bid, np.array([initial_lines]))[0])


@dataclass(frozen=True)
class BidCosts:
    """One bid's costs: the (T, P, E, K) cube, its plan mix, or why it cannot be costed."""

    cube: np.ndarray | None
    plan_assignment: dict[str, str] | None
    knockouts: tuple[str, ...] = ()


def cost_bid(tender: Tender, fleet: Fleet, bid: Bid) -> BidCosts:
    """Every cost rule of the contract for one bid."""
    spec = bid.spec
    terms = _terms(bid, fleet)
    plans, pooled, pool_rate, kq = terms.plans, terms.pooled, terms.pool_rate, terms.kq
    nk = fleet.months_in_period * kq  # (Q,) indexed months in each period

    knockouts: list[str] = []
    # Usable plans: every used, non-pooled component is included or priced, and no line's
    # usage in any month of the term exceeds an allowance that has no rate.
    within = fleet.peak[:, None, :] <= plans.allowance[None]
    covered = plans.has_rate[None] | (plans.included[None] & within)
    unusable = (fleet.used[:, None, :] & ~pooled[None, None, :] & ~covered).any(axis=2)  # (P, J)
    options: list[tuple[int, ...]] = []
    plan_index = {pid: j for j, pid in enumerate(plans.ids)}
    for p, profile_id in enumerate(fleet.profiles):
        offered = spec.offer.get(profile_id, ())
        offered = offered if isinstance(offered, tuple) else (offered,)
        usable = tuple(plan_index[pid] for pid in offered if not unusable[p, plan_index[pid]])
        if not offered:
            knockouts.append(f"no offer for profile {profile_id!r}")
        elif not usable:
            missing = _unpriced(fleet, plans, pooled, p, [plan_index[pid] for pid in offered])
            knockouts.append(f"profile {profile_id!r}: no usable plan ({missing})")
        options.append(usable)
    for p, tier in enumerate(fleet.device_tier):
        if tier is not None and tier not in spec.devices.prices:
            knockouts.append(f"no device price for tier {tier!r} (profile {fleet.profiles[p]!r})")
    if knockouts:
        return BidCosts(cube=None, plan_assignment=None, knockouts=tuple(dict.fromkeys(knockouts)))

    discount = volume_discount(bid, float(fleet.lines0.sum()))
    excess = fleet.excess(plans.allowance)  # (Q, P, E, J, C) a month's usage beyond allowance
    over = np.einsum("qpejc,jc->qpj", excess, np.where(pooled, 0.0, plans.rate))  # (Q, P, J) non-pooled
    lines_qp = fleet.period_lines.sum(axis=2)  # (Q, P)
    s = np.einsum("q,qp,j->pj", nk, lines_qp, plans.fee * (1.0 - discount)) + np.einsum("q,qpj->pj", nk, over)

    pc = np.flatnonzero(pooled)
    demand = fleet.demand[..., pc].sum(axis=(1, 2)).T  # (Cp, Q)
    allowance = plans.allowance[:, pc]  # (J, Cp)
    with np.errstate(invalid="ignore"):
        contrib = lines_qp.T[:, None, None, :] * allowance[None, :, :, None]  # (P, J, Cp, Q)
    contrib = np.where(lines_qp.T[:, None, None, :] > 0, contrib, 0.0)
    contrib = np.minimum(contrib, demand[None, None])
    weight = nk[None, :] * pool_rate[pc][:, None]  # (Cp, Q)
    try:
        choice = choose_plans(MixProblem(tuple(options), s, contrib, demand, weight))
    except PlanMixTimeout as exc:
        # An unproven mix is never presented as the contract's: its cost decides the ranking.
        free = [o for o in options if len(o) > 1]
        raise TenderError.at(bid.file, "plans", (
            f"{exc}: {len(free)} profiles each choose among up to {max(map(len, free))} plans feeding a "
            f"pooled allowance, too many combinations to search in time; raise the limit "
            f"(environment variable FLEETBID_MAX_SOLVER_SECONDS, in seconds per bid) or offer fewer plans "
            f"per profile")) from None

    cube = _cube(tender, fleet, bid, plans, choice, discount, kq, pooled, pool_rate, excess)
    assignment = {fleet.profiles[p]: plans.ids[j] for p, j in enumerate(choice)}
    return BidCosts(cube=cube, plan_assignment=assignment)


def _unpriced(fleet: Fleet, plans: _Plans, pooled: np.ndarray, p: int, js: list[int]) -> str:
    """Name what makes the offered plans unusable, for the knock-out reason."""
    reasons = []
    measured = fleet.measured is not None
    peak = fleet.peak[p] if measured else fleet.usage.max(axis=0)[p]  # profiles: the mean's peak
    for j in js:
        for c, name in enumerate(fleet.components):
            if not fleet.used[p, c] or pooled[c] or plans.has_rate[j, c]:
                continue
            if not plans.included[j, c]:
                reasons.append(f"plan {plans.ids[j]!r} neither includes nor prices {name!r}")
            elif peak[c] > plans.allowance[j, c]:
                whose = "the heaviest line's monthly usage" if measured else "usage"
                reasons.append(
                    f"plan {plans.ids[j]!r}: {name!r} {whose} {peak[c]:g} exceeds the allowance "
                    f"{plans.allowance[j, c]:g} and has no rate"
                )
            elif fleet.cv[p, c] > 0 and np.isfinite(plans.allowance[j, c]):
                reasons.append(
                    f"plan {plans.ids[j]!r}: {name!r} usage varies across lines (cv {fleet.cv[p, c]:g}), so some "
                    f"lines exceed the allowance {plans.allowance[j, c]:g}, and it has no rate"
                )
    return "; ".join(reasons)


def _chosen(excess: np.ndarray, choice: np.ndarray) -> np.ndarray:
    """(Q, P, E, C) the excess under each profile's chosen plan."""
    rows = np.arange(len(choice))
    return excess.transpose(1, 3, 0, 2, 4)[rows, choice].transpose(1, 0, 2, 3)


def _cube(tender, fleet, bid, plans, choice, discount, kq, pooled, pool_rate, excess) -> np.ndarray:
    spec = bid.spec
    P, E = len(fleet.profiles), len(fleet.entities)
    L = fleet.period_lines  # (Q, P, E)
    share0 = fleet.initial_share  # (P, E)
    per = np.zeros((len(kq), P, E, len(COMPONENTS)))  # one month of each period

    fee = plans.fee[choice]  # (P,)
    per[..., K["subscriptions"]] = L * (fee * (1.0 - discount))[None, :, None] * kq[:, None, None]
    chosen = _chosen(excess, choice)  # (Q, P, E, C)
    rate = np.where(pooled, 0.0, plans.rate[choice])  # (P, C)
    per[..., K["usage"]] = (chosen * rate[None, :, None, :]).sum(axis=3) * kq[:, None, None]

    # Pooled overage: fleet total per month, split by each cell's individual overage.
    for c in np.flatnonzero(pooled):
        unlimited, supply, demand = _pool_terms(fleet, plans.allowance[choice, c], c)
        cost = np.where(unlimited, 0.0, np.maximum(0.0, demand - supply)) * pool_rate[c] * kq  # per month
        individual = chosen[..., c]  # (Q, P, E), 0 under unlimited
        total = individual.sum(axis=(1, 2))
        key = np.where(total[:, None, None] > 0, individual / np.where(total > 0, total, 1.0)[:, None, None],
                       share0[None])
        per[..., K["pool_overage"]] += cost[:, None, None] * key

    per[..., K["account_fees"]] = spec.fees.account_monthly * kq[:, None, None] * share0[None]
    per[..., K["devices"]] = L * _device_monthly(fleet, bid)[None, :, None]

    cube = per[fleet.period_of_month]  # (T, P, E, K): a period's months are alike until here

    # Device fund: spent in month order against device spend, never below zero.
    spend = cube[..., K["devices"]]  # (T, P, E)
    spend_m = spend.sum(axis=(1, 2))
    before = np.cumsum(spend_m) - spend_m
    used = np.minimum(spend_m, np.maximum(0.0, spec.devices.fund - before))
    with np.errstate(invalid="ignore", divide="ignore"):
        cube[..., K["device_fund"]] = -np.where(spend_m[:, None, None] > 0, spend * (used / spend_m)[:, None, None], 0.0)

    # One-off items: month 1, and lines added by growth in the first month of their year.
    challenger = is_challenger(tender, bid)
    per_line_once = spec.fees.per_line_activation + spec.fees.sim_card
    cube[0, :, :, K["one_off_fees"]] += spec.fees.setup * share0
    if challenger:
        cube[0, :, :, K["one_off_fees"]] += per_line_once * fleet.lines0
    added = np.maximum(0.0, fleet.lines[1:] - fleet.lines[:-1])  # (Y-1, P, E)
    cube[np.arange(1, fleet.years) * 12, :, :, K["one_off_fees"]] += per_line_once * added
    cube[0, :, :, K["credits"]] -= spec.discounts.welcome_credit * share0
    cube[0, :, :, K["portability"]] += portability_terms(tender, bid) * share0
    cube[0, :, :, K["switching"]] += switching_cost(tender, bid) * share0
    return cube


def _device_monthly(fleet: Fleet, bid: Bid) -> np.ndarray:
    """(P,) device cost per line per month: price / refresh months (0 without device)."""
    prices = np.array([bid.spec.devices.prices.get(t, 0.0) if t else 0.0 for t in fleet.device_tier])
    return np.where(np.isnan(fleet.refresh_months), 0.0, prices / np.nan_to_num(fleet.refresh_months, nan=1.0))


@dataclass(frozen=True)
class CostTable:
    """All bids' costs. ``cube[b, m, p, e, k]`` in euros (NaN for bids not costed)."""

    bids: tuple[str, ...]
    fleet: Fleet
    cube: np.ndarray
    plan_assignment: dict[str, dict[str, str] | None]
    knockouts: dict[str, tuple[str, ...]]
    discount_rate: float | None = None
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    def costed(self, bid_id: str) -> bool:
        return not self.knockouts[bid_id]

    def index(self, bid_id: str) -> int:
        return self.bids.index(bid_id)

    def monthly(self) -> np.ndarray:
        """(B, T) total cost per month, switching included."""
        return self.cube.sum(axis=(2, 3, 4))

    def tco(self) -> np.ndarray:
        return self.cube.sum(axis=(1, 2, 3, 4))

    def by_component(self) -> np.ndarray:
        """(B, K)"""
        return self.cube.sum(axis=(1, 2, 3))

    def by_entity(self) -> np.ndarray:
        """(B, E)"""
        return self.cube.sum(axis=(1, 2, 4))

    def by_profile(self) -> np.ndarray:
        """(B, P)"""
        return self.cube.sum(axis=(1, 3, 4))

    def annual(self) -> np.ndarray:
        """(B, Y) undiscounted TCO of each contract year."""
        monthly = self.monthly()
        ym = self.fleet.year_of_month
        return np.stack([monthly[:, ym == y].sum(axis=1) for y in range(self.fleet.years)], axis=1)

    def discount_factors(self) -> np.ndarray | None:
        if self.discount_rate is None:
            return None
        m = np.arange(self.fleet.term_months)
        return (1.0 + self.discount_rate) ** (-m / 12.0)

    def npv(self) -> np.ndarray | None:
        factors = self.discount_factors()
        return None if factors is None else self.monthly() @ factors

    def frame(self) -> pd.DataFrame:
        """Tidy long table: bid, month, year, profile, entity, component, cost (non-zero cells)."""
        if "frame" not in self._cache:
            B, T, P, E, Kn = self.cube.shape
            idx = np.nonzero(np.nan_to_num(self.cube, nan=0.0))
            self._cache["frame"] = pd.DataFrame(
                {
                    "bid": pd.Categorical.from_codes(idx[0], self.bids),
                    "month": idx[1] + 1,
                    "year": self.fleet.year_of_month[idx[1]],
                    "profile": pd.Categorical.from_codes(idx[2], self.fleet.profiles),
                    "entity": pd.Categorical.from_codes(idx[3], self.fleet.entities),
                    "component": pd.Categorical.from_codes(idx[4], COMPONENTS),
                    "cost_eur": self.cube[idx],
                }
            )
        return self._cache["frame"]


def _need(tender: Tender, fleet: Fleet) -> tuple[int, int, Bid | None]:
    """Bytes of the cost arrays: in all, and of the heaviest bid's own (its usage beyond each
    allowance, and the dense matrices of its plan-mix programme when it has a pool), and that
    bid."""
    T, P, E = fleet.term_months, len(fleet.profiles), len(fleet.entities)
    cube = 8 * T * P * E * len(COMPONENTS)
    heavy, heaviest = 0, None
    for bid in tender.bids:
        excess = 2 * 8 * len(fleet.period_year) * P * E * len(fleet.components) * len(bid.spec.plans)
        rows = sum(c in bid.spec.pool for c in fleet.components) * fleet.years  # pool constraints
        pairs = sum(len(o) if isinstance(o, tuple) else 1 for o in bid.spec.offer.values())
        own = excess + (8 * (P + rows) * (pairs + rows) if rows else 0)
        if heaviest is None or own > heavy:
            heavy, heaviest = own, bid
    return len(tender.bids) * cube + cube + heavy, heavy, heaviest


def _check_memory(tender: Tender, fleet: Fleet) -> None:
    """Refuse, before allocating anything, a tender whose cost arrays exceed `MAX_COST_BYTES`."""
    need, heavy, bid = _need(tender, fleet)
    if need <= MAX_COST_BYTES:
        return
    T, P, E, B = fleet.term_months, len(fleet.profiles), len(fleet.entities), len(tender.bids)
    Q, C = len(fleet.period_year), len(fleet.components)
    limit = f"over the limit of {_bytes(MAX_COST_BYTES)} (environment variable FLEETBID_MAX_COST_BYTES)"
    if bid is not None and heavy > need - heavy:
        raise TenderError.at(bid.file, "plans", (
            f"costing this bid needs about {_bytes(need)} of memory ({len(bid.spec.plans):,} plans × {C:,} usage "
            f"components × {P:,} profiles × {E:,} entities × {Q:,} periods of the term, and the plans offered to "
            f"each profile): {limit}; offer fewer plans"))
    raise TenderError.at(f"{tender.folder}/tender.yaml", "term_months", (
        f"costing this tender needs about {_bytes(need)} of memory ({T:,} months × {P:,} profiles × {E:,} entities "
        f"× {len(COMPONENTS)} cost components × {B:,} bid{'s' if B != 1 else ''}): {limit}; shorten the term or "
        "group profiles or entities"))


def _bytes(n: float) -> str:
    return f"{n / 1024**3:.1f} GiB" if n >= 1024**3 else f"{n / 1024**2:.0f} MiB"


def compute_costs(tender: Tender) -> CostTable:
    """Cost every bid of the tender."""
    fleet = fleet_of(tender)
    _check_memory(tender, fleet)
    shape = (fleet.term_months, len(fleet.profiles), len(fleet.entities), len(COMPONENTS))
    cube = np.full((len(tender.bids), *shape), np.nan)
    plan_assignment: dict[str, dict[str, str] | None] = {}
    knockouts: dict[str, tuple[str, ...]] = {}
    for b, bid in enumerate(tender.bids):
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                result = cost_bid(tender, fleet, bid)
        except MemoryError:  # under the limit, but more than this machine has free
            raise TenderError.at(bid.file, "plans", (
                f"not enough memory to cost this bid (its cost arrays were estimated at {_bytes(_need(tender, fleet)[0])}, "
                f"under the limit of {_bytes(MAX_COST_BYTES)} set by FLEETBID_MAX_COST_BYTES)")) from None
        if result.cube is not None:
            if not np.isfinite(result.cube).all() or np.abs(result.cube).sum() > MAX_TOTAL:
                # Absurd magnitudes (a fee of 1e308, growth compounding to infinity) must not
                # reach the JSON as NaN or Infinity.
                raise TenderError.at(bid.file, "(amounts)", f"costs overflow (over {MAX_TOTAL:.0e} over the term): "
                                     "an amount, line count or growth rate in this tender or bid is too large to "
                                     "compute to the cent")
            cube[b] = result.cube
        plan_assignment[bid.id] = result.plan_assignment
        knockouts[bid.id] = result.knockouts
    return CostTable(
        bids=tuple(b.id for b in tender.bids),
        fleet=fleet,
        cube=cube,
        plan_assignment=plan_assignment,
        knockouts=knockouts,
        discount_rate=tender.spec.discount_rate,
    )


# --------------------------------------------------------------------------- many draws at once


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


def _volume_discounts(bid: Bid, initial_lines: np.ndarray) -> np.ndarray:
    """`volume_discount` for many line counts at once (the larger percent where two tiers
    share `min_lines`)."""
    tiers = bid.spec.discounts.volume
    if not tiers:
        return np.zeros_like(initial_lines)
    mins = np.array([t.min_lines for t in tiers])
    pct = np.array([t.percent for t in tiers]) / 100.0
    reached = initial_lines[:, None] >= mins[None, :]
    top = np.where(reached, mins[None, :], -np.inf).max(axis=1)
    return np.where(reached & (mins[None, :] == top[:, None]), pct[None, :], 0.0).max(axis=1)


def cost_draws(tender: Tender, fleet: Fleet, bid: Bid, assignment: dict[str, str], draws: Draws) -> DrawCosts:
    """The monthly cost of one bid under N sets of multipliers, its plan mix held fixed
    (the contract fixes the assignment for the term: actual usage moves, plans do not).
    The same rules as `cost_bid`, vectorised over draws; a test checks they agree."""
    spec = bid.spec
    terms = _terms(bid, fleet)
    plans, pooled, pool_rate, kq = terms.plans, terms.pooled, terms.pool_rate, terms.kq
    choice = np.array([plans.ids.index(assignment[p]) for p in fleet.profiles])
    lam = draws.lines  # (N,)
    lines_qp = fleet.period_lines.sum(axis=2)  # (Q, P)
    allowance = plans.allowance[choice]  # (P, C)
    du = draws.usage  # (N, C)

    # A usage that outgrows a finite allowance with no rate makes the plan unusable.
    unpriced = fleet.used & ~pooled[None] & ~plans.has_rate[choice] & np.isfinite(allowance)  # (P, C)
    usable = ~((fleet.peak[None] * du[:, None, :] > allowance[None]) & unpriced[None]).any(axis=(1, 2))

    rate = np.where(pooled, 0.0, plans.rate[choice])  # (P, C)
    usage_cost = _draw_excess(fleet, allowance, rate, du)  # (N, Q) a month's usage beyond allowances × rate
    discount = _volume_discounts(bid, lam * fleet.lines0.sum())  # (N,)
    fee = plans.fee[choice]
    per = (lam * (1.0 - discount))[:, None] * ((lines_qp * fee).sum(axis=1) * kq)[None]  # subscriptions
    per = per + lam[:, None] * usage_cost * kq[None]  # usage
    for c in np.flatnonzero(pooled):
        unlimited, supply, demand = _pool_terms(fleet, allowance[:, c], c)
        over = np.maximum(0.0, demand[None] * du[:, c : c + 1] - supply[None])
        per = per + np.where(unlimited[None], 0.0, lam[:, None] * over) * pool_rate[c] * kq[None]
    per = per + spec.fees.account_monthly * kq[None]
    devices = lam[:, None] * (lines_qp * _device_monthly(fleet, bid)).sum(axis=1)[None]  # (N, Q)
    monthly = (per + devices)[:, fleet.period_of_month]  # (N, T)

    spend = devices[:, fleet.period_of_month]
    before = np.cumsum(spend, axis=1) - spend
    monthly -= np.minimum(spend, np.maximum(0.0, spec.devices.fund - before))

    challenger = is_challenger(tender, bid)
    once = spec.fees.per_line_activation + spec.fees.sim_card
    lines0 = lam * fleet.lines0.sum()
    monthly[:, 0] += spec.fees.setup - spec.discounts.welcome_credit + (once * lines0 if challenger else 0.0)
    added = np.maximum(0.0, fleet.lines[1:] - fleet.lines[:-1]).sum(axis=(1, 2))  # (Y-1,)
    monthly[:, np.arange(1, fleet.years) * 12] += once * lam[:, None] * added[None]

    switching = np.zeros(draws.n)
    if challenger:
        s = tender.spec.switching
        base = s or Switching()
        m = {f: draws.switching.get(f, np.ones(draws.n)) for f in Switching.model_fields}
        value = {f: getattr(base, f) * m[f] for f in Switching.model_fields}
        for share in ("port_share", "porting_failure_rate"):
            value[share] = np.minimum(1.0, value[share])
        ported = value["port_share"] * lines0
        p = spec.portability
        monthly[:, 0] += ported * p.fee_per_number - p.exit_fee_refund * value["incumbent_exit_fee_eur"] - p.migration_credit
        if s is not None:
            switching = (value["project_eur"] + value["per_line_eur"] * lines0
                         + value["parallel_months"] * value["current_monthly_eur"] + value["incumbent_exit_fee_eur"]
                         + ported * value["porting_failure_rate"] * value["lost_number_eur"])
            monthly[:, 0] += switching
    return DrawCosts(monthly=monthly, switching=switching, usable=usable)


def _draw_excess(fleet: Fleet, allowance: np.ndarray, rate: np.ndarray, du: np.ndarray) -> np.ndarray:
    """(N, Q) ``Σ_p,c`` a month's fleet usage beyond the chosen allowances ``(P, C)`` × rate,
    with usage multiplied by ``du`` (N, C). Only priced, capped components are computed."""
    P, C = allowance.shape
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


def unit_draws(fleet: Fleet, n: int = 1) -> Draws:
    return Draws(usage=np.ones((n, len(fleet.components))), lines=np.ones(n), switching={})


# --------------------------------------------------------------------------- cost per line

LINE_CHUNK = 65_536


def line_costs(costs: CostTable, tender: Tender, bid_id: str) -> pd.DataFrame:
    """Each measured line's cost over the term under one costed bid, most expensive first.

    Columns: ``line`` (pseudonym), ``profile``, ``entity``, ``subscriptions``, ``usage`` (its
    own usage beyond allowances), ``pool_overage`` (its share of the pooled overage, pro-rata to
    its individual overage month by month, as for entities), ``devices``, ``total``. Lines added
    by growth count in their line's weight, so a cell's lines add up to the cell's
    subscriptions + usage + pool overage + devices in the cost table; fleet-wide items (setup,
    account fee, credits, activations, switching, portability) belong to no line.
    """
    fleet = costs.fleet
    lines = fleet.measured
    if lines is None:
        raise ValueError("costs per line need a tender evaluated on a usage file's lines")
    assignment = costs.plan_assignment[bid_id]
    if assignment is None:
        raise ValueError(f"bid {bid_id!r} is not costed: {'; '.join(costs.knockouts[bid_id])}")
    bid = tender.bid(bid_id)
    terms = _terms(bid, fleet)
    plans, pooled, pool_rate, kq = terms.plans, terms.pooled, terms.pool_rate, terms.kq
    choice = np.array([plans.ids.index(assignment[p]) for p in fleet.profiles])
    q_year, q_month, nq = fleet.period_year, fleet.period_month, fleet.months_in_period
    w = fleet.weight[q_year]  # (Q, P)
    p_i = lines.profile
    allowance = plans.allowance[choice]  # (P, C)
    rate = np.where(pooled, 0.0, plans.rate[choice])

    subscriptions = ((nq * kq)[:, None] * w).sum(axis=0) * plans.fee[choice] * (1.0 - volume_discount(
        bid, float(fleet.lines0.sum())))
    devices = (nq[:, None] * w).sum(axis=0) * _device_monthly(fleet, bid)
    # Pooled overage per month of each period, and per unit of individual overage: the fleet's
    # individual overage is the cells' (the cost table's split key), so each line's share is
    # its own individual overage × that rate.
    pc = np.flatnonzero(pooled)
    individual = _chosen(fleet.excess(plans.allowance), choice)[..., pc].sum(axis=(1, 2))  # (Q, Cp)
    per_unit = np.zeros((len(q_year), len(pc)))
    for i, c in enumerate(pc):
        unlimited, supply, demand = _pool_terms(fleet, allowance[:, c], c)
        cost = np.where(unlimited, 0.0, np.maximum(0.0, demand - supply)) * pool_rate[c] * kq * nq  # (Q,)
        per_unit[:, i] = np.divide(cost, individual[:, i], out=np.zeros_like(cost), where=individual[:, i] > 0)

    usage, pool = np.zeros(lines.n), np.zeros(lines.n)
    x = lines.usage.usage
    for lo in range(0, lines.n, LINE_CHUNK):  # bounded temporaries: chunks of lines, each vectorised
        part = slice(lo, lo + LINE_CHUNK)
        p_c = p_i[part]
        for y in range(fleet.years):  # the year's export months at once
            qs = np.flatnonzero(q_year == y)
            over = x[part][:, q_month[qs], :]  # (n, q, C) a copy
            over *= fleet.growth[y][p_c][:, None, :]
            over -= allowance[p_c][:, None, :]  # an unlimited allowance leaves -inf: no charge
            np.maximum(over, 0.0, out=over)
            over *= w[qs][:, p_c].T[:, :, None]
            usage[part] += np.einsum("nqc,nc,q->n", over, rate[p_c], nq[qs] * kq[qs])
            pool[part] += np.einsum("nqc,qc->n", over[:, :, pc], per_unit[qs])
    table = pd.DataFrame({
        "line": lines.usage.line_ids,
        "profile": pd.Categorical.from_codes(p_i, fleet.profiles),
        "entity": pd.Categorical.from_codes(lines.entity, fleet.entities),
        "subscriptions": subscriptions[p_i],
        "usage": usage,
        "pool_overage": pool,
        "devices": devices[p_i],
    })
    table["total"] = table[["subscriptions", "usage", "pool_overage", "devices"]].sum(axis=1)
    return table.sort_values(["total", "line"], ascending=[False, True], ignore_index=True)
