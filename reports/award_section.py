"""The PDF's award-split section (docs/award-split.md), for a tender with an ``award`` block:
the rules, the split (each operator's units, lines, share and costs, with the total), the cost
per entity (reconciling to the split's cost), what each rule costs, and the share curve (table
and chart). Figures are the contract's result (`scenarios.award.award_split`, its JSON);
wording is `reports.award`'s and the catalogue's (reports/text/award.py)."""

from __future__ import annotations

from collections.abc import Mapping

from scoring.errors import TenderError
from scoring.evaluate import Evaluation

from . import award as words
from .award import award_result
from .document import BAD, BAD_INK, MUTED, NOTE, SMALL_PT, Document, t
from .formats import money, number, percent
from .names import amounts_basis, bid_name
from .render import Charts


def award_figures(result: Mapping, ev: Evaluation, lang: str) -> dict:
    """The section's chart (the share curve), made by the app's own figure function."""
    from .charts.award import share_curve_chart  # plotly: imported only when charts are drawn

    rules = words.rules_of(ev.tender.spec.award)
    return {"award_curve": share_curve_chart(result, ev, lang, current=rules.get("max_share"))}


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def award_section(pdf: Document, ev: Evaluation, result: dict | TenderError, number_: str, lang: str,
                  charts: Charts) -> None:
    tender = ev.tender
    pdf.section(f"{number_}. " + t("section.award", lang))
    if isinstance(result, TenderError):
        pdf.box("; ".join(p.message for p in result.problems), NOTE, MUTED)
        return
    rules = words.rules_of(tender.spec.award)
    kind = result.get("unit", rules.get("unit"))
    pdf.intro(t("award.intro", lang, unit=t(f"award.unit.{kind}", lang),
                objective=t(f"award.objective.{result.get('objective', 'tco')}", lang),
                regime=t(f"award.regime.{result.get('regime', 'private')}", lang))
              + " " + t("award.pdf_rules", lang, rules=words.rules_sentence(result, rules, tender, lang))
              + " " + t("award.amounts", lang, currency=tender.spec.currency, basis=amounts_basis(tender, lang)))
    if result.get("objective") == "npv":
        pdf.para(t("award.npv_note", lang, rate=percent(tender.spec.discount_rate, lang, 1)), size=SMALL_PT + 0.5,
                 color=MUTED)
    if not result.get("feasible"):
        pdf.box(words.conflict(result, rules, tender, lang), BAD, BAD_INK, bold=True)
    else:
        _split(pdf, ev, result, lang)
    _rule_costs(pdf, ev, result, rules, lang)
    _curve(pdf, ev, result, lang, charts)
    excluded = words.excluded_words(result, ev, rules, lang)
    if excluded:
        pdf.para(excluded, size=SMALL_PT + 0.5, color=MUTED)


def _split(pdf: Document, ev: Evaluation, result: dict, lang: str) -> None:
    tender, cur = ev.tender, ev.tender.spec.currency
    kind = result.get("unit", "entity")
    single, saving = result.get("single_award"), result.get("saving_vs_single")
    if single is None:
        pdf.para(t("award.no_single", lang))
    elif saving is not None:
        name = bid_name(tender, single["bid"])
        key = "award.same_text" if abs(saving) < 0.005 else ("award.saving_text" if saving > 0 else "award.extra_text")
        pdf.para(t("award.cost_sentence", lang, amount=money(result["award"]["cost"], lang, cur)) + " "
                 + t(key, lang, amount=money(abs(saving), lang, cur), name=name), bold=True)
    rows, total = words.operator_rows(result)
    pdf.h2(t("award.by_operator", lang))
    head = [t("award.col.operator", lang), t("award.col.units", lang), t("award.col.lines", lang),
            t("award.col.share", lang), t("award.col.bid_cost", lang), t("award.col.switching", lang),
            t("award.col.cost", lang)]
    body = [[bid_name(tender, r["bid"]), ", ".join(words.unit_name(tender, kind, u) for u in r["units"]),
             number(r["initial_lines"], lang, 0), percent(r["share"], lang, 1), money(r["bid_cost"], lang, cur),
             money(r["switching_cost"], lang, cur), money(r["cost"], lang, cur)] for r in rows]
    body.append([t("award.col.total", lang), "", number(total["initial_lines"], lang, 0),
                 percent(total["share"], lang, 1), money(total["bid_cost"], lang, cur),
                 money(total["switching_cost"], lang, cur), money(total["cost"], lang, cur)])
    pdf.table(head, body, [28, 48, 16, 17, 24, 24, 24], align=["LEFT", "LEFT", *["RIGHT"] * 5],
              bold_rows=[len(body) - 1])
    # Cost per entity: entities down, operators across (four at a time), the total last.
    names = {e.id: e.name or e.id for e in tender.spec.entities}
    bids = words.awarded(result)
    entity_rows, columns, grand = words.entity_table(result, [e.id for e in tender.spec.entities])
    pdf.h2(t("award.by_entity", lang))
    pdf.intro(t("award.by_entity_note", lang))
    groups = _chunks(list(range(len(bids))), 4)
    for g, group in enumerate(groups):
        last = g == len(groups) - 1
        head = [t("award.col.entity", lang), *(bid_name(tender, bids[i]) for i in group),
                *([t("award.col.total", lang)] if last else [])]
        body = [[names.get(e, e), *(money(cells[i], lang, cur) for i in group),
                 *([money(s, lang, cur)] if last else [])] for e, cells, s in entity_rows]
        body.append([t("award.col.total", lang), *(money(columns[i], lang, cur) for i in group),
                     *([money(grand, lang, cur)] if last else [])])
        pdf.table(head, body, [60, *([28] * (len(head) - 1))], bold_rows=[len(body) - 1])


def _rule_costs(pdf: Document, ev: Evaluation, result: dict, rules: dict, lang: str) -> None:
    cur = ev.tender.spec.currency
    pdf.h2(t("award.rule_costs", lang))
    costs = result.get("rule_costs") or []
    if not costs:
        pdf.para(t("award.no_rules", lang))
        return
    pdf.intro(t("award.rule_costs_note", lang))
    none = t("award.infeasible_cell", lang)
    body = [[words.rule_words(r["rule"], rules, ev.tender, lang),
             none if r["cost_without"] is None else money(r["cost_without"], lang, cur),
             "—" if r["difference"] is None else money(r["difference"], lang, cur)] for r in costs]
    pdf.table([t("award.col.rule", lang), t("award.col.without", lang), t("award.col.difference", lang)], body,
              [100, 40, 40])


def _curve(pdf: Document, ev: Evaluation, result: dict, lang: str, charts: Charts) -> None:
    tender, cur = ev.tender, ev.tender.spec.currency
    kind = result.get("unit", "entity")
    points = result.get("share_curve") or []
    if not points:
        return
    pdf.h2(t("award.title.curve", lang))
    pdf.intro(t("award.subtitle.curve", lang) + ". " + t("award.curve_note", lang))
    none = t("award.infeasible_cell", lang)
    body = [[words.share_label(p["max_share"], lang), none if p["cost"] is None else money(p["cost"], lang, cur),
             words.split_words(p.get("split"), tender, kind) or "—"] for p in points]
    pdf.table([t("award.col.max_share", lang), t("award.col.curve_cost", lang), t("award.col.curve_split", lang)], body,
              [30, 30, 120], align=["LEFT", "RIGHT", "LEFT"])
    pdf.chart(charts.take("award_curve"))


__all__ = ["award_figures", "award_result", "award_section"]
