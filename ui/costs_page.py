"""Costs page: annual and monthly cost, by component, by entity and by profile; the most
expensive lines when the evaluation is on the billing export's lines."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from reports import charts
from reports.text import t
from scenarios.api import LineCostView, on_lines
from scoring.cost import COMPONENTS
from ui import api
from ui.common import bid_name, chart, evaluation_or_stop, lang, money, number, percent, show_errors, tr
from ui.state import whatif_name, whatif_scenario


def component_table(ev) -> pd.DataFrame:
    costed = [b for b in ev.costs.bids if ev.costs.costed(b)]
    by = ev.costs.by_component()
    rows = {t(f"component.{c}", lang()): [money(by[ev.costs.index(b), k], 0) for b in costed]
            for k, c in enumerate(COMPONENTS) if c in ev.costs.components}
    rows[tr("row.tco")] = [money(ev.figures[b].tco, 0) for b in costed]
    return pd.DataFrame(rows, index=[bid_name(ev, b) for b in costed]).T


def entity_table(ev) -> pd.DataFrame:
    costed = [b for b in ev.costs.bids if ev.costs.costed(b)]
    names = {e.id: e.name or e.id for e in ev.tender.spec.entities}
    by = ev.costs.by_entity()
    rows = {names[e]: [money(by[ev.costs.index(b), k], 0) for b in costed] for k, e in enumerate(ev.costs.fleet.entities)}
    rows[tr("row.tco")] = [money(ev.figures[b].tco, 0) for b in costed]
    return pd.DataFrame(rows, index=[bid_name(ev, b) for b in costed]).T


def lines_table(ev, view: LineCostView) -> pd.DataFrame:
    """The most expensive lines, by pseudonym, with profile and entity names and money."""
    profiles = {p.id: p.name or p.id for p in ev.tender.spec.profiles}
    entities = {e.id: e.name or e.id for e in ev.tender.spec.entities}
    top = view.top
    return pd.DataFrame({
        tr("lines.col.line"): list(top["line"]),
        t("label.profile", lang()): [profiles.get(p, p) for p in top["profile"]],
        t("label.entity", lang()): [entities.get(e, e) for e in top["entity"]],
        t("component.subscriptions", lang()): [money(v) for v in top["subscriptions"]],
        t("component.usage", lang()): [money(v) for v in top["usage"]],
        tr("lines.col.pool"): [money(v) for v in top["pool_overage"]],
        t("component.devices", lang()): [money(v) for v in top["devices"]],
        tr("lines.col.total"): [money(v) for v in top["total"]],
    })


def most_expensive_lines(ev) -> None:
    """The most expensive lines under a chosen bid when the evaluation in use is on the billing
    export's lines: the tender as written, else the What-if settings (the only way to cost a
    tender published on profiles line by line); else, with an export, a note on how to get there.
    Only the top lines and a few aggregates come from the cache (`api.line_costs_of`)."""
    scenario = None
    lines_ev = ev if ev.costs.fleet.measured is not None else None
    if lines_ev is None:
        scenario = whatif_scenario()
        if scenario:
            whatif = api.whatif(scenario)
            if not whatif.ok:
                if on_lines(scenario):
                    st.subheader(tr("lines.title"))
                    show_errors(whatif.problems, "lines.errors")
                    return
            elif whatif.value.costs.fleet.measured is not None:
                lines_ev = whatif.value
    if lines_ev is None:
        if ev.tender.spec.usage_file is not None:
            found = api.lines_scenario()
            st.caption(tr("lines.note", name=found[1], file=found[0].split("/")[-1]) if found
                       else tr("lines.note_generic"))
        return
    st.subheader(tr("lines.title"))
    if lines_ev is not ev:
        st.caption(tr("lines.whatif", name=whatif_name(scenario)))
    costed = [b for b in lines_ev.costs.bids if lines_ev.costs.costed(b)]
    if not costed:
        st.caption(t("label.no_data", lang()))
        return
    first = lines_ev.winner if lines_ev.winner in costed else costed[0]
    bid = st.selectbox(tr("lines.bid"), costed, index=costed.index(first), format_func=lambda b: bid_name(lines_ev, b),
                       key="lines_bid")
    view = api.line_costs_of(lines_ev, scenario, bid)
    cols = st.columns(3)
    cols[0].metric(tr("lines.count"), number(view.lines, 0))
    share = {"pct": percent(0.01), "n": tr("lines.n", n=number(view.top_count, 0))}
    cols[1].metric(tr("lines.top_share", **share), percent(view.top_share, 1))
    cols[2].metric(tr("lines.usage_share", **share), percent(view.usage_share, 1))
    st.caption(tr("lines.totals", bid=bid_name(lines_ev, bid), total=money(view.total), usage=money(view.usage_total)))
    st.caption(tr("lines.caption", n=len(view.top), bid=bid_name(lines_ev, bid)))
    st.dataframe(lines_table(lines_ev, view), hide_index=True, width="stretch")


def render() -> None:
    ev = evaluation_or_stop()
    st.title(tr("page.costs"))
    st.caption(tr("costs.reconciles"))
    left, right = st.columns(2)
    chart(charts.annual_chart(ev, lang()), "annual_chart", left)
    chart(charts.monthly_chart(ev, lang()), "monthly_chart", right)
    st.subheader(tr("costs.by_component"))
    st.dataframe(component_table(ev), width="stretch")
    left, right = st.columns(2)
    with left:
        chart(charts.entity_chart(ev, lang()), "entity_chart", left)
        st.caption(tr("costs.by_entity"))
        st.dataframe(entity_table(ev), width="stretch")
    with right:
        chart(charts.profile_chart(ev, lang()), "profile_chart", right)
    most_expensive_lines(ev)
