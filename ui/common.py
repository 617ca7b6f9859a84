"""What every page shares: the language, texts, names, and the error table."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from scoring import Evaluation
from ui import api, i18n
from ui.text import PAGE_TEXT


def lang() -> str:
    value = st.session_state.get("lang", "en")
    return value if value in i18n.LANGS else "en"


def tr(key: str, **kw) -> str:
    entry = PAGE_TEXT.get(key)
    if entry is not None:
        return entry[lang()].format(**kw) if kw else entry[lang()]
    return i18n.t(key, lang(), **kw)


def money(x, decimals: int = 0) -> str:
    return i18n.money(x, lang(), decimals=decimals)


def number(x, decimals: int = 2) -> str:
    return i18n.number(x, lang(), decimals)


def percent(x, decimals: int = 0) -> str:
    return i18n.percent(x, lang(), decimals)


def bid_name(ev: Evaluation, bid_id: str) -> str:
    return ev.tender.bid(bid_id).operator


def criterion_name(ev: Evaluation, criterion_id: str) -> str:
    if criterion_id == "price":
        return "Price" if lang() == "en" else "Prix"
    c = next((c for c in ev.tender.spec.evaluation.criteria if c.id == criterion_id), None)
    return (c.name or c.id) if c else criterion_id


def show_errors(errors: pd.DataFrame) -> None:
    st.error(tr("errors.title"))
    st.dataframe(errors.rename(columns={"file": tr("errors.file"), "field": tr("errors.field"),
                                        "problem": tr("errors.problem")}), hide_index=True, width="stretch")


def evaluation_or_stop() -> Evaluation:
    """The evaluation of the tender in use; on input errors, show them and stop the page."""
    ev = api.evaluation()
    if isinstance(ev, pd.DataFrame):
        show_errors(ev)
        st.stop()
    return ev


def flags_text(flags: list[str]) -> str:
    return ", ".join(tr(f"flag.{f}") for f in flags) if flags else "—"
