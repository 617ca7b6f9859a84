"""Benchmark reading a billing export into per-line arrays (LineUsage).

Generates a seeded synthetic export (``--lines`` lines × ``--months`` months × 8 usage
columns, heavy-tailed: lognormal data, mostly-zero roaming; rows month by month, as a
monthly billing run writes them) as a CSV, then times each path in a fresh child process
(best of ``--repeat`` after one warm-up), so the child's peak RSS is that path's, not the
generator's nor the other path's:

- ``fast``: `read_line_usage`, bytes straight to the (N, K, C) array (what the cost engine
  uses);
- ``table``: `read_usage_table` then `line_usage` (the long table, what the profile builder
  uses);
- ``pandas``: `read_line_usage` of the same file declared ``encoding: cp1252`` (it is ASCII,
  so the arrays are the same): the path of every export not in UTF-8 and of every file
  pyarrow's reader refuses — pandas' parser, after the check that every row has the
  header's number of cells (`scoring.usage_file.ragged.check_cell_counts`).

Both hold the file's bytes, as a caller that read the file does. Targets (100k lines, either
path): load < 5 s, peak memory < 2 GB; larger sizes show "< 2 GB" for the fast path as an
aim, which does not change the exit code. Exits 0 when every target is met.

Usage::

    python bench/bench_usage_file.py [--lines 100000 1000000] [--months 12] [--seed 7]
        [--repeat 3] [--paths fast table pandas] [--keep DIR]

``--keep DIR`` keeps the generated exports in DIR and reuses them (writing 1M lines takes
about a minute).
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
KEY = b"fleetbid-bench-key"


def _text(values: np.ndarray, fmt: str | None = None) -> list[str]:
    return values.astype(str).tolist() if fmt is None else [format(v, fmt) for v in values.tolist()]


def generate(path: Path, lines: int, months: int, seed: int) -> int:
    """Write the export one month at a time (bounded memory); return its size in bytes."""
    rng = np.random.default_rng(seed)
    numbers = np.char.add("336", np.char.zfill((rng.permutation(10**8)[:lines]).astype(str), 8))
    entity = np.array(ENTITIES)[rng.integers(0, len(ENTITIES), lines)]
    profile = np.array(PROFILES)[rng.integers(0, len(PROFILES), lines)]
    level = rng.lognormal(0.0, 1.0, lines)  # each line's own usage level
    header = ",".join([*COLUMNS.values(), "plan_name"])
    numbers_text, entity_text, profile_text = numbers.tolist(), entity.tolist(), profile.tolist()
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(header + "\n")
        for k in range(months):
            period = f"{2025 + k // 12}-{k % 12 + 1:02d}"

            def roam(p: float, scale: float) -> np.ndarray:
                on = rng.random(lines) < p
                return np.where(on, np.round(rng.lognormal(np.log(scale), 1.2, lines)), 0).astype(np.int64)

            cols = [
                numbers_text,
                entity_text,
                profile_text,
                [period] * lines,
                _text(np.round(level * rng.lognormal(np.log(15000), 0.8, lines)).astype(np.int64)),
                _text(level * rng.lognormal(np.log(8000), 1.0, lines), ".1f"),
                _text(rng.poisson(level * 20)),
                _text(roam(0.1, 600)),
                _text(roam(0.15, 800)),
                _text(roam(0.15, 900)),
                _text(roam(0.03, 300)),
                _text(roam(0.03, 600)),
                ["Forfait"] * lines,
            ]
            out.write("\n".join(map(",".join, zip(*cols))))
            out.write("\n")
    return path.stat().st_size


def measure(path: Path, repeat: int, which: str) -> dict:
    """In the child: the best time of one path, and the process's peak RSS."""
    from scoring.usage_file import UsageFileSpec, line_usage, read_line_usage, read_usage_table

    spec = UsageFileSpec(path=path.name, columns=COLUMNS, units=UNITS, encoding="cp1252" if which == "pandas" else "utf-8")
    data = path.read_bytes()
    args = dict(shown=path.name, entities=ENTITIES, profiles=PROFILES, key=KEY)

    def run() -> tuple:
        if which in ("fast", "pandas"):
            return read_line_usage(data, spec, **args), 0.0, 0, 0.0
        table = read_usage_table(data, spec, **args)
        start = time.perf_counter()
        lu = line_usage(table, spec.components)
        return lu, time.perf_counter() - start, len(table), table.memory_usage(deep=True).sum() / 1024**2

    run()
    gc.collect()
    best, best_lu = float("inf"), float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        lu, lu_s, rows, table_mb = run()
        best, best_lu = min(best, time.perf_counter() - start), min(best_lu, lu_s)
        shape = lu.usage.shape
        usage_mb = lu.usage.nbytes / 1024**2
        del lu
        gc.collect()
    return {"total_s": best, "line_usage_s": best_lu, "rss_mb": peak_rss_mb(), "shape": shape, "rows": rows,
            "table_mb": table_mb, "usage_mb": usage_mb, "file_mb": len(data) / 1024**2}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, nargs="+", default=[100_000])
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--paths", nargs="+", choices=["fast", "table", "pandas"], default=["fast", "table", "pandas"])
    parser.add_argument("--keep", type=Path, help="keep the generated exports in this folder, and reuse them")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # the child's mode
    parser.add_argument("--which", choices=["fast", "table", "pandas"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.repeat, args.which)))
        return 0

    report = Report()
    best = f"(best of {args.repeat})"
    with tempfile.TemporaryDirectory(prefix="fleetbid-usage-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for lines in args.lines:
            small = lines <= 100_000
            path = folder / f"usage-{lines}x{args.months}-seed{args.seed}.csv"
            if path.exists():
                report.add(f"{lines:,} lines: export CSV (reused)", f"{path.stat().st_size / 1024**2:.0f} MB")
            else:
                start = time.perf_counter()
                size = generate(path, lines, args.months, args.seed)
                report.add(f"{lines:,} lines: generate export CSV (once)",
                           f"{_fmt_s(time.perf_counter() - start)}, {size / 1024**2:.0f} MB")
            for which in args.paths:
                child = subprocess.run(
                    [sys.executable, __file__, "--measure", str(path), "--which", which, "--repeat", str(args.repeat)],
                    capture_output=True, text=True, cwd=REPO_ROOT,
                )
                if child.returncode != 0:
                    print(child.stderr, file=sys.stderr)
                    return 1
                fig = json.loads(child.stdout.strip().splitlines()[-1])
                name = {"fast": "read_line_usage (fast path)", "table": "read_usage_table + line_usage",
                        "pandas": "read_line_usage, not UTF-8 (pandas)"}[which]
                if which == "fast":
                    report.add(f"{lines:,} lines: usage array (N, K, C)",
                               f"{' × '.join(map(str, fig['shape']))} float64, {fig['usage_mb']:.0f} MB")
                report.add(f"{lines:,} lines: {name} {best}", _fmt_s(fig["total_s"]),
                           "< 5 s" if small else "", fig["total_s"] < LOAD_TARGET_S if small else None)
                if which == "table":
                    report.add(f"{lines:,} lines:   of which line_usage {best}", _fmt_s(fig["line_usage_s"]))
                    report.add(f"{lines:,} lines:   rows read, table memory (deep)",
                               f"{fig['rows']:,}, {fig['table_mb']:.0f} MB")
                aim = which == "fast" and not small
                report.add(
                    f"{lines:,} lines: {name} peak RSS (incl. the {fig['file_mb']:.0f} MB file)",
                    f"{fig['rss_mb']:.0f} MB",
                    "< 2 GB" if small else "< 2 GB (aim)" if aim else "",
                    fig["rss_mb"] < MEMORY_TARGET_MB if small else None,
                )
                if aim:
                    report.rows[-1] = (*report.rows[-1][:3], "yes" if fig["rss_mb"] < MEMORY_TARGET_MB else "no")
    print(f"Fleetbid usage-file benchmark: {', '.join(f'{n:,}' for n in args.lines)} lines × {args.months} months "
          f"× 8 usage columns")
    report.print()
    return 0 if report.all_met else 1


if __name__ == "__main__":
    sys.exit(main())
