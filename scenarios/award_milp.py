"""The award split as a mixed-integer programme (HiGHS, through highspy): exact where the
awards are too many to list (docs/award-split.md, "The formulation").

Each bid's cost on a set of cells is linear once its plan per profile and its volume tier are
chosen, plus four terms that are not, each written exactly:

- **per cell** (given plan j and tier k): subscriptions, usage beyond allowances, per-line fees,
  devices, one-off fees per line — read off the engine's cost table (scoring.cost) of *probes*:
  the bid on one profile's cells with that one plan offered and that tier's discount as its only
  tier, its fleet-level charges removed;
- **fixed** per awarded bid: setup, account fee, welcome credit — the engine's probe with them,
  less the probe without; **switching and portability**: affine in the bid's initial lines n
  (scoring.switching's own functions at n = 0 and n = N, with the contract's ``f_b`` scaling);
- **pool overage** per pooled component and period: ``o ≥ Σ cells (demand − lines × allowance)``,
  ``o ≥ 0``, exact in a minimisation (an unlimited allowance supplies the whole fleet's demand);
- **device fund**: ``−Σ_m df_m u_m`` with ``u_m ≤ device spend of month m``, ``Σ u ≤ fund`` —
  the fund used earliest first, which the LP does when discount factors do not rise;
- **minimum monthly spend**: the shortfall ``s_q ≥ spend × k − recurring_q``, ``s_q ≥ 0``.

Non-recoverable tax multiplies every term but switching (scoring.pricing.tax_on). Variables: unit
→ bid ``x`` (binary), bid awarded ``w``, tier ``t`` and plan ``y`` (binary), and cell × plan ×
tier ``z = x ∧ y ∧ t`` (continuous, exact through ``Σ z = x``, ``Σ_k z ≤ y``, ``Σ_j z ≤ t``).
The award found is then costed by the engine on each bid's sub-tender like any other
(scenarios.award). The programme's cost is a lower bound of the engine's (its plan mix is free;
the engine's minimises the nominal cost, which under ``objective: npv`` can differ for a pooled
bid): an award the engine costs more is cut off (``Σ_u x[u, owner(u)] ≤ U − 1``) and the search
goes on below the best engine cost found, until the programme's bound reaches it. An engine cost
below the programme's (the programme would not be a relaxation) or an award breaking a rule is
an error line, never an award presented as optimal.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from scoring.components import COMPONENTS, K
from scoring.cost import compute_costs
from scoring.errors import TenderError
from scoring.fleet import fleet_of
from scoring.limits import env_limit
from scoring.model import Bid, Portability, Switching, Tender, VolumeTier
from scoring.plan_milp import _quiet  # the one guard of HiGHS's standard output
from scoring.pricing import shortfall, tax_on, terms_of, volume_discount
from scoring.switching import parts_of, portability_of

from .award_rules import EPS, Solution

# Per-cell components of a probe's cost table: linear in the cells won, given plan and tier.
PER_CELL = ("subscriptions", "usage", "line_fees", "devices", "one_off_fees")
RECURRING_PER_CELL = ("subscriptions", "usage", "line_fees")
TOLERANCE = 0.01  # euros: the programme's cost and the engine's agree within the plan-mix tie margin
# Seconds HiGHS may take for one set of rules (docs/reliability.md's limits): beyond it no award is
# presented as optimal, the command ends with an error naming the limit.
MAX_AWARD_SECONDS = env_limit("FLEETBID_MAX_AWARD_SECONDS", 300)


@dataclass
class BidData:
    """One bid's coefficients: per cell (index into the problem's cells) × plan option × tier."""

    bid: str
    tiers: list[tuple[float, float]]  # (lowest, highest) initial lines of each tier interval
    options: dict[str, list[str]]  # profile → usable plan ids
    per_cell: dict[tuple[int, str, int], float]  # (cell, plan, tier) → cost over the term (objective)
    recurring: dict[tuple[int, str, int], np.ndarray]  # (cell, plan, tier) → (Q,) a month's recurring
    fixed: float  # cost of being awarded at all
    slope: float  # cost per initial line (switching, portability)
    devices: np.ndarray | None  # (cells, T) device spend per month, when the bid has a fund
    fund: float
    pool: list[tuple[np.ndarray, dict[tuple[int, str], np.ndarray]]]  # per pooled component: weight (Q,), (cell, plan) → (Q,) demand − supply
    minimum: np.ndarray | None  # (Q,) the minimum spend × indexation per month, when set
    account: np.ndarray  # (Q,) the account fee of a month of each period
    month_weight: np.ndarray  # (Q,) months (or discount factors) of each period
    tax: float
    df: np.ndarray  # (T,) discount factors (ones for the TCO)


def _probe_bid(bid: Bid, profile: str, plan: str, percent: float, fixed: bool) -> Bid:
    spec = bid.spec
    fees = spec.fees.model_copy(update={"minimum_monthly_spend": 0.0, **({} if fixed else {
        "setup": 0.0, "account_monthly": 0.0})})
    discounts = spec.discounts.model_copy(update={
        "volume": [] if percent <= 0 else [VolumeTier(min_lines=0.0, percent=percent)],
        **({} if fixed else {"welcome_credit": 0.0})})
    changed = spec.model_copy(update={
        "offer": {profile: plan}, "fees": fees, "discounts": discounts,
        "devices": spec.devices.model_copy(update={"fund": 0.0}), "portability": Portability()})
    return bid.model_copy(update={"spec": changed})


class MilpSolver:
    """Builds each bid's coefficients once (engine probes), then one programme per set of rules."""

    def __init__(self, problem):
        self.problem = problem
        tender = problem.ev.tender
        self.tender = tender
        units = problem.units
        self.cells = [c for cells in units.cells for c in cells]
        self.unit_of = [u for u, cells in enumerate(units.cells) for _ in cells]
        self.fleet = fleet_of(tender)
        self.objective = problem.objective
        self.data = {b: self._bid_data(tender.bid(b)) for b in problem.candidates}

    # ------------------------------------------------------------------ coefficients
    def _weights(self, table) -> np.ndarray:
        df = table.discount_factors() if self.objective == "npv" else None
        return np.ones(self.fleet.term_months) if df is None else df

    def _probe(self, bid: Bid, profile: str, plan: str, percent: float, fixed: bool):
        spec = self.tender.spec
        profiles = [p for p in spec.profiles if p.id == profile]
        sub = spec.model_copy(update={"profiles": profiles, "switching": None, "award": None})
        probe = _probe_bid(bid, profile, plan, percent, fixed)
        table = compute_costs(Tender(folder=self.tender.folder, spec=sub, bids=(probe,)))
        return table if table.costed(bid.id) else None

    def _bid_data(self, bid: Bid) -> BidData:
        problem, fleet, tender = self.problem, self.fleet, self.tender
        N = problem.units.total
        regime_bid = problem.subs.sub_tender(bid, frozenset(self.cells)).bids[0]  # tiers fixed by the regime
        mins = sorted({t.min_lines for t in regime_bid.spec.discounts.volume if t.min_lines > 0})
        edges = [0.0, *[m for m in mins if m <= N]]
        integral = bool(np.all(np.mod(problem.units.lines, 1.0) == 0))
        gap = 0.5 if integral else 1e-6
        tiers = [(lo, (edges[i + 1] - gap) if i + 1 < len(edges) else N) for i, lo in enumerate(edges)]
        percents = [100.0 * volume_discount(regime_bid, lo) for lo, _ in tiers]
        tau = float(tax_on(tender.spec.non_recoverable_tax_percent, 1.0))
        fi = {p: i for i, p in enumerate(fleet.profiles)}
        ei = {e: i for i, e in enumerate(fleet.entities)}
        period = fleet.period_of_month
        Q = len(fleet.period_year)
        first = np.array([int(np.flatnonzero(period == q)[0]) for q in range(Q)])
        options: dict[str, list[str]] = {}
        per_cell: dict = {}
        recurring: dict = {}
        devices = np.zeros((len(self.cells), fleet.term_months))
        profiles = {p for p, _ in self.cells}
        offered = bid.spec.offer
        weights = None
        for p in fleet.profiles:
            if p not in profiles or p not in offered:
                continue
            plans = offered[p] if isinstance(offered[p], tuple) else (offered[p],)
            for plan in plans:
                for k, percent in enumerate(percents):
                    table = self._probe(bid, p, plan, percent, fixed=False)
                    if table is None:
                        break
                    if k == 0:
                        options.setdefault(p, []).append(plan)
                    weights = self._weights(table)
                    cube = table.cube[0]  # (T, 1, E, K)
                    add = [K[x] for x in PER_CELL if K[x] < cube.shape[-1]]  # v1.1 ones only when used
                    rec = [K[x] for x in RECURRING_PER_CELL if K[x] < cube.shape[-1]]
                    for c, (cp, ce) in enumerate(self.cells):
                        if cp != p:
                            continue
                        cell = cube[:, 0, ei[ce], :]
                        per_cell[(c, plan, k)] = (1 + tau) * float(weights @ cell[:, add].sum(axis=1))
                        recurring[(c, plan, k)] = cell[first][:, rec].sum(axis=1)
                        devices[c] = cell[:, K["devices"]]
        month_weight = np.bincount(period, weights=weights if weights is not None else None, minlength=Q)
        # Fixed charges: the engine's probe with them, less the probe without.
        fixed, account = 0.0, np.zeros(Q)
        some = next(((p, plans[0]) for p, plans in options.items()), None)
        if some is not None:
            with_fixed = self._probe(bid, some[0], some[1], percents[0], fixed=True)
            without = self._probe(bid, some[0], some[1], percents[0], fixed=False)
            keys = [K[x] for x in COMPONENTS[:with_fixed.cube.shape[-1]] if x not in ("tax", "switching")]
            diff = with_fixed.cube[0][..., keys].sum(axis=(1, 2)) - without.cube[0][..., keys].sum(axis=(1, 2))
            fixed = (1 + tau) * float(self._weights(with_fixed) @ diff.sum(axis=1))
            account = (with_fixed.cube[0][..., K["account_fees"]].sum(axis=(1, 2)))[first]
        # Switching and portability: affine in the initial lines n (f_b = n / N), challengers only.
        slope = 0.0
        if bid.id != tender.spec.incumbent:
            s = tender.spec.switching
            scaled = (lambda f: s.model_copy(update={"current_monthly_eur": s.current_monthly_eur * f,
                                                     "incumbent_exit_fee_eur": s.incumbent_exit_fee_eur * f})) \
                if s is not None else None
            def moving(n: float) -> float:
                f = n / N
                switching = 0.0 if s is None else float(sum(parts_of(scaled(f), n).values()))
                assumptions = scaled(f) if s is not None else Switching()
                return switching + (1 + tau) * float(portability_of(bid.spec.portability, assumptions, n))

            at0, atN = moving(0.0), moving(N)
            fixed += at0
            slope = (atN - at0) / N
        terms = terms_of(bid, fleet)
        pool = []
        for c_idx in np.flatnonzero(terms.pooled):
            rate = terms.pool_rate[c_idx]
            demand = fleet.demand[..., c_idx]  # (Q, P, E)
            total = demand.sum(axis=(1, 2))
            if rate <= 0 or not (total > 0).any():
                continue
            weight = (1 + tau) * rate * terms.kq * month_weight
            rows = {}
            for c, (cp, ce) in enumerate(self.cells):
                for plan in options.get(cp, []):
                    allowance = terms.plans.allowance[terms.plans.ids.index(plan), c_idx]
                    lines = fleet.period_lines[:, fi[cp], ei[ce]]
                    supply = total if np.isinf(allowance) else np.minimum(lines * allowance, total)
                    rows[(c, plan)] = demand[:, fi[cp], ei[ce]] - np.where(lines > 0, supply, 0.0)
            pool.append((weight, rows))
        minimum = None
        if bid.spec.fees.minimum_monthly_spend > 0:
            minimum = shortfall(bid, np.zeros(Q), terms.kq)  # the spend × indexation: shortfall of nothing
        fund = bid.spec.devices.fund
        if fund > 0 and self.objective == "npv" and np.any(np.diff(weights if weights is not None else [1.0]) > 0):
            raise TenderError.at(f"{tender.folder}/tender.yaml", "discount_rate", (
                "a negative discount rate with a device fund cannot be optimised exactly at this size "
                "(use objective: tco, or fewer units)"))
        return BidData(bid.id, tiers, options, per_cell, recurring, fixed, slope,
                       devices if fund > 0 else None, fund, pool, minimum, account, month_weight, tau,
                       weights if weights is not None else np.ones(fleet.term_months))

    # ------------------------------------------------------------------ the programme
    def _plans(self, d: BidData, k: int) -> dict[str, list[str]]:
        """The plans a profile may take in tier k: all usable ones for a pooled bid (the pool ties
        the profiles together), else the cheapest over the profile's cells (each cell's cost is
        its lines × the profile's cost per line, so the cheapest plan is the same for every set of
        the profile's cells; recurring charges are what differs, so no minimum spend prefers
        another)."""
        if d.pool:
            return d.options
        out = {}
        for p, plans in d.options.items():
            cells = [c for c, (cp, _) in enumerate(self.cells) if cp == p]
            out[p] = [min(plans, key=lambda j: sum(d.per_cell[(c, j, k)] for c in cells))]
        return out

    def solve(self, rules):
        problem = self.problem
        allowed = problem.allowed(rules)
        U, N = len(problem.units.ids), problem.units.total
        lines = problem.units.lines
        if any(not any(allowed[b][u] for b in allowed) for u in range(U)):
            return None
        if rules.incumbent_min_share > 0 and problem.incumbent is not None and problem.incumbent not in allowed:
            return None
        fixed = {problem.units.ids.index(uid): b for uid, b in rules.fixed}
        if any(not allowed.get(b, np.zeros(U, bool))[u] for u, b in fixed.items()):
            return None
        m = _Model()
        # One copy of each bid per volume tier it may reach (at most one copy awarded): x[u, b, k].
        x, w = {}, {}
        wb = {b: m.col(0.0, 0, 1, True) for b in allowed}  # the bid is awarded
        for b in allowed:
            d = self.data[b]
            for k, (lo, hi) in enumerate(d.tiers):
                units = [u for u in range(U) if allowed[b][u]]
                if lines[units].sum() < lo or hi < 0 or lo > rules.max_share * N * (1 + EPS) + EPS:
                    continue
                w[(b, k)] = m.col(d.fixed, 0, 1, True)
                for u in units:
                    x[(u, b, k)] = m.col(d.slope * lines[u], 1 if fixed.get(u) == b and len(d.tiers) == 1 else 0,
                                         1, True)
        for u in range(U):
            m.row({col: 1.0 for (uu, _, _), col in x.items() if uu == u}, 1.0, 1.0)
        for u, b in fixed.items():
            m.row({col: 1.0 for (uu, bb, _), col in x.items() if uu == u and bb == b}, 1.0, 1.0)
        for b in allowed:
            d = self.data[b]
            copies = [k for k in range(len(d.tiers)) if (b, k) in w]
            shared: dict = {}
            m.row({**{w[(b, k)]: 1.0 for k in copies}, wb[b]: -1.0}, 0.0, 0.0)
            n_all = {}
            for k in copies:
                lo, hi = d.tiers[k]
                xs = {u: col for (u, bb, kk), col in x.items() if bb == b and kk == k}
                n = {col: lines[u] for u, col in xs.items()}
                n_all.update(n)
                for col in xs.values():
                    m.row({col: 1.0, w[(b, k)]: -1.0}, -np.inf, 0.0)
                m.row({w[(b, k)]: 1.0, **{col: -1.0 for col in xs.values()}}, -np.inf, 0.0)
                low = max(lo, rules.min_share * N * (1 - EPS) - EPS,
                          problem.min_lines[b] * (1 - EPS) - EPS if rules.min_lines else 0.0)
                high = min(hi, rules.max_share * N * (1 + EPS) + EPS)
                m.row({**n, w[(b, k)]: -low}, 0.0, np.inf)
                m.row({**n, w[(b, k)]: -high}, -np.inf, 0.0)
                self._costs(m, d, k, xs, w[(b, k)], shared)
            if b == problem.incumbent and rules.incumbent_min_share > 0:
                m.row(n_all, rules.incumbent_min_share * N * (1 - EPS) - EPS, np.inf)
        m.row({col: 1.0 for col in wb.values()}, rules.min_operators, problem.max_operators(rules))
        # The programme's cost of an award is a lower bound of the engine's (its plan mix is free,
        # the engine's minimises the nominal cost: under `objective: npv` a pooled bid's mix can
        # differ). An award the engine costs more than the programme is excluded (a no-good cut)
        # and the search goes on below the best engine cost found: exact either way.
        best = self.problem.known(rules)
        m.deadline = time.monotonic() + MAX_AWARD_SECONDS
        while True:
            found = self._search(m, rules, allowed, wb, w, fixed, np.inf if best is None else best.cost + TOLERANCE)
            if found is None:
                return best
            values, objective = found
            owner = tuple(max(((bb, values[col]) for (uu, bb, _), col in x.items() if uu == u),
                              key=lambda e: e[1])[0] for u in range(U))
            broken = problem.check(owner, rules)
            if broken:
                raise self._unproven(f"the programme's award breaks {', '.join(broken)}")
            cost = 0.0
            for b in sorted(set(owner)):
                cost += problem.cost(b, [u for u in range(U) if owner[u] == b]).value(problem.objective)
            margin = TOLERANCE * len(set(owner))
            if cost < objective - margin:  # the programme is not a relaxation: no award is presented as optimal
                raise self._unproven(f"the programme costs its award {objective:.2f} and the engine {cost:.2f}")
            if best is None or cost < best.cost:
                best = Solution(owner, cost)
            if cost <= objective + margin:
                return best
            m.row({col: 1.0 for (uu, bb, _), col in x.items() if bb == owner[uu]}, -np.inf, U - 1)

    def _unproven(self, why: str) -> TenderError:
        return TenderError.at(f"{self.tender.folder}/tender.yaml", "award", (
            f"the award split could not be proven optimal ({why}): this tender has a cost term the "
            "programme does not model exactly; a coarser `unit` (fewer awards, costed one by one) avoids it"))

    def _search(self, m: _Model, rules, allowed: dict, wb: dict[str, int], w: dict, fixed: dict[int, str],
                upper: float):
        """The programme solved once per set of awarded bids that the rules allow and, within a set,
        once per choice of each awarded bid's tier, in the order of their LP bounds, until a bound
        reaches the best cost found: with the awarded bids and their tiers fixed, the operator
        count, the fixed charges and the tier copies no longer weaken the relaxation. ``upper``: the
        cost of an award known to satisfy the rules (+ the tie margin), or inf; each run looks
        only below the best so far. None: nothing cheaper than ``upper``."""
        problem = self.problem
        bids = list(allowed)
        must = set(fixed.values()) | ({problem.incumbent} if rules.incumbent_min_share > 0
                                      and problem.incumbent is not None else set())
        covers = {b: allowed[b] for b in bids}
        sets = []
        for size in range(max(1, rules.min_operators), min(len(bids), problem.max_operators(rules)) + 1):
            for chosen in itertools.combinations(bids, size):
                if must <= set(chosen) and np.logical_or.reduce([covers[b] for b in chosen]).all():
                    sets.append(chosen)
        if not sets:
            return None
        h = m.highs()
        m.file = f"{self.tender.folder}/tender.yaml"
        cols = np.array([wb[b] for b in bids], dtype=np.int32)
        bounded = []
        for chosen in sets:
            on = np.array([b in chosen for b in bids], dtype=float)
            m.bounds(h, cols, on, on)
            lp = m.run(h, relaxation=True)
            if lp is not None:
                bounded.append((lp[1], chosen, on))
        # Then, within each set, each awarded bid's volume tier fixed in turn (the tier copies are
        # what makes units fractional in the relaxation), again in the order of LP bounds.
        best, cutoff = None, upper
        copies = sorted(w)
        tier_cols = np.array([w[c] for c in copies], dtype=np.int32)
        for bound, chosen, on in sorted(bounded, key=lambda e: e[0]):
            if bound >= cutoff - 1e-9 * max(1.0, abs(cutoff)):
                break
            m.bounds(h, cols, on, on)
            options = [[c for c in copies if c[0] == b] for b in chosen]
            tiered = []
            for pick in itertools.product(*options):
                up = np.array([1.0 if c in pick else 0.0 for c in copies])
                m.bounds(h, tier_cols, up, up)
                lp = m.run(h, relaxation=True)
                if lp is not None and lp[1] < cutoff:
                    tiered.append((lp[1], up))
            for tier_bound, up in sorted(tiered, key=lambda e: e[0]):
                if tier_bound >= cutoff - 1e-9 * max(1.0, abs(cutoff)):
                    break
                m.bounds(h, tier_cols, up, up)
                found = m.run(h, relaxation=False, below=cutoff)
                if found is not None and found[1] < cutoff:
                    best, cutoff = found, found[1]
            m.bounds(h, tier_cols, np.zeros(len(copies)), np.ones(len(copies)))
        return best

    def _costs(self, m: _Model, d: BidData, k: int, xs: dict[int, int], awarded: int, shared: dict) -> None:
        """The cost terms of one tier copy of a bid: its cells under its plans, its pool, device
        fund and minimum spend."""
        plans = self._plans(d, k)
        if not shared and d.pool:  # a pooled bid's plan per profile, one choice whatever its tier
            shared.update({p: {j: m.col(0.0, 0, 1, True) for j in js} for p, js in plans.items() if len(js) > 1})
            for choice in shared.values():
                m.row({col: 1.0 for col in choice.values()}, 1.0, 1.0)
        y = shared if d.pool else {p: {j: m.col(0.0, 0, 1, True) for j in js} for p, js in plans.items()
                                   if len(js) > 1}
        use: dict[int, dict[str, int]] = {}  # cell → plan → its column (x itself with one plan)
        for c, (p, _) in enumerate(self.cells):
            u = self.unit_of[c]
            if u not in xs:
                continue
            if p not in y:
                j = plans[p][0]
                m.cost[xs[u]] += d.per_cell[(c, j, k)]
                use[c] = {j: xs[u]}
                continue
            cols = {j: m.col(d.per_cell[(c, j, k)], 0, 1, False) for j in plans[p]}
            use[c] = cols
            m.row({**{col: 1.0 for col in cols.values()}, xs[u]: -1.0}, 0.0, 0.0)
            for j, col in cols.items():
                m.row({col: 1.0, y[p][j]: -1.0}, -np.inf, 0.0)
        overage = []
        for weight, rows in d.pool:
            per_q = []
            for q in range(len(weight)):
                o = m.col(float(weight[q]), 0, np.inf, False)
                coefs = {o: 1.0}
                for c, cols in use.items():
                    for j, col in cols.items():
                        coefs[col] = coefs.get(col, 0.0) - float(rows[(c, j)][q])
                m.row(coefs, 0.0, np.inf)
                per_q.append((o, weight[q] / ((1 + d.tax) * d.month_weight[q]) if d.month_weight[q] else 0.0))
            overage.append(per_q)
        if d.devices is not None:  # the device fund, used earliest first
            us = [m.col(-(1 + d.tax) * float(d.df[t]), 0, np.inf, False) for t in range(len(d.df))]
            for t, ucol in enumerate(us):
                coefs = {ucol: 1.0}
                for c in use:
                    coefs[xs[self.unit_of[c]]] = coefs.get(xs[self.unit_of[c]], 0.0) - float(d.devices[c, t])
                m.row(coefs, -np.inf, 0.0)
            m.row({ucol: 1.0 for ucol in us}, -np.inf, d.fund)
        if d.minimum is not None:  # the minimum monthly spend: the shortfall of each period's month
            for q in range(len(d.minimum)):
                s = m.col((1 + d.tax) * float(d.month_weight[q]), 0, np.inf, False)
                coefs = {s: 1.0, awarded: -(float(d.minimum[q]) - float(d.account[q]))}
                for c, cols in use.items():
                    for j, col in cols.items():
                        coefs[col] = coefs.get(col, 0.0) + float(d.recurring[(c, j, k)][q])
                for per_q in overage:
                    o, rate_k = per_q[q]
                    coefs[o] = coefs.get(o, 0.0) + rate_k
                m.row(coefs, 0.0, np.inf)


