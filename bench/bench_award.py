"""Benchmark the award split (docs/award-split.md) on a synthetic tender: 4 entities × 5 profiles
awarded by cell (20 units), 6 bids of which 2 pool their data, volume tiers, devices, a device
fund, switching; rules: at most 3 operators, max share 0.6, min share 0.1, a fixed unit, the
incumbent keeping 10 %.

Times `Fleetbid.award` — the optimum, the single-award baseline, every rule's cost and the
six-point share curve — from an evaluated tender (best of ``--repeat`` runs, each on a freshly
opened tender: nothing cached), against the target (< 10 s on the 2-core machine), and prints the
figures. Exits 0 when the target is met, 1 otherwise.

Usage::

    python bench/bench_award.py [--repeat 3] [--seed 1] [--keep DIR]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scenarios.api import Fleetbid  # noqa: E402

TARGET_S = 10.0
ENTITIES = ("north", "south", "east", "west")
PROFILES = ("exec", "sales", "field", "office", "data")


def synthetic(seed: int = 1) -> tuple[dict, dict[str, dict]]:
    """tender.yaml and the bids of the benchmark tender, as mappings."""
    rng = np.random.default_rng(seed)
    profiles = []
    for i, p in enumerate(PROFILES):
        profile = {"id": p, "lines": {e: int(rng.integers(40, 400)) for e in ENTITIES},
                   "line_growth": float(rng.choice([0.0, 0.03, 0.06])),
                   "usage": {"voice_min": float(rng.integers(0, 600)) if p != "data" else 0.0,
                             "data_gb": float(rng.choice([2.0, 5.0, 9.0, 15.0, 30.0]))},
                   "usage_growth": {"data_gb": 0.1}}
        if i < 2:
            profile["device"] = {"tier": "high" if i == 0 else "mid", "refresh_months": 24}
        profiles.append(profile)
    tender = {
        "name": "Award split benchmark", "term_months": 36, "incumbent": "b0",
        "entities": [{"id": e} for e in ENTITIES], "profiles": profiles,
        "switching": {"project_eur": 15000, "per_line_eur": 6, "current_monthly_eur": 40000, "parallel_months": 1,
                      "incumbent_exit_fee_eur": 20000, "port_share": 0.9, "porting_failure_rate": 0.01,
                      "lost_number_eur": 150},
        "evaluation": {"price": {"weight": 100, "basis": "tco", "formula": "ratio"}},
        "award": {"unit": "cell", "max_operators": 3, "max_share": 0.6, "min_share": 0.1,
                  "incumbent_min_share": 0.1, "fixed": {"north.exec": "b1"}},
    }
    bids = {}
    for b in range(6):
        plans, offer = [], {}
        for p in PROFILES:
            ids = []
            for k, (fee, gb) in enumerate(((8.0, 3.0), (13.0, 10.0), (20.0, 40.0))):
                plan_id = f"{p}-{k}"
                fee_b = round(fee * float(rng.uniform(0.85, 1.15)), 2)
                plans.append({"id": plan_id, "monthly_fee": fee_b,
                              "allowances": {"voice_min": "unlimited", "data_gb": gb},
                              "rates": {"data_gb": round(float(rng.uniform(1.5, 4.0)), 2)}})
                ids.append(plan_id)
            offer[p] = ids if b in (2, 3) else ids[int(rng.integers(1, 3))]
        bid = {"operator": f"Operator {b}", "plans": plans, "offer": offer,
               "fees": {"setup": float(rng.integers(0, 8000)), "account_monthly": float(rng.integers(0, 400)),
                        "per_line_activation": float(rng.integers(0, 10))},
               "discounts": {"volume": [{"min_lines": 1200, "percent": float(rng.integers(2, 6))},
                                        {"min_lines": 2500, "percent": float(rng.integers(6, 14))}],
                             "welcome_credit": float(rng.integers(0, 10000))},
               "devices": {"prices": {"high": float(rng.integers(600, 900)), "mid": float(rng.integers(250, 450))},
                           "fund": 30000.0 if b == 4 else 0.0},
               "portability": {"fee_per_number": 1.0, "exit_fee_refund": 0.5 if b == 5 else 0.0}}
        if b in (2, 3):  # the two pooled bids: data shared across the fleet they win
            bid["pool"] = {"data_gb": {"overage_rate": round(float(rng.uniform(1.0, 2.5)), 2)}}
        bids[f"b{b}"] = bid
    return tender, bids


def write(folder: Path, tender: dict, bids: dict[str, dict]) -> Path:
    (folder / "bids").mkdir(parents=True, exist_ok=True)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False))
    for bid_id, bid in bids.items():
        (folder / "bids" / f"{bid_id}.yaml").write_text(yaml.safe_dump(bid, sort_keys=False))
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (best kept)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic tender")
    parser.add_argument("--keep", type=Path, help="write the tender to this folder (kept)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(args.keep or Path(tmp) / "award-bench", *synthetic(args.seed))
        times, cpu, result = [], [], None
        for _ in range(max(1, args.repeat)):
            session = Fleetbid.open(folder)
            session.evaluation()  # the tender's evaluation is not timed
            start, start_cpu = time.perf_counter(), time.process_time()
            result = session.award()
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    best = min(times)
    data = result.as_json()
    print(f"award split, 20 units (4 entities × 5 profiles by cell), 6 bids (2 pooled), 36 months; method "
          f"{data['method']}")
    print(f"  optimum + single award + {len(data['rule_costs'])} rule costs + {len(data['share_curve'])}-point share "
          f"curve: {best:.2f} s (best of {len(times)}; {min(cpu):.2f} s of CPU; target < {TARGET_S:g} s)")
    if data["award"] is not None:
        print(f"  optimum: {data['award']['cost']:,.2f}  " + ", ".join(
            f"{b}: {len(p['units'])} units, {p['share']:.1%}" for b, p in data["award"]["bids"].items()))
    else:
        print(f"  infeasible: {data['infeasible_rules']}")
    single = data["single_award"]
    print(f"  single award: {single['bid']} {single['cost']:,.2f}" if single else "  single award: none")
    for r in data["rule_costs"]:
        diff = "—" if r["difference"] is None else f"{r['difference']:,.2f}"
        print(f"  rule {r['rule']}: without it {r['cost_without']:,.2f}, costs {diff}" if r["cost_without"] is not None
              else f"  rule {r['rule']}: without it infeasible")
    print("  share curve: " + ", ".join(f"{p['max_share']:.1f} → " + ("—" if p["cost"] is None else f"{p['cost']:,.2f}")
                                        for p in data["share_curve"]))
    return 0 if best < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
