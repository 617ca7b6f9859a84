"""Charts of the what-if analyses: stay or switch (cumulative cost, waterfall, porting risk),
sensitivity (tornado, weight stability) and Monte Carlo (rank probabilities, TCO ranges)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from scoring.evaluate import Evaluation

from ..formats import money, number, percent
from ..names import SWITCHING_PARTS, driver_label
from ..text import TEXT, t
from .style import (
    DECREASE_COLOR,
    HEIGHT,
    INCREASE_COLOR,
    INK,
    MUTED,
    NOT_COMPLIANT_COLOR,
    RANK_SCALE,
    TOP_N_DRIVERS,
    TORNADO_HIGH,
    TORNADO_LOW,
    TOTAL_COLOR,
    _axis,
    _basis,
    _colors,
    _criterion_names,
    _currency,
    _label,
    _layout,
    _message,
    _money_axis,
    _money_fmt,
    _name,
    _pct_suffix,
    _ramp,
    _swatch,
    _text_color,
    _tint,
    _wrap,
)

# --------------------------------------------------------------------------- stay or switch

WATERFALL_PARTS = SWITCHING_PARTS


def cumulative_chart(sos, ev: Evaluation, lang: str) -> go.Figure:
    """Cumulative cost month by month: staying with the incumbent and moving to each
    challenger, with a dotted line at each challenger's break-even month."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.cumulative", lang)
    if sos.incumbent_cumulative is None:
        return _message(lang, title, t("label.no_incumbent", lang))
    months = np.arange(1, len(sos.incumbent_cumulative) + 1)
    month = t("label.month", lang, month="%{x}")
    fig = go.Figure()
    stay = t("label.stay", lang, name=_name(ev, sos.incumbent))
    fig.add_scatter(name=stay, x=months, y=sos.incumbent_cumulative, mode="lines",
                    line={"color": colors.get(sos.incumbent, INK), "width": 3.5},
                    hovertemplate=f"<b>{stay}</b><br>{month}: {_money_fmt('y', lang, cur)}<extra></extra>")
    never = []
    shown_be = 0
    for ch in sos.challengers:
        name = _label(ev, ch.id, lang)
        color = colors.get(ch.id, MUTED)
        saving = np.asarray(ch.cumulative_saving)
        fig.add_scatter(name=name, x=months, y=ch.cumulative_cost, mode="lines", line={"color": color, "width": 2.2},
                        customdata=saving,
                        hovertemplate=f"<b>{name}</b><br>{month}: {_money_fmt('y', lang, cur)}<extra></extra>")
        m = ch.break_even_month
        if m is None:
            never.append(t("label.no_break_even", lang, name=_name(ev, ch.id)))
            continue
        fig.add_shape(type="line", x0=m, x1=m, y0=0, y1=1, yref="paper", line={"color": color, "width": 1.5,
                                                                                "dash": "dot"})
        fig.add_scatter(x=[m], y=[ch.cumulative_cost[m - 1]], mode="markers", showlegend=False,
                        marker={"color": color, "size": 10, "symbol": "circle", "line": {"color": "white", "width": 1.5}},
                        hovertemplate=f"<b>{t('label.break_even', lang, name=_name(ev, ch.id), month=m)}</b>"
                                      "<extra></extra>")
        fig.add_annotation(x=m, y=1.0 - 0.075 * shown_be, yref="paper", xanchor="left", yanchor="top", xshift=4,
                           text=t("label.break_even_short", lang, month=m), showarrow=False,
                           font={"size": 11, "color": color}, bgcolor="rgba(255,255,255,0.85)")
        shown_be += 1
    if not sos.challengers:
        never.append(t("label.no_challenger", lang))
    _layout(fig, lang, title, subtitle=" · ".join(never) or None, hovermode="closest",
            xaxis=_axis(t("axis.contract_month", lang), range=[0.5, months[-1] + 0.5], showgrid=False,
                        dtick=6 if len(months) > 12 else 1, tick0=0 if len(months) > 12 else 1),
            yaxis=_money_axis(t("axis.cumulative", lang, currency=cur, basis=_basis(ev, lang))))
    return fig


