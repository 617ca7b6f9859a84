"""Per-line evaluation from a billing export (scoring.lines, the measured fleet of scoring.cost).

- A three-line export whose costs are worked out by hand below, under a per-line bid and a
  pooled bid, with usage growth, indexation and the export's months replayed.
- Lines with identical usage reproduce the profile evaluation: the conformance sample's
  profiles written out as an export, line by line, evaluate to its published expected.json.
- The exact Σ max(0, x − t) of `LineBook` against brute force; profile rules; errors.
"""

from __future__ import annotations

import copy
import json
import shutil

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_conformance import _compare

from scoring import evaluate
from scoring.cost import line_costs
from scoring.errors import TenderError
from scoring.lines import LineBook
from scoring.load import load_tender

from conftest import DATA

KEY = b"test-key"


@pytest.fixture(autouse=True)
def _fixed_key(monkeypatch):
    monkeypatch.setattr("scoring.usage_file.pseudonym_key", lambda: KEY, raising=False)


SMALL_TENDER = {
    "name": "Three lines",
    "term_months": 24,
    "incumbent": "alpha",
    "entities": [{"id": "a"}, {"id": "b"}],
    "profiles": [{"id": "std", "usage_growth": {"data_gb": 0.5}}],
    "usage_file": {
        "path": "usage.csv",
        "columns": {"line": "msisdn", "entity": "cc", "profile": "cat", "month": "period",
                    "data_gb": "data_mb", "voice_min": "voice"},
        "units": {"data_gb": "MB"},
    },
    "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                   "criteria": []},
}
SMALL_EXPORT = """msisdn,cc,cat,period,data_mb,voice
0601000001,a,std,2026-01,2000,100
0601000001,a,std,2026-02,8000,100
0601000002,a,std,2026-01,6000,0
0601000002,a,std,2026-02,6000,0
0601000003,b,std,2026-01,0,300
0601000003,b,std,2026-02,12000,300
"""
ALPHA = {"operator": "Alpha", "indexation_percent": 10,
         "plans": [{"id": "p1", "monthly_fee": 10, "allowances": {"data_gb": 5, "voice_min": "unlimited"},
                    "rates": {"data_gb": 2}}],
         "offer": {"std": "p1"}}
BETA = {"operator": "Beta", "indexation_percent": 10,
        "plans": [{"id": "q1", "monthly_fee": 12, "allowances": {"data_gb": 5, "voice_min": "unlimited"}}],
        "pool": {"data_gb": {"overage_rate": 1.5}},
        "offer": {"std": "q1"}}


def write_tender(folder, tender, bids, export: str | None = None):
    (folder / "bids").mkdir(parents=True)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False))
    for bid_id, bid in bids.items():
        (folder / "bids" / f"{bid_id}.yaml").write_text(yaml.safe_dump(bid, sort_keys=False))
    if export is not None:
        (folder / "usage.csv").write_text(export)
    return folder


@pytest.fixture
def small(tmp_path):
    return evaluate(load_tender(write_tender(tmp_path / "t", SMALL_TENDER, {"alpha": ALPHA, "beta": BETA}, SMALL_EXPORT)))


