"""Compare page: the bids side by side, the ranking and why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from reports import charts
from reports.names import amounts_basis, bids_by_rank, profile_name
from reports.risks import knockout_reason
from scoring.unit_prices import UnitPrices
from ui import api
from ui.common import (
    bid_name,
    chart,
    criterion_name,
    evaluation_or_stop,
    flags_text,
    lang,
    money,
    number,
    tr,
)

BEST_STYLE = "font-weight: 700; color: #006d3c; background-color: #e3f4ea"


def side_by_side(ev) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(display strings, numeric values) with one column per bid, in rank order (knocked-out
    bids last); best value per row from the numeric frame (lowest cost, highest points and
    rank 1)."""
    ids = bids_by_rank(ev)
    cols = [bid_name(ev, b) for b in ids]
    years = ev.tender.spec.term_months / 12
    per_line = ev.costs.fleet.total_line_months
    r = ev.ranking
    numeric = {
        "row.rank": [r.rank[b] for b in ids],
        "row.tco": [ev.figures[b].tco for b in ids],
        "row.annual": [None if ev.figures[b].tco is None else ev.figures[b].tco / years for b in ids],
        "row.per_line": [None if ev.figures[b].tco is None else ev.figures[b].tco / per_line for b in ids],
        "row.switching": [None if ev.figures[b].tco is None else ev.figures[b].tco - ev.figures[b].bid_cost
                          for b in ids],
        "row.price": [r.price_score[b] for b in ids],
        "row.quality": [r.quality_score[b] for b in ids],
        "row.total": [r.total[b] for b in ids],
    }
    if any(ev.figures[b].service_cost is not None for b in ids):
        numeric["row.service"] = [ev.figures[b].service_cost for b in ids]
    fmt = {"row.rank": lambda v: str(v) if v else tr("knocked_out"),
           "row.per_line": lambda v: money(v, 2), "row.price": lambda v: number(v), "row.quality": lambda v: number(v),
           "row.total": lambda v: number(v)}
    display = {tr(k): [fmt.get(k, money)(v) if v is not None else "—" for v in vals] for k, vals in numeric.items()}
    display[tr("row.rank")] = [fmt["row.rank"](v) for v in numeric["row.rank"]]
    lumps = ev.costs.lump_sums()  # contract v1.1: billed mostly as fleet-level lump sums
    display[tr("row.flags")] = [flags_text([*r.flags[b], *(["lump_sum"] if b in lumps else [])]) for b in ids]
    display[tr("row.knockouts")] = ["; ".join(knockout_reason(ev, r, lang()) for r in ev.knockouts(b)) or "—" for b in ids]
    values = pd.DataFrame({tr(k): v for k, v in numeric.items()}, index=cols).T
    return pd.DataFrame(display, index=cols).T, values


LOWER_IS_BETTER = ("row.rank", "row.tco", "row.annual", "row.per_line", "row.switching", "row.service")


def best_mask(values: pd.DataFrame, compliant: list[bool]) -> pd.DataFrame:
    mask = pd.DataFrame(False, index=values.index, columns=values.columns)
    lower = {tr(k) for k in LOWER_IS_BETTER}
    for row in values.index:
        v = pd.to_numeric(values.loc[row], errors="coerce").to_numpy(dtype=float)
        v = np.where(compliant, v, np.nan)
        if np.isnan(v).all():
            continue
        best = np.nanmin(v) if row in lower else np.nanmax(v)
        mask.loc[row] = np.isclose(v, best) & ~np.isnan(v)
    return mask


def render() -> None:
    ev = evaluation_or_stop()
    st.title(tr("page.compare"))
    st.download_button(tr("download.workbook"), data=lambda: api.workbook_bytes(ev), file_name="evaluation.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="download_xlsx",
                       on_click="ignore")
    display, values = side_by_side(ev)
    compliant = [ev.ranking.compliant[b] for b in bids_by_rank(ev)]
    mask = best_mask(values, compliant).reindex(display.index, fill_value=False)
    styled = display.style.apply(lambda _: np.where(mask, BEST_STYLE, ""), axis=None)
    st.subheader(tr("compare.table"))
    st.dataframe(styled, width="stretch")
    left, right = st.columns(2)
    chart(charts.ranking_chart(ev, lang()), "ranking_chart", left)
    chart(charts.breakdown_chart(ev, lang()), "breakdown_chart", right)
    left, right = st.columns(2)
    chart(charts.radar_chart(ev, lang()), "radar_chart", left)
    with right:
        why_panel(ev)
    unit_prices_panel(ev)


