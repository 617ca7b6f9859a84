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
from reports.text import t
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
    for (_, ev), sc in zip(runs, data["scenarios"]):  # the award split's cost, where the tender has an award block
        if ev.tender.spec.award is not None:
            try:
                split = Fleetbid.award_of(ev)
            except TenderError as exc:  # a scenario the split cannot cost (billed usage line by line)
                sc["award"] = {"feasible": None, "cost": None, "error": "; ".join(p.message for p in exc.problems)}
                continue
            sc["award"] = {"feasible": split.feasible, "cost": None if split.award is None else split.award.cost,
                           "objective": split.objective, "split": None if split.award is None else
                           split.award.units_by_bid(), "infeasible_rules": list(split.infeasible_rules)}
    cur = session.tender.spec.currency
    lines = []
    for (_, ev), sc in zip(runs, data["scenarios"]):
        lines.append(f"{sc['name']}: winner {bid_name(ev.tender, sc['winner']) if sc['winner'] else '—'}")
        rows = [["operator", "rank", f"TCO {cur}", "total points"]]
        for b in sc["bids"]:
            rows.append([bid_name(ev.tender, b["id"]), str(b["rank"] or "KO"), money(b["tco"]),
                         "—" if b["total_score"] is None else f"{b['total_score']:.2f}"])
        lines += ["  " + line for line in aligned(rows, right={1, 2, 3})]
        if "award" in sc:
            split = sc["award"]
            if split["feasible"] is None:
                lines.append(f"  {t('award.cost', 'en')}: — ({split['error']})")
                continue
            lines.append(f"  {t('award.cost', 'en')}: " + (
                f"{money(split['cost'])} {cur} (" + "; ".join(f"{bid_name(ev.tender, b)}: {', '.join(us)}"
                                                          for b, us in split["split"].items()) + ")"
                if split["feasible"] else t("award.infeasible_unnamed", "en") + " (" + ", ".join(
                    split["infeasible_rules"]) + ")"))
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


def award_conflict(args, data: dict) -> str:
    """The error line of rules that cannot hold together: the rules by name, then in words."""
    from reports.award import conflict, rules_of

    tender = Fleetbid.open(args.tender_dir).evaluation(load_scenario(args.scenario) if args.scenario else None).tender
    names = ", ".join(data["infeasible_rules"]) or "coverage: no eligible bid can receive " + ", ".join(
        data["uncovered_units"])
    where = args.scenario or f"{args.tender_dir.rstrip('/')}/tender.yaml"
    return f"{where}: award: infeasible rules ({names}): {conflict(data, rules_of(tender.spec.award), tender, 'en')}"


def award(args) -> tuple[dict, str]:
    """The award split (docs/award-split.md): the contract's JSON, and the text of its tables."""
    from reports.award import conflict, rule_words, rules_of, share_label, split_words, unit_name

    session = Fleetbid.open(args.tender_dir)
    scenario = load_scenario(args.scenario) if args.scenario else None
    result = session.award(scenario)
    data = result.as_json()
    tender = session.evaluation(scenario).tender
    rules, kind, cur = rules_of(tender.spec.award), result.unit, result.currency
    name = lambda b: bid_name(tender, b)  # noqa: E731
    units = lambda us: ", ".join(unit_name(tender, kind, u) for u in us)  # noqa: E731
    lines = [f"{t('page.award', 'en')} — {t(f'award.unit.{kind}', 'en')}, {t(f'award.regime.{result.regime}', 'en')}, "
             f"{t(f'award.objective.{result.objective}', 'en')} ({cur})"]
    if result.award is None:
        lines.append(conflict(data, rules, tender, "en"))
    else:
        lines.append(f"{t('award.cost', 'en')}: {money(result.award.cost)}")
        rows = [[t(f"award.col.{c}", "en") for c in ("operator", "units", "lines", "share", "bid_cost", "switching",
                                                      "cost")]]
        for b in result.award.bids:
            rows.append([name(b.bid), units(b.units), f"{b.initial_lines:,.0f}", share_label(b.share, "en"),
                         money(b.bid_cost), money(b.switching_cost), money(b.cost)])
        lines += ["", t("award.by_operator", "en")] + ["  " + x for x in aligned(rows, right={2, 3, 4, 5, 6})]
    if result.single_award is None:
        lines += ["", t("award.no_single", "en")]
    else:
        lines += ["", f"{t('award.single', 'en', name=name(result.single_award[0]))}: {money(result.single_award[1])}"]
        if result.saving_vs_single is not None:
            key = "award.saving_text" if result.saving_vs_single > 0.005 else (
                "award.extra_text" if result.saving_vs_single < -0.005 else "award.same_text")
            lines.append(t(key, "en", amount=f"{money(abs(result.saving_vs_single))} {cur}",
                           name=name(result.single_award[0])))
    lines += ["", t("award.rule_costs", "en")]
    if result.rule_costs:
        rows = [[t(f"award.col.{c}", "en") for c in ("rule", "without", "difference")]]
        for r in result.rule_costs:
            rows.append([rule_words(r.rule, rules, tender, "en"), money(r.cost_without), money(r.difference)])
        lines += ["  " + x for x in aligned(rows, right={1, 2})] + [t("award.rule_costs_note", "en")]
    else:
        lines.append("  " + t("award.no_rules", "en"))
    rows = [[t(f"award.col.{c}", "en") for c in ("max_share", "curve_cost", "curve_split")]]
    for p in result.share_curve:
        rows.append([share_label(p.max_share, "en"), money(p.cost) if p.cost is not None else
                     t("award.infeasible_cell", "en"), split_words(p.split, tender, kind)])
    lines += ["", t("award.title.curve", "en")] + ["  " + x for x in aligned(rows, right={0, 1})]
    lines.append(t("award.curve_note", "en"))
    if result.excluded:
        lines += ["", t("award.excluded", "en", list="; ".join(f"{name(b)} ({why})"
                                                                for b, why in result.excluded.items()))]
    return data, "\n".join(lines)


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
    a = add("award", award, "the award split across operators, the cost of each rule, the share curve", scenario=False)
    a.add_argument("scenario", nargs="?", type=Path, help="apply this scenario file first")
    args = parser.parse_args(argv)
    if getattr(args, "draws", 1) < 1:
        parser.error("--draws must be at least 1")
    try:
        if args.func is montecarlo:
            check_draws(args.draws)  # before the tender is read and evaluated: refused at once
        data, text = args.func(args)
    except TenderError as exc:
        return print_problems(exc.problems)
    if args.func is award and not data["feasible"]:  # the JSON (or the text) still printed, then exit 2
        emit(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) if args.json else text)
        return print_problems([award_conflict(args, data)])
    return emit(json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) if args.json else text)
