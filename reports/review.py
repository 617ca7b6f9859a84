"""The quarterly review minutes (docs/service-levels.md, "The quarterly review"): what the
buyer takes to the meeting with the operator and, once edited, to management.

Two steps, shared by the PDF (`reports.review_pdf`), the Word document (`reports.review_docx`)
and the app page:

1. `build_review(files, period, created=None, key=None)` → `Review`: the figures of one period,
   language-free — the KPIs of the period with their red/amber/green status (`kpi_status`),
   each KPI's values over the periods up to the reviewed one (its trend), the service credits
   due vs received per period to date, the invoice audit's claims of the period (nearest
   deadline first, `reports.claims.ordered_claims` and `claim_totals`) and its billing accuracy
   by month, the porting funnel per period to date, and the open actions (overdue first, at
   the review's date).
2. `minutes(review, lang)` → `Minutes`: the same as sections of data — headings, paragraphs,
   tables of formatted cells (with the status of each KPI cell) and trend series — in English
   or French. Each renderer only lays them out.

Every figure comes from `monitoring.service_levels.service_levels` and
`monitoring.api.open_contract`/`summary`; nothing is recomputed here except the sums of the
tables' total rows. Status (the contract's reading): green = met; amber = missed by a miss ≤
`AMBER_MISS` (0.10, i.e. within 10 % of the target); red = missed by more; none = no record in
the period. Free texts of the logs (action texts, owners, port rejection reasons) are redacted:
no phone number is printed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from monitoring.api import ContractFiles, open_contract, summary
from monitoring.audit import Finding
from monitoring.logs import Action
from monitoring.service_levels import (
    TOLERANCE,
    KpiResult,
    PeriodCredits,
    PortingPeriod,
    period_codes,
    period_label,
    service_levels,
)
from scoring.errors import TenderError, redact
from scoring.quote import quote
from scoring.usage_file.pseudonyms import pseudonym_key

from .claims import ClaimParties, ClaimTotals, category_label, claim_totals, invoices_text, ordered_claims
from .formats import amounts_locale, french, money, number, percent
from .text import TEXT
from .text import t as text

AMBER_MISS = 0.10  # docs/service-levels.md: amber = missed by a miss ≤ 0.10
STATUSES = ("green", "amber", "red", "none")
# A status cell's (fill, ink) colours, as RGB, for both renderers (review_pdf, review_docx).
STATUS_FILL = {"green": ((220, 240, 225), (26, 94, 42)), "amber": ((255, 236, 204), (138, 82, 0)),
               "red": ((251, 226, 226), (160, 27, 27)), "none": ((236, 236, 236), (90, 90, 90))}
RATIO_MEASURES = ("porting_success", "billing_accuracy")
PERIOD_FORMS = {"quarter": (re.compile(r"\d{4}Q[1-4]"), "YYYYQ1 … YYYYQ4 (e.g. 2027Q1)"),
                "month": (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), "YYYY-MM (e.g. 2027-03)")}


def kpi_status(k: KpiResult) -> str:
    """``green`` (met), ``amber`` (missed by a miss ≤ `AMBER_MISS`, float noise of
    `monitoring.service_levels.TOLERANCE` allowed), ``red`` (missed by more) or ``none`` (no
    record in the period)."""
    if k.met is None:
        return "none"
    if k.met:
        return "green"
    return "amber" if k.miss is not None and k.miss <= AMBER_MISS + TOLERANCE else "red"


def is_ratio(k: KpiResult) -> bool:
    """A KPI whose value and target are shares (printed as percentages)."""
    return k.statistic == "share_within" or k.measure in RATIO_MEASURES


def value_text(x: float | None, k: KpiResult, lang: str) -> str:
    """A KPI's value or target: a percentage for shares, else the number with 2 decimals."""
    if x is None:
        return "—"
    return percent(x, lang, 2) if is_ratio(k) else number(x, lang, 2)


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class OpenAction:
    """An open action of the log; ``overdue``: days past its due date at the review's date (0: not)."""

    id: str
    text: str  # redacted
    owner: str  # redacted, "" when none
    due: dt.date | None
    overdue: int


@dataclass(frozen=True)
class MonthAccuracy:
    month: str
    line_periods: int
    with_finding: int
    accuracy: float


