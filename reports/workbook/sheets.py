"""The workbook's sheets of figures: Summary, Criteria, Costs by year / component / entity /
profile, Unit prices, Monthly, Switching, Sensitivity and Warnings; bids in ranking order, knocked-out bids
last. Every total is computed here and equals the sum of the cells above it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from reports import text
from reports.names import SWITCHING_PARTS, amounts_basis, bids_by_rank, criterion_name
from scenarios.api import Fleetbid
from scenarios.sensitivity import DELTA, sensitivity
from scenarios.stability import shown_range
from scenarios.switch import stay_or_switch
from scoring.components import COMPONENTS, workbook_label
from scoring.errors import TenderError
from scoring.evaluate import Evaluation
from scoring.explain import PRICE
from scoring.rank import basis_value
from scoring.switching import switching_parts

from .writer import Book, Sheet

# --------------------------------------------------------------------------- helpers


def _costed(ev: Evaluation) -> list[str]:
    return [b for b in bids_by_rank(ev) if ev.costs.costed(b)]


def _operator(ev: Evaluation, bid_id: str) -> str:
    return ev.tender.bid(bid_id).operator


def _bid_label(ev: Evaluation, bid_id: str) -> str:
    """A bid's column header: its operator, marked when the bid is knocked out."""
    return _operator(ev, bid_id) + (" (knocked out)" if ev.ranking.rank[bid_id] is None else "")


def _not_costed_note(ev: Evaluation) -> str:
    missing = [b for b in bids_by_rank(ev) if not ev.costs.costed(b)]
    return " Not costed (see Warnings): " + ", ".join(missing) + "." if missing else ""


def _flag(flag: str) -> str:
    """A ranking flag as the workbook words it (its id when unknown)."""
    key = f"workbook.flag.{flag}"
    return text.t(key, "en") if key in text.TEXT else flag


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _join(items: Iterable[str], sep: str = "; ") -> str:
    return sep.join(items)


def _amounts_note(ev: Evaluation) -> str:
    spec = ev.tender.spec
    return f"Amounts in {spec.currency} {amounts_basis(ev.tender, 'en', long=True)}, over the {spec.term_months}-month term."


# --------------------------------------------------------------------------- sheets


