"""Evaluate a tender: costs, criteria, ranking — one frozen `Evaluation`.

`Evaluation.to_dict()` is the machine-readable contract of ``python -m scoring evaluate
--json``: bids in bid-id order, unrounded floats, null where a bid could not be costed or
scored. Re-ranking with other weights reuses the cost table (`rerank`), so what-if views
never re-run the cost simulation for a weight change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np

from .components import K
from .cost import CostTable, compute_costs
from .criteria import CriteriaTable, score_criteria
from .explain import Explanation, explain
from .model import Evaluation as EvaluationSpec
from .model import Tender
from .rank import BidCostFigures, Ranking, rank_bids
from .service import service_costs


@dataclass(frozen=True)
class Evaluation:
    tender: Tender
    costs: CostTable
    criteria: CriteriaTable
    ranking: Ranking
    figures: dict[str, BidCostFigures]
    explanation: Explanation
    spec: EvaluationSpec  # the evaluation block in use (the tender's, or a what-if's)

    @property
    def winner(self) -> str | None:
        return self.ranking.winner

    @property
    def warnings(self) -> list[str]:
        return [*self.tender.warnings, *lump_sum_warnings(self.costs), *self.criteria.warnings,
                *self.explanation.warnings(self.winner)]

    def rerank(self, spec: EvaluationSpec) -> Evaluation:
        """The same costs ranked under another evaluation block (weights, formula…)."""
        return _rank(self.tender, self.costs, self.criteria, self.figures, spec)

    def knockouts(self, bid_id: str) -> list[str]:
        return [*self.costs.knockouts[bid_id], *self.criteria.knockouts(bid_id), *self.ranking.knockouts[bid_id]]

    # The cost cube's sums over every bid, each computed once per evaluation (not once per bid
    # written): `bid_dict` takes its bid's row.
    @cached_property
    def _by_component(self) -> np.ndarray:
        return self.costs.by_component()

    @cached_property
    def _annual(self) -> np.ndarray:
        return self.costs.annual()

    @cached_property
    def _by_entity(self) -> np.ndarray:
        return self.costs.by_entity()

    def bid_dict(self, bid_id: str) -> dict[str, Any]:
        tender, costs, r = self.tender, self.costs, self.ranking
        bid = tender.bid(bid_id)
        b = costs.index(bid_id)
        fig = self.figures[bid_id]
        costed = costs.costed(bid_id)
        breakdown = self._by_component[b]
        out: dict[str, Any] = {
            "id": bid_id,
            "operator": bid.operator,
            "incumbent": bid_id == tender.spec.incumbent,
            "compliant": r.compliant[bid_id],
            "knockouts": self.knockouts(bid_id),
            "rank": r.rank[bid_id],
            "total_score": r.total[bid_id],
            "price_score": r.price_score[bid_id],
            "quality_score": r.quality_score[bid_id],
            "tco": fig.tco,
            "bid_cost": fig.bid_cost,
            "switching_cost": float(breakdown[K["switching"]]) if costed else None,
            "npv": fig.npv,
            "service_cost": fig.service_cost,
            "tco_service": fig.tco_service,
            "annual_cost": [float(x) for x in self._annual[b]] if costed else None,
            "cost_breakdown": {c: float(breakdown[K[c]]) for c in costs.components} if costed else None,
            "entity_costs": dict(zip(costs.fleet.entities, map(float, self._by_entity[b]))) if costed else None,
            "plan_assignment": costs.plan_assignment[bid_id],
            "criteria": {
                # Points from the weights in use, so a what-if re-rank reports its own.
                c.id: {"value": (res := self.criteria.results[bid_id][c.id]).value, "score": res.score,
                       "points": c.weight * res.score, **res.detail()}
                for c in self.spec.criteria
            },
            "flags": r.flags[bid_id],
            "points": self.explanation.points[bid_id],
            "points_lost": self.explanation.lost[bid_id],
        }
        return out

    def to_dict(self) -> dict[str, Any]:
        spec = self.tender.spec
        return {
            "tender": self.tender.name,
            "currency": spec.currency,
            "term_months": spec.term_months,
            "winner": self.winner,
            "warnings": self.warnings,
            "bids": [self.bid_dict(b.id) for b in self.tender.bids],
            "runner_up": self.explanation.runner_up,
            "margin": self.explanation.margin,
            "best_on": self.explanation.best,
            "formula_comparison": self.explanation.formula_comparison,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1, ensure_ascii=False, allow_nan=False)


def cost_figures(costs: CostTable, service: dict[str, float | None] | None = None) -> dict[str, BidCostFigures]:
    service = service or {}
    tco = costs.tco()
    switching = costs.by_component()[:, K["switching"]]
    npv = costs.npv()
    out = {}
    for b, bid_id in enumerate(costs.bids):
        if not costs.costed(bid_id):
            out[bid_id] = BidCostFigures(None, None, None)
            continue
        out[bid_id] = BidCostFigures(
            tco=float(tco[b]),
            bid_cost=float(tco[b] - switching[b]),
            npv=None if npv is None else float(npv[b]),
            service_cost=service.get(bid_id),
        )
    return out


def evaluate(tender: Tender, costs: CostTable | None = None) -> Evaluation:
    """Evaluate every bid of the tender (reusing ``costs`` when given)."""
    costs = costs if costs is not None else compute_costs(tender)
    service, service_warnings = service_costs(tender, costs.fleet)
    criteria = score_criteria(tender)
    criteria = replace(criteria, warnings=(*criteria.warnings, *service_warnings))
    return _rank(tender, costs, criteria, cost_figures(costs, service), tender.spec.evaluation)


def _rank(tender: Tender, costs: CostTable, criteria: CriteriaTable, figures: dict[str, BidCostFigures],
          spec: EvaluationSpec) -> Evaluation:
    ranking = rank_bids(tender, figures, criteria, costs.knockouts, spec)
    explanation = explain(tender, figures, criteria, costs.knockouts, ranking, spec)
    return Evaluation(tender, costs, criteria, ranking, figures, explanation, spec)


__all__ = ["Evaluation", "evaluate"]


def lump_sum_warnings(costs: CostTable) -> list[str]:
    """Contract v1.1: a warning naming each bid billed mostly as a lump sum (scoring.cost_table
    `lump_sums`): a what-if on the number of lines is unreliable for it."""
    return [f"bid {bid}: {share:.0%} of its recurring charges are fleet-level lump sums (account fee, minimum "
            "monthly spend shortfall): its cost will not follow a change in the number of lines, so a what-if on "
            "lines is unreliable for it" for bid, share in costs.lump_sums().items()]