def test_small_export_costs_by_hand(small):
    """Data in GB: line 1 uses [2, 8], line 2 [6, 6], line 3 (entity b) [0, 12] in export
    months 1 and 2; contract month m replays export month ((m−1) mod 2)+1, so each contract
    year has six of each. Year 2 usage × 1.5 (usage growth), prices × 1.1 (indexation 10 %).

    alpha (allowance 5 GB, 2 €/GB beyond, per line):
      year 1 excess per month: export month 1 → line 2: 1 GB (a); month 2 → lines 1, 2: 3 + 1 = 4 (a),
        line 3: 7 (b). Usage a = 6 × (1 + 4) × 2 = 60, b = 6 × 7 × 2 = 84.
      year 2 (usage [3, 12], [9, 9], [0, 18]): month 1 → 4 (a); month 2 → 7 + 4 = 11 (a), 13 (b).
        a = 6 × 15 × 2 × 1.1 = 198, b = 6 × 13 × 2 × 1.1 = 171.6.
      subscriptions: 3 lines × 10 × 12 = 360, then × 1.1 = 396 (a: 2 lines, b: 1 line).
      TCO = 360 + 396 + 60 + 84 + 198 + 171.6 = 1269.6; a = 240 + 264 + 258 = 762; b = 507.6.
    beta (allowance 5 GB pooled: 15 GB a month for 3 lines, 1.5 €/GB beyond):
      year 1: demand 8 (month 1) and 26 (month 2) → overage 0 and 11 → 6 × 11 × 1.5 = 99;
      year 2: demand 12 and 39 → 0 and 24 → 6 × 24 × 1.5 × 1.1 = 237.6. Pool = 336.6.
      Split by individual overage: year 1 month 2 a 4, b 7 of 11 → a 36, b 63; year 2 month 2
      a 11, b 13 of 24 → a 6 × 39.6 × 11/24 = 108.9, b 128.7.
      subscriptions 3 × 12 × 12 = 432, then 475.2; TCO = 907.2 + 336.6 = 1243.8;
      a = 288 + 316.8 + 36 + 108.9 = 749.7, b = 144 + 158.4 + 63 + 128.7 = 494.1.
    """
    bids = {b["id"]: b for b in json.loads(small.to_json())["bids"]}
    a, b = bids["alpha"], bids["beta"]
    assert a["tco"] == pytest.approx(1269.6, abs=0.005)
    assert a["cost_breakdown"]["usage"] == pytest.approx(60 + 84 + 198 + 171.6, abs=0.005)
    assert a["cost_breakdown"]["subscriptions"] == pytest.approx(756, abs=0.005)
    assert a["entity_costs"] == pytest.approx({"a": 762, "b": 507.6}, abs=0.005)
    assert a["annual_cost"] == pytest.approx([360 + 60 + 84, 396 + 198 + 171.6], abs=0.005)
    assert b["tco"] == pytest.approx(1243.8, abs=0.005)
    assert b["cost_breakdown"]["pool_overage"] == pytest.approx(336.6, abs=0.005)
    assert b["entity_costs"] == pytest.approx({"a": 749.7, "b": 494.1}, abs=0.005)
    assert b["annual_cost"] == pytest.approx([432 + 99, 475.2 + 237.6], abs=0.005)
    assert small.tender.spec.profiles[0].lines == {"a": 2.0, "b": 1.0}  # counted from the export


def test_line_costs_by_hand(small):
    """alpha, per line (subscription 10 × 12 + 11 × 12 = 252 each):
    line 1: year 1 month 2 excess 3 → 6 × 3 × 2 = 36; year 2 month 2 excess 7 → 6 × 7 × 2.2 = 92.4 → 380.4;
    line 2: year 1 1 + 1 → 12 × 2 = 24; year 2 4 + 4 → 12 × 4 × 2.2 = 105.6 → 381.6;
    line 3: year 1 7 → 84; year 2 13 → 171.6 → 507.6. They add up to the TCO (no fleet-wide item here).
    beta: line 3 = 144 + 158.4 + its pool share 63 + 128.7 = 494.1 (the only line of entity b)."""
    table = line_costs(small.costs, small.tender, "alpha")
    costs = dict(zip(table["line"], table["total"]))
    ids = small.tender.lines.usage.line_ids
    assert [round(costs[i], 6) for i in ids] == pytest.approx([380.4, 381.6, 507.6])
    assert table["total"].iloc[0] == pytest.approx(507.6)  # most expensive first
    beta = line_costs(small.costs, small.tender, "beta").set_index("line")
    assert beta.loc[ids[2], "total"] == pytest.approx(494.1)
    assert beta["total"].sum() == pytest.approx(1243.8)
    raw = {row.split(",")[0] for row in SMALL_EXPORT.splitlines()[1:]}
    assert not raw & set(table["line"]) and all(c.startswith("L-") for c in table["line"])  # pseudonyms only


