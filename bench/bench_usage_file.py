"""Benchmark reading a billing export: `read_usage_table` + `line_usage`.

Generates a seeded synthetic export (``--lines`` lines × ``--months`` months × 8 usage
columns, heavy-tailed: lognormal data, mostly-zero roaming) as a CSV in a temporary folder,
then times reading it in a fresh child process (best of ``--repeat`` after one warm-up),
so the child's peak RSS is the reader's, not the generator's. Targets (100k lines): load
< 5 s, peak memory < 2 GB. Exits 0 when both are met.

Usage::

    python bench/bench_usage_file.py [--lines 100000] [--months 12] [--seed 7] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
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

LOAD_TARGET_S = 5.0
MEMORY_TARGET_MB = 2048.0
ENTITIES = [f"cc-{i:02d}" for i in range(5)]
PROFILES = [f"p-{i:02d}" for i in range(20)]
COLUMNS = {
    "line": "msisdn",
    "entity": "cost_centre",
    "profile": "category",
    "month": "period",
    "voice_min": "voice_seconds",
    "data_gb": "data_mb",
    "sms": "sms_count",
    "intl_voice_min": "intl_seconds",
    "roam_eu_data_gb": "roam_eu_mb",
    "roam_eu_voice_min": "roam_eu_seconds",
    "roam_world_data_gb": "roam_world_mb",
    "roam_world_voice_min": "roam_world_seconds",
}
UNITS = {c: ("MB" if c.endswith("_gb") else "s") for c in COLUMNS if c.endswith(("_gb", "_min"))}
KEY = b"bench-key"


def generate(path: Path, lines: int, months: int, seed: int) -> int:
    """Write the export one month at a time (bounded memory); return its size in bytes."""
    rng = np.random.default_rng(seed)
    numbers = np.char.add("336", np.char.zfill((rng.permutation(10**8)[:lines]).astype(str), 8))
    entity = np.array(ENTITIES)[rng.integers(0, len(ENTITIES), lines)]
    profile = np.array(PROFILES)[rng.integers(0, len(PROFILES), lines)]
    level = rng.lognormal(0.0, 1.0, lines)  # each line's own usage level
    header = ",".join([*COLUMNS.values(), "plan_name"])
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(header + "\n")
        for k in range(months):
            period = f"{2025 + k // 12}-{k % 12 + 1:02d}"

            def roam(p: float, scale: float) -> np.ndarray:
                on = rng.random(lines) < p
                return np.where(on, np.round(rng.lognormal(np.log(scale), 1.2, lines)), 0).astype(np.int64)

            cols = [
                numbers,
                entity,
                profile,
                np.full(lines, period),
                np.round(level * rng.lognormal(np.log(15000), 0.8, lines)).astype(np.int64).astype(str),
                np.char.mod("%.1f", level * rng.lognormal(np.log(8000), 1.0, lines)),
                rng.poisson(level * 20).astype(str),
                roam(0.1, 600).astype(str),
                roam(0.15, 800).astype(str),
                roam(0.15, 900).astype(str),
                roam(0.03, 300).astype(str),
                roam(0.03, 600).astype(str),
                np.full(lines, "Forfait"),
            ]
            body = cols[0]
            for col in cols[1:]:
                body = np.char.add(np.char.add(body, ","), col)
            out.write("\n".join(body.tolist()))
            out.write("\n")
    return path.stat().st_size


def measure(path: Path, repeat: int) -> dict:
    """In the child: best time of read + line_usage, and the peak RSS."""
    from scoring.usage_file import UsageFileSpec, line_usage, read_usage_table

    spec = UsageFileSpec(path=path.name, columns=COLUMNS, units=UNITS)
    data = path.read_bytes()

    def run():
        table = read_usage_table(data, spec, shown=path.name, entities=ENTITIES, profiles=PROFILES, key=KEY)
        t1 = time.perf_counter()
        lu = line_usage(table, spec.components)
        return table, lu, time.perf_counter() - t1

    run()
    gc.collect()
    best, best_lu = float("inf"), float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        table, lu, lu_s = run()
        total = time.perf_counter() - start
        best, best_lu = min(best, total), min(best_lu, lu_s)
        shape = lu.usage.shape
        rows = len(table)
        table_mb = table.memory_usage(deep=True).sum() / 1024**2
        del table, lu
        gc.collect()
    return {
        "total_s": best,
        "line_usage_s": best_lu,
        "rss_mb": peak_rss_mb(),
        "shape": shape,
        "rows": rows,
        "table_mb": table_mb,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child's mode
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat)))
        return 0

    report = Report()
    with tempfile.TemporaryDirectory(prefix="fleetbid-usage-") as tmp:
        path = Path(tmp) / "usage.csv"
        start = time.perf_counter()
        size = generate(path, args.lines, args.months, args.seed)
        report.add("generate export CSV (once)", f"{_fmt_s(time.perf_counter() - start)}, {size / 1024**2:.0f} MB")
        child = subprocess.run(
            [sys.executable, __file__, "--measure", str(path), "--repeat", str(args.repeat)],
            capture_output=True,
            text=True,
            cwd=REPO_ROOT,
        )
        if child.returncode != 0:
            print(child.stderr, file=sys.stderr)
            return 1
        fig = json.loads(child.stdout.strip().splitlines()[-1])
    small = args.lines <= 100_000
    best = f"(best of {args.repeat})"
    report.add("rows read", f"{fig['rows']:,}")
    report.add("line_usage array (N, K, C)", " × ".join(map(str, fig["shape"])))
    report.add("table memory (deep)", f"{fig['table_mb']:.0f} MB")
    report.add(
        f"read_usage_table + line_usage {best}",
        _fmt_s(fig["total_s"]),
        "< 5 s" if small else "",
        fig["total_s"] < LOAD_TARGET_S if small else None,
    )
    report.add(f"  of which line_usage {best}", _fmt_s(fig["line_usage_s"]))
    report.add(
        "reader process peak RSS (ru_maxrss, incl. file bytes)",
        f"{fig['rss_mb']:.0f} MB",
        "< 2 GB" if small else "",
        fig["rss_mb"] < MEMORY_TARGET_MB if small else None,
    )
    print(f"Fleetbid usage-file benchmark: {args.lines:,} lines × {args.months} months × 8 usage columns")
    report.print()
    return 0 if report.all_met else 1


if __name__ == "__main__":
    sys.exit(main())
