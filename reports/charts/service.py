"""Charts of the service levels (docs/service-levels.md, the app's Service & review page): a
KPI's value per period against its target, service credits due vs received per period, the
porting funnel and its rejections by reason, and a RIO check by reason. They draw the figures
of `monitoring.service_levels.ServiceLevels` and `monitoring.rio.RioCheck` and compute
nothing: a KPI's status (red/amber/green) is given by the caller (the review's rule,
`reports.review`), never decided here.

Shares (`reports.review.is_ratio`) are drawn in percent points; other KPIs in their measure's
unit (minutes, working days)."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from monitoring.rio import REASONS, RioCheck
from monitoring.service_levels import KpiResult, ServiceLevels

from ..formats import money, number, percent
from ..review import is_ratio
from ..review import value_text as review_value_text
from ..text import t
from .style import GRID, INK, MUTED, OKABE_ITO, _axis, _layout, _message, _money_axis, _pct_suffix, _wrap

STATUS_COLORS = {"green": OKABE_ITO[2], "amber": OKABE_ITO[1], "red": OKABE_ITO[5], "none": "#9E9E9E"}
VALUE_COLOR = "#1F3A5F"
DUE_COLOR = OKABE_ITO[5]  # vermilion: what the operator owes
RECEIVED_COLOR = OKABE_ITO[0]  # blue: what it paid
FUNNEL_COLORS = ("#1F3A5F", OKABE_ITO[0], OKABE_ITO[2])


def unit(k: KpiResult, lang: str) -> str:
    """The unit a KPI's value is in ("" for a share, shown as a percent)."""
    return "" if is_ratio(k) else t(f"review.unit.{k.measure}", lang)


def value_text(value: float | None, k: KpiResult, lang: str) -> str:
    """A KPI value (or target) as the review minutes print it (`reports.review.value_text`),
    with its unit when it is not a share; "—" for no value."""
    shown = review_value_text(value, k, lang)
    return shown if value is None or is_ratio(k) else f"{shown} {unit(k, lang)}"


def statistic_text(k: KpiResult, lang: str) -> str:
    """What the value is: "90th percentile", "share within 2 working days"…"""
    if k.statistic != "share_within":
        return t(f"review.stat.{k.statistic}", lang)
    within = f"{number(k.within, lang, 0 if float(k.within).is_integer() else 1)} {t(f'review.unit.{k.measure}', lang)}"
    return t("review.stat.share_within" if k.better == "lower" else "review.stat.share_above", lang, within=within)


def _scaled(value: float | None, k: KpiResult) -> float | None:
    return None if value is None else 100.0 * value if is_ratio(k) else value


def _count_axis(title: str, top: int) -> dict:
    """An axis of whole counts: a tick per unit up to 10, never a fraction."""
    return _axis(title, tickformat=",d", rangemode="tozero", **({"dtick": 1} if top <= 10 else {}))


