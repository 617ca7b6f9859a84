"""HiGHS for the plan-mix search (scoring/plans.py): the models and the polish.

`_Milp` is the mixed-integer programme over the free profiles and its LP relaxation, each a
HiGHS model built once: the relaxation's multipliers and bounds prune the layered core search
(scoring/plan_core.py), and when that search hands over, the programme finds the minimum and
scoring/plans.py's `_milp` applies the tie rule by re-solving with each earlier plan fixed —
fixings are bound changes, not new models. `_polish` (single-profile swaps cheaper by more
than the tie margin) removes solver-tolerance slack from a mix. `_quiet` is the one guard of
HiGHS's standard output (scenarios/award_milp.py uses it too). highspy is imported only when
a model is built: only pooled bids with many mixes need it.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from .plan_problem import TIE_EUR, Clock, MixProblem, PlanMixFailure, PlanMixTimeout, _clock

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
