"""Award split page: the fleet split across operators at the lowest cost the buyer's rules
allow (docs/award-split.md), and what each rule costs.

The rules start from the tender's ``award`` block (the defaults without one) and are edited
here; the controls build a scenario (``set: {award: …}``, the overlay rules of
scenarios/overlay.py) that is asked of the facade (`Fleetbid.award`, cached by `ui.api.award`),
carried in the page address (`bind="query-params"`) and saved as a scenario file. Rules left as
the tender states them are not in the scenario: untouched controls show the tender as written.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from reports import award as words
from reports.charts.award import award_map_chart, share_curve_chart
from reports.names import profile_name
from scoring.archive import yaml_bytes
from scoring.award_spec import UNIT_KINDS, AwardSpec, units_of
from ui import api
from ui.common import bid_name, chart, evaluation_or_stop, lang, money, number, percent, show_errors, tr
from ui.state import AWARD_PREFIX, reset_award

SCENARIO_NAME = "Award split settings"
REGIMES = ("private", "public_fr")
DEFAULTS: dict[str, Any] = {"unit": "entity", "max_operators": None, "min_operators": 1, "max_share": 1.0,
                            "min_share": 0.0, "incumbent_min_share": 0.0, "regime": "private", "min_total_score": None,
                            "fixed": {}}
SHARES = ("max_share", "min_share", "incumbent_min_share")  # shown in percent on the sliders
TRY = AWARD_PREFIX + "try"  # a tender without an award block: the user tries one
FIX = AWARD_PREFIX + "fix_"  # one selectbox per unit: the bid it is fixed to


def base_rules(ev) -> dict[str, Any]:
    """The tender's award rules (its block, else the defaults), as the controls hold them."""
    block = ev.tender.spec.award
    rules = dict(DEFAULTS)
    if block is not None:
        rules.update({k: v for k, v in block.model_dump().items() if k in DEFAULTS})
        rules["fixed"] = dict(block.fixed)
    return rules


def units_for(ev, unit_kind: str) -> list[str]:
    """The award units of the tender for ``unit_kind`` (`scoring.award_spec.units_of`)."""
    spec = ev.tender.spec.model_copy(update={"award": AwardSpec(unit=unit_kind)})
    return [uid for uid, _ in units_of(spec)]


def scenario_from_rules(ev, rules: dict[str, Any]) -> dict | None:
    """The scenario that turns the tender's award block into ``rules``: only what differs, a
    rule back at its default deleted (null); None when nothing differs (the tender as written)."""
    base = base_rules(ev)
    has_block = ev.tender.spec.award is not None
    over: dict[str, Any] = {}
    for key, value in rules.items():
        if key == "fixed":
            continue
        if value != base[key] or (key == "unit" and not has_block):
            over[key] = None if value == DEFAULTS[key] and key != "unit" else value
    fixed = rules.get("fixed") or {}
    if fixed != base["fixed"]:
        over["fixed"] = {**{u: None for u in base["fixed"] if u not in fixed}, **fixed} or None
    if not over:
        return None
    return {"name": SCENARIO_NAME, "set": {"award": over}}


def rules_from_scenario(ev, scenario: dict | None) -> dict[str, Any]:
    """The rules a scenario made by `scenario_from_rules` sets (the inverse, for the tests and
    a page address opened afresh)."""
    rules = base_rules(ev)
    over = ((scenario or {}).get("set") or {}).get("award") or {}
    for key, value in over.items():
        if key == "fixed":
            fixed = dict(rules["fixed"])
            for u, b in (value or {}).items():
                if b is None:
                    fixed.pop(u, None)
                else:
                    fixed[u] = b
            rules["fixed"] = fixed if value is not None else {}
        elif key in DEFAULTS:
            rules[key] = DEFAULTS[key] if value is None else value
    return rules


def _seed(rules: dict[str, Any]) -> None:
    """Each control's starting value: the tender's rule, unless the page address or the user set it."""
    for key in ("unit", "max_operators", "min_operators", "regime", "min_total_score"):
        st.session_state.setdefault(AWARD_PREFIX + key, rules[key])
    for key in SHARES:
        st.session_state.setdefault(AWARD_PREFIX + key, round(rules[key] * 100, 6))


