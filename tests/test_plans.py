"""The plan-mix solver: the MILP path must pick exactly what exhaustive enumeration picks.

Enumeration is the contract read literally (every mix, lexicographic order, first one
within €0.005 of the minimum); the MILP path is what large tenders use. Random problems
with costs drawn from a few round values make exact ties common, so the lexicographic
tie rule is exercised on both paths.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.plans import MixProblem, _enumerate, _milp, _separable, choose_plans


@st.composite
def problems(draw, pooled=True):
    n_profiles = draw(st.integers(2, 5))
    n_plans = draw(st.integers(2, 4))
    n_comp, n_years = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    options = tuple(
        tuple(draw(st.permutations(range(n_plans)))[: draw(st.integers(1, n_plans))]) for _ in range(n_profiles)
    )
    round_values = st.sampled_from([0.0, 10.0, 20.0, 25.0, 40.0, 100.0])
    s = np.array([[draw(round_values) for _ in range(n_plans)] for _ in range(n_profiles)])
    D = np.array([[draw(st.sampled_from([0.0, 50.0, 100.0, 200.0])) for _ in range(n_years)] for _ in range(n_comp)])
    a = np.array([[[[draw(st.sampled_from([0.0, 10.0, 30.0, 60.0, np.inf])) for _ in range(n_years)]
                    for _ in range(n_comp)] for _ in range(n_plans)] for _ in range(n_profiles)])
    a = np.minimum(a, D[None, None])
    w = np.array([[draw(st.sampled_from([0.0, 0.5, 1.0, 2.0])) for _ in range(n_years)] for _ in range(n_comp)])
    if not pooled:
        D, a, w = D[:0], a[:, :, :0], w[:0]
    return MixProblem(options, s, a, D, w)


def _free(problem):
    return [p for p, o in enumerate(problem.options) if len(o) > 1]


def _first(problem):
    return np.array([o[0] for o in problem.options])


@settings(max_examples=150, deadline=None)
@given(problems())
def test_milp_equals_enumeration(problem):
    free = _free(problem)
    if not free:
        return
    enumerated = _enumerate(problem, _first(problem), free)
    solved = _milp(problem, _first(problem), free)
    assert list(solved) == list(enumerated), (problem.cost(solved[None])[0], problem.cost(enumerated[None])[0])


@settings(max_examples=100, deadline=None)
@given(problems(pooled=False))
def test_separable_equals_enumeration(problem):
    free = _free(problem)
    if not free:
        return
    assert list(_separable(problem, _first(problem), free)) == list(_enumerate(problem, _first(problem), free))


def test_large_pooled_mix_uses_the_milp_and_beats_every_single_swap():
    """40 profiles with 2 plans each (2^40 mixes): no single-profile swap of the solution is
    cheaper, and the cost is no higher than the cheapest-plan-per-profile mix."""
    rng = np.random.default_rng(3)
    n = 40
    s = rng.uniform(100, 200, size=(n, 2))
    s[:, 1] += rng.uniform(10, 60, size=n)
    a = np.zeros((n, 2, 1, 3))
    a[:, 0] = rng.uniform(0, 50, size=(n, 1, 3))
    a[:, 1] = a[:, 0] + rng.uniform(20, 80, size=(n, 1, 3))
    D = np.full((1, 3), 2500.0)
    a = np.minimum(a, D[None, None])
    problem = MixProblem(tuple((0, 1) for _ in range(n)), s, a, D, np.ones((1, 3)))
    choice = choose_plans(problem)
    best = problem.cost(choice[None])[0]
    assert best <= problem.cost(np.zeros((1, n), int))[0]
    for p in range(n):
        other = choice.copy()
        other[p] = 1 - other[p]
        assert problem.cost(other[None])[0] >= best - 0.005


@settings(max_examples=150, deadline=None)
@given(problems())
def test_the_highs_fallback_equals_enumeration(problem):
    """The same, with the layered core search disabled: the HiGHS MILP, polish and tie-rule
    re-solves (incremental bound changes) decide every mix."""
    import scoring.plan_core as plan_core

    free = _free(problem)
    if not free:
        return
    saved, plan_core.STATES_MAX = plan_core.STATES_MAX, 0
    try:
        solved = _milp(problem, _first(problem), free)
    finally:
        plan_core.STATES_MAX = saved
    assert list(solved) == list(_enumerate(problem, _first(problem), free))


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.booleans())
def test_over_the_threshold_both_paths_equal_brute_force(seed, fallback):
    """Problems just over a lowered enumeration threshold (12 profiles × 2-3 plans, round
    costs: many exact ties) go through `choose_plans`' MILP path; brute force decides."""
    import scoring.plan_core as plan_core
    import scoring.plans as plans

    rng = np.random.default_rng(seed)
    n, n_plans = 12, 3
    options = tuple(tuple(rng.permutation(n_plans)[: rng.integers(2, n_plans + 1)]) for _ in range(n))
    s = rng.choice([0.0, 10.0, 20.0, 25.0, 40.0], size=(n, n_plans))
    D = rng.choice([100.0, 200.0, 300.0], size=(1, 2))
    a = np.minimum(rng.choice([0.0, 10.0, 30.0, 60.0], size=(n, n_plans, 1, 2)), D[None, None])
    problem = MixProblem(options, s, a, D, rng.choice([0.5, 1.0, 2.0], size=(1, 2)))
    free = _free(problem)
    expected = _enumerate(problem, _first(problem), free)
    saved = plans.ENUMERATE_MAX, plan_core.STATES_MAX
    plans.ENUMERATE_MAX = 1000
    plan_core.STATES_MAX = 0 if fallback else saved[1]
    try:
        solved = choose_plans(problem)
    finally:
        plans.ENUMERATE_MAX, plan_core.STATES_MAX = saved
    assert list(solved) == list(expected)
