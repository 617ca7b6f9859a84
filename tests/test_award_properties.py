"""Properties of the award split on small random tenders (hypothesis), against an independent
brute force.

The brute force follows the contract's "Equivalently" paragraph on its own path: for every bid
and every set of units it writes the sub-tender as files would read (tender.yaml with the other
cells' lines at 0 and empty profiles dropped, `current_monthly_eur` and `incumbent_exit_fee_eur`
times f_b, under public_fr the bid's tiers replaced by the one the whole fleet reaches — read
off the tiers here, not through scoring.pricing), validates it with `scoring.load.read_files` /
`build_tender` and takes the bid's TCO (or NPV) from `scoring.evaluate` — what `python -m
scoring evaluate --json` reports. It then lists every award, checks the rules itself, and keeps
the cheapest. Checked: the optimiser's cost (enumeration, and the mixed-integer programme on
the same problem) equals that minimum within 0.01; the whole fleet to one bid costs that bid's
TCO from `evaluate`; relaxing any rule never raises the optimum; the returned award satisfies
every rule; each awarded bid's entity costs add up to its TCO and the bids' costs to the award's.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import replace

import pytest
import yaml
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from scenarios.award import AwardProblem, Rules, award_split, set_rules
from scenarios.award_milp import MilpSolver
from scoring.evaluate import evaluate
from scoring.load import build_tender, read_files

SCALE = float(os.environ.get("FLEETBID_PROPERTY_SCALE", "1"))
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CENT = 0.01


def examples(n: int) -> int:
    return max(1, round(n * SCALE))


def money(hi: float) -> st.SearchStrategy[float]:
    return st.integers(0, int(hi * 100)).map(lambda c: c / 100)


@st.composite
def tenders(draw):
    """(tender.yaml, bids) as mappings: at most 4 award units, 2–3 bids, pools, tiers, plan lists,
    fixed charges, switching, an incumbent, and random rules."""
    n_e = draw(st.integers(1, 2))
    n_p = draw(st.integers(1, 2))
    entities = [f"e{i}" for i in range(n_e)]
    profiles = []
    for p in range(n_p):
        lines = {e: draw(st.integers(0, 60)) for e in entities}
        profiles.append({"id": f"p{p}", "lines": lines, "line_growth": draw(st.sampled_from([0.0, 0.1])),
                         "usage": {"voice_min": draw(st.integers(0, 300)), "data_gb": draw(st.integers(1, 20))}})
        if p == 0 and draw(st.booleans()):
            profiles[-1]["device"] = {"tier": "std", "refresh_months": 24}
    if sum(n for p in profiles for n in p["lines"].values()) == 0:
        profiles[0]["lines"][entities[0]] = 10
    unit = draw(st.sampled_from(["entity", "profile", "cell"]))
    n_b = draw(st.integers(2, 3))
    bids = {}
    for b in range(n_b):
        plans, offer = [], {}
        for p in range(n_p):
            ids = []
            for k in range(draw(st.integers(1, 2))):
                plans.append({"id": f"p{p}-{k}", "monthly_fee": draw(money(30)),
                              "allowances": {"voice_min": "unlimited", "data_gb": draw(st.integers(0, 25))},
                              "rates": {"data_gb": draw(money(3))}})
                ids.append(f"p{p}-{k}")
            if b == 0 or draw(st.booleans()) or p == 0:  # sometimes no offer for p1: the bid covers less
                offer[f"p{p}"] = ids if len(ids) > 1 else ids[0]
        bid = {"plans": plans, "offer": offer,
               "fees": {"setup": draw(money(500)), "account_monthly": draw(money(50)),
                        "per_line_activation": draw(money(5)), "per_line_monthly": draw(st.sampled_from([0, 0.5])),
                        "minimum_monthly_spend": draw(st.sampled_from([0, 0, 400, 1500]))},
               "devices": {"prices": {"std": draw(money(600))}, "fund": draw(st.sampled_from([0, 0, 2000, 20000]))},
               "discounts": {"volume": [{"min_lines": draw(st.integers(1, 120)), "percent": draw(st.integers(1, 30))}
                                        for _ in range(draw(st.integers(0, 2)))],
                             "welcome_credit": draw(money(300))},
               "portability": {"fee_per_number": draw(money(2)), "exit_fee_refund": draw(st.sampled_from([0, 0.5]))}}
        if draw(st.booleans()):
            bid["pool"] = {"data_gb": {"overage_rate": draw(money(3))}}
        bids[f"b{b}"] = bid
    award = {"unit": unit, "max_share": draw(st.sampled_from([1.0, 0.8, 0.6])),
             "min_share": draw(st.sampled_from([0.0, 0.0, 0.2])),
             "regime": draw(st.sampled_from(["private", "public_fr"]))}
    if draw(st.booleans()):
        award["max_operators"] = draw(st.integers(1, 2))
    incumbent = draw(st.sampled_from([None, "b0", "b1"]))
    if incumbent and draw(st.booleans()):
        award["incumbent_min_share"] = 0.3
    if award["regime"] == "private" and draw(st.booleans()):
        bids["b1"]["award"] = {"min_lines": draw(st.integers(1, 80))}
    tender = {"term_months": draw(st.sampled_from([12, 24])), "entities": [{"id": e} for e in entities],
              "profiles": profiles, "evaluation": {"price": {"weight": 100, "basis": "tco", "formula": "linear"}},
              "switching": {"project_eur": draw(money(2000)), "per_line_eur": draw(money(10)),
                            "current_monthly_eur": draw(money(3000)), "parallel_months": draw(st.integers(0, 2)),
                            "incumbent_exit_fee_eur": draw(money(2000)), "port_share": 0.9,
                            "porting_failure_rate": 0.02, "lost_number_eur": 100},
              "award": award}
    if incumbent:
        tender["incumbent"] = incumbent
    if draw(st.booleans()):
        tender["non_recoverable_tax_percent"] = 20
    if draw(st.booleans()):
        tender["discount_rate"] = 0.05
        award["objective"] = "npv"
    units = _units(tender)
    if units and draw(st.booleans()):
        award["fixed"] = {units[draw(st.integers(0, len(units) - 1))][0]: f"b{draw(st.integers(0, n_b - 1))}"}
    return tender, bids


def _units(tender: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """The contract's units, read off tender.yaml: (id, its (profile, entity) cells with lines)."""
    entities = [e["id"] for e in tender["entities"]]
    cells = [(p["id"], e) for e in entities for p in tender["profiles"] if p["lines"].get(e, 0) > 0]
    unit = tender["award"]["unit"]
    if unit == "entity":
        groups = [(e, [c for c in cells if c[1] == e]) for e in entities]
    elif unit == "profile":
        groups = [(p["id"], [c for c in cells if c[0] == p["id"]]) for p in tender["profiles"]]
    else:
        groups = [(f"{e}.{p}", [(p, e)]) for p, e in cells]
    return [(u, cs) for u, cs in groups if cs]