def waterfall_chart(challenger, lang: str, ev: Evaluation | None = None) -> go.Figure:
    """The buyer's switching cost part by part, then the operator's portability terms, then
    the net cost of the move. Pass ``ev`` to name the operator in the title and use the
    tender's currency."""
    cur = _currency(ev)
    title = (t("title.waterfall_to", lang, name=_name(ev, challenger.id)) if ev is not None
             else t("title.waterfall", lang))
    parts = dict(challenger.waterfall)
    terms = float(parts.pop("portability_terms", 0.0))
    order = [k for k in WATERFALL_PARTS if k in parts] + [k for k in parts if k not in WATERFALL_PARTS]
    labels, values, measures = [], [], []
    for k in order:
        key = f"switch.{k}"
        labels.append(t(key, lang) if key in TEXT else k.replace("_", " ").capitalize())
        values.append(float(parts[k]))
        measures.append("relative")
    buyer = float(sum(values))
    labels.append(t("switch.buyer_total", lang))
    values.append(buyer)
    measures.append("total")
    labels += [t("switch.portability_terms", lang), t("switch.total", lang)]
    values += [terms, buyer + terms]
    measures += ["relative", "total"]
    text = [money(v, lang, cur) if m == "total" else ("+" if v > 0 else "") + money(v, lang, cur)
            for v, m in zip(values, measures)]
    fig = go.Figure(go.Waterfall(
        x=[_wrap(x, 16) for x in labels], y=values, measure=measures, text=text, textposition="outside",
        textfont={"size": 12, "color": INK}, cliponaxis=False,
        increasing={"marker": {"color": INCREASE_COLOR}}, decreasing={"marker": {"color": DECREASE_COLOR}},
        totals={"marker": {"color": TOTAL_COLOR}}, connector={"line": {"color": "#9E9E9E", "width": 1, "dash": "dot"}},
        hovertemplate=f"<b>%{{x}}</b><br>{_money_fmt('y', lang, cur)}<extra></extra>", showlegend=False))
    levels, level = [0.0], 0.0
    for v, m in zip(values, measures):
        level = v if m == "total" else level + v
        levels.append(level)
    top, bottom = max(levels), min(levels)
    _layout(fig, lang, title, legend=None,
            xaxis=_axis(t("axis.switching_part", lang), gridcolor="rgba(0,0,0,0)"),
            yaxis=_axis(t("axis.switching", lang, currency=cur, basis=_basis(ev, lang)), tickformat=",.0f",
                        range=[bottom - 0.12 * (top - bottom) if bottom < 0 else 0.0,
                               top + 0.12 * (top - bottom) if top > bottom else 1.0]))
    return fig


