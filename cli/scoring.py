"""The model's command line, ``python -m scoring evaluate|template|convert|export|report|profiles|lines …``.

Bad input prints one line per problem (file: field: message) on stderr and exits 2.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path

from reports.formats import current_locale, grouped, set_amounts_locale
from reports.names import (
    amounts_basis,
    basis_label,
    bid_name,
    bids_by_rank,
    criterion_name,
    glossary,
    knockout_text,
    profile_name,
    warning_text,
)
from reports.text import t
from scenarios.api import Fleetbid
from scenarios.overlay import Scenario, load_scenario
from scoring import EXAMPLE_TENDER
from scoring.errors import TenderError
from scoring.evaluate import Evaluation

from .common import aligned, emit, made_parent, money, points, print_problems


def _signed(x: float) -> str:
    return f"{'−' if x > 0 else '+'}{abs(x):.2f}"


def table(ev: Evaluation) -> str:
    """The readable ranking: ranked bids first, knocked-out bids last; the sentences under it
    name operators and criteria (`reports.names`), and its terms are explained."""
    d = ev.to_dict()
    tender = ev.tender
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
    lines = [f"{d['tender']} — {d['term_months']} months, amounts {amounts_basis(tender, 'en')}"]
    lines += aligned(rows, right=set(range(len(head))) - {1, 2, len(head) - 1})
    rate = tender.spec.discount_rate
    legend = [["TCO:", glossary("TCO")],
              ["NPV:", f"net present value, the TCO with each month's cost discounted at {rate:.1%} a year"
               if rate is not None else "net present value (none: the tender gives no discount_rate)"]]
    if service:
        legend.append(["hidden service:", glossary("hidden service")])
    legend.append(["price, quality, total:", "points out of 100"])
    lines += ["  " + line for line in aligned(legend, right=set())]
    lines.append("")
    lines.append(f"Winner: {bid_name(tender, d['winner']) if d['winner'] else 'none (no compliant bid)'}")
    if d["runner_up"] is not None:
        lines.append(f"Margin over {bid_name(tender, d['runner_up'])}: {d['margin']:.2f} points")
    for b in bids:
        for reason in b["knockouts"]:
            lines.append(f"Knocked out, {b['operator']}: {knockout_text(tender, reason)}")
    for w in d["warnings"]:
        lines.append(f"Warning: {warning_text(tender, w)}")
    lines.append("")
    lines.append("Points lost against the best bid on each criterion:")
    for b in bids:
        if all(v is None for v in b["points_lost"].values()):
            why = "knocked out, not scored" if not b["compliant"] else "no compliant bid to compare with"
            lines.append(f"  {b['operator']}: not comparable ({why})")
            continue
        lost = {k: v for k, v in b["points_lost"].items() if v}
        if not lost:
            lines.append(f"  {b['operator']}: nothing (best on every criterion)")
            continue
        lines.append(f"  {b['operator']}:")
        # A knocked-out bid can beat every compliant bid on a criterion: a gain, shown with +.
        for k, v in sorted(lost.items(), key=lambda kv: -kv[1]):
            lines.append(f"    {_signed(v):>7}  {criterion_name(tender, k)}")
    if d["formula_comparison"]:
        lines.append("")
        lines.append("Winner under each price formula and basis (* = the tender's choice):")
        rows = []
        for row in d["formula_comparison"]:
            winner = bid_name(tender, row["winner"]) if row["winner"] else "—"
            rows.append(["*" if row["chosen"] else " ", row["formula"], f"on {basis_label(row['basis'])}:",
                         winner + (f" ({row['note']})" if row["note"] else "")])
        lines += ["  " + line for line in aligned(rows, right=set())]
    return "\n".join(lines)


def _evaluation(tender_dir: str, scenario: str | None = None) -> tuple[Evaluation, Scenario | None]:
    """The tender as written, or under the scenario file (then the tender is only read, and the
    scenario's result validated: `Fleetbid.evaluation`); and the scenario."""
    if scenario is None:
        return Fleetbid.open(tender_dir).evaluation(), None
    session = Fleetbid.read(tender_dir)
    loaded = load_scenario(scenario)
    return session.evaluation(loaded), loaded


def _unit(x: float, decimals: int = 2) -> str:
    """An amount per line per month (``decimals`` 2) or a count of line-months (0): "—" for none;
    one that rounds to zero shows as 0.00, never -0.00; grouped in the tender's locale when the
    command set one, as `cli.common.money`."""
    if x is None or x != x:
        return "—"
    value = round(x, decimals) + 0
    locale = current_locale()
    if locale is None:
        return f"{value:,.{decimals}f}"
    return ("-" if value < 0 else "") + grouped(f"{abs(value):.{decimals}f}", locale)


def unit_prices_text(ev: Evaluation) -> str:
    """The unit-prices section (`Fleetbid.unit_prices`): per costed bid in rank order, each
    profile's cost per line per month by column, its line-months and its cost over the term;
    then what is not per line, and the TCO they add up to. A column at zero for every bid is
    left out (and named). Labels from the text catalogue."""
    tender = ev.tender
    up = Fleetbid.unit_prices(ev)
    cur = tender.spec.currency
    zero = [c for c in up.columns if not up.per_line[c].fillna(0.0).round(2).any()]
    columns = [c for c in up.columns if c not in zero]
    caption = t("unit.caption", "en", currency=cur, basis=amounts_basis(tender, "en"))
    out = [t("unit.title", "en"), *textwrap.wrap(caption, 110, initial_indent="  ", subsequent_indent="  ")]
    if not up.bids:
        return "\n".join([*out, "  " + t("unit.none", "en")])
    if zero:
        out.append("  " + t("unit.zero", "en", columns=", ".join(t(f"unit.col.{c}", "en") for c in zero)))
    for bid in (b for b in bids_by_rank(ev) if b in up.bids):
        rows, other = up.of(bid)
        out += ["", f"{bid_name(tender, bid)} ({bid}{', ' + t('knocked_out', 'en') if not ev.ranking.rank[bid] else ''}):"]
        head = [t("unit.profile", "en"), t("unit.line_months", "en"),
                *(t(f"unit.col.{c}", "en") for c in (*columns, "total")), f"{t('unit.cost', 'en')} {cur}"]
        table_rows = [head]
        for r in rows.itertuples(index=False):
            table_rows.append([profile_name(tender, r.profile), _unit(r.line_months, 0),
                               *(_unit(getattr(r, c)) for c in (*columns, "total")), money(r.cost)])
        blank = [""] * (len(columns) + 2)
        table_rows.append([t("unit.not_per_line", "en"), *blank, money(other["total"])])
        table_rows.append([t("unit.tco", "en"), *blank, money(up.tco[bid])])
        out += ["  " + line for line in aligned(table_rows, right=set(range(1, len(head))))]
        items = [f"{t(f'unit.item.{c}', 'en').lower()} {money(other[c])}" for c in up.items if round(other[c])]
        out.append(f"  {t('unit.not_per_line', 'en')}: {', '.join(items) if items else t('none', 'en')}")
    return "\n".join(out)


def _evaluate(args) -> str:
    evaluation = Fleetbid.open(args.tender_dir).evaluation()
    set_amounts_locale(evaluation.tender.spec.locale)  # the text's amounts in the tender's locale (not --json)
    if not args.unit_prices:
        return evaluation.to_json() if args.json else table(evaluation)
    if args.json:
        d = evaluation.to_dict()
        d["unit_prices"] = {"basis": amounts_basis(evaluation.tender, "en"), **Fleetbid.unit_prices(evaluation).to_dict()}
        return json.dumps(d, indent=1, ensure_ascii=False, allow_nan=False)
    return table(evaluation) + "\n\n" + unit_prices_text(evaluation)


def _schedule_tender(tender_dir):
    """The tender a price schedule is laid out for: tender.yaml alone (the schedule goes out
    before any bid comes in), its profiles completed from the billing export when it takes them
    from there."""
    from scoring.excel import tender_for
    from scoring.load import with_export_profiles

    tender = tender_for(tender_dir)
    shown = f"{str(tender_dir).rstrip('/')}/tender.yaml"
    return tender.model_copy(update={"spec": with_export_profiles(tender.spec, tender_dir, shown)})


def _template(args) -> str:
    from scoring.excel import write_template

    write_template(_schedule_tender(args.tender_dir), made_parent(args.out))
    return f"wrote the price-schedule template {args.out}"


def _convert(args) -> str:
    from scoring.excel import convert

    to_excel = args.out.suffix.lower() == ".xlsx"  # only a schedule is laid out for the tender
    convert(args.bid, args.tender, made_parent(args.out), tender=_schedule_tender(args.tender) if to_excel else None)
    return f"wrote {args.out}"


def _export(args) -> str:
    from reports.workbook import write_evaluation_workbook

    ev, _ = _evaluation(args.tender_dir, args.scenario)
    write_evaluation_workbook(ev, made_parent(args.out), include_sensitivity=not args.no_sensitivity)
    return f"wrote the evaluation workbook {args.out}"


def _report(args) -> str:
    # The report draws plotly charts: imported only when one is asked for.
    from reports import ReportError, build_report, input_files

    ev, scenario = _evaluation(args.tender_dir, args.scenario)
    name = None if scenario is None else scenario.name
    try:
        build_report(ev, args.out, lang=args.lang, sources=input_files(args.tender_dir, args.scenario),
                     scenario_name=name, warn=lambda message: print(f"warning: {args.out}: {message}", file=sys.stderr))
    except ReportError as exc:  # a missing font: say which package, as for any bad input
        raise TenderError.at(str(args.out), "", str(exc)) from None
    return f"wrote the report {args.out}"


def _pairs(text: str, option: str) -> dict[str, str]:
    """``a=b,c=d`` → ``{"a": "b", "c": "d"}``; a TenderError naming the option and the item otherwise."""
    out: dict[str, str] = {}
    for i, item in enumerate(text.split(",")):
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise TenderError.at(option, f"item {i + 1}", f"write name=value, got {item.strip()!r}")
        if key.strip() in out:
            raise TenderError.at(option, key.strip(), "given twice")
        out[key.strip()] = value.strip()
    return out


def _tender_ids(raw: dict, key: str, shown: str) -> list[str]:
    """The ids of tender.yaml's ``entities`` or ``profiles`` list (only the ids are checked)."""
    from scoring.model import ID_PATTERN

    items = raw.get(key)
    if not isinstance(items, list) or not items:
        raise TenderError.at(shown, key, "must be a non-empty list of items with an `id`")
    ids = []
    for i, item in enumerate(items):
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(ident, str) or not re.fullmatch(ID_PATTERN, ident):
            raise TenderError.at(shown, f"{key}.{i}.id", "must be an id: lowercase [a-z0-9_-]+")
        ids.append(ident)
    return ids


def _usage_source(args):
    """(export path, name shown in errors, UsageFileSpec, entities, profiles, discover ids)
    from ``--tender DIR`` (its tender.yaml's usage_file block) or ``--columns``/``--units``."""
    from pydantic import ValidationError

    from scoring.load import pydantic_problems, strip_nulls
    from scoring.usage_file import UsageFileSpec
    from scoring.yamlio import read_yaml_mapping

    if args.tender is not None:
        if args.columns or args.units:
            raise TenderError.at("--columns", "", "give the mapping with --tender DIR or with --columns/--units, not both")
        folder = str(args.tender).rstrip("/") or "/"
        tender_shown = f"{folder}/tender.yaml"
        if not (args.tender / "tender.yaml").is_file():
            raise TenderError.at(tender_shown, "", "file is missing (--tender names a tender folder)")
        raw = strip_nulls(read_yaml_mapping(args.tender / "tender.yaml", tender_shown))
        block = raw.get("usage_file")
        if block is None:
            raise TenderError.at(tender_shown, "usage_file", "no usage_file block to map the export's columns "
                                 "(see docs/billing-exports.md); or give --columns")
        try:
            spec = UsageFileSpec.model_validate(block)
        except ValidationError as exc:
            raise TenderError(pydantic_problems(exc, tender_shown, ("usage_file",))) from None
        entities = _tender_ids(raw, "entities", tender_shown)
        # profiles left out: the export's profile column names them (docs/billing-exports.md)
        listed = "profile" in spec.columns and raw.get("profiles") is not None
        profiles = _tender_ids(raw, "profiles", tender_shown) if listed else None
        discover = ("profile",) if "profile" in spec.columns and not listed else False
        if args.usage_file is not None:
            return args.usage_file, str(args.usage_file), spec, entities, profiles, discover
        return args.tender / spec.path, f"{folder}/{spec.path}", spec, entities, profiles, discover
    if args.usage_file is None:
        raise TenderError.at("profiles", "USAGE_FILE", "name the billing export (or give --tender DIR)")
    shown = str(args.usage_file)
    if not args.columns:
        raise TenderError.at(shown, "columns", "map the export's headers with --columns line=…,entity=…,month=…,"
                             "data_gb=…, or give --tender DIR whose tender.yaml has a usage_file block")
    fields: dict = {"path": args.usage_file.name, "columns": _pairs(args.columns, "--columns")}
    if args.units:
        fields["units"] = _pairs(args.units, "--units")
    for name in ("delimiter", "decimal", "encoding"):
        if getattr(args, name) is not None:
            fields[name] = getattr(args, name)
    try:
        spec = UsageFileSpec.model_validate(fields)
    except ValidationError as exc:
        raise TenderError(pydantic_problems(exc, shown)) from None
    return args.usage_file, shown, spec, None, None, True


def _profiles(args) -> str | None:
    from scoring.profile_builder import build_profiles, profiles_yaml, report_text
    from scoring.usage_file import pseudonym_key, read_usage_table

    path, shown, spec, entities, profiles, discover = _usage_source(args)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TenderError.at(shown, "", f"cannot read file: {exc.strerror or exc}") from None
    table = read_usage_table(
        data, spec, shown=shown, entities=entities, profiles=profiles, key=pseudonym_key(),
        xlsx=Path(path).suffix.lower() in (".xlsx", ".xlsm"), discover_ids=discover,
    )
    del data
    try:
        built, report = build_profiles(table, spec.components, args.max_profiles, args.seed, spread=args.spread)
    except ValueError as exc:
        raise TenderError.at(shown, "", str(exc)) from None
    text = profiles_yaml(built)
    summary = report_text(report, source=shown, max_profiles=args.max_profiles, seed=args.seed)
    if args.report_json is not None:
        made_parent(args.report_json).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if args.out is None:  # stdout carries the YAML alone: the report goes to stderr
        print(summary, file=sys.stderr)
        return text.rstrip("\n")
    made_parent(args.out).write_bytes(text.encode("utf-8"))
    return f"{summary}\n\nwrote {len(built)} profile{'s' if len(built) != 1 else ''} to {args.out}"


def _lines(args) -> str:
    """The most expensive lines under each costed bid (or one), costed line by line."""
    ev, _ = _evaluation(args.tender_dir, args.scenario)
    Fleetbid.require_per_line(ev)
    bids = [args.bid] if args.bid else [b for b in ev.costs.bids if ev.costs.costed(b)]
    if args.bid and args.bid not in ev.costs.bids:
        raise TenderError.at("--bid", "", f"unknown bid {args.bid!r}; bids: {', '.join(ev.costs.bids)}")
    if args.bid and not ev.costs.costed(args.bid):
        raise TenderError.at("--bid", "", f"bid {args.bid!r} is not costed: {'; '.join(ev.costs.knockouts[args.bid])}")
    cur = ev.tender.spec.currency
    out = [f"{ev.tender.name} — cost per line over {ev.tender.spec.term_months} months, {cur} {amounts_basis(ev.tender, 'en')} "
           f"({ev.tender.lines.n:,} lines from {ev.tender.lines.shown}; pseudonymised)"]
    for bid in bids:
        view = Fleetbid.line_costs(ev, bid, args.top)
        top, share = view.top_count, view.top_share or 0.0
        shown = min(args.top, view.lines)
        out += ["", f"{bid_name(ev.tender, bid)}: the 1 % most expensive lines ({top:,} line{'s' if top != 1 else ''}) "
                    f"carry {share:.1%} of the lines' costs; median line {money(view.median)} {cur}. "
                    f"The {shown:,} most expensive:"]
        rows = [["line", "profile", "entity", "subscriptions", "usage", "pool share", "devices", "total"]]
        for r in view.top.itertuples():
            rows.append([r.line, str(r.profile), str(r.entity), *(money(v) for v in
                         (r.subscriptions, r.usage, r.pool_overage, r.devices, r.total))])
        out += aligned(rows, right=set(range(3, len(rows[0]))))
    return "\n".join(out)


def _count(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 50:
        raise argparse.ArgumentTypeError("must be 1 to 50")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scoring", description="Evaluate mobile-fleet tenders.")
    sub = parser.add_subparsers(dest="command", required=True)
    default_dir = {"nargs": "?", "default": str(EXAMPLE_TENDER), "help": "tender folder (default: the bundled example)"}
    ev = sub.add_parser("evaluate", help="cost, score and rank every bid of a tender folder")
    ev.add_argument("tender_dir", **default_dir)
    ev.add_argument("--json", action="store_true", help="print the JSON object of the format contract")
    ev.add_argument("--unit-prices", action="store_true",
                    help="add each bid's cost per line per month by profile (and a unit_prices key to --json)")
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
    pf = sub.add_parser(
        "profiles", help="build tender usage profiles from a billing export (line × month usage)",
        description="Segment the lines of a billing export into usage profiles for tender.yaml. The profiles "
                    "(YAML) go to --out, else to stdout; the report on how much of the overage billed line by "
                    "line they reproduce goes to stdout with --out, else to stderr. Line numbers are "
                    "pseudonymised on reading and never printed.")
    pf.add_argument("usage_file", nargs="?", type=Path, metavar="USAGE_FILE",
                    help="the export (.csv or .xlsx); default with --tender: its usage_file.path")
    pf.add_argument("--tender", type=Path, metavar="DIR", help="map the columns with DIR/tender.yaml's usage_file block")
    pf.add_argument("--columns", metavar="ROLE=HEADER,…",
                    help="map the headers: line=…,entity=…,month=…[,profile=…] and one component=header each "
                         "(e.g. data_gb=data_mb); entities are then the ids found in the file")
    pf.add_argument("--units", metavar="COMPONENT=UNIT,…", help="units to convert, e.g. data_gb=MB,voice_min=s")
    pf.add_argument("--delimiter", help="the CSV delimiter (default: sniffed from the header)")
    pf.add_argument("--decimal", choices=[".", ","], help="the decimal mark (default .)")
    pf.add_argument("--encoding", help="the CSV encoding (default utf-8)")
    pf.add_argument("--max-profiles", type=_count, default=5, metavar="N", help="at most N profiles (default 5)")
    pf.add_argument("--seed", type=int, default=0, help="k-means seed (same seed, same bytes; default 0)")
    pf.add_argument("--spread", choices=["line_months", "lines"], default="line_months",
                    help="the cv fitted: of the line-month values (default) or of the per-line means")
    pf.add_argument("--out", type=Path, help="write the profiles YAML here (default: stdout)")
    pf.add_argument("--report-json", type=Path, metavar="FILE", help="also write the full report as JSON")
    pf.set_defaults(func=_profiles)
    ln = sub.add_parser("lines", help="the most expensive lines under each bid (costs per line from a billing export)")
    ln.add_argument("tender_dir", **default_dir)
    ln.add_argument("--scenario", help="apply this scenario file first (e.g. scenarios/billed-usage.yaml)")
    ln.add_argument("--bid", help="one bid only (default: every costed bid)")
    ln.add_argument("--top", type=_count, default=10, metavar="N", help="lines shown per bid (1 to 50, default 10)")
    ln.set_defaults(func=_lines)
    args = parser.parse_args(argv)
    try:
        out = args.func(args)
    except TenderError as exc:
        return print_problems(exc.problems)
    except OSError as exc:  # an output path that cannot be written, a missing input file
        return print_problems([f"{exc.filename or ''}: {exc.strerror or exc}"])
    return emit(out)
