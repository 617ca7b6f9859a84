"""The report's sections: 1 the decision summary, 2 the ranking, 3 the costs, 4 switching,
5 sensitivity, and appendix A, the methodology (formulas, weights, knock-out and cost rules)."""

from __future__ import annotations

from fpdf.enums import XPos, YPos

from scenarios.stability import shown_range
from scoring.cost import COMPONENTS
from scoring.evaluate import Evaluation
from scoring.formulas import price_formula

from .document import (
    BAD,
    BAD_INK,
    BODY_PT,
    CONTENT_W,
    GOOD,
    GOOD_INK,
    INK,
    MARGIN,
    MUTED,
    NAVY,
    NOTE,
    RULE,
    SMALL_PT,
    TABLE_PT,
    ZEBRA,
    Document,
    t,
)
from .formats import NBSP, french, money, number, percent
from .names import amounts_basis, bids_by_rank
from .render import Charts
from .risks import bid_name, criterion_name, driver_label, knockout_reason, risks
from .text import TEXT

# --------------------------------------------------------------------------- helpers


def _points(x, lang: str) -> str:
    return number(x, lang, 2)


NOTES = {"no bounds": "note.no_bounds", "no discount_rate": "note.no_discount_rate",
         "no service_costs block": "note.no_service_costs"}


def _note(note: str | None, lang: str) -> str:
    """A formula-comparison note from the model, translated when it is a known one."""
    return t(NOTES[note], lang) if note in NOTES else (note or "—")


def _pct(x: float, lang: str) -> str:
    """A weight in percent (0..100): one decimal, none when it rounds to a whole number."""
    x = round(float(x), 1)
    return percent(x / 100, lang, 0 if x.is_integer() else 1)


def _plain(x: float, lang: str) -> str:
    """A criterion's best/worst/limit as written: no decimals unless it has some."""
    decimals = 0 if float(x).is_integer() else (1 if float(x * 10).is_integer() else 2)
    return number(x, lang, decimals)


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


def _flags(ev: Evaluation, b: str, lang: str) -> str:
    parts = [t(f"flag.{f}", lang) for f in ev.ranking.flags[b]]
    if ev.knockouts(b):
        parts.append(t("ranking.knocked_out", lang,
                       reasons="; ".join(knockout_reason(ev, r, lang) for r in ev.knockouts(b))))
    return "; ".join(parts) or "—"


def _part_name(part: str, lang: str) -> str:
    try:
        return t(f"switch.{part}", lang)
    except KeyError:
        return part.replace("_", " ").capitalize()


def _column(ev: Evaluation, b: str, lang: str) -> str:
    """A bid as a column heading: its operator, marked when knocked out."""
    name = bid_name(ev, b)
    return name if ev.ranking.compliant.get(b) else t("label.knocked_out", lang, name=name)


def _operator(ev: Evaluation, b: str, lang: str) -> str:
    name = bid_name(ev, b)
    return f"{name} ({t('ranking.incumbent', lang)})" if b == ev.tender.spec.incumbent else name


# --------------------------------------------------------------------------- sections


