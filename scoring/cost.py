"""Cost of every bid over the contract term (the contract's "core semantics").

Conventions: money in the tender's currency **excluding VAT**; usage per line per month;
contract month ``m = 1..T`` (arrays index it 0-based), contract year ``y = (m-1) // 12``
(a term that is not a multiple of 12 ends with a partial year). Nothing is rounded here.

The result is a `CostTable`: one float64 cube ``bid × month × profile × entity × component``
in which every euro sits in exactly one cell, so any slice (per entity, per component, per
year, per profile) adds up to the TCO. Fleet-wide costs (setup, account fee, credits,
switching, portability) sit in the profile × entity cells pro-rata to initial lines, pooled
overage pro-rata to each cell's individual overage, the device fund used pro-rata to each
cell's device spend — the contract's entity split, refined to profiles. Contract v1.1: line fees
sit in their lines' cells, the minimum spend's shortfall (a fleet month's) pro-rata to initial
lines, and the non-recoverable tax in each cell as a share of that cell's own bid cost; the cube
holds those three components (after the v1 ones) only when the tender uses one of them.
Bids that cannot be costed (no offer, no usable plan, no device price) are NaN in the cube,
so nothing ever sums them silently; `knockouts` says why.

The cost model in files: scoring.fleet (the buyer side as arrays), scoring.pricing (a bid's
terms and the contract's cost rules, written once), this module (plan choice and the cost
table: the one-draw case), scoring.draws (N draws at once: Monte Carlo, sensitivity),
scoring.per_line (each measured line's share), scoring.switching (switching and portability),
scoring.components (the cost components: key, labels, colour, rule text). Names of those
modules that callers used from here are still importable from here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .archive import env_limit
from .components import COMPONENTS, NOT_BID_COST, RECURRING, K, cube_keys
from .cost_table import CostTable
from .draws import DrawCosts, Draws, cost_draws, unit_draws
from .errors import TenderError
from .fleet import Fleet, fleet_of
from .model import Bid, Tender
from .per_line import LINE_CHUNK, line_costs
from .plans import MixProblem, PlanMixFailure, PlanMixTimeout, choose_plans
from .pricing import (
    Plans,
    billed,
    chosen,
    device_monthly,
    discounted_fee,
    fund_used,
    line_fees,
    once_per_line,
    pool_overage,
    shortfall,
    tax_on,
    terms_of,
    volume_discount,
    volume_discounts,
)
from .switching import is_challenger, portability_terms, switching_cost

# Float64 holds whole cents exactly up to ~9·10^13: a bid costing more than this over the term
# (absurd for any fleet) is refused rather than reported with sums that no longer reconcile.
MAX_TOTAL = 1e13
# Bytes the cost arrays of one evaluation may take (estimated before they are allocated): the
# cost table (bids × months × profiles × entities × components) and, for one bid at a time,
# its own cube and the usage beyond each plan's allowances (periods × profiles × entities ×
# plans × usage components, and a temporary as large). docs/reliability.md §3.
MAX_COST_BYTES = env_limit("FLEETBID_MAX_COST_BYTES", 2 * 1024**3)


@dataclass(frozen=True)
class BidCosts:
    """One bid's costs: the (T, P, E, K) cube, its plan mix, or why it cannot be costed."""

    cube: np.ndarray | None
    plan_assignment: dict[str, str] | None
    knockouts: tuple[str, ...] = ()


def cost_bid(tender: Tender, fleet: Fleet, bid: Bid) -> BidCosts:
    """Every cost rule of the contract for one bid."""
    spec = bid.spec
    terms = terms_of(bid, fleet)
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
    units = billed(fleet, plans, pooled, excess)  # the same, in blocks or capped where the plan says so
    over = np.einsum("qpejc,jc->qpj", units, np.where(pooled, 0.0, plans.rate))  # (Q, P, J) non-pooled
    lines_qp = fleet.period_profile_lines  # (Q, P)
    s = np.einsum("q,qp,j->pj", nk, lines_qp, discounted_fee(plans.fee, discount)) + np.einsum("q,qpj->pj", nk, over)

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
    except PlanMixFailure as exc:
        raise TenderError.at(bid.file, "plans", f"{exc}; please report this tender") from None

    cube = _cube(tender, fleet, bid, terms, terms.mix(choice), discount, excess, units)
    assignment = {fleet.profiles[p]: plans.ids[j] for p, j in enumerate(choice)}
    return BidCosts(cube=cube, plan_assignment=assignment)


def _unpriced(fleet: Fleet, plans: Plans, pooled: np.ndarray, p: int, js: list[int]) -> str:
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