def _controls(ev) -> dict[str, Any]:
    spec = ev.tender.spec
    base = base_rules(ev)
    _seed(base)
    n_bids = len(ev.tender.bids)
    rules: dict[str, Any] = {}
    rules["unit"] = st.selectbox(tr("award.ctl.unit"), UNIT_KINDS, key=AWARD_PREFIX + "unit", bind="query-params",
                                 help=tr("award.ctl.unit_help"))
    # None: the number of eligible bids (the contract's default), shown as the number of bids.
    if st.session_state.get(AWARD_PREFIX + "max_operators") is None:
        st.session_state[AWARD_PREFIX + "max_operators"] = n_bids
    most = st.number_input(tr("award.ctl.max_operators"), 1, max(n_bids, 1), step=1,
                           key=AWARD_PREFIX + "max_operators", bind="query-params")
    rules["max_operators"] = None if most == n_bids else int(most)  # every bid: no limit (the default)
    rules["min_operators"] = int(st.number_input(tr("award.ctl.min_operators"), 1, max(n_bids, 1), step=1,
                                                 key=AWARD_PREFIX + "min_operators", bind="query-params"))
    rules["max_share"] = st.slider(tr("award.ctl.max_share"), 0.0, 100.0, step=5.0, format="%.0f %%",
                                   key=AWARD_PREFIX + "max_share", bind="query-params") / 100.0
    rules["min_share"] = st.slider(tr("award.ctl.min_share"), 0.0, 100.0, step=5.0, format="%.0f %%",
                                   key=AWARD_PREFIX + "min_share", bind="query-params") / 100.0
    if spec.incumbent is not None and any(b.id == spec.incumbent for b in ev.tender.bids):
        rules["incumbent_min_share"] = st.slider(
            tr("award.ctl.incumbent_min_share", name=bid_name(ev, spec.incumbent)), 0.0, 100.0, step=5.0,
            format="%.0f %%", key=AWARD_PREFIX + "incumbent_min_share", bind="query-params") / 100.0
    else:
        rules["incumbent_min_share"] = base["incumbent_min_share"]
    rules["regime"] = st.radio(tr("award.ctl.regime"), REGIMES, key=AWARD_PREFIX + "regime", bind="query-params",
                               horizontal=True, help=tr("award.ctl.regime_help"))
    score = st.number_input(tr("award.ctl.min_total_score"), 0.0, 100.0, step=1.0, key=AWARD_PREFIX + "min_total_score",
                            bind="query-params")
    rules["min_total_score"] = None if score is None else float(score)
    rules["fixed"] = _fixed(ev, rules["unit"], base)
    for key in SHARES:  # the sliders' percent back to the share the tender wrote when unchanged
        if abs(rules[key] - base[key]) < 5e-9:
            rules[key] = base[key]
    if st.button(tr("award.reset"), key=AWARD_PREFIX + "reset"):
        reset_award()
        st.rerun()
    return rules


def _fixed(ev, unit_kind: str, base: dict[str, Any]) -> dict[str, str]:
    """One selectbox per unit of the chosen kind: the bid it is fixed to, or free."""
    bids = [b.id for b in ev.tender.bids]
    fixed: dict[str, str] = {}
    same_kind = unit_kind == base["unit"]
    units = units_for(ev, unit_kind)
    with st.expander(tr("award.ctl.fixed"), expanded=bool(base["fixed"]) and same_kind):
        for uid in units:
            key = FIX + uid
            if key not in st.session_state:
                st.session_state[key] = base["fixed"].get(uid) if same_kind else None
            choice = st.selectbox(words.unit_name(ev.tender, unit_kind, uid), bids, index=None, key=key,
                                  bind="query-params", placeholder=tr("award.ctl.free"),
                                  format_func=lambda b: bid_name(ev, b))
            if choice is not None:
                fixed[uid] = choice
    return fixed


# --------------------------------------------------------------------------- the result


def operator_table(ev, result: dict) -> pd.DataFrame:
    """Each awarded operator's units, lines, share and costs, with the total row."""
    kind = result.get("unit", "entity")
    rows, total = words.operator_rows(result)
    out = [{tr("award.col.operator"): bid_name(ev, r["bid"]),
            tr("award.col.lines"): number(r["initial_lines"], 0), tr("award.col.share"): percent(r["share"], 1),
            tr("award.col.bid_cost"): money(r["bid_cost"]), tr("award.col.switching"): money(r["switching_cost"]),
            tr("award.col.cost"): money(r["cost"]),
            tr("award.col.units"): ", ".join(words.unit_name(ev.tender, kind, u) for u in r["units"])} for r in rows]
    out.append({tr("award.col.operator"): tr("award.col.total"),
                tr("award.col.lines"): number(total["initial_lines"], 0), tr("award.col.share"): percent(total["share"], 1),
                tr("award.col.bid_cost"): money(total["bid_cost"]), tr("award.col.switching"): money(total["switching_cost"]),
                tr("award.col.cost"): money(total["cost"]), tr("award.col.units"): ""})
    return pd.DataFrame(out)


def entity_table(ev, result: dict) -> pd.DataFrame:
    """Cost per entity (rows) and operator (columns), with totals: the bottom-right cell is
    the split's cost."""
    names = {e.id: e.name or e.id for e in ev.tender.spec.entities}
    bids = words.awarded(result)
    rows, columns, grand = words.entity_table(result, [e.id for e in ev.tender.spec.entities])
    ops = [bid_name(ev, b) for b in bids]
    out = [{tr("award.col.entity"): names[e], **{o: money(v) for o, v in zip(ops, cells)}, tr("award.col.total"): money(s)}
           for e, cells, s in rows]
    out.append({tr("award.col.entity"): tr("award.col.total"), **{o: money(v) for o, v in zip(ops, columns)},
                tr("award.col.total"): money(grand)})
    return pd.DataFrame(out)