class _Model:
    """A programme assembled column by column and row by row, solved by HiGHS."""

    def __init__(self):
        self.deadline = time.monotonic() + MAX_AWARD_SECONDS
        self.file = "tender.yaml"
        self.cost: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.rows: list[tuple[dict[int, float], float, float]] = []

    def col(self, cost: float, lower: float, upper: float, integer: bool) -> int:
        self.cost.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        self.integer.append(integer)
        return len(self.cost) - 1

    def row(self, coefs: dict[int, float], lower: float, upper: float) -> None:
        self.rows.append((coefs, lower, upper))

    def highs(self):
        """The programme in a HiGHS model, built once (then bounds change between runs)."""
        import highspy

        n, r = len(self.cost), len(self.rows)
        ri = [i for i, (coefs, _, _) in enumerate(self.rows) for _ in coefs]
        ci = [c for coefs, _, _ in self.rows for c in coefs]
        vi = [v for coefs, _, _ in self.rows for v in coefs.values()]
        matrix = sparse.csc_matrix((vi, (ri, ci)), shape=(r, n))
        inf = highspy.kHighsInf
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, r
        lp.col_cost_ = np.array(self.cost, dtype=float)
        lp.col_lower_ = np.array(self.lower, dtype=float)
        lp.col_upper_ = np.where(np.isinf(self.upper), inf, np.array(self.upper, dtype=float))
        lp.row_lower_ = np.array([-inf if np.isinf(lo) else lo for _, lo, _ in self.rows], dtype=float)
        lp.row_upper_ = np.array([inf if np.isinf(hi) else hi for _, _, hi in self.rows], dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = matrix.indptr.astype(np.int32)
        lp.a_matrix_.index_ = matrix.indices.astype(np.int32)
        lp.a_matrix_.value_ = matrix.data.astype(float)
        lp.integrality_ = [highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous
                           for i in self.integer]
        with _quiet():  # HiGHS may print when a model is made (scoring.plan_milp)
            h = highspy.Highs()
            h.setOptionValue("output_flag", False)
            h.setOptionValue("mip_rel_gap", 0.0)
            h.setOptionValue("mip_abs_gap", 0.004)
            h.passModel(lp)
        return h

    @staticmethod
    def bounds(h, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        h.changeColsBounds(len(cols), cols, lower, upper)

    def run(self, h, relaxation: bool, below: float = np.inf) -> tuple[np.ndarray, float] | None:
        """Solve (the LP relaxation, or the programme looking only below ``below``): the solution
        and its cost, None when there is none. A `TenderError` once `MAX_AWARD_SECONDS` are spent."""
        import highspy

        left = self.deadline - time.monotonic()
        if left <= 0:
            raise self._timeout()
        h.setOptionValue("time_limit", left)
        h.setOptionValue("solve_relaxation", relaxation)
        h.setOptionValue("objective_bound", float(below) if np.isfinite(below) else highspy.kHighsInf)
        with _quiet():
            h.run()
        status = h.getModelStatus()
        if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
            return None
        if status == highspy.HighsModelStatus.kTimeLimit:
            raise self._timeout()
        if status != highspy.HighsModelStatus.kOptimal:
            if np.isfinite(below) and status == highspy.HighsModelStatus.kObjectiveBound:
                return None
            raise TenderError.at(self.file, "award", (
                f"the award split could not be proven optimal: HiGHS ended with {h.modelStatusToString(status)}"))
        return np.asarray(h.getSolution().col_value), float(h.getInfo().objective_function_value)

    def _timeout(self) -> TenderError:
        return TenderError.at(self.file, "award", (
            f"the award split could not be proven optimal within {MAX_AWARD_SECONDS:g} s (environment variable "
            "FLEETBID_MAX_AWARD_SECONDS): fewer units (a coarser `unit`) or fewer plans per profile in pooled "
            "bids make it faster"))


__all__ = ["MilpSolver"]
