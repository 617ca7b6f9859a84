"""The evaluation as an Excel workbook, for the buyer's file and the award report.

`write_evaluation_workbook(ev, path_or_buffer)` writes one sheet per view: Summary, Criteria,
Costs by year / component / entity / profile, Monthly, Switching, Sensitivity (optional),
Warnings, Method and Inputs. Rules:

- numbers are stored as numbers (unrounded, as the model computed them) with number formats;
  no cell holds a formula, so nothing depends on recalculation: every total is computed
  here and equals the sum of the cells above it (and the bid's TCO) to well under a cent;
- every text cell is written with ``write_string`` and the workbook converts no string to a
  formula, link or number, so text from tender and bid files (an operator named
  ``=HYPERLINK(…)``) stays plain text; text that starts like a formula also gets Excel's
  quote prefix, so editing the cell does not turn it into one;
- bids appear in ranking order, knocked-out bids last;
- the same evaluation gives the same bytes (fixed creation date).

Amounts are in the tender's currency excluding VAT, like the rest of the model.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from os import PathLike
from typing import Any

import numpy as np
import xlsxwriter

from .cost import COMPONENTS
from .criteria import DISCREPANCY_SHARE
from .errors import TenderError
from .evaluate import Evaluation
from .explain import PRICE
from .model import UsageDistribution
from .names import criterion_name
from .switching import switching_parts

# Fixed so that the same evaluation gives the same bytes (xlsxwriter stamps "now" otherwise).
CREATED = dt.datetime(2000, 1, 1)

# Text Excel (or LibreOffice) could take for a formula when the cell is edited.
RISKY_START = ("=", "+", "-", "@", "\t", "\r")

COMPONENT_LABELS = {
    "subscriptions": "Subscriptions (plan fees, volume discount, indexation)",
    "usage": "Usage beyond allowances",
    "pool_overage": "Pooled overage",
    "account_fees": "Account fees",
    "devices": "Devices",
    "device_fund": "Device fund used",
    "one_off_fees": "One-off fees (setup, activation, SIM cards)",
    "credits": "Credits (welcome credit)",
    "portability": "Portability terms (in the bid)",
    "switching": "Switching cost (buyer's own)",
}

SWITCHING_LABELS = {
    "project": "Migration project",
    "staff_and_sims": "Staff time and SIMs",
    "parallel_running": "Parallel running",
    "exit_fee": "Incumbent exit fee",
    "lost_numbers": "Lost numbers",
}

FORMULA_WORDS = {
    "ratio": "score = lowest price ÷ the bid's price (Pmin / P)",
    "linear": "score = (highest price − P) ÷ (highest price − lowest price); 1 when all prices are equal",
    "bounded": "score = (worst − P) ÷ (worst − best), clipped to 0..1",
    "deviation": "score = max(0, 1 − (P − Pmin) ÷ Pmin)",
}

BASIS_WORDS = {
    "tco": "TCO: total cost of ownership over the term, the buyer's switching cost included",
    "bid": "bid cost: the TCO without the buyer's own switching cost",
    "npv": "NPV: the monthly costs discounted at the tender's discount rate",
    "tco_service": "TCO plus the hidden cost of poor service",
}

REFERENCE_WORDS = {
    "compliant": "lowest and highest prices taken over the compliant bids",
    "all": "lowest and highest prices taken over every costed bid, knocked-out bids included",
}

KIND_WORDS = {
    "numeric": "score = (value − worst) ÷ (best − worst), clipped to 0..1",
    "yes_no": "score = 1 for yes, 0 for no",
    "evaluators": "score = consensus ÷ scale; the consensus is the moderated score if recorded, "
                  "else the mean of the evaluators' scores",
}

FLAG_LABELS = {
    "abnormally_low": "abnormally low",
    "expired": "expired (validity ends before the award date)",
}

CURRENCY_SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF", "JPY": "¥", "CAD": "CA$", "AUD": "A$"}
PREFIXED = {"GBP", "USD", "CAD", "AUD", "JPY"}

# Column widths in Excel character units.
MIN_WIDTH, MAX_WIDTH, WRAP_WIDTH = 6.0, 48.0, 70.0

BASE_STYLES: dict[str, dict[str, Any]] = {
    "text": {"align": "left", "valign": "top", "indent": 1},
    "wrap": {"align": "left", "valign": "top", "text_wrap": True, "indent": 1},
    "title": {"bold": True, "font_size": 14},
    "subtitle": {"italic": True, "font_color": "#555555"},
    "section": {"bold": True, "font_size": 12},
    "header": {"bold": True, "text_wrap": True, "align": "left", "valign": "bottom", "bg_color": "#DDE5EE", "bottom": 1,
               "indent": 1},
    "h_right": {"align": "right", "indent": 0},
    "h_center": {"align": "center", "indent": 0},
    "group": {"bold": True, "align": "center", "bg_color": "#DDE5EE", "left": 1},
    "label": {"bold": True, "align": "left", "valign": "top", "indent": 1},
    "int": {"num_format": "0", "valign": "top"},
    "count": {"num_format": "#,##0", "valign": "top"},
    "count_dec": {"num_format": "#,##0.00", "valign": "top"},
    "num": {"valign": "top"},
    "points": {"num_format": "0.00", "valign": "top"},
    "pct": {"num_format": "0.0%", "valign": "top"},
    "date": {"num_format": "yyyy-mm-dd", "valign": "top"},
    "left": {"align": "left", "indent": 1},
    "right": {"align": "right", "indent": 0},
    "center": {"align": "center", "indent": 0},
    "bold": {"bold": True},
    "total": {"bold": True, "top": 1},
    "best": {"bg_color": "#E2F0D9", "bold": True},
    "sep": {"top": 1, "top_color": "#A6A6A6"},
    "vsep": {"left": 1, "left_color": "#A6A6A6"},
    "quote": {"quote_prefix": True},
}
NUMBER_STYLES = {"money", "int", "count", "count_dec", "num", "points", "pct", "date"}


def money_format(currency: str) -> str:
    """``#,##0.00 "€"`` for EUR, ``"£"#,##0.00`` for GBP, ``#,##0.00 "XYZ"`` for another code
    of letters, and plain ``#,##0.00`` for anything else (the currency is then only in the notes)."""
    code = currency.strip().upper()
    if code in CURRENCY_SYMBOLS:
        symbol = CURRENCY_SYMBOLS[code]
        return f'"{symbol}"#,##0.00' if code in PREFIXED else f'#,##0.00 "{symbol}"'
    if re.fullmatch(r"[A-Za-z]{1,8}", currency.strip()):
        return f'#,##0.00 "{currency.strip()}"'
    return "#,##0.00"


