"""The layered search over the LP-reduced core: the plan-mix method of scoring/plans.py for
pooled bids with more mixes than it enumerates (`_core_search`).

1. The LP relaxation (HiGHS, through ``highspy``; scoring/plan_milp.py's `_Milp`) gives pool
   multipliers λ and, for any λ in
   [0, w], the Lagrangian bound ``λ·D + Σ_p min_j (s[p, j] − λ·a[p, j])``; its rounded and
   polished solution gives an upper bound U. A pair whose reduced penalty takes the bound
   above U + 0.005 is in no mix the contract can pick: it is dropped. The profiles left with
   several plans are the *core* (10 to 100 profiles on the 100,000-line bench tender); the
   others are held. Pool rows that every mix within U + 0.005 fills (`_covered`) are dropped too —
   with usage growth the last contract year is usually the only one that can be short.
2. A layered search over the core, last profile first (`_layers`): the states of each suffix
   are (cost, pool contribution) pairs; equal contributions keep the cheapest, a state that
   another dominates (it costs at least the other's cost plus ``Σ w·max(0, T − T_other)``) is
   dropped — in full when one pool row is left — and a state whose bound (the best of a
   family of λ: along the LP's, at the ratios where a profile's cheapest plan changes, along
   each row) exceeds U + 0.005 is dropped. Ties in the LP (every plan at the same price per
   GB, a subset sum) merge into few states here instead of the millions of nodes HiGHS's
   branch-and-bound spends on them. A quick pass keeping `BEAM` states a layer first finds a
   better U (a smaller core); whole mixes completed with the incumbent lower it as the
   search goes.
3. The minimum is the cheapest whole state; the tie rule is applied by greedy fixing, profile
   by profile in tender order: the first plan (offer order) for which some stored state of
   the remaining profiles keeps the mix within the minimum + 0.005.

Over `STATES_MAX` states in a layer, `EXPAND_MAX` floats in a layer before its pruning (the
peak memory) or `STORED_MAX` floats in all (pools with several rows
that each tie, for instance), the search returns None and hands over to the mixed-integer
programme (scoring/plans.py's `_milp`). These limits are read at each call, from this module.
"""

from __future__ import annotations

import numpy as np

from .plan_milp import _Milp, _polish
from .plan_problem import TIE_EUR, Clock, MixProblem

# States (partial mixes) one layer of the core search may hold (each is 1 + pool rows floats)
# before it hands over to the MILP; 0 hands over at once.
STATES_MAX = 400_000
# Floats all layers of one search may hold together (16M: 128 MB), over which it hands over too.
STORED_MAX = 16 * 1024 * 1024
# Floats of one layer's states before they are pruned (each state of the last layer times each
# option, 1 + pool rows floats each; 8M: 64 MB a copy), over which it hands over too: the
# pruning works on copies of that many, so this, not `STATES_MAX`, bounds the peak memory.
EXPAND_MAX = 8 * 1024 * 1024
# States per layer of the quick pass that looks for a good starting mix (not a proof).
BEAM = 256
# Rows of the bound computed at a time (rows × multipliers floats: bounds memory).
BOUND_ROWS = 16_384