def _cover(pdf: Document, ev: Evaluation, sos, sens, lang: str, scenario_name: str | None, charts: Charts) -> None:
    spec, cur = ev.tender.spec, ev.tender.spec.currency
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 20)
    pdf.set_text_color(*NAVY)
    pdf.multi_cell(CONTENT_W, 9, t("title", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("DejaVu", "", 12)
    pdf.set_text_color(*INK)
    pdf.multi_cell(CONTENT_W, 6, ev.tender.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    incumbent = spec.incumbent
    meta = [
        (t("meta.buyer", lang), spec.buyer or "—"),
        (t("meta.term", lang), t("tender.months", lang, n=spec.term_months)),
        (t("meta.bids", lang), str(len(ev.tender.bids))),
        (t("meta.incumbent", lang), bid_name(ev, incumbent) if incumbent else t("meta.none", lang)),
        (t("meta.amounts", lang), t("meta.amounts_value", lang, currency=cur, basis=amounts_basis(ev.tender, lang))),
    ]
    if scenario_name:
        meta.append((t("meta.scenario", lang), scenario_name))
    pdf.set_font("DejaVu", size=SMALL_PT + 0.5)
    for label, value in meta:
        pdf.set_text_color(*MUTED)
        pdf.cell(32, 4.6, label)
        pdf.set_text_color(*INK)
        pdf.multi_cell(CONTENT_W - 32, 4.6, value, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)

    pdf.h1("1. " + t("page.summary", lang))
    winner = ev.winner
    if winner is None:
        pdf.box(t("summary.no_winner", lang), BAD, BAD_INK, size=13, bold=True)
    else:
        pdf.box(t("summary.winner", lang, winner=bid_name(ev, winner)), GOOD, GOOD_INK, size=14, bold=True)
        _key_figures(pdf, ev, lang)
        pdf.para(" ".join(_summary_sentences(ev, lang)), after=3)
    pdf.h2(t("summary.risks", lang))
    items = risks(ev, sos, sens, lang)
    if lang == "fr":
        items = [french(s) for s in items]
    pdf.bullets(items or [t("risk.none", lang)])
    if charts.skipped:
        pdf.box(t("charts.skipped", lang, reason=charts.skipped), NOTE, INK, size=SMALL_PT + 0.5)
    # The ranking chart on the first page when it fits there, else in the ranking section.
    png = charts.images.get("ranking")
    if png and pdf.get_y() + pdf.chart_height(png) + 6 <= pdf.page_break_trigger:
        pdf.chart(charts.take("ranking"))


def _saving(ev: Evaluation) -> tuple[str, float] | None:
    """(incumbent, its TCO − the winner's) when the winner is a challenger and both are costed."""
    inc, winner = ev.tender.spec.incumbent, ev.winner
    if not inc or winner is None or inc == winner or inc not in ev.costs.bids or not ev.costs.costed(inc):
        return None
    return inc, ev.figures[inc].tco - ev.figures[winner].tco  # type: ignore[operator]


def _key_figures(pdf: Document, ev: Evaluation, lang: str) -> None:
    cur, winner = ev.tender.spec.currency, ev.winner
    runner = ev.explanation.runner_up
    boxes = [(t("summary.score", lang), t("summary.points", lang, points=_points(ev.ranking.total[winner], lang)))]
    if runner:
        boxes.append((t("summary.margin", lang, runner=bid_name(ev, runner)),
                      t("summary.margin_value", lang, points=_points(ev.explanation.margin, lang))))
    else:
        boxes.append((t("summary.margin_none", lang), "—"))
    boxes.append((t("summary.tco", lang), money(ev.figures[winner].tco, lang, cur)))
    saving = _saving(ev)
    if saving is None:
        boxes.append((t("summary.no_saving", lang), t("summary.no_saving_value", lang)))
    elif saving[1] >= 0:
        boxes.append((t("summary.saving", lang, incumbent=bid_name(ev, saving[0])), money(saving[1], lang, cur)))
    else:
        boxes.append((t("summary.extra", lang, incumbent=bid_name(ev, saving[0])), money(-saving[1], lang, cur)))
    gap = 3.0
    w = (CONTENT_W - gap * (len(boxes) - 1)) / len(boxes)
    height = 21.0
    pdf.room(height + 4)
    top = pdf.get_y()
    for i, (label, value) in enumerate(boxes):
        x = MARGIN + i * (w + gap)
        pdf.set_fill_color(*ZEBRA)
        pdf.set_draw_color(*RULE)
        pdf.rect(x, top, w, height, style="DF")
        pdf.set_xy(x + 2, top + 2)
        pdf.set_font("DejaVu", "", 7.5)
        pdf.set_text_color(*MUTED)
        pdf.multi_cell(w - 4, 3.4, label, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_xy(x + 2, top + height - 8.5)
        pdf.set_font("DejaVu", "B", 12.5)
        pdf.set_text_color(*INK)
        pdf.cell(w - 4, 6, value)
    pdf.set_xy(MARGIN, top + height + 4)
    pdf.set_font("DejaVu", size=BODY_PT)


def _summary_sentences(ev: Evaluation, lang: str) -> list[str]:
    cur, winner, spec = ev.tender.spec.currency, ev.winner, ev.tender.spec
    name = bid_name(ev, winner)
    score = _points(ev.ranking.total[winner], lang)
    out = []
    if ev.explanation.runner_up:
        out.append(t("summary.sentence", lang, winner=name, score=score, margin=_points(ev.explanation.margin, lang),
                     runner=bid_name(ev, ev.explanation.runner_up)))
    else:
        out.append(t("summary.sentence_only", lang, winner=name, score=score))
    out.append(t("summary.sentence_tco", lang, term=spec.term_months, tco=money(ev.figures[winner].tco, lang, cur),
                 basis=amounts_basis(ev.tender, lang)))
    saving = _saving(ev)
    if winner == spec.incumbent:
        out.append(t("summary.sentence_incumbent", lang, winner=name))
    elif saving is not None:
        inc = bid_name(ev, saving[0])
        stay = money(ev.figures[saving[0]].tco, lang, cur)
        if saving[1] >= 0:
            out.append(t("summary.sentence_saving", lang, saving=money(saving[1], lang, cur), incumbent=inc,
                         stay=stay))
        else:
            out.append(t("summary.sentence_extra", lang, extra=money(-saving[1], lang, cur), incumbent=inc, stay=stay))
    return out


def _ranking(pdf: Document, ev: Evaluation, lang: str, charts: Charts) -> None:
    cur = ev.tender.spec.currency
    r = ev.ranking
    pdf.section("2. " + t("section.ranking", lang))
    pdf.intro(t("ranking.intro", lang, currency=cur, basis=amounts_basis(ev.tender, lang)))
    topsis = ev.spec.method == "topsis"
    head = [t("col.rank", lang), t("col.operator", lang), t("col.tco", lang)]
    head += [t("col.topsis", lang)] if topsis else [t("col.price", lang), t("col.quality", lang), t("col.total", lang)]
    head.append(t("col.flags", lang))
    rows = []
    for b in bids_by_rank(ev):
        row = [str(r.rank[b]) if r.rank.get(b) else t("ranking.out", lang), _operator(ev, b, lang),
               money(ev.figures[b].tco, lang, cur)]
        if topsis:
            row.append(_points(r.total[b], lang))
        else:
            row += [_points(r.price_score[b], lang), _points(r.quality_score[b], lang), _points(r.total[b], lang)]
        row.append(_flags(ev, b, lang))
        rows.append(row)
    if topsis:
        widths, align = [16, 40, 25, 18, 61], ["CENTER", "LEFT", "RIGHT", "RIGHT", "LEFT"]
    else:
        widths, align = [16, 36, 23, 15, 16, 13, 61], ["CENTER", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"]
    pdf.table(head, rows, widths, align=align, bold_rows=[0] if ev.winner else [])
    pdf.chart(charts.take("ranking"))

    # Points per criterion: criteria down, bids across (five at a time).
    keys = ["price", *(c.id for c in ev.spec.criteria)]
    weights = {"price": ev.spec.price.weight, **{c.id: c.weight for c in ev.spec.criteria}}
    source = ev.explanation.lost if topsis else ev.explanation.points
    pdf.h2(t("ranking.distance", lang) if topsis else t("ranking.points", lang))
    if not topsis:
        pdf.intro(t("ranking.points_intro", lang))
    for group in _chunks(bids_by_rank(ev), 5):
        head = [t("label.criterion", lang), t("label.weight", lang), *(bid_name(ev, b) for b in group)]
        rows = [[criterion_name(ev, k, lang), _plain(weights[k], lang),
                 *(_points(source[b].get(k), lang) for b in group)] for k in keys]
        if not topsis:
            rows.append([t("col.total", lang), _plain(sum(weights.values()), lang),
                         *(_points(r.total[b], lang) for b in group)])
        pdf.table(head, rows, [56, 25, *([24] * len(group))], bold_rows=[len(rows) - 1] if not topsis else [])


def _costs(pdf: Document, ev: Evaluation, lang: str, charts: Charts) -> None:
    spec, cur, costs = ev.tender.spec, ev.tender.spec.currency, ev.costs
    pdf.section("3. " + t("section.costs", lang))
    pdf.intro(t("costs.intro", lang, currency=cur, term=spec.term_months, basis=amounts_basis(ev.tender, lang)))
    costed = [b for b in bids_by_rank(ev) if costs.costed(b)]
    missing = [bid_name(ev, b) for b in bids_by_rank(ev) if not costs.costed(b)]
    if missing:
        pdf.para(t("costs.not_costed", lang, names=", ".join(missing)))
    if not costed:
        return
    # By contract year: bids down, years across (five years at a time).
    annual = costs.annual()
    months = costs.fleet.months_in_year
    years = [t("label.year", lang, year=y + 1) if n >= 12 else t("label.year_partial", lang, year=y + 1, months=int(n))
             for y, n in enumerate(months)]
    pdf.h2(t("costs.by_year", lang))
    groups = _chunks(list(range(len(years))), 5)
    for g, group in enumerate(groups):
        last = g == len(groups) - 1
        head = [t("col.operator", lang), *(years[y] for y in group), *([t("col.total", lang)] if last else [])]
        rows = [[_column(ev, b, lang), *(money(annual[costs.index(b)][y], lang, cur) for y in group),
                 *([money(ev.figures[b].tco, lang, cur)] if last else [])] for b in costed]
        pdf.table(head, rows, [44, *([26] * (len(head) - 1))])
    pdf.chart(charts.take("breakdown"))
    # By component: components down, bids across.
    pdf.h2(t("report.by_component", lang))
    by_comp = costs.by_component()
    used = [k for k, _ in enumerate(COMPONENTS[:by_comp.shape[1]]) if any(abs(by_comp[costs.index(b)][k]) > 0.005 for b in costed)]
    for group in _chunks(costed, 5):
        head = [t("col.component", lang), *(_column(ev, b, lang) for b in group)]
        rows = [[t(f"component.{COMPONENTS[k]}", lang), *(money(by_comp[costs.index(b)][k], lang, cur)
                                                          for b in group)] for k in used]
        rows.append([t("costs.total", lang), *(money(ev.figures[b].tco, lang, cur) for b in group)])
        pdf.table(head, rows, [60, *([26] * len(group))], bold_rows=[len(rows) - 1])
    # By entity for the winner.
    winner = ev.winner if ev.winner in costed else None
    if winner is not None:
        pdf.h2(t("report.by_entity", lang, winner=bid_name(ev, winner)))
        names = {e.id: e.name or e.id for e in spec.entities}
        values = costs.by_entity()[costs.index(winner)]
        tco = float(ev.figures[winner].tco)
        rows = [[names.get(e, e), money(v, lang, cur), percent(v / tco if tco else None, lang, 1)]
                for e, v in zip(costs.fleet.entities, values)]
        rows.append([t("costs.total", lang), money(tco, lang, cur), percent(1.0, lang, 1)])
        pdf.table([t("label.entity", lang), t("col.tco", lang), t("costs.share", lang)], rows, [110, 40, 30],
                  bold_rows=[len(rows) - 1])


def _no_switch_note(ev: Evaluation, sos, lang: str) -> str:
    inc = sos.incumbent
    if inc is None:
        return t("switching.no_incumbent", lang)
    if inc not in ev.costs.bids:
        return t("switching.incumbent_no_bid", lang, name=inc)
    if not ev.costs.costed(inc):
        return t("switching.incumbent_not_costed", lang, name=bid_name(ev, inc),
                 reasons="; ".join(knockout_reason(ev, r, lang) for r in ev.costs.knockouts[inc]))
    return t("label.no_challenger", lang).lower()


def _switching(pdf: Document, ev: Evaluation, sos, lang: str, charts: Charts) -> None:
    spec, cur = ev.tender.spec, ev.tender.spec.currency
    pdf.section("4. " + t("section.switching", lang))
    if sos.incumbent_cumulative is None or not sos.challengers:
        pdf.para(t("switching.none", lang, note=_no_switch_note(ev, sos, lang)))
    else:
        pdf.intro(t("switching.intro", lang, incumbent=bid_name(ev, sos.incumbent)))
        order = {b: i for i, b in enumerate(bids_by_rank(ev))}
        challengers = sorted(sos.challengers, key=lambda c: order.get(c.id, len(order)))
        parts = ("project", "staff_and_sims", "parallel_running", "exit_fee", "lost_numbers")
        for group in _chunks(challengers, 5):
            head = [t("switching.part", lang), *(_column(ev, c.id, lang) for c in group)]
            first = group[0].waterfall
            keys = [k for k in parts if k in first] + [k for k in first if k not in parts and k != "portability_terms"]
            rows = [[_part_name(k, lang),
                     *(money(c.waterfall.get(k, 0.0), lang, cur) for c in group)] for k in keys]
            buyer = [sum(v for k, v in c.waterfall.items() if k != "portability_terms") for c in group]
            rows.append([t("switch.buyer_total", lang), *(money(v, lang, cur) for v in buyer)])
            rows.append([t("switch.portability_terms", lang),
                         *(money(c.waterfall.get("portability_terms", 0.0), lang, cur) for c in group)])
            rows.append([t("switch.total", lang), *(money(v + c.waterfall.get("portability_terms", 0.0), lang, cur)
                                                    for v, c in zip(buyer, group))])
            rows.append([t("switching.break_even", lang),
                         *(t("switching.month", lang, month=c.break_even_month, term=spec.term_months)
                           if c.break_even_month else t("switching.never", lang) for c in group)])
            rows.append([t("switching.saving", lang), *(money(c.cumulative_saving[-1], lang, cur) for c in group)])
            n = len(rows)
            pdf.table(head, rows, [62, *([26] * len(group))], bold_rows=[len(keys), n - 3, n - 2])
        pdf.chart(charts.take("cumulative"))
    s = spec.switching
    if s is not None:
        pdf.h2(t("switching.assumptions", lang))
        shares = {"port_share", "porting_failure_rate"}
        rows = []
        for field in ("project_eur", "per_line_eur", "current_monthly_eur", "parallel_months",
                      "incumbent_exit_fee_eur", "port_share", "porting_failure_rate", "lost_number_eur"):
            value = getattr(s, field)
            if field in shares:
                text = percent(value, lang, 1)
            elif field == "parallel_months":
                text = _plain(value, lang)
            else:
                text = money(value, lang, cur)
            rows.append([t(f"assumption.{field}", lang), text])
        pdf.table([t("switching.assumption", lang), t("switching.value", lang)], rows, [120, 60])


def _sensitivity(pdf: Document, ev: Evaluation, sens, lang: str, charts: Charts) -> None:
    pdf.section("5. " + t("section.sensitivity", lang))
    if ev.winner is None:
        pdf.para(t("sens.no_winner", lang))
        return
    winner = bid_name(ev, ev.winner)
    rows_src = sens.tornado[:8]
    if rows_src:
        delta = abs(1.0 - rows_src[0]["low"]["factor"])
        dtxt = percent(delta, lang)
        pdf.h2(t("sens.tornado", lang))
        pdf.intro(t("sens.tornado_intro", lang, delta=dtxt, n=len(rows_src)))

        def side(row: dict) -> str:
            if row["margin"] is None:
                return t("sens.knocked", lang)
            who = bid_name(ev, row["winner"]) if row["winner"] else t("sens.none", lang)
            return t("sens.margin_winner", lang, margin=_points(row["margin"], lang), winner=who)

        rows = [[driver_label(ev, row["driver"], lang), side(row["low"]), side(row["high"])] for row in rows_src]
        pdf.table([t("label.driver", lang), t("sens.low", lang, delta=dtxt), t("sens.high", lang, delta=dtxt)], rows,
                  [70, 55, 55])
        pdf.chart(charts.take("tornado"))
    if sens.weights:
        pdf.h2(t("sens.weights", lang))
        pdf.intro(t("sens.weights_intro", lang, winner=winner))
        rows = []
        for w in sens.weights:
            name = criterion_name(ev, w["weight"], lang)
            shown = shown_range(ev, w, decimals=1)  # as printed by _pct: ties within it are ties
            if shown.start is None or shown.end is None:
                span = "—"
            else:
                span = f"{_pct(shown.start, lang)} – {_pct(shown.end, lang)}"
            below = _beyond(ev, shown.below, shown.at_start, shown.tie_start, 0.0, lang)
            above = _beyond(ev, shown.above, shown.at_end, shown.tie_end, 100.0, lang)
            rows.append([name, _pct(w["stated"], lang), span, below, above])
        pdf.table([t("sens.weight", lang), t("sens.stated", lang), t("sens.range", lang, winner=winner),
                   t("sens.below", lang), t("sens.above", lang)], rows, [56, 14, 30, 40, 40],
                  align=["LEFT", "RIGHT", "RIGHT", "LEFT", "LEFT"])


def _beyond(ev: Evaluation, beyond: str | None, at_end: str | None, tie: str | None, end: float, lang: str) -> str:
    """Who wins past one end of a weight's range: beyond it, or only at the end itself (0 %
    or 100 %), then saying whether by a tie and how the tie is broken."""
    if beyond:
        return bid_name(ev, beyond)
    if at_end is None:
        return "—"
    key = {"tco": "sens.at_tie_tco", "id": "sens.at_tie_id"}.get(tie or "", "sens.at")
    return t(key, lang, name=bid_name(ev, at_end), at=_pct(end, lang))


def _expression(price, lang: str, currency: str) -> str:
    """The price formula's expression for the methodology: its own text (``formula.<name>`` in
    reports/text/report.py, both languages), else — a formula registered without one — the
    registry's one-line description (scoring/formulas.py, English) without its ``score = ``."""
    key = f"formula.{price.formula}"
    if key not in TEXT:
        return price_formula(price.formula).description.removeprefix("score = ")
    if price.formula == "bounded" and price.bounds is not None:
        return t(key, lang, best=money(price.bounds.best, lang, currency), worst=money(price.bounds.worst, lang, currency))
    return t(key, lang, best="—", worst="—")


def _methodology(pdf: Document, ev: Evaluation, lang: str) -> None:
    spec, tender_spec = ev.spec, ev.tender.spec
    pdf.add_page()
    pdf.h1(t("section.method", lang))
    pdf.h2(t("method.scoring", lang))
    price = spec.price
    if spec.method == "topsis":
        pdf.para(t("method.topsis", lang))
    else:
        pdf.para(t("method.weighted_sum", lang))
        expression = _expression(price, lang, tender_spec.currency)
        rate = percent(tender_spec.discount_rate, lang, 1) if tender_spec.discount_rate is not None else "—"
        pdf.para(t("method.price", lang, formula=price.formula, expression=expression,
                   basis=t(f"basis.{price.basis}", lang, rate=rate), reference=t(f"reference.{price.reference}", lang)))
    pdf.h2(t("method.criteria", lang))
    rows = [[t("label.price", lang), _plain(price.weight, lang),
             t("method.topsis_price", lang) if spec.method == "topsis" else t("method.price_rule", lang), "—"]]
    for c in spec.criteria:
        if c.kind == "evaluators":
            rule = t("rule.evaluators", lang, scale=_plain(c.scale, lang))
        elif c.kind == "yes_no":
            rule = t("rule.yes_no", lang)
        else:
            rule = t("rule.higher" if c.higher_is_better else "rule.lower", lang, best=_plain(c.best, lang),
                     worst=_plain(c.worst, lang))
        ko = []
        if c.limit is not None:
            ko.append(t("ko.limit", lang, limit=_plain(c.limit, lang)))
        if c.required:
            ko.append(t("ko.required", lang))
        rows.append([c.name or c.id, _plain(c.weight, lang), rule, "; ".join(ko) or "—"])
    rows.append([t("col.total", lang), _plain(price.weight + sum(c.weight for c in spec.criteria), lang), "", ""])
    pdf.table([t("label.criterion", lang), t("label.weight", lang), t("method.rule", lang), t("method.knockout", lang)],
              rows, [56, 25, 68, 31], align=["LEFT", "RIGHT", "LEFT", "LEFT"], bold_rows=[len(rows) - 1])
    pdf.h2(t("method.rules", lang))
    items = [t("method.ko", lang)]
    if spec.abnormally_low is not None:
        items.append(t("method.abnormally_low", lang, pct=percent(spec.abnormally_low, lang)))
    if tender_spec.award_date is not None:
        items.append(t("method.expired", lang))
    items += [t("method.ties", lang), t("method.reversal", lang)]
    pdf.bullets(items)
    pdf.h2(t("method.costs", lang))
    pdf.para(t("method.costs_intro", lang), with_next=True)
    pdf.bullets([f"{t(f'component.{k}', lang)}: {t(f'rule.{k}', lang)}" if lang == "en"
                 else f"{t(f'component.{k}', lang)}{NBSP}: {t(f'rule.{k}', lang)}" for k in ev.costs.components],
                size=SMALL_PT + 0.5)
    pdf.para(t("method.totals", lang, basis=amounts_basis(ev.tender, lang)))
    comparison = ev.explanation.formula_comparison
    if comparison:
        pdf.h2(t("method.formulas", lang))
        bases = list(dict.fromkeys(row["basis"] for row in comparison))
        formulas = list(dict.fromkeys(row["formula"] for row in comparison))
        cell = {(row["formula"], row["basis"]): row for row in comparison}
        rows = []
        for f in formulas:
            line = [f]
            for b in bases:
                row = cell.get((f, b))
                text = "—" if row is None else (bid_name(ev, row["winner"]) if row["winner"]
                                                else f"— ({_note(row['note'], lang)})")
                line.append(("* " if row and row["chosen"] else "") + text)
            rows.append(line)
        pdf.table([t("method.formula", lang), *(t(f"basis_short.{b}", lang) for b in bases)], rows, [24, *([39] * len(bases))],
                  align=["LEFT", *(["LEFT"] * len(bases))], size=TABLE_PT - 0.5)
        rate = ev.tender.spec.discount_rate
        pdf.para(t("method.formulas_legend", lang,
                   rate=percent(rate, lang, 1) if rate is not None else t("method.no_rate", lang)),
                 size=SMALL_PT + 0.5, color=MUTED)