def _finite(x: Any) -> float | None:
    if x is None or isinstance(x, bool):
        return None
    x = float(x)
    return x if math.isfinite(x) else None


class _Book:
    def __init__(self, target: Any, currency: str):
        self.wb = xlsxwriter.Workbook(target, {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        })
        self.money_fmt = money_format(currency)
        self.money_width = len(self.money_fmt.split('"')[1]) + 1 if '"' in self.money_fmt else 0
        self._formats: dict[tuple[str, ...], Any] = {}

    def fmt(self, *styles: str):
        """A format merging the named styles, later ones winning (cached)."""
        key = tuple(dict.fromkeys(styles))
        if key not in self._formats:
            props: dict[str, Any] = {}
            for s in key:
                props.update({"num_format": self.money_fmt, "valign": "top"} if s == "money" else BASE_STYLES[s])
            if not props.get("indent"):
                props.pop("indent", None)
            self._formats[key] = self.wb.add_format(props)
        return self._formats[key]


class _Sheet:
    """One worksheet: text only through ``write_string``, columns sized from their content."""

    def __init__(self, book: _Book, name: str):
        self.book = book
        self.ws = book.wb.add_worksheet(name)
        self.widths: dict[int, float] = {}
        self.headers: list[tuple[int, int, str]] = []
        self.wrapped: list[tuple[int, int, str]] = []
        self.ws.set_landscape()
        self.ws.set_paper(9)  # A4
        self.ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
        self.ws.set_footer("&L&A&RPage &P of &N")  # no tender text: '&' codes would be interpreted

    def _measure(self, col: int, width: float) -> None:
        self.widths[col] = max(self.widths.get(col, 0.0), width)

    # --------------------------------------------------------------- cells

    def text(self, row: int, col: int, value: Any, *styles: str, measure: bool = True) -> None:
        """A plain-text cell, whatever the text looks like (formula, link, number)."""
        s = "" if value is None else str(value)
        styles = styles or ("text",)
        if s.startswith(RISKY_START):
            styles = (*styles, "quote")
        self.ws.write_string(row, col, s, self.book.fmt(*styles))
        longest = max((len(p) for p in s.split("\n")), default=0)
        bold = 1.1 if {"label", "bold", "best", "total"} & set(styles) else 1.0
        if "wrap" in styles:
            self.wrapped.append((row, col, s))
            self._measure(col, min(WRAP_WIDTH, longest * bold + 3))
        elif measure:
            self._measure(col, longest * bold + 3)

    def number(self, row: int, col: int, value: Any, style: str = "num", *extra: str) -> None:
        """A number cell (blank for None or NaN), stored unrounded with a number format."""
        x = _finite(value)
        if style == "count" and x is not None and x != int(x):
            style = "count_dec"
        fmt = self.book.fmt(style, *extra)
        if x is None:
            self.ws.write_blank(row, col, None, fmt)
            return
        self.ws.write_number(row, col, x, fmt)
        pad = 0
        if style == "money":
            shown, pad = f"{x:,.2f}", self.book.money_width
        elif style in ("points", "count_dec"):
            shown = f"{x:,.2f}"
        elif style == "pct":
            shown = f"{x * 100:.1f}%"
        elif style in ("int", "count"):
            shown = f"{x:,.0f}"
        else:
            shown = f"{x:.10g}"
        bold = 1.1 if {"bold", "best", "total"} & set(extra) else 1.0
        self._measure(col, (len(shown) + pad) * bold + 2)

    def date(self, row: int, col: int, value: dt.date | None, *extra: str) -> None:
        fmt = self.book.fmt("date", *extra)
        if value is None:
            self.ws.write_blank(row, col, None, fmt)
            return
        self.ws.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), fmt)
        self._measure(col, 12)

    def blank(self, row: int, col: int, *styles: str) -> None:
        self.ws.write_blank(row, col, None, self.book.fmt(*(styles or ("text",))))

    def header(self, row: int, col: int, labels: Sequence[str], align: str | Sequence[str | None] | None = None,
               *extra: str) -> None:
        """Header cells (bold, wrapped); ``align``: None (left), "right" or "center", or one per label."""
        aligns = [align] * len(labels) if align is None or isinstance(align, str) else list(align)
        for i, (label, a) in enumerate(zip(labels, aligns)):
            styles = ("header", *((f"h_{a}",) if a else ()), *extra)
            self.text(row, col + i, label, *styles, measure=False)
            self.headers.append((row, col + i, label))
            longest = max((len(w) for w in label.split()), default=0)
            self._measure(col + i, max(longest * 1.1 + 3, min(len(label), 12) * 1.1 + 3))

    def group(self, row: int, first: int, last: int, label: str) -> None:
        """A label over several columns (merged; the text still goes through write_string)."""
        if last > first:
            self.ws.merge_range(row, first, row, last, "", self.book.fmt("group"))
        self.text(row, first, label, "group", measure=False)

    def title(self, title: str, subtitle: str | None = None) -> int:
        """Title and subtitle rows; returns the first free row (one blank row after)."""
        self.text(0, 0, title, "title", measure=False)
        self.ws.set_row(0, 21)
        if subtitle:
            self.text(1, 0, subtitle, "subtitle", measure=False)
        return 3

    def section(self, row: int, label: str) -> None:
        self.text(row, 0, label, "section", measure=False)
        self.ws.set_row(row, 18)

    def note(self, row: int, text: str) -> None:
        self.text(row, 0, text, "subtitle", measure=False)

    def fact(self, row: int, label: str, value: Any, style: str = "text", *extra: str) -> None:
        """A label and its value; text values overflow to the right, numbers are left-aligned."""
        self.text(row, 0, label, "label")
        if style == "text":
            self.text(row, 1, value, "text", *extra, measure=False)
        elif style == "date":
            self.date(row, 1, value, "left", *extra)
        else:
            self.number(row, 1, value, style, "left", *extra)

    def table(self, header_row: int, first_col: int, last_col: int, last_row: int, *, freeze: bool = True,
              filter: bool = True, freeze_cols: int = 0) -> None:
        if filter and last_row > header_row:
            self.ws.autofilter(header_row, first_col, last_row, last_col)
        if freeze:
            self.ws.freeze_panes(header_row + 1, freeze_cols)
            self.ws.repeat_rows(header_row)

    def finish(self, fixed: dict[int, float] | None = None) -> None:
        """Column widths, row heights for wrapped cells, print setup."""
        widths = {c: min(MAX_WIDTH, max(MIN_WIDTH, w)) for c, w in self.widths.items()}
        widths.update(fixed or {})
        for c, w in sorted(widths.items()):
            self.ws.set_column(c, c, round(w, 1))
        heights: dict[int, float] = {}
        for r, c, label in self.headers:
            heights[r] = max(heights.get(r, 15.0), 15.0 * _lines(label, widths.get(c, MIN_WIDTH) - 2))
        for r, c, s in self.wrapped:
            heights[r] = max(heights.get(r, 15.0), 15.0 * _lines(s, widths.get(c, MIN_WIDTH) - 2))
        for r, h in sorted(heights.items()):
            self.ws.set_row(r, h)
        self.ws.fit_to_pages(1, 0)  # one page wide, as many pages down as needed


