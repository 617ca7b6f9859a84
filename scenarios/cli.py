"""``python -m scenarios compare|montecarlo|sensitivity|switch|dqe TENDER_DIR …``

Bad input (tender or scenario) prints one line per problem and exits 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from scoring import EXAMPLE_TENDER
from scoring.cli import money
from scoring.errors import TenderError
from scoring.evaluate import evaluate
from scoring.load import build_tender, read_folder

from .dqe import dqe_gap
from .montecarlo import monte_carlo
from .overlay import evaluate_scenario, load_scenario, tender_scenarios
from .sensitivity import sensitivity
from .switch import stay_or_switch


def _evaluation(args):
    raw = read_folder(args.tender_dir)
    tender = build_tender(raw)
    scenario = getattr(args, "scenario", None)
    return evaluate_scenario(raw, load_scenario(scenario)) if scenario else evaluate(tender)


def compare(args) -> tuple[dict, str]:
    raw = read_folder(args.tender_dir)
    base = build_tender(raw)
    paths = args.scenarios or tender_scenarios(args.tender_dir)
    runs = [("baseline", evaluate(base))]
    for path in paths:
        scenario = load_scenario(path)
        runs.append((scenario.name, evaluate_scenario(raw, scenario)))
    data = {"scenarios": [
        {"name": name, "winner": ev.winner, "bids": [
            {"id": b, "tco": ev.figures[b].tco, "rank": ev.ranking.rank[b], "total_score": ev.ranking.total[b]}
            for b in ev.costs.bids]}
        for name, ev in runs]}
    lines = []
    for sc in data["scenarios"]:
        lines.append(f"{sc['name']}: winner {sc['winner'] or '—'}")
        for b in sc["bids"]:
            total = "—" if b["total_score"] is None else f"{b['total_score']:.2f}"
            lines.append(f"  {b['id']:<12} rank {b['rank'] or 'KO':>2}  TCO {money(b['tco']):>12}  total {total}")
    return data, "\n".join(lines)


def montecarlo(args) -> tuple[dict, str]:
    result = monte_carlo(_evaluation(args), args.draws, args.seed)
    data = result.to_dict()
    lines = [f"{args.draws} draws, seed {args.seed}"]
    for b in data["bids"]:
        probs = " ".join(f"{p:.1%}" for p in b["rank_probabilities"])
        lines.append(f"  {b['id']:<12} P(compliant) {b['p_compliant']:.1%}  P(rank) {probs:<30} "
                     f"P(cheapest) {b['p_cheapest']:.1%}  "
                     f"TCO P5–P95 {money(b['tco_p5'])}–{money(b['tco_p95'])}  regret {money(b['expected_regret'])}")
    return data, "\n".join(lines)


def sensitivity_cmd(args) -> tuple[dict, str]:
    data = sensitivity(_evaluation(args)).to_dict()
    lines = ["Tornado (±20 %): winner's margin low → high"]
    for row in data["tornado"]:
        lo, hi = row["low"]["margin"], row["high"]["margin"]
        fmt = lambda m: "KO" if m is None else f"{m:+.2f}"  # noqa: E731
        lines.append(f"  {row['driver']:<34} {fmt(lo):>8} → {fmt(hi):>8}   winners {row['low']['winner']} / "
                     f"{row['high']['winner']}")
    lines.append("Weight stability (others rescaled to keep 100):")
    for w in data["weight_stability"]:
        if w["stable_from"] is None:
            lines.append(f"  {w['weight']:<24} stated {w['stated']:g}: not applicable")
            continue
        beyond = ", ".join(x for x in (f"below: {w['below']}" if w["below"] else "",
                                       f"above: {w['above']}" if w["above"] else "") if x)
        lines.append(f"  {w['weight']:<24} stated {w['stated']:g}: {w['winner']} wins from {w['stable_from']:.2f} "
                     f"to {w['stable_to']:.2f}" + (f" ({beyond})" if beyond else ""))
    return data, "\n".join(lines)


def switch(args) -> tuple[dict, str]:
    ev = _evaluation(args)
    result = stay_or_switch(ev)
    data = {"incumbent": result.incumbent, "note": result.note, "challengers": [
        {"id": c.id, "switching_cost": c.switching_cost, "break_even_month": c.break_even_month,
         "cumulative_saving": c.cumulative_saving, "waterfall": c.waterfall, "porting_risk": c.porting_risk}
        for c in result.challengers]}
    lines = [f"Incumbent: {result.incumbent or '—'}" + (f" ({result.note})" if result.note else "")]
    for c in result.challengers:
        be = f"month {c.break_even_month}" if c.break_even_month else "never within the term"
        ko = "" if ev.ranking.compliant[c.id] else "  (knocked out: cannot be awarded)"
        lines.append(f"  {c.id:<12} switching {money(c.switching_cost):>10}  break-even {be:<22} "
                     f"saving over the term {money(c.cumulative_saving[-1])}{ko}")
    return data, "\n".join(lines)


def dqe(args) -> tuple[dict, str]:
    rows = dqe_gap(_evaluation(args))
    lines = ["Expected TCO (usage spread across lines) vs the average line of a spreadsheet DQE:"]
    for r in rows:
        lines.append(f"  {r['id']:<12} {money(r['tco']):>12} vs {money(r['tco_average_line']):>12}  "
                     f"gap {money(r['gap'])}")
    return {"bids": rows}, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scenarios", description="What-if analyses of a tender.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name, func, help_text, scenario=True):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("tender_dir", nargs="?", default=str(EXAMPLE_TENDER))
        if scenario:
            p.add_argument("--scenario", type=Path, help="apply this scenario file first")
        p.add_argument("--json", action="store_true")
        p.set_defaults(func=func)
        return p

    c = add("compare", compare, "baseline and each scenario (default: the tender's scenarios/)", scenario=False)
    c.add_argument("scenarios", nargs="*", type=Path)
    m = add("montecarlo", montecarlo, "rank probabilities and TCO ranges under the uncertainty block")
    m.add_argument("--draws", type=int, default=10_000)
    m.add_argument("--seed", type=int, default=1)
    add("sensitivity", sensitivity_cmd, "tornado of drivers at ±20 % and weight stability")
    add("switch", switch, "stay vs switch: break-even, switching waterfall, porting risk")
    add("dqe", dqe, "expected cost vs the average-line cost of a spreadsheet DQE")
    args = parser.parse_args(argv)
    if getattr(args, "draws", 1) < 1:
        parser.error("--draws must be at least 1")
    try:
        data, text = args.func(args)
    except TenderError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    print(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) if args.json else text)
    return 0
