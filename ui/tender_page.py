"""Tender page: the tender in use, its fleet, and every bid's cost over the term."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from scoring.cost import COMPONENTS
from ui.api import evaluation

MONEY = st.column_config.NumberColumn(format="euro")


def fleet_table(ev) -> pd.DataFrame:
    fleet = ev.costs.fleet
    names = {p.id: p.name or p.id for p in ev.tender.spec.profiles}
    frame = pd.DataFrame(fleet.lines0, index=[names[p] for p in fleet.profiles], columns=list(fleet.entities))
    frame["total"] = frame.sum(axis=1)
    return frame.round(0)


def cost_table(ev) -> pd.DataFrame:
    data = ev.to_dict()
    lines_months = float(ev.costs.fleet.lines.sum(axis=(1, 2)) @ ev.costs.fleet.months_in_year)
    rows = []
    for b in data["bids"]:
        row = {
            "bid": b["operator"],
            "rank": str(b["rank"]) if b["rank"] else "knocked out",
            "TCO": b["tco"],
            "bid cost": b["bid_cost"],
            "switching": b["switching_cost"],
            "NPV": b["npv"],
            "per line per month": None if b["tco"] is None else b["tco"] / lines_months,
            "total score": None if b["total_score"] is None else round(b["total_score"], 2),
        }
        for y, amount in enumerate(b["annual_cost"] or []):
            row[f"year {y + 1}"] = amount
        rows.append(row)
    return pd.DataFrame(rows).set_index("bid")


def breakdown_table(ev) -> pd.DataFrame:
    names = {b.id: b.operator for b in ev.tender.bids}
    frame = pd.DataFrame(ev.costs.by_component(), index=[names[b] for b in ev.costs.bids], columns=COMPONENTS)
    return frame.loc[:, np.nan_to_num(np.abs(frame.to_numpy()), nan=0).sum(axis=0) > 0]


def render() -> None:
    ev = evaluation()
    if isinstance(ev, pd.DataFrame):
        st.title("Tender")
        st.error("The tender has errors; nothing was evaluated.")
        st.dataframe(ev, hide_index=True)
        return
    spec = ev.tender.spec
    st.title(ev.tender.name)
    incumbent = spec.incumbent or "none"
    st.caption(f"{spec.buyer or ''} · {spec.term_months} months · incumbent: {incumbent} · "
               f"amounts in {spec.currency} excl. VAT")
    st.subheader("Fleet at contract start (lines by profile and entity)")
    st.dataframe(fleet_table(ev))
    st.subheader("Cost of each bid over the term")
    table = cost_table(ev)
    money_cols = [c for c in table.columns if c not in ("rank", "total score")]
    st.dataframe(table, column_config={c: MONEY for c in money_cols})
    st.subheader("Cost by component")
    st.dataframe(breakdown_table(ev), column_config={c: MONEY for c in COMPONENTS})
    for b in ev.tender.bids:
        for reason in ev.knockouts(b.id):
            st.warning(f"{b.operator} is knocked out: {reason}")
    for w in ev.warnings:
        st.info(w)