def _reached_percent(tiers: list[dict], lines: float) -> float:
    """The tier reached at ``lines``: the largest min_lines at most ``lines`` (the larger percent
    on a tie); 0 below every tier."""
    reached = [t for t in tiers if lines >= t["min_lines"]]
    if not reached:
        return 0.0
    top = max(t["min_lines"] for t in reached)
    return max(t["percent"] for t in reached if t["min_lines"] == top)


def _only(tender: dict, rules: set[str]) -> dict:
    """The award block with only ``rules`` kept (every other rule at its default)."""
    award = tender["award"]
    kept = {r: award[r] for r in rules if r in award}
    kept["min_lines"] = "min_lines" in rules
    return kept


class Brute:
    """Every award costed through sub-tenders written as files and evaluated as
    `python -m scoring evaluate` does."""

    def __init__(self, tender: dict, bids: dict):
        self.tender, self.bids = tender, bids
        self.units = _units(tender)
        self.lines = [sum(self._lines(c) for c in cells) for _, cells in self.units]
        self.total = sum(self.lines)
        self.memo: dict = {}

    def _lines(self, cell) -> float:
        p, e = cell
        return next(x for x in self.tender["profiles"] if x["id"] == p)["lines"].get(e, 0)

    def cost(self, bid: str, units: tuple[int, ...]) -> float | None:
        key = (bid, units)
        if key not in self.memo:
            self.memo[key] = self._cost(bid, units)
        return self.memo[key]

    def _cost(self, bid: str, units: tuple[int, ...]) -> float | None:
        cells = {c for u in units for c in self.units[u][1]}
        t = yaml.safe_load(yaml.safe_dump(self.tender))
        t.pop("award")
        profiles = []
        for p in t["profiles"]:
            p["lines"] = {e: (n if (p["id"], e) in cells else 0) for e, n in p["lines"].items()}
            if sum(p["lines"].values()) > 0:
                profiles.append(p)
        t["profiles"] = profiles
        n = sum(sum(p["lines"].values()) for p in profiles)
        f = n / self.total
        t["switching"]["current_monthly_eur"] *= f
        t["switching"]["incumbent_exit_fee_eur"] *= f
        b = yaml.safe_load(yaml.safe_dump(self.bids[bid]))
        b.pop("award", None)
        kept = {p["id"] for p in profiles}  # offers for dropped profiles go with them
        b["offer"] = {p: plans for p, plans in b["offer"].items() if p in kept}
        if self.tender["award"]["regime"] == "public_fr":
            percent = _reached_percent(b["discounts"]["volume"], self.total)
            b["discounts"]["volume"] = [{"min_lines": 0, "percent": percent}] if percent > 0 else []
        files = {"tender.yaml": yaml.safe_dump(t).encode(), f"bids/{bid}.yaml": yaml.safe_dump(b).encode()}
        ev = evaluate(build_tender(read_files("sub", files)))
        figures = ev.figures[bid]
        return figures.npv if self.tender["award"].get("objective") == "npv" else figures.tco

    def breaks(self, owner: tuple[str, ...], rules: dict) -> list[str]:
        """The rules ``owner`` breaks (the award block's, as a mapping; min_lines from the bids)."""
        held: dict[str, float] = {}
        for b, n in zip(owner, self.lines):
            held[b] = held.get(b, 0) + n
        out = []
        tol = 1e-9
        if len(held) > rules.get("max_operators", len(self.bids)) or len(held) < rules.get("min_operators", 1):
            out.append("operators")
        if any(n > rules.get("max_share", 1.0) * self.total + tol for n in held.values()):
            out.append("max_share")
        if any(n < rules.get("min_share", 0.0) * self.total - tol for n in held.values()):
            out.append("min_share")
        inc = self.tender.get("incumbent")
        if rules.get("incumbent_min_share", 0) > 0 and held.get(inc, 0) < rules["incumbent_min_share"] * self.total - tol:
            out.append("incumbent_min_share")
        ids = [u for u, _ in self.units]
        if any(owner[ids.index(u)] != b for u, b in rules.get("fixed", {}).items()):
            out.append("fixed")
        if rules.get("min_lines", True) and any(
                n < (self.bids[b].get("award") or {}).get("min_lines", 0) - tol for b, n in held.items()):
            out.append("min_lines")
        return out

    def optimum(self, rules: dict) -> float | None:
        best = None
        for owner in itertools.product(sorted(self.bids), repeat=len(self.units)):
            if self.breaks(owner, rules):
                continue
            total = 0.0
            for b in sorted(set(owner)):
                c = self.cost(b, tuple(u for u, o in enumerate(owner) if o == b))
                if c is None:
                    break
                total += c
            else:
                best = total if best is None else min(best, total)
        return best