def _summary(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Summary")
    tender, spec, ex = ev.tender, ev.tender.spec, ev.explanation
    row = sh.title(f"Tender evaluation — {tender.name}", _amounts_note(ev))
    facts: list[tuple[str, Any, str]] = [("Tender", tender.name, "text"), ("Buyer", spec.buyer or "", "text"),
                                         ("Currency", spec.currency, "text"), ("Term (months)", spec.term_months, "int")]
    if spec.incumbent is not None:
        inc = spec.incumbent
        facts.append(("Incumbent", f"{inc} — {_operator(ev, inc)}" if inc in ev.costs.bids else f"{inc} (no bid)",
                      "text"))
    if spec.award_date is not None:
        facts.append(("Award date", spec.award_date, "date"))
    for label, value, style in facts:
        sh.fact(row, label, value, style)
        row += 1
    winner = ev.winner
    sh.fact(row, "Winner", f"{winner} — {_operator(ev, winner)}" if winner else "none (no compliant bid)",
            "text", "bold")
    row += 1
    if ex.runner_up is not None:
        sh.fact(row, "Runner-up", f"{ex.runner_up} — {_operator(ev, ex.runner_up)}")
        sh.fact(row + 1, "Margin (points)", ex.margin, "points")
        row += 2
    n_ko = sum(1 for b in bids_by_rank(ev) if ev.knockouts(b))
    sh.fact(row, "See also", f"sheet Warnings: {len(ev.warnings)} warning(s), {n_ko} knocked-out bid(s); "
            "sheet Method: weights and formulas")
    row += 2

    sh.section(row, "Ranking")
    row += 1
    d = {b["id"]: b for b in ev.to_dict()["bids"]}
    show_npv = any(b["npv"] is not None for b in d.values())
    show_service = any(b["service_cost"] is not None for b in d.values())
    columns: list[tuple[str, str, str]] = [  # header, key in Evaluation.bid_dict, style
        ("Rank", "rank", "int"), ("Bid", "id", "text"), ("Operator", "operator", "text"),
        ("Compliant", "compliant", "text"), ("TCO", "tco", "money"), ("Bid cost", "bid_cost", "money"),
        ("Switching cost", "switching_cost", "money"),
        *([("NPV", "npv", "money")] if show_npv else []),
        *([("Hidden service cost", "service_cost", "money")] if show_service else []),
        # TOPSIS has no additive price or quality points: only its total.
        *([("Price points", "price_score", "points"), ("Quality points", "quality_score", "points")]
          if ev.spec.method == "weighted_sum" else []),
        ("Total points", "total_score", "points"), ("Flags", "flags", "wrap"), ("Knock-outs", "knockouts", "wrap"),
    ]
    header_row = row
    sh.header(row, 0, [c[0] for c in columns],
              ["center" if k in ("rank", "compliant") else "right" if s not in ("text", "wrap") else None
               for _, k, s in columns])
    for bid_id in bids_by_rank(ev):
        row += 1
        b = d[bid_id]
        extra = ("best",) if bid_id == winner else ()
        for col, (_, key, style) in enumerate(columns):
            value = b[key]
            if key == "rank":
                sh.number(row, col, value, "int", "center", *extra)
            elif key == "compliant":
                sh.text(row, col, _yes_no(value), "text", "center", *extra)
            elif key == "flags":
                sh.text(row, col, _join((_flag(f) for f in value), ", "), "wrap", *extra)
            elif key == "knockouts":
                sh.text(row, col, _join(value), "wrap", *extra)
            elif style == "text":
                sh.text(row, col, value, "text", *extra)
            else:
                sh.number(row, col, value, style, *extra)
    sh.table(header_row, 0, len(columns) - 1, row)
    row += 2
    if ev.spec.method == "topsis":
        sh.note(row, "TOPSIS: the total is 100 × closeness to the ideal bid; there are no price or quality points.")
        row += 1
    sh.note(row, "Knocked-out bids come last, without rank or points. Bid cost = TCO without the buyer's own "
            "switching cost.")
    keys = [c[1] for c in columns]
    sh.finish({keys.index("knockouts"): 40.0, keys.index("flags"): 16.0})


def _criteria(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Criteria")
    spec = ev.spec
    evaluators = list(ev.tender.evaluations)
    has_evaluators = any(c.kind == "evaluators" for c in spec.criteria)
    topsis = spec.method == "topsis"
    note = ("One row per bid and criterion, price first. Points = weight × score."
            + (" Under TOPSIS, 'behind the best bid' is 100 × the weighted distance to the ideal."
               if topsis else " Behind the best bid: points behind the best compliant bid on the criterion."))
    row = sh.title("Criteria: values, scores and points", note)
    head = ["Rank", "Bid", "Operator", "Criterion", "Name", "Kind", "Weight", "Value", "Score", "Points",
            "Behind the best bid"]
    aligns: list[str | None] = ["center", None, None, None, None, None, "right", "right", "right", "right", "right"]
    if has_evaluators:
        head += [f"Evaluator: {name}" for name in evaluators]
        head += ["Evaluators' mean", "Moderated score", "Moderation reason", "Discrepancy"]
        aligns += ["right"] * (len(evaluators) + 2) + [None, "center"]
    header_row = row
    sh.header(row, 0, head, aligns)
    ev_col = 11
    for bid_id in bids_by_rank(ev):
        bid_rank = ev.ranking.rank[bid_id]
        lost = ev.explanation.lost[bid_id]
        rows: list[tuple[str, str, str, float, Any, float | None, float | None, Any]] = []
        price_points = ev.ranking.price_score[bid_id]
        weight = spec.price.weight
        rows.append((PRICE, f"Price ({spec.price.basis}, {spec.price.formula})", "price", weight,
                     basis_value(ev.figures[bid_id], ev.spec.price.basis),
                     None if price_points is None or weight == 0 else price_points / weight, price_points, None))
        for c in spec.criteria:
            res = ev.criteria.results[bid_id][c.id]
            rows.append((c.id, c.name or c.id, {"yes_no": "yes/no"}.get(c.kind, c.kind), c.weight, res.value,
                         res.score, c.weight * res.score, res))
        for i, (key, name, kind, weight, value, score, points, res) in enumerate(rows):
            row += 1
            sep = ("sep",) if i == 0 else ()
            if sep:
                for col in range(len(head)):
                    sh.blank(row, col, "text", *sep)
            sh.number(row, 0, bid_rank, "int", "center", *sep)
            sh.text(row, 1, bid_id, "text", *sep)
            sh.text(row, 2, _operator(ev, bid_id), "text", *sep)
            sh.text(row, 3, key, "text", *sep)
            sh.text(row, 4, name, "text", *sep)
            sh.text(row, 5, kind, "text", *sep)
            sh.number(row, 6, weight, "points", *sep)
            if key == PRICE:
                sh.number(row, 7, value, "money", *sep)
            elif value is None:
                sh.text(row, 7, "missing", "text", "right", *sep)
            elif isinstance(value, bool):
                sh.text(row, 7, _yes_no(value), "text", "right", *sep)
            else:
                sh.number(row, 7, value, "points" if kind == "evaluators" else "num", *sep)
            sh.number(row, 8, score, "pct", *sep)
            sh.number(row, 9, points, "points", *sep)
            sh.number(row, 10, lost.get(key), "points", *sep)
            if has_evaluators and res is not None and res.evaluators is not None:
                for j, evaluator in enumerate(evaluators):
                    sh.number(row, ev_col + j, res.evaluators.get(evaluator), "points", *sep)
                k = ev_col + len(evaluators)
                sh.number(row, k, res.mean, "points", *sep)
                if res.moderation is not None:
                    sh.number(row, k + 1, res.moderation.score, "points", *sep)
                    sh.text(row, k + 2, res.moderation.reason, "wrap", *sep)
                sh.text(row, k + 3, _yes_no(res.discrepancy), "text", "center",
                        *(("bold",) if res.discrepancy else ()), *sep)
    sh.table(header_row, 0, len(head) - 1, row, freeze_cols=3)
    fixed = {0: 7.0}
    if has_evaluators:
        fixed[ev_col + len(evaluators) + 2] = max(24.0, min(50.0, sh.widths.get(ev_col + len(evaluators) + 2, 0)))
    sh.finish(fixed)


def _cost_rows_sheet(book: Book, ev: Evaluation, name: str, title: str, note: str,
                     key_header: Sequence[str], keys: Sequence[Sequence[Any]], values: np.ndarray,
                     key_styles: Sequence[str] | None = None) -> Sheet:
    """Rows = a cost dimension, columns = the costed bids, and a total row: each bid's TCO,
    summed here from the cells above. ``values`` is (costed bids, rows)."""
    sh = Sheet(book, name)
    bids = _costed(ev)
    key_styles = key_styles or ["text"] * len(key_header)
    row = sh.title(title, note + _not_costed_note(ev))
    header_row = row
    sh.header(row, 0, key_header, ["center" if s == "int" else None for s in key_styles])
    sh.header(row, len(key_header), [_bid_label(ev, b) for b in bids], "right")
    for i, key in enumerate(keys):
        row += 1
        for j, k in enumerate(key):
            if key_styles[j] == "text":
                sh.text(row, j, k)
            else:
                sh.number(row, j, k, key_styles[j], "center")
        for b in range(len(bids)):
            sh.number(row, len(key_header) + b, values[b, i], "money")
    last = row
    row += 1
    sh.text(row, 0, "Total (TCO)", "label", "total")
    for j in range(1, len(key_header)):
        sh.blank(row, j, "total")
    for b in range(len(bids)):
        sh.number(row, len(key_header) + b, float(np.sum(values[b])), "money", "total")
    sh.table(header_row, 0, len(key_header) + len(bids) - 1, last)
    return sh


def _rows_of(ev: Evaluation, table: np.ndarray) -> np.ndarray:
    """The costed bids' rows of a (bids, …) table, in ranking order."""
    return table[[ev.costs.index(b) for b in _costed(ev)]]


def _costs_by_year(book: Book, ev: Evaluation) -> None:
    keys = []
    start = 1
    for y, n in enumerate(ev.costs.fleet.months_in_year):
        end = start + int(n) - 1
        keys.append((f"Year {y + 1}", f"months {start}–{end}"))
        start = end + 1
    _cost_rows_sheet(book, ev, "Costs by year", "Costs by contract year",
                     _amounts_note(ev) + " Switching costs fall in month 1.",
                     ["Contract year", "Months"], keys, _rows_of(ev, ev.costs.annual())).finish()


def _costs_by_component(book: Book, ev: Evaluation) -> None:
    shown = [k for k, c in enumerate(COMPONENTS) if c in ev.costs.components]  # v1.1 additions where used
    keys = [(workbook_label(COMPONENTS[k]), COMPONENTS[k]) for k in shown]
    _cost_rows_sheet(book, ev, "Costs by component", "Costs by component",
                     _amounts_note(ev) + " Credits and the device fund are negative.",
                     ["Component", "Key"], keys, _rows_of(ev, ev.costs.by_component())[:, shown]).finish()


def _costs_by_entity(book: Book, ev: Evaluation) -> None:
    names = {e.id: e.name or e.id for e in ev.tender.spec.entities}
    keys = [(names[e], e) for e in ev.costs.fleet.entities]
    _cost_rows_sheet(book, ev, "Costs by entity", "Costs by entity (cost centre)",
                     _amounts_note(ev) + " Fleet-wide costs (setup, account fees, credits, portability, switching) "
                     "are split pro rata to each entity's initial lines.",
                     ["Entity", "Key"], keys, _rows_of(ev, ev.costs.by_entity())).finish()


def _costs_by_profile(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Costs by profile")
    costs, fleet = ev.costs, ev.costs.fleet
    bids = _costed(ev)
    by_profile = costs.by_profile()
    line_months = fleet.line_months
    names = {p.id: p.name or p.id for p in ev.tender.spec.profiles}
    row = sh.title("Costs by user profile", _amounts_note(ev) + " Per line per month: the profile's part of the "
                   "TCO ÷ its line-months over the term (fleet-wide costs split pro rata to initial lines)."
                   + _not_costed_note(ev))
    key_head = ["Profile", "Key", "Initial lines", "Line-months"]
    first = len(key_head)
    for i, b in enumerate(bids):
        sh.group(row, first + 3 * i, first + 3 * i + 2, _bid_label(ev, b))
    row += 1
    header_row = row
    sh.header(row, 0, key_head, [None, None, "right", "right"])
    for i, _ in enumerate(bids):
        sh.header(row, first + 3 * i, ["Plan"], None, "vsep")
        sh.header(row, first + 3 * i + 1, ["TCO part", "Per line per month"], "right")
    for p, pid in enumerate(fleet.profiles):
        row += 1
        sh.text(row, 0, names[pid])
        sh.text(row, 1, pid)
        sh.number(row, 2, fleet.lines0[p].sum(), "count")
        sh.number(row, 3, line_months[p], "count")
        for i, b in enumerate(bids):
            c0 = first + 3 * i
            part = float(by_profile[costs.index(b), p])
            sh.text(row, c0, (costs.plan_assignment[b] or {}).get(pid, ""), "text", "vsep")
            sh.number(row, c0 + 1, part, "money")
            sh.number(row, c0 + 2, part / line_months[p] if line_months[p] > 0 else None, "money")
    last = row
    row += 1
    sh.text(row, 0, "Total (TCO); fleet average per line per month", "label", "total")
    sh.blank(row, 1, "total")
    sh.number(row, 2, fleet.lines0.sum(), "count", "total")
    total_lm = float(line_months.sum())
    sh.number(row, 3, total_lm, "count", "total")
    for i, b in enumerate(bids):
        c0 = first + 3 * i
        tco = float(by_profile[costs.index(b)].sum())
        sh.blank(row, c0, "total", "vsep")
        sh.number(row, c0 + 1, tco, "money", "total")
        sh.number(row, c0 + 2, tco / total_lm if total_lm > 0 else None, "money", "total")
    sh.table(header_row, 0, first + 3 * len(bids) - 1, last, freeze_cols=1)
    sh.finish({0: max(14.0, min(36.0, sh.widths.get(0, 0.0)))})


def _unit_prices(book: Book, ev: Evaluation) -> None:
    """Each costed bid's cost per line per month by profile (`scenarios.api.Fleetbid.unit_prices`),
    a "not per line" row per bid, and how each bid's rows add up to its TCO."""
    sh = Sheet(book, "Unit prices")
    tender = ev.tender
    up = Fleetbid.unit_prices(ev)
    bids = [b for b in _costed(ev) if b in up.bids]
    cur, en = tender.spec.currency, "en"
    row = sh.title(text.t("unit.title", en), _amounts_note(ev) + _not_costed_note(ev))
    caption = text.t("unit.caption", en, currency=cur, basis=amounts_basis(tender, en, long=True))
    for sentence in re.split(r"(?<=\.) ", caption):  # one note row per sentence
        sh.note(row, sentence)
        row += 1
    row += 1
    head = ["Bid", "Operator", text.t("unit.profile", en), "Key", text.t("unit.line_months", en),
            *(text.t(f"unit.col.{c}", en) for c in up.columns), text.t("unit.col.total", en), text.t("unit.cost", en)]
    header_row = row
    sh.header(row, 0, head, [None, None, None, None, *["right"] * (len(head) - 4)])
    names = {p.id: p.name or p.id for p in tender.spec.profiles}
    first = 5
    for bid in bids:
        rows, other = up.of(bid)
        for i, r in enumerate(rows.itertuples(index=False)):
            row += 1
            sep = ("sep",) if i == 0 else ()
            sh.text(row, 0, bid, "text", *sep)
            sh.text(row, 1, _bid_label(ev, bid), "text", *sep)
            sh.text(row, 2, names[r.profile], "text", *sep)
            sh.text(row, 3, r.profile, "text", *sep)
            sh.number(row, 4, r.line_months, "count", *sep)
            for j, c in enumerate((*up.columns, "total")):
                sh.number(row, first + j, getattr(r, c), "money", *(("bold",) if c == "total" else ()), *sep)
            sh.number(row, first + len(up.columns) + 1, r.cost, "money", *sep)
        row += 1
        sh.text(row, 0, bid)
        sh.text(row, 1, _bid_label(ev, bid))
        sh.text(row, 2, text.t("unit.not_per_line", en), "label")
        for col in range(3, first + len(up.columns) + 1):
            sh.blank(row, col)
        sh.number(row, first + len(up.columns) + 1, other["total"], "money")
    last = row
    sh.table(header_row, 0, len(head) - 1, last, freeze_cols=3)
    row += 2

    sh.section(row, text.t("unit.adds_up", en))
    row += 1
    head2 = ["Bid", "Operator", text.t("unit.per_line_costs", en), *(text.t(f"unit.item.{c}", en) for c in up.items),
             text.t("unit.item.total", en), text.t("unit.tco", en)]
    sh.header(row, 0, head2, [None, None, *["right"] * (len(head2) - 2)])
    for bid in bids:
        rows, other = up.of(bid)
        row += 1
        per_line = float(rows["cost"].sum())
        sh.text(row, 0, bid)
        sh.text(row, 1, _bid_label(ev, bid))
        sh.number(row, 2, per_line, "money")
        for j, c in enumerate(up.items):
            sh.number(row, 3 + j, other[c], "money")
        sh.number(row, 3 + len(up.items), other["total"], "money")
        # The sum of the row (it equals the bid's TCO in the other sheets, to well under a cent).
        sh.number(row, 4 + len(up.items), per_line + float(other["total"]), "money", "bold")
    if not bids:
        row += 1
        sh.note(row, text.t("unit.none", en))
    sh.finish({0: max(9.0, sh.widths.get(0, 0.0)), 2: max(14.0, min(36.0, sh.widths.get(2, 0.0)))})


def _monthly(book: Book, ev: Evaluation) -> None:
    ym = ev.costs.fleet.year_of_month
    keys = [(m + 1, int(ym[m]) + 1) for m in range(ev.costs.fleet.term_months)]
    _cost_rows_sheet(book, ev, "Monthly", "Cost per contract month",
                     _amounts_note(ev) + " Month 1 carries the one-off and switching costs.",
                     ["Month", "Contract year"], keys, _rows_of(ev, ev.costs.monthly()),
                     key_styles=["int", "int"]).finish()


def _switching(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Switching")
    tender, costs = ev.tender, ev.costs
    ss = stay_or_switch(ev)
    order = bids_by_rank(ev)
    challengers = sorted(ss.challengers, key=lambda c: order.index(c.id))
    parts = switching_parts(tender)
    if challengers:
        note = (f"Each challenger against staying with the incumbent, {ss.incumbent} "
                f"({_operator(ev, ss.incumbent)}). " + _amounts_note(ev)  # type: ignore[arg-type]
                + " Break-even month: the first month from which the challenger's cumulative cost stays at or "
                "below the incumbent's to the end of the term.")
    else:
        note = f"No stay-or-switch comparison: {ss.note}. " + _amounts_note(ev)
    row = sh.title("Switching: what leaving the incumbent costs, and when it pays back", note)

    sh.section(row, "Switching cost by part (the buyer's own costs, in month 1)")
    row += 1
    part_keys = list(SWITCHING_PARTS)
    head = ["Bid", "Operator", *(text.t(f"switch.{k}", "en") for k in part_keys), "Switching cost",
            workbook_label("portability"), "Break-even month"]
    parts_header = row
    sh.header(row, 0, head, [None, None, *["right"] * (len(part_keys) + 2), "center"])
    if challengers:
        rows = [(c.id, c.waterfall, c.break_even_month) for c in challengers]
    else:  # without an incumbent every bid switches
        comp = costs.by_component()
        rows = []
        for b in _costed(ev):
            cost = float(comp[costs.index(b), COMPONENTS.index("switching")])
            port = float(comp[costs.index(b), COMPONENTS.index("portability")])
            rows.append((b, {**(parts if cost else dict.fromkeys(parts, 0.0)), "portability_terms": port}, None))
    for bid_id, waterfall, be in rows:
        row += 1
        sh.text(row, 0, bid_id)
        sh.text(row, 1, _bid_label(ev, bid_id))
        for i, k in enumerate(part_keys):
            sh.number(row, 2 + i, waterfall.get(k, 0.0), "money")
        # The sum of the parts: the switching component of the bid's TCO.
        sh.number(row, 2 + len(part_keys), float(sum(waterfall.get(k, 0.0) for k in part_keys)), "money", "bold")
        sh.number(row, 3 + len(part_keys), waterfall.get("portability_terms", 0.0), "money")
        if be is None:
            sh.text(row, 4 + len(part_keys), "never" if challengers else "—", "text", "center")
        else:
            sh.number(row, 4 + len(part_keys), be, "int", "center")
    if not rows:
        row += 1
        sh.note(row, "No costed bid.")
    row += 2

    if challengers:
        assert ss.incumbent is not None and ss.incumbent_cumulative is not None
        sh.section(row, f"Cumulative saving against staying with {_operator(ev, ss.incumbent)} (positive: the "
                   "challenger has cost less so far; highlighted: the break-even month)")
        row += 1
        month_header = row
        sh.header(row, 0, ["Month", "Contract year"], "center")
        sh.header(row, 2, [_bid_label(ev, c.id) for c in challengers], "right")
        sh.header(row, 2 + len(challengers), [f"Cumulative cost of staying ({_operator(ev, ss.incumbent)})"],
                  "right")
        ym = costs.fleet.year_of_month
        for m in range(costs.fleet.term_months):
            row += 1
            sh.number(row, 0, m + 1, "int", "center")
            sh.number(row, 1, int(ym[m]) + 1, "int", "center")
            for i, c in enumerate(challengers):
                sh.number(row, 2 + i, c.cumulative_saving[m], "money",
                          *(("best",) if c.break_even_month == m + 1 else ()))
            sh.number(row, 2 + len(challengers), ss.incumbent_cumulative[m], "money")
        sh.table(month_header, 0, 2 + len(challengers), row)
    else:
        sh.table(parts_header, 0, len(head) - 1, parts_header + len(rows))
    sh.finish({0: max(9.0, sh.widths.get(0, 0.0))})


def _sensitivity(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Sensitivity")
    low, high = 1 - DELTA, 1 + DELTA
    note = (f"Each driver moved to ×{low:g} and ×{high:g}, and the tender evaluated again. Margin: the baseline "
            "winner's total minus the best other total (negative: it no longer wins).")
    row = sh.title("Sensitivity: which assumptions move the result", note)
    try:
        result = sensitivity(ev)
    except TenderError as exc:
        sh.text(row, 0, "The sensitivity analysis could not be computed: "
                + _join(p.message for p in exc.problems), "text", measure=False)
        sh.finish()
        return
    winner = ev.winner
    base = None
    if winner is not None:
        others = [t for b, t in ev.ranking.total.items() if b != winner and t is not None]
        base = ev.ranking.total[winner] - max(others) if others else None  # type: ignore[operator]
    sh.fact(row, "Baseline winner", f"{winner} — {_operator(ev, winner)}" if winner else "none (no compliant bid)")
    if base is not None:
        sh.fact(row + 1, "Baseline margin (points)", base, "points")
    else:
        sh.fact(row + 1, "Baseline margin (points)", "—")
    row += 3

    bids = bids_by_rank(ev)
    head = ["Driver", f"Winner at ×{low:g}", f"Margin at ×{low:g}", f"Winner at ×{high:g}", f"Margin at ×{high:g}",
            "Largest margin change"]
    head += [f"TCO {_operator(ev, b)} at ×{f:g}" for b in bids for f in (low, high)]
    tornado_header = row
    sh.header(row, 0, head, [None, None, "right", None, "right", "right", *["right"] * (2 * len(bids))])
    for t in result.tornado:
        row += 1
        sh.text(row, 0, t["driver"])
        changes = []
        for i, side in enumerate(("low", "high")):
            s = t[side]
            sh.text(row, 1 + 2 * i, s["winner"] or "none", *(("text",) if s["winner"] == winner else ("label",)))
            if s["margin"] is None:
                sh.text(row, 2 + 2 * i, "winner knocked out" if winner else "—", "text", "right")
            else:
                sh.number(row, 2 + 2 * i, s["margin"], "points")
                if base is not None:
                    changes.append(abs(s["margin"] - base))
        sh.number(row, 5, max(changes) if changes else None, "points")
        for j, b in enumerate(bids):
            sh.number(row, 6 + 2 * j, t["low"]["tco"].get(b), "money")
            sh.number(row, 7 + 2 * j, t["high"]["tco"].get(b), "money")
    sh.table(tornado_header, 0, len(head) - 1, row, freeze_cols=1)
    row += 2
    sh.note(row, "In bold: another bid wins. Drivers are sorted by how far they move the margin.")
    row += 2
    sh.section(row, "Weight stability: how far each weight can move before the winner changes (the other "
               "weights rescaled to keep 100)")
    row += 1
    sh.header(row, 0, ["Weight", "Criterion", "Stated weight", "Winner", "Stable from", "Stable to", "Winner below",
                       "Winner above"], [None, None, "right", None, "right", "right", None, None])
    for w in result.weights:
        row += 1
        shown = shown_range(ev, w, decimals=2)  # the range as shown, ties within the rounding as ties
        sh.text(row, 0, w["weight"])
        sh.text(row, 1, criterion_name(ev.tender, w["weight"]))
        sh.number(row, 2, w["stated"], "points")
        sh.text(row, 3, _operator(ev, w["winner"]) if w["winner"] else "none")
        sh.number(row, 4, shown.start, "points")
        sh.number(row, 5, shown.end, "points")
        sh.text(row, 6, _beyond(ev, shown.below, shown.at_start, shown.tie_start, 0))
        sh.text(row, 7, _beyond(ev, shown.above, shown.at_end, shown.tie_end, 100))
    row += 2
    sh.note(row, "Ranges rounded to 2 decimals. \"At 0 only\" or \"at 100 only\": that bid wins only at the very "
            "end of the scale, where the totals tie at 9 decimals and the ranking's tie rule (lower TCO, then bid id) "
            "decides.")
    sh.finish({0: max(24.0, min(34.0, sh.widths.get(0, 0.0))), 1: 34.0})


def _beyond(ev: Evaluation, beyond: str | None, at_end: str | None, tie: str | None, end: int) -> str:
    """Who wins past one end of a weight's range, or only at the end itself (then how)."""
    if beyond:
        return _operator(ev, beyond)
    if at_end is None:
        return "—"
    how = {"tco": " (a tie, won on the lower TCO)", "id": " (a tie, won on the bid id)"}.get(tie or "", "")
    return f"{_operator(ev, at_end)}, at {end} only{how}"


def _warnings(book: Book, ev: Evaluation) -> None:
    sh = Sheet(book, "Warnings")
    row = sh.title("Warnings, knock-outs and flags",
                   "One per row. Knocked-out bids are not ranked; check warnings and flags before the award.")
    header_row = row
    sh.header(row, 0, ["Type", "Bid", "Operator", "Message"])
    items: list[tuple[str, str, str]] = []
    for b in bids_by_rank(ev):
        items += [("knock-out", b, reason) for reason in ev.knockouts(b)]
    for b in bids_by_rank(ev):
        items += [("flag", b, _flag(f)) for f in ev.ranking.flags.get(b, [])]
    items += [("warning", "", w) for w in ev.warnings]
    for kind, b, message in items:
        row += 1
        sh.text(row, 0, kind)
        sh.text(row, 1, b)
        sh.text(row, 2, _operator(ev, b) if b else "")
        sh.text(row, 3, message, "wrap")
    if not items:
        row += 1
        sh.text(row, 0, "none")
        sh.text(row, 3, "No warnings, knock-outs or flags.")
    sh.table(header_row, 0, 3, row)
    sh.finish({3: 100.0})