class _Core:
    """The pooled problem reduced to its core, ready for the layered search (`_layers`).

    The LP relaxation gives multipliers λ (per unit of pool, 0 ≤ λ ≤ w) and, for any λ in that
    box, every mix costs at least ``λ·D + Σ_p min_j (s[p, j] − λ·a[p, j])`` (the overage
    ``w·max(0, D − T)`` is at least ``λ·(D − T)``); a pair whose own excess over that minimum
    (its reduced penalty) already takes the bound above an upper bound + 0.005 is in no mix
    the contract can pick. The profiles left with two plans or more are the core, in tender
    order; the others (and the profiles without a choice) are held at their only plan and
    make the constant ``c0`` and the pool's residual need ``R`` (per pool row that can still
    be short: rows that the core's smallest contributions already cover, or that every mix
    within ``threshold`` fills (`_covered`), are dropped). The core's options are padded to
    the longest list: ``S`` (core, width) costs inf where an option is missing, ``A`` (core,
    width, rows) its capped pool contributions."""

    def __init__(self, problem: MixProblem, choice: np.ndarray, core: list[int], opts: list[np.ndarray],
                 lam: np.ndarray, threshold: float):
        held = np.ones(len(choice), dtype=bool)
        held[core] = False
        rows = np.flatnonzero(held)
        self.problem, self.choice, self.core, self.opts = problem, choice, core, opts
        self.c0 = float(problem.s[rows, choice[rows]].sum())
        n_rows = problem.D.size
        T0 = problem.a[rows, choice[rows]].reshape(len(rows), n_rows).sum(axis=0)
        R = np.maximum(0.0, problem.D.ravel() - T0)
        W = problem.w.ravel()
        # Core options padded to the longest list: a missing option costs inf and adds nothing.
        n, width = len(core), max((len(o) for o in opts), default=1)
        plan = np.full((n, width), -1)
        for k, o in enumerate(opts):
            plan[k, : len(o)] = o
        there = plan >= 0
        prof = np.broadcast_to(np.asarray(core, dtype=int)[:, None], plan.shape)
        S = np.where(there, problem.s[prof, np.maximum(plan, 0)], np.inf)
        A = np.where(there[..., None], np.minimum(problem.a[prof, np.maximum(plan, 0)].reshape(n, width, n_rows), R), 0.0)
        reach = np.where(there[..., None], A, np.inf).min(axis=1).sum(axis=0) if n else np.zeros(n_rows)
        act = (R > 0) & (W > 0) & (reach < R)
        act[act] = ~_covered(threshold - self.c0, S, A[..., act], R[act], W[act], np.clip(lam[act], 0.0, W[act]))
        self.R, self.W, self.S, self.A = R[act], W[act], S, A[..., act]
        self.lam = np.clip(lam[act], 0.0, self.W)
        self.multipliers = self._multipliers()

    def overage(self, T: np.ndarray) -> np.ndarray:
        """The pool's cost for core contributions ``T`` (..., rows), the held profiles' included."""
        return (self.W * np.maximum(0.0, self.R - T)).sum(axis=-1)

    def _multipliers(self) -> np.ndarray:
        """Multipliers λ for the bounds: along the LP's λ (and along w), at the ratios where a
        profile's cheapest plan under λ changes (so the bound of each partial mix is close to
        its LP bound), and a few along each pool row alone. Any λ in [0, w] gives a valid bound."""
        W, M = self.W, len(self.W)
        if M == 0:
            return np.zeros((1, 0))
        family = [self.lam[None]]
        directions = [self.W / self.W.max()]
        if self.lam.max() > 0:
            directions.insert(0, self.lam / self.lam.max())
        for d in directions:
            top = float(np.min(W[d > 0] / d[d > 0]))
            x = np.where(np.isfinite(self.S), self.A @ d, np.inf)  # (n, width)
            order = np.argsort(x, axis=1, kind="stable")
            with np.errstate(invalid="ignore"):  # inf - inf where options are missing: dropped below
                dx = np.diff(np.take_along_axis(x, order, axis=1), axis=1)
                ds = np.diff(np.take_along_axis(self.S, order, axis=1), axis=1)
            ok = np.isfinite(dx) & np.isfinite(ds) & (dx > 0)
            grid = np.unique(np.clip(ds[ok] / dx[ok], 0.0, top))
            if len(grid) > 48:
                grid = grid[np.linspace(0, len(grid) - 1, 48).round().astype(int)]
            family.append(np.concatenate([[0.0, top], grid])[:, None] * d[None])
        steps = np.linspace(0.0, 1.0, 9)
        for m in range(M):
            row = np.zeros((len(steps), M))
            row[:, m] = steps * W[m]
            family.append(row)
        return np.unique(np.concatenate(family), axis=0)


