"""Scenario files: what-if overlays on a tender, validated like the tender itself.

A scenario (``tenders/<name>/scenarios/*.yaml`` or any path)::

    name: Data doubles, price weight 40
    set:      # partial tender.yaml, deep-merged; lists of objects merged by id; null deletes
      evaluation: {price: {weight: 40}, criteria: [{id: support_answer, weight: 30}]}
    bids:     # partial bid files, deep-merged by bid id
      boreal: {service: {sim_replacement_days: 2}}
    scale:    # multipliers
      usage: {data_gb: 2.0}   # per component; "*" for all components
      lines: 1.1              # every profile's lines
      prices: {boreal: 0.95}  # all recurring prices of one bid: plan fees, rates, pool
                              # overage rates, account fee (not one-off fees or devices)

The overlay works on the parsed files (`scoring.load.RawTender`) and the result is validated
again from scratch, so a scenario result is exactly the evaluation of a hand-edited copy of
the tender. A scenario that produces an invalid tender is an error naming the scenario file
and the field (``set.…`` or ``bids.<id>.…``).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, ValidationError

from scoring.errors import Problem, TenderError
from scoring.evaluate import Evaluation, evaluate
from scoring.load import (
    RawFile,
    RawTender,
    build_tender,
    control_characters,
    pydantic_problems,
    read_folder,
    strip_nulls,
)
from scoring.model import ROLES, Strict, Tender
from scoring.quote import printable, quote
from scoring.yamlio import read_yaml_mapping

Factor = Annotated[float, Field(ge=0, strict=True, allow_inf_nan=False)]


class Scale(Strict):
    usage: dict[str, Factor] = {}
    lines: Factor | None = None
    prices: dict[str, Factor] = {}


class ScenarioFile(Strict):
    name: Annotated[str, Field(strict=True, min_length=1)]
    description: str | None = None
    set: dict[str, Any] = {}
    bids: dict[str, dict[str, Any]] = {}
    scale: Scale = Scale()


@dataclass(frozen=True)
class Scenario:
    spec: ScenarioFile
    file: str  # as shown in errors

    @property
    def name(self) -> str:
        return self.spec.name


def load_scenario(path: str | Path) -> Scenario:
    shown = str(path)
    data = read_yaml_mapping(Path(path), shown)
    return scenario_from_dict(data, shown)


def scenario_from_dict(data: dict[str, Any], shown: str = "(scenario)") -> Scenario:
    problems = control_characters(data, shown)  # its name and keys reach the terminal and the app
    if problems:
        raise TenderError(problems)
    try:
        return Scenario(ScenarioFile.model_validate(data), shown)
    except ValidationError as exc:
        raise TenderError(pydantic_problems(exc, shown)) from None


def tender_scenarios(folder: str | Path) -> list[Path]:
    """The scenario files shipped in a tender folder, in name order."""
    root = Path(folder) / "scenarios"
    return sorted(p for p in root.glob("*.y*ml") if p.suffix in (".yaml", ".yml")) if root.is_dir() else []


def merge(base: Any, over: Any) -> Any:
    """Deep merge: mappings key by key (None deletes), lists of objects with ids by id,
    anything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = merge(out[key], value)
            else:
                out[key] = strip_nulls(copy.deepcopy(value))  # null means absent at any depth
        return out
    if isinstance(base, list) and isinstance(over, list) and _by_id(base) and _by_id(over):
        out = list(base)
        index = {item["id"]: i for i, item in enumerate(out)}
        for item in over:
            if item["id"] in index:
                out[index[item["id"]]] = merge(out[index[item["id"]]], item)
            else:
                out.append(strip_nulls(copy.deepcopy(item)))
        return out
    return copy.deepcopy(over)


def _by_id(items: list) -> bool:
    """Every item a mapping with an id that can key a dict (`id: [a]` cannot: such a list is
    replaced whole, and validation reports the id)."""
    return all(isinstance(i, dict) and "id" in i and _hashable(i["id"]) for i in items)


def _hashable(x: Any) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _times(value: Any, factor: float) -> Any:
    """Scale a number, or the mean of a usage distribution; leave anything else for
    validation to report."""
    if _number(value):
        return _product(value, factor)
    if isinstance(value, dict) and _number(value.get("mean")):
        return {**value, "mean": _product(value["mean"], factor)}
    return value


def _product(value: float, factor: float) -> float:
    try:
        return value * factor
    except OverflowError:  # an integer of hundreds of digits times a float: validation says it is not finite
        return math.inf


def _factor(table: dict, component: str) -> Any:
    """A component's multiplier in a ``{component | "*": factor}`` table (1 when absent)."""
    return table.get(component, table.get("*", 1.0))


