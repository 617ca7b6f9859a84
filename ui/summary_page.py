"""Decision summary for management: the winner, its margin, the saving against staying,
the risks in plain sentences, and the three charts that matter — on one screen."""

from __future__ import annotations

import streamlit as st

from scoring.switching import initial_lines
from ui import api, figures
from ui.common import bid_name, chart, criterion_name, evaluation_or_stop, lang, money, number, percent, tr


def risks(ev, sos, sens) -> list[str]:
    """The risks worth a manager's attention, as sentences (all from the model)."""
    out = []
    spec = ev.tender.spec
    for b in ev.costs.bids:
        for reason in ev.knockouts(b):
            out.append(tr("risk.knockout", bid=bid_name(ev, b), reason=reason))
        if "abnormally_low" in ev.ranking.flags[b]:
            out.append(tr("risk.abnormally_low", bid=bid_name(ev, b), pct=percent(spec.evaluation.abnormally_low)))
        if "expired" in ev.ranking.flags[b]:
            out.append(tr("risk.expired", bid=bid_name(ev, b)))
    for left_out, other in ev.explanation.reversals.items():
        out.append(tr("risk.reversal", left_out=bid_name(ev, left_out), other=bid_name(ev, other)))
    winner = ev.winner
    challenger = next((c for c in sos.challengers if c.id == winner), None)
    if challenger is not None:
        if challenger.break_even_month:
            out.append(tr("risk.break_even", winner=bid_name(ev, winner), month=challenger.break_even_month,
                          term=spec.term_months))
        else:
            out.append(tr("risk.no_break_even", winner=bid_name(ev, winner)))
        s = spec.switching
        if s is not None and s.porting_failure_rate < 0.10 and s.lost_number_eur > 0:
            extra = s.port_share * initial_lines(ev.tender) * (0.10 - s.porting_failure_rate) * s.lost_number_eur
            out.append(tr("risk.porting", winner=bid_name(ev, winner), extra=money(extra)))
    price = next((w for w in sens.weights if w["weight"] == "price"), None)
    if price and price["stable_from"] is not None:
        out.append(tr("risk.weights", lo=number(price["stable_from"], 1), hi=number(price["stable_to"], 1),
                      w=number(price["stated"], 0)))
    if sens.tornado:
        top = sens.tornado[0]
        driver = top["driver"]
        if driver.startswith("prices: "):
            driver = f"{bid_name(ev, driver[8:])} ({'prices' if lang() == 'en' else 'prix'})"
        fmt = lambda m: "—" if m is None else number(m)  # noqa: E731
        out.append(tr("risk.driver", driver=driver, lo=fmt(top["low"]["margin"]), hi=fmt(top["high"]["margin"])))
    for b in ev.costs.bids:
        for cid, res in ev.criteria.results[b].items():
            if res.discrepancy and res.moderation is None:
                out.append(tr("risk.discrepancy", criterion=criterion_name(ev, cid), bid=bid_name(ev, b)))
    return out


def render() -> None:
    ev = evaluation_or_stop()
    st.title(tr("page.summary"))
    st.download_button(tr("download.report"), data=lambda: api.report_bytes(ev, lang()), file_name="report.pdf",
                       mime="application/pdf", key="download_pdf", on_click="ignore")
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
    top_left, top_right = st.columns(2)
    chart(figures.ranking_chart(ev, lang()), "summary_ranking", top_left)
    if sos.challengers:
        chart(figures.cumulative_chart(sos, ev, lang()), "summary_cumulative", top_right)
    bottom_left, bottom_right = st.columns(2)
    with bottom_left:
        st.subheader(tr("summary.risks"))
        st.markdown("\n".join(f"- {r}" for r in risks(ev, sos, sens)) or tr("risk.none"))
    chart(figures.breakdown_chart(ev, lang()), "summary_breakdown", bottom_right)
