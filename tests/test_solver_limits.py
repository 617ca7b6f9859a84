"""The plan-mix solver's guards (issue 12, items 8 and 9): a time budget per bid and a bounded
working set, without changing any result.

- Time: a few KB of YAML (40 profiles choosing among 8 plans that all cost the same per GB of
  pooled allowance, with lines that grow differently: a subset sum per contract year) keeps
  the solver busy for minutes. With a budget of 2 s
  (``FLEETBID_MAX_SOLVER_SECONDS``) the command line stops after about that long with one
  ``error: FILE: plans: …`` line naming the bid, exit status 2 — never an unproven mix
  presented as the optimum, never a hang — and nothing on stdout (the HiGHS calls' own output
  guard is tests/test_solver_scale.py).
- Memory: the exhaustive search costs its mixes in chunks, so its largest temporary no longer
  grows with mixes × profiles × components × years (measured with tracemalloc on a case that
  used to need ~190 MB), and a 100-year term is costed instead of ending in a MemoryError.
- Results: chunking changes no bit of any mix's cost, so the lexicographic tie rule picks the
  same mix (the MILP/enumeration equivalence itself is tests/test_plans.py).
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pytest

import scoring.plan_core as plan_core
import scoring.plan_problem as plan_problem
import scoring.plans as plans
from scoring import evaluate, load_tender
from scoring.errors import TenderError
from scoring.plans import MixProblem, choose_plans

from conftest import ROOT, write_tender


def _subset_sum_tender(folder, profiles=40, n_plans=8, term=36):
    """A tied ladder: every plan costs 0.35 a month per GB of pooled allowance, so the LP
    relaxation is flat and covering the pool is a subset sum; the profiles' lines grow, stay
    or shrink (+10 %, +4 %, 0, −5 % a year) while their usage stays, so each contract year's
    pool is a different subset sum (three rows, no dominance between partial mixes). Neither
    the layered core search nor HiGHS settles it within minutes."""
    rng = np.random.default_rng(1)
    growth = [0.0, -0.05, 0.04, 0.1]
    tender = {
        "name": "hard", "term_months": term, "entities": [{"id": "e"}],
        "profiles": [{"id": f"p{p}", "lines": {"e": int(rng.integers(1, 40))}, "line_growth": growth[p % 4],
                      "usage": {"data_gb": float(rng.choice([1.0, 2.5, 4.0, 6.0, 9.0]))}} for p in range(profiles)],
        "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                       "criteria": []},
    }
    allowance = [round(1.5 + 2.37 * j, 2) for j in range(n_plans)]
    bid = {
        "operator": "Hard",
        "plans": [{"id": f"j{j}", "monthly_fee": round(0.35 * allowance[j], 4),
                   "allowances": {"data_gb": allowance[j]}} for j in range(n_plans)],
        "offer": {f"p{p}": [f"j{j}" for j in range(n_plans)] for p in range(profiles)},
        "pool": {"data_gb": {"overage_rate": 2.5}},
    }
    return write_tender(folder, tender, {"hard": bid})


def test_a_hard_plan_mix_stops_at_the_time_limit_with_one_error_naming_the_bid(tmp_path):
    folder = _subset_sum_tender(tmp_path / "t")
    env = {"PATH": "/usr/bin:/bin", "FLEETBID_MAX_SOLVER_SECONDS": "2", "FLEETBID_PSEUDONYM_KEY": "k"}
    start = time.monotonic()
    try:
        run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder)], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("the plan-mix solver ran past 60 s with a 2 s budget")
    elapsed = time.monotonic() - start
    assert run.returncode == 2, run.stderr
    assert run.stdout == ""
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith(f"error: {folder / 'bids' / 'hard.yaml'}: plans: the plan mix could not be proven "
                               "optimal within 2 s"), lines[0]
    assert "FLEETBID_MAX_SOLVER_SECONDS" in lines[0]
    assert elapsed < 20, elapsed  # import and load included; the solver itself stops at ~2 s


def test_the_budget_is_per_bid_and_read_at_call_time(tmp_path, monkeypatch):
    """In-process (as the app runs it): a TenderError naming the bid file and the `plans`
    field, raised within a few seconds of a 1 s budget."""
    monkeypatch.setattr(plan_problem, "MAX_SOLVER_SECONDS", 1)
    tender = load_tender(_subset_sum_tender(tmp_path / "t"))
    start = time.monotonic()
    with pytest.raises(TenderError) as caught:
        evaluate(tender)
    assert time.monotonic() - start < 10
    [problem] = caught.value.problems
    assert problem.file.endswith("hard.yaml") and problem.field == "plans"
    assert "could not be proven optimal within 1 s" in problem.message


def test_an_invalid_budget_stops_the_start_with_one_line():
    env = {"PATH": "/usr/bin:/bin", "FLEETBID_MAX_SOLVER_SECONDS": "0"}
    run = subprocess.run([sys.executable, "-c", "import scoring.plans"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip() == ("error: environment variable FLEETBID_MAX_SOLVER_SECONDS: expected a positive "
                                  "whole number, got '0'")


def test_an_easy_mix_is_unaffected_by_a_small_budget(monkeypatch):
    """The example's pooled bid (telvia) is solved well within 1 s: same JSON as with 60 s."""
    tender = load_tender(ROOT / "tenders" / "conseil-2027")
    expected = evaluate(tender).to_json()
    monkeypatch.setattr(plan_problem, "MAX_SOLVER_SECONDS", 1)
    assert evaluate(load_tender(ROOT / "tenders" / "conseil-2027")).to_json() == expected