def porting_risk_chart(sos, ev: Evaluation, lang: str) -> go.Figure:
    """Each challenger's TCO as the porting failure rate goes from 0 to 20 %, against the
    incumbent's TCO (which does not depend on it)."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.porting_risk", lang)
    if sos.incumbent_cumulative is None:
        return _message(lang, title, t("label.no_incumbent", lang))
    if not sos.challengers:
        return _message(lang, title, t("label.no_challenger", lang))
    suffix = _pct_suffix(lang)
    fig = go.Figure()
    values = []
    for ch in sos.challengers:
        name = _label(ev, ch.id, lang)
        x = [round(100.0 * p["rate"], 9) for p in ch.porting_risk]
        y = [p["tco"] for p in ch.porting_risk]
        values += y
        fig.add_scatter(name=name, x=x, y=y, mode="lines", line={"color": colors.get(ch.id, MUTED), "width": 2.5},
                        hovertemplate=f"<b>{name}</b><br>%{{x:.0f}}{suffix}: {_money_fmt('y', lang, cur)}<extra></extra>")
    stay_tco = ev.figures[sos.incumbent].tco if sos.incumbent in ev.figures else None
    if stay_tco is None:
        stay_tco = sos.incumbent_cumulative[-1]
    values.append(stay_tco)
    inc_color = colors.get(sos.incumbent, INK)
    stay_name = t("label.stay", lang, name=_name(ev, sos.incumbent))
    legend_name = t("label.stay_tco", lang, name=_name(ev, sos.incumbent), amount=money(stay_tco, lang, cur))
    fig.add_scatter(name=legend_name, x=[0, 20], y=[stay_tco, stay_tco], mode="lines",
                    line={"color": inc_color, "width": 2.5, "dash": "dash"},
                    hovertemplate=f"<b>{stay_name}</b><br>{_money_fmt('y', lang, cur)}<extra></extra>")
    s = ev.tender.spec.switching
    if s is not None and s.porting_failure_rate <= 0.2:
        x0 = 100.0 * s.porting_failure_rate
        fig.add_shape(type="line", x0=x0, x1=x0, y0=0, y1=1, yref="paper",
                      line={"color": MUTED, "width": 1.2, "dash": "dot"})
        fig.add_annotation(x=x0, y=1.0, yref="paper", yanchor="top", xanchor="left", xshift=4, showarrow=False,
                           text=t("label.assumed_rate", lang, rate=percent(s.porting_failure_rate, lang, 1 if
                                                                             (100 * s.porting_failure_rate) % 1 else 0)),
                           font={"size": 11, "color": MUTED}, bgcolor="rgba(255,255,255,0.85)")
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.12 or abs(hi) * 0.05 or 1.0
    _layout(fig, lang, title, hovermode="closest",
            xaxis=_axis(t("axis.porting_rate", lang), range=[0, 20], ticksuffix=suffix, dtick=5, showgrid=False),
            yaxis=_axis(t("axis.tco", lang, currency=cur, basis=_basis(ev, lang)), tickformat=",.0f", range=[lo - pad, hi + pad]))
    return fig


# --------------------------------------------------------------------------- sensitivity


def _baseline_margin(sens, ev: Evaluation | None) -> float | None:
    if ev is not None:
        r = ev.ranking
        if ev.winner is None or r.total.get(ev.winner) is None:
            return None
        others = [v for b, v in r.total.items() if b != ev.winner and v is not None]
        return r.total[ev.winner] - max(others) if others else None  # type: ignore[operator]
    # Without the evaluation: the midpoint of the driver that moves the margin least.
    rows = [row for row in sens.tornado if row["low"]["margin"] is not None and row["high"]["margin"] is not None]
    if not rows:
        return None
    row = min(rows, key=lambda row: abs(row["high"]["margin"] - row["low"]["margin"]))
    return (row["low"]["margin"] + row["high"]["margin"]) / 2


def tornado_chart(sens, lang: str, ev: Evaluation | None = None) -> go.Figure:
    """The baseline winner's margin with each driver at ×(1−δ) and ×(1+δ), the 12 drivers
    that swing it most, around the baseline margin; below 0 another bid wins. Pass ``ev``
    for operator names and the exact baseline (without it the baseline is estimated from
    the least sensitive driver)."""
    winner = next((w["winner"] for w in sens.weights if w.get("winner")), None)
    title = (t("title.tornado_of", lang, name=_name(ev, winner)) if winner and ev is not None
             else t("title.tornado", lang))
    rows = sens.tornado[:TOP_N_DRIVERS]
    if not rows:
        return _message(lang, title, t("label.no_data", lang))
    base = _baseline_margin(sens, ev)
    delta = abs(1.0 - rows[0]["low"]["factor"])
    delta_txt = percent(delta, lang)
    labels = [_wrap(driver_label(row["driver"], lang, ev.tender if ev is not None else None), 30) for row in rows]
    ref = base if base is not None else 0.0
    fig = go.Figure()
    extremes = [ref, 0.0]
    for side, key, color in (("low", "label.low_side", TORNADO_LOW), ("high", "label.high_side", TORNADO_HIGH)):
        name = t(key, lang, delta=delta_txt)
        margins = [row[side]["margin"] for row in rows]
        extremes += [m for m in margins if m is not None]
        winners = [t("label.winner_is", lang, name=_name(ev, row[side]["winner"])) if row[side]["winner"]
                   else t("label.nobody", lang) for row in rows]
        fig.add_bar(name=name, y=labels, x=[None if m is None else m - ref for m in margins], base=ref,
                    orientation="h", marker={"color": color},
                    customdata=[[m if m is not None else float("nan"), w] for m, w in zip(margins, winners)],
                    hovertemplate=f"<b>%{{y}}</b><br>{name}: %{{customdata[0]:.2f}} pts<br>%{{customdata[1]}}"
                                  "<extra></extra>")
        for label, m in zip(labels, margins):
            if m is None and winner:
                fig.add_annotation(x=ref, y=label, text=t("label.winner_knocked_out", lang, name=_name(ev, winner)),
                                   showarrow=False, xanchor="left", font={"size": 11, "color": MUTED})
    lo, hi = min(extremes), max(extremes)
    pad = (hi - lo) * 0.08 or 1.0
    if lo < 0:
        fig.add_shape(type="rect", x0=lo - pad, x1=0, y0=0, y1=1, yref="paper", fillcolor="rgba(178,24,43,0.06)",
                      line={"width": 0}, layer="below")
    fig.add_shape(type="line", x0=0, x1=0, y0=0, y1=1, yref="paper", line={"color": INCREASE_COLOR, "width": 1.2,
                                                                           "dash": "dot"})
    fig.add_annotation(x=0, y=1.0, yref="paper", yanchor="bottom", xanchor="right", xshift=-4, showarrow=False,
                       text=t("label.winner_changes", lang), font={"size": 11, "color": INCREASE_COLOR})
    if base is not None:
        fig.add_shape(type="line", x0=base, x1=base, y0=0, y1=1, yref="paper", line={"color": INK, "width": 1.5})
        approx = "" if ev is not None else "≈ "
        fig.add_annotation(x=base, y=1.0, yref="paper", yanchor="bottom", xanchor="left", xshift=4, showarrow=False,
                           text=t("label.baseline_margin", lang, margin=approx + number(base, lang, 1)),
                           font={"size": 11, "color": INK})
    _layout(fig, lang, title, legend="top", barmode="group", bargap=0.3, bargroupgap=0.0,
            height=max(HEIGHT, 120 + 34 * len(rows)),
            xaxis=_axis(t("axis.margin", lang), range=[lo - pad, hi + pad], zeroline=False),
            yaxis=_axis(t("axis.driver", lang, delta=delta_txt), autorange="reversed", gridcolor="rgba(0,0,0,0)",
                        tickfont={"size": 11}))
    return fig


def weight_stability_chart(sens, ev: Evaluation, lang: str) -> go.Figure:
    """For each weight, the range (other weights rescaled to keep 100) over which the
    winner stays the winner, the stated weight, and who wins beyond each end."""
    colors = _colors(ev)
    winner = ev.winner
    if winner is None:
        return _message(lang, t("title.weights_none", lang), t("label.no_data", lang))
    title = t("title.weights", lang, name=_name(ev, winner))
    crit = _criterion_names(ev)
    rows = sens.weights
    labels = [_wrap(t("label.price", lang) if w["weight"] == "price" else crit.get(w["weight"], w["weight"]), 30)
              for w in rows]
    color = colors.get(winner, MUTED)
    suffix = _pct_suffix(lang)
    ok = [w["stable_from"] is not None and w["stable_to"] is not None for w in rows]
    range_name = t("label.stable_range", lang, name=_name(ev, winner))
    fig = go.Figure()
    fig.add_bar(name=range_name, y=labels,
                x=[w["stable_to"] - w["stable_from"] if k else None for w, k in zip(rows, ok)],
                base=[w["stable_from"] if k else None for w, k in zip(rows, ok)], orientation="h",
                marker={"color": _tint(color, 0.35), "line": {"color": color, "width": 1.5}},
                customdata=[[w["stable_from"] if k else float("nan"), w["stable_to"] if k else float("nan")]
                            for w, k in zip(rows, ok)],
                hovertemplate=f"<b>%{{y}}</b><br>{range_name}: %{{customdata[0]:.1f}}–%{{customdata[1]:.1f}}{suffix}"
                              "<extra></extra>")
    stated = t("label.stated_weight", lang)
    fig.add_scatter(name=stated, y=labels, x=[w["stated"] for w in rows], mode="markers",
                    marker={"symbol": "diamond", "size": 13, "color": INK, "line": {"color": "white", "width": 1.5}},
                    hovertemplate=f"<b>%{{y}}</b><br>{stated}: %{{x:.1f}}{suffix}<extra></extra>")
    for label, w in zip(labels, rows):
        if w["below"] is None and w["above"] is None:
            text = t("label.stable_everywhere", lang)
        else:
            below = _name(ev, w["below"]) if w["below"] else t("label.nobody", lang)
            above = _name(ev, w["above"]) if w["above"] else t("label.nobody", lang)
            text = f'{t("label.below", lang, name=below)}<br>{t("label.above", lang, name=above)}'
        fig.add_annotation(x=1.0, xref="paper", y=label, xanchor="left", xshift=10, showarrow=False, align="left",
                           text=text, font={"size": 11, "color": MUTED})
    _layout(fig, lang, title, legend="top", bargap=0.45, height=max(HEIGHT, 130 + 44 * len(rows)),
            margin={"l": 10, "r": 190, "t": 108, "b": 10},
            xaxis=_axis(t("axis.weight", lang), range=[0, 100], ticksuffix=suffix, dtick=10),
            yaxis=_axis(t("axis.criterion_weight", lang), autorange="reversed", gridcolor="rgba(0,0,0,0)",
                        tickfont={"size": 12}))
    return fig


# --------------------------------------------------------------------------- Monte Carlo


def mc_rank_chart(mc_dict: dict, ev: Evaluation, lang: str) -> go.Figure:
    """Probability of each rank per bid (stacked to its probability of being compliant, the
    rest marked "not compliant"); the likeliest winner on top."""
    colors = _colors(ev)
    draws = number(mc_dict.get("draws"), lang)
    title = t("title.mc_rank", lang, draws=draws)
    bids = list(mc_dict.get("bids") or [])
    if not bids:
        return _message(lang, title, t("label.no_data", lang))
    bids.sort(key=lambda d: ([-p for p in d["rank_probabilities"]], d["id"]))
    ticks = [_swatch(_wrap(_label(ev, d["id"], lang), 28), colors.get(d["id"], MUTED)) for d in bids]
    names = [_name(ev, d["id"]) for d in bids]
    n_ranks = max(len(d["rank_probabilities"]) for d in bids)
    shown = [r for r in range(n_ranks) if any(d["rank_probabilities"][r] > 0 for d in bids if r < len(d["rank_probabilities"]))]
    shades = _ramp(RANK_SCALE, max(n_ranks, 2))
    suffix = _pct_suffix(lang)
    fig = go.Figure()
    for r in shown:
        label = t("label.rank", lang, rank=r + 1)
        x = [100.0 * (d["rank_probabilities"][r] if r < len(d["rank_probabilities"]) else 0.0) for d in bids]
        fig.add_bar(name=label, y=ticks, x=x, orientation="h", marker={"color": shades[r],
                                                                       "line": {"color": "white", "width": 1}},
                    text=[f"{v:.0f}{suffix}" if v >= 7 else "" for v in x], textposition="inside",
                    insidetextanchor="middle", textfont={"color": _text_color(shades[r]), "size": 12},
                    customdata=names, hovertemplate=f"<b>%{{customdata}}</b><br>{label}: %{{x:.1f}}{suffix}<extra></extra>")
    off = [100.0 * (1.0 - d["p_compliant"]) for d in bids]
    if any(v > 0.05 for v in off):
        label = t("label.not_compliant", lang)
        fig.add_bar(name=label, y=ticks, x=off, orientation="h",
                    marker={"color": NOT_COMPLIANT_COLOR, "pattern": {"shape": "/", "fgcolor": "#BDBDBD"},
                            "line": {"color": "white", "width": 1}},
                    text=[f"{v:.0f}{suffix}" if v >= 7 else "" for v in off], textposition="inside",
                    insidetextanchor="middle", textfont={"color": INK, "size": 12}, customdata=names,
                    hovertemplate=f"<b>%{{customdata}}</b><br>{label}: %{{x:.1f}}{suffix}<extra></extra>")
    _layout(fig, lang, title, legend="top", barmode="stack", bargap=0.35,
            xaxis=_axis(t("axis.probability", lang), range=[0, 100], ticksuffix=suffix, dtick=20),
            yaxis=_axis(t("axis.bid", lang), autorange="reversed", gridcolor="rgba(0,0,0,0)"))
    return fig


def mc_tco_chart(mc_dict: dict, ev: Evaluation, lang: str) -> go.Figure:
    """P5–P95 range of each costed bid's TCO over the draws, with the median; cheapest
    median on top."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.mc_tco", lang, draws=number(mc_dict.get("draws"), lang))
    bids = [d for d in mc_dict.get("bids") or [] if d.get("tco_p5") is not None]
    if not bids:
        return _message(lang, title, t("label.no_data", lang))
    bids.sort(key=lambda d: (d["tco_p50"], d["id"]))
    ticks = [_swatch(_wrap(_label(ev, d["id"], lang), 28), colors.get(d["id"], MUTED)) for d in bids]
    fig = go.Figure()
    fmt = _money_fmt
    for tick, d in zip(ticks, bids):
        color = colors.get(d["id"], MUTED)
        name = _name(ev, d["id"])
        fig.add_bar(name=name, y=[tick], x=[d["tco_p95"] - d["tco_p5"]], base=[d["tco_p5"]], orientation="h",
                    marker={"color": _tint(color, 0.55), "line": {"color": color, "width": 1.5}}, showlegend=False,
                    customdata=[[d["tco_p5"], d["tco_p50"], d["tco_p95"]]],
                    hovertemplate=(f"<b>{name}</b><br>P5: {fmt('customdata[0]', lang, cur)}"
                                   f"<br>P50: {fmt('customdata[1]', lang, cur)}"
                                   f"<br>P95: {fmt('customdata[2]', lang, cur)}<extra></extra>"))
        fig.add_scatter(name=name, y=[tick], x=[d["tco_p50"]], mode="markers", showlegend=False,
                        marker={"symbol": "diamond", "size": 14, "color": color, "line": {"color": INK, "width": 1.5}},
                        hovertemplate=f"<b>{name}</b><br>P50: {fmt('x', lang, cur)}<extra></extra>")
    # Legend keys in neutral grey: the operator colours are on the bars and the tick labels.
    fig.add_bar(name=t("label.p5_p95", lang), x=[None], y=[None], orientation="h",
                marker={"color": "#E0E0E0", "line": {"color": "#8C8C8C", "width": 1.5}}, hoverinfo="skip")
    fig.add_scatter(name=t("label.p50", lang), x=[None], y=[None], mode="markers", hoverinfo="skip",
                    marker={"symbol": "diamond", "size": 12, "color": "#8C8C8C", "line": {"color": INK, "width": 1.5}})
    lo = min(d["tco_p5"] for d in bids)
    hi = max(d["tco_p95"] for d in bids)
    pad = (hi - lo) * 0.08 or abs(hi) * 0.05 or 1.0
    _layout(fig, lang, title, legend="top", barmode="overlay", bargap=0.45,
            xaxis=_axis(t("axis.tco", lang, currency=cur, basis=_basis(ev, lang)), tickformat=",.0f", range=[lo - pad, hi + pad]),
            yaxis=_axis(t("axis.bid", lang), autorange="reversed", gridcolor="rgba(0,0,0,0)",
                        categoryorder="array", categoryarray=ticks))
    return fig
