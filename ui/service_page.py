"""Service & review page (docs/app.md §5d, docs/service-levels.md): the contract's service
levels after the award — KPI cards with their red/amber/green status for the period reviewed,
each KPI's trend per period against its target, service credits due vs received, the porting
funnel and its rejections by reason, the RIO check of an uploaded list of lines, the action
log, and the quarterly review minutes to download (PDF, or DOCX to edit).

The contract is the one in use on the Invoice audit page (`ui.api.contract_source`: a bundled
folder or an uploaded zip); a second bundled contract can be shown beside it (a split award:
`ui.state.SERVICE_SECOND`), each section then in two columns. Everything shown is asked of
`ui.api` (cached per contract digest); the status of a KPI is the review's rule
(`reports.review.kpi_status`), never decided here. Lines appear only as pseudonyms.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from monitoring.api import SHOWN, ContractFiles, bundled_contracts
from monitoring.rio import DEFAULT_COLUMNS, RioCheck, porting_scenario
from monitoring.service_levels import ServiceLevels
from reports import formats
from reports.charts.service import (
    credits_chart,
    funnel_counts,
    kpi_trend_chart,
    porting_funnel_chart,
    porting_reasons_chart,
    rio_reasons_chart,
    statistic_text,
    value_text,
)
from reports.review import AMBER_MISS, kpi_status
from reports.review import value_text as review_value_text
from scenarios.overlay import merge
from scoring.errors import redact
from ui import api
from ui.common import chart, lang, number, percent, show_errors, tr
from ui.state import RIO_APPLIED, SERVICE_SECOND, whatif_scenario
from ui.whatif_page import apply_scenario

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DELTA_COLORS = {"green": "green", "amber": "orange", "red": "red", "none": "gray"}
_LINE_HINTS = ("line", "ligne", "msisdn", "numéro", "numero", "number", "phone", "tél", "tel")


# --------------------------------------------------------------------------- helpers


def _money(x: float, sl: ServiceLevels) -> str:
    return formats.money(x, lang(), currency=sl.currency, decimals=2)


def _columns(n: int) -> list:
    """One column per contract shown (one contract: the page itself)."""
    return [st.container()] if n == 1 else list(st.columns(n, gap="large"))


# --------------------------------------------------------------------------- sections


def kpi_cards(sl: ServiceLevels, period: str, per_row: int = 3) -> None:
    """One card per KPI of ``period``, ``per_row`` a row: its value (a percent for a share,
    else the number in the unit its target states), its status (coloured) and target."""
    language = lang()
    kpis = [k for k in sl.kpis if k.period == period]
    per_row = min(per_row, max(1, len(kpis)))
    for start in range(0, len(kpis), per_row):
        cells = st.columns(per_row)
        for cell, k in zip(cells, kpis[start:start + per_row]):
            status = kpi_status(k)
            cell.metric(k.name, review_value_text(k.value, k, language), delta=tr(f"review.status.{status}"),
                        delta_color=DELTA_COLORS[status], delta_arrow="off", border=True,
                        delta_description=tr("svc.card.vs", target=value_text(k.target, k, language)),
                        help=f"{statistic_text(k, language)} — " + tr(
                            "svc.card.target", target=value_text(k.target, k, language), n=number(k.n, 0),
                            open=number(k.open, 0)))


def kpi_table(sl: ServiceLevels, period: str) -> pd.DataFrame:
    """The cards' figures as a table (value, target, status, miss, credit due) for ``period``."""
    language = lang()
    return pd.DataFrame([{
        tr("sla.col.kpi"): k.name, tr("sla.col.value"): value_text(k.value, k, language),
        tr("sla.col.target"): value_text(k.target, k, language),
        tr("sla.col.status"): tr(f"review.status.{kpi_status(k)}"),
        tr("sla.col.n"): number(k.n, 0), tr("sla.col.open"): number(k.open, 0),
        tr("sla.col.miss"): "—" if k.miss is None else percent(k.miss, 1),
        tr("sla.col.credit"): _money(k.credit_due, sl)} for k in sl.kpis if k.period == period])


