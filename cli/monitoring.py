"""Post-award monitoring's command line (docs/invoice-audit.md):
``python -m monitoring audit DIR [--json] [--lang fr]`` and
``python -m monitoring claims DIR --out claims.xlsx [--letter claims.pdf] [--lang fr] [--date YYYY-MM-DD]``.
``sla`` and ``rio`` (docs/service-levels.md) are `cli.service_levels`'s, ``review`` `cli.review`'s.

Bad input prints one line per problem (file: field: message) on stderr and exits 2. Phone
numbers never appear: lines are shown by pseudonym. The words are the text catalogue's
(``audit.text.*``, ``claims.*``); the claim workbook and letter are `reports.claims` and
`reports.claims_letter`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from monitoring.api import ContractFiles, open_contract
from monitoring.audit import CATEGORIES, Audit, audit_folder
from reports.claims import claim_totals, invoices_text, ordered_claims
from reports.formats import number, percent
from reports.text import t
from scoring.errors import TenderError

from .common import aligned, emit, made_parent, print_problems
from .review import add_parser as add_review_parser
from .service_levels import add_parsers as add_service_level_parsers
from .service_levels import contract_command

CLAIMS_SHOWN = 20  # claims listed by `audit`; `claims` writes them all
DEADLINES_SHOWN = 12
UNUSED_SHOWN = 20


def text(result: Audit, lang: str = "en") -> str:
    """The readable summary of ``python -m monitoring audit`` (without --json)."""
    def w(key: str, **kw) -> str:
        return t(f"audit.text.{key}", lang, **kw)

    def amount(x: float) -> str:
        return number(x, lang, 2)

    cur, basis = result.currency, t("amounts.basis", lang)
    claims = ordered_claims(result)
    totals = claim_totals(claims)
    if result.periods:
        head = w("title", operator=result.operator, bid=result.bid, first=result.periods[0], last=result.periods[-1],
                 currency=cur, basis=basis)
    else:
        head = w("no_period", operator=result.operator, bid=result.bid)
    lines = [head, "", w("totals")]
    lines += ["  " + r for r in aligned([
        [w("billed"), amount(result.billed)],
        [w("expected"), amount(result.expected)],
        [w("claimed", count=number(totals.count, lang)), amount(totals.amount)],
        [w("accuracy"), percent(result.billing_accuracy, lang, 1)]], right={1})]

    rows = [[w("col.category"), w("col.findings"), f"{w('col.difference')} {cur}", w("col.claims"),
             f"{w('col.claimed')} {cur}", w("col.what")]]
    for name in CATEGORIES:
        c = result.by_category[name]
        if c["count"]:
            claimed = totals.by_category.get(name)
            rows.append([name, number(c["count"], lang), amount(c["difference"]),
                         number(claimed.count if claimed else 0, lang), amount(claimed.amount if claimed else 0.0),
                         t(f"audit.category.{name}", lang)])
    lines.append("")
    if len(rows) > 1:
        findings = sum(c["count"] for c in result.by_category.values())
        difference = sum(c["difference"] for c in result.by_category.values())
        rows.append([w("total"), number(findings, lang), amount(difference), number(totals.count, lang),
                     amount(totals.amount), ""])
        lines += [w("by_category")] + ["  " + r for r in aligned(rows, right={1, 2, 3, 4})]
    else:
        lines.append(w("none"))

    if claims:
        rows = [[w("col.deadline"), w("col.invoices"), w("col.claims"), f"{w('col.claimed')} {cur}"]]
        for deadline, tot in list(totals.by_deadline.items())[:DEADLINES_SHOWN]:
            rows.append([deadline, invoices_text(totals.invoices_by_deadline[deadline], 3), number(tot.count, lang),
                         amount(tot.amount)])
        lines += ["", w("deadlines")] + ["  " + r for r in aligned(rows, right={2, 3})]
        shown = claims[:CLAIMS_SHOWN]
        more = "" if len(shown) == len(claims) else w("claims_more", shown=len(shown), count=len(claims))
        rows = [[w("col.deadline"), w("col.period"), w("col.category"), w("col.line"), w("col.charge"),
                 f"{w('col.billed')} {cur}", f"{w('col.expected')} {cur}", f"{w('col.claimed')} {cur}", w("col.row")]]
        for f in shown:
            rows.append([f.deadline, f.period, f.category, f.line or t("claims.account", lang),
                         f.charge + (f"/{f.component}" if f.component else ""), amount(f.billed), amount(f.expected),
                         amount(f.difference), ", ".join(f.rows) or "—"])
        lines += ["", w("claims", more=more)] + ["  " + r for r in aligned(rows, right={5, 6, 7})]
        lines.append("  " + w("claims_all"))

    rows = [[w("col.entity"), f"{w('col.billed')} {cur}", f"{w('col.expected')} {cur}",
             f"{w('col.difference')} {cur}"]]
    for entity, v in result.by_entity.items():
        rows.append([entity, amount(v["billed"]), amount(v["expected"]), amount(v["billed"] - v["expected"])])
    rows.append([w("total"), amount(sum(v["billed"] for v in result.by_entity.values())),
                 amount(sum(v["expected"] for v in result.by_entity.values())),
                 amount(sum(v["billed"] - v["expected"] for v in result.by_entity.values()))])
    lines += ["", w("by_entity")] + ["  " + r for r in aligned(rows, right={1, 2, 3})]
    if result.unused_lines:
        shown_u = result.unused_lines[:UNUSED_SHOWN]
        more = "" if len(shown_u) == len(result.unused_lines) else w(
            "claims_more", shown=len(shown_u), count=len(result.unused_lines))
        rows = [[w("col.line"), w("col.entity"), w("col.profile"), w("col.months"), f"{w('col.monthly_cost')} {cur}"]]
        for u in shown_u:
            rows.append([u.line, u.entity, u.profile, str(u.months), amount(u.monthly_cost)])
        lines += ["", w("unused", more=more)] + ["  " + r for r in aligned(rows, right={3, 4})]
    return "\n".join(lines)


def _letter_date(text: str | None) -> dt.datetime | None:
    """``--date YYYY-MM-DD`` as midnight UTC (None: now); a TenderError naming the option otherwise."""
    if text is None:
        return None
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise TenderError.at("--date", "(option)", f"not a date written YYYY-MM-DD: {text!r}") from None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _claims(args) -> str:
    from reports.claims import claims_workbook
    from reports.claims_letter import claims_letter
    from reports.document import ReportError

    created = _letter_date(args.date)
    opened = open_contract(ContractFiles.of_folder(args.contract_dir))  # the contract read once, and audited
    contract, result = opened.contract, opened.audit
    try:
        book = claims_workbook(result, contract, args.lang)
    except ValueError as exc:  # more claims than an Excel sheet holds
        raise TenderError.at(str(args.out), "(file)", str(exc)) from None
    letter = None
    if args.letter is not None:
        try:
            letter = claims_letter(result, contract, args.lang, created=created)
        except ReportError as exc:  # a missing font: say which package, as for any bad input
            raise TenderError.at(str(args.letter), "(file)", str(exc)) from None
    made_parent(args.out).write_bytes(book)
    totals = claim_totals(ordered_claims(result))
    out = [t("claims.cli.workbook", args.lang, path=args.out, count=number(totals.count, args.lang),
             total=number(totals.amount, args.lang, 2), currency=result.currency)]
    if letter is not None:
        made_parent(args.letter).write_bytes(letter)
        out.append(t("claims.cli.letter", args.lang, path=args.letter))
    return "\n".join(out)


def _audit(args) -> str:
    result = audit_folder(args.contract_dir)
    if args.json:
        return json.dumps(result.as_json(), indent=1, ensure_ascii=False, allow_nan=False)
    return text(result, args.lang)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m monitoring", description="Post-award monitoring of a contract.")
    sub = parser.add_subparsers(dest="command", required=True)
    contract_command(sub, "audit", _audit, help="audit the operator's invoices against the awarded bid",
                     description="Audit the operator's invoices against the awarded bid (docs/invoice-audit.md).",
                     folder_help="contract folder (contract.yaml, inventory.csv, invoices/)",
                     json_help="print the audit's JSON instead of text")
    c = sub.add_parser("claims", help="write the claim workbook (and letter) to send the operator",
                       description="Write the claim workbook to send the operator, and optionally the claim letter "
                                   "(docs/invoice-audit.md).")
    c.add_argument("contract_dir", help="contract folder (contract.yaml, inventory.csv, invoices/)")
    c.add_argument("--out", type=Path, required=True, metavar="FILE", help="the claim workbook (.xlsx)")
    c.add_argument("--letter", type=Path, metavar="FILE", help="also write the claim letter (PDF)")
    c.add_argument("--lang", choices=["en", "fr"], default="en")
    c.add_argument("--date", metavar="YYYY-MM-DD",
                   help="the letter's date (default: today); fixed, the same invoices give the same PDF")
    c.set_defaults(func=_claims)
    add_service_level_parsers(sub)  # sla, rio (docs/service-levels.md)
    add_review_parser(sub, _letter_date)  # review (docs/service-levels.md)
    args = parser.parse_args(argv)
    try:
        out = args.func(args)
    except TenderError as exc:
        return print_problems(exc.problems)
    except OSError as exc:  # an output path that cannot be written
        return print_problems([f"{exc.filename or ''}: {exc.strerror or exc}"])
    return emit(out)
