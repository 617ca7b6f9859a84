"""Benchmark per-line evaluation from a billing export (issue 7).

Generates a seeded synthetic tender (``bench/make_synthetic.py``: 20 profiles, 5 entities,
12 bids × 4 plans, half with a data pool, 36 months) whose fleet is a billing export of
``--lines`` lines × 12 months × 8 usage columns (heavy-tailed: each line's own lognormal
level × monthly noise, intermittent roaming), then, in a fresh child process so the peak
RSS is the evaluation's and not the generator's:

- load: `load_tender` (reads, checks and pseudonymises the export; builds the profiles);
- evaluate: `evaluate` (every line on its own usage under its profile's plans, 12 bids ×
  36 months, plan mixes, scoring);
- line costs: `line_costs` for one bid (most expensive lines);
- peak RSS of the child.

Targets (100,000 lines, 2-core machine): load < 5 s, evaluation < 5 s, peak memory < 2 GB.

Usage::

    python bench/bench_lines.py [--lines 100000] [--seed 7] [--repeat 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
for _path in (BENCH_DIR, REPO_ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_core import Report, _fmt_s, peak_rss_mb  # noqa: E402
from make_synthetic import generate, write_tender  # noqa: E402

LOAD_TARGET_S = 5.0
EVAL_TARGET_S = 5.0
MEMORY_TARGET_MB = 2048.0
MONTHS = 12
# The synthetic tender's five components plus three more columns every plan prices.
EXTRA = {"intl_voice_min": 0.25, "roam_eu_voice_min": 0.05, "roam_world_data_gb": 9.0}
EXTRA_USE = {"intl_voice_min": (0.2, 30.0), "roam_eu_voice_min": (0.15, 60.0), "roam_world_data_gb": (0.03, 0.8)}
KEY = "fleetbid-bench-key"  # at least MIN_KEY_BYTES (16) bytes


def make(folder: Path, lines: int, seed: int) -> int:
    """Write the tender, its bids and usage.csv; return the export's size in bytes."""
    tender, bids = generate(lines=lines, profiles=20, entities=5, bids=12, plans=4, months=36, seed=seed)
    rng = np.random.default_rng(seed + 1)
    components = [*sorted({c for p in tender["profiles"] for c in p["usage"]}), *EXTRA]
    entity_ids = [e["id"] for e in tender["entities"]]
    profile_of, entity_of, mean = [], [], []
    for p in tender["profiles"]:
        for e, n in p["lines"].items():
            profile_of += [p["id"]] * n
            entity_of += [e] * n
            mean += [[p["usage"].get(c, 0.0) for c in components[: -len(EXTRA)]]] * n
        del p["lines"], p["usage"]
    n = len(profile_of)
    mean = np.array(mean, dtype=float)
    level = rng.lognormal(-0.32, 0.8, (n, 1))  # mean 1: each line's own level, heavy tail
    for bid in bids.values():
        for plan in bid["plans"]:
            plan.setdefault("rates", {}).update(EXTRA)
    tender["usage_file"] = {
        "path": "usage.csv",
        "columns": {"line": "msisdn", "entity": "cost_centre", "profile": "category", "month": "period",
                    **{c: c.replace("_gb", "_mb") for c in components}},
        "units": {c: "MB" for c in components if c.endswith("_gb")},
    }
    write_tender(folder, tender, bids, force=True)
    numbers = np.char.add("+336", np.char.zfill(rng.permutation(10**8)[:n].astype(str), 8))
    head = np.char.add(np.char.add(np.char.add(np.char.add(numbers, ","), np.array(entity_of)), ","),
                       np.array(profile_of))
    with open(folder / "usage.csv", "w", encoding="utf-8", newline="\n") as out:
        out.write(",".join(tender["usage_file"]["columns"].values()) + "\n")
        for k in range(MONTHS):
            values = mean * level * rng.lognormal(-0.045, 0.3, (n, 1))
            cols = [np.char.add(head, f",2026-{k + 1:02d}")]
            for c, name in enumerate(components[: -len(EXTRA)]):
                v = values[:, c] * (1000 if name.endswith("_gb") else 1)
                cols.append(np.char.mod("%.1f", v))
            for name, (share, scale) in EXTRA_USE.items():
                on = rng.random(n) < share
                v = np.where(on, rng.lognormal(np.log(scale), 1.0, n), 0.0) * (1000 if name.endswith("_gb") else 1)
                cols.append(np.char.mod("%.1f", v))
            body = cols[0]
            for col in cols[1:]:
                body = np.char.add(np.char.add(body, ","), col)
            out.write("\n".join(body.tolist()) + "\n")
    assert set(entity_of) <= set(entity_ids)
    return (folder / "usage.csv").stat().st_size