def _covered(budget: float, S: np.ndarray, A: np.ndarray, R: np.ndarray, W: np.ndarray,
             lam: np.ndarray) -> np.ndarray:
    """The pool rows that every mix of the core costing at most ``budget`` (its own share of
    the threshold) fills: they can never be short there, so they are left out of the search.

    With λ zero on the rows left out (so the same holds of the cost without them), a mix
    within the budget has ``Σ_k (s_k − λ·a_k) ≤ budget − λ·R``; hence for every μ ≥ 0 its
    contribution to row m is at least ``Σ_k min_j (a_kjm + μ·(s_kj − λ·a_kj)) − μ·(budget −
    λ·R)``. A row whose best such bound reaches its need ``R_m`` is covered. (S, A: the
    core's padded options, (n, width) and (n, width, rows).)"""
    covered = np.zeros(len(R), dtype=bool)
    if not len(S):
        return covered
    mu = np.logspace(-9, 3, 97)[:, None, None]
    for m in np.argsort(lam, kind="stable"):
        trial = covered.copy()
        trial[m] = True
        for lam_t in (lam, W, (lam + W) / 2):
            lam_t = np.where(trial, 0.0, lam_t)
            spare = budget - float(lam_t @ R)
            low = np.min(A[None, :, :, m] + mu * (S - A @ lam_t)[None], axis=2).sum(axis=1)
            if np.max(low - mu[:, 0, 0] * spare) >= R[m] * (1 + 1e-9) + 1e-9:
                covered = trial
                break
    return covered


