"""Scenario overlays (scenarios/overlay.py) checked against hand-edited copies of the tender.

The contract of a scenario is that its result "is exactly the evaluation of a hand-edited copy
of the tender". Each case below states a scenario and, independently, the edit a buyer would
make to the YAML files by hand (plain dict code in this file, not the overlay's merge). Both
are built in the *same* folder — the scenario is applied to the parsed original, then the
files are edited in place and loaded again — so the two `to_json()` strings must be equal
byte for byte (same tender name, same folder in any message).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from scenarios.overlay import apply, load_scenario, scenario_from_dict, tender_scenarios
from scoring.errors import TenderError
from scoring.evaluate import evaluate
from scoring.load import build_tender, load_tender, read_folder
from scoring.model import UsageDistribution

from conftest import DATA, ROOT

C1 = DATA / "c1-sample"
EXAMPLE = ROOT / "tenders" / "conseil-2027"

Edit = Callable[[dict, dict[str, dict]], None]  # (tender.yaml dict, {bid stem: bid dict}) edited in place


# --------------------------------------------------------------------------- helpers


def by_id(items: list[dict], item_id: str) -> dict:
    return next(i for i in items if i["id"] == item_id)


def times(value, factor):
    """The hand version of scaling a usage value: a number, or a distribution's mean."""
    if isinstance(value, dict):
        return {**value, "mean": value["mean"] * factor}
    return value * factor


def read_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def scenario_vs_hand_edit(source: Path, tmp_path: Path, scenario: dict, edit: Edit) -> tuple[str, str, str]:
    """(baseline JSON, scenario JSON, hand-edited JSON), all three evaluated in one folder."""
    folder = tmp_path / source.name
    shutil.copytree(source, folder)
    # The scenario goes through a real file, as a user would write it.
    scenario_path = tmp_path / "scenario.yaml"
    write_yaml(scenario_path, scenario)
    raw = read_folder(folder)
    baseline = evaluate(build_tender(raw)).to_json()
    via_scenario = evaluate(apply(raw, load_scenario(scenario_path))).to_json()

    tender = read_yaml(folder / "tender.yaml")
    bids = {p.stem: read_yaml(p) for p in sorted((folder / "bids").glob("*.yaml"))}
    edit(tender, bids)
    write_yaml(folder / "tender.yaml", tender)
    for stem, bid in bids.items():
        write_yaml(folder / "bids" / f"{stem}.yaml", bid)
    by_hand = evaluate(load_tender(folder)).to_json()
    return baseline, via_scenario, by_hand


# --------------------------------------------------------------------------- 1. scenario == hand edit
# c1 sample: 3 profiles (cadres, terrain, tablettes), entities siege/depots, bids azur
# (incumbent, account fee 150), boreal (data pool 1.6/GB, setup 4000, welcome credit) and
# cobalt; weights price 55, support 10, sim_swap 10, billing_split 5, memo 20.


def edit_weights(t, b):
    # price 55 → 40, memo 20 → 35 (merged into the existing list item by id): 40+10+10+5+35 = 100
    t["evaluation"]["price"]["weight"] = 40
    by_id(t["evaluation"]["criteria"], "memo")["weight"] = 35


def edit_bid_values(t, b):
    b["boreal"]["service"]["sim_replacement_days"] = 4  # score (5−4)/(5−1) = 0.25 instead of 1
    by_id(b["azur"]["plans"], "std")["monthly_fee"] = 11.0  # the other keys of plan std are kept


def edit_usage_component(t, b):
    for p in t["profiles"]:
        if "data_gb" in p["usage"]:
            p["usage"]["data_gb"] = times(p["usage"]["data_gb"], 1.5)


def edit_usage_star(t, b):
    # "*" scales every component; a component named on its own takes its own factor (not both)
    for p in t["profiles"]:
        p["usage"] = {c: times(u, 2.0 if c == "data_gb" else 0.8) for c, u in p["usage"].items()}