def kpi_trend_chart(results: Sequence[KpiResult], statuses: Sequence[str], lang: str) -> go.Figure:
    """One KPI per period (``results``: `ServiceLevels.kpi(id)`): its value as a line with a
    point per period coloured by its status (``statuses``, one per period: green, amber, red
    or none: `reports.review.kpi_status`), each labelled, and the target as a dashed line. A period without a record has
    no point (the line is broken there)."""
    first = results[0]
    title = t("svc.chart.trend", lang, kpi=first.name)
    periods = [k.period for k in results]
    values = [_scaled(k.value, k) for k in results]
    if all(v is None for v in values):
        return _message(lang, title, t("svc.no_value", lang))
    statuses = list(statuses)
    status_words = [t(f"review.status.{s}", lang) for s in statuses]
    hover = [f"<b>{k.period}</b><br>{value_text(k.value, k, lang)} ({w})<br>"
             f"{t('svc.card.target', lang, target=value_text(k.target, k, lang), n=number(k.n, lang, 0), open=number(k.open, lang, 0))}"
             for k, w in zip(results, status_words)]
    fig = go.Figure()
    fig.add_scatter(x=periods, y=values, mode="lines+markers+text", name=t("svc.legend.value", lang),
                    line={"color": VALUE_COLOR, "width": 2.5}, connectgaps=False,
                    marker={"size": 13, "color": [STATUS_COLORS[s] for s in statuses],
                            "line": {"color": "white", "width": 1.5}},
                    text=[review_value_text(k.value, k, lang) if k.value is not None else "" for k in results],
                    textposition="top center", textfont={"size": 11, "color": INK}, cliponaxis=False,
                    customdata=hover, hovertemplate="%{customdata}<extra></extra>")
    target = _scaled(first.target, first)
    fig.add_scatter(x=periods, y=[target] * len(periods), mode="lines", name=t("svc.legend.target", lang),
                    line={"color": MUTED, "width": 2, "dash": "dash"}, hoverinfo="skip")
    top = max([v for v in values if v is not None] + [target])
    ratio = is_ratio(first)
    yaxis = (_axis(t("review.col.value", lang) + " (%)", tickformat=",.0f", ticksuffix=_pct_suffix(lang),
                   range=[max(0.0, min([v for v in values if v is not None] + [target]) - 10.0), 103.0])
             if ratio else _axis(unit(first, lang), rangemode="tozero", range=[0, top * 1.2 if top > 0 else 1]))
    _layout(fig, lang, _wrap(title, 46), subtitle=t("svc.chart.trend_sub", lang, statistic=statistic_text(first, lang),
                                         target=value_text(first.target, first, lang)),
            height=360, xaxis=_axis(t("svc.axis.period", lang), type="category", showgrid=False), yaxis=yaxis)
    return fig


def credits_chart(sl: ServiceLevels, lang: str) -> go.Figure:
    """Per period: the credit due (after the period's cap) beside the credit received on the
    invoices of its billing periods, each bar labelled; the totals in the subtitle."""
    title = t("svc.chart.credits", lang)
    if not sl.periods:
        return _message(lang, title, t("svc.no_period", lang))
    cur = sl.currency
    credits = [sl.by_period[p] for p in sl.periods]
    fig = go.Figure()
    for key, color, values in (("svc.legend.due", DUE_COLOR, [c.credit_due for c in credits]),
                               ("svc.legend.received", RECEIVED_COLOR, [c.credit_received for c in credits])):
        fig.add_bar(x=list(sl.periods), y=values, name=t(key, lang), marker_color=color,
                    text=[money(v, lang, cur, 2) for v in values], textposition="outside", cliponaxis=False,
                    constraintext="none", textfont={"size": 11},
                    customdata=[f"<b>{p}</b><br>{t(key, lang)}: {money(v, lang, cur, 2)}" for p, v in zip(sl.periods, values)],
                    hovertemplate="%{customdata}<extra></extra>")
    top = max([0.0, *(c.credit_due for c in credits), *(c.credit_received for c in credits)])
    axis = _money_axis(t("svc.axis.amount", lang, currency=cur))
    if top > 0:
        axis["range"] = [0, top * 1.2]
    due = sum(c.credit_due for c in credits)
    received = sum(c.credit_received for c in credits)
    _layout(fig, lang, title, subtitle=t("svc.chart.credits_sub", lang, due=money(due, lang, cur, 2),
                                         received=money(received, lang, cur, 2)),
            barmode="group", bargap=0.3, height=380,
            xaxis=_axis(t("svc.axis.period", lang), type="category", showgrid=False), yaxis=axis)
    return fig


def funnel_counts(sl: ServiceLevels) -> tuple[int, int, int]:
    """Requested, eligible (requested − rejected: the ports the losing operator accepted) and
    ported, over all periods."""
    requested = sum(p.requested for p in sl.porting)
    rejected = sum(p.rejected for p in sl.porting)
    return requested, requested - rejected, sum(p.ported for p in sl.porting)