def _solved(tender: dict, bids: dict):
    files = {"tender.yaml": yaml.safe_dump(tender).encode(),
             **{f"bids/{b}.yaml": yaml.safe_dump(spec).encode() for b, spec in bids.items()}}
    ev = evaluate(build_tender(read_files("t", files)))
    return ev, AwardProblem.of(ev)


@settings(max_examples=examples(25), **SETTINGS)
@given(tenders())
def test_optimum_equals_brute_force_and_satisfies_the_rules(case):
    tender, bids = case
    note(yaml.safe_dump({"tender": tender, "bids": bids}))
    ev, problem = _solved(tender, bids)
    brute = Brute(tender, bids)
    rules = dict(tender["award"])
    best = brute.optimum(rules)
    result = award_split(ev)
    event("feasible" if best is not None else "infeasible")
    event(f"{len(result.award.bids) if result.award else 0} bids awarded")
    if best is None:
        assert not result.feasible and result.award is None
        # The rules named cannot hold together, and dropping any one of them lets the rest hold.
        conflict = set(result.infeasible_rules)
        assert brute.optimum(_only(tender, conflict)) is None
        for rule in conflict:
            assert brute.optimum(_only(tender, conflict - {rule})) is not None, rule
    else:
        assert result.feasible
        assert result.award.cost == pytest.approx(best, abs=CENT)
        owner = tuple(next(b.bid for b in result.award.bids if u in b.units) for u, _ in brute.units)
        assert brute.breaks(owner, rules) == []
        for part in result.award.bids:  # entity costs add up; the award's cost is its bids'
            assert sum(part.entity_costs.values()) == pytest.approx(part.tco, abs=1e-6)
            assert set(part.entity_costs) == {e["id"] for e in tender["entities"]}
        assert result.award.cost == pytest.approx(sum(p.cost for p in result.award.bids), abs=1e-6)
    milp = MilpSolver(problem).solve(Rules.of(problem.spec, min_lines=True))
    assert (milp is None) == (best is None)
    if best is not None:
        assert milp.cost == pytest.approx(best, abs=CENT)
    # Each share-curve point is the brute force's optimum with that max_share.
    for point in result.share_curve:
        expected = brute.optimum({**rules, "max_share": point.max_share})
        assert (point.cost is None) == (expected is None)
        if expected is not None:
            assert point.cost == pytest.approx(expected, abs=CENT)


