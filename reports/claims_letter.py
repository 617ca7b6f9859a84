"""The claim letter to the operator after an invoice audit (docs/invoice-audit.md),
``python -m monitoring claims DIR --out claims.xlsx --letter claims.pdf [--lang fr]``.

`claims_letter(audit, parties, lang, created=None)` returns the PDF's bytes: from the buyer
(the tender's ``buyer``) to the operator (the awarded bid's), the audited periods, the total
claimed and the claim per category, the deadline rule (CPCE L34-2: one year; each claim's
deadline is its invoice date + 1 year) with the claims per deadline, nearest first, then the
claims themselves — in the letter when they are few (`LIST_IN_LETTER`), else a summary per
period in the letter and the claims in an annex (at most `ANNEX_MAX`; the claim workbook lists
them all). English or French.

The same A4 page and building blocks as the management report (`reports.document.Document`,
fpdf2, DejaVu fonts; no chart, so no browser is started). ``created`` (default: now) is the
letter's date, printed and stored in the PDF: fix it and the same audit gives the same bytes.
Lines appear by pseudonym only. Raises `reports.document.ReportError` without the fonts or for
an unknown language.
"""

from __future__ import annotations

from datetime import UTC, datetime

from monitoring.audit import Audit, Finding
from monitoring.contract import Contract

from .audit import fleetbid_version
from .claims import (
    ClaimParties,
    ClaimTotals,
    category_label,
    charge_label,
    claim_totals,
    component_label,
    invoices_text,
    line_label,
    ordered_claims,
    parties_of,
    periods_span,
)
from .document import MUTED, Document, ReportError, t
from .formats import LANGS, amounts_locale, money, number

LIST_IN_LETTER = 15  # claims listed in the letter itself; more go to the annex
ANNEX_MAX = 500  # claims listed in the annex (about 15 pages); the workbook lists every one


class Letter(Document):
    """The report's page with the letter's header: the buyer's name and the audit's label."""

    def header(self):
        self.header_band(t("claims.letter.header", self.lang))
        self.set_font("DejaVu", size=9.5)


def claims_letter(audit: Audit, parties: Contract | ClaimParties | None = None, lang: str = "en",
                  created: datetime | None = None) -> bytes:
    """The claim letter of ``audit`` as PDF bytes, in ``lang`` ("en" or "fr"). ``parties``: the
    audited `Contract` (or `ClaimParties`; None: buyer and tender unnamed). ``created``: the
    letter's date (default: now); fixed, the same audit gives the same bytes."""
    if lang not in LANGS:
        raise ReportError(f"unknown language {lang!r}: use one of {', '.join(LANGS)}")
    names = parties_of(parties, audit)
    with amounts_locale(names.locale):
        return _letter(audit, names, lang, created)


