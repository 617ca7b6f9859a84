"""The award split (docs/award-split.md): the fleet across operators at the least cost under the
buyer's rules, the best single award, what each rule costs, the share curve, and — when the
rules clash — a smallest set of rules that cannot hold together.

The cost of an award is each awarded bid costed by the engine on its sub-tender
(scenarios.award_cost). The optimum is exact (within 0.01 of the minimum over all feasible
awards): when the awards are few, every one is costed (each bid's cost on each set of units it
may win from the engine, the awards then summed as arrays: `Enumeration`); otherwise a
mixed-integer programme over units × bids × plans × volume tiers (scenarios.award_milp), whose
award is then costed by the engine like any other. Rules are a `Rules`; `award_split` answers
everything at once as a frozen `AwardResult` (`as_json()` is the contract's JSON).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import numpy as np

from scoring.award_spec import RULES, AwardSpec
from scoring.errors import TenderError
from scoring.evaluate import Evaluation

from .award_cost import Eligibility, SubCost, SubTenders, Units, check_awardable, eligibility, units_in
from .award_rules import EPS, Rules, Solution

SHARE_CURVE = (1.0, 0.9, 0.8, 0.7, 0.6, 0.5)
# Enumeration when every award can be listed and each bid costed on every set of units it may win.
ENUMERATE_AWARDS = 200_000
ENUMERATE_SUBSETS = 4_096


@dataclass
class AwardProblem:
    """What every solver shares: the tender's units, who may win what, the engine's costs."""

    ev: Evaluation
    spec: AwardSpec
    units: Units
    subs: SubTenders
    elig: Eligibility
    _solvers: dict = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, ev: Evaluation) -> AwardProblem:
        tender = ev.tender
        spec = tender.spec.award
        if spec is None:
            raise TenderError.at(f"{tender.folder}/tender.yaml", "award", (
                "no award block: the award split needs one (unit, and the rules; docs/award-split.md)"))
        check_awardable(tender)
        units = units_in(tender)
        subs = SubTenders(tender, spec.regime)
        return cls(ev, spec, units, subs, eligibility(ev, units, subs))

    @property
    def objective(self) -> str:
        return self.spec.objective

    @cached_property
    def incumbent(self) -> str | None:
        inc = self.ev.tender.spec.incumbent
        return inc if inc in {b.id for b in self.ev.tender.bids} else None

    @cached_property
    def min_lines(self) -> dict[str, float]:
        return {b.id: b.spec.award.min_lines if b.spec.award is not None else 0.0 for b in self.ev.tender.bids}

    @cached_property
    def candidates(self) -> tuple[str, ...]:
        """The bids that may receive a unit under some rules (bid-id order)."""
        return tuple(self.elig.covers)

    def cells(self, units: list[int] | tuple[int, ...]) -> frozenset:
        return frozenset(c for u in units for c in self.units.cells[u])

    def cost(self, bid: str, units: list[int] | tuple[int, ...]) -> SubCost:
        """The engine's cost of ``bid`` on these units' sub-tender."""
        return self.subs.cost(self.ev.tender.bid(bid), self.cells(units))

    def allowed(self, rules: Rules) -> dict[str, np.ndarray]:
        """(U,) for each bid that may be awarded under ``rules``: the units it may receive."""
        out = {}
        for b in self.elig.eligible(rules.min_total_score):
            ok = np.array(self.elig.covers[b], dtype=bool)
            for uid, fixed_bid in rules.fixed:
                if fixed_bid != b:
                    ok[self.units.ids.index(uid)] = False
            out[b] = ok
        return out

    def max_operators(self, rules: Rules) -> int:
        return len(self.elig.eligible(rules.min_total_score)) if rules.max_operators is None else rules.max_operators

    def check(self, owner: tuple[str, ...], rules: Rules) -> list[str]:
        """The rules an award breaks (empty: it satisfies them all), read off the award itself."""
        broken = []
        N = self.units.total
        allowed = self.allowed(rules)
        lines = {b: float(sum(n for o, n in zip(owner, self.units.lines) if o == b)) for b in dict.fromkeys(owner)}
        if any(o not in self.elig.covers or not self.elig.covers[o][u] for u, o in enumerate(owner)):
            broken.append("coverage")
        if any(o not in allowed for o in owner):
            broken.append("min_total_score")
        if not rules.min_operators <= len(lines) <= self.max_operators(rules):
            broken.append("operators")
        if any(n > rules.max_share * N * (1 + EPS) + EPS for n in lines.values()):
            broken.append("max_share")
        if any(n < rules.min_share * N * (1 - EPS) - EPS for n in lines.values()):
            broken.append("min_share")
        # The incumbent keeps at least this share — 0 if it did not bid (the contract).
        if rules.incumbent_min_share > 0 and self.incumbent is not None and lines.get(self.incumbent, 0.0) < (
                rules.incumbent_min_share * N * (1 - EPS) - EPS):
            broken.append("incumbent_min_share")
        if any(owner[self.units.ids.index(u)] != b for u, b in rules.fixed):
            broken.append("fixed")
        if rules.min_lines and any(n < self.min_lines[b] * (1 - EPS) - EPS for b, n in lines.items()):
            broken.append("min_lines")
        return broken

    def solver(self):
        """Enumeration when the awards are few, else the mixed-integer programme."""
        if "solver" not in self._solvers:
            self._solvers["solver"] = Enumeration(self) if Enumeration.fits(self) else _milp(self)
        return self._solvers["solver"]

    def solve(self, rules: Rules) -> Solution | None:
        key = ("solve", rules)
        if key not in self._solvers:
            self._solvers[key] = self.solver().solve(rules)
        return self._solvers[key]

    def known(self, rules: Rules) -> Solution | None:
        """The cheapest award already found (for other rules) that satisfies ``rules``: an upper
        bound that lets the programme prune."""
        found = [s for k, s in self._solvers.items() if isinstance(k, tuple) and s is not None and not self.check(
            s.owner, rules)]
        return min(found, key=lambda s: s.cost, default=None)


def _milp(problem: AwardProblem):
    from .award_milp import MilpSolver  # only tenders with many awards need HiGHS

    return MilpSolver(problem)


class Enumeration:
    """Every award costed: each bid's cost on every set of units it may win (the engine, once per
    set), then every award's cost, lines and operators as arrays; rules are filters on them."""

    def __init__(self, problem: AwardProblem):
        self.problem = problem
        units, bids = problem.units, problem.candidates
        U = len(units.ids)
        choices = [[b for b in bids if problem.elig.covers[b][u]] for u in range(U)]
        self.uncovered = [u for u in range(U) if not choices[u]]
        sizes = [max(1, len(c)) for c in choices]
        n = int(np.prod(sizes, dtype=float)) if not self.uncovered else 0
        idx = np.array(np.unravel_index(np.arange(n), sizes)).T if n else np.zeros((0, U), dtype=int)  # (n, U)
        code = {b: i for i, b in enumerate(bids)}
        table = np.array([[code[b] for b in c] + [-1] * (max(sizes) - len(c)) for c in choices]) if n else None
        self.owner = table[np.arange(U)[None, :], idx] if n else idx  # (n, U) bid index of each unit
        self.bids = bids
        self.n = n
        bit = (1 << np.arange(U)).astype(np.int64)
        self.lines = np.zeros((n, len(bids)))
        self.cost = np.zeros(n)
        for i, b in enumerate(bids):
            won = self.owner == i
            self.lines[:, i] = won @ units.lines
            masks = won.astype(np.int64) @ bit
            value = {0: 0.0}
            for m in np.unique(masks):
                if m:
                    sub = problem.cost(b, [u for u in range(U) if m >> u & 1])
                    value[int(m)] = sub.value(problem.objective) if sub.costed else np.inf
            self.cost += np.array([value[int(m)] for m in masks]) if n else 0.0

    @staticmethod
    def fits(problem: AwardProblem) -> bool:
        U = len(problem.units.ids)
        awards = np.prod([max(1, sum(problem.elig.covers[b][u] for b in problem.candidates)) for u in range(U)],
                         dtype=float)
        subsets = sum(2.0 ** sum(problem.elig.covers[b]) for b in problem.candidates)
        return awards <= ENUMERATE_AWARDS and subsets <= ENUMERATE_SUBSETS

    def feasible(self, rules: Rules) -> np.ndarray:
        p = self.problem
        N = p.units.total
        allowed = p.allowed(rules)
        ok = np.isfinite(self.cost)
        for i, b in enumerate(self.bids):
            if b not in allowed:
                ok &= self.lines[:, i] == 0
            else:
                ok &= ~(self.owner == i)[:, ~allowed[b]].any(axis=1)
        awarded = self.lines > 0
        count = awarded.sum(axis=1)
        ok &= (count >= rules.min_operators) & (count <= p.max_operators(rules))
        ok &= (self.lines <= rules.max_share * N * (1 + EPS) + EPS).all(axis=1)
        ok &= (~awarded | (self.lines >= rules.min_share * N * (1 - EPS) - EPS)).all(axis=1)
        if rules.incumbent_min_share > 0 and p.incumbent is not None:  # 0 if the incumbent did not bid
            inc = self.bids.index(p.incumbent) if p.incumbent in self.bids else None
            held = self.lines[:, inc] if inc is not None else np.zeros(self.n)
            ok &= held >= rules.incumbent_min_share * N * (1 - EPS) - EPS
        if rules.min_lines:
            need = np.array([p.min_lines[b] for b in self.bids])
            ok &= (~awarded | (self.lines >= need * (1 - EPS) - EPS)).all(axis=1)
        return ok

    def solve(self, rules: Rules) -> Solution | None:
        ok = self.feasible(rules)
        if not ok.any():
            return None
        cost = np.where(ok, self.cost, np.inf)
        best = int(np.argmin(cost))
        return Solution(tuple(self.bids[i] for i in self.owner[best]), float(cost[best]))