def _lines(text: str, width: float) -> int:
    """Lines a wrapped cell needs (word wrap; text runs about 1.1 characters per width unit)."""
    per_line = max(1, int(width * 1.1))
    total = 0
    for paragraph in text.split("\n"):
        lines, current = 1, 0
        for word in paragraph.split(" "):
            n = len(word)
            if current and current + 1 + n > per_line:
                lines += 1
                current = n
            else:
                current += (1 if current else 0) + n
            while current > per_line:
                lines += 1
                current -= per_line
        total += lines
    return max(1, total)


# --------------------------------------------------------------------------- helpers


def _order(ev: Evaluation) -> list[str]:
    """Bid ids in ranking order, knocked-out bids last (then in bid-id order)."""
    ids = [b.id for b in ev.tender.bids]
    rank = ev.ranking.rank
    return sorted(ids, key=lambda b: (rank[b] is None, rank[b] or 0, ids.index(b)))


def _costed(ev: Evaluation) -> list[str]:
    return [b for b in _order(ev) if ev.costs.costed(b)]


def _operator(ev: Evaluation, bid_id: str) -> str:
    return ev.tender.bid(bid_id).operator


def _bid_label(ev: Evaluation, bid_id: str) -> str:
    """A bid's column header: its operator, marked when the bid is knocked out."""
    return _operator(ev, bid_id) + (" (knocked out)" if ev.ranking.rank[bid_id] is None else "")


