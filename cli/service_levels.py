"""``python -m monitoring sla DIR [--json] [--lang fr]`` and ``python -m monitoring rio FILE
[--columns line=…,rio=…] [--contract DIR] [--json] [--lang fr] [--scenario-out FILE]``
(docs/service-levels.md; ``--scenario-out`` writes the what-if scenario of the measured
porting failure rate, `monitoring.rio.porting_scenario`),
added to `cli.monitoring`'s parser by `add_parsers`.

``--json`` prints the contract's JSON (`monitoring.service_levels.ServiceLevels.as_json`,
`monitoring.rio.RioCheck.as_json`) and nothing else on stdout; the text is the catalogue's
(``sla.*``, ``rio.*``). Lines are pseudonyms: no raw phone number is printed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from monitoring.rio import RioCheck, parse_columns, porting_scenario, rio_file
from monitoring.service_levels import ServiceLevels, service_levels
from reports.formats import number, percent
from reports.text import t
from scenarios.overlay import scenario_from_dict
from scoring.archive import yaml_bytes

from .common import aligned, made_parent


def _value(x: float | None, measure: str, lang: str) -> str:
    if x is None:
        return "—"
    return percent(x, lang, 2) if measure in ("porting_success", "billing_accuracy") else number(x, lang, 2)


def sla_text(result: ServiceLevels, lang: str = "en") -> str:
    """The readable summary of ``python -m monitoring sla`` (without --json)."""
    def w(key: str, **kw) -> str:
        return t(key, lang, **kw)

    def amount(x: float) -> str:
        return number(x, lang, 2)

    cur = result.currency
    if not result.periods:
        return w("sla.text.no_period", operator=result.operator, bid=result.bid)
    lines = [w("sla.text.title", operator=result.operator, bid=result.bid, first=result.periods[0],
               last=result.periods[-1], kind=w(f"sla.kind.{result.period_kind}"), calendar=result.calendar,
               currency=cur, basis=t("amounts.basis", lang)), "", w("sla.text.kpis")]
    rows = [[w("sla.col.kpi"), w("sla.col.period"), w("sla.col.n"), w("sla.col.open"), w("sla.col.value"),
             w("sla.col.target"), w("sla.col.status"), w("sla.col.miss"), f"{w('sla.col.credit')} {cur}"]]
    for k in result.kpis:
        status = w("sla.status.none") if k.met is None else w("sla.status.met" if k.met else "sla.status.missed")
        target_measure = "porting_success" if k.statistic == "share_within" else k.measure
        rows.append([k.id, k.period, number(k.n, lang), number(k.open, lang),
                     _value(k.value, target_measure, lang), _value(k.target, target_measure, lang), status,
                     "—" if k.miss is None else percent(k.miss, lang, 1), amount(k.credit_due)])
    lines += ["  " + r for r in aligned(rows, right={2, 3, 4, 5, 7, 8})]
    lines += ["", w("sla.text.credits")]
    if result.credit_cap_percent is not None:
        lines.append("  " + w("sla.text.cap", percent=percent(result.credit_cap_percent / 100.0, lang, 1)))
    rows = [[w("sla.col.period"), f"{w('sla.col.base')} {cur}", f"{w('sla.col.credit')} {cur}", w("sla.col.capped"),
             f"{w('sla.col.received')} {cur}", f"{w('sla.col.balance')} {cur}"]]
    for p, c in result.by_period.items():
        rows.append([p, amount(c.base), amount(c.credit_due), w("sla.yes" if c.capped else "sla.no"),
                     amount(c.credit_received), ""])  # credits are paid on later invoices: balanced in total
    due = sum(c.credit_due for c in result.by_period.values())
    got = sum(c.credit_received for c in result.by_period.values())
    rows.append([w("sla.total"), amount(sum(c.base for c in result.by_period.values())), amount(due), "",
                 amount(got), amount(due - got)])
    lines += ["  " + r for r in aligned(rows, right={1, 2, 4, 5})]
    return "\n".join(lines)


def rio_text(result: RioCheck, lang: str = "en") -> str:
    """The readable list of ``python -m monitoring rio`` (without --json)."""
    counts = result.by_status()
    lines = [t("rio.text.title", lang, file=result.file, rows=number(len(result.lines), lang),
               ok=number(counts["ok"], lang), warning=number(counts["warning"], lang),
               invalid=number(counts["invalid"], lang))]
    if not result.inventory:
        lines.append(t("rio.text.no_inventory", lang))
    rows = [[t("rio.col.row", lang), t("rio.col.line", lang), t("rio.col.status", lang), t("rio.col.reasons", lang)]]
    for x in result.lines:
        rows.append([str(x.row), x.line or "—", t(f"rio.status.{x.status}", lang),
                     "; ".join(t(f"rio.reason.{r}", lang) for r in x.reasons)])
    return "\n".join(lines + [""] + aligned(rows, right={0}))


def _dump(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False)


def _sla(args) -> str:
    result = service_levels(args.contract_dir)
    return _dump(result.as_json()) if args.json else sla_text(result, args.lang)


def rio_scenario(result: RioCheck, lang: str = "en") -> dict:
    """The what-if scenario of ``rio FILE --scenario-out``: the tender's porting failure rate set
    to the list's rejected share (`monitoring.rio.porting_scenario`), named in ``lang``."""
    counts = result.by_status()
    share = result.rejected_share
    name = Path(result.file).name
    return porting_scenario(result, t("rio.scenario.name", lang, file=name), t(
        "rio.scenario.description", lang, invalid=number(counts["invalid"], lang), rows=number(len(result.lines), lang),
        share=percent(share, lang, 1) if share is not None else "—"))