# --------------------------------------------------------------------------- the answer


@dataclass(frozen=True)
class AwardedBid:
    """One awarded bid: its units (tender order), initial lines and share, and its sub-tender's
    figures from the engine (``cost`` by the objective; ``bid_cost`` and ``switching_cost``
    nominal; ``entity_costs`` every entity, adding up to its TCO)."""

    bid: str
    units: tuple[str, ...]
    initial_lines: float
    share: float
    cost: float
    tco: float
    npv: float | None
    bid_cost: float
    switching_cost: float
    plan_assignment: dict[str, str]
    entity_costs: dict[str, float]

    def as_json(self) -> dict[str, Any]:
        return {"units": list(self.units), "initial_lines": self.initial_lines, "share": self.share, "cost": self.cost,
                "bid_cost": self.bid_cost, "switching_cost": self.switching_cost, "tco": self.tco, "npv": self.npv,
                "plan_assignment": dict(self.plan_assignment), "entity_costs": dict(self.entity_costs)}


@dataclass(frozen=True)
class Split:
    """An optimal award: its cost (the sum of its bids' costs) and its bids, in bid-id order."""

    cost: float
    bids: tuple[AwardedBid, ...]

    def units_by_bid(self) -> dict[str, list[str]]:
        return {b.bid: list(b.units) for b in self.bids}

    def as_json(self) -> dict[str, Any]:
        return {"cost": self.cost, "bids": {b.bid: b.as_json() for b in self.bids}}


