"""The award split as a person reads it (docs/award-split.md), shared by its app page, its PDF
section and its workbook sheet: units and operators named, the per-operator and per-entity
tables with their totals, the rules in words and the conflicting rules in a sentence.

Everything here reads the contract's result — the JSON dict of `Fleetbid.award` (its
``as_json()``) — and the award block's rules; nothing is computed but sums of the figures
shown (each total is the sum of the cells above it and equals the award's ``cost``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from scenarios.award import award_split
from scoring.errors import TenderError
from scoring.evaluate import Evaluation
from scoring.model import Tender

from .formats import number, percent
from .names import bid_name, knockout_text
from .text import t


def award_result(ev: Evaluation) -> dict | TenderError | None:
    """The award split of ``ev``'s tender as the contract's JSON; None without an award block;
    the `TenderError` when the tender cannot be split (the section then says why)."""
    if ev.tender.spec.award is None:
        return None
    try:
        return award_split(ev).as_json()
    except TenderError as exc:
        return exc


def rules_of(award: Any) -> dict[str, Any]:
    """The award block's rules as a plain mapping (an `AwardSpec` or a mapping of its fields)."""
    if award is None:
        return {}
    if hasattr(award, "model_dump"):
        return award.model_dump()
    return dict(award)


def unit_name(tender: Tender, unit_kind: str, unit_id: str) -> str:
    """A unit as a person reads it: the entity's or profile's name; a cell "entity · profile"."""
    entities = {e.id: e.name or e.id for e in tender.spec.entities}
    profiles = {p.id: p.name or p.id for p in tender.spec.profiles}
    if unit_kind == "entity":
        return entities.get(unit_id, unit_id)
    if unit_kind == "profile":
        return profiles.get(unit_id, unit_id)
    entity, _, profile = unit_id.partition(".")
    return f"{entities.get(entity, entity)} · {profiles.get(profile, profile)}"


def units(result: Mapping) -> list[tuple[str, float]]:
    """(unit id, initial lines) in tender order: the result's ``units`` when it lists them,
    else the awarded bids' units (their lines then unknown: NaN)."""
    if result.get("units"):
        return [(u["id"], float(u["initial_lines"])) for u in result["units"]]
    bids = ((result.get("award") or {}).get("bids") or {}).values()
    return [(u, float("nan")) for b in bids for u in b["units"]]


def owners(result: Mapping) -> dict[str, str]:
    """Unit id → the bid it is awarded to (empty when no award is feasible)."""
    bids = (result.get("award") or {}).get("bids") or {}
    return {u: b for b, part in bids.items() for u in part["units"]}


def awarded(result: Mapping) -> list[str]:
    """The awarded bids, in bid-id order (the contract's)."""
    return list((result.get("award") or {}).get("bids") or {})


def operator_rows(result: Mapping) -> tuple[list[dict], dict]:
    """Per awarded bid: units, initial lines, share, bid cost, switching cost, cost; and the
    total row (sums; its cost is the award's)."""
    bids = (result.get("award") or {}).get("bids") or {}
    rows = [{"bid": b, "units": list(p["units"]), "initial_lines": float(p["initial_lines"]), "share": float(p["share"]),
             "bid_cost": float(p["bid_cost"]), "switching_cost": float(p["switching_cost"]), "cost": float(p["cost"])}
            for b, p in bids.items()]
    total = {key: sum(r[key] for r in rows) for key in ("initial_lines", "share", "bid_cost", "switching_cost", "cost")}
    return rows, total


def entity_table(result: Mapping, entity_ids: list[str]) -> tuple[list[tuple[str, list[float], float]], list[float], float]:
    """Cost per entity (rows) and awarded bid (columns, `awarded` order): rows (entity,
    cells, row total), the column totals (each bid's cost) and the grand total (the award's
    cost, summed from the cells)."""
    bids = (result.get("award") or {}).get("bids") or {}
    order = list(bids)
    rows = []
    for e in entity_ids:
        cells = [float(bids[b]["entity_costs"].get(e, 0.0)) for b in order]
        rows.append((e, cells, sum(cells)))
    columns = [sum(r[1][i] for r in rows) for i in range(len(order))]
    return rows, columns, sum(columns)


def _fixed_words(fixed: Mapping[str, str], tender: Tender, unit_kind: str) -> str:
    return ", ".join(f"{unit_name(tender, unit_kind, u)} → {bid_name(tender, b)}" for u, b in fixed.items())


