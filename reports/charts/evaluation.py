"""Charts of one evaluation: ranking, cost breakdown, criteria radar, costs by year, month,
entity and profile, and the billing export's usage per line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from scoring.cost import COMPONENTS
from scoring.evaluate import Evaluation
from scoring.model import component_kind

from ..formats import money, number, percent
from ..text import TEXT, t
from .style import (
    BILLED_FILL,
    BILLED_LINE,
    COMPONENT_COLORS,
    CRITERIA_SCALE,
    GRID,
    INK,
    MUTED,
    PRICE_COLOR,
    PUBLISHED_COLOR,
    _axis,
    _basis,
    _bid_ticks,
    _colors,
    _costed,
    _currency,
    _entity_names,
    _label,
    _layout,
    _message,
    _money_axis,
    _money_fmt,
    _name,
    _not_costed_note,
    _nothing_costed,
    _pct_suffix,
    _profile_names,
    _ramp,
    _tint,
    _wrap,
)

# --------------------------------------------------------------------------- evaluation


def ranking_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Points of each compliant bid (price + each criterion), rank 1 on top; under TOPSIS
    the total alone. Knocked-out bids are named in the subtitle."""
    r, colors = ev.ranking, _colors(ev)
    ranked = sorted((b for b in ev.costs.bids if r.rank.get(b)), key=lambda b: r.rank[b])  # type: ignore[arg-type, return-value]
    out = [_name(ev, b) for b in ev.costs.bids if not r.compliant.get(b)]
    subtitle = t("label.knocked_out_list", lang, names=", ".join(out)) if out else None
    # Under TOPSIS there are no additive points: the ranking leaves price_score None.
    weighted = any(r.price_score.get(b) is not None for b in ranked)
    title = t("title.ranking" if weighted else "title.ranking_topsis", lang)
    if not ranked:
        return _message(lang, title, subtitle or t("label.no_data", lang))
    ticks = _bid_ticks(ev, ranked, lang, colors, rank=True, wrap=28)
    names = [_name(ev, b) for b in ranked]
    pts = "%{x:.1f} pts"
    fig = go.Figure()
    if weighted:
        fig.add_bar(name=t("label.price", lang), y=ticks, x=[r.price_score[b] for b in ranked], orientation="h",
                    marker={"color": PRICE_COLOR, "line": {"color": "white", "width": 1}}, customdata=names,
                    hovertemplate=f"<b>%{{customdata}}</b><br>{t('label.price', lang)}: {pts}<extra></extra>")
        criteria = [c for c in ev.tender.spec.evaluation.criteria
                    if any((ev.explanation.points[b].get(c.id) or 0.0) != 0.0 for b in ranked) or c.weight > 0]
        for c, color in zip(criteria, _ramp(CRITERIA_SCALE, len(criteria))):
            name = c.name or c.id
            fig.add_bar(name=name, y=ticks, x=[ev.explanation.points[b].get(c.id) or 0.0 for b in ranked],
                        orientation="h", marker={"color": color, "line": {"color": "white", "width": 1}},
                        customdata=names,
                        hovertemplate=f"<b>%{{customdata}}</b><br>{name}: {pts}<extra></extra>")
        legend = "right"
    else:
        fig.add_bar(name=t("label.total", lang), y=ticks, x=[r.total[b] for b in ranked], orientation="h",
                    marker={"color": [colors[b] for b in ranked]}, customdata=names, showlegend=False,
                    hovertemplate=f"<b>%{{customdata}}</b><br>{t('label.total', lang)}: {pts}<extra></extra>")
        legend = None
    top = max(r.total[b] or 0.0 for b in ranked)  # type: ignore[type-var]
    for tick, b in zip(ticks, ranked):
        fig.add_annotation(x=r.total[b], y=tick, text=f"<b>{number(r.total[b], lang, 1)}</b>", showarrow=False,
                           xanchor="left", xshift=6, font={"size": 13, "color": INK})
    _layout(fig, lang, title, subtitle=subtitle, legend=legend, barmode="stack", bargap=0.35,
            xaxis=_axis(t("axis.points", lang), range=[0, max(top, 1.0) * 1.12]),
            yaxis=_axis(t("axis.bid", lang), autorange="reversed", gridcolor="rgba(0,0,0,0)"))
    return fig