@dataclass(frozen=True)
class RuleCost:
    """The optimum with ``rule`` alone back to its default, and what the rule costs (None where
    either optimum does not exist)."""

    rule: str
    cost_without: float | None
    difference: float | None
    split_without: dict[str, list[str]] | None

    def as_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "cost_without": self.cost_without, "difference": self.difference,
                "split_without": self.split_without}


@dataclass(frozen=True)
class SharePoint:
    max_share: float
    cost: float | None
    split: dict[str, list[str]] | None

    def as_json(self) -> dict[str, Any]:
        return {"max_share": self.max_share, "cost": self.cost, "split": self.split}


@dataclass(frozen=True)
class AwardResult:
    """Everything the award split answers for one tender (or one scenario of it)."""

    objective: str
    unit: str
    regime: str
    feasible: bool
    infeasible_rules: tuple[str, ...]
    award: Split | None
    single_award: tuple[str, float] | None  # (bid id, cost)
    saving_vs_single: float | None
    rule_costs: tuple[RuleCost, ...]
    share_curve: tuple[SharePoint, ...]
    eligible: tuple[str, ...]
    excluded: dict[str, str]
    units: tuple[tuple[str, float], ...]  # (unit id, initial lines), tender order
    fleet_initial_lines: float
    uncovered_units: tuple[str, ...]  # units no eligible bid can receive (then no award exists)
    method: str  # "enumeration" | "milp"
    assignments_enumerated: int | None
    currency: str = "EUR"

    def as_json(self) -> dict[str, Any]:
        """The contract's JSON (with extra fields: units, splits, method)."""
        return {
            "objective": self.objective, "unit": self.unit, "regime": self.regime, "feasible": self.feasible,
            "infeasible_rules": list(self.infeasible_rules),
            "award": None if self.award is None else self.award.as_json(),
            "single_award": None if self.single_award is None else {"bid": self.single_award[0],
                                                                    "cost": self.single_award[1]},
            "saving_vs_single": self.saving_vs_single,
            "rule_costs": [r.as_json() for r in self.rule_costs],
            "share_curve": [p.as_json() for p in self.share_curve],
            "eligible": list(self.eligible), "excluded": dict(self.excluded),
            "units": [{"id": u, "initial_lines": n} for u, n in self.units],
            "fleet_initial_lines": self.fleet_initial_lines,
            "uncovered_units": list(self.uncovered_units),
            "method": self.method,
            "assignments_enumerated": self.assignments_enumerated,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_json(), indent=1, ensure_ascii=False, allow_nan=False)