def edit_lines(t, b):
    for p in t["profiles"]:
        p["lines"] = {e: n * 1.25 for e, n in p["lines"].items()}  # line_growth untouched


def scale_recurring(bid: dict, f: float) -> None:
    """Plan fees, per-plan rates, pool overage rates, account fee — nothing else."""
    for plan in bid["plans"]:
        plan["monthly_fee"] = plan["monthly_fee"] * f
        plan["rates"] = {c: r * f for c, r in plan.get("rates", {}).items()}
    for comp in bid.get("pool", {}).values():
        comp["overage_rate"] = comp["overage_rate"] * f
    if "account_monthly" in bid.get("fees", {}):
        bid["fees"]["account_monthly"] = bid["fees"]["account_monthly"] * f


def edit_prices(t, b):
    scale_recurring(b["boreal"], 0.9)
    scale_recurring(b["azur"], 1.1)


def edit_nulls(t, b):
    del t["switching"]  # no block: no switching cost; portability terms read the defaults
    del by_id(t["evaluation"]["criteria"], "support")["limit"]  # azur's 11 min no longer checked
    del b["cobalt"]["portability"]["exit_fee_refund"]


def edit_append(t, b):
    t["entities"].append({"id": "agences", "name": "Agences"})
    by_id(t["profiles"], "terrain")["lines"]["agences"] = 40
    t["evaluation"]["price"]["weight"] = 50
    t["evaluation"]["criteria"].append({"id": "billing_twice", "weight": 5, "from": "service.cost_centre_billing"})
    b["azur"]["plans"].append({"id": "eco", "monthly_fee": 6.5, "allowances": {"data_gb": 8}, "rates": {"data_gb": 4}})
    b["azur"]["offer"]["tablettes"] = "eco"


C1_CASES = {
    "set weights, criterion merged by id": (
        {"set": {"evaluation": {"price": {"weight": 40}, "criteria": [{"id": "memo", "weight": 35}]}}}, edit_weights),
    "bids: service value and plan fee by id": (
        {"bids": {"boreal": {"service": {"sim_replacement_days": 4}},
                  "azur": {"plans": [{"id": "std", "monthly_fee": 11.0}]}}}, edit_bid_values),
    "scale.usage one component": ({"scale": {"usage": {"data_gb": 1.5}}}, edit_usage_component),
    "scale.usage * with an override": ({"scale": {"usage": {"*": 0.8, "data_gb": 2.0}}}, edit_usage_star),
    "scale.lines": ({"scale": {"lines": 1.25}}, edit_lines),
    "scale.prices": ({"scale": {"prices": {"boreal": 0.9, "azur": 1.1}}}, edit_prices),
    "null deletes": (
        {"set": {"switching": None, "evaluation": {"criteria": [{"id": "support", "limit": None}]}},
         "bids": {"cobalt": {"portability": {"exit_fee_refund": None}}}}, edit_nulls),
    "new list items appended by id": (
        {"set": {"entities": [{"id": "agences", "name": "Agences"}],
                 "profiles": [{"id": "terrain", "lines": {"agences": 40}}],
                 "evaluation": {"price": {"weight": 50},
                                "criteria": [{"id": "billing_twice", "weight": 5,
                                              "from": "service.cost_centre_billing"}]}},
         "bids": {"azur": {"plans": [{"id": "eco", "monthly_fee": 6.5, "allowances": {"data_gb": 8},
                                      "rates": {"data_gb": 4}}],
                           "offer": {"tablettes": "eco"}}}}, edit_append),
}


@pytest.mark.parametrize("case", list(C1_CASES))
def test_c1_scenario_equals_hand_edited_copy(case, tmp_path):
    scenario, edit = C1_CASES[case]
    baseline, via_scenario, by_hand = scenario_vs_hand_edit(C1, tmp_path, {"name": case, **scenario}, edit)
    assert via_scenario != baseline, "the scenario must change something, or the comparison proves nothing"
    assert via_scenario == by_hand