def breakdown_chart(ev: Evaluation, lang: str) -> go.Figure:
    """TCO of each costed bid stacked by cost component, credits below zero; cheapest first."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.breakdown", lang)
    costed = _costed(ev)
    if not costed:
        return _nothing_costed(ev, lang, title)
    tco = {b: ev.figures[b].tco for b in costed}
    bids = sorted(costed, key=lambda b: (tco[b], b))
    by_comp = ev.costs.by_component()
    rows = np.array([by_comp[ev.costs.index(b)] for b in bids])
    ticks = _bid_ticks(ev, bids, lang, colors, wrap=18)
    names = [_name(ev, b) for b in bids]
    fig = go.Figure()
    for k, comp in enumerate(COMPONENTS[:rows.shape[1]]):  # v1.1 components: in the cube only where used
        values = rows[:, k]
        if not np.any(np.abs(values) > 0.005):
            continue
        label = t(f"component.{comp}", lang)
        fig.add_bar(name=label, x=ticks, y=values, marker={"color": COMPONENT_COLORS[comp]}, customdata=names,
                    hovertemplate=f"<b>%{{customdata}}</b><br>{label}: {_money_fmt('y', lang, cur)}<extra></extra>")
    tops = np.clip(rows, 0, None).sum(axis=1)
    for tick, b, top in zip(ticks, bids, tops):
        fig.add_annotation(x=tick, y=top, text=f"<b>{money(tco[b], lang, cur)}</b>", showarrow=False,
                           yanchor="bottom", yshift=4, font={"size": 12, "color": INK})
    _layout(fig, lang, title, subtitle=_not_costed_note(ev, lang), legend="right", barmode="relative", bargap=0.4,
            xaxis=_axis(t("axis.bid", lang), gridcolor="rgba(0,0,0,0)"),
            yaxis=_axis(t("axis.tco", lang, currency=cur, basis=_basis(ev, lang)), tickformat=",.0f",
                        range=[min(0.0, float(np.clip(rows, None, 0).sum(axis=1).min()) * 1.15),
                               float(tops.max()) * 1.1]))
    return fig


def radar_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Score (0–100 %) of every bid on every criterion; knocked-out bids dashed."""
    colors = _colors(ev)
    criteria = ev.tender.spec.evaluation.criteria
    title = t("title.radar", lang)
    if not criteria:
        return _message(lang, title, t("label.no_data", lang))
    theta = [_wrap(c.name or c.id, 22) for c in criteria]
    suffix = _pct_suffix(lang)
    fig = go.Figure()
    for bid in ev.tender.bids:
        scores = [100.0 * ev.criteria.results[bid.id][c.id].score for c in criteria]
        compliant = ev.ranking.compliant.get(bid.id, False)
        name = _label(ev, bid.id, lang)
        fig.add_scatterpolar(
            r=[*scores, scores[0]], theta=[*theta, theta[0]], name=name, mode="lines+markers",
            line={"color": colors[bid.id], "width": 2.5 if compliant else 2, "dash": "solid" if compliant else "dash"},
            marker={"size": 6, "color": colors[bid.id]}, opacity=1.0 if compliant else 0.8,
            hovertemplate=f"<b>{name}</b><br>%{{theta}}: %{{r:.0f}}{suffix}<extra></extra>")
    ticks = [25, 50, 75, 100]
    angle = 90 - 180 / len(criteria)
    _layout(fig, lang, title, legend="right", height=460,
            polar={"bgcolor": "white",
                   # The radial axis between the first two spokes, clear of the criterion labels.
                   "radialaxis": {"range": [0, 100], "tickvals": ticks, "ticktext": [f"{v}{suffix}" for v in ticks],
                                  "gridcolor": GRID, "tickfont": {"size": 10, "color": MUTED}, "angle": angle,
                                  "tickangle": angle},
                   "angularaxis": {"direction": "clockwise", "rotation": 90, "gridcolor": GRID,
                                   "tickfont": {"size": 11}}},
            margin={"l": 40, "r": 10, "t": 95, "b": 30})
    return fig


