"""Plotly figures of an evaluation and its what-ifs, in English or French.

Every function returns a `plotly.graph_objects.Figure` ready for ``st.plotly_chart``:
template ``plotly_white``, number separators of the language, every value axis titled with
its unit, operators named (never by bid id) and always drawn in the same colour —
`operator_colors` over the tender's bid ids sorted — so a bid is recognisable from one chart
to the next. Nothing here computes the model: the numbers come from `scoring`/`scenarios`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from scoring.cost import COMPONENTS
from scoring.evaluate import Evaluation
from scoring.model import component_kind

from .i18n import NBSP, NNBSP, TEXT, money, number, percent, plotly_separators, t

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

# Cost components: Paul Tol's "muted" scheme (colour-blind safe), kept apart from the
# operator colours so a component is never mistaken for a bid.
COMPONENT_COLORS = {
    "subscriptions": "#332288",
    "usage": "#88CCEE",
    "pool_overage": "#44AA99",
    "account_fees": "#117733",
    "devices": "#999933",
    "device_fund": "#DDCC77",
    "one_off_fees": "#CC6677",
    "credits": "#882255",
    "portability": "#AA4499",
    "switching": "#7F7F7F",
}
PRICE_COLOR = "#1F3A5F"  # price points: dark navy, against the criteria's light slate ramp
CRITERIA_SCALE = [[0.0, "#7D8FA3"], [1.0, "#D7DEE6"]]
RANK_SCALE = [[0.0, "#08306B"], [1.0, "#C6DBEF"]]  # rank 1 darkest
NOT_COMPLIANT_COLOR = "#D9D9D9"
INK = "#2B2B2B"
MUTED = "#6B6B6B"
GRID = "#E5E5E5"
INCREASE_COLOR = "#B2182B"  # a cost in a waterfall
DECREASE_COLOR = "#2166AC"  # a saving
TOTAL_COLOR = "#4D4D4D"
TORNADO_LOW = "#92C5DE"
TORNADO_HIGH = "#2166AC"
# Billed usage (Okabe–Ito): the export's lines in sky blue with a blue outline, the published
# profile mean as a vermilion diamond — apart under every common colour-vision deficiency.
BILLED_FILL = "#56B4E9"
BILLED_LINE = "#0072B2"
PUBLISHED_COLOR = "#D55E00"

FONT = "Inter, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
HEIGHT = 420
TOP_N_DRIVERS = 12


# --------------------------------------------------------------------------- helpers


def operator_colors(bid_ids: Sequence[str]) -> dict[str, str]:
    """One Okabe–Ito colour per bid, in the order given (cycling past eight bids)."""
    return {bid: OKABE_ITO[i % len(OKABE_ITO)] for i, bid in enumerate(bid_ids)}


def _colors(ev: Evaluation) -> dict[str, str]:
    return operator_colors(sorted(b.id for b in ev.tender.bids))


def _name(ev: Evaluation | None, bid_id: str) -> str:
    if ev is None:
        return bid_id
    try:
        return ev.tender.bid(bid_id).operator
    except KeyError:
        return bid_id


def _label(ev: Evaluation, bid_id: str, lang: str) -> str:
    """Operator name, marked when the bid is knocked out."""
    name = _name(ev, bid_id)
    return name if ev.ranking.compliant.get(bid_id) else t("label.knocked_out", lang, name=name)


def _swatch(text: str, color: str) -> str:
    """A category tick label led by a square in the operator's colour."""
    return f'<span style="color:{color};font-size:16px">■</span> {text}'


def _wrap(text: str, width: int = 24) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def _currency(ev: Evaluation | None) -> str:
    return ev.tender.spec.currency if ev is not None else "EUR"


def _money_fmt(field: str, lang: str, currency: str, decimals: int = 0) -> str:
    """A hovertemplate/texttemplate fragment showing ``%{field}`` as money."""
    value = f"%{{{field}:,.{decimals}f}}"
    if lang == "en":
        return f"€{value}" if currency == "EUR" else f"{value} {currency}"
    return f"{value}{NBSP}{'€' if currency == 'EUR' else currency}"


def _pct_suffix(lang: str) -> str:
    return "%" if lang == "en" else NNBSP + "%"