# The bundled example: each shipped scenario file against the edit its comment describes, plus
# cases the shipped files do not cover (usage distributions under "*", a pooled bid's prices,
# deleting the switching block).
def example_edits() -> dict[str, tuple[dict | str, Edit]]:
    def data_doubles(t, b):
        for p in t["profiles"]:
            if "data_gb" in p["usage"]:
                p["usage"]["data_gb"] = times(p["usage"]["data_gb"], 2.0)  # consultants: mean 20 → 40, cv 0.35

    def growth_30(t, b):
        for p in t["profiles"]:
            p["lines"] = {e: n * 1.3 for e, n in p["lines"].items()}

    def incumbent_matches(t, b):
        scale_recurring(b["orbis"], 0.78)

    def porting_fails(t, b):
        t["switching"]["porting_failure_rate"] = 0.10

    def quality_first(t, b):
        t["evaluation"]["price"]["weight"] = 40
        by_id(t["evaluation"]["criteria"], "technical_memo")["weight"] = 25

    def star(t, b):
        for p in t["profiles"]:
            p["usage"] = {c: times(u, 1.1) for c, u in p["usage"].items()}

    def telvia(t, b):
        scale_recurring(b["telvia"], 0.9)

    def no_switching(t, b):
        del t["switching"]

    def billed_usage(t, b):
        t["usage_file"]["evaluate_on"] = "lines"

    return {
        "billed-usage.yaml": ("billed-usage.yaml", billed_usage),
        "data-doubles.yaml": ("data-doubles.yaml", data_doubles),
        "growth-30.yaml": ("growth-30.yaml", growth_30),
        "incumbent-matches.yaml": ("incumbent-matches.yaml", incumbent_matches),
        "porting-fails.yaml": ("porting-fails.yaml", porting_fails),
        "quality-first.yaml": ("quality-first.yaml", quality_first),
        "usage * 1.1 (distributions)": ({"name": "star", "scale": {"usage": {"*": 1.1}}}, star),
        "telvia prices 0.9 (pool, volume discount)": ({"name": "t", "scale": {"prices": {"telvia": 0.9}}}, telvia),
        "switching: null": ({"name": "n", "set": {"switching": None}}, no_switching),
    }


EXAMPLE_CASES = example_edits()


@pytest.mark.parametrize("case", list(EXAMPLE_CASES))
def test_example_scenario_equals_hand_edited_copy(case, tmp_path):
    scenario, edit = EXAMPLE_CASES[case]
    if isinstance(scenario, str):
        scenario = read_yaml(EXAMPLE / "scenarios" / scenario)
    baseline, via_scenario, by_hand = scenario_vs_hand_edit(EXAMPLE, tmp_path, scenario, edit)
    assert via_scenario != baseline
    assert via_scenario == by_hand


def test_price_scaling_touches_recurring_prices_only():
    """c1, boreal × 0.9 and azur × 1.1. Subscriptions, per-plan usage, pool overage and the
    account fee are linear in the recurring prices (indexation and volume discount are
    multipliers of them), so they scale by exactly the factor; setup, activation and SIM fees
    (`one_off_fees`), devices, device fund, welcome credit and portability terms do not move,
    and neither does the plan mix (every recurring cost scales alike).
    Boreal: subscriptions, pool_overage × 0.9. Azur: subscriptions, usage, account_fees × 1.1."""
    raw = read_folder(C1)
    base = json.loads(evaluate(build_tender(raw)).to_json())
    scaled = json.loads(evaluate(apply(raw, scenario_from_dict(
        {"name": "p", "scale": {"prices": {"boreal": 0.9, "azur": 1.1}}}))).to_json())
    before = {b["id"]: b for b in base["bids"]}
    after = {b["id"]: b for b in scaled["bids"]}
    fixed = ("one_off_fees", "devices", "device_fund", "credits", "portability", "switching")
    for bid_id, factor, recurring in (("boreal", 0.9, ("subscriptions", "pool_overage")),
                                      ("azur", 1.1, ("subscriptions", "usage", "account_fees"))):
        b0, b1 = before[bid_id]["cost_breakdown"], after[bid_id]["cost_breakdown"]
        for key in recurring:
            assert b0[key] > 0, (bid_id, key)  # the check means something
            assert b1[key] == pytest.approx(b0[key] * factor, rel=1e-12), (bid_id, key)
        for key in fixed:
            assert b1[key] == pytest.approx(b0[key], abs=1e-9), (bid_id, key)
        assert after[bid_id]["plan_assignment"] == before[bid_id]["plan_assignment"]
    assert before["boreal"]["cost_breakdown"]["one_off_fees"] > 0 and before["azur"]["cost_breakdown"]["devices"] > 0
    assert after["cobalt"]["tco"] == before["cobalt"]["tco"]  # not named: untouched


