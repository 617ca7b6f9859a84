"""Charts of the invoice audit (docs/invoice-audit.md, the app's Invoice audit page): what to
claim by category and by month billed (the claim workbook's totals, `reports.claims`), the
invoice re-split per entity (billed beside the contract price) and the billing accuracy of
each month (`monitoring.api.AuditSummary`). They draw those figures and compute nothing."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from monitoring.api import AuditSummary
from monitoring.audit import UNASSIGNED

from ..claims import ClaimTotals, category_label
from ..formats import money, number, percent
from ..text import t
from .style import INCREASE_COLOR, MUTED, OKABE_ITO, _axis, _layout, _message, _money_axis, _pct_suffix, _wrap

BILLED_COLOR = OKABE_ITO[5]  # vermilion: what the operator billed
EXPECTED_COLOR = OKABE_ITO[0]  # blue: what the contract prices (apart under colour-vision deficiencies)
ACCURACY_COLOR = "#1F3A5F"


def _amount_axis(lang: str, currency: str, top: float | None = None) -> dict:
    """The amount axis; with ``top`` (the highest bar), room above it for the bars' labels."""
    axis = _money_axis(t("audit.axis.amount", lang, currency=currency))
    return {**axis, "range": [0, top * 1.15]} if top and top > 0 else axis


def claims_by_category_chart(totals: ClaimTotals, lang: str, currency: str = "EUR") -> go.Figure:
    """Σ claimed per finding category (precedence order, top down), each bar labelled with
    its amount; the hover adds the number of claims."""
    title = t("audit.chart.by_category", lang)
    if not totals.by_category:
        return _message(lang, title, t("audit.no_claims", lang))
    cats = list(totals.by_category)
    amounts = [totals.by_category[c].amount for c in cats]
    labels = [_wrap(category_label(c, lang), 30) for c in cats]
    hover = [f"<b>{category_label(c, lang)}</b><br>{money(a, lang, currency, 2)}<br>"
             f"{t('audit.hover.claims', lang, n=number(totals.by_category[c].count, lang))}"
             for c, a in zip(cats, amounts)]
    fig = go.Figure(go.Bar(x=amounts, y=labels, orientation="h", marker_color=INCREASE_COLOR,
                           text=[money(a, lang, currency) for a in amounts], textposition="outside", cliponaxis=False,
                           constraintext="none", customdata=hover, hovertemplate="%{customdata}<extra></extra>",
                           showlegend=False))
    _layout(fig, lang, title, legend=None, height=max(280, 120 + 44 * len(cats)),
            xaxis=_amount_axis(lang, currency), margin={"r": 70},
            yaxis=_axis("", autorange="reversed", showgrid=False))
    return fig


def claims_by_month_chart(totals: ClaimTotals, periods: Sequence[str], lang: str, currency: str = "EUR") -> go.Figure:
    """Σ claimed per month billed, every month audited (0 where nothing is claimed)."""
    title = t("audit.chart.by_month", lang)
    if not totals.by_period:
        return _message(lang, title, t("audit.no_claims", lang))
    months = list(dict.fromkeys([*periods, *totals.by_period]))
    amounts = [totals.by_period[p].amount if p in totals.by_period else 0.0 for p in months]
    counts = [totals.by_period[p].count if p in totals.by_period else 0 for p in months]
    hover = [f"<b>{p}</b><br>{money(a, lang, currency, 2)}<br>{t('audit.hover.claims', lang, n=number(n, lang))}"
             for p, a, n in zip(months, amounts, counts)]
    fig = go.Figure(go.Bar(x=months, y=amounts, marker_color=INCREASE_COLOR, showlegend=False,
                           text=[money(a, lang, currency) if a else "" for a in amounts], textposition="outside",
                           cliponaxis=False, constraintext="none", textfont={"size": 10}, customdata=hover,
                           hovertemplate="%{customdata}<extra></extra>"))
    _layout(fig, lang, title, legend=None, xaxis=_axis(t("audit.axis.month", lang), type="category", showgrid=False),
            yaxis=_amount_axis(lang, currency, max(amounts)))
    return fig


def entity_chart(summary: AuditSummary, lang: str, currency: str = "EUR") -> go.Figure:
    """The invoice re-split per entity: billed and the contract price side by side, each bar
    labelled with its amount (entities in the tender's order, lines not in the inventory last)."""
    frame = summary.by_entity
    names = [t("audit.unassigned", lang) if e == UNASSIGNED else n for e, n in zip(frame["entity"], frame["name"])]
    labels = [_wrap(n, 22) for n in names]
    fig = go.Figure()
    for column, key, color in (("billed", "audit.legend.billed", BILLED_COLOR),
                               ("expected", "audit.legend.expected", EXPECTED_COLOR)):
        values = list(frame[column])
        fig.add_bar(x=labels, y=values, name=t(key, lang), marker_color=color,
                    text=[money(v, lang, currency) for v in values], textposition="outside", cliponaxis=False,
                    constraintext="none", customdata=[f"<b>{n}</b><br>{t(key, lang)}: {money(v, lang, currency, 2)}"
                                for n, v in zip(names, values)],
                    hovertemplate="%{customdata}<extra></extra>")
    _layout(fig, lang, t("audit.chart.entities", lang), subtitle=t("audit.chart.entities_sub", lang),
            barmode="group", bargap=0.3, xaxis=_axis("", showgrid=False),
            yaxis=_amount_axis(lang, currency, max([0.0, *frame["billed"], *frame["expected"]])))
    return fig


def accuracy_chart(summary: AuditSummary, overall: float, lang: str) -> go.Figure:
    """Each month's billing accuracy (its billed line-months without a finding), a point
    labelled in percent (the axis in percent points), and the accuracy over all months as a
    dotted line. The axis starts
    below the lowest month (a line, not bars, so the cut axis misleads no one)."""
    title = t("audit.chart.accuracy", lang)
    frame = summary.accuracy
    if frame.empty:
        return _message(lang, title, t("label.no_data", lang))
    values = [float(v) for v in frame["accuracy"]]
    hover = [f"<b>{p}</b><br>{percent(v, lang, 1)}<br>"
             f"{t('audit.hover.lines', lang, bad=number(b, lang), n=number(n, lang))}"
             for p, v, b, n in zip(frame["period"], values, frame["with_finding"], frame["line_periods"])]
    fig = go.Figure(go.Scatter(x=list(frame["period"]), y=[100.0 * v for v in values], mode="lines+markers+text", showlegend=False,
                               line={"color": ACCURACY_COLOR, "width": 3}, marker={"size": 9, "color": ACCURACY_COLOR},
                               text=[percent(v, lang, 1) for v in values], textposition="top center",
                               textfont={"size": 11, "color": ACCURACY_COLOR}, cliponaxis=False,
                               customdata=hover, hovertemplate="%{customdata}<extra></extra>"))
    fig.add_hline(y=100.0 * overall, line={"color": MUTED, "width": 1.5, "dash": "dot"})
    low = min([*values, overall])
    bottom = 100.0 * max(0.0, low - max(0.05, (1.0 - low) * 0.6))
    _layout(fig, lang, title, subtitle=t("audit.chart.accuracy_sub", lang, pct=percent(overall, lang, 1)), legend=None,
            xaxis=_axis(t("audit.axis.month", lang), type="category", showgrid=False),
            yaxis=_axis(t("audit.axis.accuracy", lang), tickformat=",.0f", ticksuffix=_pct_suffix(lang),
                        range=[bottom, 102.0]))
    return fig


__all__ = ["accuracy_chart", "claims_by_category_chart", "claims_by_month_chart", "entity_chart"]
