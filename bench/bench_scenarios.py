"""Benchmark the what-if analyses on the bundled example: Monte Carlo, sensitivity,
stay-vs-switch and the comparison of every bundled scenario.

Prints figures against the targets (Monte Carlo with 10,000 draws < 5 s on a 2-core
machine); exits 0 when every target is met and 1 otherwise (a figure that could not be
measured counts as missed). Times are the best of ``--repeat`` runs after one warm-up run;
each run starts from an evaluated tender (loading and the baseline evaluation are not timed,
except in `compare`, which loads and evaluates everything itself).

Usage::

    python bench/bench_scenarios.py [--draws 10000] [--seed 1] [--repeat 3]
        [--example tenders/conseil-2027]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
# Run as a script, only bench/ is on sys.path; the packages are at the repo root.
for _path in (BENCH_DIR, REPO_ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from bench_core import Report, _fmt_s, _import, best_of, peak_rss_mb  # noqa: E402

MONTE_CARLO_TARGET_S = 5.0


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws")
    parser.add_argument("--seed", type=int, default=1, help="Monte Carlo seed")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per figure")
    parser.add_argument(
        "--example",
        type=Path,
        default=REPO_ROOT / "tenders" / "conseil-2027",
        help="bundled example tender folder",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    report = Report()
    best = f"(best of {args.repeat})"
    name = args.example.name
    mc_measure = f"{name}: monte_carlo, {args.draws:,} draws"
    mc_target = f"< {MONTE_CARLO_TARGET_S:g} s"

    load_tender = _import("scoring.load", "load_tender")
    evaluate = _import("scoring.evaluate", "evaluate")
    if not args.example.is_dir() or load_tender is None or evaluate is None:
        why = "folder not found" if not args.example.is_dir() else "scoring not importable"
        report.missing(mc_measure, why, mc_target)
        print(f"Fleetbid scenarios benchmark: {args.example}")
        report.print()
        return 1

    tender = load_tender(args.example)
    ev = evaluate(tender)
    uncertainty = tender.spec.uncertainty
    dims = "no uncertainty block" if uncertainty is None else (
        f"usage {len(uncertainty.usage)}, lines {'yes' if uncertainty.lines else 'no'}, "
        f"switching {len(uncertainty.switching)}, weights {'yes' if uncertainty.weights else 'no'}"
    )

    monte_carlo = _import("scenarios.montecarlo", "monte_carlo")
    if monte_carlo is None:
        report.missing(mc_measure, "scenarios.montecarlo not importable", mc_target)
    else:
        mc_s = best_of(lambda e: monte_carlo(e, args.draws, args.seed), args.repeat, setup=lambda: ev)
        report.add(f"{mc_measure} {best}", _fmt_s(mc_s), mc_target, mc_s < MONTE_CARLO_TARGET_S)
        per_draw_us = mc_s / args.draws * 1e6
        report.add(f"{name}: monte_carlo, per draw", f"{per_draw_us:.1f} µs")

    sensitivity = _import("scenarios.sensitivity", "sensitivity")
    if sensitivity is None:
        report.missing(f"{name}: sensitivity", "scenarios.sensitivity not importable")
    else:
        sens_s = best_of(sensitivity, args.repeat, setup=lambda: ev)
        result = sensitivity(ev)
        report.add(
            f"{name}: sensitivity, {len(result.tornado)} drivers × 2 + "
            f"{len(result.weights)} weights {best}",
            _fmt_s(sens_s),
        )

    stay_or_switch = _import("scenarios.switch", "stay_or_switch")
    if stay_or_switch is None:
        report.missing(f"{name}: stay_or_switch", "scenarios.switch not importable")
    else:
        switch_s = best_of(stay_or_switch, args.repeat, setup=lambda: ev)
        report.add(f"{name}: stay_or_switch {best}", _fmt_s(switch_s))

    compare = _import("cli.scenarios", "compare")
    if compare is None:
        report.missing(f"{name}: compare", "cli.scenarios not importable")
    else:
        tender_scenarios = _import("scenarios.overlay", "tender_scenarios")
        n_scenarios = len(tender_scenarios(args.example)) if tender_scenarios else 0
        ns = argparse.Namespace(tender_dir=str(args.example), scenarios=[])
        compare_s = best_of(compare, args.repeat, setup=lambda: ns)
        report.add(
            f"{name}: compare, baseline + {n_scenarios} scenarios, load included {best}",
            _fmt_s(compare_s),
        )

    rss = peak_rss_mb()
    report.add("process peak RSS (ru_maxrss)", f"{rss:.0f} MB")

    print(f"Fleetbid scenarios benchmark: {args.example} ({dims})")
    report.print()
    return 0 if report.all_met else 1


if __name__ == "__main__":
    sys.exit(main())
