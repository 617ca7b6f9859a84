"""The charts' house style and shared helpers: colours (operators in Okabe–Ito, always the
same colour for a bid; cost components in their registry colour), layout, axes, names.

Every chart returns a `plotly.graph_objects.Figure` ready for ``st.plotly_chart``: template
``plotly_white``, number separators of the language, every value axis titled with its unit,
operators named (never by bid id).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from scoring.components import colours
from scoring.evaluate import Evaluation

from ..formats import NBSP, NNBSP, plotly_separators
from ..names import amounts_basis
from ..text import t

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")

# Cost components: their colours are declared with them (scoring/components.py).
COMPONENT_COLORS = colours()
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


def _basis(ev: Evaluation | None, lang: str) -> str:
    """What the amounts are stated in ("excl. VAT", with the tender's non-recoverable tax)."""
    return amounts_basis(ev.tender if ev is not None else None, lang)


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


def _nothing_costed(ev: Evaluation, lang: str, title: str) -> go.Figure:
    """The chart of costs when no bid could be costed: the bids not costed, named (else "no data")."""
    return _message(lang, title, _not_costed_note(ev, lang) or t("label.no_data", lang))


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