def _prune(c: np.ndarray, T: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Drop the states no completion can prefer: a state is dominated by another that costs at
    most its cost plus ``Σ w·max(0, T − T_other)`` (whatever the rest of the mix, the other does
    at least as well). Equal contributions keep the cheapest; with one pool row the dominance
    is applied in full (two running minima over the states sorted by contribution). Every
    state dropped has a kept one that dominates it: a chain of drops lowers the cost at each
    step taken against the contribution order, so it cannot come back to where it started."""
    if len(c) <= 1:
        return c, T
    order = np.lexsort((c, *T.T[::-1]))
    c, T = c[order], T[order]
    first = np.concatenate([[True], np.any(T[1:] != T[:-1], axis=1)])
    c, T = c[first], T[first]
    if T.shape[1] == 1 and len(c) > 1:
        t = T[:, 0]
        after = np.minimum.accumulate(c[::-1])[::-1]  # cheapest with a contribution ≥ (ascending t)
        worse = np.concatenate([c[:-1] >= after[1:], [False]])
        g = c - W[0] * t
        before = np.minimum.accumulate(g)
        # Strictly below, by more than g's rounding: two states a few ulps apart must not
        # drop each other (one by the first rule, the other by this one).
        tol = 64 * np.finfo(float).eps * float(np.abs(c).max() + W[0] * np.abs(t).max())
        worse |= np.concatenate([[False], before[:-1] < g[1:] - tol])
        c, T = c[~worse], T[~worse]
    return c, T


def _layers(core: _Core, threshold: float, clock: Clock, beam: int | None = None,
            incumbent: np.ndarray | None = None) -> list | None:
    """The states of every suffix of the core, last profile first: ``layers[k]`` holds the
    (cost, contribution) of the mixes of core profiles k.. that some completion can keep
    within ``threshold`` (by the λ bounds), less dominated ones; None over `STATES_MAX` in
    a layer, `EXPAND_MAX` floats in a layer before pruning or `STORED_MAX` floats in all.
    With ``beam``, only that many states with the lowest bounds are kept per layer (a quick
    search for a good mix, not a proof). With an ``incumbent`` mix, each layer's states are
    also completed with the incumbent's plans for the earlier core profiles: whole mixes, whose
    cheapest lowers the threshold for the layers still to come when it is below it."""
    lam = core.multipliers
    n, M = len(core.core), len(core.R)
    lam_R = lam @ core.R
    reduced = np.min(core.S[None] - np.einsum("lm,kjm->lkj", lam, core.A), axis=2)  # (multipliers, n)
    before = np.concatenate([np.zeros((len(lam), 1)), np.cumsum(reduced, axis=1)], axis=1)
    c, T = np.zeros(1), np.zeros((1, M))
    layers: list = [None] * (n + 1)
    layers[n] = (c, T)
    stored = 0
    done_s, done_T = None, None
    if incumbent is not None:
        at = np.array([int(np.flatnonzero(o == incumbent[p])[0]) if np.any(o == incumbent[p]) else -1
                       for p, o in zip(core.core, core.opts)], dtype=int)
        if n and (at >= 0).all():
            rows = np.arange(n)
            done_s = np.concatenate([[0.0], np.cumsum(core.S[rows, at])])
            done_T = np.concatenate([np.zeros((1, M)), np.cumsum(core.A[rows, at], axis=0)])
    for k in range(n - 1, -1, -1):
        if len(c) * core.S.shape[1] * (1 + M) > EXPAND_MAX:  # the next layer before any pruning
            return None
        c = (c[:, None] + core.S[k][None]).ravel()
        T = np.minimum(T[:, None, :] + core.A[k][None], core.R).reshape(len(c), M)
        base = lam_R + before[:, k]
        bound = core.c0 + c + _best_line(base, lam, T)
        kept = bound <= threshold  # a missing option costs inf: never kept
        c, T = _prune(c[kept], T[kept], core.W)
        if beam is not None and len(c) > beam:
            bound = core.c0 + c + _best_line(base, lam, T)
            best = np.sort(np.argsort(bound, kind="stable")[:beam])
            c, T = c[best], T[best]
        elif len(c) > STATES_MAX:
            return None
        stored += c.size + T.size
        if stored > STORED_MAX:
            return None
        if done_s is not None and len(c):
            whole = float((core.c0 + done_s[k] + c + core.overage(T + done_T[k])).min())
            threshold = min(threshold, _threshold_slack(whole))
        layers[k] = (c, T)
        clock.left()
    return layers


def _best_line(base: np.ndarray, lam: np.ndarray, T: np.ndarray) -> np.ndarray:
    """``max_l (base_l − λ_l·T)`` for each row of ``T`` (the best of the Lagrangian bounds).
    With one pool row the lines' upper envelope is built once and each state looks up its
    line (log of the lines, not all of them); any line is a valid bound, so rounding in the
    envelope can only weaken the bound, never make it wrong."""
    if T.shape[1] != 1 or len(base) <= 4:
        out = np.empty(len(T))
        for lo in range(0, len(T), BOUND_ROWS):
            hi = min(len(T), lo + BOUND_ROWS)
            out[lo:hi] = np.max(base[None] - T[lo:hi] @ lam.T, axis=1) if len(base) else 0.0
        return out
    slope, cut = -lam[:, 0], base
    order = np.lexsort((cut, slope))  # slope ascending; of equal slopes the highest comes last
    hull: list[int] = []
    for i in order.tolist():
        if hull and slope[hull[-1]] == slope[i]:
            hull.pop()
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            # b is never the highest if i overtakes a no later than b does
            if (cut[a] - cut[i]) * (slope[b] - slope[a]) <= (cut[a] - cut[b]) * (slope[i] - slope[a]):
                hull.pop()
            else:
                break
        hull.append(i)
    h = np.asarray(hull)
    breaks = (cut[h[:-1]] - cut[h[1:]]) / (slope[h[1:]] - slope[h[:-1]])
    line = h[np.searchsorted(breaks, T[:, 0])]
    return cut[line] + slope[line] * T[:, 0]


def _threshold_slack(upper: float) -> float:
    """The search's threshold over an upper bound: the tie margin and room for rounding."""
    return upper + TIE_EUR + 1e-9 * abs(upper) + 1e-6


def _first_within(core: _Core, layers: list, threshold: float) -> np.ndarray | None:
    """The tie rule on the core: profile by profile in tender order, the first plan (in offer
    order) that some completion in the next layer keeps within ``threshold``."""
    choice = core.choice.copy()
    cost, T = core.c0, np.zeros(len(core.R))
    for k, p in enumerate(core.core):
        rest_c, rest_T = layers[k + 1]
        for i, j in enumerate(core.opts[k]):
            here = T + core.A[k][i]
            total = cost + core.S[k][i] + rest_c + core.overage(np.minimum(here + rest_T, core.R))
            if total.size and total.min() <= threshold:
                choice[p] = j
                cost, T = cost + core.S[k][i], np.minimum(here, core.R)
                break
        else:
            return None
    return choice


def _core_of(model: _Milp, pen: np.ndarray, low: float, lam: np.ndarray, upper: float) -> _Core:
    """The core under an upper bound: pairs whose bound ``low + pen`` exceeds it + 0.005 dropped."""
    pairs = model.pairs
    limit = _threshold_slack(upper)  # the tie margin, and rounding in the bound and the costs
    keep = low + pen <= limit
    keep[np.lexsort((pen, pairs.row))[pairs.start[:-1]]] = True  # each profile keeps its cheapest pair
    per = np.add.reduceat(keep.astype(int), pairs.start[:-1])
    choice = model.base.copy()
    single = keep & (per[pairs.row] == 1)
    choice[pairs.prof[single]] = pairs.plan[single]
    multi = keep & (per[pairs.row] > 1)
    rows = np.flatnonzero(per > 1)
    core = [model.free[i] for i in rows.tolist()]
    opts = np.split(pairs.plan[multi], np.cumsum(per[rows])[:-1]) if len(rows) else []
    return _Core(model.problem, choice, core, opts, lam, limit)


def _core_search(problem: MixProblem, model: _Milp, clock: Clock) -> np.ndarray | None:
    """The contract's mix by a layered search over the core (`_Core`), or None when a layer
    holds more than `STATES_MAX` states (then the MILP decides).

    1. LP relaxation → multipliers, each pair's reduced penalty, a lower bound; its rounded,
       polished solution → an upper bound. 2. A quick beam search over the core finds a mix
       usually at the minimum (a better upper bound: a smaller core). 3. The exact search: the
       states of every suffix of the core (in tender order), pruned by the λ bounds against
       the upper bound + 0.005 and by dominance; the minimum is the cheapest whole state.
    4. The tie rule by greedy fixing in tender order, each plan checked against the stored
       suffix states: the first plan with a completion within the minimum + 0.005."""
    if STATES_MAX <= 0:
        return None
    solved = model.relaxation_solution()
    if solved is None:
        return None
    x, duals = solved
    pairs = model.pairs
    lam_rows = np.clip(duals, 0.0, model.cost[model.n_x:])
    r = model.cost[: model.n_x] - model.share @ lam_rows
    r_min = np.minimum.reduceat(r, pairs.start[:-1])
    pen = r - r_min[pairs.row]
    low = model.offset + float(lam_rows.sum()) + float(r_min.sum())
    lam = np.zeros(problem.D.size)
    lam[model.active.ravel()] = lam_rows / model.res
    incumbent = _polish(problem, pairs.choice(model.base, x), model.free, clock)
    upper = problem.cost(incumbent[None, :])[0]
    if low > _threshold_slack(upper):  # a bound above a real mix: the LP is off, the MILP decides
        return None
    core = _core_of(model, pen, low, lam, upper)
    quick = _layers(core, upper + TIE_EUR, clock, beam=BEAM)
    if quick is not None and len(quick[0][0]):
        found = float((core.c0 + quick[0][0] + core.overage(quick[0][1])).min())
        mix = _first_within(core, quick, found + 1e-9 * abs(found) + 1e-7)
        if mix is not None:
            cost = problem.cost(mix[None, :])[0]
            if cost < upper:
                upper, incumbent = cost, mix
                core = _core_of(model, pen, low, lam, upper)
    layers = _layers(core, _threshold_slack(upper), clock, incumbent=incumbent)
    if layers is None or not len(layers[0][0]):
        return None
    best = float((core.c0 + layers[0][0] + core.overage(layers[0][1])).min())
    return _first_within(core, layers, best + TIE_EUR)