def set_rules(problem: AwardProblem, rules: Rules) -> list[str]:
    """The rules set to a value other than their default, in the contract's order."""
    out = []
    for rule in RULES:
        value = getattr(rules, rule)
        if rule == "max_operators":
            if value is not None and value != len(problem.elig.eligible(rules.min_total_score)):
                out.append(rule)
        elif rule == "incumbent_min_share":
            if value != 0 and problem.incumbent is not None:
                out.append(rule)
        elif rule == "min_lines":
            if value and any(n > 0 for n in problem.min_lines.values()):  # any bid's, as the contract reads
                out.append(rule)
        elif value != getattr(Rules(), rule):
            out.append(rule)
    return out


def conflict(problem: AwardProblem, rules: Rules) -> tuple[str, ...]:
    """A smallest set of rules that cannot hold together (the contract's: it alone admits no award
    and every proper subset does), by deletion: a rule is dropped when the others still clash.
    Relaxing a rule never removes an award, so what is left is minimal. Empty when the units
    cannot all be awarded even without rules."""
    names = set_rules(problem, rules)
    kept = set(names)
    for rule in names:
        trial = kept - {rule}
        if problem.solve(rules.only(trial)) is None:
            kept = trial
    return tuple(r for r in RULES if r in kept)


def _split(problem: AwardProblem, owner: tuple[str, ...]) -> dict[str, list[str]]:
    return {b: [u for u, o in zip(problem.units.ids, owner) if o == b] for b in sorted(set(owner))}


