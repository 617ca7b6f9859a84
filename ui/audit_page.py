"""Invoice audit page (docs/app.md §5c, docs/invoice-audit.md): the operator's invoices audited
against the awarded bid — totals billed, expected and to claim, the claims by category, by
month and by deadline, the invoice re-split per entity, the billing accuracy of each month,
unused lines as savings, and the claim workbook and letter to send.

The contract is a bundled folder (``contracts/*/``) or an uploaded zip
(`monitoring.api.ContractFiles`); everything shown is asked of `ui.api` (the audit and its
aggregates cached per contract digest). Only aggregates and at most `monitoring.api.SHOWN`
claims and unused lines reach the browser, lines by pseudonym.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from monitoring.api import ContractFiles, bundled_contracts
from monitoring.audit import UNASSIGNED
from reports import formats
from reports.charts.audit import accuracy_chart, claims_by_category_chart, claims_by_month_chart, entity_chart
from reports.claims import category_label, charge_label, component_label, line_label
from scenarios.api import Outcome
from ui import api
from ui.common import chart, lang, number, percent, show_errors, tr
from ui.state import AUDIT_BUNDLED, AUDIT_SOURCE, AUDIT_UPLOAD, AUDIT_UPLOAD_PROBLEMS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _on_upload() -> None:
    upload = st.session_state.get(AUDIT_UPLOAD)
    if upload is None:
        return
    read = Outcome.of(ContractFiles.of_uploads, upload.getvalue(), upload.name)
    if not read.ok:
        st.session_state[AUDIT_UPLOAD_PROBLEMS] = read.problems
        return
    st.session_state.pop(AUDIT_UPLOAD_PROBLEMS, None)
    api.use_contract(read.value)


def _back_to_bundled() -> None:
    api.use_contract(None)
    st.session_state.pop(AUDIT_UPLOAD_PROBLEMS, None)


def _source() -> None:
    """Where the contract comes from: a bundled folder (a choice when there are several) or a zip."""
    folders = [f.name for f in bundled_contracts()]
    left, right = st.columns(2)
    with left:
        if st.session_state.get(AUDIT_SOURCE) is not None:
            st.button(tr("audit.back"), key="audit_back", on_click=_back_to_bundled, disabled=not folders)
        elif len(folders) > 1:
            st.selectbox(tr("audit.bundled"), folders, key=AUDIT_BUNDLED)
        elif folders:
            st.caption(f"{tr('audit.bundled')}: contracts/{folders[0]}")
        else:
            st.info(tr("audit.no_bundled"))
    with right:
        st.file_uploader(tr("audit.upload"), type=["zip"], key=AUDIT_UPLOAD, on_change=_on_upload,
                         help=tr("audit.upload_help"))
    if st.session_state.get(AUDIT_UPLOAD_PROBLEMS):
        show_errors(st.session_state[AUDIT_UPLOAD_PROBLEMS], "audit.upload_errors")


def _money(x: float, currency: str, decimals: int = 2) -> str:
    return formats.money(x, lang(), currency=currency, decimals=decimals)


def claims_table(claims, currency: str) -> pd.DataFrame:
    """The claims shown, nearest deadline first, numbered as in the claim workbook."""
    language = lang()
    rows = []
    for n, f in enumerate(claims, 1):
        component = component_label(f, language)
        rows.append({
            tr("claims.col.no"): str(n), tr("claims.col.deadline"): f.deadline, tr("claims.col.period"): f.period,
            tr("claims.col.category"): category_label(f.category, language),
            tr("claims.col.line"): line_label(f, language),
            tr("claims.col.charge"): charge_label(f, language) + (f" — {component}" if component else ""),
            tr("claims.col.billed"): _money(f.billed, currency), tr("claims.col.expected"): _money(f.expected, currency),
            tr("claims.col.claimed"): _money(f.difference, currency), tr("claims.col.invoice"): f.invoice,
            tr("claims.col.evidence"): ", ".join(f.rows) or tr("claims.no_row")})
    return pd.DataFrame(rows)


def deadlines_table(totals, currency: str) -> pd.DataFrame:
    """Σ claimed per deadline, nearest first, with the invoices each covers and a total row."""
    rows = [{tr("claims.col.deadline"): d, tr("claims.col.invoices"): ", ".join(totals.invoices_by_deadline[d]),
             tr("claims.col.count"): number(tot.count, 0), tr("claims.col.claimed"): _money(tot.amount, currency)}
            for d, tot in totals.by_deadline.items()]
    rows.append({tr("claims.col.deadline"): tr("claims.total"), tr("claims.col.invoices"): "",
                 tr("claims.col.count"): number(totals.count, 0), tr("claims.col.claimed"): _money(totals.amount, currency)})
    return pd.DataFrame(rows)


def entity_table(summary, billed: float, expected: float, currency: str) -> pd.DataFrame:
    """The invoice re-split per entity with its total row (the audit's billed and expected)."""
    frame = summary.by_entity
    rows = [{tr("audit.col.entity"): tr("audit.unassigned") if e == UNASSIGNED else name,
             tr("claims.col.billed"): _money(b, currency), tr("claims.col.expected"): _money(x, currency),
             tr("audit.col.difference"): _money(b - x, currency)}
            for e, name, b, x in zip(frame["entity"], frame["name"], frame["billed"], frame["expected"])]
    rows.append({tr("audit.col.entity"): tr("claims.total"), tr("claims.col.billed"): _money(billed, currency),
                 tr("claims.col.expected"): _money(expected, currency),
                 tr("audit.col.difference"): _money(billed - expected, currency)})
    return pd.DataFrame(rows)


def unused_table(summary, currency: str) -> pd.DataFrame:
    return pd.DataFrame([{tr("claims.col.line"): u.line, tr("audit.col.entity"): summary.entity_names.get(u.entity, u.entity),
                          tr("audit.col.profile"): summary.profile_names.get(u.profile, u.profile),
                          tr("audit.col.months"): number(u.months, 0), tr("audit.col.monthly_cost"): _money(u.monthly_cost, currency)}
                         for u in summary.unused])


def render() -> None:
    st.title(tr("page.audit"))
    _source()
    outcome = api.contract_audit()
    if outcome is None:
        st.stop()
    if not outcome.ok:
        show_errors(outcome.problems, "audit.errors")
        st.stop()
    result = outcome.value
    a, language = result.audit, lang()
    cur = a.currency
    formats.set_amounts_locale(result.contract.tender.spec.locale)  # this run's amounts in the tender's locale
    summary = api.audit_summary(result)
    claims, totals = api.audit_claims(result)
    first, last = (a.periods[0], a.periods[-1]) if a.periods else ("—", "—")
    st.markdown(tr("audit.using", name=api.contract_source().name, operator=a.operator, first=first, last=last))
    st.caption(tr("audit.intro", currency=cur))

    cols = st.columns(5)
    cols[0].metric(tr("audit.m.billed"), _money(a.billed, cur))
    cols[1].metric(tr("audit.m.expected"), _money(a.expected, cur))
    cols[2].metric(tr("audit.m.claimed"), _money(a.claimed, cur), help=tr("audit.m.claims", n=number(totals.count, 0)))
    cols[3].metric(tr("audit.m.accuracy"), percent(a.billing_accuracy, 1), help=tr("audit.m.accuracy_help"))
    if totals.by_deadline:
        nearest = next(iter(totals.by_deadline))
        cols[4].metric(tr("audit.m.next"), nearest, help=_money(totals.by_deadline[nearest].amount, cur))

    st.subheader(tr("audit.h.downloads"))
    left, right = st.columns(2)
    left.download_button(tr("audit.dl.workbook"), data=lambda: api.claims_workbook_bytes(result, language),
                         file_name="claims.xlsx", mime=XLSX, key="download_claims_xlsx", on_click="ignore",
                         disabled=not totals.count)
    right.download_button(tr("audit.dl.letter"), data=lambda: api.claims_letter_bytes(result, language),
                          file_name="claims.pdf", mime="application/pdf", key="download_claims_pdf", on_click="ignore",
                          disabled=not totals.count)

    st.subheader(tr("audit.h.claims"))
    if not totals.count:
        st.success(tr("audit.no_claims"))
    else:
        left, right = st.columns(2)
        chart(claims_by_category_chart(totals, language, cur), key="audit_by_category", where=left)
        chart(claims_by_month_chart(totals, a.periods, language, cur), key="audit_by_month", where=right)
        st.subheader(tr("audit.h.deadlines"))
        st.caption(tr("audit.deadline_rule"))
        st.dataframe(deadlines_table(totals, cur), hide_index=True, width="stretch")
        st.dataframe(claims_table(claims, cur), hide_index=True, width="stretch")
        if totals.count > len(claims):
            st.caption(tr("audit.shown", shown=number(len(claims), 0), total=number(totals.count, 0)))

    st.subheader(tr("audit.h.entities"))
    chart(entity_chart(summary, language, cur), key="audit_entities")
    st.caption(tr("audit.entities_note"))
    st.dataframe(entity_table(summary, a.billed, a.expected, cur), hide_index=True, width="stretch")

    st.subheader(tr("audit.h.accuracy"))
    chart(accuracy_chart(summary, a.billing_accuracy, language), key="audit_accuracy")

    st.subheader(tr("audit.h.unused"))
    months = result.contract.spec.unused_months
    st.caption(tr("audit.unused_note", months=months))
    if not summary.n_unused:
        st.write(tr("audit.no_unused"))
        return
    left, right = st.columns(2)
    left.metric(tr("audit.unused_lines"), number(summary.n_unused, 0))
    right.metric(tr("audit.unused_saving"), _money(summary.unused_monthly, cur))
    st.dataframe(unused_table(summary, cur), hide_index=True, width="stretch")
    if summary.n_unused > len(summary.unused):
        st.caption(tr("audit.unused_shown", shown=number(len(summary.unused), 0), total=number(summary.n_unused, 0)))