@dataclass(frozen=True)
class Review:
    """One period's review, language-free. Amounts excl. VAT in ``currency``, unrounded."""

    tender: str
    buyer: str
    operator: str
    bid: str
    currency: str
    locale: str | None  # the tender's, for the amounts
    kind: str  # quarter | month
    period: str
    first_day: dt.date
    last_day: dt.date
    created: dt.datetime  # the minutes' date (UTC, whole seconds); overdue actions are counted at its date
    periods: tuple[str, ...]  # the contract's periods up to and including ``period``
    kpis: tuple[KpiResult, ...]  # the period's, in contract order
    statuses: tuple[str, ...]  # kpi_status of each
    tiers: tuple[bool, ...]  # whether each KPI has credit tiers
    trends: tuple[tuple[KpiResult, ...], ...]  # per KPI, its results over ``periods``
    credits: tuple[PeriodCredits, ...]  # over ``periods``
    cap_percent: float | None
    months: tuple[str, ...]  # the invoiced billing periods inside ``period``
    claims: tuple[Finding, ...]  # the claims on those invoices, nearest deadline first
    totals: ClaimTotals
    accuracy: tuple[MonthAccuracy, ...]  # per month of ``months``
    porting: tuple[PortingPeriod, ...]  # over ``periods``; () without a port log
    actions: tuple[OpenAction, ...]  # open ones, overdue first, then by due date

    @property
    def date(self) -> dt.date:
        return self.created.date()

    def credit(self) -> PeriodCredits:
        """The reviewed period's credits."""
        return self.credits[-1]


def _period_days(period: str, kind: str) -> tuple[dt.date, dt.date]:
    if kind == "month":
        first = dt.date.fromisoformat(f"{period}-01")
        months = 1
    else:
        first = dt.date(int(period[:4]), 3 * int(period[5]) - 2, 1)
        months = 3
    year, month = divmod(first.month - 1 + months, 12)
    return first, dt.date(first.year + year, month + 1, 1) - dt.timedelta(days=1)


def check_period(period: str, kind: str, periods: tuple[str, ...], shown_as: str = "period") -> str:
    """``period`` when it is written as the contract's periods are and is one of them; else a
    TenderError naming ``shown_as`` (the command line's ``--period``)."""
    pattern, form = PERIOD_FORMS[kind]
    if not isinstance(period, str) or not pattern.fullmatch(period.strip()):
        raise TenderError.at(shown_as, "(option)", f"not a {kind} written {form}: {quote(period)}")
    period = period.strip()
    if period not in periods:
        known = ", ".join(periods) if periods else "none"
        raise TenderError.at(shown_as, "(option)", f"{period} is not a period of the contract (periods with an "
                                                   f"invoice: {known})")
    return period


def _label_of_months(months: tuple[str, ...], kind: str) -> list[str]:
    """Each billing period's (YYYY-MM) review period (monitoring.service_levels' period codes)."""
    if not months:
        return []
    days = np.array(months, dtype="datetime64[M]").astype("datetime64[D]")
    return [period_label(c, kind) for c in period_codes(days, kind)]


def open_actions(actions: tuple[Action, ...], day: dt.date) -> tuple[OpenAction, ...]:
    """The open actions at ``day``, texts redacted: the overdue ones (due before ``day``) first,
    each group by due date (none last), then id."""
    out = [OpenAction(id=a.id, text=redact(a.text), owner=redact(a.owner or ""), due=a.due,
                      overdue=max(0, (day - a.due).days) if a.due is not None else 0)
           for a in actions if a.status == "open"]
    return tuple(sorted(out, key=lambda a: (a.overdue == 0, a.due or dt.date.max, a.id)))


