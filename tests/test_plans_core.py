"""The plan-mix solver's layered core search (`scoring.plan_core._core_search`) against brute force.

The contract's mix is the minimum, then the first mix in lexicographic order (profiles in
tender order, plans in offer order) among those costing at most the minimum + 0.005.
Brute force (`_enumerate`: every mix, in that order, costed by `MixProblem.cost`) is the
contract read literally; the core search is what pooled bids with many mixes use.

The hard instances are **tied ladders**: every plan of the bid costs the same per unit of
pooled allowance (``fee = κ × allowance``), so the LP relaxation is degenerate (a whole face
of mixes costs the same in it) and the integer problem is a subset sum over the pool's
shortfall — the case that kept HiGHS busy past the time budget on the 100,000-line bench
tender (``bench/bench_solver.py --seed 7``). They are drawn with integer and fractional
allowances, lines that grow (so each year's contributions differ), and some profiles whose
plans also differ in per-line charges (not tied).
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import scoring.plan_core as plan_core
import scoring.plans as plans
from scoring.plans import MixProblem, _core_search, _enumerate, _Milp, choose_plans


def _first(problem):
    return np.array([o[0] for o in problem.options])


def _free(problem):
    return [p for p, o in enumerate(problem.options) if len(o) > 1]


def ladder(seed: int, n_profiles: int, n_plans: int, *, tied: bool = True, fractional: bool = False,
           years: int = 3, usage_growth: float = 0.0, list_len: int | None = None) -> MixProblem:
    """A pooled bid as `scoring.cost` builds it: profile p has ``L[p, y]`` lines in year y
    (integer at the start, some growing), uses ``u[p]·(1 + usage_growth)^y`` GB a month; plan j includes ``A[j]``
    GB (integers, or two decimals when ``fractional``) for a fee of ``κ·A[j]`` a line a month
    when ``tied`` (else a noisy fee); the pool's overage is 2.5 a GB. ``s`` is the fee over the
    term (12 months a year) plus, on a third of the profiles, a per-line usage charge that
    differs by plan; ``a = min(L·A, D)``; ``w = 12 × 2.5``."""
    rng = np.random.default_rng(seed)
    lines0 = rng.integers(1, 40, n_profiles).astype(float)
    growth = np.where(rng.random(n_profiles) < 0.3, rng.choice([-0.05, 0.04, 0.1], n_profiles), 0.0)
    L = lines0[:, None] * (1 + growth[:, None]) ** np.arange(years)[None]  # (P, Y)
    u = rng.choice([1.0, 2.5, 4.0, 6.0, 9.0], n_profiles)
    A = np.sort(rng.choice(np.arange(1, 25), n_plans, replace=False)).astype(float)
    if fractional:
        A = np.round(A * rng.uniform(0.9, 1.1, n_plans), 2)
    fee = 0.35 * A if tied else np.round(0.35 * A + rng.uniform(-0.5, 0.5, n_plans), 2)
    months = np.full(years, 12.0)
    s = (L * months).sum(axis=1)[:, None] * fee[None]
    extra = rng.random(n_profiles) < 0.33
    s[extra] += np.round(rng.uniform(0, 40, (int(extra.sum()), n_plans)), 2)
    D = ((L * u[:, None]).sum(axis=0) * (1 + usage_growth) ** np.arange(years))[None]  # (1, Y)
    a = np.minimum(L[:, None, None, :] * A[None, :, None, None], D[None, None])
    w = np.full((1, years), 12 * 2.5)
    k = list_len or n_plans
    options = tuple(tuple(int(j) for j in rng.permutation(n_plans)[:k]) for _ in range(n_profiles))
    return MixProblem(options, s, a, D, w)


def _core(problem):
    """The core search alone (no MILP behind it): its mix, or None if it handed over."""
    model = _Milp(problem, _first(problem), _free(problem), plans.Clock(60))
    return _core_search(problem, model, plans.Clock(60))


@settings(max_examples=120, deadline=None)
@given(st.integers(0, 10**6), st.integers(3, 7), st.integers(2, 4), st.booleans(), st.booleans(), st.integers(1, 3),
       st.sampled_from([0.0, 0.12]))
def test_the_core_search_equals_brute_force_on_tied_ladders(seed, n_profiles, n_plans, tied, fractional, years,
                                                            usage_growth):
    problem = ladder(seed, n_profiles, n_plans, tied=tied, fractional=fractional, years=years,
                     usage_growth=usage_growth)
    expected = _enumerate(problem, _first(problem), _free(problem))
    solved = _core(problem)
    assert solved is not None
    assert list(solved) == list(expected), (problem.cost(solved[None])[0], problem.cost(expected[None])[0])


@st.composite
def round_problems(draw):
    """Small pooled problems with round values (exact ties everywhere) and several pooled
    components and years, some rows never short, some plans contributing nothing."""
    n_profiles, n_plans = draw(st.integers(2, 6)), draw(st.integers(2, 4))
    n_comp, n_years = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    options = tuple(tuple(draw(st.permutations(range(n_plans)))[: draw(st.integers(1, n_plans))])
                    for _ in range(n_profiles))
    s = np.array(draw(st.lists(st.sampled_from([0.0, 5.0, 10.0, 12.5, 20.0, 30.0]), min_size=n_profiles * n_plans,
                               max_size=n_profiles * n_plans))).reshape(n_profiles, n_plans)
    D = np.array(draw(st.lists(st.sampled_from([0.0, 20.0, 45.0, 100.0]), min_size=n_comp * n_years,
                               max_size=n_comp * n_years))).reshape(n_comp, n_years)
    a = np.array(draw(st.lists(st.sampled_from([0.0, 5.0, 12.5, 20.0, 40.0, np.inf]),
                               min_size=n_profiles * n_plans * n_comp * n_years,
                               max_size=n_profiles * n_plans * n_comp * n_years)))
    a = np.minimum(a.reshape(n_profiles, n_plans, n_comp, n_years), D[None, None])
    w = np.array(draw(st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0]), min_size=n_comp * n_years,
                               max_size=n_comp * n_years))).reshape(n_comp, n_years)
    return MixProblem(options, s, a, D, w)


@settings(max_examples=200, deadline=None)
@given(round_problems())
def test_the_core_search_equals_brute_force_on_round_values(problem):
    free = _free(problem)
    if not free:
        return
    expected = _enumerate(problem, _first(problem), free)
    solved = _core(problem)
    assert solved is not None
    assert list(solved) == list(expected)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10**6), st.booleans())
def test_over_the_enumeration_threshold_choose_plans_equals_brute_force(seed, fractional):
    """11 profiles × 3 plans of a tied ladder (177,147 mixes, over `ENUMERATE_MAX`):
    `choose_plans` takes the pooled search; brute force decides."""
    problem = ladder(seed, 11, 3, fractional=fractional, usage_growth=0.12)
    assert 3 ** 11 > plans.ENUMERATE_MAX
    assert list(choose_plans(problem)) == list(_enumerate(problem, _first(problem), _free(problem)))


def test_a_large_tied_ladder_is_solved_fast_and_is_the_first_of_every_neighbourhood():
    """150 profiles × 4 plans of a tied ladder (4^150 mixes; HiGHS alone does not finish such
    programmes in minutes). Brute force cannot check the whole, so the answer is checked
    where brute force can: with all but 8 profiles held at their plans, the 4^8 mixes left
    are enumerated, and their minimum and first mix within it + 0.005 must be the answer
    itself (it is the first of all mixes within the minimum + 0.005, so of any subset that
    holds it) — for several random sets of 8 profiles, the small ones first (where ties are)."""
    problem = ladder(7, 150, 4, usage_growth=0.12)
    clock = plans.Clock(60)
    solved = choose_plans(problem, clock)
    assert clock.seconds - clock.left() < 10
    assert list(choose_plans(problem)) == list(solved)  # deterministic
    best = problem.cost(solved[None])[0]
    rng = np.random.default_rng(0)
    lines = problem.a[:, 0, 0, 0] / problem.a[:, 0, 0, 0].max()
    for trial in range(4):
        weights = (1 / lines) if trial % 2 == 0 else np.ones(len(lines))
        picked = set(rng.choice(len(solved), 8, replace=False, p=weights / weights.sum()).tolist())
        options = tuple(o if p in picked else (int(solved[p]),) for p, o in enumerate(problem.options))
        sub = MixProblem(options, problem.s, problem.a, problem.D, problem.w)
        expected = _enumerate(sub, _first(sub), _free(sub))
        assert list(expected) == list(solved)
        assert problem.cost(expected[None])[0] == best


def test_the_search_is_deterministic_and_independent_of_the_beam(monkeypatch):
    """The quick beam search only finds a starting mix: any beam width gives the same answer."""
    problem = ladder(11, 60, 4, fractional=True, usage_growth=0.12)
    answers = set()
    for beam in (1, 16, plan_core.BEAM, 4096):
        monkeypatch.setattr(plan_core, "BEAM", beam)
        answers.add(tuple(choose_plans(problem).tolist()))
        answers.add(tuple(choose_plans(problem).tolist()))
    assert len(answers) == 1


def test_over_the_state_limit_the_milp_decides_the_same(monkeypatch):
    """With the layered search capped at 1 state a layer it hands over to HiGHS (MILP, polish,
    tie-rule re-solves): the same mix on a small tied ladder."""
    problem = ladder(5, 10, 3, list_len=3, usage_growth=0.12)
    expected = _enumerate(problem, _first(problem), _free(problem))
    monkeypatch.setattr(plan_core, "STATES_MAX", 1)
    monkeypatch.setattr(plans, "ENUMERATE_MAX", 10)
    assert _core(problem) is None
    assert list(choose_plans(problem)) == list(expected)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**6), st.integers(5, 80), st.integers(0, 2), st.booleans())
def test_the_envelope_of_the_bounds_is_their_maximum(seed, n_lines, decimals, large):
    """With one pool row the best Lagrangian bound of each state is read off the lines' upper
    envelope (`_best_line`); it must equal the maximum over every line, computed directly
    (equal slopes, large intercepts and rounded multipliers included)."""
    from scoring.plans import _best_line

    rng = np.random.default_rng(seed)
    lam = np.round(rng.uniform(0, 30, (n_lines, 1)), decimals)
    base = np.round(rng.uniform(-1e4, 1e4, n_lines), decimals) + (1e7 if large else 0.0)
    T = np.concatenate([rng.uniform(0, 1000, (200, 1)), [[0.0]]])
    direct = np.max(base[None] - T @ lam.T, axis=1)
    assert np.array_equal(_best_line(base, lam, T), direct)
