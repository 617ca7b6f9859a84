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
pool and few combinations they are enumerated in lexicographic order; otherwise the LP
relaxation (HiGHS, through ``highspy``) gives a Lagrangian bound under which only the mixes
that can cost at most an incumbent + 0.005 are enumerated (`_lagrangian`: usually a few
thousand, so the minimum and the tie rule are settled as by full enumeration); when those are
too many (`LAGRANGE_MAX`: pools whose plans all have the same price per unit of allowance
make many mixes cost the same), a mixed-integer programme finds the minimum, a 1-swap polish
removes solver-tolerance slack, and the lexicographic tie rule is applied by re-solving with
each earlier plan fixed — the models are built once and fixings are bound changes — pruned by
LP reduced-cost bounds, then by the LP under the fixings.

Guards (docs/reliability.md §3): the search for one bid has a time budget,
``FLEETBID_MAX_SOLVER_SECONDS`` (60 s), shared by every step — enumeration, each HiGHS call
(given what is left as its own time limit), the polish and the tie-rule re-solves. When it runs
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
    taken out: better scaled) plus ``w · res · o``."""

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
        self.offset = float(sum(s_min.tolist()))
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
        if status != self.status.kOptimal:
            self.clock.left()
            return None
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


# Partial mixes the Lagrangian enumeration may list in all (1-D arrays: 16 bytes each), and
# whole mixes it may cost, before it hands over to the MILP.
LAGRANGE_MAX = 2_000_000
LAGRANGE_MIXES = 200_000


def _lagrangian(problem: MixProblem, model: _Milp, clock: Clock) -> np.ndarray | None:
    """The contract's mix by enumerating only the mixes that can cost at most an incumbent + the
    tie margin, or None when there are too many of them (then the MILP decides).

    With λ the LP relaxation's pool duals (clipped to [0, w·res], where any λ is valid), every
    mix costs at least ``L + Σ_p pen_p(j_p)``: ``L = offset + Σλ + Σ_p min_j r_p(j)``, ``r_p(j)``
    the pair's cost less ``λ · share`` and ``pen_p(j) = r_p(j) - min_j r_p(j) ≥ 0`` (the overage
    ``w·res·max(0, 1 - z)`` is at least ``λ(1 - z)``). So every mix costing at most the
    incumbent's cost U + 0.005 has ``Σ pen ≤ U + 0.005 - L``: those mixes are listed, profile
    by profile in lexicographic order, costed exactly as enumeration costs them, and the first
    within 0.005 of their minimum (the minimum over all mixes) is the contract's mix."""
    pairs = model.pairs
    if model.relaxation_solution() is None:
        return None
    x, duals = model.relaxation_solution()
    lam = np.clip(duals, 0.0, model.cost[model.n_x:])
    r = model.cost[: model.n_x] - model.share @ lam
    r_min = np.minimum.reduceat(r, pairs.start[:-1])
    pen = r - r_min[pairs.row]
    low = model.offset + float(lam.sum()) + float(r_min.sum())
    incumbent = _polish(problem, pairs.choice(model.base, x), model.free, clock)
    upper = problem.cost(incumbent[None, :])[0]
    budget = upper + TIE_EUR - low + 1e-9 * abs(upper) + 1e-6  # rounding in L and the costs
    sums = np.zeros(1)
    layers = []
    held = 0
    for i in range(len(model.free)):
        ks = np.arange(pairs.start[i], pairs.start[i + 1])
        grown = (sums[:, None] + pen[ks][None, :]).ravel()  # parent-major, plans in offer order
        kept = np.flatnonzero(grown <= budget)
        held += len(kept)
        if held > LAGRANGE_MAX:
            return None
        parent, k = np.divmod(kept, len(ks))
        layers.append((parent, pairs.plan[ks][k]))
        sums = grown[kept]
        clock.left()
    # Back to whole mixes, lexicographic order kept (small integers: n × profiles stays small).
    n = len(sums)
    if n > LAGRANGE_MIXES:
        return None
    plans = np.empty((n, len(model.free)), dtype=np.int32)
    at = np.arange(n)
    for col in range(len(layers) - 1, -1, -1):
        parent, plan = layers[col]
        plans[:, col] = plan[at]
        at = parent[at]
    free = np.asarray(model.free)

    def mixes(lo: int, hi: int) -> np.ndarray:
        rows = np.repeat(model.base[None, :], hi - lo, axis=0)
        rows[:, free] = plans[lo:hi]
        return rows

    costs = problem.costs(n, mixes, clock)
    best = int(np.argmax(costs <= costs.min() + TIE_EUR))
    return mixes(best, best + 1)[0]


def _polish(problem: MixProblem, choice: np.ndarray, free: list[int], clock: Clock | None = None) -> np.ndarray:
    """Take any single-profile swap that is cheaper by more than the tie margin."""
    clock = _clock(clock)
    pairs = _Pairs(problem, free) if free else None
    while True:
        clock.left()
        if pairs is None:
            return choice
        current = problem.cost(choice[None, :])[0]
        swap = pairs.plan != choice[pairs.prof]
        swap_p, swap_j = pairs.prof[swap], pairs.plan[swap]
        if not len(swap_p):
            return choice

        def mixes(lo: int, hi: int, choice=choice, swap_p=swap_p, swap_j=swap_j) -> np.ndarray:
            rows = np.repeat(choice[None, :], hi - lo, axis=0)
            rows[np.arange(hi - lo), swap_p[lo:hi]] = swap_j[lo:hi]
            return rows

        costs = problem.costs(len(swap_p), mixes, clock)
        best = int(np.argmin(costs))
        if costs[best] >= current - TIE_EUR:
            return choice
        choice = mixes(best, best + 1)[0]


def _milp(problem: MixProblem, base: np.ndarray, free: list[int], clock: Clock | None = None) -> np.ndarray:
    clock = _clock(clock)
    model = _Milp(problem, base, free, clock)
    choice = _lagrangian(problem, model, clock)
    if choice is not None:
        return choice
    choice = model.solve()
    if choice is None:  # cannot happen: every free profile has a usable plan
        raise RuntimeError("plan mix: the MILP found no solution")
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