def credits_table(sl: ServiceLevels) -> pd.DataFrame:
    """Per period: billed subscriptions (the base), credit due (capped), capped, received,
    still due; and the total row."""
    rows = [{tr("sla.col.period"): p, tr("sla.col.base"): _money(c.base, sl), tr("sla.col.credit"): _money(c.credit_due, sl),
             tr("sla.col.capped"): tr("sla.yes" if c.capped else "sla.no"),
             tr("sla.col.received"): _money(c.credit_received, sl),
             tr("sla.col.balance"): _money(c.credit_due - c.credit_received, sl)}
            for p, c in ((p, sl.by_period[p]) for p in sl.periods)]
    credits = [sl.by_period[p] for p in sl.periods]
    due, received = sum(c.credit_due for c in credits), sum(c.credit_received for c in credits)
    rows.append({tr("sla.col.period"): tr("sla.total"), tr("sla.col.base"): _money(sum(c.base for c in credits), sl),
                 tr("sla.col.credit"): _money(due, sl), tr("sla.col.capped"): "",
                 tr("sla.col.received"): _money(received, sl), tr("sla.col.balance"): _money(due - received, sl)})
    return pd.DataFrame(rows)


def porting_table(sl: ServiceLevels) -> pd.DataFrame:
    """Port requests per period: requested, eligible, ported, rejected, lost, pending."""
    rows = [{tr("sla.col.period"): p.period, tr("svc.col.requested"): p.requested,
             tr("svc.col.eligible"): p.requested - p.rejected, tr("svc.col.ported"): p.ported,
             tr("svc.col.rejected"): p.rejected, tr("svc.col.lost"): p.lost, tr("svc.col.pending"): p.pending}
            for p in sl.porting]
    requested, eligible, ported = funnel_counts(sl)
    rows.append({tr("sla.col.period"): tr("sla.total"), tr("svc.col.requested"): requested,
                 tr("svc.col.eligible"): eligible, tr("svc.col.ported"): ported,
                 tr("svc.col.rejected"): sum(p.rejected for p in sl.porting),
                 tr("svc.col.lost"): sum(p.lost for p in sl.porting),
                 tr("svc.col.pending"): sum(p.pending for p in sl.porting)})
    return pd.DataFrame(rows)


def actions_table(sl: ServiceLevels, today: dt.date) -> pd.DataFrame:
    """The action log: open actions first — those overdue on ``today`` at the top, the
    longest overdue first, as the review minutes list them —, then the others open by due
    date, then those done."""

    def overdue(a) -> int:
        return max(0, (today - a.due).days) if a.status == "open" and a.due is not None else 0

    actions = sorted(sl.actions, key=lambda a: (a.status != "open", overdue(a) == 0, a.due or dt.date.max, a.id))
    return pd.DataFrame([{
        tr("svc.col.state"): tr("review.overdue", days=number(overdue(a), 0)) if overdue(a)
        else tr(f"svc.action.{'open' if a.status == 'open' else 'done'}"),
        tr("svc.col.due"): a.due.isoformat() if a.due else "—", tr("svc.col.id"): a.id,
        tr("svc.col.action"): redact(a.text), tr("svc.col.owner"): redact(a.owner or "—")} for a in actions])


def _guess(options: list[str], role: str) -> int:
    lowered = [o.lower() for o in options]
    if role == "rio":
        return next((i for i, o in enumerate(lowered) if "rio" in o), min(1, len(options) - 1))
    return next((i for i, o in enumerate(lowered) if "rio" not in o and any(h in o for h in _LINE_HINTS)), 0)


def rio_table(check: RioCheck) -> pd.DataFrame:
    """At most `monitoring.api.SHOWN` rows, those that cannot be ported first, then by row."""
    rank = {"invalid": 0, "warning": 1, "ok": 2}
    lines = sorted(check.lines, key=lambda x: (rank[x.status], x.row))[:SHOWN]
    return pd.DataFrame([{tr("rio.col.row"): x.row, tr("rio.col.line"): x.line or "—",
                          tr("rio.col.status"): tr(f"rio.status.{x.status}"),
                          tr("rio.col.reasons"): "; ".join(tr(f"rio.reason.{r}") for r in x.reasons) or "—"}
                         for x in lines])