def _letter(audit: Audit, names: ClaimParties, lang: str, created: datetime | None) -> bytes:
    created = (created or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    claims = ordered_claims(audit)
    totals = claim_totals(claims)
    first, last = periods_span(audit)
    cur = audit.currency
    basis = t("amounts.basis", lang)

    def amount(x: float) -> str:
        return money(x, lang, cur, 2)

    pdf = Letter(lang, names.buyer, created.strftime("%Y-%m-%d %H:%M"))
    pdf.describe(created, f"{t('claims.title', lang)} — {audit.operator}", names.tender, names.buyer,
                 f"Fleetbid {fleetbid_version()}")
    pdf.add_page()

    pdf.para(t("claims.letter.from", lang, buyer=names.buyer), after=0.5)
    pdf.para(t("claims.letter.to", lang, operator=audit.operator), after=0.5)
    pdf.para(t("claims.letter.date", lang, date=created.date().isoformat()), after=4)
    pdf.para(t("claims.letter.subject", lang, first=first, last=last), bold=True, after=4)
    pdf.para(t("claims.letter.salutation", lang), after=2)
    if not claims:
        pdf.para(t("claims.letter.body_none", lang, first=first, last=last, tender=names.tender, bid=audit.bid))
        _closing(pdf, names, lang)
        return bytes(pdf.output())
    pdf.para(t("claims.letter.body", lang, first=first, last=last, tender=names.tender, bid=audit.bid,
               count=number(totals.count, lang), total=amount(totals.amount), basis=basis))

    pdf.h2(t("claims.letter.by_category", lang))
    rows = [[category_label(c, lang), number(tot.count, lang), amount(tot.amount)]
            for c, tot in totals.by_category.items()]
    rows.append([t("claims.total", lang), number(totals.count, lang), amount(totals.amount)])
    pdf.table([t("claims.col.category", lang), t("claims.col.count", lang), t("claims.col.claimed", lang)], rows,
              [60, 18, 22], bold_rows=[len(rows) - 1])

    pdf.h2(t("claims.letter.deadlines", lang))
    pdf.para(t("claims.rule", lang), with_next=True)
    pdf.para(t("claims.letter.nearest", lang, date=claims[0].deadline), with_next=True)
    _deadline_table(pdf, totals, lang, amount)

    long = len(claims) > LIST_IN_LETTER
    if long:
        pdf.h2(t("claims.letter.by_period", lang))
        rows = [[p, number(tot.count, lang), amount(tot.amount)] for p, tot in totals.by_period.items()]
        rows.append([t("claims.total", lang), number(totals.count, lang), amount(totals.amount)])
        pdf.table([t("claims.col.period", lang), t("claims.col.count", lang), t("claims.col.claimed", lang)], rows,
                  [60, 18, 22], bold_rows=[len(rows) - 1])
        pdf.para(t("claims.letter.see_annex", lang, count=number(totals.count, lang)))
    else:
        pdf.h2(t("claims.letter.list", lang))
        _claims_table(pdf, claims, lang, amount)
    pdf.para(t("claims.letter.evidence", lang))
    _closing(pdf, names, lang)
    if long:
        pdf.add_page()
        pdf.h1(t("claims.letter.annex", lang))
        shown = claims[:ANNEX_MAX]
        if len(shown) < len(claims):
            pdf.para(t("claims.letter.annex_cut", lang, shown=number(len(shown), lang),
                       count=number(len(claims), lang)), color=MUTED)
        _claims_table(pdf, shown, lang, amount)
    return bytes(pdf.output())


def _closing(pdf: Letter, names: ClaimParties, lang: str) -> None:
    pdf.para(t("claims.letter.closing", lang), after=3)
    pdf.para(t("claims.letter.signoff", lang), after=6)
    pdf.para(names.buyer, bold=True)


def _deadline_table(pdf: Letter, totals: ClaimTotals, lang: str, amount) -> None:
    rows = [[d, invoices_text(totals.invoices_by_deadline[d], 3), number(tot.count, lang), amount(tot.amount)]
            for d, tot in totals.by_deadline.items()]
    rows.append([t("claims.total", lang), "", number(totals.count, lang), amount(totals.amount)])
    pdf.table([t("claims.col.deadline", lang), t("claims.col.invoices", lang), t("claims.col.count", lang),
               t("claims.col.claimed", lang)], rows, [18, 44, 16, 22], align=["LEFT", "LEFT", "RIGHT", "RIGHT"],
              bold_rows=[len(rows) - 1])


def _claims_table(pdf: Letter, claims: tuple[Finding, ...], lang: str, amount) -> None:
    def charge(f: Finding) -> str:
        component = component_label(f, lang)
        return charge_label(f, lang) + (f" — {component}" if component else "")

    def evidence(f: Finding) -> str:  # the file's name and line: the workbook has the path in the folder
        return ", ".join(ref.rsplit("/", 1)[-1] for ref in f.rows) or t("claims.no_row", lang)

    rows = [[str(n), f.deadline, f"{f.invoice}\n{evidence(f)}", f.period,
             line_label(f, lang), charge(f), category_label(f.category, lang), amount(f.difference)]
            for n, f in enumerate(claims, 1)]
    head = [t(f"claims.col.{c}", lang) for c in ("no", "deadline", "invoice", "period", "line", "charge", "category",
                                                 "claimed")]
    head[2] = f"{head[2]} · {t('claims.col.evidence', lang)}"
    pdf.table(head,
              rows, [8, 19, 42, 14, 29, 24, 25, 19], align=["RIGHT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT",
                                                            "RIGHT"], size=7, mono_cols=[4])


__all__ = ["ANNEX_MAX", "LIST_IN_LETTER", "claims_letter"]
