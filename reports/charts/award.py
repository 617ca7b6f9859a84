"""Charts of the award split (docs/award-split.md): who gets what (units × operators, in each
operator's colour) and the share curve (the best split's cost against the cap on each
operator's share). They read the contract's result — the JSON dict of `Fleetbid.award` — and
compute nothing."""

from __future__ import annotations

from collections.abc import Mapping

import plotly.graph_objects as go

from scoring.evaluate import Evaluation

from ..award import owners, split_words, unit_name, units
from ..formats import money, number, percent
from ..text import t
from .style import (
    GRID,
    MUTED,
    PRICE_COLOR,
    _axis,
    _basis,
    _colors,
    _currency,
    _layout,
    _message,
    _name,
    _swatch,
    _text_color,
    _wrap,
)


def award_map_chart(result: Mapping, ev: Evaluation, lang: str) -> go.Figure:
    """The split as a map: one row per unit (tender order, top down), one column per awarded
    operator; a unit's cell is filled in its operator's colour and shows its initial lines."""
    title = t("award.title.map", lang)
    bids = list((result.get("award") or {}).get("bids") or {})
    if not bids:
        return _message(lang, title, t("award.infeasible_unnamed", lang))
    colors, kind = _colors(ev), result.get("unit", "entity")
    owner = owners(result)
    rows = units(result)
    names = [_name(ev, b) for b in bids]
    # One colour per column: z holds the column's index where the unit is awarded, None elsewhere.
    n = len(bids)
    scale = []
    for i, b in enumerate(bids):
        lo, hi = (i / n, (i + 1) / n)
        scale += [[lo, colors.get(b, MUTED)], [hi, colors.get(b, MUTED)]]
    z, text, hover = [], [], []
    for uid, lines in rows:
        who = owner.get(uid)
        z.append([i + 0.5 if b == who else None for i, b in enumerate(bids)])
        shown = number(lines, lang, 0) if lines == lines else ""
        text.append([shown if b == who else "" for b in bids])
        hover.append([f"<b>{unit_name(ev.tender, kind, uid)}</b><br>{names[i]}"
                      + (f"<br>{t('award.col.lines', lang)}: {shown}" if shown else "") for i, b in enumerate(bids)])
    labels = [_wrap(unit_name(ev.tender, kind, uid), 40) for uid, _ in rows]
    fig = go.Figure(go.Heatmap(
        z=z, x=[_swatch(_wrap(nm, 18), colors.get(b, MUTED)) for nm, b in zip(names, bids)], y=labels,
        customdata=hover,
        hovertemplate="%{customdata}<extra></extra>", colorscale=scale, zmin=0, zmax=n, showscale=False,
        xgap=3, ygap=3, hoverongaps=False))
    # Readable numbers on every fill: white on dark operators' colours, ink on light ones.
    for i, b in enumerate(bids):
        for r, (uid, _) in enumerate(rows):
            if owner.get(uid) == b:
                fig.add_annotation(x=fig.data[0].x[i], y=labels[r], text=text[r][i], showarrow=False,
                                   font={"size": 13, "color": _text_color(colors.get(b, MUTED))})
    per_row = max(34, 15 * max(label.count("<br>") + 1 for label in labels) + 10)  # wrapped names fit their row
    height = max(300, 140 + per_row * len(rows))
    _layout(fig, lang, title, legend=None, height=height,
            xaxis=_axis("", side="top", showgrid=False, tickfont={"size": 12}),
            yaxis=_axis("", autorange="reversed", showgrid=False, tickfont={"size": 12}),
            plot_bgcolor="#F7F7F7")
    fig.update_layout(title={"xref": "container", "x": 0.012})  # long unit names push the plot right
    return fig


def share_curve_chart(result: Mapping, ev: Evaluation, lang: str, current: float | None = None) -> go.Figure:
    """The best split's cost over the term against the cap on each operator's share (the
    contract's six points, other rules unchanged). A cap under which no split is possible is
    a gap in the line, marked ✕ at the foot of the chart; ``current`` (the rules' own cap) is
    marked with a dotted line."""
    title = t("award.title.curve", lang)
    cur = _currency(ev)
    points = sorted(result.get("share_curve") or [], key=lambda p: p["max_share"])
    feasible = [p for p in points if p["cost"] is not None]
    if not feasible:
        return _message(lang, title, t("award.curve.infeasible", lang))
    kind = result.get("unit", "entity")
    xs = [float(p["max_share"]) for p in points]
    ys = [p["cost"] for p in points]
    hover = [f"<b>{t('award.curve.point', lang, pct=percent(x, lang))}</b><br>"
             + (money(y, lang, cur) + "<br>" + _wrap(split_words(p.get("split"), ev.tender, kind), 60)
                if y is not None else t("award.curve.infeasible", lang))
             for x, y, p in zip(xs, ys, points)]
    fig = go.Figure()
    fig.add_scatter(x=xs, y=ys, mode="lines+markers+text", connectgaps=False, customdata=hover,
                    line={"color": PRICE_COLOR, "width": 3}, marker={"size": 10, "color": PRICE_COLOR},
                    text=[money(y, lang, cur) if y is not None else "" for y in ys], textposition="top center",
                    textfont={"size": 11, "color": PRICE_COLOR}, hovertemplate="%{customdata}<extra></extra>",
                    showlegend=False)
    low = min(p["cost"] for p in feasible)
    high = max(p["cost"] for p in feasible)
    span = max(high - low, 0.02 * abs(high) or 1.0)
    bottom = low - 0.35 * span
    gaps = [x for x, y in zip(xs, ys) if y is None]
    if gaps:
        fig.add_scatter(x=gaps, y=[bottom + 0.1 * span] * len(gaps), mode="markers+text", showlegend=False,
                        marker={"symbol": "x-thin", "size": 14, "line": {"width": 2.5, "color": MUTED}},
                        text=[t("award.curve.infeasible", lang)] * len(gaps), textposition="top right",
                        textfont={"size": 11, "color": MUTED},
                        customdata=[h for h, y in zip(hover, ys) if y is None],
                        hovertemplate="%{customdata}<extra></extra>")
    if current is not None:
        fig.add_shape(type="line", x0=current, x1=current, y0=0, y1=1, yref="paper",
                      line={"color": MUTED, "width": 1.5, "dash": "dot"})
        fig.add_annotation(x=current, y=1.0, yref="paper", xanchor="left", yanchor="top", xshift=4, showarrow=False,
                           text=t("award.curve.current", lang, pct=percent(current, lang)),
                           font={"size": 11, "color": MUTED}, bgcolor="rgba(255,255,255,0.85)")
    _layout(fig, lang, title, subtitle=_wrap(t("award.subtitle.curve", lang), 90), legend=None, hovermode="closest",
            margin={"t": 112},
            xaxis=_axis(t("award.axis.max_share", lang), tickvals=xs, ticktext=[percent(x, lang) for x in xs],
                        range=[min(xs) - 0.04, max(xs) + 0.04], showgrid=False),
            yaxis=_axis(t("award.axis.cost", lang, currency=cur, basis=_basis(ev, lang)), tickformat=",.0f",
                        range=[bottom, high + 0.3 * span], gridcolor=GRID))
    return fig


__all__ = ["award_map_chart", "share_curve_chart"]
