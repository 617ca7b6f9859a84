"""What-if page: weights, usage, lines, prices and porting risk; the ranking updates live.

The controls build a scenario (the same format as scenario files), so the settings can be
saved as YAML, loaded back, shared through the page address (`bind="query-params"`), and
are evaluated by exactly the code that evaluates scenario files. Weight changes only
re-rank the cached costs.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import streamlit as st

from reports import charts
from scenarios import montecarlo
from scenarios.api import Outcome
from scenarios.overlay import merge
from scoring.archive import yaml_bytes
from scoring.yamlio import parse_yaml_mapping
from ui import api
from ui.common import (
    bid_name,
    chart,
    component_name,
    criterion_name,
    evaluation_or_stop,
    lang,
    money,
    number,
    show_errors,
    tr,
)
from ui.state import SCENARIO_PROBLEMS, WHATIF_EXTRA, WHATIF_LOADED, WHATIF_SCENARIO, reset_whatif

PORTING_MAX = 20.0  # the porting slider's usual top, in %


def _defaults(ev) -> dict[str, float]:
    spec = ev.tender.spec
    out = {"w_price": float(spec.evaluation.price.weight)}
    out.update({f"w_{c.id}": float(c.weight) for c in spec.evaluation.criteria})
    out.update({f"u_{c}": 1.0 for c in _components(ev)})
    out["lines"] = 1.0
    out["growth"] = 0.0  # percentage points added to every profile's yearly line growth
    out.update({f"p_{b}": 0.0 for b in ev.costs.bids})
    if spec.switching is not None:
        out["porting"] = round(spec.switching.porting_failure_rate * 100, 1)
    return out


def _components(ev) -> list[str]:
    fleet = ev.costs.fleet
    return [c for k, c in enumerate(fleet.components) if fleet.used[:, k].any()]


def scenario_from_controls(ev, values: dict[str, float], extra: dict | None = None) -> dict:
    """The scenario the controls describe; parts left at their default are omitted, so the
    defaults evaluate exactly as the tender."""
    defaults = _defaults(ev)
    spec = ev.tender.spec
    scenario: dict = {"name": "What-if settings", "set": {}, "scale": {}}
    criteria = spec.evaluation.criteria
    weight_keys = ["w_price", *(f"w_{c.id}" for c in criteria)]
    if any(abs(values[k] - defaults[k]) > 1e-9 for k in weight_keys):
        price = values["w_price"]
        shares = [values[f"w_{c.id}"] for c in criteria]
        total = sum(shares)
        rest = 100.0 - price
        if abs(total - rest) <= 1e-9 * max(1.0, rest):
            weights = shares  # already adding up to the rest (a loaded scenario): kept exactly, not re-scaled
        else:
            weights = [rest * s / total if total > 0 else rest / len(criteria) for s in shares] if criteria else []
        if not criteria:
            price = 100.0
        scenario["set"]["evaluation"] = {"price": {"weight": price},
                                         "criteria": [{"id": c.id, "weight": w} for c, w in zip(criteria, weights)]}
    usage = {c: values[f"u_{c}"] for c in _components(ev) if abs(values[f"u_{c}"] - 1.0) > 1e-9}
    if usage:
        scenario["scale"]["usage"] = usage
    if abs(values["lines"] - 1.0) > 1e-9:
        scenario["scale"]["lines"] = values["lines"]
    if abs(values["growth"]) > 1e-9:
        scenario["set"]["profiles"] = [{"id": p.id, "line_growth": p.line_growth + values["growth"] / 100.0}
                                       for p in spec.profiles]
    prices = {b: 1.0 + values[f"p_{b}"] / 100.0 for b in ev.costs.bids if abs(values[f"p_{b}"]) > 1e-9}
    if prices:
        scenario["scale"]["prices"] = prices
    if "porting" in defaults and abs(values["porting"] - defaults["porting"]) > 1e-9:
        scenario["set"]["switching"] = {"porting_failure_rate": values["porting"] / 100.0}
    if extra:
        scenario = merge(scenario, extra)
    return {k: v for k, v in scenario.items() if v or k == "name"}


def controls_from_scenario(ev, scenario: dict) -> tuple[dict[str, float], dict]:
    """Widget values for a scenario, and the parts no control can show (applied as they are)."""
    values = _defaults(ev)
    rest = json.loads(json.dumps(scenario, default=str))
    rest.pop("name", None)
    rest.pop("description", None)
    scale = rest.get("scale") or {}
    usage = scale.pop("usage", {}) or {}
    for c in _components(ev):
        values[f"u_{c}"] = float(usage.get(c, usage.get("*", 1.0)))
    if "lines" in scale:
        values["lines"] = float(scale.pop("lines"))
    for b, f in (scale.pop("prices", {}) or {}).items():
        if f"p_{b}" in values:
            values[f"p_{b}"] = round((float(f) - 1.0) * 100, 2)
    settings = rest.get("set") or {}
    profiles = settings.get("profiles")
    if isinstance(profiles, list) and profiles and all(set(p) == {"id", "line_growth"} for p in profiles):
        base = {p.id: p.line_growth for p in ev.tender.spec.profiles}
        added = {round(p["line_growth"] - base.get(p["id"], 0.0), 9) for p in profiles}
        if len(added) == 1 and {p["id"] for p in profiles} == set(base):
            values["growth"] = round(added.pop() * 100, 6)
            settings.pop("profiles")
    evaluation = settings.pop("evaluation", None) or {}
    if "price" in evaluation and "weight" in (evaluation.get("price") or {}):
        values["w_price"] = float(evaluation["price"].pop("weight"))
        if not evaluation["price"]:
            evaluation.pop("price")
    for c in evaluation.pop("criteria", []) or []:
        if isinstance(c, dict) and f"w_{c.get('id')}" in values and "weight" in c:
            values[f"w_{c['id']}"] = float(c["weight"])
    if evaluation:
        settings["evaluation"] = evaluation
    switching = settings.get("switching") or {}
    if "porting" in values and "porting_failure_rate" in switching:
        values["porting"] = round(float(switching.pop("porting_failure_rate")) * 100, 2)
        if not switching:
            settings.pop("switching")
    extra = {k: v for k, v in {"set": settings, "scale": scale, "bids": rest.get("bids")}.items() if v}
    return values, extra


def apply_scenario(ev, scenario: dict) -> None:
    """Set the page's controls (and the parts no control shows) from a scenario mapping, as a
    loaded scenario file does; the Service & review and Switching pages apply a measured porting
    rate through it."""
    values, extra = controls_from_scenario(ev, scenario)
    for key, value in values.items():
        st.session_state[key] = value
    st.session_state[WHATIF_EXTRA] = extra
    st.session_state[WHATIF_LOADED] = scenario.get("name", "")


def _on_pick(ev, files) -> None:
    path = st.session_state.get("scenario_pick")
    if path:
        _load_bytes(ev, files[path], path)


def _on_upload(ev) -> None:
    up = st.session_state.get("scenario_upload")
    if up is not None:
        _load_bytes(ev, up.getvalue(), up.name)


def _load_bytes(ev, data: bytes, name: str) -> None:
    read = Outcome.of(parse_yaml_mapping, data, name)
    if not read.ok:
        st.session_state[SCENARIO_PROBLEMS] = read.problems
        return
    st.session_state.pop(SCENARIO_PROBLEMS, None)
    apply_scenario(ev, read.value)


def _controls(ev) -> dict[str, float]:
    spec = ev.tender.spec
    defaults = _defaults(ev)
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)
    values: dict[str, float] = {}
    st.markdown(f"**{tr('whatif.weights')}**")
    values["w_price"] = st.slider(tr("whatif.price_weight"), 0.0, 100.0, step=1.0, key="w_price", bind="query-params")
    if spec.evaluation.criteria:
        st.caption(tr("whatif.criteria_note"))
    for c in spec.evaluation.criteria:
        values[f"w_{c.id}"] = st.slider(c.name or c.id, 0.0, 100.0, step=1.0, key=f"w_{c.id}", bind="query-params")
    st.markdown(f"**{tr('whatif.usage')}**")
    for c in _components(ev):
        values[f"u_{c}"] = st.slider(component_name(c), 0.0, 3.0, step=0.05, key=f"u_{c}", bind="query-params", format="×%.2f")
    values["lines"] = st.slider(tr("whatif.lines"), 0.5, 2.0, step=0.05, key="lines", bind="query-params", format="×%.2f")
    lumps = ev.costs.lump_sums()  # contract v1.1: their cost does not follow the number of lines
    if lumps and abs(values["lines"] - 1.0) > 1e-9:
        st.warning(tr("whatif.lump_sum", bids=", ".join(bid_name(ev, b) for b in lumps)))
    values["growth"] = st.slider(tr("whatif.growth"), -10.0, 30.0, step=0.5, key="growth", bind="query-params",
                                 format="%+.1f pts")
    st.markdown(f"**{tr('whatif.prices')}**")
    for b in ev.costs.bids:
        values[f"p_{b}"] = st.slider(bid_name(ev, b), -50.0, 50.0, step=1.0, key=f"p_{b}", bind="query-params",
                                     format="%+.0f %%")
    if "porting" in defaults:
        # 0–20 %, or up to the rate set (a measured RIO rejection share may be higher), by 5 %.
        top = max(PORTING_MAX, math.ceil(float(st.session_state.get("porting") or 0.0) / 5.0) * 5.0)
        values["porting"] = st.slider(tr("whatif.porting"), 0.0, top, step=0.5, key="porting", bind="query-params",
                                      format="%.1f %%")
    if st.button(tr("whatif.reset"), key="whatif_reset"):
        reset_whatif()
        st.rerun()
    return values


def render() -> None:
    base = evaluation_or_stop()
    st.title(tr("page.whatif"))
    shipped = api.scenario_files()
    left, right = st.columns([1, 2])
    with left:
        st.subheader(tr("whatif.controls"))
        with st.expander(tr("whatif.load")):
            if shipped:
                st.selectbox(tr("whatif.load"), [""] + sorted(shipped), key="scenario_pick",
                             format_func=lambda p: p.split("/")[-1] if p else "—",
                             on_change=_on_pick, args=(base, shipped))
            st.file_uploader(tr("whatif.load_file"), type=["yaml", "yml"], key="scenario_upload",
                             on_change=_on_upload, args=(base,))
            if st.session_state.get(SCENARIO_PROBLEMS) is not None:
                show_errors(st.session_state[SCENARIO_PROBLEMS])
            if st.session_state.get(WHATIF_LOADED):
                st.caption(tr("whatif.loaded", name=st.session_state[WHATIF_LOADED]))
        values = _controls(base)
        extra = st.session_state.get(WHATIF_EXTRA) or {}
        if extra:
            st.info(tr("whatif.unsupported", parts=", ".join(sorted(extra))))
    scenario = scenario_from_controls(base, values, extra)
    st.session_state[WHATIF_SCENARIO] = scenario if len(scenario) > 1 else None
    outcome = api.whatif(scenario)
    with right:
        if not outcome.ok:
            show_errors(outcome.problems)
            return
        ev = outcome.value
        st.download_button(tr("whatif.save"), yaml_bytes(scenario), file_name="whatif.yaml",
                           mime="application/x-yaml", key="save_scenario")
        st.caption(tr("whatif.url"))
        st.subheader(tr("whatif.ranking"))
        st.dataframe(ranking_table(ev), hide_index=True, width="stretch")
        st.caption(tr("whatif.effective") + ", ".join(f"{criterion_name(ev, k)} {number(w, 1)}"
                                                              for k, w in _effective(ev, scenario)))
        chart(charts.ranking_chart(ev, lang()), "whatif_ranking")
        key = json.dumps(scenario, sort_keys=True)
        with st.expander(tr("whatif.sensitivity")):
            if st.toggle(tr("whatif.run_mc"), key="run_sensitivity", persist_state="session"):
                sens = api.sensitivity_of(ev, key)
                chart(charts.tornado_chart(sens, lang(), ev=ev), "tornado_chart")
                chart(charts.weight_stability_chart(sens, ev, lang()), "weights_chart")
        with st.expander(tr("whatif.montecarlo")):
            if ev.tender.spec.uncertainty is None:
                st.caption(tr("whatif.no_uncertainty"))
            # Kept across page switches like the sliders above (which the page address keeps).
            # The choices stay within FLEETBID_MAX_DRAWS, which a deployment may set below them.
            options = [n for n in (1000, 2000, 5000, 10000, 20000) if n <= montecarlo.MAX_DRAWS] or [montecarlo.MAX_DRAWS]
            draws = st.select_slider(tr("whatif.draws"), options, value=5000 if 5000 in options else options[-1],
                                     key="mc_draws", persist_state="session")
            if st.toggle(tr("whatif.run_mc"), key="run_mc", persist_state="session"):
                mc = api.monte_carlo_of(ev, key, draws, 1)
                chart(charts.mc_rank_chart(mc, ev, lang()), "mc_rank_chart")
                chart(charts.mc_tco_chart(mc, ev, lang()), "mc_tco_chart")


def _effective(ev, scenario) -> list[tuple[str, float]]:
    spec = ev.tender.spec.evaluation
    weights = (scenario.get("set") or {}).get("evaluation")
    if weights:
        price = weights["price"]["weight"]
        return [("price", price), *((c["id"], c["weight"]) for c in weights.get("criteria", []))]
    return [("price", spec.price.weight), *((c.id, c.weight) for c in spec.criteria)]


def ranking_table(ev) -> pd.DataFrame:
    rows = []
    for b in sorted(ev.costs.bids, key=lambda b: (ev.ranking.rank[b] is None, ev.ranking.rank[b] or 0, b)):
        rows.append({tr("row.rank"): str(ev.ranking.rank[b] or tr("knocked_out")), tr("row.operator"): bid_name(ev, b),
                     tr("row.tco"): money(ev.figures[b].tco), tr("row.total"): number(ev.ranking.total[b])
                     if ev.ranking.total[b] is not None else "—"})
    return pd.DataFrame(rows)


__all__ = ["controls_from_scenario", "reset_whatif", "scenario_from_controls"]
