"""Property tests of the cost engine and the evaluation (hypothesis).

A strategy draws random but valid tenders (1–3 entities, 1–4 profiles, terms of 1–40
months, 1–4 bids of 1–3 plans that price every component, list offers, a pool, fees,
volume tiers, credits, indexation, devices, portability, an optional switching block, an
incumbent that bid or none) and the tests check the invariants the contract
(docs/tender-format.md, "Core semantics") implies:

1. raising any price (or cutting any credit) never lowers that bid's TCO, and leaves the
   other bids' TCOs untouched;
2. entity costs, cost breakdown, annual costs and every marginal of the cost cube add up to
   the TCO;
3. the order of the bid files changes nothing (byte-identical JSON);
4. doubling every profile's lines doubles the line-proportional costs and leaves the
   fleet-wide fixed costs alone;
5. the incumbent never carries switching costs, and every challenger's switching cost and
   portability terms equal the contract's formulas;
6. evaluating twice gives byte-identical JSON;
7. the plan mix chosen for list offers costs no more than any other assignment (and is the
   lexicographically first one within the 0.005 tie margin).

Most tests build `Tender` objects directly (no YAML round trip: fast); one test checks
that this shortcut agrees with `load_tender` on the same files, and property 3 goes
through files on disk. The whole module runs in well under a minute.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
import tempfile
from pathlib import Path

import numpy as np
import yaml
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from scoring.cost import COMPONENTS, compute_costs
from scoring.evaluate import evaluate
from scoring.load import load_tender
from scoring.model import Bid, BidFile, Tender, TenderFile

COMPS = ("voice_min", "sms", "data_gb", "roam_eu_data_gb")
USAGE_MAX = {"voice_min": 1000, "sms": 200, "data_gb": 40, "roam_eu_data_gb": 5}
TIERS = ("standard", "premium", "rugged")
TIE_EUR = 0.005  # the contract's plan-mix tie margin
K = {name: k for k, name in enumerate(COMPONENTS)}

# FLEETBID_PROPERTY_SCALE=10 multiplies every example count (for a longer bug hunt).
SCALE = float(os.environ.get("FLEETBID_PROPERTY_SCALE", "1"))
SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def examples(n: int) -> int:
    return max(1, round(n * SCALE))


# --------------------------------------------------------------------------- strategies


def cents(max_value: float, min_value: float = 0.0) -> st.SearchStrategy[float]:
    """Amounts with two decimals (exact in YAML, readable in failure reports)."""
    return st.integers(round(min_value * 100), round(max_value * 100)).map(lambda x: x / 100)


def growth(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.one_of(st.just(0.0), st.integers(round(lo * 100), round(hi * 100)).map(lambda x: x / 100))


@st.composite
def profiles_st(draw, entities: list[str]) -> list[dict]:
    profiles = []
    for i in range(draw(st.integers(1, 4))):
        lines = {}
        for e in entities:
            n = draw(st.one_of(st.just(0), st.integers(0, 500)))
            if n or draw(st.booleans()):  # an entity missing from `lines` has 0 lines
                lines[e] = n
        comps = draw(st.lists(st.sampled_from(COMPS), min_size=1, max_size=4, unique=True))
        usage = {c: draw(st.one_of(st.just(0), cents(USAGE_MAX[c]))) for c in comps}
        profile: dict = {"id": f"prof{i}", "lines": lines, "usage": usage}
        if draw(st.booleans()):
            profile["line_growth"] = draw(growth(-0.2, 0.3))
        grown = draw(st.lists(st.sampled_from(comps), max_size=2, unique=True))
        if grown:
            profile["usage_growth"] = {c: draw(growth(-0.3, 0.5)) for c in grown}
        if draw(st.booleans()):
            profile["device"] = {"tier": draw(st.sampled_from(TIERS)),
                                 "refresh_months": draw(st.sampled_from([12, 24, 36, 48, 60]))}
        profiles.append(profile)
    if sum(sum(p["lines"].values()) for p in profiles) == 0:
        profiles[0]["lines"][entities[0]] = draw(st.integers(1, 500))
    return profiles


@st.composite
def bid_st(draw, profile_ids: list[str]) -> dict:
    plans = []
    for j in range(draw(st.integers(1, 3))):
        allowances = {}
        for c in COMPS:
            kind = draw(st.sampled_from(["absent", "number", "unlimited"]))
            if kind == "number":
                allowances[c] = draw(cents(USAGE_MAX[c]))
            elif kind == "unlimited":
                allowances[c] = "unlimited"
        plans.append({
            "id": f"plan{j}",
            "monthly_fee": draw(cents(60)),
            "allowances": allowances,
            "rates": {c: draw(cents(5)) for c in COMPS},  # every component priced: every plan usable
        })
    plan_ids = [p["id"] for p in plans]
    offer: dict = {}
    for pid in profile_ids:
        if len(plan_ids) >= 2 and draw(st.booleans()):
            offer[pid] = draw(st.permutations(plan_ids))[: draw(st.integers(2, len(plan_ids)))]
        else:
            offer[pid] = draw(st.sampled_from(plan_ids))
    bid: dict = {"operator": draw(st.sampled_from(["Azur", "Boréal", "Cobalt"])), "plans": plans, "offer": offer}
    if draw(st.booleans()):
        bid["pool"] = {"data_gb": {"overage_rate": draw(cents(6))}}
    fees = {f: draw(cents(hi)) for f, hi in
            (("setup", 5000), ("per_line_activation", 20), ("sim_card", 5), ("account_monthly", 300))
            if draw(st.booleans())}
    if fees:
        bid["fees"] = fees
    discounts: dict = {}
    if draw(st.booleans()):
        discounts["volume"] = draw(st.lists(
            st.fixed_dictionaries({"min_lines": st.integers(0, 2000), "percent": cents(30)}), max_size=3))
    if draw(st.booleans()):
        discounts["welcome_credit"] = draw(cents(5000))
    if discounts:
        bid["discounts"] = discounts
    if draw(st.booleans()):
        bid["indexation_percent"] = draw(cents(10, -5))
    bid["devices"] = {"prices": {t: draw(cents(1000)) for t in TIERS}}  # a price for every tier
    if draw(st.booleans()):
        bid["devices"]["fund"] = draw(cents(50000))
    if draw(st.booleans()):
        bid["portability"] = {"fee_per_number": draw(cents(5)), "exit_fee_refund": draw(cents(1)),
                              "migration_credit": draw(cents(5000))}
    bid["service"] = {"support_answer_minutes": draw(st.integers(1, 15))}
    return bid


@st.composite
def tenders(draw, max_bids: int = 4) -> tuple[dict, dict[str, dict]]:
    """(tender.yaml as a dict, {bid id: bid file as a dict})."""
    entities = [f"ent{i}" for i in range(draw(st.integers(1, 3)))]
    profiles = draw(profiles_st(entities))
    tender: dict = {
        "name": "Property tender",
        "term_months": draw(st.one_of(st.sampled_from([12, 24, 36]), st.integers(1, 40))),
        "entities": [{"id": e} for e in entities],
        "profiles": profiles,
    }
    if draw(st.booleans()):
        tender["switching"] = {
            k: draw(v) for k, v in {
                "project_eur": cents(30000), "per_line_eur": cents(20), "current_monthly_eur": cents(40000),
                "parallel_months": st.integers(0, 3).map(float), "incumbent_exit_fee_eur": cents(50000),
                "port_share": cents(1), "porting_failure_rate": cents(0.1), "lost_number_eur": cents(400),
            }.items() if draw(st.booleans())
        }
    names = ["alpha", "bravo", "charlie", "delta"]
    bid_ids = names[: draw(st.integers(1, max_bids))]
    bids = {b: draw(bid_st([p["id"] for p in profiles])) for b in bid_ids}
    incumbent = draw(st.one_of(st.none(), st.sampled_from(bid_ids)))
    if incumbent is not None:
        tender["incumbent"] = incumbent
    if draw(st.booleans()):
        evaluation = {"price": {"weight": 100, "formula": "linear"}}
    else:  # `linear` scores any TCO, even ≤ 0 (credits can exceed a tiny fleet's costs)
        evaluation = {"price": {"weight": 80, "formula": "linear"},
                      "criteria": [{"id": "support", "weight": 20, "from": "service.support_answer_minutes",
                                    "better": "lower", "best": 1, "worst": 15}]}
    tender["evaluation"] = evaluation
    return tender, bids


# --------------------------------------------------------------------------- helpers


def build(tender: dict, bids: dict[str, dict], folder: str = "mem/property-tender") -> Tender:
    """The `Tender` that load_tender would make of these dicts (without its warnings)."""
    return Tender(
        folder=folder,
        spec=TenderFile.model_validate(tender),
        bids=tuple(
            Bid(id=b, file=f"{folder}/bids/{b}.yaml", spec=BidFile.model_validate(bids[b]), raw=bids[b])
            for b in sorted(bids)
        ),
    )


def write(folder: Path, tender: dict, files: dict[str, dict]) -> Path:
    """Write tender.yaml and bids/<file name> for each entry of ``files``."""
    (folder / "bids").mkdir(parents=True)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False, allow_unicode=True))
    for name, bid in files.items():
        (folder / "bids" / name).write_text(yaml.safe_dump(bid, sort_keys=False, allow_unicode=True))
    return folder


def close(a: float, b: float, rel: float = 1e-6, scale: float = 0.0) -> bool:
    return abs(a - b) <= rel * max(1.0, abs(a), abs(b), scale)


def initial_lines(tender: dict) -> float:
    return float(sum(sum(p["lines"].values()) for p in tender["profiles"]))


def growth_added_lines(tender: dict) -> float:
    """Σ over years y ≥ 1 that start within the term of Σ max(0, L(y) − L(y−1)), from the dicts."""
    years = -(-tender["term_months"] // 12)
    total = 0.0
    for p in tender["profiles"]:
        g = p.get("line_growth", 0.0)
        for n in p["lines"].values():
            for y in range(1, years):
                total += max(0.0, n * (1 + g) ** y - n * (1 + g) ** (y - 1))
    return total


def expected_switching(tender: dict) -> float:
    s = tender.get("switching")
    if s is None:
        return 0.0
    lines = initial_lines(tender)
    ported = s.get("port_share", 1.0) * lines
    return (s.get("project_eur", 0.0) + s.get("per_line_eur", 0.0) * lines
            + s.get("parallel_months", 0.0) * s.get("current_monthly_eur", 0.0)
            + s.get("incumbent_exit_fee_eur", 0.0)
            + ported * s.get("porting_failure_rate", 0.0) * s.get("lost_number_eur", 0.0))


def expected_portability(tender: dict, bid: dict) -> float:
    s = tender.get("switching") or {}
    p = bid.get("portability", {})
    ported = s.get("port_share", 1.0) * initial_lines(tender)
    return (ported * p.get("fee_per_number", 0.0)
            - p.get("exit_fee_refund", 0.0) * s.get("incumbent_exit_fee_eur", 0.0)
            - p.get("migration_credit", 0.0))


def tcos(tender: Tender) -> dict[str, float]:
    costs = compute_costs(tender)
    return {b: float(x) for b, x in zip(costs.bids, costs.tco(), strict=True)}


# --------------------------------------------------------------------------- 0. the generator


@settings(max_examples=examples(40), **SETTINGS)
@given(tenders())
def test_generated_tenders_load_and_direct_build_agrees(case):
    """The strategy only makes valid tenders (load_tender accepts them, every bid is
    costed), and `build()` — the shortcut the other tests use — evaluates exactly like the
    loader (JSON identical apart from load warnings)."""
    tender, bids = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp) / "property-tender", tender, {f"{b}.yaml": bid for b, bid in bids.items()})
        loaded = evaluate(load_tender(folder)).to_dict()
    direct = evaluate(build(tender, bids)).to_dict()
    assert all(b["tco"] is not None and b["compliant"] for b in direct["bids"])
    loaded.pop("warnings")
    direct.pop("warnings")
    assert json.dumps(loaded, sort_keys=True) == json.dumps(direct, sort_keys=True)


# --------------------------------------------------------------------------- 1. monotone in prices


def _price_fields(bid: dict, tender: dict) -> list[tuple]:
    """Paths of every price in a bid (raising it must not lower the TCO), and of every
    credit (cutting it must not lower the TCO), as (kind, path...)."""
    fields: list[tuple] = []
    for j, plan in enumerate(bid["plans"]):
        fields.append(("raise", "plans", j, "monthly_fee"))
        fields += [("raise", "plans", j, "rates", c) for c in plan["rates"]]
    if "pool" in bid:
        fields.append(("raise", "pool", "data_gb", "overage_rate"))
    fields += [("raise", "fees", f) for f in ("setup", "per_line_activation", "sim_card", "account_monthly")]
    fields += [("raise", "devices", "prices", t) for t in TIERS]
    fields.append(("raise", "indexation_percent"))
    fields.append(("raise", "portability", "fee_per_number"))
    # credits and discounts: cutting them is raising the price
    fields += [("cut", "discounts", "welcome_credit"), ("cut", "devices", "fund"),
               ("cut", "portability", "migration_credit"), ("cut", "portability", "exit_fee_refund")]
    fields += [("cut", "discounts", "volume", i, "percent") for i in range(len(bid.get("discounts", {}).get("volume", [])))]
    return fields


def _get(d: dict, path: tuple, default=0.0):
    for part in path[:-1]:
        d = d.get(part, {}) if isinstance(d, dict) else d[part]
    return d.get(path[-1], default) if isinstance(d, dict) else d[path[-1]]


def _set(d: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        d = d.setdefault(part, {}) if isinstance(d, dict) else d[part]
    d[path[-1]] = value


@settings(max_examples=examples(150), **SETTINGS)
@given(tenders(), st.data())
def test_raising_a_price_never_lowers_the_tco(case, data):
    """Property 1. For any one price of one bid — a plan's monthly fee or rate, the pool
    overage rate, setup/activation/SIM/account fee, a device price, indexation_percent (k(y)
    = (1+i/100)^y grows with i for every y ≥ 1, whatever the sign of i, and only multiplies
    non-negative prices), the portability fee per number — raised by a positive amount, and
    for any credit or discount (welcome credit, device fund, migration credit, exit-fee
    refund, a volume tier's percent) cut, that bid's TCO does not fall, and no other bid's
    TCO moves.

    Why it holds with plan-mix re-optimisation: for a fixed assignment every cost is
    non-decreasing in every price, and the minimum of non-decreasing functions is
    non-decreasing. The one slack is the contract's tie rule: the lexicographically first mix
    within min + 0.005 wins, so the TCO may legitimately drop by up to 0.005 when the raise
    hits the previously chosen (near-tie) mix; the tolerance is that margin plus rounding."""
    tender, bids = case
    bid_id = data.draw(st.sampled_from(sorted(bids)), label="bid")
    kind, *path = data.draw(st.sampled_from(_price_fields(bids[bid_id], tender)), label="field")
    path = tuple(path)
    changed = copy.deepcopy(bids)
    old_value = _get(changed[bid_id], path)
    if kind == "raise":
        hi = 100.0 - old_value if path == ("indexation_percent",) else 1000.0
        assume(hi > 0.01)
        delta = data.draw(st.one_of(cents(min(hi, 5.0), 0.01), cents(hi, 0.01)), label="raise by")
        _set(changed[bid_id], path, round(old_value + delta, 2))
    else:
        assume(old_value > 0)
        _set(changed[bid_id], path, data.draw(cents(old_value), label="cut to"))
    before = tcos(build(tender, bids))
    after = tcos(build(tender, changed))
    note(f"{bid_id} {kind} {'.'.join(map(str, path))}: {old_value} -> {_get(changed[bid_id], path)}; "
         f"TCO {before[bid_id]} -> {after[bid_id]}")
    assert after[bid_id] >= before[bid_id] - TIE_EUR - 1e-9 * abs(before[bid_id])
    for other in bids:
        if other != bid_id:
            assert after[other] == before[other]


# --------------------------------------------------------------------------- 2. reconciliation


@settings(max_examples=examples(150), **SETTINGS)
@given(tenders())
def test_costs_add_up_to_the_tco(case):
    """Property 2. For every bid: the entity costs, the cost breakdown and the annual costs
    each add up to the TCO, bid_cost + switching_cost = TCO, and every marginal of the cost
    cube (over months, profiles, entities, components) adds up to the TCO and matches the
    JSON (breakdown = component marginal, entity_costs = entity marginal) — to 1e-6 relative.
    Also: the breakdown has exactly the contract's keys, the credit and fund lines are ≤ 0,
    and an entity without lines carries no cost."""
    tender, bids = case
    t = build(tender, bids)
    ev = evaluate(t)
    out = ev.to_dict()
    costs = ev.costs
    empty = {e["id"] for e in tender["entities"]} - {e for p in tender["profiles"] for e, n in p["lines"].items() if n > 0}
    for b, bid in enumerate(out["bids"]):
        tco = bid["tco"]
        cube = costs.cube[b]
        assert np.isfinite(cube).all()
        scale = float(np.abs(cube).sum())  # cancellation (credits) can make |tco| small
        assert list(bid["cost_breakdown"]) == list(costs.components)  # v1: exactly COMPONENTS' v1 keys
        assert close(sum(bid["cost_breakdown"].values()), tco, scale=scale)
        assert close(sum(bid["entity_costs"].values()), tco, scale=scale)
        assert close(sum(bid["annual_cost"]), tco, scale=scale)
        assert len(bid["annual_cost"]) == -(-tender["term_months"] // 12)
        assert close(bid["bid_cost"] + bid["switching_cost"], tco, scale=scale)
        assert close(float(cube.sum()), tco, scale=scale)
        for axis in range(4):
            others = tuple(a for a in range(4) if a != axis)
            marginal = cube.sum(axis=others)
            assert marginal.shape == (cube.shape[axis],)
            assert close(float(marginal.sum()), tco, scale=scale)
        comp = cube.sum(axis=(0, 1, 2))
        for name, value in bid["cost_breakdown"].items():
            assert close(value, float(comp[K[name]]), scale=scale)
        ent = cube.sum(axis=(0, 1, 3))
        for e, (eid, value) in enumerate(bid["entity_costs"].items()):
            assert eid == tender["entities"][e]["id"]
            assert close(value, float(ent[e]), scale=scale)
        assert bid["cost_breakdown"]["device_fund"] <= 0
        assert bid["cost_breakdown"]["credits"] <= 0
        for eid in empty:
            assert bid["entity_costs"][eid] == 0


# --------------------------------------------------------------------------- 3. bid file order


@settings(max_examples=examples(40), **SETTINGS)
@given(tenders(), st.data())
def test_bid_file_order_changes_nothing(case, data):
    """Property 3. The same bids written under file names whose directory order differs
    (each file carries its `id:`), and once more under their own ids as file stems, evaluate
    to byte-identical JSON. The tender folder has the same name each time (its name is the
    fallback tender name)."""
    tender, bids = case
    if data.draw(st.booleans(), label="drop tender name"):
        tender = {k: v for k, v in tender.items() if k != "name"}
    ids = sorted(bids)
    order_a = data.draw(st.permutations(ids), label="file order a")
    order_b = list(reversed(order_a))
    ext = data.draw(st.sampled_from([".yaml", ".yml"]), label="extension")
    with_id = {b: {"id": b, **bids[b]} for b in ids}
    outputs = []
    with tempfile.TemporaryDirectory() as tmp:
        for n, files in enumerate([
            {f"file{i}{ext}": with_id[b] for i, b in enumerate(order_a)},
            {f"file{i}{ext}": with_id[b] for i, b in enumerate(order_b)},
            {f"{b}.yaml": bids[b] for b in reversed(ids)},
        ]):
            folder = write(Path(tmp) / str(n) / "tender", tender, files)
            outputs.append(evaluate(load_tender(folder)).to_json())
    note(outputs[0])
    assert outputs[0] == outputs[1] == outputs[2]


def test_load_warnings_do_not_depend_on_bid_file_names(tmp_path):
    """Regression (found by property 3: warnings followed bid file names): two bids, each naming a component
    (`sms`) that no profile uses; file a.yaml holds bid `zulu`, b.yaml bid `alpha`. Renaming
    a.yaml to c.yaml must not change the output."""
    tender = {"term_months": 12, "entities": [{"id": "hq"}],
              "profiles": [{"id": "std", "lines": {"hq": 10}, "usage": {"data_gb": 1}}],
              "evaluation": {"price": {"weight": 100}}}
    plan = {"id": "p", "monthly_fee": 10, "rates": {"data_gb": 1, "sms": 1}}
    zulu = {"id": "zulu", "plans": [plan], "offer": {"std": "p"}}
    alpha = {"id": "alpha", "plans": [plan], "offer": {"std": "p"}}
    first = write(tmp_path / "1" / "t", tender, {"a.yaml": zulu, "b.yaml": alpha})
    second = write(tmp_path / "2" / "t", tender, {"c.yaml": zulu, "b.yaml": alpha})
    one, two = evaluate(load_tender(first)).to_dict(), evaluate(load_tender(second)).to_dict()
    assert one["warnings"] == two["warnings"]


# --------------------------------------------------------------------------- 4. scale invariance


LINE_PROPORTIONAL = ("subscriptions", "usage", "pool_overage", "devices")
FIXED = ("account_fees", "credits")


@settings(max_examples=examples(100), **SETTINGS)
@given(tenders())
def test_doubling_lines_doubles_line_proportional_costs(case):
    """Property 4. Doubling every profile's lines (and every volume tier's `min_lines`, so
    the tier reached — fixed by the initial lines — is unchanged):

    - doubles, cell by cell of the cube (month × profile × entity), `subscriptions`, `usage`,
      `devices` (gross device spend) and `pool_overage` (fleet demand and plan supply both
      double, and the split key — each cell's individual overage — doubles too);
    - doubles `one_off_fees` minus `setup` (activation and SIM fees on initial and on growth
      lines are per line; setup is fleet-wide);
    - leaves `account_fees` and `credits` (welcome credit) unchanged, cell by cell (fleet-wide,
      split by the initial-line share, which doubling does not change);
    - raises `switching` by exactly its per-line parts (per_line_eur and lost numbers, both
      ∝ initial lines) and `portability` by exactly the fee per ported number: project,
      parallel running, exit fee, refund and migration credit are fixed.
    - `device_fund` is not checked: the fund is a fixed amount, min(fund, spend) does not
      double; it only stays 0 without a fund.

    The plan mix's objective is homogeneous in the lines, so the mix only changes through
    the 0.005 tie margin; when it does, only the sum of the line-proportional costs is
    compared (within 2 × 0.005)."""
    tender, bids = case
    doubled_tender = copy.deepcopy(tender)
    for p in doubled_tender["profiles"]:
        p["lines"] = {e: 2 * n for e, n in p["lines"].items()}
    doubled_bids = copy.deepcopy(bids)
    for bid in doubled_bids.values():
        for tier in bid.get("discounts", {}).get("volume", []):
            tier["min_lines"] *= 2
    one, two = compute_costs(build(tender, bids)), compute_costs(build(doubled_tender, doubled_bids))
    lines0 = initial_lines(tender)
    sw = tender.get("switching") or {}
    for b, bid_id in enumerate(one.bids):
        bid = bids[bid_id]
        c1, c2 = one.cube[b], two.cube[b]
        scale = float(np.abs(c1).sum()) + 1.0
        tol = 1e-9 * scale
        if one.plan_assignment[bid_id] == two.plan_assignment[bid_id]:
            for name in LINE_PROPORTIONAL:
                np.testing.assert_allclose(c2[..., K[name]], 2 * c1[..., K[name]], rtol=1e-9, atol=tol, err_msg=name)
        else:
            s1 = sum(c1[..., K[n]].sum() for n in LINE_PROPORTIONAL)
            s2 = sum(c2[..., K[n]].sum() for n in LINE_PROPORTIONAL)
            assert abs(s2 - 2 * s1) <= 2 * TIE_EUR + tol
        for name in FIXED:
            np.testing.assert_allclose(c2[..., K[name]], c1[..., K[name]], rtol=1e-9, atol=tol, err_msg=name)
        setup = bid.get("fees", {}).get("setup", 0.0)
        once1, once2 = c1[..., K["one_off_fees"]].sum(), c2[..., K["one_off_fees"]].sum()
        assert abs((once2 - setup) - 2 * (once1 - setup)) <= tol
        if not bid.get("devices", {}).get("fund"):
            assert c1[..., K["device_fund"]].sum() == 0 and c2[..., K["device_fund"]].sum() == 0
        if bid_id != tender.get("incumbent"):
            if "switching" in tender:
                per_line = sw.get("per_line_eur", 0.0) + sw.get("port_share", 1.0) * sw.get(
                    "porting_failure_rate", 0.0) * sw.get("lost_number_eur", 0.0)
            else:
                per_line = 0.0
            d_switch = c2[..., K["switching"]].sum() - c1[..., K["switching"]].sum()
            assert abs(d_switch - per_line * lines0) <= tol
            fee = bid.get("portability", {}).get("fee_per_number", 0.0) * sw.get("port_share", 1.0)
            d_port = c2[..., K["portability"]].sum() - c1[..., K["portability"]].sum()
            assert abs(d_port - fee * lines0) <= tol


# --------------------------------------------------------------------------- 5. switching


@settings(max_examples=examples(150), **SETTINGS)
@given(tenders())
def test_incumbent_never_switches_and_challengers_match_the_formula(case):
    """Property 5. The incumbent's `switching` and `portability` are 0 and its one-off fees
    are setup plus activation/SIM on growth lines only (month 1 carries setup alone: no
    migration activations). Every challenger (every bid when the incumbent is absent) carries
    exactly the contract's switching cost (0 without a switching block), portability terms,
    and one-off fees setup + (activation + SIM) × (initial lines + growth lines); all of
    them fall in month 1 except the growth activations. Computed from the dicts, not the
    engine."""
    tender, bids = case
    out = evaluate(build(tender, bids))
    costs = out.costs
    incumbent = tender.get("incumbent")
    switching = expected_switching(tender)
    lines0, added = initial_lines(tender), growth_added_lines(tender)
    for b, bid in enumerate(out.to_dict()["bids"]):
        spec = bids[bid["id"]]
        fees = spec.get("fees", {})
        setup = fees.get("setup", 0.0)
        per_line = fees.get("per_line_activation", 0.0) + fees.get("sim_card", 0.0)
        cube = costs.cube[b]
        month1_once = cube[0, :, :, K["one_off_fees"]].sum()
        once = bid["cost_breakdown"]["one_off_fees"]
        tol = 1e-9 * (abs(switching) + abs(once) + 1.0) + 1e-9 * float(np.abs(cube).sum())
        assert bid["incumbent"] == (bid["id"] == incumbent)
        if bid["id"] == incumbent:
            assert bid["switching_cost"] == 0
            assert bid["cost_breakdown"]["switching"] == 0
            assert bid["cost_breakdown"]["portability"] == 0
            assert abs(month1_once - setup) <= tol
            assert abs(once - (setup + per_line * added)) <= tol
        else:
            assert abs(bid["switching_cost"] - switching) <= tol
            assert abs(bid["cost_breakdown"]["portability"] - expected_portability(tender, spec)) <= tol
            assert abs(month1_once - (setup + per_line * lines0)) <= tol
            assert abs(once - (setup + per_line * (lines0 + added))) <= tol
        for name in ("switching", "portability", "credits"):
            assert not cube[1:, :, :, K[name]].any(), f"{name} outside month 1"


# --------------------------------------------------------------------------- 6. determinism


@settings(max_examples=examples(40), **SETTINGS)
@given(tenders())
def test_evaluation_is_deterministic(case):
    """Property 6. Evaluating the same tender twice — the same object, a freshly built one,
    and a fresh load of the same files — gives byte-identical JSON and identical cubes."""
    tender, bids = case
    t = build(tender, bids)
    first = evaluate(t)
    assert first.to_json() == evaluate(t).to_json() == evaluate(build(tender, bids)).to_json()
    assert np.array_equal(first.costs.cube, compute_costs(build(tender, bids)).cube, equal_nan=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write(Path(tmp) / "t", tender, {f"{b}.yaml": bid for b, bid in bids.items()})
        assert evaluate(load_tender(folder)).to_json() == evaluate(load_tender(folder)).to_json()


# --------------------------------------------------------------------------- 7. plan mix


@settings(max_examples=examples(100), **SETTINGS)
@given(tenders(max_bids=2))
def test_chosen_plan_mix_is_cheapest(case):
    """Property 7. For every bid with list offers, every assignment of the offered plans is
    costed on its own (the offer rewritten to single plans, as extra bids in a tender with no
    incumbent so that all of them — and the original — are challengers alike). The chosen
    assignment's TCO is ≤ every other assignment's TCO + 0.005, equals the TCO of its own
    rewritten bid, and is the lexicographically first assignment (profiles in tender order,
    plans in offer order) within min + 0.005 — the contract's tie rule (skipped when a cost
    sits within 1e-6 of that threshold, where rounding decides)."""
    tender, bids = case
    listed = [b for b in sorted(bids) if any(isinstance(o, list) for o in bids[b]["offer"].values())]
    assume(listed)
    profile_ids = [p["id"] for p in tender["profiles"]]
    no_incumbent = {k: v for k, v in tender.items() if k != "incumbent"}
    original = compute_costs(build(tender, bids))
    for bid_id in listed:
        bid = bids[bid_id]
        choices = [o if isinstance(o, list) else [o] for o in (bid["offer"][p] for p in profile_ids)]
        mixes = list(itertools.product(*choices))
        variants = {bid_id: bid}
        for n, mix in enumerate(mixes):
            variants[f"{bid_id}-v{n:03d}"] = {**bid, "offer": dict(zip(profile_ids, mix, strict=True))}
        costs = compute_costs(build(no_incumbent, variants))
        tco = dict(zip(costs.bids, costs.tco(), strict=True))
        chosen = costs.plan_assignment[bid_id]
        assert chosen == original.plan_assignment[bid_id]  # the mix does not depend on incumbency
        mix_tco = np.array([tco[f"{bid_id}-v{n:03d}"] for n in range(len(mixes))])
        assert np.isfinite(mix_tco).all()
        best = float(mix_tco.min())
        scale = 1e-9 * float(np.abs(mix_tco).max())
        chosen_n = mixes.index(tuple(chosen[p] for p in profile_ids))
        note(f"{bid_id}: chosen {chosen} at {tco[bid_id]}, min {best}, mixes {dict(zip(mixes, mix_tco, strict=True))}")
        assert tco[bid_id] <= best + TIE_EUR + scale
        assert abs(tco[bid_id] - mix_tco[chosen_n]) <= 1e-6 * max(1.0, abs(best))
        threshold = best + TIE_EUR
        if not np.any(np.abs(mix_tco - threshold) <= 1e-6):
            first = int(np.argmax(mix_tco <= threshold))
            assert chosen_n == first, f"chosen {mixes[chosen_n]}, lexicographically first {mixes[first]}"


def test_strategy_is_not_vacuous():
    """Spot-check that the strategy reaches the interesting corners (pool, lists, partial
    years, incumbent, switching, device funds)."""
    seen: set[str] = set()

    @settings(max_examples=200, deadline=None, database=None)
    @given(tenders())
    def collect(case):
        tender, bids = case
        seen.add("partial_year" if tender["term_months"] % 12 else "whole_years")
        seen.add("incumbent" if "incumbent" in tender else "no_incumbent")
        if "switching" in tender:
            seen.add("switching")
        for bid in bids.values():
            if "pool" in bid:
                seen.add("pool")
            if any(isinstance(o, list) for o in bid["offer"].values()):
                seen.add("list_offer")
            if bid["devices"].get("fund"):
                seen.add("fund")
            if any(a == "unlimited" for p in bid["plans"] for a in p["allowances"].values()):
                seen.add("unlimited")

    collect()
    assert seen >= {"partial_year", "whole_years", "incumbent", "no_incumbent", "switching", "pool",
                    "list_offer", "fund", "unlimited"}, seen