def _rio(args) -> str:
    result = rio_file(args.file, parse_columns(args.columns), args.contract)
    if not result.inventory:
        print(f"warning: {t('rio.text.no_inventory', 'en')}", file=sys.stderr)
    written = None
    if args.scenario_out is not None:
        scenario = rio_scenario(result, args.lang)
        scenario_from_dict(scenario, str(args.scenario_out))  # a scenario file as `compare --scenario` reads it
        made_parent(args.scenario_out).write_bytes(yaml_bytes(scenario))
        written = t("rio.text.scenario_written", args.lang, path=str(args.scenario_out),
                    share=repr(scenario["set"]["switching"]["porting_failure_rate"]))
    if args.json:
        if written:
            print(written, file=sys.stderr)
        return _dump(result.as_json())
    return rio_text(result, args.lang) + (f"\n\n{written}" if written else "")


def contract_command(sub, name: str, func, *, help: str, description: str, folder_help: str, json_help: str) -> None:
    """A ``python -m monitoring`` subcommand that reads a contract folder and prints text, or
    its JSON with ``--json`` (``audit``, ``sla``)."""
    p = sub.add_parser(name, help=help, description=description)
    p.add_argument("contract_dir", help=folder_help)
    p.add_argument("--json", action="store_true", help=json_help)
    p.add_argument("--lang", choices=["en", "fr"], default="en", help="language of the text (not of the JSON)")
    p.set_defaults(func=func)


def add_parsers(sub) -> None:
    """The ``sla`` and ``rio`` subcommands of ``python -m monitoring``."""
    contract_command(sub, "sla", _sla, help="measure the service levels and the credits due vs received",
                     description="Measure each KPI of contract.yaml's service_levels per period, the service "
                                 "credits due (capped) and received (docs/service-levels.md).",
                     folder_help="contract folder (contract.yaml, logs, inventory, invoices/)",
                     json_help="print the JSON instead of text")
    r = sub.add_parser("rio", help="check the RIO of each line before porting",
                       description="Check each line's RIO (format, key, personal contract, duplicates, inventory) "
                                   "before a port request (docs/service-levels.md).")
    r.add_argument("file", help="the lines to port (.csv or .xlsx) with a number and a RIO column")
    r.add_argument("--columns", metavar="line=HEADER,rio=HEADER",
                   help="the headers of the number and RIO columns (default: line and rio)")
    r.add_argument("--contract", metavar="DIR", help="contract folder whose inventory the numbers are checked "
                                                     "against (default: the folder holding FILE, if a contract)")
    r.add_argument("--json", action="store_true", help="print the JSON instead of text")
    r.add_argument("--lang", choices=["en", "fr"], default="en", help="language of the text (not of the JSON)")
    r.add_argument("--scenario-out", type=Path, metavar="FILE",
                   help="also write a what-if scenario setting the tender's switching.porting_failure_rate to the "
                        "share of invalid lines (docs/what-if.md)")
    r.set_defaults(func=_rio)
