"""Service criteria: values read from bids or evaluators, scores 0..1, points, knock-outs.

A criterion is an evaluator criterion (``from: evaluators``), numeric (``best``/``worst``)
or yes/no. Numeric score ``clip((v - worst)/(best - worst), 0, 1)``; yes/no 1/0; evaluator
``consensus/scale`` where the consensus is the panel's moderated score (consensus.yaml) or
else the mean of the evaluators who scored the bid.
Points = weight × score. A missing value knocks the bid out where ``required`` or
``limit`` is set, and otherwise scores 0 with a warning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

from .errors import TenderError
from .model import Bid, Criterion, Moderation, Tender
from .quote import quote

_MISSING = object()


# Evaluators' scores spread over more than this share of the scale are a discrepancy to
# discuss before the consensus stands (VendorPanel's rule of thumb).
DISCREPANCY_SHARE = 0.4


@dataclass(frozen=True)
class CriterionResult:
    value: float | bool | None  # None: missing
    score: float
    points: float
    knockout: str | None = None  # the reason, when this criterion excludes the bid
    # Evaluator criteria only: the raw scores, their mean, the moderated consensus if any.
    evaluators: dict[str, float] | None = None
    mean: float | None = None
    moderation: Moderation | None = None
    discrepancy: bool = False

    def detail(self) -> dict[str, Any]:
        """The evaluator part of the JSON (empty for other criteria)."""
        if self.evaluators is None:
            return {}
        return {
            "evaluator_scores": self.evaluators,
            "mean": self.mean,
            "moderated": None if self.moderation is None else self.moderation.model_dump(),
            "discrepancy": self.discrepancy,
        }


def resolve(raw: dict[str, Any], path: str) -> Any:
    """Follow a dotted path into a bid's mapping; `_MISSING` when it does not resolve."""
    node: Any = raw
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return _MISSING if node is None else node


def evaluator_scores(tender: Tender, bid_id: str, criterion_id: str) -> dict[str, float]:
    return {
        name: by_bid[bid_id][criterion_id]
        for name, by_bid in tender.evaluations.items()
        if criterion_id in by_bid.get(bid_id, {})
    }


def consensus(tender: Tender, bid_id: str, criterion_id: str) -> float | None:
    """The moderated consensus if the panel set one, else the mean of the evaluators'
    scores for this bid and criterion (None if nobody scored it)."""
    moderated = tender.moderation.get(bid_id, {}).get(criterion_id)
    if moderated is not None:
        return moderated.score
    scores = list(evaluator_scores(tender, bid_id, criterion_id).values())
    return sum(scores) / len(scores) if scores else None


def criterion_value(tender: Tender, bid: Bid, criterion: Criterion) -> float | bool | None:
    """The value a criterion reads for a bid, type-checked (None when missing)."""
    if criterion.kind == "evaluators":
        return consensus(tender, bid.id, criterion.id)
    value = resolve(bid.raw, criterion.from_)
    if value is _MISSING:
        return None
    if criterion.kind == "numeric":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise TenderError.at(bid.file, criterion.from_,
                                 f"criterion {criterion.id!r} needs a number, got {quote(value)}")
        return float(value)
    if not isinstance(value, bool):
        raise TenderError.at(bid.file, criterion.from_,
                             f"criterion {criterion.id!r} needs yes/no (true or false), got {quote(value)}")
    return value


def score_criterion(criterion: Criterion, value: float | bool | None) -> CriterionResult:
    """Score, points and knock-out of one criterion for one value (None: missing)."""
    if value is None:
        reason = None
        if criterion.required or criterion.limit is not None:
            reason = f"{criterion.id}: no value given, but the criterion is a requirement"
        return CriterionResult(None, 0.0, 0.0, reason)
    if criterion.kind == "evaluators":
        assert criterion.scale is not None
        score = float(value) / criterion.scale
    elif criterion.kind == "numeric":
        assert criterion.best is not None and criterion.worst is not None
        score = min(1.0, max(0.0, (float(value) - criterion.worst) / (criterion.best - criterion.worst)))
    else:
        score = 1.0 if value else 0.0
    reason = None
    if criterion.limit is not None:
        worse = value < criterion.limit if criterion.higher_is_better else value > criterion.limit
        if worse:
            reason = f"{criterion.id}: {value:g} is worse than the limit {criterion.limit:g}"
    if criterion.required and criterion.kind == "yes_no" and value is False:
        reason = f"{criterion.id}: required, but the bid says no"
    return CriterionResult(value, score, criterion.weight * score, reason)


def _with_evaluators(tender: Tender, bid_id: str, criterion: Criterion, result: CriterionResult,
                     warnings: list[str]) -> CriterionResult:
    scores = evaluator_scores(tender, bid_id, criterion.id)
    mean = sum(scores.values()) / len(scores) if scores else None
    moderation = tender.moderation.get(bid_id, {}).get(criterion.id)
    spread = max(scores.values()) - min(scores.values()) if scores else 0.0
    assert criterion.scale is not None
    discrepancy = spread > DISCREPANCY_SHARE * criterion.scale
    if discrepancy and moderation is None:
        listed = ", ".join(f"{name} {score:g}" for name, score in scores.items())
        warnings.append(
            f"bid {bid_id}, criterion {criterion.id!r}: evaluators disagree ({listed}; spread {spread:g} > "
            f"{DISCREPANCY_SHARE:.0%} of the scale {criterion.scale:g}); discuss and record a moderated "
            "consensus in consensus.yaml"
        )
    return replace(result, evaluators=scores, mean=mean, moderation=moderation, discrepancy=discrepancy)


@dataclass(frozen=True)
class CriteriaTable:
    """Every bid's result on every criterion, with the warnings for missing values."""

    results: dict[str, dict[str, CriterionResult]]
    warnings: tuple[str, ...]

    def knockouts(self, bid_id: str) -> list[str]:
        return [r.knockout for r in self.results[bid_id].values() if r.knockout]


def score_criteria(tender: Tender) -> CriteriaTable:
    results: dict[str, dict[str, CriterionResult]] = {}
    warnings: list[str] = []
    for bid in tender.bids:
        results[bid.id] = {}
        for criterion in tender.spec.evaluation.criteria:
            value = criterion_value(tender, bid, criterion)
            result = score_criterion(criterion, value)
            if value is None and result.knockout is None:
                warnings.append(f"bid {bid.id}: no value for criterion {criterion.id!r}; it scores 0")
            if criterion.kind == "evaluators":
                result = _with_evaluators(tender, bid.id, criterion, result, warnings)
            results[bid.id][criterion.id] = result
    return CriteriaTable(results, tuple(warnings))
