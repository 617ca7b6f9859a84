"""The plan-mix solver at scale (issue 14, item 2): whatever HiGHS prints, ``evaluate --json``
writes only the JSON on standard output.

A small pooled tender whose mixes (3^12 = 531,441) are over the enumeration threshold goes
through the MILP path (`scoring.plans._milp`), in a subprocess so that the file descriptor
itself is watched, not just ``sys.stdout``. The 100,000-line case is ``bench/bench_solver.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT, write_tender


def _pooled_tender(folder, profiles=12, n_plans=3):
    tender = {
        "name": "pooled", "term_months": 24, "entities": [{"id": "e"}],
        "profiles": [{"id": f"p{p}", "lines": {"e": 5 + 7 * p}, "usage": {"data_gb": 3.0 + 1.3 * p}}
                     for p in range(profiles)],
        "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                       "criteria": []},
    }
    bid = {
        "operator": "Pool",
        "plans": [{"id": f"j{j}", "monthly_fee": 6.0 + 4.5 * j + 0.01 * j * j,
                   "allowances": {"data_gb": 2 * 3 ** j}} for j in range(n_plans)],
        "offer": {f"p{p}": [f"j{(j + p) % n_plans}" for j in range(n_plans)] for p in range(profiles)},
        "pool": {"data_gb": {"overage_rate": 2.5}},
    }
    return write_tender(folder, tender, {"pool": bid})


def test_evaluate_json_on_a_milp_tender_is_only_json(tmp_path):
    import scoring.plans as plans

    assert 3 ** 12 > plans.ENUMERATE_MAX
    folder = _pooled_tender(tmp_path / "t")
    run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)  # nothing but the JSON on fd 1
    assert "Traceback" not in run.stderr
    assert data


def test_the_highs_fallback_prints_nothing_on_fd_1(tmp_path):
    """The HiGHS path itself (Lagrangian enumeration off) in a subprocess: stdout stays empty."""
    code = (
        "import numpy as np, scoring.plans as plans\n"
        "plans.LAGRANGE_MAX = 0\n"
        "rng = np.random.default_rng(1)\n"
        "n = 30\n"
        "s = rng.uniform(100, 200, (n, 3)); s[:, 1] += 30; s[:, 2] += 70\n"
        "a = np.zeros((n, 3, 1, 2)); a[:, 1] = 40; a[:, 2] = 90\n"
        "D = np.full((1, 2), 1500.0)\n"
        "p = plans.MixProblem(tuple((0, 1, 2) for _ in range(n)), s, np.minimum(a, D[None, None]), D, np.ones((1, 2)))\n"
        "plans.choose_plans(p)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
