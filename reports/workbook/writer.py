"""The workbook's writer: a safe xlsxwriter book whose sheets size their columns.

Every text cell is written with ``write_string`` and the workbook converts no string to a
formula, link or number, so text from tender and bid files (an operator named
``=HYPERLINK(…)``) stays plain text; text that starts like a formula also gets Excel's quote
prefix, so editing the cell does not turn it into one. Numbers are stored unrounded, with
number formats. The creation date is fixed: the same evaluation gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from typing import Any

import xlsxwriter

# Fixed so that the same evaluation gives the same bytes (xlsxwriter stamps "now" otherwise).
CREATED = dt.datetime(2000, 1, 1)

# Text Excel (or LibreOffice) could take for a formula when the cell is edited.
RISKY_START = ("=", "+", "-", "@", "\t", "\r")

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


class Book:
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


class Sheet:
    """One worksheet: text only through ``write_string``, columns sized from their content."""

    def __init__(self, book: Book, name: str):
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


__all__ = ["CREATED", "Book", "Sheet", "money_format"]
