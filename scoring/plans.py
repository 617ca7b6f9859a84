"""The best plan mix of a bid when it offers a list of plans for a profile.

The contract: the assignment profile → plan is fixed for the term, chosen for the bid as a
whole to minimise its nominal (undiscounted) cost; among mixes costing at most the minimum
+ 0.005, the first in lexicographic order wins (profiles in tender order, plans in offer
order). Costs split into a separable part ``s[p, j]`` (subscriptions and per-line usage of
profile p on plan j over the term) and the pool: for each pooled component c and contract
year y, ``w[c, y] * max(0, D[c, y] - Σ_p a[p, j_p, c, y])`` where D is the fleet's usage,
``a`` what the chosen plan puts in the pool (capped at D: any contribution of D or more
already empties the overage, so capping is exact and keeps the numbers well scaled) and
``w`` the overage rate × indexation × months in that year.

Methods, all exact: without a pool the cost separates (cheapest plan per profile); with a
pool and few combinations (`ENUMERATE_MAX`) they are enumerated in lexicographic order;
otherwise `_core_search`:

1. The LP relaxation (HiGHS, through ``highspy``) gives pool multipliers λ and, for any λ in
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
that each tie, for instance), the search hands over to a mixed-integer programme: HiGHS finds
the minimum, a 1-swap polish removes solver-tolerance slack, and the lexicographic tie rule is
applied by re-solving with each earlier plan fixed — the models are built once and fixings are
bound changes — pruned by LP reduced-cost bounds, then by the LP under the fixings. Costs the
search compares are sums in floating point (a few 1e-9 of the bid's cost apart from
`MixProblem.cost`); the mix returned is the same as enumeration's except on mixes that cost
the minimum + 0.005 to within that rounding, which the contract's cent cannot tell apart.

Guards (docs/reliability.md §3): the search for one bid has a time budget,
``FLEETBID_MAX_SOLVER_SECONDS`` (60 s), shared by every step — enumeration, each layer of the
core search, each HiGHS call (given what is left as its own time limit), the polish and the
tie-rule re-solves. When it runs
out, `PlanMixTimeout` is raised: a mix found so far is not proven the contract's (the minimum,
then the first in lexicographic order), and the cost, the ranking and the award depend on it,
so no mix is returned. Mixes are costed in chunks whose largest temporary (mixes × profiles ×
pooled components × years) stays under ``CHUNK_BYTES``, so memory does not grow with the
number of mixes; each mix's cost is the same to the bit whatever the chunk.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .archive import env_limit

TIE_EUR = 0.005
ENUMERATE_MAX = 50_000
# Seconds the search may take for one bid (read at each call, so a test may lower it).
MAX_SOLVER_SECONDS = env_limit("FLEETBID_MAX_SOLVER_SECONDS", 60)
# Bytes of the largest temporary when mixes are costed in bulk (bounds memory, not input).
CHUNK_BYTES = 32 * 1024 * 1024


class PlanMixTimeout(Exception):
    """The plan mix could not be proven the contract's within the time budget."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"the plan mix could not be proven optimal within {seconds:g} s")


class PlanMixFailure(Exception):
    """The solver stopped without an answer for a reason other than time (HiGHS's status named):
    no mix is presented as the contract's."""


@dataclass
class Clock:
    """The time left of one bid's budget; `left` raises `PlanMixTimeout` once it is spent."""

    seconds: float
    start: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        left = self.seconds - (time.monotonic() - self.start)
        if left <= 0:
            raise PlanMixTimeout(self.seconds)
        return left


def _clock(clock: Clock | None) -> Clock:
    return clock if clock is not None else Clock(MAX_SOLVER_SECONDS)


_STDOUT = threading.Lock()
try:  # the C library's fflush, to empty C stdio buffers (HiGHS's printf) before fd 1 comes back
    _LIBC = ctypes.CDLL(None) if os.name == "posix" else None
except OSError:  # pragma: no cover
    _LIBC = None


