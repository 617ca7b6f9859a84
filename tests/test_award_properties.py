"""Properties of the award split on small random tenders (hypothesis), against an independent
brute force.

The brute force follows the contract's "Equivalently" paragraph on its own path: for every bid
and every set of units it writes the sub-tender as files would read (tender.yaml with the other
cells' lines at 0 and empty profiles dropped, `current_monthly_eur` and `incumbent_exit_fee_eur`
times f_b, under public_fr the bid's tiers replaced by the one the whole fleet reaches — read
off the tiers here, not through scoring.pricing), validates it with `scoring.load.read_files` /
`build_tender` and takes the bid's TCO (or NPV) from `scoring.evaluate` — what `python -m
scoring evaluate --json` reports (a bid the engine finds non-compliant on a sub-tender cannot
receive it: a costing knock-out holds only where its profiles are, a service knock-out
everywhere; `min_total_score` is read off the whole tender's `total_score`). It then lists every
award over the eligible bids, checks the rules itself (`max_operators` by default the number of
ELIGIBLE bids), and keeps the cheapest. Checked: the optimiser's cost (enumeration, and the mixed-integer programme on
the same problem) equals that minimum within 0.01; the whole fleet to one bid costs that bid's
TCO from `evaluate`; relaxing any rule never raises the optimum; the returned award satisfies
every rule; each awarded bid's entity costs add up to its TCO and the bids' costs to the award's;
the eligible bids, the single award, each share-curve point and each rule cost (the rules listed
are those off their defaults) match the brute force.
"""

from __future__ import annotations

import itertools
import json
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

# ~45 s at scale 1 on two cores (the brute-force test 150 examples, the others 100 each); a
# longer hunt: FLEETBID_PROPERTY_SCALE=4.
SCALE = float(os.environ.get("FLEETBID_PROPERTY_SCALE", "1"))
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CENT = 0.01


def examples(n: int) -> int:
    return max(1, round(n * SCALE))


def once_in(k: int) -> st.SearchStrategy[bool]:
    """True about once in ``k`` draws (shrinking towards False)."""
    return st.sampled_from([False] * (k - 1) + [True])


def money(hi: float) -> st.SearchStrategy[float]:
    return st.integers(0, int(hi * 100)).map(lambda c: c / 100)


