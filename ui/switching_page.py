"""Switching page: stay vs switch, the switching cost part by part, and porting risk; the RIO
check of the lines to port, its rejection share as a what-if (`ui.service_page.porting_check`)."""

from __future__ import annotations

import streamlit as st

from reports import charts
from ui import api
from ui.common import bid_name, chart, evaluation_or_stop, lang, money, tr
from ui.service_page import porting_check


def render() -> None:
    ev = evaluation_or_stop()
    st.title(tr("page.switching"))
    sos = api.stay_or_switch_of(ev)
    if not sos.challengers:
        st.info(tr("switch.none", note=sos.note or "—"))
        return
    st.caption(tr("switch.intro", incumbent=bid_name(ev, sos.incumbent)))
    for c in sos.challengers:
        saving = money(c.cumulative_saving[-1])
        ko = "" if ev.ranking.compliant[c.id] else f" ({tr('knocked_out')})"
        if c.break_even_month:
            st.markdown("- " + tr("switch.break_even", bid=bid_name(ev, c.id), month=c.break_even_month, saving=saving)
                        + ko)
        else:
            st.markdown("- " + tr("switch.never", bid=bid_name(ev, c.id), saving=saving) + ko)
    chart(charts.cumulative_chart(sos, ev, lang()), "cumulative_chart")
    left, right = st.columns(2)
    with left:
        ids = [c.id for c in sos.challengers]
        chosen = st.selectbox(tr("switch.challenger"), ids, format_func=lambda b: bid_name(ev, b), key="waterfall_bid",
                              index=ids.index(ev.winner) if ev.winner in ids else 0)
        challenger = next(c for c in sos.challengers if c.id == chosen)
        chart(charts.waterfall_chart(challenger, lang(), ev=ev), "waterfall_chart", left)
    with right:
        chart(charts.porting_risk_chart(sos, ev, lang()), "porting_chart", right)
    porting_check(ev)  # the RIO check of the lines to port, its rejection share as a what-if