def rio_check(key: str, contract: ContractFiles | None) -> RioCheck | None:
    """The RIO check of an uploaded list (CSV or .xlsx, the two columns chosen), against the
    inventory of ``contract`` (None: none); shown (counts, reasons, rows) and returned, None
    without an upload or when the list cannot be read (its errors shown in the error table)."""
    upload = st.file_uploader(tr("svc.rio.upload"), type=["csv", "xlsx"], key=f"{key}_upload",
                              help=tr("svc.rio.upload_help"))
    if upload is None:
        return None
    data, name = upload.getvalue(), upload.name
    options = list(api.rio_headers_of(data, name)) or list(DEFAULT_COLUMNS.values())
    left, right = st.columns(2)
    line = left.selectbox(tr("svc.rio.col_line"), options, index=_guess(options, "line"), key=f"{key}_line",
                          format_func=redact)
    rio = right.selectbox(tr("svc.rio.col_rio"), options, index=_guess(options, "rio"), key=f"{key}_rio",
                          format_func=redact)
    outcome = api.rio_check_of(data, name, {"line": line, "rio": rio}, contract)
    if not outcome.ok:
        show_errors(outcome.problems, "svc.rio.errors")
        return None
    check = outcome.value
    st.caption(tr("svc.rio.inventory", name=contract.name) if contract is not None else tr("svc.rio.no_inventory"))
    status = check.by_status()
    cols = st.columns(5)
    cols[0].metric(tr("svc.rio.m.rows"), number(len(check.lines), 0))
    for col, s in zip(cols[1:4], ("ok", "warning", "invalid")):
        col.metric(tr(f"rio.status.{s}"), number(status[s], 0))
    share = check.rejected_share
    cols[4].metric(tr("svc.rio.m.rejected"), "—" if share is None else percent(share, 1))
    chart(rio_reasons_chart(check, lang()), key=f"{key}_reasons")
    st.dataframe(rio_table(check), hide_index=True, width="stretch")
    if len(check.lines) > SHOWN:
        st.caption(tr("audit.shown", shown=number(SHOWN, 0), total=number(len(check.lines), 0)))
    return check


def review_downloads(src: ContractFiles, sl: ServiceLevels, period: str, key: str) -> None:
    """The quarterly review minutes of ``period`` (PDF, DOCX), built when asked."""
    language = lang()
    left, right = st.columns(2)
    left.download_button(tr("svc.dl.pdf"), data=lambda: api.review_bytes(src, period, language, "pdf"),
                         file_name=f"review-{period}.pdf", mime="application/pdf", key=f"{key}_pdf", on_click="ignore")
    right.download_button(tr("svc.dl.docx"), data=lambda: api.review_bytes(src, period, language, "docx"),
                          file_name=f"review-{period}.docx", mime=DOCX, key=f"{key}_docx", on_click="ignore")


# --------------------------------------------------------------------------- before the switch


def use_porting_scenario(ev, scenario: dict) -> None:
    """Apply ``scenario`` (`monitoring.rio.porting_scenario`: the measured rejection share as
    ``switching.porting_failure_rate``) to the What-if page's settings, kept as they are
    otherwise: the current settings merged with it, applied as the What-if page applies a
    scenario file (`ui.whatif_page.apply_scenario`; its porting slider widens to the rate)."""
    apply_scenario(ev, merge(whatif_scenario() or {}, scenario))
    st.session_state[RIO_APPLIED] = scenario


def porting_check(ev) -> None:
    """The Switching page's RIO check of the buyer's line list (no contract inventory yet),
    and the button that makes its measured rejection share the What-if porting failure rate."""
    st.subheader(tr("svc.h.rio"))
    st.caption(tr("svc.rio.switch_intro"))
    check = rio_check("switch_rio", None)
    if check is None or check.rejected_share is None:
        return
    if ev.tender.spec.switching is None:
        st.info(tr("svc.rio.no_switching"))
        return
    scenario = porting_scenario(check, tr("svc.rio.scenario", file=check.file),
                                tr("svc.rio.scenario_note", rows=number(len(check.lines), 0)))
    share = percent(check.rejected_share, 1)
    st.button(tr("svc.rio.use", share=share), key="switch_rio_use", help=tr("svc.rio.use_help"),
              on_click=use_porting_scenario, args=(ev, scenario), type="primary")
    if st.session_state.get(RIO_APPLIED) == scenario:
        st.success(tr("svc.rio.applied", share=share))


# --------------------------------------------------------------------------- the page


def _second_choice(first: ContractFiles) -> ContractFiles | None:
    """A second bundled contract beside the one in use, when there is another to pick."""
    others = [f.name for f in bundled_contracts() if first.folder is None or f.resolve() != first.folder.resolve()]
    if not others:
        return None
    if st.session_state.get(SERVICE_SECOND) not in ("", *others):
        st.session_state.pop(SERVICE_SECOND, None)
    picked = st.selectbox(tr("svc.second"), ["", *others], key=SERVICE_SECOND, help=tr("svc.second_help"),
                          format_func=lambda n: f"contracts/{n}" if n else "—")
    return api.bundled_contract(picked) if picked else None


