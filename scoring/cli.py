"""``python -m scoring evaluate [TENDER_DIR] [--json]``.

Bad input prints one line per problem (file: field: message) on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import sys

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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring", description="Evaluate mobile-fleet tenders.")
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="cost, score and rank every bid of a tender folder")
    ev.add_argument("tender_dir", nargs="?", default=str(EXAMPLE_TENDER),
                    help="tender folder (default: the bundled example)")
    ev.add_argument("--json", action="store_true", help="print the JSON object of the format contract")
    args = parser.parse_args(argv)
    try:
        evaluation = evaluate(load_tender(args.tender_dir))
        out = evaluation.to_json() if args.json else table(evaluation)
    except TenderError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    print(out)
    return 0