def _not_costed_note(ev: Evaluation) -> str:
    missing = [b for b in _order(ev) if not ev.costs.costed(b)]
    return " Not costed (see Warnings): " + ", ".join(missing) + "." if missing else ""


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _join(items: Iterable[str], sep: str = "; ") -> str:
    return sep.join(items)


def _amounts_note(ev: Evaluation) -> str:
    spec = ev.tender.spec
    return f"Amounts in {spec.currency} excluding VAT, over the {spec.term_months}-month term."


def _basis_value(ev: Evaluation, bid_id: str) -> float | None:
    fig = ev.figures[bid_id]
    return {"tco": fig.tco, "bid": fig.bid_cost, "npv": fig.npv, "tco_service": fig.tco_service}[ev.spec.price.basis]


# --------------------------------------------------------------------------- sheets


def _summary(book: _Book, ev: Evaluation) -> None:
    sh = _Sheet(book, "Summary")
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
    n_ko = sum(1 for b in _order(ev) if ev.knockouts(b))
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
    for bid_id in _order(ev):
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
                sh.text(row, col, _join((FLAG_LABELS.get(f, f) for f in value), ", "), "wrap", *extra)
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


def _criteria(book: _Book, ev: Evaluation) -> None:
    sh = _Sheet(book, "Criteria")
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
    for bid_id in _order(ev):
        bid_rank = ev.ranking.rank[bid_id]
        lost = ev.explanation.lost[bid_id]
        rows: list[tuple[str, str, str, float, Any, float | None, float | None, Any]] = []
        price_points = ev.ranking.price_score[bid_id]
        weight = spec.price.weight
        rows.append((PRICE, f"Price ({spec.price.basis}, {spec.price.formula})", "price", weight,
                     _basis_value(ev, bid_id),
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


def _cost_rows_sheet(book: _Book, ev: Evaluation, name: str, title: str, note: str,
                     key_header: Sequence[str], keys: Sequence[Sequence[Any]], values: np.ndarray,
                     key_styles: Sequence[str] | None = None) -> _Sheet:
    """Rows = a cost dimension, columns = the costed bids, and a total row: each bid's TCO,
    summed here from the cells above. ``values`` is (costed bids, rows)."""
    sh = _Sheet(book, name)
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


def _costs_by_year(book: _Book, ev: Evaluation) -> None:
    keys = []
    start = 1
    for y, n in enumerate(ev.costs.fleet.months_in_year):
        end = start + int(n) - 1
        keys.append((f"Year {y + 1}", f"months {start}–{end}"))
        start = end + 1
    _cost_rows_sheet(book, ev, "Costs by year", "Costs by contract year",
                     _amounts_note(ev) + " Switching costs fall in month 1.",
                     ["Contract year", "Months"], keys, _rows_of(ev, ev.costs.annual())).finish()


def _costs_by_component(book: _Book, ev: Evaluation) -> None:
    keys = [(COMPONENT_LABELS[c], c) for c in COMPONENTS]
    _cost_rows_sheet(book, ev, "Costs by component", "Costs by component",
                     _amounts_note(ev) + " Credits and the device fund are negative.",
                     ["Component", "Key"], keys, _rows_of(ev, ev.costs.by_component())).finish()


def _costs_by_entity(book: _Book, ev: Evaluation) -> None:
    names = {e.id: e.name or e.id for e in ev.tender.spec.entities}
    keys = [(names[e], e) for e in ev.costs.fleet.entities]
    _cost_rows_sheet(book, ev, "Costs by entity", "Costs by entity (cost centre)",
                     _amounts_note(ev) + " Fleet-wide costs (setup, account fees, credits, portability, switching) "
                     "are split pro rata to each entity's initial lines.",
                     ["Entity", "Key"], keys, _rows_of(ev, ev.costs.by_entity())).finish()


def _line_months(ev: Evaluation) -> np.ndarray:
    """(P,) lines × months over the term, per profile."""
    fleet = ev.costs.fleet
    return (fleet.lines.sum(axis=2) * fleet.months_in_year[:, None]).sum(axis=0)


def _costs_by_profile(book: _Book, ev: Evaluation) -> None:
    sh = _Sheet(book, "Costs by profile")
    costs, fleet = ev.costs, ev.costs.fleet
    bids = _costed(ev)
    by_profile = costs.by_profile()
    line_months = _line_months(ev)
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


def _monthly(book: _Book, ev: Evaluation) -> None:
    ym = ev.costs.fleet.year_of_month
    keys = [(m + 1, int(ym[m]) + 1) for m in range(ev.costs.fleet.term_months)]
    _cost_rows_sheet(book, ev, "Monthly", "Cost per contract month",
                     _amounts_note(ev) + " Month 1 carries the one-off and switching costs.",
                     ["Month", "Contract year"], keys, _rows_of(ev, ev.costs.monthly()),
                     key_styles=["int", "int"]).finish()


def _switching(book: _Book, ev: Evaluation) -> None:
    from scenarios.switch import stay_or_switch  # pure; imported only when a workbook is written

    sh = _Sheet(book, "Switching")
    tender, costs = ev.tender, ev.costs
    ss = stay_or_switch(ev)
    order = _order(ev)
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
    part_keys = list(SWITCHING_LABELS)
    head = ["Bid", "Operator", *(SWITCHING_LABELS[k] for k in part_keys), "Switching cost",
            "Portability terms (in the bid)", "Break-even month"]
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


def _sensitivity(book: _Book, ev: Evaluation) -> None:
    from scenarios.sensitivity import DELTA, sensitivity  # pure, and slow: only when asked for
    from scenarios.stability import shown_range

    sh = _Sheet(book, "Sensitivity")
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

    bids = _order(ev)
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


def _warnings(book: _Book, ev: Evaluation) -> None:
    sh = _Sheet(book, "Warnings")
    row = sh.title("Warnings, knock-outs and flags",
                   "One per row. Knocked-out bids are not ranked; check warnings and flags before the award.")
    header_row = row
    sh.header(row, 0, ["Type", "Bid", "Operator", "Message"])
    items: list[tuple[str, str, str]] = []
    for b in _order(ev):
        items += [("knock-out", b, reason) for reason in ev.knockouts(b)]
    for b in _order(ev):
        items += [("flag", b, FLAG_LABELS.get(f, f)) for f in ev.ranking.flags.get(b, [])]
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


def _method(book: _Book, ev: Evaluation) -> None:
    sh = _Sheet(book, "Method")
    spec, tspec = ev.spec, ev.tender.spec
    price = spec.price
    row = sh.title("Method: weights, formulas, and how much the choice of formula matters",
                   "The evaluation block in use" + (" (a what-if, not the tender's stated block)."
                                                    if spec != tspec.evaluation else ", from tender.yaml."))
    facts: list[tuple[str, Any, str]] = []
    if spec.method == "weighted_sum":
        facts.append(("Method", "weighted sum: total = price points + criterion points (out of 100 when the "
                      "weights add up to 100); points = weight × score, scores run 0..1", "text"))
    else:
        facts.append(("Method", "TOPSIS: vector-normalised decision matrix of the compliant bids, weights over "
                      "their sum; total = 100 × closeness to the ideal bid", "text"))
    facts += [
        ("Price weight", price.weight, "points"),
        ("Price basis", f"{price.basis} — {BASIS_WORDS[price.basis]}", "text"),
        ("Price formula", f"{price.formula} — {FORMULA_WORDS[price.formula]}", "text"),
        ("Price reference", f"{price.reference} — {REFERENCE_WORDS[price.reference]}", "text"),
    ]
    if price.bounds is not None:
        facts += [("Price bounds: best", price.bounds.best, "money"), ("Price bounds: worst", price.bounds.worst, "money")]
    if spec.abnormally_low is not None:
        facts += [("Abnormally-low threshold", spec.abnormally_low, "pct"),
                  ("", f"a compliant bid whose bid cost is more than {spec.abnormally_low:.0%} below the mean bid "
                   "cost of the other compliant bids is flagged, to be questioned before the award", "text")]
    else:
        facts.append(("Abnormally-low threshold", "none (no abnormally-low check)", "text"))
    if tspec.discount_rate is not None:
        facts.append(("Discount rate (NPV)", tspec.discount_rate, "pct"))
    facts += [
        ("Ties", "higher total (compared at 9 decimals), then lower TCO (at the cent), then bid id", "text"),
        ("Knock-outs", "a bid that cannot be costed, lacks a required criterion or fails a limit is not ranked "
         "and does not set the lowest or highest price", "text"),
        ("Missing values", "a missing criterion value scores 0 (with a warning), unless the criterion is required "
         "or has a limit: then the bid is knocked out", "text"),
        ("Evaluator discrepancy", f"evaluators' scores spread over more than {DISCREPANCY_SHARE:.0%} of the scale: "
         "to settle in a moderated consensus (consensus.yaml) with a written reason", "text"),
        ("Amounts", f"{tspec.currency} excluding VAT; usage per line per month; switching costs in month 1", "text"),
    ]
    for label, value, style in facts:
        sh.fact(row, label, value, style)
        row += 1

    row += 1
    sh.section(row, "Weights in use")
    row += 1
    head = ["Criterion", "Name", "Kind", "Weight", "Reads", "Best", "Worst", "Limit", "Required", "Scale",
            "Score"]
    weights_header = row
    sh.header(row, 0, head, [None, None, None, "right", None, "right", "right", "right", "center", "right", None])
    row += 1
    sh.text(row, 0, PRICE)
    sh.text(row, 1, "Price")
    sh.text(row, 2, "price")
    sh.number(row, 3, price.weight, "points")
    sh.text(row, 4, price.basis)
    sh.text(row, 10, FORMULA_WORDS[price.formula], measure=False)
    for c in spec.criteria:
        row += 1
        sh.text(row, 0, c.id)
        sh.text(row, 1, c.name or c.id)
        sh.text(row, 2, {"yes_no": "yes/no"}.get(c.kind, c.kind))
        sh.number(row, 3, c.weight, "points")
        sh.text(row, 4, c.from_)
        sh.number(row, 5, c.best)
        sh.number(row, 6, c.worst)
        sh.number(row, 7, c.limit)
        sh.text(row, 8, _yes_no(c.required) if c.kind == "yes_no" else "", "text", "center")
        sh.number(row, 9, c.scale)
        sh.text(row, 10, KIND_WORDS[c.kind], measure=False)
    row += 1
    sh.text(row, 0, "Total", "label", "total")
    for col in (1, 2):
        sh.blank(row, col, "total")
    sh.number(row, 3, price.weight + sum(c.weight for c in spec.criteria), "points", "total")

    comparison = ev.explanation.formula_comparison
    if comparison:
        row += 3
        sh.section(row, "Winner and ranks under every price formula and basis (the tender's choice highlighted)")
        row += 1
        ranked = [b for b in _order(ev) if any(b in item["ranks"] for item in comparison)]
        head = ["Basis", "Formula", "Chosen", "Winner", *(f"Rank {b}" for b in ranked), "Note"]
        header_row = row
        sh.header(row, 0, head, [None, None, "center", None, *["center"] * len(ranked), None])
        for item in comparison:
            row += 1
            chosen = ("best",) if item["chosen"] else ()
            sh.text(row, 0, item["basis"], "text", *chosen)
            sh.text(row, 1, item["formula"], "text", *chosen)
            sh.text(row, 2, "yes" if item["chosen"] else "", "text", "center", *chosen)
            sh.text(row, 3, item["winner"] or "—", "text", *chosen)
            for j, b in enumerate(ranked):
                sh.number(row, 4 + j, item["ranks"].get(b), "int", "center", *chosen)
            sh.text(row, 4 + len(ranked), item["note"] or "", "text", *chosen, measure=False)
        sh.table(header_row, 0, len(head) - 1, row, freeze=False)
    sh.ws.freeze_panes(2, 0)
    sh.ws.repeat_rows(weights_header)
    words = [FORMULA_WORDS[price.formula], *(KIND_WORDS[c.kind] for c in spec.criteria)]
    sh.finish({0: max(24.0, sh.widths.get(0, 0.0)), 10: min(100.0, max(len(w) for w in words) + 3.0)})


def _inputs(book: _Book, ev: Evaluation) -> None:
    sh = _Sheet(book, "Inputs")
    tender, tspec, fleet = ev.tender, ev.tender.spec, ev.costs.fleet
    row = sh.title("Inputs: the fleet and every bid's prices, as read from the tender files",
                   f"Money in {tspec.currency} excluding VAT; usage per line per month.")

    # Profiles.
    sh.section(row, "User profiles")
    row += 1
    entities = [e.id for e in tspec.entities]
    comps = list(fleet.components)
    head = ["Profile", "Name", "Initial lines", *(f"Lines {e}" for e in entities), "Line growth per year",
            "Device tier", "Device refresh (months)", *(f"Usage {c}" for c in comps), "Usage growth per year",
            "Usage spread"]
    n_num = 2 + len(entities)
    sh.header(row, 0, head, [None, None, *["right"] * n_num, None, "right", *["right"] * len(comps), None, None])
    for p in tspec.profiles:
        row += 1
        sh.text(row, 0, p.id)
        sh.text(row, 1, p.name or "")
        sh.number(row, 2, sum(p.lines.values()), "count", "bold")
        col = 3
        for e in entities:
            sh.number(row, col, p.lines.get(e, 0.0), "count")
            col += 1
        sh.number(row, col, p.line_growth, "pct")
        sh.text(row, col + 1, p.device.tier if p.device else "")
        sh.number(row, col + 2, p.device.refresh_months if p.device else None, "count")
        col += 3
        for c in comps:
            u = p.usage.get(c)
            sh.number(row, col, None if u is None else (u.mean if isinstance(u, UsageDistribution) else u), "num")
            col += 1
        sh.text(row, col, _join(f"{c} {g:+.1%}" for c, g in p.usage_growth.items()))
        sh.text(row, col + 1, _join(f"{c}: {u.dist}, cv {u.cv:g}" for c, u in p.usage.items()
                                    if isinstance(u, UsageDistribution) and u.cv > 0))
    row += 3

    # Switching assumptions.
    if tspec.switching is not None:
        sh.section(row, "Switching assumptions (the buyer's own cost of leaving the incumbent)")
        row += 1
        s = tspec.switching
        items = [("project_eur", "Migration project", "money"), ("per_line_eur", "Per initial line", "money"),
                 ("current_monthly_eur", "Current monthly invoice", "money"),
                 ("parallel_months", "Parallel running (months)", "count"),
                 ("incumbent_exit_fee_eur", "Incumbent exit fee", "money"),
                 ("port_share", "Share of numbers ported", "pct"),
                 ("porting_failure_rate", "Porting failure rate", "pct"),
                 ("lost_number_eur", "Value of a lost number", "money")]
        sh.header(row, 0, ["Field", "Assumption", "Value"], [None, None, "right"])
        for key, label, style in items:
            row += 1
            sh.text(row, 0, key)
            sh.text(row, 1, label)
            sh.number(row, 2, getattr(s, key), style)
        row += 3

    # Offers.
    bids = _order(ev)
    sh.section(row, "Offers: the plans offered for each profile (after ‘→’: the plan used in the evaluation)")
    row += 1
    sh.header(row, 0, ["Profile", "Name", *(_bid_label(ev, b) for b in bids)])
    for p in tspec.profiles:
        row += 1
        sh.text(row, 0, p.id)
        sh.text(row, 1, p.name or "")
        for j, b in enumerate(bids):
            offered = tender.bid(b).spec.offer.get(p.id, ())
            offered = offered if isinstance(offered, tuple) else (offered,)
            chosen = (ev.costs.plan_assignment[b] or {}).get(p.id)
            shown = _join(offered, ", ") or "no offer"
            if chosen and len(offered) > 1:
                shown += f" → {chosen}"
            sh.text(row, 2 + j, shown)
    row += 3

    # Plans.
    sh.section(row, "Plans: monthly fee, allowances (per line per month) and rates beyond them")
    row += 1
    plan_comps = list(dict.fromkeys([*comps, *(c for b in tender.bids for p in b.spec.plans
                                              for c in (*p.allowances, *p.rates))]))
    head = ["Bid", "Operator", "Plan", "Monthly fee", *(f"Allowance {c}" for c in plan_comps),
            *(f"Rate {c}" for c in plan_comps), "Plan name"]
    plans_header = row
    sh.header(row, 0, head, [None, None, None, *["right"] * (1 + 2 * len(plan_comps)), None])
    for b in bids:
        bid = tender.bid(b)
        for plan in bid.spec.plans:
            row += 1
            sh.text(row, 0, b)
            sh.text(row, 1, bid.operator)
            sh.text(row, 2, plan.id)
            sh.number(row, 3, plan.monthly_fee, "money")
            for i, c in enumerate(plan_comps):
                a = plan.allowances.get(c)
                if a == "unlimited":
                    sh.text(row, 4 + i, "unlimited", "text", "right")
                else:
                    sh.number(row, 4 + i, a, "num")
                sh.number(row, 4 + len(plan_comps) + i, plan.rates.get(c), "money")
            sh.text(row, 4 + 2 * len(plan_comps), plan.name or "")
    sh.table(plans_header, 0, len(head) - 1, row, freeze=False)
    row += 3

    # Bid terms.
    sh.section(row, "Bid terms: fees, discounts, devices and portability")
    row += 1
    tiers = list(dict.fromkeys(t for t in fleet.device_tier if t is not None))
    head = ["Bid", "Operator", "Valid until", "Setup fee", "Activation per line", "SIM card", "Account fee per month",
            "Welcome credit", "Indexation per year", *(f"Device {t}" for t in tiers), "Device fund",
            "Porting fee per number", "Exit fee refunded", "Migration credit", "Volume discounts", "Pooled components"]
    sh.header(row, 0, head, [None, None, *["right"] * (len(head) - 4), None, None])
    for b in bids:
        s = tender.bid(b).spec
        row += 1
        sh.text(row, 0, b)
        sh.text(row, 1, tender.bid(b).operator)
        sh.date(row, 2, s.valid_until)
        sh.number(row, 3, s.fees.setup, "money")
        sh.number(row, 4, s.fees.per_line_activation, "money")
        sh.number(row, 5, s.fees.sim_card, "money")
        sh.number(row, 6, s.fees.account_monthly, "money")
        sh.number(row, 7, s.discounts.welcome_credit, "money")
        sh.number(row, 8, s.indexation_percent / 100.0, "pct")
        col = 9
        for t in tiers:
            sh.number(row, col, s.devices.prices.get(t), "money")
            col += 1
        sh.number(row, col, s.devices.fund, "money")
        sh.number(row, col + 1, s.portability.fee_per_number, "money")
        sh.number(row, col + 2, s.portability.exit_fee_refund, "pct")
        sh.number(row, col + 3, s.portability.migration_credit, "money")
        sh.text(row, col + 4, _join(f"from {t.min_lines:g} lines: {t.percent:g} %" for t in s.discounts.volume))
        sh.text(row, col + 5, _join(f"{c}: overage {p.overage_rate:,.2f} per unit" for c, p in s.pool.items()))
    sh.ws.freeze_panes(2, 0)
    sh.finish()


# --------------------------------------------------------------------------- entry point


def write_evaluation_workbook(ev: Evaluation, path_or_buffer: str | PathLike | io.BytesIO | Any, *,
                              include_sensitivity: bool = True) -> bytes | None:
    """Write the evaluation as an .xlsx workbook to a path or a binary file object.

    Returns the workbook's bytes when given an ``io.BytesIO`` (for a download button), else
    None. ``include_sensitivity`` adds the Sensitivity sheet, which evaluates the tender again
    twice per driver (usage components, lines, growth, each bid's prices, switching).
    """
    target = str(path_or_buffer) if isinstance(path_or_buffer, (str, PathLike)) else path_or_buffer
    book = _Book(target, ev.tender.spec.currency)
    book.wb.set_properties({
        "title": f"Tender evaluation — {ev.tender.name}",
        "subject": "Mobile fleet tender evaluation",
        "author": "Fleetbid",
        "comments": "Amounts excluding VAT. No formulas: every figure is a stored value.",
        "created": CREATED,
    })
    _summary(book, ev)
    _criteria(book, ev)
    _costs_by_year(book, ev)
    _costs_by_component(book, ev)
    _costs_by_entity(book, ev)
    _costs_by_profile(book, ev)
    _monthly(book, ev)
    _switching(book, ev)
    if include_sensitivity:
        _sensitivity(book, ev)
    _warnings(book, ev)
    _method(book, ev)
    _inputs(book, ev)
    book.wb.close()
    if isinstance(path_or_buffer, io.BytesIO):
        return path_or_buffer.getvalue()
    return None


__all__ = ["money_format", "write_evaluation_workbook"]