def render() -> None:
    st.title(tr("page.service"))
    first = api.contract_source()
    if first is None:
        st.info(tr("svc.no_contract"))
        st.stop()
    second = _second_choice(first)
    sources = [first] if second is None else [first, second]
    views: list[tuple[ContractFiles, ServiceLevels]] = []
    failed = False
    for where, src in zip(_columns(len(sources)), sources):
        outcome = api.service_levels_of(src)
        if not outcome.ok:
            with where:
                st.markdown(f"**{src.name}**")
                show_errors(outcome.problems, "svc.errors")
            failed = True
            continue
        views.append((src, outcome.value))
    if failed or not views:
        st.stop()
    language, today = lang(), dt.date.today()
    periods = sorted({p for _, sl in views for p in sl.periods})
    if not periods:
        st.info(tr("svc.no_period"))
        st.stop()
    n = len(views)

    for where, (src, sl) in zip(_columns(n), views):
        with where:
            kind = tr(f"sla.kind.{sl.period_kind}")
            st.markdown(tr("svc.using", name=src.name, operator=sl.operator, first=sl.periods[0] if sl.periods else "—",
                           last=sl.periods[-1] if sl.periods else "—", kind=kind))
    st.caption(tr("svc.intro", currency=views[0][1].currency))
    period = st.selectbox(tr("svc.period"), periods, index=len(periods) - 1, key="service_period")

    st.subheader(tr("svc.h.kpis", period=period))
    for where, (_, sl) in zip(_columns(n), views):
        with where:
            if n > 1:
                st.markdown(f"**{sl.operator}**")
            if period not in sl.periods:
                st.info(tr("svc.no_period"))
                continue
            kpi_cards(sl, period, 3 if n == 1 else 2)
            with st.expander(tr("sla.text.kpis")):
                st.dataframe(kpi_table(sl, period), hide_index=True, width="stretch")
    st.caption(tr("review.status.rule", amber=percent(AMBER_MISS, 0)))

    st.subheader(tr("svc.h.trends"))
    for i, (where, (_, sl)) in enumerate(zip(_columns(n), views)):
        with where:
            ids = list(dict.fromkeys(k.id for k in sl.kpis))
            names = {k.id: k.name for k in sl.kpis}
            picked = st.multiselect(tr("svc.trend_pick"), ids, default=ids, format_func=names.get, key=f"service_trend_{i}")
            per_row = 2 if n == 1 else 1
            for start in range(0, len(picked), per_row):
                for cell, kpi_id in zip(st.columns(per_row), picked[start:start + per_row]):
                    results = sl.kpi(kpi_id)
                    chart(kpi_trend_chart(results, [kpi_status(k) for k in results], language),
                          key=f"service_trend_{i}_{kpi_id}", where=cell)

    st.subheader(tr("svc.h.credits"))
    for i, (where, (_, sl)) in enumerate(zip(_columns(n), views)):
        with where:
            chart(credits_chart(sl, language), key=f"service_credits_{i}")
            cap = sl.credit_cap_percent
            st.caption(tr("svc.credits_note", cap=percent(cap / 100, 1)) if cap is not None
                       else tr("svc.credits_note_nocap"))
            st.dataframe(credits_table(sl), hide_index=True, width="stretch")

    st.subheader(tr("svc.h.porting"))
    for i, (where, (_, sl)) in enumerate(zip(_columns(n), views)):
        with where:
            if not sl.porting:
                st.info(tr("svc.no_ports"))
                continue
            left, right = st.columns(2) if n == 1 else (st.container(), st.container())
            chart(porting_funnel_chart(sl, language), key=f"service_funnel_{i}", where=left)
            chart(porting_reasons_chart(sl, language), key=f"service_reasons_{i}", where=right)
            st.caption(tr("svc.funnel_note"))
            st.dataframe(porting_table(sl), hide_index=True, width="stretch")

    st.subheader(tr("svc.h.rio"))
    rio_check("service_rio", first)

    st.subheader(tr("svc.h.actions"))
    for where, (_, sl) in zip(_columns(n), views):
        with where:
            if not sl.actions:
                st.info(tr("svc.no_actions"))
                continue
            st.caption(tr("svc.actions_note", date=today.isoformat()))
            st.dataframe(actions_table(sl, today), hide_index=True, width="stretch")

    st.subheader(tr("svc.h.review"))
    for i, (where, (src, sl)) in enumerate(zip(_columns(n), views)):
        with where:
            if period in sl.periods:
                review_downloads(src, sl, period, f"service_review_{i}")