def _min_lines(tender: Tender) -> dict[str, float]:
    return {b.id: float(b.spec.award.min_lines) for b in tender.bids
            if getattr(b.spec, "award", None) is not None and b.spec.award.min_lines > 0}


def rule_words(rule: str, rules: Mapping[str, Any], tender: Tender, lang: str) -> str:
    """One rule of the award block in words, with its value ("at most 2 operators")."""
    unit_kind = rules.get("unit", "entity")
    if rule in ("max_operators", "min_operators"):
        return t(f"award.rule.{rule}", lang, n=rules.get(rule))
    if rule in ("max_share", "min_share"):
        return t(f"award.rule.{rule}", lang, pct=_pct(rules.get(rule), lang))
    if rule == "incumbent_min_share":
        return t("award.rule.incumbent_min_share", lang, name=bid_name(tender, tender.spec.incumbent),
                 pct=_pct(rules.get(rule), lang))
    if rule == "fixed":
        return t("award.rule.fixed", lang, list=_fixed_words(rules.get("fixed") or {}, tender, unit_kind))
    if rule == "min_total_score":
        score = rules.get(rule)
        return t("award.rule.min_total_score", lang, score=number(score, lang, 0 if float(score).is_integer() else 1))
    if rule == "min_lines":
        items = [t("award.rule.min_lines_item", lang, name=bid_name(tender, b), n=number(n, lang, 0))
                 for b, n in _min_lines(tender).items()]
        return t("award.rule.min_lines", lang, list=", ".join(items))
    key = f"award.rule.{rule}"
    try:
        return t(key, lang)
    except KeyError:
        return rule.replace("_", " ")


def rules_sentence(result: Mapping, rules: Mapping[str, Any], tender: Tender, lang: str) -> str:
    """The rules set (those the result costs, ``rule_costs``), in words, separated by
    semicolons (or "no rule beyond the defaults")."""
    words = [rule_words(r["rule"], rules, tender, lang) for r in result.get("rule_costs") or []]
    return t("award.sep", lang).join(words) if words else t("award.pdf_no_rule", lang)


def conflict(result: Mapping, rules: Mapping[str, Any], tender: Tender, lang: str) -> str:
    """Why no split is possible: the smallest set of rules that cannot hold together, in words."""
    names = result.get("infeasible_rules") or []
    if not names:
        return t("award.infeasible_unnamed", lang)
    key = "award.infeasible_one" if len(names) == 1 else "award.infeasible"
    return t(key, lang, rules=t("award.sep", lang).join(rule_words(r, rules, tender, lang) for r in names))


def excluded_words(result: Mapping, ev: Evaluation, rules: Mapping[str, Any], lang: str) -> str:
    """The bids that may receive nothing, each with why ("" when none): its knock-outs, else
    its total score against ``min_total_score``."""
    items = []
    for b in result.get("excluded") or {}:
        name = bid_name(ev.tender, b)
        if ev.knockouts(b):
            items.append(t("award.why.knocked_out", lang, name=name,
                           reasons=t("award.sep", lang).join(knockout_text(ev.tender, r, lang) for r in ev.knockouts(b))))
        elif ev.ranking.total.get(b) is None:
            items.append(t("award.why.no_score", lang, name=name))
        else:
            items.append(t("award.why.score", lang, name=name, score=number(ev.ranking.total[b], lang, 2),
                           min=number(rules.get("min_total_score"), lang, 0 if float(rules.get("min_total_score") or 0)
                                      .is_integer() else 1)))
    return t("award.excluded", lang, list=t("award.sep", lang).join(items)) if items else ""


def split_words(split: Mapping[str, list[str]] | None, tender: Tender, unit_kind: str) -> str:
    """A share-curve point's split: "Operator: unit, unit · Operator: unit"."""
    if not split:
        return ""
    return " · ".join(f"{bid_name(tender, b)}: {', '.join(unit_name(tender, unit_kind, u) for u in us)}"
                      for b, us in split.items())


def _pct(x, lang: str) -> str:
    x = float(x)
    return percent(x, lang, 0 if round(x * 100, 6).is_integer() else 1)


def share_label(x, lang: str) -> str:
    """A share as the rules state it: 80 %, 12.5 %."""
    return _pct(x, lang)


__all__ = ["award_result", "awarded", "conflict", "entity_table", "excluded_words", "operator_rows", "owners", "rule_words", "rules_of", "rules_sentence",
           "share_label", "split_words", "unit_name", "units"]
