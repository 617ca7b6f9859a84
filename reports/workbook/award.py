"""The workbook's Award split sheet (docs/award-split.md), for a tender with an ``award`` block:
the rules, each awarded operator's units, lines, share and costs, each unit's operator, the
cost per entity and operator, what each rule costs and the share curve. Figures are the
contract's result (`scenarios.award.award_split`, its JSON), stored unrounded; every total is
the sum of the cells above it and equals the split's cost. Words are the catalogue's English
ones (reports/text/award.py, `reports.award`)."""

from __future__ import annotations

from reports import award as words
from reports.names import amounts_basis, bid_name
from reports.text import t
from scoring.errors import TenderError
from scoring.evaluate import Evaluation

from .writer import Book, Sheet

SHEET = "Award split"


def award_sheet(book: Book, ev: Evaluation, result: dict | TenderError) -> None:
    """Write the Award split sheet (``result``: `reports.award_section.award_result`)."""
    sh = Sheet(book, SHEET)
    tender = ev.tender
    if isinstance(result, TenderError):
        sh.title(t("section.award", "en"), "; ".join(p.message for p in result.problems))
        sh.finish()
        return
    rules = words.rules_of(tender.spec.award)
    kind = result.get("unit", rules.get("unit"))
    intro = t("award.intro", "en", unit=t(f"award.unit.{kind}", "en"),
              objective=t(f"award.objective.{result.get('objective', 'tco')}", "en"),
              regime=t(f"award.regime.{result.get('regime', 'private')}", "en"))
    row = sh.title(t("section.award", "en"), f"Amounts in {tender.spec.currency} {amounts_basis(tender, 'en', long=True)}. "
                   + t("award.pdf_rules", "en", rules=words.rules_sentence(result, rules, tender, "en")))
    sh.text(row, 0, intro, "subtitle", measure=False)
    sh.ws.freeze_panes(2, 0)  # the title and the rules stay in view
    row += 2
    if not result.get("feasible"):
        sh.text(row, 0, words.conflict(result, rules, tender, "en"), "label", measure=False)
        row += 2
    else:
        row = _operators(sh, ev, result, row)
        row = _units(sh, ev, result, row)
        row = _entities(sh, ev, result, row)
    row = _rule_costs(sh, ev, result, rules, row)
    row = _curve(sh, ev, result, row)
    excluded = words.excluded_words(result, ev, rules, "en")
    if excluded:
        sh.note(row, excluded)
    sh.finish({0: 34.0})


def _operators(sh: Sheet, ev: Evaluation, result: dict, row: int) -> int:
    tender, kind = ev.tender, result.get("unit", "entity")
    single, saving = result.get("single_award"), result.get("saving_vs_single")
    sh.fact(row, t("award.cost", "en"), result["award"]["cost"], "money")
    row += 1
    if single is not None:
        sh.fact(row, t("award.single", "en", name=bid_name(tender, single["bid"])), single["cost"], "money")
        sh.fact(row + 1, t("award.saving", "en"), saving, "money")
        row += 2
    else:
        sh.fact(row, t("award.no_single", "en"), None, "money")
        row += 1
    row += 1
    sh.section(row, t("award.by_operator", "en"))
    row += 1
    head = [t("award.col.operator", "en"), "Bid", t("award.col.units", "en"), t("award.col.lines", "en"),
            t("award.col.share", "en"), t("award.col.bid_cost", "en"), t("award.col.switching", "en"),
            t("award.col.cost", "en")]
    sh.header(row, 0, head, [None, None, None, "right", "right", "right", "right", "right"])
    rows, total = words.operator_rows(result)
    for r in rows:
        row += 1
        sh.text(row, 0, bid_name(tender, r["bid"]))
        sh.text(row, 1, r["bid"])
        sh.text(row, 2, ", ".join(words.unit_name(tender, kind, u) for u in r["units"]), "wrap")
        sh.number(row, 3, r["initial_lines"], "count")
        sh.number(row, 4, r["share"], "pct")
        sh.number(row, 5, r["bid_cost"], "money")
        sh.number(row, 6, r["switching_cost"], "money")
        sh.number(row, 7, r["cost"], "money")
    row += 1
    sh.text(row, 0, t("award.col.total", "en"), "label", "total")
    sh.blank(row, 1, "total")
    sh.blank(row, 2, "total")
    for col, key, style in ((3, "initial_lines", "count"), (4, "share", "pct"), (5, "bid_cost", "money"),
                            (6, "switching_cost", "money"), (7, "cost", "money")):
        sh.number(row, col, total[key], style, "total")
    return row + 2