# --------------------------------------------------------------------------- memory


def _wide_problem(n_profiles=100, free=(0, 1, 2), n_plans=36, years=5, seed=0):
    """Many profiles, few of them free: n_plans ** len(free) mixes (46,656 by default),
    enumerated, each costed over every profile × year."""
    rng = np.random.default_rng(seed)
    options = tuple(tuple(range(n_plans)) if p in free else (0,) for p in range(n_profiles))
    s = np.round(rng.uniform(100, 200, (n_profiles, n_plans)), 2)
    D = np.full((1, years), 40.0 * n_profiles)
    a = np.minimum(np.round(rng.uniform(0, 60, (n_profiles, n_plans, 1, years)), 1), D[None, None])
    w = np.ones((1, years))
    return MixProblem(options, s, a, D, w)


def _reference_enumeration(problem):
    """The enumeration as it was written before the chunking (all mixes at once)."""
    free = [p for p, o in enumerate(problem.options) if len(o) > 1]
    choice = np.array([o[0] for o in problem.options])
    sizes = [len(problem.options[p]) for p in free]
    idx = np.indices(sizes).reshape(len(free), -1).T
    mixes = np.repeat(choice[None, :], len(idx), axis=0)
    for col, p in enumerate(free):
        mixes[:, p] = np.asarray(problem.options[p])[idx[:, col]]
    rows = np.arange(mixes.shape[1])
    costs = problem.s[rows, mixes].sum(axis=1)
    contrib = problem.a[rows, mixes].sum(axis=1)
    costs = costs + (problem.w * np.maximum(0.0, problem.D - contrib)).sum(axis=(1, 2))
    return mixes[int(np.argmax(costs <= costs.min() + plans.TIE_EUR))], costs, mixes


def test_the_exhaustive_search_works_in_a_bounded_working_set():
    problem = _wide_problem()
    full = 46_656 * 100 * 5 * 8  # mixes × profiles × components × years × 8 bytes: 187 MB at once
    tracemalloc.start()
    try:
        choose_plans(problem)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20, f"peak {peak / 2**20:.0f} MiB (all mixes at once: {full / 2**20:.0f} MiB)"