def measure(folder: Path, repeat: int) -> dict:
    """In the child: best load and evaluation times over ``repeat`` runs, then the peak RSS."""
    import gc

    import scoring.lines as lines_module
    from scoring import evaluate
    from scoring.cost import line_costs
    from scoring.load import load_tender

    best = {"load": float("inf"), "evaluate": float("inf"), "line_costs": float("inf")}
    for _ in range(repeat):
        lines_module._READ.clear()  # time reading the export every time, not the cache
        gc.collect()
        t0 = time.perf_counter()
        tender = load_tender(folder)
        t1 = time.perf_counter()
        ev = evaluate(tender)
        t2 = time.perf_counter()
        bid = next(b for b in ev.costs.bids if ev.costs.costed(b))
        table = line_costs(ev.costs, tender, bid)
        t3 = time.perf_counter()
        best = {"load": min(best["load"], t1 - t0), "evaluate": min(best["evaluate"], t2 - t1),
                "line_costs": min(best["line_costs"], t3 - t2)}
    return {
        **best,
        "rss_mb": peak_rss_mb(),
        "lines": int(tender.lines.n),
        "shape": list(tender.lines.usage.usage.shape),
        "bids": len(ev.costs.bids),
        "costed": sum(ev.costs.costed(b) for b in ev.costs.bids),
        "months": int(ev.costs.fleet.term_months),
        "top_line_eur": float(table["total"].iloc[0]),
        "median_line_eur": float(table["total"].median()),
        "winner": ev.to_dict()["winner"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args(argv)
    if args.measure is not None:
        print(json.dumps(measure(args.measure, args.repeat)))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tender"
        t0 = time.perf_counter()
        size = make(folder, args.lines, args.seed)
        print(f"generated {args.lines:,} lines × {MONTHS} months × 8 usage columns: "
              f"{size / 1024**2:,.0f} MB in {time.perf_counter() - t0:.1f} s", flush=True)
        env = {**os.environ, "FLEETBID_PSEUDONYM_KEY": KEY}
        child = subprocess.run([sys.executable, __file__, "--measure", str(folder), "--repeat", str(args.repeat)],
                               capture_output=True, text=True, env=env, check=False)
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return 1
        r = json.loads(child.stdout)
    report = Report()
    big = args.lines > 100_000
    report.add("lines × months (export)", f"{r['shape'][0]:,} × {r['shape'][1]} × {r['shape'][2]} components")
    report.add("bids × months", f"{r['bids']} ({r['costed']} costed) × {r['months']}")
    report.add("load (read export + tender)", _fmt_s(r["load"]), "" if big else f"< {LOAD_TARGET_S:.0f} s",
               None if big else r["load"] < LOAD_TARGET_S)
    report.add("evaluate (per line)", _fmt_s(r["evaluate"]), "" if big else f"< {EVAL_TARGET_S:.0f} s",
               None if big else r["evaluate"] < EVAL_TARGET_S)
    report.add("line costs, one bid", _fmt_s(r["line_costs"]))
    report.add("peak RSS", f"{r['rss_mb']:,.0f} MB", "" if big else f"< {MEMORY_TARGET_MB:,.0f} MB",
               None if big else r["rss_mb"] < MEMORY_TARGET_MB)
    report.add("most expensive line / median", f"{r['top_line_eur']:,.0f} € / {r['median_line_eur']:,.0f} €")
    report.add("winner", str(r["winner"]))
    report.print()
    return 0 if report.all_met else 1


if __name__ == "__main__":
    raise SystemExit(main())