def _flush_c_stdio() -> None:
    if _LIBC is not None:
        _LIBC.fflush(None)


@contextmanager
def _quiet() -> Iterator[None]:
    """File descriptor 1 sent to the null device while HiGHS runs: the HiGHS built into SciPy
    printf's a debug line (``HighsMipSolverData::transformNewIntegerFeasibleSolution
    tmpSolver.run();``) to the process's standard output on hard programmes, whatever its
    output options (ERGO-Code/HiGHS#2783), which would corrupt ``--json`` output and break the
    one-line error contract. C stdio buffers are flushed on both sides of the window, so what
    HiGHS printed goes to the null device and nothing else does. One HiGHS call at a time, so
    saves and restores nest."""
    with _STDOUT:
        try:
            sys.stdout.flush()
        except (AttributeError, ValueError, OSError):
            pass
        _flush_c_stdio()
        saved = os.dup(1)
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, 1)
            yield
        finally:
            _flush_c_stdio()
            os.dup2(saved, 1)
            os.close(null)
            os.close(saved)


@dataclass(frozen=True)
class MixProblem:
    options: tuple[tuple[int, ...], ...]  # usable plan indices per profile, in offer order
    s: np.ndarray  # (P, J) separable cost, euros over the term
    a: np.ndarray  # (P, J, C, Y) pool contribution, capped at D
    D: np.ndarray  # (C, Y) fleet usage of each pooled component
    w: np.ndarray  # (C, Y) euros per unit of pool overage

    def cost(self, choice: np.ndarray) -> np.ndarray:
        """Exact cost of assignments ``choice`` (N, P) of plan indices → (N,)."""
        return self.costs(len(choice), lambda lo, hi: choice[lo:hi])

    def costs(self, n: int, mixes: Callable[[int, int], np.ndarray], clock: Clock | None = None) -> np.ndarray:
        """Exact cost of ``n`` mixes, ``mixes(lo, hi)`` giving rows lo..hi-1 as (hi-lo, P) plan
        indices; built and costed a chunk at a time (the time budget checked between chunks)."""
        per_mix = 8 * self.s.shape[0] * (1 + self.D.size)  # a mix's row and its (P, C, Y) gather
        step = max(1, CHUNK_BYTES // per_mix)
        out = np.empty(n)
        for lo in range(0, n, step):
            if clock is not None and lo:
                clock.left()
            hi = min(n, lo + step)
            out[lo:hi] = self._cost(mixes(lo, hi))
        return out

    def _cost(self, choice: np.ndarray) -> np.ndarray:
        rows = np.arange(choice.shape[1])
        sep = self.s[rows, choice].sum(axis=1)
        if self.D.size == 0:
            return sep
        contrib = self.a[rows, choice].sum(axis=1)  # (N, C, Y)
        return sep + (self.w * np.maximum(0.0, self.D - contrib)).sum(axis=(1, 2))


def choose_plans(problem: MixProblem, clock: Clock | None = None) -> np.ndarray:
    """The contract's plan mix: index of the chosen plan for each profile. Raises
    `PlanMixTimeout` when it cannot be proven within the time budget (`MAX_SOLVER_SECONDS`)."""
    clock = _clock(clock)
    options = problem.options
    first = np.array([opts[0] for opts in options])
    free = [p for p, opts in enumerate(options) if len(opts) > 1]
    if not free:
        return first
    pooled = problem.D.size > 0 and bool(np.any((problem.w > 0) & (problem.D > 0)))
    if not pooled:
        return _separable(problem, first, free)
    n_mixes = int(np.prod([len(options[p]) for p in free], dtype=float))
    if n_mixes <= ENUMERATE_MAX:
        return _enumerate(problem, first, free, clock)
    return _milp(problem, first, free, clock)


def _separable(problem: MixProblem, choice: np.ndarray, free: list[int]) -> np.ndarray:
    choice = choice.copy()
    slack = TIE_EUR
    for p in free:
        costs = problem.s[p, list(problem.options[p])]
        extra = costs - costs.min()
        k = int(np.argmax(extra <= slack))
        slack -= extra[k]
        choice[p] = problem.options[p][k]
    return choice


def _enumerate(problem: MixProblem, choice: np.ndarray, free: list[int], clock: Clock | None = None) -> np.ndarray:
    sizes = [len(problem.options[p]) for p in free]
    plans = [np.asarray(problem.options[p]) for p in free]

    def mixes(lo: int, hi: int) -> np.ndarray:
        # C order is itertools.product order: lexicographic, first profile first.
        idx = np.unravel_index(np.arange(lo, hi), sizes)
        rows = np.repeat(choice[None, :], hi - lo, axis=0)
        for col, p in enumerate(free):
            rows[:, p] = plans[col][idx[col]]
        return rows

    costs = problem.costs(int(np.prod(sizes)), mixes, _clock(clock))
    best = int(np.argmax(costs <= costs.min() + TIE_EUR))
    return mixes(best, best + 1)[0]


class _Pairs:
    """The (profile, plan) pairs of the free profiles, as arrays in tender then offer order:
    ``prof[k]``, ``plan[k]``, the free profile's row ``row[k]``, and each free profile's
    pairs ``start[i]:start[i + 1]``."""

    def __init__(self, problem: MixProblem, free: list[int]):
        sizes = np.array([len(problem.options[p]) for p in free])
        self.prof = np.repeat(np.asarray(free), sizes)
        self.plan = np.concatenate([np.asarray(problem.options[p]) for p in free])
        self.row = np.repeat(np.arange(len(free)), sizes)
        self.start = np.concatenate([[0], np.cumsum(sizes)])

    def choice(self, base: np.ndarray, x: np.ndarray) -> np.ndarray:
        """The mix a solution ``x`` of the pair variables picks (its largest pair per profile)."""
        order = np.lexsort((-x, self.row))  # by profile, largest first, ties in offer order
        picked = order[self.start[:-1]]
        choice = base.copy()
        choice[self.prof[picked]] = self.plan[picked]
        return choice


def _highs():
    import highspy  # here, not at import: only pooled bids with many mixes need it

    return highspy


class _Milp:
    """The mixed-integer programme over the free profiles (other profiles held fixed), and its
    LP relaxation, each a HiGHS model built once; fixings are column-bound changes, so each
    re-solve starts from the last basis instead of a new model.

    Variables: ``x[k]`` (pair k chosen) and, for each pooled component × year still short
    once the fixed profiles have contributed, the overage ``o`` in units of that residual need.
    Rows: one plan per free profile, and ``Σ_k min(a_k, res) / res · x_k + o ≥ 1`` per pool.
    The objective is each pair's cost above its profile's cheapest plan (a constant, `offset`,
    taken out: better scaled, with the held profiles' costs) plus ``w · res · o``."""

    def __init__(self, problem: MixProblem, base: np.ndarray, free: list[int], clock: Clock):
        highspy = _highs()
        self.problem, self.base, self.free, self.clock = problem, base, free, clock
        self.pairs = pairs = _Pairs(problem, free)
        held = np.ones(len(base), dtype=bool)
        held[free] = False
        contrib = problem.a[held, base[held]].sum(axis=0) if held.any() else np.zeros_like(problem.D)
        residual = np.maximum(0.0, problem.D - contrib)
        active = (residual > 0) & (problem.w > 0)
        res = residual[active]
        n_free, n_x, n_o = len(free), len(pairs.prof), int(active.sum())
        s = problem.s[pairs.prof, pairs.plan]
        s_min = np.minimum.reduceat(s, pairs.start[:-1])
        # The held profiles' own costs too: the LP's value is then a bound on the whole mix's
        # cost (without them it is one only while no held cost is negative).
        held_s = problem.s[held, base[held]] if held.any() else np.zeros(0)
        self.offset = float(sum(s_min.tolist()) + sum(held_s.tolist()))
        cost = np.concatenate([s - s_min[pairs.row], (problem.w * residual)[active]])
        # Column-wise matrix: each x column has its profile's row and its pool rows, each o
        # column its pool row (overage, in units of the residual need).
        share = np.minimum(problem.a[pairs.prof, pairs.plan][:, active], res) / res  # (n_x, n_o)
        values = np.concatenate([np.ones((n_x, 1)), share], axis=1)
        rows = np.concatenate([pairs.row[:, None], np.broadcast_to(n_free + np.arange(n_o), (n_x, n_o))], axis=1)
        kept = values != 0
        counts = np.concatenate([kept.sum(axis=1), np.ones(n_o, dtype=int)])
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_x + n_o, n_free + n_o
        lp.col_cost_ = cost
        lp.col_lower_ = np.zeros(n_x + n_o)
        lp.col_upper_ = np.ones(n_x + n_o)
        lp.row_lower_ = np.ones(n_free + n_o)
        lp.row_upper_ = np.concatenate([np.ones(n_free), np.full(n_o, highspy.kHighsInf)])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
        lp.a_matrix_.index_ = np.concatenate([rows[kept], n_free + np.arange(n_o)]).astype(np.int32)
        lp.a_matrix_.value_ = np.concatenate([values[kept], np.ones(n_o)])
        self.cost, self.share, self.n_free = cost, share, n_free
        self.active, self.res = active, res
        self.relaxation = self._model(highspy, lp)
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n_x + [highspy.HighsVarType.kContinuous] * n_o
        self.mip = self._model(highspy, lp)
        self.mip.setOptionValue("mip_rel_gap", 0.0)
        self.n_x = n_x
        self.status = highspy.HighsModelStatus

    @staticmethod
    def _model(highspy, lp):
        with _quiet():  # HiGHS ≥ 1.16 prints its banner when a model is made, before any option is set
            model = highspy.Highs()
            model.setOptionValue("output_flag", False)
            model.passModel(lp)
        return model

    def fix(self, ks: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        """Set the bounds of pair columns ``ks`` in both models."""
        ks = np.asarray(ks, dtype=np.int32)
        for model in (self.relaxation, self.mip):
            model.changeColsBounds(len(ks), ks, np.asarray(lower, float), np.asarray(upper, float))

    def _run(self, model, **options) -> object | None:
        """Run a model within what is left of the budget: its solution, or None when it has
        none (infeasible, or nothing under an objective bound)."""
        model.setOptionValue("time_limit", self.clock.left())
        for name, value in options.items():
            model.setOptionValue(name, value)
        with _quiet():
            model.run()
        status = model.getModelStatus()
        if status == self.status.kTimeLimit:  # stopped at the limit: whatever it found is unproven
            raise PlanMixTimeout(self.clock.seconds)
        if status in (self.status.kInfeasible, self.status.kObjectiveBound):  # no mix, or none under the bound
            self.clock.left()
            return None
        if status != self.status.kOptimal:  # memory, solver or model errors: never read as "no mix"
            raise PlanMixFailure(f"the plan-mix solver stopped without an answer ({model.modelStatusToString(status)})")
        return model

    def solve(self, below: float = np.inf) -> np.ndarray | None:
        """The cheapest mix under the current fixings (None if there is none costing at most
        ``below``, in euros)."""
        model = self._run(self.mip, objective_bound=below - self.offset if np.isfinite(below) else np.inf)
        if model is None:
            return None
        x = np.asarray(model.getSolution().col_value)[: self.n_x]
        return self.pairs.choice(self.base, x)

    def lower_bound(self) -> float:
        """The LP relaxation's cost under the current fixings (inf when infeasible)."""
        model = self._run(self.relaxation)
        return np.inf if model is None else model.getInfo().objective_function_value + self.offset

    def relaxation_solution(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The LP relaxation's pair values and pool-row duals (None when it has no solution)."""
        model = self._run(self.relaxation)
        if model is None:
            return None
        solution = model.getSolution()
        return (np.asarray(solution.col_value)[: self.n_x], np.asarray(solution.row_dual)[self.n_free:])

    def reduced_cost_bounds(self) -> np.ndarray:
        """LP bound on the cost of forcing each pair: LP* + its reduced cost."""
        model = self._run(self.relaxation)
        if model is None:
            return np.full(self.n_x, -np.inf)
        duals = np.asarray(model.getSolution().col_dual)[: self.n_x]
        return model.getInfo().objective_function_value + self.offset + np.maximum(duals, 0.0)


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


def _polish(problem: MixProblem, choice: np.ndarray, free: list[int], clock: Clock | None = None) -> np.ndarray:
    """Take any single-profile swap that is cheaper by more than the tie margin (the cheapest
    first, the first in pair order among equals), until none is. Each swap's saving is
    computed from the current pool total (a pair's contribution out, the other's in), so a
    round costs pairs × pool rows, not pairs × profiles."""
    clock = _clock(clock)
    if not free:
        return choice
    pairs = _Pairs(problem, free)
    choice = choice.copy()
    rows = np.arange(len(choice))
    n_rows = problem.D.size
    a = problem.a.reshape(problem.a.shape[0], problem.a.shape[1], n_rows)
    D, w = problem.D.ravel(), problem.w.ravel()
    pair_s, pair_a = problem.s[pairs.prof, pairs.plan], a[pairs.prof, pairs.plan]
    while True:
        clock.left()
        T = a[rows, choice].sum(axis=0)
        held = choice[pairs.prof]
        swapped = T - a[pairs.prof, held] + pair_a
        saving = (pair_s - problem.s[pairs.prof, held] + (w * np.maximum(0.0, D - swapped)).sum(axis=1)
                  - (w * np.maximum(0.0, D - T)).sum())
        saving[pairs.plan == held] = np.inf
        best = int(np.argmin(saving))
        if not saving[best] < -TIE_EUR:
            return choice
        choice[pairs.prof[best]] = pairs.plan[best]


def _milp(problem: MixProblem, base: np.ndarray, free: list[int], clock: Clock | None = None) -> np.ndarray:
    clock = _clock(clock)
    model = _Milp(problem, base, free, clock)
    choice = _core_search(problem, model, clock)
    if choice is not None:
        return choice
    choice = model.solve()
    if choice is None:  # every free profile has a usable plan: a mix exists
        raise PlanMixFailure("the plan-mix solver found no mix although one exists")
    choice = _polish(problem, choice, free, clock)
    best = problem.cost(choice[None, :])[0]
    threshold = best + TIE_EUR
    tol = 1e-6 * max(1.0, abs(best))
    # The tie rule: for each profile in order, the first plan (in offer order) that some mix
    # within the threshold uses, the earlier profiles held at theirs. A plan is tried only when
    # the root LP's reduced cost, then the LP with the fixings, leave room under the threshold;
    # only then is the MILP run, with the threshold as its objective bound.
    bound = model.reduced_cost_bounds()
    pairs = model.pairs
    for i, p in enumerate(free):
        ks = range(pairs.start[i], pairs.start[i + 1])
        for k in ks:
            if pairs.plan[k] == choice[p]:
                break
            if bound[k] > threshold + tol:
                continue
            model.fix([k], [1.0], [1.0])
            candidate = None
            if model.lower_bound() <= threshold + tol:
                candidate = model.solve(below=threshold + tol)
            model.fix([k], [0.0], [1.0])
            if candidate is not None:
                candidate = _polish(problem, candidate, free[i + 1:], clock)
                if problem.cost(candidate[None, :])[0] <= threshold:
                    choice = candidate
                    break
        ks = np.arange(pairs.start[i], pairs.start[i + 1])
        chosen = (pairs.plan[ks] == choice[p]).astype(float)
        model.fix(ks, chosen, chosen)
    return choice