def test_line_costs_reconcile_with_the_cost_table():
    """On the bundled example evaluated line by line, every cell's lines add up to the cell's
    subscriptions + usage + pool overage + devices, for every costed bid."""
    ev = evaluate(load_tender(_example_on_lines()))
    cube = ev.costs.cube
    from scoring.cost import K

    parts = [K["subscriptions"], K["usage"], K["pool_overage"], K["devices"]]
    for b, bid in enumerate(ev.costs.bids):
        if not ev.costs.costed(bid):
            continue
        table = line_costs(ev.costs, ev.tender, bid)
        by_cell = table.groupby(["profile", "entity"], observed=True)["total"].sum()
        expected = cube[b].sum(axis=0)[..., parts].sum(axis=-1)  # (P, E)
        for (profile, entity), total in by_cell.items():
            p, e = ev.costs.fleet.profiles.index(profile), ev.costs.fleet.entities.index(entity)
            assert total == pytest.approx(expected[p, e], abs=0.01)


def _example_on_lines():
    from scoring import EXAMPLE_TENDER

    tender = yaml.safe_load((EXAMPLE_TENDER / "tender.yaml").read_text())
    assert "usage_file" in tender
    return _with(EXAMPLE_TENDER, tender, evaluate_on="lines")


_COPIES: dict = {}


def _with(folder, tender, **usage_file):
    import tempfile
    from pathlib import Path

    key = (str(folder), json.dumps(usage_file, sort_keys=True))
    if key not in _COPIES:
        target = Path(tempfile.mkdtemp()) / folder.name
        shutil.copytree(folder, target)
        edited = copy.deepcopy(tender)
        edited["usage_file"].update(usage_file)
        (target / "tender.yaml").write_text(yaml.safe_dump(edited, sort_keys=False, allow_unicode=True))
        _COPIES[key] = target
    return _COPIES[key]


# --------------------------------------------------------------------------- identical lines = profiles


def conformance_as_export(tmp_path, months: int, usage: dict | None = None):
    """The conformance sample with its profiles' lines written out one row per line and month,
    each line using exactly its profile's usage (or ``usage``, replacing it in both)."""
    tender = yaml.safe_load((DATA / "c1-sample" / "tender.yaml").read_text())
    if usage is not None:
        for p in tender["profiles"]:
            p["usage"] = usage[p["id"]]
            p["usage_growth"] = {c: g for c, g in p.get("usage_growth", {}).items() if c in p["usage"]}
    components = sorted({c for p in tender["profiles"] for c in p["usage"]})
    rows = ["line,entity,profile,month," + ",".join(components)]
    n = 0
    for p in tender["profiles"]:
        for entity, count in p["lines"].items():
            for _ in range(int(count)):
                n += 1
                values = ",".join(repr(float(p["usage"].get(c, 0.0))) for c in components)
                rows += [f"{n:08d},{entity},{p['id']},2026-{m + 1:02d},{values}" for m in range(months)]
    profiles_folder = tmp_path / "profiles"
    shutil.copytree(DATA / "c1-sample", profiles_folder)
    (profiles_folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False, allow_unicode=True))
    lines_folder = tmp_path / "lines"
    shutil.copytree(profiles_folder, lines_folder)
    lines_tender = copy.deepcopy(tender)
    for p in lines_tender["profiles"]:
        del p["lines"], p["usage"]
    lines_tender["usage_file"] = {
        "path": "usage.csv",
        "columns": {"line": "line", "entity": "entity", "profile": "profile", "month": "month",
                    **{c: c for c in components}},
    }
    (lines_folder / "tender.yaml").write_text(yaml.safe_dump(lines_tender, sort_keys=False, allow_unicode=True))
    (lines_folder / "usage.csv").write_text("\n".join(rows) + "\n")
    return profiles_folder, lines_folder