@pytest.mark.parametrize("chunk", [1, 7 * 8 * 3, 10**9])
def test_chunking_changes_no_bit_of_any_cost_nor_the_mix(monkeypatch, chunk):
    """Chunks of one mix, of a few, of everything: the same costs to the bit, the same mix."""
    monkeypatch.setattr(plan_problem, "CHUNK_BYTES", chunk)
    for seed in range(3):
        problem = _wide_problem(n_profiles=7, free=(1, 3, 4, 6), n_plans=6, years=3, seed=seed)
        expected, costs, mixes = _reference_enumeration(problem)
        assert list(choose_plans(problem)) == list(expected)
        assert np.array_equal(problem.cost(mixes), costs)


def test_ties_are_still_broken_lexicographically_across_chunks(monkeypatch):
    """Every mix costs the same: the first mix (all first plans) wins, even when chunks are
    one mix long and the minimum is found in the last chunk only to the last bit."""
    monkeypatch.setattr(plan_problem, "CHUNK_BYTES", 1)
    n = 4
    problem = MixProblem(tuple((0, 1, 2) for _ in range(n)), np.zeros((n, 3)), np.zeros((n, 3, 1, 2)),
                         np.full((1, 2), 10.0), np.ones((1, 2)))
    assert list(choose_plans(problem)) == [0] * n