def annual_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Cost of each contract year, one bar per costed bid."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.annual", lang)
    costed = _costed(ev)
    if not costed:
        return _nothing_costed(ev, lang, title)
    fleet = ev.costs.fleet
    years = [t("label.year", lang, year=y + 1) if n >= 12 else t("label.year_partial", lang, year=y + 1, months=int(n))
             for y, n in enumerate(fleet.months_in_year)]
    annual = ev.costs.annual()
    fig = go.Figure()
    for b in costed:
        name = _label(ev, b, lang)
        fig.add_bar(name=name, x=years, y=annual[ev.costs.index(b)], marker={"color": colors[b]},
                    hovertemplate=f"<b>{name}</b><br>%{{x}}: {_money_fmt('y', lang, cur)}<extra></extra>")
    _layout(fig, lang, title, subtitle=_not_costed_note(ev, lang), barmode="group", bargap=0.25, bargroupgap=0.05,
            xaxis=_axis(t("axis.contract_year", lang), gridcolor="rgba(0,0,0,0)"),
            yaxis=_money_axis(t("axis.annual", lang, currency=cur, basis=_basis(ev, lang))))
    return fig


def monthly_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Cost of each contract month (switching and one-off fees show in month 1)."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.monthly", lang)
    costed = _costed(ev)
    if not costed:
        return _nothing_costed(ev, lang, title)
    months = np.arange(1, ev.costs.fleet.term_months + 1)
    monthly = ev.costs.monthly()
    month = t("label.month", lang, month="%{x}")
    fig = go.Figure()
    for b in costed:
        name = _label(ev, b, lang)
        fig.add_scatter(name=name, x=months, y=monthly[ev.costs.index(b)], mode="lines",
                        line={"color": colors[b], "width": 2.2},
                        hovertemplate=f"<b>{name}</b><br>{month}: {_money_fmt('y', lang, cur)}<extra></extra>")
    _layout(fig, lang, title, subtitle=_not_costed_note(ev, lang), hovermode="closest",
            xaxis=_axis(t("axis.contract_month", lang), range=[0.5, months[-1] + 0.5], dtick=6 if len(months) > 12
                        else 1, tick0=0 if len(months) > 12 else 1, showgrid=False),
            yaxis=_money_axis(t("axis.monthly", lang, currency=cur, basis=_basis(ev, lang))))
    return fig


