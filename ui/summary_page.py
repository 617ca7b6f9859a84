"""Decision summary for management: the winner, its margin, the saving against staying,
the risks in plain sentences, and the three charts that matter — on one screen."""

from __future__ import annotations

import streamlit as st

from reports import charts
from reports.render import charts_note
from reports.risks import risks
from ui import api
from ui.common import bid_name, chart, evaluation_or_stop, lang, money, number, tr


def render() -> None:
    ev = evaluation_or_stop()
    st.title(tr("page.summary"))
    st.download_button(tr("download.report"), data=lambda: api.report_bytes(ev, lang()), file_name="report.pdf",
                       mime="application/pdf", key="download_pdf", on_click="ignore")
    if note := charts_note(lang()):  # without chromium the PDF has tables only: say so before it is made
        st.caption(note)
    sos = api.stay_or_switch_of(ev)
    sens = api.sensitivity_of(ev, "baseline")
    if ev.winner is None:
        st.error(tr("summary.no_winner"))
    else:
        st.success(tr("summary.winner", winner=bid_name(ev, ev.winner)))
        cols = st.columns(4)
        cols[0].metric(tr("summary.score"), number(ev.ranking.total[ev.winner]))
        if ev.explanation.runner_up:
            cols[1].metric(tr("summary.margin", runner=bid_name(ev, ev.explanation.runner_up)),
                           number(ev.explanation.margin))
        cols[2].metric(tr("summary.tco"), money(ev.figures[ev.winner].tco))
        incumbent = ev.tender.spec.incumbent
        if incumbent and incumbent != ev.winner and incumbent in ev.costs.bids and ev.costs.costed(incumbent):
            saving = ev.figures[incumbent].tco - ev.figures[ev.winner].tco
            cols[3].metric(tr("summary.saving", incumbent=bid_name(ev, incumbent)), money(saving))
    # Risks first, beside the ranking: what a manager must read fits the first screen.
    top_left, top_right = st.columns(2)
    with top_left:
        st.subheader(tr("summary.risks"))
        st.markdown("\n".join(f"- {r}" for r in risks(ev, sos, sens, lang())) or tr("risk.none"))
    chart(charts.ranking_chart(ev, lang()), "summary_ranking", top_right)
    bottom_left, bottom_right = st.columns(2)
    if sos.challengers:
        chart(charts.cumulative_chart(sos, ev, lang()), "summary_cumulative", bottom_left)
    chart(charts.breakdown_chart(ev, lang()), "summary_breakdown", bottom_right)
