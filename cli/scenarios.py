"""The what-if command line, ``python -m scenarios compare|montecarlo|sensitivity|switch|dqe TENDER_DIR …``

Bad input (tender or scenario) prints one line per problem and exits 2. The text output
names operators and criteria (`reports.names`) and explains its terms; ``--json`` keeps the
ids of the format contract.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from reports.names import bid_name, criterion_name, driver_label, glossary
from scenarios.api import Fleetbid
from scenarios.montecarlo import check_draws
from scenarios.overlay import load_scenario
from scenarios.sensitivity import DELTA
from scenarios.stability import shown_range
from scoring import EXAMPLE_TENDER
from scoring.errors import TenderError

from .common import aligned, emit, money, print_problems


def _evaluation(args):
    """The tender (validated first) as written, or under ``--scenario``."""
    session = Fleetbid.open(args.tender_dir)
    scenario = getattr(args, "scenario", None)
    return session.evaluation(load_scenario(scenario) if scenario else None)


def _pct(p: float | None) -> str:
    return "—" if p is None else f"{p:.1%}"


def compare(args) -> tuple[dict, str]:
    session = Fleetbid.open(args.tender_dir)
    paths = args.scenarios or session.scenario_paths()
    runs = [("baseline", session.evaluation())]
    for path in paths:
        scenario = load_scenario(path)
        runs.append((scenario.name, session.evaluation(scenario)))
    data = {"scenarios": [
        {"name": name, "winner": ev.winner, "bids": [
            {"id": b, "tco": ev.figures[b].tco, "rank": ev.ranking.rank[b], "total_score": ev.ranking.total[b]}
            for b in ev.costs.bids]}
        for name, ev in runs]}
    cur = session.tender.spec.currency
    lines = []
    for (_, ev), sc in zip(runs, data["scenarios"]):
        lines.append(f"{sc['name']}: winner {bid_name(ev.tender, sc['winner']) if sc['winner'] else '—'}")
        rows = [["operator", "rank", f"TCO {cur}", "total points"]]
        for b in sc["bids"]:
            rows.append([bid_name(ev.tender, b["id"]), str(b["rank"] or "KO"), money(b["tco"]),
                         "—" if b["total_score"] is None else f"{b['total_score']:.2f}"])
        lines += ["  " + line for line in aligned(rows, right={1, 2, 3})]
    return data, "\n".join(lines)


def montecarlo(args) -> tuple[dict, str]:
    ev = _evaluation(args)
    result = Fleetbid.monte_carlo(ev, args.draws, args.seed)
    data = result.to_dict()
    cur = ev.tender.spec.currency
    ranks = max((len(b["rank_probabilities"]) for b in data["bids"]), default=0)
    head = ["operator", "P(compliant)", *(f"P(rank {r + 1})" for r in range(ranks)), "P(cheapest)",
            f"TCO P5 {cur}", f"TCO P95 {cur}", f"regret {cur}"]
    rows = [head]
    for b in data["bids"]:
        probs = [_pct(p) for p in b["rank_probabilities"]] + ["—"] * (ranks - len(b["rank_probabilities"]))
        rows.append([bid_name(ev.tender, b["id"]), _pct(b["p_compliant"]), *probs, _pct(b["p_cheapest"]),
                     money(b["tco_p5"]), money(b["tco_p95"]), money(b["expected_regret"])])
    lines = [f"{args.draws:,} draws, seed {args.seed}: the share of draws in which each bid is compliant, "
             "ranks 1st, 2nd…, and is the cheapest compliant bid; its TCO's 5th and 95th percentiles"]
    lines += ["  " + line for line in aligned(rows, right=set(range(1, len(head))))]
    lines += ["", f"Regret: {glossary('regret')}. TCO: {glossary('TCO')}."]
    return data, "\n".join(lines)


def _beyond(ev, shown, winner: str) -> str:
    """What happens outside a weight's range: who wins below and above it, or only at 0 or
    100 (a tie at the display's precision, broken by the ranking's tie rule)."""
    parts = []
    for at, who, tie in ((0, shown.at_start, shown.tie_start), (100, shown.at_end, shown.tie_end)):
        if who is None:
            continue
        name = bid_name(ev.tender, who)
        if tie == "tco":
            parts.append(f"at {at}: a tie with {name}, who wins it on the lower TCO")
        elif tie == "id":
            parts.append(f"at {at}: a tie with {name}, who wins it on the bid id")
        else:
            parts.append(f"at {at}: {name}")
    if shown.below:
        parts.insert(0, f"below: {bid_name(ev.tender, shown.below)}")
    if shown.above:
        parts.append(f"above: {bid_name(ev.tender, shown.above)}")
    return f" ({'; '.join(parts)})" if parts else ""


def sensitivity_cmd(args) -> tuple[dict, str]:
    ev = _evaluation(args)
    result = Fleetbid.sensitivity(ev)
    data = result.to_dict()
    winner = bid_name(ev.tender, ev.winner) if ev.winner else "no bid"
    pct = f"{DELTA * 100:g} %"
    lines = [f"Tornado: the margin in points of the winner, {winner}, with each assumption moved by −{pct} then "
             f"+{pct}, and who wins then (a margin below 0: another bid wins; KO: the winner is knocked out)"]
    rows = [["assumption", f"at −{pct}", f"at +{pct}", f"winner at −{pct}", f"winner at +{pct}"]]
    fmt = lambda m: "KO" if m is None else f"{m:+.2f}".replace("-", "−")  # noqa: E731
    who = lambda b: bid_name(ev.tender, b) if b else "none"  # noqa: E731
    for row in data["tornado"]:
        rows.append([driver_label(row["driver"], "en", ev.tender), fmt(row["low"]["margin"]), fmt(row["high"]["margin"]),
                     who(row["low"]["winner"]), who(row["high"]["winner"])])
    lines += ["  " + line for line in aligned(rows, right={1, 2})]
    lines += ["", "Weight stability: how far each weight can move (the other weights rescaled to keep a total of "
                  "100) before the winner changes; ties count as the ranking counts them (totals equal at 9 "
                  "decimals go to the lower TCO)"]
    rows = []
    for w in data["weight_stability"]:
        name = criterion_name(ev.tender, w["weight"])
        shown = shown_range(ev, w)
        if shown.start is None:
            rows.append([name, f"stated {w['stated']:g}:", "not applicable"])
            continue
        rows.append([name, f"stated {w['stated']:g}:", f"{who(w['winner'])} wins from {shown.start:.2f} to "
                     f"{shown.end:.2f}" + _beyond(ev, shown, w["winner"])])
    lines += ["  " + line for line in aligned(rows, right=set())]
    return data, "\n".join(lines)


def switch(args) -> tuple[dict, str]:
    ev = _evaluation(args)
    result = Fleetbid.stay_or_switch(ev)
    data = {"incumbent": result.incumbent, "note": result.note, "challengers": [
        {"id": c.id, "switching_cost": c.switching_cost, "break_even_month": c.break_even_month,
         "cumulative_saving": c.cumulative_saving, "waterfall": c.waterfall, "porting_risk": c.porting_risk}
        for c in result.challengers]}
    cur = ev.tender.spec.currency
    incumbent = bid_name(ev.tender, result.incumbent) if result.incumbent else "—"
    lines = [f"Staying with the incumbent, {incumbent}, against switching to each challenger"
             + (f" ({result.note})" if result.note else "")]
    rows = [["challenger", f"switching cost {cur}", "break-even", f"saving over the term {cur}", ""]]
    for c in result.challengers:
        be = f"month {c.break_even_month}" if c.break_even_month else "never within the term"
        ko = "" if ev.ranking.compliant[c.id] else "knocked out: cannot be awarded"
        rows.append([bid_name(ev.tender, c.id), money(c.switching_cost), be, money(c.cumulative_saving[-1]), ko])
    if result.challengers:
        lines += ["  " + line for line in aligned(rows, right={1, 3})]
        lines += ["", "Break-even: the first month from which the challenger's cumulative cost stays at or below "
                      "staying; saving: the cost of staying minus the challenger's, over the whole term."]
    return data, "\n".join(lines)


def dqe(args) -> tuple[dict, str]:
    ev = _evaluation(args)
    rows_ = Fleetbid.dqe(ev)
    cur = ev.tender.spec.currency
    lines = ["Expected TCO (usage spread across each profile's lines) against the TCO of a DQE, which prices "
             "the average line:"]
    rows = [["operator", f"expected TCO {cur}", f"DQE TCO {cur}", f"gap {cur}"]]
    for r in rows_:
        rows.append([bid_name(ev.tender, r["id"]), money(r["tco"]), money(r["tco_average_line"]), money(r["gap"])])
    lines += ["  " + line for line in aligned(rows, right={1, 2, 3})]
    lines += ["", f"DQE: {glossary('DQE')}. The gap is the overage the heavy users will be billed."]
    return {"bids": rows_}, "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scenarios", description="What-if analyses of a tender.")
    sub = parser.add_subparsers(dest="command", required=True)

    # argparse formats help strings with %: a literal percent sign is written %%.
    def add(name, func, help_text, scenario=True):
        p = sub.add_parser(name, help=help_text, description=(help_text[0].upper() + help_text[1:] + ".").replace("%%", "%"))
        p.add_argument("tender_dir", nargs="?", default=str(EXAMPLE_TENDER),
                       help="tender folder (default: the bundled example)")
        if scenario:
            p.add_argument("--scenario", type=Path, help="apply this scenario file first")
        p.add_argument("--json", action="store_true", help="print JSON (ids, not names) instead of text")
        p.set_defaults(func=func)
        return p

    c = add("compare", compare, "baseline and each scenario (default: the tender's scenarios/)", scenario=False)
    c.add_argument("scenarios", nargs="*", type=Path, help="scenario files (default: the tender's scenarios/*.yaml)")
    m = add("montecarlo", montecarlo, "rank probabilities and TCO ranges under the uncertainty block")
    m.add_argument("--draws", type=int, default=10_000, help="number of draws (default 10000)")
    m.add_argument("--seed", type=int, default=1, help="seed of the quasi-random draws (default 1)")
    add("sensitivity", sensitivity_cmd, f"tornado of drivers at ±{DELTA * 100:g} %% and weight stability")
    add("switch", switch, "stay vs switch: break-even, switching waterfall, porting risk")
    add("dqe", dqe, "expected cost vs the average-line cost of a spreadsheet DQE (bill of quantities)")
    args = parser.parse_args(argv)
    if getattr(args, "draws", 1) < 1:
        parser.error("--draws must be at least 1")
    try:
        if args.func is montecarlo:
            check_draws(args.draws)  # before the tender is read and evaluated: refused at once
        data, text = args.func(args)
    except TenderError as exc:
        return print_problems(exc.problems)
    return emit(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) if args.json else text)