@st.composite
def tenders(draw, npv_stress: bool = False):
    """(tender.yaml, bids) as mappings: at most 4 award units, 2–3 bids, pools over 2–3 plans a
    profile, tiers, fixed charges, switching, an incumbent, line and usage growth, an NPV
    objective, and random rules (min_total_score among them). Knock-outs of every kind the
    contract names: a bid with no offer for a profile, a plan list that is all unusable (data used,
    neither included nor rated, unless pooled), no device price (costing knock-outs: the bid may
    receive only the units it covers), a service criterion's `limit` or `required` (the bid
    receives nothing); a plan may also lack a data rate (unusable once usage outgrows its
    allowance). ``npv_stress``: every tender under `objective: npv` at a 0.9 discount rate over
    36 months, data growing 50 % a year, b0 a pooled ladder (where the NPV-cheapest plan mix
    departs from the nominal-cheapest one the engine keeps)."""
    n_e = draw(st.integers(1, 2))
    n_p = draw(st.integers(1, 2))
    entities = [f"e{i}" for i in range(n_e)]
    profiles = []
    for p in range(n_p):
        lines = {e: draw(st.integers(0, 60)) for e in entities}
        profiles.append({"id": f"p{p}", "lines": lines, "line_growth": draw(st.sampled_from([0.0, 0.1])),
                         "usage": {"voice_min": draw(st.integers(0, 300)), "data_gb": draw(st.integers(1, 20))}})
        growth = 0.5 if npv_stress else draw(st.sampled_from([0.0, 0.0, 0.2, 0.5]))
        if growth:
            profiles[-1]["usage_growth"] = {"data_gb": growth}
        if p == 0 and draw(st.booleans()):
            profiles[-1]["device"] = {"tier": "std", "refresh_months": 24}
    if sum(n for p in profiles for n in p["lines"].values()) == 0:
        profiles[0]["lines"][entities[0]] = 10
    unit = draw(st.sampled_from(["entity", "profile", "cell"]))
    # Share and operator-count rules only where there are two units to split (one unit: any
    # max_share < 1 or min_operators 2 is infeasible, checked often enough by the fixed rules).
    split = len(_units({"entities": [{"id": e} for e in entities], "profiles": profiles, "award": {"unit": unit}})) > 1
    n_b = draw(st.integers(2, 3))
    # One knock-out at most per bid, b0 never (so that most tenders have an award).
    knocks = ["none"] + [draw(st.sampled_from(["none", "none", "none", "offer", "plan", "device", "limit",
                                              "required"])) for _ in range(n_b - 1)]
    criteria = draw(st.booleans()) or any(k in ("limit", "required") for k in knocks)
    bids = {}
    for b in range(n_b):
        pooled = (npv_stress and b == 0) or draw(st.booleans())
        overage = draw(money(3)) if pooled else 0.0
        # A pooled ladder: each GB of allowance priced near the pool's overage rate, so that the
        # mix is a near tie that growth and discounting can tip (the NPV-cheapest mix is then
        # not the nominal-cheapest one the engine keeps).
        ladder = pooled and ((npv_stress and b == 0) or draw(st.booleans()))
        gap = f"p{draw(st.integers(0, n_p - 1))}"  # the profile an offer or plan knock-out hits
        plans, offer = [], {}
        for p in range(n_p):
            ids = []
            base = draw(money(10))
            for k in range(draw(st.integers(2, 3) if pooled else st.integers(1, 2))):
                gb = draw(st.sampled_from([0, 2, 5, 10, 20])) if ladder else draw(st.integers(0, 25))
                fee = (round(base + gb * overage * draw(st.sampled_from([1.0, 0.9, 1.1, 0.95])), 2) if ladder
                       else draw(money(30)))
                plan = {"id": f"p{p}-{k}", "monthly_fee": fee,
                        "allowances": {"voice_min": "unlimited", "data_gb": gb}}
                if knocks[b] == "plan" and f"p{p}" == gap:  # data used, neither included nor rated
                    plan["allowances"].pop("data_gb")
                elif not draw(once_in(6)):  # else no data rate: unusable beyond the allowance, unless pooled
                    plan["rates"] = {"data_gb": draw(money(3))}
                plans.append(plan)
                ids.append(f"p{p}-{k}")
            if not (knocks[b] == "offer" and f"p{p}" == gap):  # no offer for a profile: the bid covers less
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
        if knocks[b] == "device":  # no device price: a costing knock-out where a device is due
            bid["devices"]["prices"] = {}
        if pooled:
            bid["pool"] = {"data_gb": {"overage_rate": overage}}
        if criteria:  # 12 minutes is over the limit; a missing or false billing commitment knocks out
            bid["service"] = {"support_answer_minutes": 12 if knocks[b] == "limit" else draw(st.sampled_from([2, 6]))}
            if knocks[b] != "required":
                bid["service"]["cost_centre_billing"] = True
            elif draw(st.booleans()):
                bid["service"]["cost_centre_billing"] = False
        bids[f"b{b}"] = bid
    award = {"unit": unit, "max_share": draw(st.sampled_from([1.0, 0.8, 0.6])) if split else 1.0,
             "min_share": draw(st.sampled_from([0.0, 0.0, 0.2])),
             "regime": draw(st.sampled_from(["private", "public_fr"]))}
    if split and draw(once_in(4)):
        award["min_operators"] = 2
    if draw(st.booleans()):
        award["max_operators"] = draw(st.integers(award.get("min_operators", 1), 3))
    incumbent = draw(st.sampled_from([None, "b0", "b1"]))
    if incumbent and draw(once_in(3)):
        award["incumbent_min_share"] = 0.3
    if award["regime"] == "private" and draw(st.booleans()):
        bids["b1"]["award"] = {"min_lines": draw(st.integers(1, 80))}
    if draw(once_in(3)):
        award["min_total_score"] = draw(st.sampled_from([30, 30, 50, 70]))
    evaluation = {"price": {"weight": 100, "basis": "tco", "formula": "linear"}}
    if criteria:
        evaluation = {"price": {"weight": 70, "basis": "tco", "formula": "linear"},
                      "criteria": [{"id": "support", "weight": 20, "from": "service.support_answer_minutes",
                                    "better": "lower", "best": 1, "worst": 15, "limit": 10},
                                   {"id": "billing", "weight": 10, "from": "service.cost_centre_billing",
                                    "required": True}]}
    tender = {"term_months": 36 if npv_stress else draw(st.sampled_from([12, 24, 36])), "entities": [{"id": e} for e in entities],
              "profiles": profiles, "evaluation": evaluation,
              "switching": {"project_eur": draw(money(2000)), "per_line_eur": draw(money(10)),
                            "current_monthly_eur": draw(money(3000)), "parallel_months": draw(st.integers(0, 2)),
                            "incumbent_exit_fee_eur": draw(money(2000)), "port_share": 0.9,
                            "porting_failure_rate": 0.02, "lost_number_eur": 100},
              "award": award}
    if incumbent:
        tender["incumbent"] = incumbent
    if draw(st.booleans()):
        tender["non_recoverable_tax_percent"] = 20
    if npv_stress:
        tender["discount_rate"], award["objective"] = 0.9, "npv"
    elif draw(st.booleans()):
        tender["discount_rate"] = draw(st.sampled_from([0.05, 0.12, 0.9]))  # 0.9: the NPV mix departs
        if not draw(once_in(4)):
            award["objective"] = "npv"
    units = _units(tender)
    if units and draw(once_in(3)):
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
        # Total scores as `python -m scoring evaluate --json` reports them on the whole tender.
        self.score = {b["id"]: b["total_score"] for b in _evaluated("t", tender, bids)["bids"]}

    def eligible(self, rules: dict) -> list[str]:
        """The bids that may receive a unit: those the engine finds compliant on the sub-tender of
        at least one unit (a service knock-out holds on every sub-tender, a costing knock-out
        only where its profiles are), with a total score of at least ``min_total_score``
        (null: below any)."""
        floor = rules.get("min_total_score")
        if ("eligible", floor) not in self.memo:
            self.memo["eligible", floor] = [
                b for b in sorted(self.bids)
                if any(self.cost(b, (u,)) is not None for u in range(len(self.units)))
                and (floor is None or (self.score[b] is not None and self.score[b] >= floor))]
        return self.memo["eligible", floor]

    def set_rules(self, rules: dict) -> set[str]:
        """The rules set to a value other than their default (the contract's precisions)."""
        out = {r for r, d in (("min_operators", 1), ("max_share", 1.0), ("min_share", 0.0))
               if rules.get(r, d) != d}
        if "max_operators" in rules and rules["max_operators"] != len(self.eligible(rules)):
            out.add("max_operators")
        if rules.get("incumbent_min_share", 0) != 0 and self.tender.get("incumbent") in self.bids:
            out.add("incumbent_min_share")
        if rules.get("fixed"):
            out.add("fixed")
        if rules.get("min_total_score") is not None:
            out.add("min_total_score")
        if rules.get("min_lines", True) and any((b.get("award") or {}).get("min_lines", 0) > 0
                                                for b in self.bids.values()):
            out.add("min_lines")
        return out

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
        (row,) = _evaluated("sub", t, {bid: b})["bids"]
        if not row["compliant"]:  # a knock-out on this sub-tender: the bid cannot receive it
            return None
        return row["npv"] if self.tender["award"].get("objective") == "npv" else row["tco"]

    def breaks(self, owner: tuple[str, ...], rules: dict) -> list[str]:
        """The rules ``owner`` breaks (the award block's, as a mapping; min_lines from the bids)."""
        held: dict[str, float] = {}
        for b, n in zip(owner, self.lines):
            held[b] = held.get(b, 0) + n
        out = []
        tol = 1e-9
        if any(b not in self.eligible(rules) for b in held):
            out.append("eligibility")
        # max_operators defaults to the number of ELIGIBLE bids (the contract), not of bids.
        if len(held) > rules.get("max_operators", len(self.eligible(rules))) or len(held) < rules.get("min_operators", 1):
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
        for owner in itertools.product(self.eligible(rules), repeat=len(self.units)):
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


    def single(self, rules: dict) -> float | None:
        """The cheapest award of the whole fleet to one eligible bid under every rule but the
        share and operator-count ones."""
        whole = tuple(range(len(self.units)))
        costs = [self.cost(b, whole) for b in self.eligible(rules)
                 if not set(self.breaks((b,) * len(self.units), rules)) - {"operators", "max_share", "min_share"}]
        costs = [c for c in costs if c is not None]
        return min(costs) if costs else None