def _criterion_names(ev: Evaluation) -> dict[str, str]:
    return {c.id: c.name or c.id for c in ev.tender.spec.evaluation.criteria}


def _entity_names(ev: Evaluation) -> dict[str, str]:
    return {e.id: e.name or e.id for e in ev.tender.spec.entities}


def _profile_names(ev: Evaluation) -> dict[str, str]:
    return {p.id: p.name or p.id for p in ev.tender.spec.profiles}


def _costed(ev: Evaluation) -> list[str]:
    return [b for b in ev.costs.bids if ev.costs.costed(b)]


def _not_costed_note(ev: Evaluation, lang: str) -> str | None:
    missing = [_name(ev, b) for b in ev.costs.bids if not ev.costs.costed(b)]
    return t("label.not_costed_list", lang, names=", ".join(missing)) if missing else None


def _ramp(scale: list, n: int) -> list[str]:
    if n <= 0:
        return []
    if n == 1:
        return [scale[0][1]]
    return sample_colorscale(scale, [i / (n - 1) for i in range(n)], colortype="rgb")


def _text_color(color: str) -> str:
    """White on dark fills, ink on light ones."""
    if color.startswith("#"):
        r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    else:
        r, g, b = (float(v) for v in color[color.index("(") + 1:color.index(")")].split(",")[:3])
    return "white" if 0.299 * r + 0.587 * g + 0.114 * b < 140 else INK


def _tint(color: str, amount: float) -> str:
    """``color`` mixed with white (amount 0: unchanged, 1: white)."""
    r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    mix = [round(c + (255 - c) * amount) for c in (r, g, b)]
    return "#{:02X}{:02X}{:02X}".format(*mix)


def _axis(title: str, **kw) -> dict:
    return {"title": {"text": title, "font": {"size": 13, "color": MUTED}}, "gridcolor": GRID,
            "zerolinecolor": "#BDBDBD", "tickfont": {"size": 12}, "automargin": True, **kw}


def _money_axis(title: str) -> dict:
    return _axis(title, tickformat=",.0f", rangemode="tozero")


def _layout(fig: go.Figure, lang: str, title: str, *, subtitle: str | None = None, legend: str | None = "top",
            height: int = HEIGHT, **kw) -> go.Figure:
    """The house style: white template, the language's separators, a left-aligned title and
    a legend above the plot (``top``), at the right (``right``) or none."""
    title_dict: dict = {"text": f"<b>{title}</b>", "x": 0.0, "xanchor": "left", "xref": "paper",
                        "font": {"size": 17, "color": INK}}
    if subtitle:
        title_dict["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": MUTED}}
    legend_dict: dict = {"font": {"size": 12}, "bgcolor": "rgba(255,255,255,0)", "title": {"text": ""},
                         "traceorder": "normal"}
    top = 96 if subtitle else 78
    if legend == "top":
        legend_dict.update(orientation="h", x=0.0, xanchor="left", y=1.02, yanchor="bottom")
        top += 30
    elif legend == "right":
        legend_dict.update(orientation="v", x=1.02, xanchor="left", y=1.0, yanchor="top")
    fig.update_layout(
        template="plotly_white",
        separators=plotly_separators(lang),
        height=height,
        title=title_dict,
        font={"family": FONT, "size": 13, "color": INK},
        showlegend=legend is not None,
        legend=legend_dict,
        margin={"l": 10, "r": 20, "t": top, "b": 10, **kw.pop("margin", {})},
        hoverlabel={"font": {"family": FONT, "size": 13}, "bgcolor": "white", "bordercolor": "#BDBDBD"},
        **kw,
    )
    return fig


