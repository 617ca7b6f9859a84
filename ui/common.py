"""What every page shares: the language, texts (the one catalogue, reports/text), names, and
the error table."""

from __future__ import annotations

from collections.abc import Iterable

import streamlit as st

from reports import formats, names
from reports.text import TEXT, t
from scoring import Evaluation, Problem
from ui import api
from ui.state import CURRENCY, LANG


def lang() -> str:
    """The page language: the sidebar switch holds "EN" or "FR" (tests may set "en"/"fr")."""
    value = str(st.session_state.get(LANG) or "en").lower()
    return value if value in formats.LANGS else "en"


def tr(key: str, **kw) -> str:
    """The catalogue's text ``key`` (reports/text) in the page language."""
    return t(key, lang(), **kw)


def money(x, decimals: int = 0) -> str:
    return formats.money(x, lang(), currency=st.session_state.get(CURRENCY, "EUR"), decimals=decimals)


def number(x, decimals: int = 2) -> str:
    return formats.number(x, lang(), decimals)


def percent(x, decimals: int = 0) -> str:
    return formats.percent(x, lang(), decimals)


def bid_name(ev: Evaluation, bid_id: str) -> str:
    return names.bid_name(ev.tender, bid_id)


def criterion_name(ev: Evaluation, criterion_id: str) -> str:
    return names.criterion_name(ev.tender, criterion_id, price=tr("label.price"))


def show_errors(problems: Iterable[Problem], title: str = "errors.title") -> None:
    """The error table (file, field, problem) under a message (``title``: a text key)."""
    st.error(tr(title))
    st.dataframe(api.problems_frame(problems).rename(columns={"file": tr("errors.file"), "field": tr("errors.field"),
                                        "problem": tr("errors.problem")}), hide_index=True, width="stretch")


def evaluation_or_stop() -> Evaluation:
    """The evaluation of the tender in use; on input errors, show them and stop the page."""
    outcome = api.evaluation()
    if not outcome.ok:
        show_errors(outcome.problems)
        st.stop()
    ev = outcome.value
    st.session_state[CURRENCY] = ev.tender.spec.currency
    formats.set_amounts_locale(ev.tender.spec.locale)  # this run's amounts grouped in the tender's locale
    return ev


def flags_text(flags: list[str]) -> str:
    return ", ".join(tr(f"flag.{f}") for f in flags) if flags else "—"


def chart(fig, key: str, where=None) -> None:
    """Show a figure; a vertical legend, or any legend in a column, moves below the plot,
    on as many rows as it needs."""
    legend = fig.layout.legend
    # In a column (``where`` given) any legend goes below the plot: above it collides with
    # the title, at the right it squeezes the plot.
    if fig.layout.showlegend is not False and (legend.orientation == "v" or where is not None):
        names = [trace.name for trace in fig.data if trace.showlegend is not False and trace.name]
        per_row = 1 if max((len(n) for n in names), default=0) > 28 else 2  # long names get a row each
        rows = max(1, -(-len(names) // per_row))
        extra = 22 * rows + 20
        fig.update_layout(
            legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": 0.0, "yanchor": "bottom",
                    "yref": "container", "entrywidth": 1.0 / per_row, "entrywidthmode": "fraction"},
            height=(fig.layout.height or 450) + extra,
            margin={"b": (fig.layout.margin.b or 10) + extra},
        )
    (where or st).plotly_chart(fig, key=key, theme=None)


def component_name(component: str, language: str | None = None) -> str:
    """A usage component's label (its id when the vocabulary is the buyer's own), in the page
    language or ``language``."""
    entry = TEXT.get(f"usage_unit.{component}")
    return entry[language or lang()] if entry else component