def _files(tender: dict, bids: dict) -> dict[str, bytes]:
    return {"tender.yaml": yaml.safe_dump(tender).encode(),
            **{f"bids/{b}.yaml": yaml.safe_dump(spec).encode() for b, spec in bids.items()}}


def _evaluated(name: str, tender: dict, bids: dict) -> dict:
    """What `python -m scoring evaluate --json` prints for these files."""
    return json.loads(evaluate(build_tender(read_files(name, _files(tender, bids)))).to_json())


def _without(rules: dict, rule: str) -> dict:
    """``rules`` with ``rule`` back to its default."""
    out = {k: v for k, v in rules.items() if k != rule}
    if rule == "min_lines":
        out["min_lines"] = False
    return out


def _solved(tender: dict, bids: dict):
    ev = evaluate(build_tender(read_files("t", _files(tender, bids))))
    return ev, AwardProblem.of(ev)


def _kinds(tender: dict, bids: dict, ev, brute: Brute) -> None:
    """Hypothesis events: which of the widened cases this example holds."""
    if any("pool" in b and any(isinstance(o, list) for o in b["offer"].values()) for b in bids.values()):
        event("a pooled bid with a plan list")
    for bid in ev.tender.bids:
        if ev.costs.knockouts[bid.id]:
            event("a bid with a costing knock-out")
        if ev.criteria.knockouts(bid.id):
            event("a bid knocked out by a service criterion")
    award = tender["award"]
    if award.get("objective") == "npv":
        event("objective npv")
    if "min_total_score" in award:
        event("min_total_score")
    if any(p.get("usage_growth") for p in tender["profiles"]):
        event("usage growth")
        if award.get("objective") == "npv" and any(
                "pool" in b and any(isinstance(o, list) for o in b["offer"].values()) for b in bids.values()):
            event("pool + plan list + npv + usage growth")
    if award.get("max_operators") == len(brute.eligible(award)) < len(bids):
        event("max_operators at the number of eligible bids, below the number of bids")