def porting_funnel_chart(sl: ServiceLevels, lang: str) -> go.Figure:
    """Requested → eligible → ported over all periods (`funnel_counts`), with the share of
    the requests at each step."""
    title = t("svc.chart.funnel", lang)
    counts = funnel_counts(sl)
    if not counts[0]:
        return _message(lang, title, t("svc.no_ports", lang) if not sl.porting else t("label.no_data", lang))
    labels = [t(f"svc.col.{k}", lang) for k in ("requested", "eligible", "ported")]
    fig = go.Figure(go.Funnel(
        y=labels, x=list(counts), marker={"color": list(FUNNEL_COLORS)},
        text=[f"{number(n, lang, 0)} ({percent(n / counts[0], lang, 1)})" for n in counts], textinfo="text",
        textfont={"size": 13, "color": "white"}, connector={"line": {"color": GRID}},
        hovertemplate="%{y}: %{x}<extra></extra>"))
    _layout(fig, lang, title, legend=None, height=320, yaxis=_axis("", showgrid=False),
            xaxis=_axis(t("svc.axis.requests", lang), showgrid=False))
    return fig


def porting_reasons_chart(sl: ServiceLevels, lang: str) -> go.Figure:
    """Rejected and lost ports over all periods, by the log's reason (most frequent first)."""
    title = t("svc.chart.reasons", lang)
    total: dict[str, int] = {}
    for p in sl.porting:
        for reason, n in p.reasons.items():
            total[reason] = total.get(reason, 0) + n
    if not total:
        return _message(lang, title, t("svc.no_ports", lang) if not sl.porting else t("label.no_data", lang))
    reasons = sorted(total, key=lambda r: (-total[r], r))
    shown = [_wrap(r or t("svc.no_reason", lang), 26) for r in reasons]
    fig = go.Figure(go.Bar(x=[total[r] for r in reasons], y=shown, orientation="h", marker_color=DUE_COLOR,
                           text=[number(total[r], lang, 0) for r in reasons], textposition="outside",
                           cliponaxis=False, showlegend=False, hovertemplate="%{y}: %{x}<extra></extra>"))
    _layout(fig, lang, _wrap(title, 40), legend=None, height=max(260, 130 + 56 * len(reasons)), margin={"r": 40},
            xaxis=_count_axis(t("svc.axis.requests", lang), max(total.values())),
            yaxis=_axis("", autorange="reversed", showgrid=False))
    return fig


def rio_reasons_chart(check: RioCheck, lang: str) -> go.Figure:
    """Rows of a RIO check per reason (every reason listed, in the check's order)."""
    title = t("svc.chart.rio", lang)
    if not check.lines:
        return _message(lang, title, t("label.no_data", lang))
    counts = check.by_reason()
    fig = go.Figure(go.Bar(x=[counts[r] for r in REASONS], y=[_wrap(t(f"rio.reason.{r}", lang), 30) for r in REASONS],
                           orientation="h", marker_color=[STATUS_COLORS["amber"] if r == "personal" else DUE_COLOR
                                                          for r in REASONS],
                           text=[number(counts[r], lang, 0) for r in REASONS], textposition="outside",
                           cliponaxis=False, showlegend=False, hovertemplate="%{y}: %{x}<extra></extra>"))
    _layout(fig, lang, title, legend=None, height=120 + 52 * len(REASONS), margin={"r": 40},
            xaxis=_count_axis(t("svc.axis.rows", lang), max(counts.values())),
            yaxis=_axis("", autorange="reversed", showgrid=False))
    return fig


__all__ = ["STATUS_COLORS", "credits_chart", "funnel_counts", "kpi_trend_chart", "porting_funnel_chart",
           "porting_reasons_chart", "rio_reasons_chart", "statistic_text", "unit", "value_text"]