def entity_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Sunburst bid → entity of the costed bids' TCO. A negative entity total (not seen in
    practice) is drawn as 0 and the hover says so."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.entity", lang, currency=cur, basis=_basis(ev, lang))
    costed = _costed(ev)
    if not costed:
        return _nothing_costed(ev, lang, title)
    names = _entity_names(ev)
    entities = ev.costs.fleet.entities
    by_entity = ev.costs.by_entity()
    ids, labels, parents, values, node_colors, notes, texts, hover_names = [], [], [], [], [], [], [], []
    tints = [0.25 + 0.45 * i / max(1, len(entities) - 1) for i in range(len(entities))]
    for b in costed:
        row = by_entity[ev.costs.index(b)]
        shown = np.clip(row, 0, None)
        total = float(shown.sum())
        ids.append(b)
        labels.append(_wrap(_name(ev, b), 14))
        hover_names.append(_label(ev, b, lang))
        parents.append("")
        values.append(total)
        node_colors.append(colors[b])
        # The bid level shows its amount (a share of the sum of several bids means nothing).
        texts.append(money(total, lang, cur))
        negative = float(row[row < 0].sum())
        notes.append(f"<br><i>{t('label.clipped', lang, amount=money(negative, lang, cur))}</i>" if negative < 0
                     else "")
        for e, entity in enumerate(entities):
            ids.append(f"{b}/{entity}")
            labels.append(_wrap(names.get(entity, entity), 18))
            hover_names.append(f"{names.get(entity, entity)} · {_name(ev, b)}")
            parents.append(b)
            values.append(float(shown[e]))
            node_colors.append(_tint(colors[b], tints[e]))
            texts.append(percent(shown[e] / total, lang) if total > 0 else "")
            notes.append(f"<br><i>{t('label.clipped', lang, amount=money(float(row[e]), lang, cur))}</i>"
                         if row[e] < 0 else "")
    fig = go.Figure(go.Sunburst(
        ids=ids, labels=labels, parents=parents, values=values, branchvalues="total",
        marker={"colors": node_colors, "line": {"color": "white", "width": 1.5}},
        customdata=[[note, text, "" if parent == "" else f" · {text}", hover]
                    for note, text, parent, hover in zip(notes, texts, parents, hover_names)],
        texttemplate="%{label}<br>%{customdata[1]}",
        insidetextorientation="horizontal", sort=False, textfont={"size": 11},
        hovertemplate=f"<b>%{{customdata[3]}}</b><br>{_money_fmt('value', lang, cur)}%{{customdata[2]}}"
                      "%{customdata[0]}<extra></extra>"))
    _layout(fig, lang, title, subtitle=_not_costed_note(ev, lang), legend=None, height=480,
            uniformtext={"minsize": 10, "mode": "hide"}, margin={"l": 10, "r": 10, "t": 70, "b": 10})
    return fig


def profile_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Cost per line per month of each profile: the profile's cost over the term divided by
    its line-months (lines of each year × months in that year)."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.profile", lang)
    costed = _costed(ev)
    if not costed:
        return _nothing_costed(ev, lang, title)
    fleet = ev.costs.fleet
    # (P,) the same rule as `Fleet.line_months`, but summed in the matrix product's order: with fractional
    # line counts (line growth) the two orders can differ in the last bit, and the app's and the PDF's
    # charts stay bit-for-bit as they were, so this order is kept here on purpose.
    line_months = fleet.lines.sum(axis=2).T @ fleet.months_in_year
    keep = [p for p in range(len(fleet.profiles)) if line_months[p] > 0]
    pnames = _profile_names(ev)
    x = [_wrap(pnames.get(fleet.profiles[p], fleet.profiles[p]), 18) for p in keep]
    by_profile = ev.costs.by_profile()
    fig = go.Figure()
    for b in costed:
        name = _label(ev, b, lang)
        y = [by_profile[ev.costs.index(b), p] / line_months[p] for p in keep]
        fig.add_bar(name=name, x=x, y=y, marker={"color": colors[b]},
                    hovertemplate=f"<b>{name}</b><br>%{{x}}: {_money_fmt('y', lang, cur, 2)}<extra></extra>")
    _layout(fig, lang, title, subtitle=_not_costed_note(ev, lang), barmode="group", bargap=0.25, bargroupgap=0.05,
            xaxis=_axis(t("axis.profile", lang), gridcolor="rgba(0,0,0,0)"),
            yaxis=_money_axis(t("axis.per_line_month", lang, currency=cur, basis=_basis(ev, lang))))
    return fig


# --------------------------------------------------------------------------- billing export


def usage_unit(component: str, lang: str) -> str | None:
    """The unit of a usage component, from its id: ``*_gb`` GB, ``*_min`` minutes, ``sms``
    messages; None for any other id (the buyer's own vocabulary)."""
    kind = component_kind(component)
    if kind != "other":
        return t(f"unit.{kind}", lang)
    if component == "sms" or component.endswith("_sms"):
        return t("unit.sms", lang)
    return None


def usage_decimals(component: str) -> int:
    """Decimals shown for a usage quantity: GB to 2 places, minutes and messages to 1."""
    return 2 if component_kind(component) == "data" else 1