def _message(lang: str, title: str, text: str) -> go.Figure:
    """An empty chart that says why there is nothing to draw."""
    fig = go.Figure()
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper", showarrow=False,
                       font={"size": 15, "color": MUTED})
    _layout(fig, lang, title, legend=None)
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def _bid_ticks(ev: Evaluation, bids: list[str], lang: str, colors: dict[str, str], *, rank: bool = False,
               wrap: int | None = None) -> list[str]:
    out = []
    for b in bids:
        label = _label(ev, b, lang)
        if wrap:
            label = _wrap(label, wrap)
        if rank and ev.ranking.rank.get(b):
            label = f"{ev.ranking.rank[b]}. {label}"
        out.append(_swatch(label, colors[b]))
    return out


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
        return _message(lang, title, _not_costed_note(ev, lang) or t("label.no_data", lang))
    tco = {b: ev.figures[b].tco for b in costed}
    bids = sorted(costed, key=lambda b: (tco[b], b))
    by_comp = ev.costs.by_component()
    rows = np.array([by_comp[ev.costs.index(b)] for b in bids])
    ticks = _bid_ticks(ev, bids, lang, colors, wrap=18)
    names = [_name(ev, b) for b in bids]
    fig = go.Figure()
    for k, comp in enumerate(COMPONENTS):
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
            yaxis=_axis(t("axis.tco", lang, currency=cur), tickformat=",.0f",
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
        return _message(lang, title, _not_costed_note(ev, lang) or t("label.no_data", lang))
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
            yaxis=_money_axis(t("axis.annual", lang, currency=cur)))
    return fig


def monthly_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Cost of each contract month (switching and one-off fees show in month 1)."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.monthly", lang)
    costed = _costed(ev)
    if not costed:
        return _message(lang, title, _not_costed_note(ev, lang) or t("label.no_data", lang))
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
            yaxis=_money_axis(t("axis.monthly", lang, currency=cur)))
    return fig


def entity_chart(ev: Evaluation, lang: str) -> go.Figure:
    """Sunburst bid → entity of the costed bids' TCO. A negative entity total (not seen in
    practice) is drawn as 0 and the hover says so."""
    colors, cur = _colors(ev), _currency(ev)
    title = t("title.entity", lang, currency=cur)
    costed = _costed(ev)
    if not costed:
        return _message(lang, title, _not_costed_note(ev, lang) or t("label.no_data", lang))
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
        return _message(lang, title, _not_costed_note(ev, lang) or t("label.no_data", lang))
    fleet = ev.costs.fleet
    line_months = fleet.lines.sum(axis=2).T @ fleet.months_in_year  # (P,)
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
            yaxis=_money_axis(t("axis.per_line_month", lang, currency=cur)))
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


# --------------------------------------------------------------------------- stay or switch

WATERFALL_PARTS = ("project", "staff_and_sims", "parallel_running", "exit_fee", "lost_numbers")


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
            yaxis=_money_axis(t("axis.cumulative", lang, currency=cur)))
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
            yaxis=_axis(t("axis.switching", lang, currency=cur), tickformat=",.0f",
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
            yaxis=_axis(t("axis.tco", lang, currency=cur), tickformat=",.0f", range=[lo - pad, hi + pad]))
    return fig


# --------------------------------------------------------------------------- sensitivity


def _driver_label(driver: str, lang: str, ev: Evaluation | None) -> str:
    kind, _, rest = driver.partition(": ")
    if kind == "usage" and rest:
        key = f"usage.{rest}"
        return t("driver.usage", lang, name=t(key, lang) if key in TEXT else rest.replace("_", " "))
    if kind == "prices" and rest:
        return t("driver.prices", lang, name=_name(ev, rest))
    if kind == "switching" and rest:
        key = f"assumption.{rest}"
        return t("driver.switching", lang, name=t(key, lang) if key in TEXT else rest.replace("_", " "))
    key = "driver." + driver.replace(" ", "_")
    return t(key, lang) if key in TEXT else driver


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
    labels = [_wrap(_driver_label(row["driver"], lang, ev), 30) for row in rows]
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
            xaxis=_axis(t("axis.tco", lang, currency=cur), tickformat=",.0f", range=[lo - pad, hi + pad]),
            yaxis=_axis(t("axis.bid", lang), autorange="reversed", gridcolor="rgba(0,0,0,0)",
                        categoryorder="array", categoryarray=ticks))
    return fig


__all__ = [
    "COMPONENT_COLORS", "OKABE_ITO", "annual_chart", "breakdown_chart", "cumulative_chart", "entity_chart",
    "mc_rank_chart", "mc_tco_chart", "monthly_chart", "operator_colors", "porting_risk_chart", "profile_chart",
    "radar_chart", "ranking_chart", "tornado_chart", "usage_chart", "usage_decimals", "usage_label", "usage_unit",
    "waterfall_chart",
    "weight_stability_chart",
]
