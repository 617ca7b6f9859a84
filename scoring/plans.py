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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

TIE_EUR = 0.005
ENUMERATE_MAX = 50_000


@dataclass(frozen=True)
class MixProblem:
    options: tuple[tuple[int, ...], ...]  # usable plan indices per profile, in offer order
    s: np.ndarray  # (P, J) separable cost, euros over the term
    a: np.ndarray  # (P, J, C, Y) pool contribution, capped at D
    D: np.ndarray  # (C, Y) fleet usage of each pooled component
    w: np.ndarray  # (C, Y) euros per unit of pool overage

    def cost(self, choice: np.ndarray) -> np.ndarray:
        """Exact cost of assignments ``choice`` (N, P) of plan indices → (N,)."""
        rows = np.arange(choice.shape[1])
        sep = self.s[rows, choice].sum(axis=1)
        if self.D.size == 0:
            return sep
        contrib = self.a[rows, choice].sum(axis=1)  # (N, C, Y)
        return sep + (self.w * np.maximum(0.0, self.D - contrib)).sum(axis=(1, 2))


def choose_plans(problem: MixProblem) -> np.ndarray:
    """The contract's plan mix: index of the chosen plan for each profile."""
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
        return _enumerate(problem, first, free)
    return _milp(problem, first, free)


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


def _enumerate(problem: MixProblem, choice: np.ndarray, free: list[int]) -> np.ndarray:
    sizes = [len(problem.options[p]) for p in free]
    # C order of np.indices is itertools.product order: lexicographic, first profile first.
    idx = np.indices(sizes).reshape(len(free), -1).T
    mixes = np.repeat(choice[None, :], len(idx), axis=0)
    for col, p in enumerate(free):
        mixes[:, p] = np.asarray(problem.options[p])[idx[:, col]]
    costs = problem.cost(mixes)
    best = int(np.argmax(costs <= costs.min() + TIE_EUR))
    return mixes[best]


class _Milp:
    """The mixed-integer programme over the free profiles (other profiles held fixed)."""

    def __init__(self, problem: MixProblem, base: np.ndarray, free: list[int]):
        self.problem, self.base, self.free = problem, base, free
        fixed = [p for p in range(len(base)) if p not in set(free)]
        contrib = problem.a[fixed, base[fixed]].sum(axis=0) if fixed else np.zeros_like(problem.D)
        residual = np.maximum(0.0, problem.D - contrib)
        active = (residual > 0) & (problem.w > 0)
        self.pairs = [(p, j) for p in free for j in problem.options[p]]
        n_x, n_o = len(self.pairs), int(active.sum())
        # Each profile's cheapest plan is a constant; optimise the extra only (better scaled).
        s_min = {p: problem.s[p, list(problem.options[p])].min() for p in free}
        c = np.concatenate([[problem.s[p, j] - s_min[p] for p, j in self.pairs], (problem.w * residual)[active]])
        self.offset = float(sum(s_min.values()))
        one = np.zeros((len(free), n_x + n_o))
        for k, (p, _) in enumerate(self.pairs):
            one[free.index(p), k] = 1.0
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
        res = milp(self.c, integrality=self.integrality, bounds=self.bounds(fixed),
                   constraints=self.constraints, options={"mip_rel_gap": 0.0})
        if res.x is None:
            return None
        choice = self.base.copy()
        x = res.x[: self.n_x]
        for p in self.free:
            ks = [k for k, (q, _) in enumerate(self.pairs) if q == p]
            choice[p] = self.pairs[ks[int(np.argmax(x[ks]))]][1]
        return choice

    def reduced_cost_bounds(self) -> np.ndarray:
        """LP bound on the extra cost of forcing each pair: LP* + reduced cost (+ offset)."""
        cons = self.constraints
        a_eq, a_ub = cons[0].A, -cons[1].A
        res = linprog(self.c, A_ub=a_ub, b_ub=-np.ones(a_ub.shape[0]), A_eq=a_eq,
                      b_eq=np.ones(a_eq.shape[0]), bounds=list(zip(*self._unit_bounds())), method="highs")
        if res.status != 0:
            return np.full(self.n_x, -np.inf)
        return res.fun + self.offset + res.lower.marginals[: self.n_x]

    def _unit_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros(len(self.c)), np.ones(len(self.c))


def _polish(problem: MixProblem, choice: np.ndarray, free: list[int]) -> np.ndarray:
    """Take any single-profile swap that is cheaper by more than the tie margin."""
    while True:
        current = problem.cost(choice[None, :])[0]
        swaps = [(p, j) for p in free for j in problem.options[p] if j != choice[p]]
        if not swaps:
            return choice
        mixes = np.repeat(choice[None, :], len(swaps), axis=0)
        for row, (p, j) in enumerate(swaps):
            mixes[row, p] = j
        costs = problem.cost(mixes)
        best = int(np.argmin(costs))
        if costs[best] >= current - TIE_EUR:
            return choice
        choice = mixes[best]


def _milp(problem: MixProblem, base: np.ndarray, free: list[int]) -> np.ndarray:
    model = _Milp(problem, base, free)
    choice = model.solve({})
    if choice is None:  # cannot happen: every free profile has a usable plan
        raise RuntimeError("plan mix: the MILP found no solution")
    choice = _polish(problem, choice, free)
    best = problem.cost(choice[None, :])[0]
    threshold = best + TIE_EUR
    bound = model.reduced_cost_bounds()
    tol = 1e-6 * max(1.0, abs(best))
    fixed: dict[tuple[int, int], int] = {}
    for p in free:
        for j in problem.options[p]:
            if j == choice[p]:
                break
            k = model.pairs.index((p, j))
            if bound[k] > threshold + tol:
                continue
            candidate = model.solve({**fixed, (p, j): 1})
            if candidate is not None:
                candidate = _polish_fixed(problem, candidate, free, fixed | {(p, j): 1})
                if problem.cost(candidate[None, :])[0] <= threshold:
                    choice = candidate
                    break
        for j in problem.options[p]:
            fixed[(p, j)] = int(j == choice[p])
    return choice


def _polish_fixed(problem: MixProblem, choice: np.ndarray, free: list[int],
                  fixed: dict[tuple[int, int], int]) -> np.ndarray:
    held = {p for (p, _), v in fixed.items() if v == 1}
    return _polish(problem, choice, [p for p in free if p not in held])