def unit_prices_tables(ev, up: UnitPrices, column: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(profile × bid: ``column``'s cost per line per month, with each profile's line-months;
    how each bid's rows add up to its TCO over the term), as display strings, the costed bids
    in rank order (``up``: `ui.api.unit_prices_of` ``ev``)."""
    bids = [b for b in bids_by_rank(ev) if b in up.bids]
    fleet = ev.costs.fleet
    profiles = [profile_name(ev.tender, p) for p in fleet.profiles]
    per = {tr("unit.line_months"): [number(x, 0) for x in fleet.line_months]}
    adds: dict[str, list[str]] = {}
    for b in bids:
        rows, other = up.of(b)
        per[bid_name(ev, b)] = [money(x, 2) for x in rows[column]]
        per_line = float(rows["cost"].sum())
        adds[bid_name(ev, b)] = [money(per_line), *(money(other[c]) for c in up.items), money(other["total"]),
                                 money(per_line + float(other["total"]))]
    index = [tr("unit.per_line_costs"), *(tr(f"unit.item.{c}") for c in up.items), tr("unit.item.total"),
             tr("unit.tco")]
    return pd.DataFrame(per, index=profiles), pd.DataFrame(adds, index=index)


def unit_prices_panel(ev) -> None:
    """Each bid's cost per line per month by profile, one component at a time, and how the rows
    add up to the TCO."""
    with st.expander(tr("unit.title")):
        st.caption(tr("unit.caption", currency=ev.tender.spec.currency, basis=amounts_basis(ev.tender, lang())))
        up = api.unit_prices_of(ev)
        if not up.bids:
            st.info(tr("unit.none"))
            return
        labels = {tr(f"unit.col.{c}"): c for c in (*up.columns, "total")}  # options in the page language
        choice = st.selectbox(tr("unit.component"), list(labels), index=len(labels) - 1, key="unit_component")
        per, adds = unit_prices_tables(ev, up, labels[choice])
        st.dataframe(per, width="stretch")
        st.caption(tr("unit.adds_up"))
        st.dataframe(adds, width="stretch")


def why_panel(ev) -> None:
    st.subheader(tr("compare.why"))
    x = ev.explanation
    if ev.winner is None:
        st.warning(tr("compare.no_winner"))
    elif x.runner_up is None:
        st.info(tr("compare.only_one", winner=bid_name(ev, ev.winner)))
    else:
        st.info(tr("compare.margin", winner=bid_name(ev, ev.winner), runner=bid_name(ev, x.runner_up),
                   margin=number(x.margin)))
    ranked = [b for b in bids_by_rank(ev) if ev.ranking.rank[b]]
    if ranked:
        rows = {}
        for key, best in x.best.items():
            row = {tr("compare.best"): bid_name(ev, best) if best else "—"}
            row.update({bid_name(ev, b): "—" if x.lost[b][key] is None else f"−{number(x.lost[b][key])}"
                        if x.lost[b][key] > 1e-9 else "0" for b in ranked})
            rows[criterion_name(ev, key)] = row
        st.caption(tr("compare.lost"))
        st.dataframe(pd.DataFrame.from_dict(rows, orient="index"), width="stretch")
    basis = ev.tender.spec.evaluation.price.basis
    rows = [r for r in x.formula_comparison if r["basis"] == basis]
    if rows:
        st.caption(tr("compare.formulas"))
        st.dataframe(pd.DataFrame([{
            tr("compare.formula"): r["formula"] + (f" ({tr('compare.chosen')})" if r["chosen"] else ""),
            tr("compare.winner"): bid_name(ev, r["winner"]) if r["winner"] else (r["note"] or "—"),
        } for r in rows]), hide_index=True, width="stretch")
    for w in ev.warnings:
        st.warning(w)