@settings(max_examples=examples(150), **SETTINGS)
@given(tenders())
def test_optimum_equals_brute_force_and_satisfies_the_rules(case):
    check_against_brute_force(case)


@settings(max_examples=examples(100), **SETTINGS)
@given(tenders(npv_stress=True))
def test_npv_pooled_ladder_optimum_equals_brute_force(case):
    """The same checks where the programme's free plan mix and the engine's nominal one part."""
    check_against_brute_force(case)


def check_against_brute_force(case):
    tender, bids = case
    note(yaml.safe_dump({"tender": tender, "bids": bids}))
    ev, problem = _solved(tender, bids)
    brute = Brute(tender, bids)
    rules = dict(tender["award"])
    best = brute.optimum(rules)
    result = award_split(ev)
    _kinds(tender, bids, ev, brute)
    assert list(result.eligible) == brute.eligible(rules)
    event("feasible" if best is not None else f"infeasible: {sorted(result.infeasible_rules)}")
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
    # Each rule set to a non-default value (max_operators: other than the number of ELIGIBLE
    # bids) is costed: the brute force's optimum with that rule alone back to its default.
    assert {r.rule for r in result.rule_costs} == brute.set_rules(rules)
    for r in result.rule_costs:
        expected = brute.optimum(_without(rules, r.rule))
        assert (r.cost_without is None) == (expected is None), r.rule
        if expected is not None:
            assert r.cost_without == pytest.approx(expected, abs=CENT), r.rule
            if best is not None:
                assert r.difference == pytest.approx(best - expected, abs=CENT), r.rule
    # The single award: the cheapest whole fleet to one eligible bid, share and operator-count
    # rules aside.
    single = brute.single(rules)
    assert (result.single_award is None) == (single is None)
    if single is not None:
        assert result.single_award[1] == pytest.approx(single, abs=CENT)


@settings(max_examples=examples(100), **SETTINGS)
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


@settings(max_examples=examples(100), **SETTINGS)
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