# --------------------------------------------------------------------------- 2. bundled scenarios, compare CLI


def run(module: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_every_bundled_scenario_loads_and_evaluates():
    paths = tender_scenarios(EXAMPLE)
    assert [p.name for p in paths] == ["billed-usage.yaml", "data-doubles.yaml", "growth-30.yaml",
                                       "incumbent-matches.yaml", "porting-fails.yaml", "quality-first.yaml"]
    raw = read_folder(EXAMPLE)
    for path in paths:
        scenario = load_scenario(path)
        ev = evaluate(apply(raw, scenario))
        assert scenario.name and ev.winner is not None, path


def test_compare_cli_lists_baseline_then_each_scenario():
    """`python -m scenarios compare tenders/conseil-2027 --json`: baseline first, then the
    scenarios in file-name order, each {name, winner, bids: [{id, tco, rank, total_score}]}
    and, the example having an `award` block, the split's cost (`award`, tests/test_award_conformance.py);
    the baseline figures are those of `python -m scoring evaluate --json`, and each
    scenario's figures those of evaluating it in-process."""
    compare = run("scenarios", "compare", "tenders/conseil-2027", "--json")
    assert compare.returncode == 0, compare.stderr
    runs = json.loads(compare.stdout)["scenarios"]
    raw = read_folder(EXAMPLE)
    scenarios = [load_scenario(p) for p in tender_scenarios(EXAMPLE)]
    assert [r["name"] for r in runs] == ["baseline", *(s.name for s in scenarios)]
    for r in runs:
        assert set(r) == {"name", "winner", "bids", "award"}
        assert [b["id"] for b in r["bids"]] == ["mistral", "novacom", "orbis", "telvia"]
        for b in r["bids"]:
            assert set(b) == {"id", "tco", "rank", "total_score"}

    evaluated = run("scoring", "evaluate", "tenders/conseil-2027", "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    reference = json.loads(evaluated.stdout)
    assert runs[0]["winner"] == reference["winner"]
    assert runs[0]["bids"] == [{k: b[k] for k in ("id", "tco", "rank", "total_score")} for b in reference["bids"]]

    for r, scenario in zip(runs[1:], scenarios):
        ev = json.loads(evaluate(apply(raw, scenario)).to_json())
        assert r["winner"] == ev["winner"], scenario.name
        assert r["bids"] == [{k: b[k] for k in ("id", "tco", "rank", "total_score")} for b in ev["bids"]]
        assert r["bids"] != runs[0]["bids"], f"{scenario.name} changes nothing"


# --------------------------------------------------------------------------- 3. errors


def write_scenario(tmp_path: Path, data: dict, name: str = "bad.yaml") -> Path:
    path = tmp_path / name
    write_yaml(path, {"name": "bad", **data})
    return path


def problems_of(tmp_path: Path, data: dict, tender: Path = C1) -> tuple[str, list[tuple[str, str, str]]]:
    path = write_scenario(tmp_path, data)
    with pytest.raises(TenderError) as info:
        apply(read_folder(tender), load_scenario(path))
    return str(path), [(p.file, p.field, p.message) for p in info.value.problems]


def test_weights_not_100_names_the_scenario_and_set_evaluation(tmp_path):
    """c1: price 55 → 50 leaves 50 + 10 + 10 + 5 + 20 = 95."""
    path, problems = problems_of(tmp_path, {"set": {"evaluation": {"price": {"weight": 50}}}})
    assert [(f, fld) for f, fld, _ in problems] == [(path, "set.evaluation")]
    assert "95" in problems[0][2]


def test_invalid_bid_value_names_bids_id_field(tmp_path):
    path, problems = problems_of(tmp_path, {"bids": {"boreal": {"plans": [{"id": "flex", "monthly_fee": -1}]}}})
    assert [(f, fld) for f, fld, _ in problems] == [(path, "bids.boreal.plans.0.monthly_fee")]
    # the second plan (index 1) names its own index
    path, problems = problems_of(tmp_path, {"bids": {"boreal": {"plans": [{"id": "max", "monthly_fee": -1}]}}})
    assert [(f, fld) for f, fld, _ in problems] == [(path, "bids.boreal.plans.1.monthly_fee")]


def test_unknown_bids_are_errors_in_bids_and_scale_prices(tmp_path):
    path, problems = problems_of(tmp_path, {"bids": {"zephyr": {"service": {"x": 1}}},
                                            "scale": {"prices": {"boreal": 0.9, "nimbus": 0.9}}})
    assert sorted((f, fld) for f, fld, _ in problems) == [(path, "bids.zephyr"), (path, "scale.prices.nimbus")]
    assert all("unknown bid" in m for _, _, m in problems)


def test_unknown_usage_component(tmp_path):
    path, problems = problems_of(tmp_path, {"scale": {"usage": {"data_gbb": 2.0, "data_gb": 2.0}}})
    assert [(f, fld) for f, fld, _ in problems] == [(path, "scale.usage.data_gbb")]


@pytest.mark.parametrize("data, field", [
    ({"scael": {"lines": 2.0}}, "scael"),                         # top-level typo
    ({"scale": {"line": 2.0}}, "scale.line"),                     # typo inside scale
    ({"set": {"evaluaton": {"price": {"weight": 50}}}}, "set.evaluaton"),   # typo in the tender overlay
    ({"bids": {"boreal": {"servce": {"x": 1}}}}, "bids.boreal.servce"),     # typo in a bid overlay
    ({"scale": {"lines": -1}}, "scale.lines"),                    # negative factor
])
def test_unknown_or_bad_field_in_the_scenario_file_is_named(tmp_path, data, field):
    path, problems = problems_of(tmp_path, data)
    assert [(f, fld) for f, fld, _ in problems] == [(path, field)]


def test_control_characters_in_a_scenario_are_refused_and_keys_shown_escaped(tmp_path):
    """A terminal escape in a scenario's name (ESC [1A ESC [2K erases the line above) or in a
    bid key is refused, naming the field; a key is shown with its ESC escaped (\\x1b), so
    the error line itself cannot move the cursor."""
    path, problems = problems_of(tmp_path, {"name": "x\x1b[1A\x1b[2K", "bids": {"zz\x1b[2K": {}}})
    assert [(f, fld) for f, fld, _ in problems] == [(path, "name"), (path, "bids.zz\\x1b[2K")]
    assert all("U+001B" in m and "\x1b" not in m for _, _, m in problems)


def test_scenario_without_name(tmp_path):
    path = tmp_path / "noname.yaml"
    write_yaml(path, {"scale": {"lines": 2.0}})
    with pytest.raises(TenderError) as info:
        load_scenario(path)
    assert [(p.file, p.field) for p in info.value.problems] == [(str(path), "name")]


def test_cli_bad_scenario_exit_2_one_error_line_per_problem(tmp_path):
    """Two problems in one scenario (weights add up to 95 and a negative fee) → two `error:`
    lines naming the scenario file, exit 2, no traceback, nothing on stdout; same for the
    analysis commands that take --scenario."""
    path = write_scenario(tmp_path, {"set": {"evaluation": {"price": {"weight": 50}}},
                                     "bids": {"boreal": {"plans": [{"id": "flex", "monthly_fee": -1}]}}})
    for args in (("compare", str(C1), str(path)), ("switch", str(C1), "--scenario", str(path), "--json")):
        r = run("scenarios", *args)
        assert r.returncode == 2, args
        assert r.stdout == "" and "Traceback" not in r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 2 and all(ln.startswith(f"error: {path}: ") for ln in lines), r.stderr
        assert {ln.split(": ")[2] for ln in lines} == {"set.evaluation", "bids.boreal.plans.0.monthly_fee"}


# --------------------------------------------------------------------------- 4. distributions survive scaling


def test_usage_distributions_keep_cv_and_dist_when_scaled():
    """Example consultants: data_gb {mean 20, cv 0.35, lognormal}; standard: {mean 5, cv 0.8,
    gamma}; executives' roam_world_data_gb {mean 1, cv 2, gamma}. data_gb × 2 and "*" × 1.5:
    consultants mean 40, standard mean 10 (data_gb's own factor wins), roaming mean 1.5, voice
    450 × 1.5 = 675; cv and dist unchanged. scale.lines leaves usage alone."""
    raw = read_folder(EXAMPLE)
    t = apply(raw, scenario_from_dict({"name": "d", "scale": {"usage": {"data_gb": 2.0, "*": 1.5}}}))
    profiles = {p.id: p for p in t.spec.profiles}
    assert profiles["consultants"].usage["data_gb"] == UsageDistribution(mean=40.0, cv=0.35, dist="lognormal")
    assert profiles["standard"].usage["data_gb"] == UsageDistribution(mean=10.0, cv=0.8, dist="gamma")
    assert profiles["executives"].usage["roam_world_data_gb"] == UsageDistribution(mean=1.5, cv=2.0, dist="gamma")
    assert profiles["consultants"].usage["voice_min"] == 675.0
    assert profiles["tablets"].usage["data_gb"] == 24.0  # a plain number stays a number

    lines_only = apply(raw, scenario_from_dict({"name": "l", "scale": {"lines": 1.3}}))
    base = build_tender(raw)
    assert [p.usage for p in lines_only.spec.profiles] == [p.usage for p in base.spec.profiles]
    # and the overage is the expected value under the scaled distribution, not the mean's:
    # a spread around 40 GB over Orbis's 25 GB allowance bills more than max(0, 40 − 25).
    # `set` applies before `scale`, so the flat copy sets the means 20 and 5, then × 2.
    ev = evaluate(apply(raw, scenario_from_dict({"name": "d", "scale": {"usage": {"data_gb": 2.0}}})))
    flat = evaluate(apply(raw, scenario_from_dict({"name": "f", "scale": {"usage": {"data_gb": 2.0}},
                                                   "set": {"profiles": [
                                                       {"id": "consultants", "usage": {"data_gb": 20.0}},
                                                       {"id": "standard", "usage": {"data_gb": 5.0}}]}})))
    assert {p.id: p.usage["data_gb"] for p in flat.tender.spec.profiles if p.id in ("consultants", "standard")} \
        == {"consultants": 40.0, "standard": 10.0}
    assert ev.figures["orbis"].tco > flat.figures["orbis"].tco


# --------------------------------------------------------------------------- regressions


def test_null_inside_a_block_the_tender_lacks_means_absent():
    """`null` means absent: cobalt has no `discounts` block, so `discounts: {welcome_credit:
    null}` should change nothing (merge() once copied the new block with its null, and the
    validator reported `bids.cobalt.discounts.welcome_credit: Input should be a valid number`)."""
    raw = read_folder(C1)
    base = evaluate(build_tender(raw)).to_json()
    ev = evaluate(apply(raw, scenario_from_dict(
        {"name": "n", "bids": {"cobalt": {"discounts": {"welcome_credit": None}}}})))
    assert ev.to_json() == base
