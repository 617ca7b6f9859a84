"""``python -m monitoring review DIR --period 2027Q1 --out review.pdf|review.docx [--lang fr]
[--date YYYY-MM-DD] [--no-charts]`` (docs/service-levels.md, "The quarterly review"), added to
`cli.monitoring`'s parser by `add_parser`.

The minutes are `reports.review_pdf.render_pdf` or `reports.review_docx.render_docx` of
`reports.review.build_review`, chosen by the extension of ``--out``. Bad input — the contract
folder, a period badly written or without an invoice (``--period``), an unknown extension —
raises TenderError: one ``error:`` line per problem, exit 2, and no file is written.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from reports.document import ReportError
from reports.review import build_review
from reports.review_docx import render_docx
from reports.review_pdf import render_pdf
from reports.text import t
from scoring.errors import TenderError

from .common import made_parent

RENDERERS = {".pdf": render_pdf, ".docx": render_docx}


def _review(args, parse_date: Callable[[str | None], datetime | None]) -> str:
    suffix = args.out.suffix.lower()
    if suffix not in RENDERERS:
        raise TenderError.at(str(args.out), "(file)", "write the review as .pdf or .docx (editable)")
    created = parse_date(args.date)
    review = build_review(args.contract_dir, args.period, created, shown_as="--period")
    try:
        data = RENDERERS[suffix](review, args.lang, charts=not args.no_charts)
    except ReportError as exc:  # a missing font: say which package, as for any bad input
        raise TenderError.at(str(args.out), "(file)", str(exc)) from None
    made_parent(args.out).write_bytes(data)
    return t("review.cli.written", args.lang, period=review.period, path=args.out)


def add_parser(sub, parse_date: Callable[[str | None], datetime | None]) -> None:
    """The ``review`` subcommand; ``parse_date`` reads ``--date`` as ``claims --date`` does."""
    r = sub.add_parser("review", help="draft the quarterly review minutes (PDF or Word)",
                       description="Draft the review minutes of one period: KPIs with their red/amber/green status "
                                   "and trends, service credits due vs received, the invoice audit's claims, "
                                   "porting, open actions (docs/service-levels.md).")
    r.add_argument("contract_dir", help="contract folder (contract.yaml, logs, inventory, invoices/)")
    r.add_argument("--period", required=True, metavar="PERIOD",
                   help="the period reviewed: 2027Q1 (quarterly contract) or 2027-03 (monthly)")
    r.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="the minutes: .pdf, or .docx to edit them in Word before sending")
    r.add_argument("--lang", choices=["en", "fr"], default="en")
    r.add_argument("--date", metavar="YYYY-MM-DD",
                   help="the minutes' date (default: today; open actions past due at this date are overdue); "
                        "fixed, the same contract folder gives the same bytes")
    r.add_argument("--no-charts", action="store_true", help="tables only, no trend chart")
    r.set_defaults(func=lambda args: _review(args, parse_date))