def scale_tender(tender: dict[str, Any], scale: Scale, file: str) -> dict[str, Any]:
    tender = copy.deepcopy(tender)
    listed = tender.get("profiles")
    # Anything but a list of mappings is left for validation to report (`set: {profiles: 3}`).
    profiles = [p for p in listed if isinstance(p, dict)] if isinstance(listed, list) else []
    # A billing export's lines (usage_file) scale too: its own multipliers, applied to every line.
    export = tender.get("usage_file")
    export = export if isinstance(export, dict) else None
    columns = export.get("columns") if export is not None else None
    mapped = [c for c in columns if c not in ROLES] if isinstance(columns, dict) else []
    used = {c for p in profiles if isinstance(p.get("usage"), dict) for c in p["usage"]} | set(mapped)
    unknown = [c for c in scale.usage if c != "*" and c not in used]
    if unknown:
        raise TenderError([Problem(file, f"scale.usage.{printable(c)}", f"no profile uses component {quote(c)}") for c in unknown])
    for p in profiles:
        if isinstance(p.get("usage"), dict) and scale.usage:
            p["usage"] = {c: _times(u, _factor(scale.usage, c)) for c, u in p["usage"].items()}
        if scale.lines is not None and isinstance(p.get("lines"), dict):
            p["lines"] = {e: _times(n, scale.lines) for e, n in p["lines"].items()}
    if export is not None:
        factors = export.get("usage_scale", {})
        if isinstance(factors, dict) and scale.usage:
            keys = [c for c in dict.fromkeys([*factors, *scale.usage]) if c == "*" or c in mapped]
            export["usage_scale"] = {c: _times(_factor(factors, c), _factor(scale.usage, c)) for c in keys}
        if scale.lines is not None:
            export["lines_scale"] = _times(export.get("lines_scale", 1.0), scale.lines)
    return tender


def scale_prices(bid: dict[str, Any], factor: float) -> dict[str, Any]:
    """Every recurring price of a bid × factor: plan fees and rates, pool overage rates, the
    account fee. One-off fees, credits and device prices are not recurring."""
    bid = copy.deepcopy(bid)
    for plan in bid.get("plans", []) if isinstance(bid.get("plans"), list) else []:
        if isinstance(plan, dict):
            plan["monthly_fee"] = _times(plan.get("monthly_fee"), factor)
            if isinstance(plan.get("rates"), dict):
                plan["rates"] = {c: _times(r, factor) for c, r in plan["rates"].items()}
    for component in (bid.get("pool") or {}).values() if isinstance(bid.get("pool"), dict) else []:
        if isinstance(component, dict) and "overage_rate" in component:
            component["overage_rate"] = _times(component["overage_rate"], factor)
    if isinstance(bid.get("fees"), dict) and "account_monthly" in bid["fees"]:
        bid["fees"]["account_monthly"] = _times(bid["fees"]["account_monthly"], factor)
    return bid


def overlay(raw: RawTender, scenario: Scenario) -> RawTender:
    """The parsed tender with the scenario applied (not yet validated)."""
    spec, file = scenario.spec, scenario.file
    tender = merge(raw.tender.data or {}, spec.set)
    tender = scale_tender(tender, spec.scale, file)
    ids = {_bid_key(raw, stem, f): i for i, (stem, f) in enumerate(raw.bids)}
    problems = [Problem(file, f"bids.{printable(b)}", f"unknown bid {quote(b)}") for b in spec.bids if b not in ids]
    problems += [Problem(file, f"scale.prices.{printable(b)}", f"unknown bid {quote(b)}") for b in spec.scale.prices if b not in ids]
    if problems:
        raise TenderError(problems)
    bids = list(raw.bids)
    for bid_id, i in ids.items():
        stem, f = bids[i]
        if f.data is None:
            continue
        data = merge(f.data, spec.bids.get(bid_id, {}))
        if bid_id in spec.scale.prices:
            data = scale_prices(data, spec.scale.prices[bid_id])
        bids[i] = (stem, replace(f, data=data))
    return replace(raw, tender=replace(raw.tender, data=tender), bids=tuple(bids))


def _bid_key(raw: RawTender, stem: str, f: RawFile) -> Any:
    """The id a bid file claims, or its file stem when the id could not be one (`id: [a]`;
    validation reports it)."""
    bid_id = raw.bid_id(stem, f)
    return bid_id if _hashable(bid_id) else stem


def apply(base: Tender | RawTender, scenario: Scenario) -> Tender:
    """Validate the tender with the scenario applied; errors name the scenario file."""
    raw = base.source if isinstance(base, Tender) else base
    changed = overlay(raw, scenario)
    try:
        return build_tender(changed)
    except TenderError as exc:
        raise TenderError([_attribute(p, raw, scenario) for p in exc.problems]) from None


def evaluate_scenario(base: Tender | RawTender, scenario: Scenario) -> Evaluation:
    """Apply and evaluate; problems found while evaluating (a price basis ≤ 0 under a ratio
    formula, a criterion value of the wrong type) also name the scenario file."""
    tender = apply(base, scenario)
    try:
        return evaluate(tender)
    except TenderError as exc:
        raw = base.source if isinstance(base, Tender) else base
        raise TenderError([_attribute(p, raw, scenario) for p in exc.problems]) from None


def _attribute(problem: Problem, raw: RawTender, scenario: Scenario) -> Problem:
    if problem.file == raw.tender.shown:
        field = f"set.{problem.field}"
    else:
        stems = {f.shown: raw.bid_id(stem, f) for stem, f in raw.bids}
        field = f"bids.{stems[problem.file]}.{problem.field}" if problem.file in stems else problem.field
    return Problem(scenario.file, field, f"{problem.message} (in {problem.file.rsplit('/', 1)[-1]} after this scenario)")


def load_with_scenario(folder: str | Path, scenario_path: str | Path | None = None) -> Tender:
    raw = read_folder(folder)
    base = build_tender(raw)
    return base if scenario_path is None else apply(raw, load_scenario(scenario_path))


__all__ = ["RawFile", "Scenario", "apply", "evaluate_scenario", "load_scenario", "load_with_scenario", "merge", "overlay",
           "scenario_from_dict", "tender_scenarios"]