def _cube(tender: Tender, fleet: Fleet, bid: Bid, terms, mix, discount: float, excess: np.ndarray,
          units: np.ndarray) -> np.ndarray:
    """(T, P, E, K) the bid's cost table under its plan mix: the contract's rules (scoring.pricing)
    per cell, fleet-wide items split pro rata (``units``: `excess` billed in blocks or capped)."""
    spec = bid.spec
    kq = terms.kq
    P, E = len(fleet.profiles), len(fleet.entities)
    L = fleet.period_lines  # (Q, P, E)
    share0 = fleet.initial_share  # (P, E)
    per = np.zeros((len(kq), P, E, len(COMPONENTS)))  # one month of each period

    per[..., K["subscriptions"]] = L * discounted_fee(mix.fee, discount)[None, :, None] * kq[:, None, None]
    over = chosen(excess, mix.choice)  # (Q, P, E, C)
    charged = over if units is excess else chosen(units, mix.choice)
    per[..., K["usage"]] = (charged * mix.rate[None, :, None, :]).sum(axis=3) * kq[:, None, None]

    # Pooled overage: fleet total per month, split by each cell's individual overage.
    for c in np.flatnonzero(terms.pooled):
        cost = pool_overage(fleet, mix.allowance[:, c], c, terms.pool_rate[c], kq)[0]  # per month
        individual = over[..., c]  # (Q, P, E), 0 under unlimited
        total = individual.sum(axis=(1, 2))
        key = np.where(total[:, None, None] > 0, individual / np.where(total > 0, total, 1.0)[:, None, None],
                       share0[None])
        per[..., K["pool_overage"]] += cost[:, None, None] * key

    per[..., K["account_fees"]] = spec.fees.account_monthly * kq[:, None, None] * share0[None]
    if spec.fees.per_line_monthly > 0:
        per[..., K["line_fees"]] = line_fees(bid, L, kq[:, None, None])
    if spec.fees.minimum_monthly_spend > 0:  # the fleet's month, split pro rata to initial lines
        recurring = per[..., [K[k] for k in RECURRING]].sum(axis=(1, 2, 3))  # (Q,)
        per[..., K["minimum_spend"]] = shortfall(bid, recurring, kq)[:, None, None] * share0[None]
    per[..., K["devices"]] = L * device_monthly(fleet, bid)[None, :, None]

    cube = per[fleet.period_of_month]  # (T, P, E, K): a period's months are alike until here

    # Device fund: the fleet's use month by month, split by each cell's device spend.
    spend = cube[..., K["devices"]]  # (T, P, E)
    spend_m = spend.sum(axis=(1, 2))
    used = fund_used(spend_m, spec.devices.fund)
    with np.errstate(invalid="ignore", divide="ignore"):
        cube[..., K["device_fund"]] = -np.where(spend_m[:, None, None] > 0, spend * (used / spend_m)[:, None, None], 0.0)

    # One-off items: month 1, and lines added by growth in the first month of their year.
    once = once_per_line(bid)
    cube[0, :, :, K["one_off_fees"]] += spec.fees.setup * share0
    if is_challenger(tender, bid):
        cube[0, :, :, K["one_off_fees"]] += once * fleet.lines0
    cube[fleet.year_starts, :, :, K["one_off_fees"]] += once * fleet.added_lines
    cube[0, :, :, K["credits"]] -= spec.discounts.welcome_credit * share0
    cube[0, :, :, K["portability"]] += portability_terms(tender, bid) * share0
    cube[0, :, :, K["switching"]] += switching_cost(tender, bid) * share0
    percent = tender.spec.non_recoverable_tax_percent
    if percent > 0:  # each cell's own bid cost, month by month (switching excluded)
        bid_cost = np.delete(cube, [K[k] for k in NOT_BID_COST], axis=3).sum(axis=3)
        cube[..., K["tax"]] = tax_on(percent, bid_cost)
    return cube


def _need(tender: Tender, fleet: Fleet) -> tuple[int, int, Bid | None]:
    """Bytes of the cost arrays: in all, and of the heaviest bid's own (its usage beyond each
    allowance, and the dense matrices of its plan-mix programme when it has a pool), and that
    bid."""
    T, P, E = fleet.term_months, len(fleet.profiles), len(fleet.entities)
    cube = 8 * T * P * E * len(cube_keys(uses(tender)))
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
        f"× {len(cube_keys(uses(tender)))} cost components × {B:,} bid{'s' if B != 1 else ''}): {limit}; shorten the term or "
        "group profiles or entities"))


def _bytes(n: float) -> str:
    return f"{n / 1024**3:.1f} GiB" if n >= 1024**3 else f"{n / 1024**2:.0f} MiB"


def compute_costs(tender: Tender) -> CostTable:
    """Cost every bid of the tender."""
    fleet = fleet_of(tender)
    _check_memory(tender, fleet)
    used = uses(tender)
    n_keys = len(cube_keys(used))  # the v1 components, and the v1.1 ones only where used
    shape = (fleet.term_months, len(fleet.profiles), len(fleet.entities), n_keys)
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
            cube[b] = result.cube[..., :n_keys]
        plan_assignment[bid.id] = result.plan_assignment
        knockouts[bid.id] = result.knockouts
    return CostTable(
        bids=tuple(b.id for b in tender.bids),
        fleet=fleet,
        cube=cube,
        plan_assignment=plan_assignment,
        knockouts=knockouts,
        discount_rate=tender.spec.discount_rate,
        uses=used,
    )


def uses(tender: Tender) -> frozenset:
    """The contract v1.1 cost components the tender or one of its bids uses (its field > 0)."""
    used = {"tax"} if tender.spec.non_recoverable_tax_percent > 0 else set()
    for bid in tender.bids:
        if bid.spec.fees.per_line_monthly > 0:
            used.add("line_fees")
        if bid.spec.fees.minimum_monthly_spend > 0:
            used.add("minimum_spend")
    return frozenset(used)


__all__ = [
    "COMPONENTS", "K", "LINE_CHUNK", "MAX_COST_BYTES", "MAX_TOTAL", "BidCosts", "CostTable", "DrawCosts", "Draws",
    "Fleet", "compute_costs", "cost_bid", "cost_draws", "fleet_of", "line_costs", "unit_draws", "volume_discount",
    "volume_discounts",
]