def build_review(files: ContractFiles | str | Path, period: str, created: dt.datetime | None = None,
                 key: bytes | None = None, shown_as: str = "period") -> Review:
    """The review of ``period`` (``2027Q1``, or ``2027-03`` for a monthly contract) of a contract
    folder. ``created``: the minutes' date (default: now), fixed for the same bytes. Raises
    TenderError for bad input, and for a period badly written or without an invoice (naming
    ``shown_as``)."""
    files = files if isinstance(files, ContractFiles) else ContractFiles.of_folder(files)
    key = key if key is not None else pseudonym_key()
    created = (created or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    levels = service_levels(files, key)
    period = check_period(period, levels.period_kind, levels.periods, shown_as)
    opened = open_contract(files, key)
    contract, audit = opened.contract, opened.audit
    parties = ClaimParties.of(contract)
    kind = levels.period_kind
    upto = levels.periods[:levels.periods.index(period) + 1]
    current = [k for k in levels.kpis if k.period == period]
    spec_kpis = contract.spec.service_levels.kpis
    in_period = dict(zip(audit.periods, _label_of_months(audit.periods, kind)))
    months = tuple(m for m in audit.periods if in_period[m] == period)
    claims = tuple(f for f in ordered_claims(audit) if in_period.get(f.period) == period)
    acc = summary(opened).accuracy
    acc = acc[acc["period"].isin(months)]
    first, last = _period_days(period, kind)
    return Review(
        tender=parties.tender, buyer=parties.buyer, operator=levels.operator, bid=levels.bid,
        currency=levels.currency, locale=parties.locale, kind=kind, period=period, first_day=first, last_day=last,
        created=created, periods=upto, kpis=tuple(current), statuses=tuple(kpi_status(k) for k in current),
        tiers=tuple(bool(s.credit) for s in spec_kpis),
        trends=tuple(tuple(r for r in levels.kpi(k.id) if r.period in upto) for k in current),
        credits=tuple(levels.by_period[p] for p in upto), cap_percent=levels.credit_cap_percent,
        months=months, claims=claims, totals=claim_totals(claims),
        accuracy=tuple(MonthAccuracy(str(m), int(n), int(b), float(a)) for m, n, b, a in zip(
            acc["period"], acc["line_periods"], acc["with_finding"], acc["accuracy"])),
        porting=tuple(p for p in levels.porting if p.period in upto),
        actions=open_actions(levels.actions, created.date()))


# --------------------------------------------------------------------------- the sections


@dataclass(frozen=True)
class Para:
    text: str
    muted: bool = False
    bold: bool = False


@dataclass(frozen=True)
class Heading:
    """A sub-heading inside a section."""

    text: str


@dataclass(frozen=True)
class Table:
    """Formatted cells; ``widths`` relative; ``align`` LEFT/RIGHT per column; ``status``: per
    row, the status (`STATUSES`) of the cell in column ``status_col``, or None."""

    head: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]
    align: tuple[str, ...]
    bold_rows: tuple[int, ...] = ()
    status_col: int | None = None
    status: tuple[str | None, ...] = ()


@dataclass(frozen=True)
class Trend:
    """One KPI's values over the periods (None: no record), its target and each point's status;
    ``labels`` are the values as printed, ``target_label`` the target's."""

    title: str
    periods: tuple[str, ...]
    values: tuple[float | None, ...]
    target: float
    statuses: tuple[str, ...]
    labels: tuple[str, ...]
    target_label: str
    ratio: bool


@dataclass(frozen=True)
class Charts:
    trends: tuple[Trend, ...]


Block = Para | Heading | Table | Charts


@dataclass(frozen=True)
class Section:
    title: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Minutes:
    """The review in one language, as the renderers lay it out."""

    lang: str
    title: str
    header: str  # the running header's label
    tender: str
    author: str  # the buyer
    created: dt.datetime
    intro: tuple[Para, ...]
    sections: tuple[Section, ...]


def minutes(review: Review, lang: str) -> Minutes:
    """The sections of ``review`` in ``lang`` ("en" or "fr"; KeyError otherwise), amounts in the
    tender's locale when it has one."""
    with amounts_locale(review.locale):
        return _minutes(review, lang)


