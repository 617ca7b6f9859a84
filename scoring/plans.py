"""The best plan mix of a bid when it offers a list of plans for a profile: the entry
(`choose_plans`), which picks the method.

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
otherwise `_core_search`, a layered search over the core of the problem that the LP
relaxation's bounds leave (scoring/plan_core.py, whose docstring gives its steps). Over its
limits (`STATES_MAX` there), the search hands over to a mixed-integer programme (`_milp`,
with scoring/plan_milp.py's `_Milp`): HiGHS finds
the minimum, a 1-swap polish removes solver-tolerance slack, and the lexicographic tie rule is
applied by re-solving with each earlier plan fixed — the models are built once and fixings are
bound changes — pruned by LP reduced-cost bounds, then by the LP under the fixings. Costs the
search compares are sums in floating point (a few 1e-9 of the bid's cost apart from
`MixProblem.cost`); the mix returned is the same as enumeration's except on mixes that cost
the minimum + 0.005 to within that rounding, which the contract's cent cannot tell apart.

The problem (`MixProblem`), the tie margin and the guards — a time budget per bid
(`Clock`, `PlanMixTimeout`: docs/reliability.md §3) and mixes costed in chunks — are
scoring/plan_problem.py's, shared by every method. The modules import bottom to top:
plan_problem, plan_milp, plan_core, then this one, from which the rest of Fleetbid imports
(`MixProblem`, `choose_plans`, `PlanMixTimeout`, `PlanMixFailure`); the internals the tests
use (`_core_search`, `_Milp`, `_best_line`, `_quiet`, `TIE_EUR`, `Clock`) are importable from
here too, but the limits are patched where they are read (`plan_core.STATES_MAX`, …).
"""

from __future__ import annotations

import numpy as np

from .plan_core import _best_line as _best_line
from .plan_core import _core_search as _core_search
from .plan_milp import _Milp, _polish
from .plan_milp import _quiet as _quiet
from .plan_problem import TIE_EUR, Clock, MixProblem, PlanMixFailure, _clock
from .plan_problem import PlanMixTimeout as PlanMixTimeout

ENUMERATE_MAX = 50_000


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