@pytest.mark.parametrize("months", [1, 5, 12])
def test_identical_lines_reproduce_the_conformance_sample(tmp_path, months):
    """Every line of a profile using exactly the profile's usage, every month: the per-line
    evaluation is the published expected.json to the cent, whatever the export's length."""
    _, lines = conformance_as_export(tmp_path, months)
    ev = evaluate(load_tender(lines))
    assert ev.costs.fleet.measured is not None
    expected = json.loads((DATA / "c1-sample" / "expected.json").read_text())
    _compare(json.loads(ev.to_json()), expected)


usage_values = st.floats(min_value=0, max_value=40, allow_nan=False).map(lambda x: round(x, 2))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    months=st.integers(1, 4),
    usage=st.fixed_dictionaries({
        "cadres": st.fixed_dictionaries({"voice_min": usage_values, "data_gb": usage_values,
                                         "roam_eu_data_gb": usage_values}),
        "terrain": st.fixed_dictionaries({"voice_min": usage_values, "data_gb": usage_values, "sms": usage_values}),
        "tablettes": st.fixed_dictionaries({"data_gb": usage_values}),
    }),
)
def test_identical_lines_equal_the_profile_evaluation(tmp_path_factory, months, usage):
    """Property: for any usage, lines that all use their profile's usage every month cost what
    the profile evaluation says, bid by bid, component by component and entity by entity."""
    profiles, lines = conformance_as_export(tmp_path_factory.mktemp("c"), months, usage)
    try:
        by_profile = json.loads(evaluate(load_tender(profiles)).to_json())
    except TenderError:
        with pytest.raises(TenderError):
            load_tender(lines)
        return
    _compare(_rounded(json.loads(evaluate(load_tender(lines)).to_json())), _rounded(by_profile))


def _rounded(value):
    """expected.json style: floats compared within 0.01 by _compare; knock-out reasons by
    count (a measured fleet names "the heaviest line's monthly usage" where profiles say "usage")."""
    if isinstance(value, dict):
        return {k: len(v) if k == "knockouts" else _rounded(v) for k, v in value.items() if k != "warnings"}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