def _units(sh: Sheet, ev: Evaluation, result: dict, row: int) -> int:
    tender, kind = ev.tender, result.get("unit", "entity")
    owner = words.owners(result)
    sh.section(row, t("award.map_table", "en"))
    row += 1
    sh.header(row, 0, [t("award.col.unit", "en"), "Key", t("award.col.lines", "en"), t("award.col.operator", "en")],
              [None, None, "right", None])
    for uid, lines in words.units(result):
        row += 1
        sh.text(row, 0, words.unit_name(tender, kind, uid))
        sh.text(row, 1, uid)
        sh.number(row, 2, lines, "count")
        sh.text(row, 3, bid_name(tender, owner[uid]) if uid in owner else "—")
    return row + 2


def _entities(sh: Sheet, ev: Evaluation, result: dict, row: int) -> int:
    tender = ev.tender
    names = {e.id: e.name or e.id for e in tender.spec.entities}
    bids = words.awarded(result)
    entity_rows, columns, grand = words.entity_table(result, [e.id for e in tender.spec.entities])
    sh.section(row, t("award.by_entity", "en"))
    sh.note(row + 1, t("award.by_entity_note", "en"))
    row += 2
    sh.header(row, 0, [t("award.col.entity", "en"), "Key", *(bid_name(tender, b) for b in bids),
                       t("award.col.total", "en")], [None, None, *(["right"] * (len(bids) + 1))])
    for e, cells, total in entity_rows:
        row += 1
        sh.text(row, 0, names.get(e, e))
        sh.text(row, 1, e)
        for i, v in enumerate(cells):
            sh.number(row, 2 + i, v, "money")
        sh.number(row, 2 + len(bids), total, "money")
    row += 1
    sh.text(row, 0, t("award.col.total", "en"), "label", "total")
    sh.blank(row, 1, "total")
    for i, v in enumerate(columns):
        sh.number(row, 2 + i, v, "money", "total")
    sh.number(row, 2 + len(bids), grand, "money", "total")
    return row + 2


def _rule_costs(sh: Sheet, ev: Evaluation, result: dict, rules: dict, row: int) -> int:
    sh.section(row, t("award.rule_costs", "en"))
    costs = result.get("rule_costs") or []
    if not costs:
        sh.note(row + 1, t("award.no_rules", "en"))
        return row + 3
    sh.note(row + 1, t("award.rule_costs_note", "en"))
    row += 2
    sh.header(row, 0, [t("award.col.rule", "en"), "Key", t("award.col.without", "en"), t("award.col.difference", "en")],
              [None, None, "right", "right"])
    for r in costs:
        row += 1
        sh.text(row, 0, words.rule_words(r["rule"], rules, ev.tender, "en"), "wrap")
        sh.text(row, 1, r["rule"])
        sh.number(row, 2, r["cost_without"], "money")
        sh.number(row, 3, r["difference"], "money")
    return row + 2


def _curve(sh: Sheet, ev: Evaluation, result: dict, row: int) -> int:
    points = result.get("share_curve") or []
    if not points:
        return row
    kind = result.get("unit", "entity")
    sh.section(row, t("award.title.curve", "en"))
    sh.note(row + 1, t("award.subtitle.curve", "en") + " (blank: no split possible).")
    row += 2
    sh.header(row, 0, [t("award.col.max_share", "en"), t("award.col.curve_cost", "en"), t("award.col.curve_split", "en")],
              ["right", "right", None])
    for p in points:
        row += 1
        sh.number(row, 0, p["max_share"], "pct")
        sh.number(row, 1, p["cost"], "money")
        sh.text(row, 2, words.split_words(p.get("split"), ev.tender, kind) or "—", "wrap")
    return row + 2


__all__ = ["SHEET", "award_sheet"]