@settings(max_examples=examples(25), **SETTINGS)
@given(tenders())
def test_whole_fleet_to_one_bid_is_its_tco(case):
    """In either regime, a bid awarded the whole fleet costs its TCO (and NPV) in the evaluation."""
    tender, bids = case
    ev, problem = _solved(tender, bids)
    everything = list(range(len(problem.units.ids)))
    for bid in ev.tender.bids:
        if not ev.costs.costed(bid.id):
            continue
        sub = problem.cost(bid.id, everything)
        assert sub.tco == pytest.approx(ev.figures[bid.id].tco, abs=1e-6)
        if ev.figures[bid.id].npv is not None:
            assert sub.npv == pytest.approx(ev.figures[bid.id].npv, abs=1e-6)


@settings(max_examples=examples(25), **SETTINGS)
@given(tenders(), st.data())
def test_relaxing_a_rule_never_raises_the_optimum(case, data):
    tender, bids = case
    ev, problem = _solved(tender, bids)
    rules = Rules.of(problem.spec, min_lines=True)
    base = problem.solve(rules)
    looser = [rules.reset(r) for r in set_rules(problem, rules)]
    looser.append(replace(rules, max_share=min(1.0, rules.max_share + data.draw(st.sampled_from([0.1, 0.3])))))
    for relaxed in looser:
        found = problem.solve(relaxed)
        if base is not None:
            assert found is not None
            assert found.cost <= base.cost + CENT