def test_a_hundred_year_term_is_costed_in_a_bounded_working_set(tmp_path):
    """term_months: 1200 (the model's maximum) with a pooled bid choosing among 20 plans on 3
    of 60 profiles: 8,000 mixes × 60 profiles × 100 years used to be 384 MB at once (with a
    larger tender, the 11.9 GiB of the issue and a MemoryError)."""
    rng = np.random.default_rng(5)
    profiles = [{"id": f"p{p}", "lines": {"e": int(rng.integers(1, 40))}, "usage": {"data_gb": float(rng.integers(1, 30))}}
                for p in range(60)]
    tender = {"name": "long", "term_months": 1200, "entities": [{"id": "e"}], "profiles": profiles,
              "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                             "criteria": []}}
    bid = {"operator": "Long",
           "plans": [{"id": f"j{j}", "monthly_fee": round(5 + 0.9 * j + float(rng.uniform(0, 0.5)), 2),
                      "allowances": {"data_gb": round(1 + 1.1 * j, 1)}} for j in range(20)],
           "offer": {f"p{p}": [f"j{j}" for j in range(20)] if p < 3 else "j0" for p in range(60)},
           "pool": {"data_gb": {"overage_rate": 1.0}}}
    loaded = load_tender(write_tender(tmp_path / "t", tender, {"long": bid}))
    tracemalloc.start()
    try:
        ev = evaluate(loaded)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert ev.winner == "long"
    assert peak < 100 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def _long_wide_tender(folder, term=1200, profiles=30, entities=20):
    """A century-long term over profiles × entities: the cost table alone (months × profiles ×
    entities × 10 components × 8 bytes) is 58 MB per bid here."""
    tender = {"name": "wide", "term_months": term, "entities": [{"id": f"e{e}"} for e in range(entities)],
              "profiles": [{"id": f"p{p}", "lines": {f"e{e}": 1 + (p + e) % 7 for e in range(entities)},
                            "usage": {"data_gb": 1.0 + p % 9}} for p in range(profiles)],
              "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                             "criteria": []}}
    bid = {"operator": "Wide", "plans": [{"id": "a", "monthly_fee": 9.5, "allowances": {"data_gb": 5}},
                                         {"id": "b", "monthly_fee": 14.0, "allowances": {"data_gb": 20}}],
           "offer": {f"p{p}": ["a", "b"] for p in range(profiles)}, "pool": {"data_gb": {"overage_rate": 2.0}}}
    return write_tender(folder, tender, {"wide": bid})


def test_a_tender_too_large_to_cost_is_refused_before_anything_is_allocated(tmp_path, monkeypatch):
    """The cost arrays' size is known before they are allocated: over FLEETBID_MAX_COST_BYTES
    (lowered here to 16 MB) the tender is refused with one error naming tender.yaml and what
    multiplies up, instead of a MemoryError (or the machine swapping)."""
    import scoring.cost as cost

    monkeypatch.setattr(cost, "MAX_COST_BYTES", 16 * 2**20, raising=False)
    folder = _long_wide_tender(tmp_path / "t")
    tender = load_tender(folder)
    tracemalloc.start()
    try:
        with pytest.raises(TenderError) as caught:
            evaluate(tender)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [problem] = caught.value.problems
    assert problem.file == f"{folder}/tender.yaml" and problem.field == "term_months"
    assert "1,200 months × 30 profiles × 20 entities" in problem.message
    assert "FLEETBID_MAX_COST_BYTES" in problem.message
    assert peak < 16 * 2**20


def test_the_cost_memory_limit_comes_from_the_environment(tmp_path):
    folder = _long_wide_tender(tmp_path / "t")
    env = {"PATH": "/usr/bin:/bin", "FLEETBID_MAX_COST_BYTES": "16_000_000", "FLEETBID_PSEUDONYM_KEY": "k"}
    run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    [line] = run.stderr.strip().splitlines()
    assert line.startswith(f"error: {folder}/tender.yaml: term_months: costing this tender needs about "), line
    # and with the default limit it is costed
    del env["FLEETBID_MAX_COST_BYTES"]
    run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def test_a_bid_with_too_many_plans_to_cost_is_refused_naming_the_bid(tmp_path, monkeypatch):
    """What grows with a bid's plans (its usage beyond each allowance, per period × profile ×
    entity × usage component) is counted too, and the error then names the bid."""
    import scoring.cost as cost

    monkeypatch.setattr(cost, "MAX_COST_BYTES", 4 * 2**20, raising=False)
    comps = ("voice_min", "sms", "data_gb")
    tender = {"name": "many plans", "term_months": 36, "entities": [{"id": f"e{e}"} for e in range(5)],
              "profiles": [{"id": f"p{p}", "lines": {f"e{e}": 3 for e in range(5)}, "usage": dict.fromkeys(comps, 2.0)}
                           for p in range(20)],
              "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                             "criteria": []}}
    bid = {"operator": "Many", "plans": [{"id": f"j{j}", "monthly_fee": 10.0 + j, "allowances": dict.fromkeys(comps, j)}
                                         for j in range(500)],
           "offer": {f"p{p}": "j499" for p in range(20)}}
    folder = write_tender(tmp_path / "t", tender, {"many": bid})
    with pytest.raises(TenderError) as caught:
        evaluate(load_tender(folder))
    [problem] = caught.value.problems
    assert problem.file.endswith("many.yaml") and problem.field == "plans"
    assert "500 plans × 3 usage components × 20 profiles × 5 entities × 3 periods" in problem.message


def test_a_solver_stopping_for_another_reason_is_one_error_naming_the_bid(tmp_path, monkeypatch):
    """HiGHS stopping on a memory, solver or model error is not read as "no mix under this
    bound" (which would silently skip a plan in the tie rule): the evaluation stops with one
    error naming the bid's file and the solver's status. The tied ladder goes through the
    MILP when the core search is off (``STATES_MAX = 0``)."""
    import highspy

    folder = _subset_sum_tender(tmp_path / "t", profiles=12, n_plans=4)
    monkeypatch.setattr(plan_core, "STATES_MAX", 0)
    monkeypatch.setattr(highspy.Highs, "getModelStatus", lambda self: highspy.HighsModelStatus.kSolveError)
    with pytest.raises(TenderError) as err:
        evaluate(load_tender(folder))
    (problem,) = err.value.problems
    assert problem.file.endswith("hard.yaml") and problem.field == "plans"
    assert "stopped without an answer (Solve error)" in problem.message
