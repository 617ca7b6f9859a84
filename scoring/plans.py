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
pool and few combinations they are enumerated in lexicographic order; otherwise a
mixed-integer programme (HiGHS via ``scipy.optimize.milp``) finds the minimum, a 1-swap
polish removes solver-tolerance slack, and the lexicographic tie rule is applied by
re-solving with each earlier plan fixed, pruned by LP reduced-cost bounds.

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
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

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


class _Milp:
    """The mixed-integer programme over the free profiles (other profiles held fixed)."""

    def __init__(self, problem: MixProblem, base: np.ndarray, free: list[int], clock: Clock):
        self.problem, self.base, self.free, self.clock = problem, base, free, clock
        fixed = [p for p in range(len(base)) if p not in set(free)]
        contrib = problem.a[fixed, base[fixed]].sum(axis=0) if fixed else np.zeros_like(problem.D)
        residual = np.maximum(0.0, problem.D - contrib)
        active = (residual > 0) & (problem.w > 0)
        self.pairs = [(p, j) for p in free for j in problem.options[p]]
        # Indices by pair and by profile, looked up rather than searched: between two HiGHS calls
        # (each time-limited) nothing grows with profiles × pairs, so the time budget holds.
        self.index = {pair: k for k, pair in enumerate(self.pairs)}
        self.by_profile: dict[int, list[int]] = {p: [] for p in free}
        for k, (p, _) in enumerate(self.pairs):
            self.by_profile[p].append(k)
        n_x, n_o = len(self.pairs), int(active.sum())
        # Each profile's cheapest plan is a constant; optimise the extra only (better scaled).
        s_min = {p: problem.s[p, list(problem.options[p])].min() for p in free}
        c = np.concatenate([[problem.s[p, j] - s_min[p] for p, j in self.pairs], (problem.w * residual)[active]])
        self.offset = float(sum(s_min.values()))
        one = np.zeros((len(free), n_x + n_o))
        for row, p in enumerate(free):
            one[row, self.by_profile[p]] = 1.0
        pool = np.zeros((n_o, n_x + n_o))
        res = residual[active]
        for k, (p, j) in enumerate(self.pairs):
            pool[:, k] = np.minimum(problem.a[p, j][active], res) / res
        pool[:, n_x:] = np.eye(n_o)  # overage, in units of the residual need
        self.c = c
        self.constraints = [LinearConstraint(one, 1, 1), LinearConstraint(pool, 1, np.inf)]
        self.integrality = np.concatenate([np.ones(n_x), np.zeros(n_o)])
        self.n_x = n_x

    def bounds(self, fixed: dict[tuple[int, int], int]) -> Bounds:
        lb = np.zeros(len(self.c))
        ub = np.ones(len(self.c))
        for k, pair in enumerate(self.pairs):
            if pair in fixed:
                lb[k] = ub[k] = fixed[pair]
        return Bounds(lb, ub)

    def solve(self, fixed: dict[tuple[int, int], int]) -> np.ndarray | None:
        bounds, left = self.bounds(fixed), self.clock.left()
        with _quiet():
            res = milp(self.c, integrality=self.integrality, bounds=bounds, constraints=self.constraints,
                       options={"mip_rel_gap": 0.0, "time_limit": left})
        if res.status == 1:  # HiGHS stopped at the time limit: whatever it found is unproven
            raise PlanMixTimeout(self.clock.seconds)
        if res.x is None:
            return None
        choice = self.base.copy()
        x = res.x[: self.n_x]
        for p in self.free:
            ks = self.by_profile[p]
            choice[p] = self.pairs[ks[int(np.argmax(x[ks]))]][1]
        return choice

    def reduced_cost_bounds(self) -> np.ndarray:
        """LP bound on the extra cost of forcing each pair: LP* + reduced cost (+ offset)."""
        cons = self.constraints
        a_eq, a_ub = cons[0].A, -cons[1].A
        left = self.clock.left()
        with _quiet():
            res = linprog(self.c, A_ub=a_ub, b_ub=-np.ones(a_ub.shape[0]), A_eq=a_eq,
                          b_eq=np.ones(a_eq.shape[0]), bounds=list(zip(*self._unit_bounds())), method="highs",
                          options={"time_limit": left})
        if res.status != 0:
            self.clock.left()  # out of time: stop; otherwise prune nothing
            return np.full(self.n_x, -np.inf)
        return res.fun + self.offset + res.lower.marginals[: self.n_x]

    def _unit_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(len(self.c)), np.ones(len(self.c))


def _polish(problem: MixProblem, choice: np.ndarray, free: list[int], clock: Clock | None = None) -> np.ndarray:
    """Take any single-profile swap that is cheaper by more than the tie margin."""
    clock = _clock(clock)
    while True:
        clock.left()
        current = problem.cost(choice[None, :])[0]
        swaps = [(p, j) for p in free for j in problem.options[p] if j != choice[p]]
        if not swaps:
            return choice

        def mixes(lo: int, hi: int, choice=choice, swaps=swaps) -> np.ndarray:
            rows = np.repeat(choice[None, :], hi - lo, axis=0)
            for row, (p, j) in enumerate(swaps[lo:hi]):
                rows[row, p] = j
            return rows

        costs = problem.costs(len(swaps), mixes, clock)
        best = int(np.argmin(costs))
        if costs[best] >= current - TIE_EUR:
            return choice
        choice = mixes(best, best + 1)[0]


def _milp(problem: MixProblem, base: np.ndarray, free: list[int], clock: Clock | None = None) -> np.ndarray:
    clock = _clock(clock)
    model = _Milp(problem, base, free, clock)
    choice = model.solve({})
    if choice is None:  # cannot happen: every free profile has a usable plan
        raise RuntimeError("plan mix: the MILP found no solution")
    choice = _polish(problem, choice, free, clock)
    best = problem.cost(choice[None, :])[0]
    threshold = best + TIE_EUR
    bound = model.reduced_cost_bounds()
    tol = 1e-6 * max(1.0, abs(best))
    fixed: dict[tuple[int, int], int] = {}
    for p in free:
        for j in problem.options[p]:
            if j == choice[p]:
                break
            k = model.index[(p, j)]
            if bound[k] > threshold + tol:
                continue
            candidate = model.solve({**fixed, (p, j): 1})
            if candidate is not None:
                candidate = _polish_fixed(problem, candidate, free, fixed | {(p, j): 1}, clock)
                if problem.cost(candidate[None, :])[0] <= threshold:
                    choice = candidate
                    break
        for j in problem.options[p]:
            fixed[(p, j)] = int(j == choice[p])
    return choice


def _polish_fixed(problem: MixProblem, choice: np.ndarray, free: list[int],
                  fixed: dict[tuple[int, int], int], clock: Clock) -> np.ndarray:
    held = {p for (p, _), v in fixed.items() if v == 1}
    return _polish(problem, choice, [p for p in free if p not in held], clock)