def _minutes(r: Review, lang: str) -> Minutes:
    def w(key: str, **kw) -> str:
        out = text(key, lang, **kw)
        return french(out) if lang == "fr" else out

    def amount(x: float) -> str:
        return money(x, lang, r.currency, 2)

    def yes(flag: bool) -> str:
        return w("review.yes" if flag else "review.no")

    count = {s: r.statuses.count(s) for s in STATUSES}
    credit = r.credit()
    intro = (
        Para(w("review.parties", tender=r.tender, operator=r.operator, bid=r.bid, buyer=r.buyer)),
        Para(w("review.meta", kind=w(f"review.kind.{r.kind}"), period=r.period, first=r.first_day.isoformat(),
               last=r.last_day.isoformat(), date=r.date.isoformat(), currency=r.currency,
               basis=text("amounts.basis", lang))),
        Para(w("review.summary", green=number(count["green"], lang), amber=number(count["amber"], lang),
               red=number(count["red"], lang), none=number(count["none"], lang), due=amount(credit.credit_due),
               received=amount(credit.credit_received)), bold=True),
        Para(w("review.draft"), muted=True),
    )

    # 1. the KPIs of the period
    rows = []
    for k, status, tiers in zip(r.kpis, r.statuses, r.tiers):
        stat = (w("review.stat.share_within" if k.better == "lower" else "review.stat.share_above",
                  within=number(k.within, lang, 0 if float(k.within).is_integer() else 2)) if k.statistic == "share_within"
                else w(f"review.stat.{k.statistic}"))
        unit_key = f"review.unit.{k.measure}"
        unit = text(unit_key, lang) if unit_key in TEXT else ""
        detail = ", ".join(x for x in (stat, unit) if x)
        rows.append((f"{k.name}\n{detail}", value_text(k.value, k, lang), value_text(k.target, k, lang),
                     w(f"review.status.{status}"), f"{number(k.n, lang)} ({number(k.open, lang)})",
                     "—" if k.miss is None else percent(k.miss, lang, 1),
                     amount(k.credit_due) if tiers or k.credit_due else w("review.no_tier")))
    kpis = Section(w("review.s.kpis"), (
        Para(w("review.status.rule", amber=percent(AMBER_MISS, lang, 0)), muted=True),
        Table(head=tuple(w(f"review.col.{c}") for c in ("kpi", "value", "target", "status", "records", "miss",
                                                         "credit")),
              rows=tuple(rows), widths=(38, 13, 13, 11, 12, 9, 15),
              align=("LEFT", "RIGHT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
              status_col=3, status=tuple(r.statuses))))

    # 2. trends: a table of the values per period and one chart per KPI
    trend_rows, trend_status, trends = [], [], []
    for k, series in zip(r.kpis, r.trends):
        trend_rows.append((k.name, *(value_text(x.value, x, lang) for x in series), value_text(k.target, k, lang)))
        trends.append(Trend(title=k.name, periods=tuple(x.period for x in series),
                            values=tuple(x.value for x in series), target=k.target,
                            statuses=tuple(kpi_status(x) for x in series),
                            labels=tuple(value_text(x.value, x, lang) for x in series),
                            target_label=value_text(k.target, k, lang), ratio=is_ratio(k)))
        trend_status.append(None)
    n = len(r.periods)
    trend = Section(w("review.s.trends"), (
        Para(w("review.trends.intro", kind=w(f"review.kind.{r.kind}"), period=r.period), muted=True),
        Table(head=(w("review.col.kpi"), *r.periods, w("review.col.target")), rows=tuple(trend_rows),
              widths=(38, *([12] * n), 12), align=("LEFT", *(["RIGHT"] * (n + 1)))),
        Charts(tuple(trends))))

    # 3. credits due vs received, per period to date
    cap = "" if r.cap_percent is None else w("review.credits.cap", percent=percent(r.cap_percent / 100.0, lang, 1))
    rows = [(c.period, amount(c.base), amount(c.credit_due), yes(c.capped), amount(c.credit_received))
            for c in r.credits]
    due = math.fsum(c.credit_due for c in r.credits)
    got = math.fsum(c.credit_received for c in r.credits)
    rows.append((w("review.total"), amount(math.fsum(c.base for c in r.credits)), amount(due), "", amount(got)))
    credits = Section(w("review.s.credits"), (
        Para(w("review.credits.intro", cap=cap), muted=True),
        Table(head=tuple(w(f"review.col.{c}") for c in ("period", "base", "due", "capped", "received")),
              rows=tuple(rows), widths=(16, 20, 16, 10, 16), align=("LEFT", "RIGHT", "RIGHT", "LEFT", "RIGHT"),
              bold_rows=(len(rows) - 1,)),
        Para(w("review.balance", amount=amount(due - got)), bold=True)))

    # 4. the invoice audit of the period
    months = ", ".join(r.months)
    blocks: list[Block] = []
    if not r.months:
        blocks.append(Para(w("review.audit.no_invoice")))
    elif not r.claims:
        blocks.append(Para(w("review.audit.none", months=months)))
    else:
        tot = r.totals
        blocks.append(Para(w("review.audit.intro", months=months, count=number(tot.count, lang),
                             total=amount(tot.amount))))
        rows = [(category_label(c, lang), number(x.count, lang), amount(x.amount)) for c, x in tot.by_category.items()]
        rows.append((w("review.total_period"), number(tot.count, lang), amount(tot.amount)))
        blocks += [Heading(w("review.audit.categories")),
                   Table(head=(w("review.col.category"), w("review.col.count"), w("review.col.claimed")),
                         rows=tuple(rows), widths=(60, 18, 22), align=("LEFT", "RIGHT", "RIGHT"),
                         bold_rows=(len(rows) - 1,))]
        rows = [(d, invoices_text(tot.invoices_by_deadline[d], 3), number(x.count, lang), amount(x.amount))
                for d, x in tot.by_deadline.items()]
        blocks += [Heading(w("review.audit.deadlines")),
                   Table(head=(w("review.col.deadline"), w("review.col.invoices"), w("review.col.count"),
                               w("review.col.claimed")), rows=tuple(rows), widths=(18, 44, 16, 22),
                         align=("LEFT", "LEFT", "RIGHT", "RIGHT"))]
    if r.accuracy:
        rows = [(m.month, number(m.line_periods, lang), number(m.with_finding, lang), percent(m.accuracy, lang, 2))
                for m in r.accuracy]
        blocks += [Heading(w("review.audit.accuracy")),
                   Table(head=tuple(w(f"review.col.{c}") for c in ("month", "line_periods", "with_finding",
                                                                    "accuracy")),
                         rows=tuple(rows), widths=(20, 20, 20, 20), align=("LEFT", "RIGHT", "RIGHT", "RIGHT"))]
    audit = Section(w("review.s.audit"), tuple(blocks))

    # 5. porting
    if not r.porting:
        blocks = [Para(w("review.porting.none"))]
    else:
        cols = ("requested", "ported", "rejected", "lost", "pending")
        rows = [(p.period, *(number(getattr(p, c), lang) for c in cols)) for p in r.porting]
        rows.append((w("review.total"), *(number(sum(getattr(p, c) for p in r.porting), lang) for c in cols)))
        blocks = [Para(w("review.porting.intro"), muted=True),
                  Table(head=(w("review.col.period"), *(w(f"review.col.{c}") for c in cols)), rows=tuple(rows),
                        widths=(16, 14, 14, 14, 14, 14), align=("LEFT", *(["RIGHT"] * 5)),
                        bold_rows=(len(rows) - 1,))]
        reasons = r.porting[-1].reasons
        if reasons:
            blocks += [Heading(w("review.porting.reasons", period=r.period)),
                       Table(head=(w("review.col.reason"), w("review.col.requests")),
                             rows=tuple((why or w("review.porting.no_reason"), number(n, lang))
                                        for why, n in reasons.items()),
                             widths=(70, 20), align=("LEFT", "RIGHT"))]
    porting = Section(w("review.s.porting"), tuple(blocks))

    # 6. open actions, overdue first
    if r.actions:
        rows = [(a.id, a.text, a.owner, a.due.isoformat() if a.due else "—",
                 w("review.overdue", days=number(a.overdue, lang)) if a.overdue else w("review.on_time"))
                for a in r.actions]
        blocks = [Para(w("review.actions.intro", date=r.date.isoformat()), muted=True),
                  Table(head=tuple(w(f"review.col.{c}") for c in ("id", "action", "owner", "due_on", "state")),
                        rows=tuple(rows), widths=(8, 50, 22, 14, 16), align=("LEFT",) * 5,
                        status_col=4, status=tuple("red" if a.overdue else None for a in r.actions))]
    else:
        blocks = [Para(w("review.actions.none"))]
    actions = Section(w("review.s.actions"), tuple(blocks))
    notes = Section(w("review.s.notes"), (Para(w("review.notes"), muted=True),))

    return Minutes(lang=lang, title=w("review.title", period=r.period), header=w("review.header"), tender=r.tender,
                   author=r.buyer, created=r.created, intro=intro,
                   sections=(kpis, trend, credits, audit, porting, actions, notes))


__all__ = ["AMBER_MISS", "STATUSES", "STATUS_FILL", "Block", "Charts", "Heading", "Minutes", "MonthAccuracy", "OpenAction", "Para",
           "Review", "Section", "Table", "Trend", "build_review", "check_period", "is_ratio", "kpi_status", "minutes",
           "open_actions", "value_text"]
