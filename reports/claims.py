"""The claim workbook to send the operator after an invoice audit (docs/invoice-audit.md),
``python -m monitoring claims DIR --out claims.xlsx``; also what the claim letter
(`reports.claims_letter`) shares with it: who claims from whom (`ClaimParties`), the claims
in deadline order and their totals (`ClaimTotals`), the labels of categories and charges.

`claims_workbook(audit, parties, lang)` returns the .xlsx bytes. Sheets: Summary (parties,
totals, the deadline rule), Claims (one row per claim, nearest deadline first, with its
evidence: invoice, file and line, period, charge, component, line pseudonym, billed,
expected, claimed, deadline), By category, By period, Deadlines (each with a total row) and
Evidence (one row per invoice row behind a claim). Rules, as for the evaluation workbook
(`reports.workbook.writer`): every text cell is plain text whatever it looks like (text
starting with = + - @ gets Excel's quote prefix and is never a formula), numbers are stored
unrounded with the contract currency's number format, no cell holds a formula, and the
creation date is fixed: the same audit gives the same bytes. The totals are sums of the
claims' own differences (`math.fsum`), so each table adds up to the audit's ``claimed``.

Phone numbers never appear: a line is its pseudonym, as in the audit.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict
from dataclasses import dataclass

from monitoring.audit import CATEGORIES, Audit, Finding
from monitoring.contract import Contract

from .text import TEXT, t
from .workbook.writer import CREATED, RISKY_START, Book, Sheet

EXCEL_MAX_ROWS = 1_048_576


@dataclass(frozen=True)
class ClaimParties:
    """Who claims from whom: the buyer (the tender's ``buyer``, else its name) and the tender's
    name; the operator is the audit's. ``locale``: the tender's, for the letter's amounts."""

    buyer: str
    tender: str
    locale: str | None = None

    @classmethod
    def of(cls, contract: Contract) -> ClaimParties:
        tender = contract.tender
        return cls(buyer=tender.spec.buyer or tender.name, tender=tender.name, locale=tender.spec.locale)


def parties_of(source: Contract | ClaimParties | None, audit: Audit) -> ClaimParties:
    """`ClaimParties` from a contract, as given, or (None) unnamed: the buyer and tender shown as "—"."""
    if isinstance(source, ClaimParties):
        return source
    if source is None:
        return ClaimParties(buyer="—", tender="—")
    return ClaimParties.of(source)


# --------------------------------------------------------------------------- the claims and their totals


def ordered_claims(audit: Audit) -> tuple[Finding, ...]:
    """The audit's claims, nearest deadline first (then the audit's order: period, line, charge);
    a claim's number in every output is its place here, from 1."""
    order = {id(f): i for i, f in enumerate(audit.findings)}
    return tuple(sorted(audit.claims, key=lambda f: (f.deadline, order[id(f)])))


@dataclass(frozen=True)
class Total:
    count: int
    amount: float


@dataclass(frozen=True)
class ClaimTotals:
    """Sums of the claims' differences: overall, per category (precedence order), per period
    billed, per deadline (nearest first, with the invoices it covers)."""

    count: int
    amount: float
    by_category: dict[str, Total]
    by_period: dict[str, Total]
    by_deadline: dict[str, Total]
    invoices_by_deadline: dict[str, tuple[str, ...]]


def claim_totals(claims: tuple[Finding, ...]) -> ClaimTotals:
    def totals(key) -> dict[str, Total]:
        groups: dict[str, list[float]] = defaultdict(list)
        for f in claims:
            groups[key(f)].append(f.difference)
        return {k: Total(len(v), math.fsum(v)) for k, v in groups.items()}

    cats = totals(lambda f: f.category)
    invoices: dict[str, dict[str, None]] = defaultdict(dict)
    for f in claims:
        invoices[f.deadline][f.invoice] = None
    return ClaimTotals(
        count=len(claims), amount=math.fsum(f.difference for f in claims),
        by_category={c: cats[c] for c in CATEGORIES if c in cats},
        by_period=dict(sorted(totals(lambda f: f.period).items())),
        by_deadline=dict(sorted(totals(lambda f: f.deadline).items())),
        invoices_by_deadline={d: tuple(v) for d, v in sorted(invoices.items())})


# --------------------------------------------------------------------------- labels


def category_label(category: str, lang: str) -> str:
    return t(f"claims.category.{category}", lang)


def charge_label(f: Finding, lang: str) -> str:
    return t(f"claims.charge.{f.charge}", lang)


def component_label(f: Finding, lang: str) -> str:
    """The usage component's name (``usage.<id>``) or, for a device tier or a component the
    catalogue does not name, its id; empty without one."""
    if f.component is None:
        return ""
    key = f"usage.{f.component}"
    return t(key, lang) if key in TEXT else f.component


def line_label(f: Finding, lang: str) -> str:
    return f.line if f.line is not None else t("claims.account", lang)


def split_ref(ref: str) -> tuple[str, int | None]:
    """``invoices/a.csv:12`` → (``invoices/a.csv``, 12)."""
    path, _, line = ref.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else (ref, None)


def invoices_text(invoices: tuple[str, ...], limit: int) -> str:
    """The invoice numbers, comma-separated; beyond ``limit``, the first ones and "… (+N)"."""
    shown = ", ".join(invoices[:limit])
    return shown if len(invoices) <= limit else f"{shown} … (+{len(invoices) - limit})"


def periods_span(audit: Audit) -> tuple[str, str]:
    return (audit.periods[0], audit.periods[-1]) if audit.periods else ("—", "—")


# --------------------------------------------------------------------------- the workbook


def claims_workbook(audit: Audit, parties: Contract | ClaimParties | None = None, lang: str = "en") -> bytes:
    """The claim workbook of ``audit`` as .xlsx bytes, in ``lang`` ("en" or "fr"). ``parties``:
    the audited `Contract` (or `ClaimParties`; None: buyer and tender unnamed). Raises ValueError
    when the claims do not fit an Excel sheet, KeyError for an unknown language."""
    t("claims.title", lang)  # an unknown language fails here, before anything is written
    names = parties_of(parties, audit)
    claims = ordered_claims(audit)
    refs = sum(max(1, len(f.rows)) for f in claims)
    if max(len(claims), refs) + 4 > EXCEL_MAX_ROWS:
        raise ValueError(f"{len(claims)} claims ({refs} evidence rows) do not fit an Excel sheet "
                         f"({EXCEL_MAX_ROWS} rows)")
    totals = claim_totals(claims)
    buffer = io.BytesIO()
    book = Book(buffer, audit.currency)
    first, last = periods_span(audit)
    book.wb.set_properties({
        "title": f"{t('claims.title', lang)} — {audit.operator}",
        "subject": f"{names.tender} — {first} … {last}",
        "author": "Fleetbid",
        "comments": f"{t('amounts.basis', lang)}. No formulas: every figure is a stored value.",
        "created": CREATED,
    })
    _summary(book, audit, names, claims, totals, lang)
    _claims(book, claims, lang)
    _by_category(book, totals, lang)
    _by_period(book, totals, lang)
    _deadlines(book, totals, lang)
    _evidence(book, claims, lang)
    book.wb.close()
    return buffer.getvalue()


def _date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _summary(book: Book, audit: Audit, names: ClaimParties, claims, totals: ClaimTotals, lang: str) -> None:
    s = Sheet(book, t("claims.sheet.summary", lang))
    first, last = periods_span(audit)
    row = s.title(t("claims.title", lang), t("claims.subtitle", lang, operator=audit.operator, first=first, last=last,
                                            currency=audit.currency, basis=t("amounts.basis", lang)))
    facts = [
        ("claims.fact.buyer", names.buyer, "text"),
        ("claims.fact.operator", audit.operator, "text"),
        ("claims.fact.tender", names.tender, "text"),
        ("claims.fact.bid", audit.bid, "text"),
        ("claims.fact.periods", t("claims.periods", lang, first=first, last=last, count=len(audit.periods)), "text"),
        ("claims.fact.basis", f"{audit.currency} {t('amounts.basis', lang)}", "text"),
        ("claims.fact.billed", audit.billed, "money"),
        ("claims.fact.expected", audit.expected, "money"),
        ("claims.fact.claimed", totals.amount, "money"),
        ("claims.fact.count", totals.count, "count"),
        ("claims.fact.tolerance", audit.tolerance, "money"),
    ]
    if claims:
        facts.append(("claims.fact.nearest", _date(claims[0].deadline), "date"))
    for key, value, style in facts:
        s.fact(row, t(key, lang), value, style)
        row += 1
    row += 1
    s.ws.merge_range(row, 0, row, 3, "", book.fmt("wrap"))
    s.text(row, 0, t("claims.rule", lang), "wrap", measure=False)
    s.ws.set_row(row, 75)
    if not claims:
        s.note(row + 2, t("claims.none", lang))
    s.finish(fixed={0: 30, 1: 30, 2: 20, 3: 20})


class _Rows:
    """Fast rows for the long sheets (one row per claim or evidence row): cells written straight
    with cached formats — text with ``write_string`` only, with Excel's quote prefix when it
    starts like a formula (`reports.workbook.writer.RISKY_START`, as `Sheet.text` does) — and
    the columns sized once from the longest text and the largest amount."""

    def __init__(self, s: Sheet):
        self.s, self.ws, book = s, s.ws, s.book
        self.plain, self.quoted = book.fmt("text"), book.fmt("text", "quote")
        self.formats = {style: book.fmt(style) for style in ("int", "date", "money")}
        self.bold_money = book.fmt("money", "bold")
        self.longest: dict[int, int] = {}
        self.largest: dict[int, float] = {}

    def text(self, r: int, c: int, value: str) -> None:
        self.ws.write_string(r, c, value, self.quoted if value.startswith(RISKY_START) else self.plain)
        if len(value) > self.longest.get(c, 0):
            self.longest[c] = len(value)

    def number(self, r: int, c: int, value: float, style: str, bold: bool = False) -> None:
        self.ws.write_number(r, c, value, self.bold_money if bold else self.formats[style])
        if abs(value) > self.largest.get(c, 0.0):
            self.largest[c] = abs(value)

    def date(self, r: int, c: int, value: str) -> None:
        day = _date(value)
        self.ws.write_datetime(r, c, dt.datetime(day.year, day.month, day.day), self.formats["date"])
        self.longest[c] = max(self.longest.get(c, 0), 10)

    def measure(self) -> None:
        for c, n in self.longest.items():
            self.s._measure(c, n + 3)
        for c, x in self.largest.items():  # as Sheet.number measures money: digits, separators, symbol
            self.s._measure(c, (len(f"{x:,.2f}") + 1 + self.s.book.money_width) * 1.1 + 2)


def _claims(book: Book, claims: tuple[Finding, ...], lang: str) -> None:
    s = Sheet(book, t("claims.sheet.claims", lang))
    s.note(0, t("claims.note.claims", lang))
    cols = ["no", "deadline", "category", "invoice", "period", "line", "charge", "component", "billed", "expected",
            "claimed", "file", "file_lines"]
    head = 2
    s.header(head, 0, [t(f"claims.col.{c}", lang) for c in cols],
             [None, None, None, None, None, None, None, None, "right", "right", "right", None, None])
    out = _Rows(s)
    categories = {c: category_label(c, lang) for c in CATEGORIES}
    no_row = t("claims.no_row", lang)
    r = head
    for n, f in enumerate(claims, 1):
        r += 1
        parts = [split_ref(ref) for ref in f.rows]
        out.number(r, 0, n, "int")
        out.date(r, 1, f.deadline)
        out.text(r, 2, categories[f.category])
        out.text(r, 3, f.invoice)
        out.text(r, 4, f.period)
        out.text(r, 5, line_label(f, lang))
        out.text(r, 6, charge_label(f, lang))
        out.text(r, 7, component_label(f, lang))
        out.number(r, 8, f.billed, "money")
        out.number(r, 9, f.expected, "money")
        out.number(r, 10, f.difference, "money", bold=True)
        out.text(r, 11, ", ".join(dict.fromkeys(p for p, _ in parts)) if parts else no_row)
        out.text(r, 12, ", ".join(str(n_) for _, n_ in parts if n_ is not None))
    out.measure()
    if claims:
        r += 1
        s.text(r, 0, t("claims.total", lang), "total")
        for c in range(1, 13):
            if c != 10:
                s.blank(r, c, "total")
        s.number(r, 10, math.fsum(f.difference for f in claims), "money", "total")
        s.table(head, 0, len(cols) - 1, r - 1)
    else:
        s.note(head + 1, t("claims.none", lang))
    s.finish()


def _totals_sheet(book: Book, name: str, key_col: str, rows: list[tuple[list[str], Total]], total: Total,
                  lang: str, note: str | None = None, extra_cols: tuple[str, ...] = ()) -> None:
    s = Sheet(book, name)
    s.note(0, note or t("claims.note.totals", lang))
    head = 2
    labels = [t(key_col, lang), *(t(c, lang) for c in extra_cols), t("claims.col.count", lang),
              t("claims.col.claimed", lang)]
    n_text = 1 + len(extra_cols)
    s.header(head, 0, labels, [None] * n_text + ["right", "right"])
    r = head
    for texts, tot in rows:
        r += 1
        for c, value in enumerate(texts):
            s.text(r, c, value, "wrap" if c else "text")
        s.number(r, n_text, tot.count, "count")
        s.number(r, n_text + 1, tot.amount, "money")
    r += 1
    s.text(r, 0, t("claims.total", lang), "total")
    for c in range(1, n_text):
        s.blank(r, c, "total")
    s.number(r, n_text, total.count, "count", "total")
    s.number(r, n_text + 1, total.amount, "money", "total")
    s.table(head, 0, n_text + 1, r - 1, filter=False)
    s.finish()


def _by_category(book: Book, totals: ClaimTotals, lang: str) -> None:
    rows = [([category_label(c, lang), t(f"audit.category.{c}", lang)], tot) for c, tot in totals.by_category.items()]
    _totals_sheet(book, t("claims.sheet.by_category", lang), "claims.col.category", rows,
                  Total(totals.count, totals.amount), lang, extra_cols=("claims.col.what",))


def _by_period(book: Book, totals: ClaimTotals, lang: str) -> None:
    rows = [([p], tot) for p, tot in totals.by_period.items()]
    _totals_sheet(book, t("claims.sheet.by_period", lang), "claims.col.period", rows,
                  Total(totals.count, totals.amount), lang)


def _deadlines(book: Book, totals: ClaimTotals, lang: str) -> None:
    s = Sheet(book, t("claims.sheet.deadlines", lang))
    s.note(0, t("claims.rule", lang))
    head = 2
    s.header(head, 0, [t("claims.col.deadline", lang), t("claims.col.invoices", lang), t("claims.col.count", lang),
                       t("claims.col.claimed", lang)], [None, None, "right", "right"])
    r = head
    for deadline, tot in totals.by_deadline.items():
        r += 1
        s.date(r, 0, _date(deadline))
        s.text(r, 1, invoices_text(totals.invoices_by_deadline[deadline], 50))
        s.number(r, 2, tot.count, "count")
        s.number(r, 3, tot.amount, "money")
    r += 1
    s.text(r, 0, t("claims.total", lang), "total")
    s.blank(r, 1, "total")
    s.number(r, 2, totals.count, "count", "total")
    s.number(r, 3, totals.amount, "money", "total")
    s.table(head, 0, 3, r - 1, filter=False)
    s.finish()


def _evidence(book: Book, claims: tuple[Finding, ...], lang: str) -> None:
    s = Sheet(book, t("claims.sheet.evidence", lang))
    s.note(0, t("claims.note.evidence", lang))
    head = 2
    s.header(head, 0, [t(f"claims.col.{c}", lang) for c in ("no", "invoice", "period", "file", "file_line")],
             [None, None, None, None, "right"])
    out = _Rows(s)
    no_row = t("claims.no_row", lang)
    r = head
    for n, f in enumerate(claims, 1):
        for ref in f.rows or (None,):
            r += 1
            out.number(r, 0, n, "int")
            out.text(r, 1, f.invoice)
            out.text(r, 2, f.period)
            if ref is None:
                out.text(r, 3, no_row)
                continue
            path, line = split_ref(ref)
            out.text(r, 3, path)
            if line is not None:
                out.number(r, 4, line, "int")
    out.measure()
    s.table(head, 0, 4, r)
    s.finish()


__all__ = ["ClaimParties", "ClaimTotals", "Total", "claim_totals", "claims_workbook", "invoices_text", "ordered_claims",
           "parties_of"]
