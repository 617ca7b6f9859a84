"""``python -m scoring evaluate|template|convert|export|report …``.

Bad input prints one line per problem (file: field: message) on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import EXAMPLE_TENDER
from .errors import TenderError
from .evaluate import Evaluation, evaluate
from .load import load_tender


def money(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def points(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def table(ev: Evaluation) -> str:
    """The readable ranking: ranked bids first, knocked-out bids last."""
    d = ev.to_dict()
    cur = d["currency"]
    bids = sorted(d["bids"], key=lambda b: (b["rank"] is None, b["rank"] or 0, b["id"]))
    service = any(b["service_cost"] is not None for b in bids)
    head = ["rank", "bid", "operator", f"TCO {cur}", f"bid cost {cur}", f"switching {cur}",
            f"NPV {cur}", *([f"hidden service {cur}"] if service else []), "price", "quality", "total", "flags"]
    rows = [head]
    for b in bids:
        rows.append([
            str(b["rank"]) if b["rank"] else "KO",
            b["id"], b["operator"], money(b["tco"]), money(b["bid_cost"]), money(b["switching_cost"]),
            money(b["npv"]), *([money(b["service_cost"])] if service else []),
            points(b["price_score"]), points(b["quality_score"]), points(b["total_score"]),
            ", ".join(b["flags"]),
        ])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    right = set(range(len(head))) - {1, 2, len(head) - 1}
    lines = [f"{d['tender']} — {d['term_months']} months, amounts excl. VAT"]
    for r in rows:
        cells = [c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))]
        lines.append("  ".join(cells).rstrip())
    lines.append("")
    lines.append(f"Winner: {d['winner'] or 'none (no compliant bid)'}")
    if d["runner_up"] is not None:
        lines.append(f"Margin over {d['runner_up']}: {d['margin']:.2f} points")
    for b in bids:
        for reason in b["knockouts"]:
            lines.append(f"Knocked out {b['id']}: {reason}")
    for w in d["warnings"]:
        lines.append(f"Warning: {w}")
    lines.append("")
    lines.append("Points lost against the best bid on each criterion:")
    for b in bids:
        if all(v is None for v in b["points_lost"].values()):
            why = "knocked out, not scored" if not b["compliant"] else "no compliant bid to compare with"
            lines.append(f"  {b['id']}: not comparable ({why})")
            continue
        lost = {k: v for k, v in b["points_lost"].items() if v}
        # A knocked-out bid can beat every compliant bid on a criterion: a gain, shown with +.
        text = ", ".join(f"{k} {'−' if v > 0 else '+'}{abs(v):.2f}"
                         for k, v in sorted(lost.items(), key=lambda kv: -kv[1]))
        lines.append(f"  {b['id']}: {text or 'nothing (best on every criterion)'}")
    if d["formula_comparison"]:
        lines.append("")
        lines.append("Winner under each price formula and basis (* = the tender's choice):")
    for row in d["formula_comparison"]:
        mark = "*" if row["chosen"] else " "
        lines.append(f"  {mark} {row['formula']:<9} on {row['basis']:<3}: {row['winner'] or '—'}"
                     + (f" ({row['note']})" if row["note"] else ""))
    return "\n".join(lines)


def _evaluation(tender_dir: str, scenario: str | None = None) -> Evaluation:
    if scenario is None:
        return evaluate(load_tender(tender_dir))
    # Scenarios build on the pure model; imported here so the model never depends on them.
    from scenarios.overlay import evaluate_scenario, load_scenario
    from scoring.load import read_folder

    return evaluate_scenario(read_folder(tender_dir), load_scenario(scenario))


def _evaluate(args) -> str:
    evaluation = evaluate(load_tender(args.tender_dir))
    return evaluation.to_json() if args.json else table(evaluation)


def _template(args) -> str:
    from .excel import tender_for, write_template

    # The schedule goes out before any bid comes in: tender.yaml alone is enough.
    write_template(tender_for(args.tender_dir), args.out)
    return f"wrote the price-schedule template {args.out}"


def _convert(args) -> str:
    from .excel import convert

    convert(args.bid, args.tender, args.out)
    return f"wrote {args.out}"


def _export(args) -> str:
    from .export import write_evaluation_workbook

    write_evaluation_workbook(_evaluation(args.tender_dir, args.scenario), args.out,
                              include_sensitivity=not args.no_sensitivity)
    return f"wrote the evaluation workbook {args.out}"


def _report(args) -> str:
    # The report draws plotly charts: it lives outside the pure model (reports/).
    from reports import ReportError, build_report, input_files

    ev = _evaluation(args.tender_dir, args.scenario)
    name = None
    if args.scenario:
        from scenarios.overlay import load_scenario

        name = load_scenario(args.scenario).name
    try:
        build_report(ev, args.out, lang=args.lang, sources=input_files(args.tender_dir, args.scenario),
                     scenario_name=name)
    except ReportError as exc:  # a missing font: say which package, as for any bad input
        raise TenderError.at(str(args.out), "", str(exc)) from None
    return f"wrote the report {args.out}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring", description="Evaluate mobile-fleet tenders.")
    sub = parser.add_subparsers(dest="command", required=True)
    default_dir = {"nargs": "?", "default": str(EXAMPLE_TENDER), "help": "tender folder (default: the bundled example)"}
    ev = sub.add_parser("evaluate", help="cost, score and rank every bid of a tender folder")
    ev.add_argument("tender_dir", **default_dir)
    ev.add_argument("--json", action="store_true", help="print the JSON object of the format contract")
    ev.set_defaults(func=_evaluate)
    tp = sub.add_parser("template", help="write the Excel price schedule a buyer sends to operators")
    tp.add_argument("tender_dir", **default_dir)
    tp.add_argument("--out", required=True, type=Path)
    tp.set_defaults(func=_template)
    cv = sub.add_parser("convert", help="convert a bid between YAML and Excel (by the file extensions)")
    cv.add_argument("bid", type=Path)
    cv.add_argument("--tender", required=True, type=Path, help="the tender folder the bid answers")
    cv.add_argument("--out", required=True, type=Path)
    cv.set_defaults(func=_convert)
    ex = sub.add_parser("export", help="write the evaluation workbook (xlsx)")
    ex.add_argument("tender_dir", **default_dir)
    ex.add_argument("--scenario", help="apply this scenario file first")
    ex.add_argument("--out", required=True, type=Path)
    ex.add_argument("--no-sensitivity", action="store_true", help="leave out the sensitivity sheet (faster)")
    ex.set_defaults(func=_export)
    rp = sub.add_parser("report", help="write the management report (PDF)")
    rp.add_argument("tender_dir", **default_dir)
    rp.add_argument("--scenario", help="apply this scenario file first")
    rp.add_argument("--out", required=True, type=Path)
    rp.add_argument("--lang", choices=["en", "fr"], default="en")
    rp.set_defaults(func=_report)
    args = parser.parse_args(argv)
    try:
        out = args.func(args)
    except TenderError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    except OSError as exc:  # an output path that cannot be written, a missing input file
        print(f"error: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        print(out)
    except BrokenPipeError:  # `… | head` closed the pipe: nothing left to say
        sys.stderr.close()
    return 0