def usage_label(component: str, lang: str) -> str:
    """A usage component's name with its unit: ``Data (GB)``; its id when it has no label."""
    key = f"usage.{component}"
    name = t(key, lang) if key in TEXT else component
    unit = usage_unit(component, lang)
    return f"{name} ({unit})" if unit else name


def usage_chart(summary: pd.DataFrame, component: str, lang: str, *, names: dict[str, str] | None = None,
                published: dict[str, float] | None = None) -> go.Figure:
    """The spread of the lines' mean monthly usage of one component, one box per profile,
    drawn from `scoring.lines.usage_summary` (precomputed quantiles, no line is sent): box
    P25–P75, median, mean dashed, whiskers P5–P95; ``published`` (profile id → the tender's
    published mean) as a diamond, so the published profile can be compared with the billed
    reality. ``names``: profile id → display name."""
    names = names or {}
    published = published or {}
    title = t("title.usage", lang, name=usage_label(component, lang))
    rows = summary[summary["component"] == component]
    if rows.empty:
        return _message(lang, title, t("label.no_data", lang))
    unit = usage_unit(component, lang)
    decimals = usage_decimals(component)
    x = [_wrap(names.get(p, p), 18) for p in rows["profile"]]
    fmt = f":,.{decimals}f"

    def col(name: str) -> list[float]:  # plain lists: a few numbers, readable in the chart's JSON
        return rows[name].astype(float).tolist()

    box_name = t("label.billed_lines", lang)
    fig = go.Figure()
    fig.add_trace(go.Box(
        name=box_name, x=x, q1=col("p25"), median=col("p50"), q3=col("p75"), lowerfence=col("p5"),
        upperfence=col("p95"), mean=col("mean"), boxmean=True, boxpoints=False, hoverinfo="skip",
        fillcolor=_tint(BILLED_FILL, 0.35), line={"color": BILLED_LINE, "width": 1.8}, whiskerwidth=0.5,
        width=0.5))
    # The box's own hover labels would call P5 and P95 "fences": one hover per profile instead,
    # carried by an invisible marker at the median.
    lines_label = t("label.lines_count", lang, n="%{customdata[0]:,.0f}")
    fig.add_scatter(
        x=x, y=col("p50"), mode="markers", marker={"opacity": 0, "size": 18}, showlegend=False,
        customdata=[[*cells[:-1], 100.0 * cells[-1]] for cells in zip(*(col(c) for c in (
            "lines", "p5", "p25", "p50", "p75", "p95", "mean", "zero_share")))],
        hovertemplate=(f"<b>%{{x}}</b> · {lines_label}<br>P5: %{{customdata[1]{fmt}}}<br>"
                       f"P25: %{{customdata[2]{fmt}}}<br>{t('label.median', lang)}: %{{customdata[3]{fmt}}}<br>"
                       f"P75: %{{customdata[4]{fmt}}}<br>P95: %{{customdata[5]{fmt}}}<br>"
                       f"{t('label.mean', lang)}: %{{customdata[6]{fmt}}}<br>"
                       f"{t('label.zero_share', lang)}: %{{customdata[7]:.0f}}{_pct_suffix(lang)}<extra></extra>"))
    marks = [(xi, published[p]) for xi, p in zip(x, rows["profile"]) if published.get(p) is not None]
    if marks:
        label = t("label.published_mean", lang)
        fig.add_scatter(
            name=label, x=[m[0] for m in marks], y=[m[1] for m in marks], mode="markers",
            marker={"symbol": "diamond", "size": 13, "color": PUBLISHED_COLOR, "line": {"color": "white", "width": 1.5}},
            hovertemplate=f"<b>%{{x}}</b><br>{label}: %{{y{fmt}}}<extra></extra>")
    axis = t("axis.usage", lang, unit=unit) if unit else t("axis.usage_plain", lang)
    _layout(fig, lang, title, subtitle=t("subtitle.usage", lang), legend="top", hovermode="x",
            xaxis=_axis(t("axis.profile", lang), gridcolor="rgba(0,0,0,0)"),
            yaxis=_axis(axis, rangemode="tozero", tickformat=","))
    return fig
