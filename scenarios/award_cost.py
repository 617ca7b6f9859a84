"""The cost of one awarded bid on its part of the fleet, by the existing engine, and which bids
may be awarded what (docs/award-split.md).

`SubTenders.cost(bid, cells)` is the contract's ``cost_b``: the bid costed by scoring.cost on
**the sub-tender of its cells** — the tender with every other cell's lines set to 0 and the
profiles left with no line dropped, its volume tiers fixed by the regime (private: the
sub-tender's own initial lines, which is what the engine does on it; public_fr: the whole
fleet's, the bid's tiers replaced by the one it reaches on the whole fleet, through
`scoring.pricing.volume_discount`), and its switching block with ``current_monthly_eur`` and
``incumbent_exit_fee_eur`` times ``f_b = n_b / N``. Nothing here is a cost rule: the
sub-tender is a tender, and scoring.cost costs it.

`eligibility` reads the tender's evaluation: a bid knocked out by a service criterion (or whose
price basis cannot be valued) receives nothing, nor one under ``min_total_score``; a bid with
costing knock-outs only the units whose profiles it covers (the engine says which: the bid
costed on each profile alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from scoring.award_spec import units_of
from scoring.components import K
from scoring.cost import compute_costs
from scoring.errors import TenderError
from scoring.evaluate import Evaluation
from scoring.model import Bid, Tender
from scoring.pricing import volume_discount
from scoring.switching import initial_lines

Cell = tuple[str, str]  # (profile id, entity id)


@dataclass(frozen=True)
class SubCost:
    """One bid costed on one set of cells (None figures: the engine could not cost it)."""

    tco: float | None
    npv: float | None
    switching: float | None
    entity_costs: dict[str, float] | None
    plan_assignment: dict[str, str] | None
    knockouts: tuple[str, ...] = ()

    @property
    def costed(self) -> bool:
        return not self.knockouts

    def value(self, objective: str) -> float | None:
        return self.npv if objective == "npv" else self.tco


@dataclass(frozen=True)
class Units:
    """The award units of a tender: ids, cells and initial lines, in tender order."""

    ids: tuple[str, ...]
    cells: tuple[tuple[Cell, ...], ...]
    lines: np.ndarray  # (U,) initial lines of each unit

    @property
    def total(self) -> float:
        return float(self.lines.sum())


def units_in(tender: Tender) -> Units:
    spec = tender.spec
    lines = {(p.id, e): float(n) for p in spec.profiles for e, n in p.lines.items()}
    found = units_of(spec)
    return Units(ids=tuple(u for u, _ in found), cells=tuple(c for _, c in found),
                 lines=np.array([sum(lines[c] for c in cells) for _, cells in found], dtype=float))


def check_awardable(tender: Tender) -> None:
    """The award split works on profile fleets (tender.yaml's lines and usage): a billing export
    costed line by line (``evaluate_on: lines``) has no sub-tender yet."""
    block = tender.spec.usage_file
    if block is not None and block.evaluate_on == "lines":
        raise TenderError.at(f"{tender.folder}/tender.yaml", "award", (
            "the award split costs profiles, not a billing export line by line: remove `evaluate_on: lines` "
            "(or the award block)"))


@dataclass
class SubTenders:
    """Every bid's costs on sets of cells, each costed once by the engine (memoised)."""

    tender: Tender
    regime: str = "private"
    _memo: dict = field(default_factory=dict, repr=False)

    @cached_property
    def fleet_lines(self) -> float:
        return initial_lines(self.tender)

    def sub_tender(self, bid: Bid, cells: frozenset[Cell]) -> Tender:
        """The contract's sub-tender of ``cells`` for ``bid`` (the bid alone in it)."""
        spec = self.tender.spec
        profiles = []
        for p in spec.profiles:
            lines = {e: (n if (p.id, e) in cells else 0.0) for e, n in p.lines.items()}
            if any(n > 0 for n in lines.values()):
                profiles.append(p.model_copy(update={"lines": lines}))
        n_b = sum(n for p in profiles for n in p.lines.values())
        f_b = n_b / self.fleet_lines
        update: dict = {"profiles": profiles, "award": None}
        if spec.switching is not None:
            s = spec.switching
            update["switching"] = s.model_copy(update={"current_monthly_eur": s.current_monthly_eur * f_b,
                                                       "incumbent_exit_fee_eur": s.incumbent_exit_fee_eur * f_b})
        sub_spec = spec.model_copy(update=update)
        bid_spec = bid.spec
        if self.regime == "public_fr" and bid_spec.discounts.volume:
            # Prices do not vary with what a bid wins: the tier the whole fleet reaches, at any size.
            percent = 100.0 * volume_discount(bid, self.fleet_lines)
            tier = bid_spec.discounts.volume[0].model_copy(update={"min_lines": 0.0, "percent": percent})
            bid_spec = bid_spec.model_copy(update={"discounts": bid_spec.discounts.model_copy(
                update={"volume": [tier] if percent > 0 else []})})
        sub_bid = bid.model_copy(update={"spec": bid_spec})
        return Tender(folder=self.tender.folder, spec=sub_spec, bids=(sub_bid,), source=None)

    def cost(self, bid: Bid, cells: frozenset[Cell]) -> SubCost:
        key = (bid.id, cells)
        if key not in self._memo:
            self._memo[key] = self._cost(bid, cells)
        return self._memo[key]

    def _cost(self, bid: Bid, cells: frozenset[Cell]) -> SubCost:
        sub = self.sub_tender(bid, cells)
        table = compute_costs(sub)
        if not table.costed(bid.id):
            return SubCost(None, None, None, None, None, tuple(table.knockouts[bid.id]))
        npv = table.npv()
        by_entity = table.by_entity()[0]
        return SubCost(
            tco=float(table.tco()[0]),
            npv=None if npv is None else float(npv[0]),
            switching=float(table.by_component()[0, K["switching"]]),
            entity_costs=dict(zip(table.fleet.entities, map(float, by_entity))),
            plan_assignment=table.plan_assignment[bid.id],
        )


@dataclass(frozen=True)
class Eligibility:
    """Who may be awarded what before ``min_total_score``: ``covers[b]`` the units bid b may
    receive (bid-id order), ``excluded`` the bids that may receive nothing whatever the rules,
    with the reason, ``total`` each bid's total score (None: not ranked)."""

    covers: dict[str, tuple[bool, ...]]
    excluded: dict[str, str]
    total: dict[str, float | None]

    def eligible(self, min_total_score: float | None) -> tuple[str, ...]:
        """The bids that may be awarded units under ``min_total_score``, in bid-id order."""
        return tuple(b for b in self.covers if self.scored(b, min_total_score))

    def scored(self, bid: str, min_total_score: float | None) -> bool:
        score = self.total[bid]
        return min_total_score is None or (score is not None and score >= min_total_score)

    def excluded_under(self, min_total_score: float | None) -> dict[str, str]:
        """Every bid that may receive nothing under ``min_total_score``, with the reason."""
        out = dict(self.excluded)
        for b in self.covers:
            if not self.scored(b, min_total_score):
                score = self.total[b]
                shown = "no total score (not ranked)" if score is None else f"total score {score:.2f}"
                out[b] = f"{shown}, below min_total_score {min_total_score:g}"
        return dict(sorted(out.items()))


def eligibility(ev: Evaluation, units: Units, subs: SubTenders) -> Eligibility:
    tender = ev.tender
    covers: dict[str, tuple[bool, ...]] = {}
    excluded: dict[str, str] = {}
    total = {b.id: ev.ranking.total.get(b.id) for b in tender.bids}
    for bid in tender.bids:
        service = [*ev.criteria.knockouts(bid.id), *ev.ranking.knockouts[bid.id]]
        if service:
            excluded[bid.id] = "knocked out: " + "; ".join(service)
            continue
        if ev.costs.costed(bid.id):
            covers[bid.id] = (True,) * len(units.ids)
            continue
        # Costing knock-outs: the profiles the engine can cost this bid on, one at a time.
        profiles = {p for cells in units.cells for p, _ in cells}
        ok = {p for p in profiles
              if subs.cost(bid, frozenset(c for cells in units.cells for c in cells if c[0] == p)).costed}
        covers[bid.id] = tuple(all(p in ok for p, _ in cells) for cells in units.cells)
        if not any(covers[bid.id]):
            del covers[bid.id]
            excluded[bid.id] = "covers no unit: " + "; ".join(ev.costs.knockouts[bid.id])
    return Eligibility(covers, excluded, total)


__all__ = ["Cell", "Eligibility", "SubCost", "SubTenders", "Units", "check_awardable", "eligibility", "units_in"]