def rule_cost_table(ev, result: dict, rules: dict[str, Any]) -> pd.DataFrame:
    """Each rule set, the best split without it, and what it costs."""
    none = tr("award.infeasible_cell")
    return pd.DataFrame([{tr("award.col.rule"): words.rule_words(r["rule"], rules, ev.tender, lang()),
                          tr("award.col.without"): none if r["cost_without"] is None else money(r["cost_without"]),
                          tr("award.col.difference"): "—" if r["difference"] is None else money(r["difference"])}
                         for r in result.get("rule_costs") or []])


def _saving(ev, result: dict) -> None:
    single, saving = result.get("single_award"), result.get("saving_vs_single")
    award = result.get("award") or {}
    cols = st.columns(3)
    cols[0].metric(tr("award.cost"), money(award.get("cost")))
    if single is None:
        cols[1].metric(tr("award.single", name="—"), "—")
        st.caption(tr("award.no_single"))
        return
    name = bid_name(ev, single["bid"])
    cols[1].metric(tr("award.single", name=name), money(single["cost"]))
    cols[2].metric(tr("award.saving"), money(saving))
    if saving is None:
        return
    if abs(saving) < 0.005:
        st.caption(tr("award.same_text", name=name))
    elif saving > 0:
        st.caption(tr("award.saving_text", amount=money(saving), name=name))
    else:
        st.caption(tr("award.extra_text", amount=money(-saving), name=name))


def _result(ev, result: dict, rules: dict[str, Any]) -> None:
    if result.get("objective") == "npv":
        st.caption(tr("award.npv_note", rate=percent(ev.tender.spec.discount_rate, 1)))
    if not result.get("feasible"):
        st.warning(words.conflict(result, rules, ev.tender, lang()))
    else:
        _saving(ev, result)
        st.subheader(tr("award.split"))
        chart(award_map_chart(result, ev, lang()), "award_map")
        st.markdown(f"**{tr('award.by_operator')}**")
        st.dataframe(operator_table(ev, result), hide_index=True, width="stretch")
        plans = [f"{bid_name(ev, b)} — " + ", ".join(f"{profile_name(ev.tender, p)}: {plan}"
                                                     for p, plan in part["plan_assignment"].items())
                 for b, part in result["award"]["bids"].items() if part.get("plan_assignment")]
        if plans:
            st.caption(tr("award.plans", list=" · ".join(plans)))
        st.markdown(f"**{tr('award.by_entity')}**")
        st.caption(tr("award.by_entity_note"))
        st.dataframe(entity_table(ev, result), hide_index=True, width="stretch")
    st.subheader(tr("award.rule_costs"))
    if result.get("rule_costs"):
        st.caption(tr("award.rule_costs_note"))
        st.dataframe(rule_cost_table(ev, result, rules), hide_index=True, width="stretch")
    else:
        st.caption(tr("award.no_rules"))
    chart(share_curve_chart(result, ev, lang(), current=rules.get("max_share")), "award_curve")
    st.caption(tr("award.curve_note"))
    excluded = words.excluded_words(result, ev, rules, lang())
    if excluded:
        st.caption(excluded)


EXAMPLE_BLOCK = """award:
  unit: entity            # entity | profile | cell
  max_operators: 2
  max_share: 0.8          # no operator above 80 % of the lines
  incumbent_min_share: 0  # the incumbent keeps at least this share
  regime: private         # private | public_fr
"""


def render() -> None:
    ev = evaluation_or_stop()
    st.title(tr("page.award"))
    if ev.tender.spec.award is None:
        st.info(tr("award.no_block"))
        st.code(EXAMPLE_BLOCK, language="yaml")
        if not st.toggle(tr("award.try"), key=TRY, bind="query-params"):
            return
    intro = st.empty()  # what the split is, filled in once the rules are known
    left, right = st.columns([1, 2])
    with left:
        st.subheader(tr("award.rules"))
        st.caption(tr("award.rules_note"))
        rules = _controls(ev)
    scenario = scenario_from_rules(ev, rules)
    if ev.tender.spec.award is None and scenario is None:  # trying the defaults: the unit makes the block
        scenario = {"name": SCENARIO_NAME, "set": {"award": {"unit": rules["unit"]}}}
    with st.spinner(tr("award.computing")):
        outcome = api.award(scenario)
    with right:
        if not outcome.ok:
            show_errors(outcome.problems, "award.errors")
            return
        result = outcome.value.as_json()
        kind = tr(f"award.unit.{result.get('unit', rules['unit'])}")
        intro.caption(tr("award.intro", unit=kind, objective=tr(f"award.objective.{result.get('objective', 'tco')}"),
                         regime=tr(f"award.regime.{result.get('regime', rules['regime'])}")))
        if scenario is not None:
            st.download_button(tr("award.save"), yaml_bytes(scenario), file_name="award-split.yaml",
                               mime="application/x-yaml", key=AWARD_PREFIX + "save")
            st.caption(tr("whatif.url"))
        _result(ev, result, rules)


__all__ = ["base_rules", "entity_table", "operator_table", "render", "rule_cost_table", "rules_from_scenario",
           "scenario_from_rules"]