def _awarded(problem: AwardProblem, solution: Solution) -> Split:
    """The award's figures, each bid by the engine on its sub-tender."""
    N = problem.units.total
    bids = []
    for b in sorted(set(solution.owner)):
        won = [u for u, o in enumerate(solution.owner) if o == b]
        sub = problem.cost(b, won)
        lines = float(problem.units.lines[won].sum())
        bids.append(AwardedBid(
            bid=b, units=tuple(problem.units.ids[u] for u in won), initial_lines=lines, share=lines / N,
            cost=sub.value(problem.objective), tco=sub.tco, npv=sub.npv, bid_cost=sub.tco - sub.switching,
            switching_cost=sub.switching, plan_assignment=sub.plan_assignment, entity_costs=sub.entity_costs))
    return Split(cost=float(sum(b.cost for b in bids)), bids=tuple(bids))


def single_award(problem: AwardProblem, rules: Rules) -> tuple[str, float] | None:
    """The cheapest award of the whole fleet to one eligible bid, under the rules other than the
    share and operator-count rules (fixed, incumbent_min_share, min_lines, min_total_score)."""
    U = range(len(problem.units.ids))
    best = None
    relaxed = replace(rules, max_operators=None, min_operators=1, max_share=1.0, min_share=0.0)
    for b in problem.elig.eligible(rules.min_total_score):
        owner = (b,) * len(U)
        if problem.check(owner, relaxed):
            continue
        sub = problem.cost(b, list(U))
        cost = sub.value(problem.objective) if sub.costed else None
        if cost is None:  # the engine cannot cost the whole fleet for this bid: no single award to it
            continue
        if best is None or cost < best[1]:
            best = (b, cost)
    return best


def award_split(ev: Evaluation) -> AwardResult:
    """The award split of an evaluated tender with an award block (scenarios.award's doc)."""
    problem = AwardProblem.of(ev)
    spec = problem.spec
    rules = Rules.of(spec, min_lines=True)
    solution = problem.solve(rules)
    split = None if solution is None else _awarded(problem, solution)
    cost = None if split is None else split.cost
    single = single_award(problem, rules)
    rule_costs = []
    for rule in set_rules(problem, rules):
        without = problem.solve(rules.reset(rule))
        rule_costs.append(RuleCost(
            rule, None if without is None else without.cost,
            None if without is None or cost is None else cost - without.cost,
            None if without is None else _split(problem, without.owner)))
    curve = []
    for share in SHARE_CURVE:
        point = problem.solve(replace(rules, max_share=share))
        curve.append(SharePoint(share, None if point is None else point.cost,
                                None if point is None else _split(problem, point.owner)))
    solver = problem.solver()
    uncovered = tuple(problem.units.ids[u] for u in range(len(problem.units.ids))
                      if not any(problem.elig.covers[b][u] for b in problem.elig.eligible(rules.min_total_score)))
    return AwardResult(
        objective=spec.objective, unit=spec.unit, regime=spec.regime, feasible=split is not None,
        infeasible_rules=() if split is not None else conflict(problem, rules),
        award=split, single_award=single,
        saving_vs_single=None if single is None or cost is None else single[1] - cost,
        rule_costs=tuple(rule_costs), share_curve=tuple(curve),
        eligible=problem.elig.eligible(rules.min_total_score),
        excluded=problem.elig.excluded_under(rules.min_total_score),
        units=tuple(zip(problem.units.ids, map(float, problem.units.lines))),
        fleet_initial_lines=problem.units.total, uncovered_units=uncovered,
        method="enumeration" if isinstance(solver, Enumeration) else "milp",
        assignments_enumerated=solver.n if isinstance(solver, Enumeration) else None,
        currency=ev.tender.spec.currency)


__all__ = ["SHARE_CURVE", "AwardProblem", "AwardResult", "AwardedBid", "Enumeration", "RuleCost", "Rules", "SharePoint",
           "Solution", "Split", "award_split", "conflict", "set_rules", "single_award"]
