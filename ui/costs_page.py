"""Costs page: annual and monthly cost, by component, by entity and by profile."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring.cost import COMPONENTS
from ui import figures, i18n
from ui.common import bid_name, chart, evaluation_or_stop, lang, money, tr


def component_table(ev) -> pd.DataFrame:
    costed = [b for b in ev.costs.bids if ev.costs.costed(b)]
    by = ev.costs.by_component()
    rows = {i18n.t(f"component.{c}", lang()): [money(by[ev.costs.index(b), k], 0) for b in costed]
            for k, c in enumerate(COMPONENTS)}
    rows[tr("row.tco")] = [money(ev.figures[b].tco, 0) for b in costed]
    return pd.DataFrame(rows, index=[bid_name(ev, b) for b in costed]).T


def entity_table(ev) -> pd.DataFrame:
    costed = [b for b in ev.costs.bids if ev.costs.costed(b)]
    names = {e.id: e.name or e.id for e in ev.tender.spec.entities}
    by = ev.costs.by_entity()
    rows = {names[e]: [money(by[ev.costs.index(b), k], 0) for b in costed] for k, e in enumerate(ev.costs.fleet.entities)}
    rows[tr("row.tco")] = [money(ev.figures[b].tco, 0) for b in costed]
    return pd.DataFrame(rows, index=[bid_name(ev, b) for b in costed]).T


def render() -> None:
    ev = evaluation_or_stop()
    st.title(tr("page.costs"))
    st.caption(tr("costs.reconciles"))
    left, right = st.columns(2)
    chart(figures.annual_chart(ev, lang()), "annual_chart", left)
    chart(figures.monthly_chart(ev, lang()), "monthly_chart", right)
    st.subheader(tr("costs.by_component"))
    st.dataframe(component_table(ev), width="stretch")
    left, right = st.columns(2)
    with left:
        chart(figures.entity_chart(ev, lang()), "entity_chart", left)
        st.caption(tr("costs.by_entity"))
        st.dataframe(entity_table(ev), width="stretch")
    with right:
        chart(figures.profile_chart(ev, lang()), "profile_chart", right)