# --------------------------------------------------------------------------- LineBook


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), groups=st.integers(1, 6))
def test_linebook_is_exact(seed, groups):
    """Σ max(0, x − t) by binary search = brute force, for thresholds at, between and beyond
    the data (ties included: many equal values, zeros)."""
    rng = np.random.default_rng(seed)
    n, k, c = int(rng.integers(1, 60)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
    usage = np.round(rng.lognormal(0, 1.5, (n, k, c)) * (rng.random((n, k, c)) < 0.7), 1)
    group = rng.integers(0, groups, n)
    book = LineBook.build(usage, group, groups)
    t = np.concatenate([[0.0, np.inf], np.unique(usage), rng.uniform(0, usage.max() + 1, 5)])
    for g in range(groups):
        for kk in range(k):
            for cc in range(c):
                x = usage[group == g, kk, cc]
                brute = np.maximum(0.0, x[:, None] - np.where(np.isinf(t), np.nan, t)[None]).sum(axis=0)
                brute = np.where(np.isinf(t), 0.0, brute)
                assert book.above(np.array(cc), np.array(kk), np.array(g), t) == pytest.approx(brute, abs=1e-9)


# --------------------------------------------------------------------------- rules and errors


def test_profile_rules_assign_lines(tmp_path):
    """Without a profile column, the first rule a line's mean usage fits gives its profile:
    mean data 5, 6 and 6 GB → lines 2 and 3 (≥ 5.5) are heavy, line 1 is standard."""
    tender = copy.deepcopy(SMALL_TENDER)
    tender["profiles"] = [{"id": "heavy", "usage_growth": {"data_gb": 0.5}}, {"id": "std", "usage_growth": {"data_gb": 0.5}}]
    del tender["usage_file"]["columns"]["profile"]
    tender["usage_file"]["profile_rules"] = [{"profile": "heavy", "when": {"data_gb": {"min": 5.5}}},
                                             {"profile": "std"}]
    bid = copy.deepcopy(ALPHA)
    bid["offer"] = {"heavy": "p1", "std": "p1"}
    t = load_tender(write_tender(tmp_path / "t", tender, {"alpha": bid}, SMALL_EXPORT))
    assert t.spec.profiles[0].lines == {"a": 1.0, "b": 1.0}
    assert t.spec.profiles[1].lines == {"a": 1.0}
    # Same costs as with the profile column: the plan is the same for both profiles.
    ev = evaluate(t)
    assert ev.costs.tco()[0] == pytest.approx(1269.6, abs=0.005)


@pytest.mark.parametrize(
    "edit, field, words",
    [
        (lambda t: t["usage_file"].update(path="missing.csv"), "usage_file.path", "not in the tender folder"),
        (lambda t: t["usage_file"].update(path="../usage.csv"), "usage_file.path", "inside the tender folder"),
        (lambda t: t["profiles"].append({"id": "other"}) or t["usage_file"]["columns"].pop("profile"),
         "usage_file.profile_rules", "no profile column"),
        (lambda t: t["usage_file"].update(profile_rules=[{"profile": "std", "when": {"data_gb": {"max": 1}}}])
         or t["usage_file"]["columns"].pop("profile"), "usage_file.profile_rules", "fit no rule"),
        (lambda t: t["profiles"][0].update(usage_growth={"sms": 0.1}), "profiles.0.usage_growth.sms",
         "not a column"),
        (lambda t: t["usage_file"].update(usage_scale={"sms": 2}), "usage_file.usage_scale.sms", "not a usage"),
        (lambda t: t["profiles"][0].pop("id"), "profiles.0.id", "missing"),
    ],
)
def test_usage_file_errors_name_tender_fields(tmp_path, edit, field, words):
    tender = copy.deepcopy(SMALL_TENDER)
    edit(tender)
    with pytest.raises(TenderError) as err:
        load_tender(write_tender(tmp_path / "t", tender, {"alpha": ALPHA}, SMALL_EXPORT))
    assert any(p.field == field and words in p.message for p in err.value.problems), err.value.problems


def test_export_errors_name_the_export(tmp_path):
    """A row defect is reported against usage.csv with its row and column, not tender.yaml."""
    bad = SMALL_EXPORT.replace(",b,std,2026-02", ",z,std,2026-02").replace("6000,0\n0601000003", "6O00,0\n0601000003")
    with pytest.raises(TenderError) as err:
        load_tender(write_tender(tmp_path / "t", SMALL_TENDER, {"alpha": ALPHA}, bad))
    files = {p.file for p in err.value.problems}
    assert files == {"t/usage.csv"} or all(f.endswith("usage.csv") for f in files)
    assert any("cc" in p.field for p in err.value.problems), err.value.problems


def test_scales_and_evaluate_on_profiles(tmp_path):
    """lines_scale counts each line 1.5 times; evaluate_on: profiles costs the declared
    profiles instead (usage_scale: `test_usage_scale_by_hand`)."""
    tender = copy.deepcopy(SMALL_TENDER)
    tender["usage_file"]["lines_scale"] = 1.5
    ev = evaluate(load_tender(write_tender(tmp_path / "t", tender, {"alpha": ALPHA}, SMALL_EXPORT)))
    assert ev.costs.tco()[0] == pytest.approx(1269.6 * 1.5, abs=0.005)
    tender = copy.deepcopy(SMALL_TENDER)
    tender["usage_file"]["evaluate_on"] = "profiles"
    tender["profiles"][0].update(lines={"a": 2, "b": 1}, usage={"data_gb": 1, "voice_min": 10})
    ev = evaluate(load_tender(write_tender(tmp_path / "u", tender, {"alpha": ALPHA}, SMALL_EXPORT)))
    assert ev.costs.fleet.measured is None
    assert ev.costs.tco()[0] == pytest.approx(360 + 396, abs=0.005)  # 1 GB < 5 GB: subscriptions only


# --------------------------------------------------------------------------- Monte Carlo on lines


def test_draws_on_lines_equal_the_engine():
    """`cost_draws` (Monte Carlo, tornado) on a measured fleet: unit draws give the engine's
    monthly costs, and a draw scaling data by 1.3 and lines by 1.1 gives what the engine
    computes with usage_scale {data_gb: 1.3} and lines_scale 1.1 (same plan mix)."""
    from scoring.cost import Draws, cost_draws, unit_draws

    folder = _example_on_lines()
    ev = evaluate(load_tender(folder))
    fleet = ev.costs.fleet
    tender = yaml.safe_load((folder / "tender.yaml").read_text())
    scaled = evaluate(load_tender(_with(folder, tender, usage_scale={"data_gb": 1.3}, lines_scale=1.1)))
    factors = np.ones((1, len(fleet.components)))
    factors[0, fleet.components.index("data_gb")] = 1.3
    draws = Draws(usage=factors, lines=np.array([1.1]), switching={})
    for b, bid in enumerate(ev.costs.bids):
        if not ev.costs.costed(bid):
            continue
        base = cost_draws(ev.tender, fleet, ev.tender.bid(bid), ev.costs.plan_assignment[bid], unit_draws(fleet))
        assert base.monthly[0] == pytest.approx(ev.costs.monthly()[b], abs=1e-6)
        if scaled.costs.plan_assignment[bid] != ev.costs.plan_assignment[bid]:
            continue
        moved = cost_draws(ev.tender, fleet, ev.tender.bid(bid), ev.costs.plan_assignment[bid], draws)
        assert moved.monthly[0] == pytest.approx(scaled.costs.monthly()[b], abs=1e-6)


# --------------------------------------------------------------------------- command line


def test_lines_command_prints_the_most_expensive_lines(capsys):
    """`python -m scoring lines DIR --scenario billed-usage.yaml --bid telvia --top 3`: the
    three lines of `line_costs` head, pseudonyms only; without per-line costs, exit 2 naming
    usage_file.evaluate_on."""
    from cli.scoring import main
    from scoring import EXAMPLE_TENDER
    from scoring.cost import line_costs

    scenario = str(EXAMPLE_TENDER / "scenarios" / "billed-usage.yaml")
    assert main(["lines", str(EXAMPLE_TENDER), "--scenario", scenario, "--bid", "telvia", "--top", "3"]) == 0
    out = capsys.readouterr().out
    ev = evaluate(load_tender(_example_on_lines()))
    head = line_costs(ev.costs, ev.tender, "telvia").head(3)
    rows = [line for line in out.splitlines() if line.startswith("L-")]
    assert [r.split()[0] for r in rows] == list(head["line"])
    assert [r.split()[-1] for r in rows] == [f"{v:,.0f}" for v in head["total"]]
    raw = (EXAMPLE_TENDER / "usage.csv").read_text().splitlines()[1].split(",")[0]
    assert raw not in out and raw.lstrip("+") not in out
    assert main(["lines", str(EXAMPLE_TENDER)]) == 2
    assert "usage_file.evaluate_on: costs are not per line" in capsys.readouterr().err


USAGE_DOUBLED = 756 + 300 + 228 + 607.2 + 409.2


def test_usage_scale_by_hand(tmp_path):
    """usage_scale {data_gb: 2}: lines use [4, 16], [12, 12], [0, 24] GB (year 2 × 1.5).
    alpha, allowance 5 GB at 2 €/GB: year 1 month 1 → 7 (a), month 2 → 11 + 7 = 18 (a), 19 (b):
    a 6 × 25 × 2 = 300, b 6 × 19 × 2 = 228; year 2 ([6, 24], [18, 18], [0, 36]): month 1 →
    1 + 13 = 14 (a), month 2 → 19 + 13 = 32 (a), 31 (b): a 6 × 46 × 2.2 = 607.2, b 6 × 31 × 2.2 =
    409.2; plus subscriptions 756: 2300.4. A scenario's `scale.usage` lands on the same multiplier."""
    from scenarios.overlay import evaluate_scenario, scenario_from_dict
    from scoring.load import read_folder

    tender = copy.deepcopy(SMALL_TENDER)
    tender["usage_file"]["usage_scale"] = {"data_gb": 2}
    ev = evaluate(load_tender(write_tender(tmp_path / "t", tender, {"alpha": ALPHA}, SMALL_EXPORT)))
    assert ev.costs.tco()[0] == pytest.approx(USAGE_DOUBLED, abs=0.005)
    folder = write_tender(tmp_path / "u", SMALL_TENDER, {"alpha": ALPHA}, SMALL_EXPORT)
    scaled = evaluate_scenario(read_folder(folder), scenario_from_dict({"name": "x2", "scale": {"usage": {"data_gb": 2}}}))
    assert scaled.costs.tco()[0] == pytest.approx(USAGE_DOUBLED, abs=0.005)
    lines = evaluate_scenario(read_folder(folder), scenario_from_dict({"name": "l", "scale": {"lines": 2}}))
    assert lines.costs.tco()[0] == pytest.approx(2 * 1269.6, abs=0.005)


PHASE_EXPORT = """msisdn,cc,cat,period,data_mb,voice
0601000001,a,std,2026-01,0,0
0601000001,a,std,2026-02,10000,0
0601000001,a,std,2026-03,0,0
"""


@pytest.mark.parametrize("term, plan, expected", [
    # Months 1..7 replay export months 1,2,3,1,2,3,1: the 10 GB month comes in contract months
    # 2 and 5 → 2 × (10 − 5) × 1 € = 10 € of usage + 7 × 10 € subscription = 80 €
    # (replaying one month off would bill months 1, 4, 7: 85 €).
    (7, {"monthly_fee": 10, "allowances": {"data_gb": 5, "voice_min": 0}, "rates": {"data_gb": 1}}, 80.0),
    # A one-month term replays export month 1 only: the 10 GB spike of month 2 never happens,
    # so a plan capped at 5 GB with no rate is usable: 10 € subscription.
    (1, {"monthly_fee": 10, "allowances": {"data_gb": 5, "voice_min": 0}}, 10.0),
])
def test_export_months_replay_in_order(tmp_path, term, plan, expected):
    tender = copy.deepcopy(SMALL_TENDER)
    tender["term_months"] = term
    tender["profiles"][0].pop("usage_growth")
    bid = {"operator": "A", "plans": [{"id": "p", **plan}], "offer": {"std": "p"}}
    ev = evaluate(load_tender(write_tender(tmp_path / "t", tender, {"alpha": bid}, PHASE_EXPORT)))
    assert ev.costs.knockouts["alpha"] == ()
    assert ev.costs.tco()[0] == pytest.approx(expected, abs=0.005)


def test_a_two_month_term_meets_the_spike(tmp_path):
    """Term 2: export month 2 (10 GB) is replayed, so the capped plan with no rate is unusable."""
    tender = copy.deepcopy(SMALL_TENDER)
    tender["term_months"] = 2
    bid = {"operator": "A", "plans": [{"id": "p", "monthly_fee": 10, "allowances": {"data_gb": 5, "voice_min": 0}}],
           "offer": {"std": "p"}}
    ev = evaluate(load_tender(write_tender(tmp_path / "t", tender, {"alpha": bid}, PHASE_EXPORT)))
    assert "heaviest line's monthly usage 10 exceeds the allowance 5" in ev.costs.knockouts["alpha"][0]


def test_dqe_on_lines_is_the_gap_to_the_average_line(small):
    """The DQE of a tender costed line by line prices every line at its profile's mean:
    data means 5, 6, 6 GB → 17/3 GB a line and month over 3 lines (year 2 × 1.5 = 8.5 GB).
    alpha: year 1 excess 2/3 GB × 3 lines × 12 months × 2 € = 48; year 2 3.5 × 3 × 12 × 2.2 =
    277.2; subscriptions 756 → 1081.2, against 1269.6 line by line: the gap is 188.4."""
    from scenarios.dqe import dqe_gap

    gap = {row["id"]: row for row in dqe_gap(small)}
    assert gap["alpha"]["tco_average_line"] == pytest.approx(1081.2, abs=0.005)
    assert gap["alpha"]["gap"] == pytest.approx(188.4, abs=0.005)
