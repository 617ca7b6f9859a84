"""Profiles built from a billing export: segmentation, fit, cost reproduction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml

from scoring.model import Profile
from scoring.profile_builder import build_profiles, profiles_yaml

from conftest import ROOT

EXPORT = ROOT / "tenders" / "conseil-2027" / "usage.csv"
# export column -> (normalised component, divisor to the tender's unit)
COLUMNS = {
    "voice_minutes": ("voice_min", 1),
    "sms_count": ("sms", 1),
    "data_mb": ("data_gb", 1000),
    "roam_eu_data_mb": ("roam_eu_data_gb", 1000),
    "roam_world_voice_minutes": ("roam_world_voice_min", 1),
    "roam_world_data_mb": ("roam_world_data_gb", 1000),
}


def _lognormal(rng, mean, cv, size):
    s2 = np.log1p(cv * cv)
    return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), size)


def _table(groups, months=6, seed=1):
    """groups: [(entity counts, {component: (mean, cv)})] -> long table, lognormal lines × month noise."""
    rng = np.random.default_rng(seed)
    rows = []
    k = 0
    for counts, usage in groups:
        for entity, n in counts.items():
            levels = {c: _lognormal(rng, m, cv, n) for c, (m, cv) in usage.items()}
            for i in range(n):
                noise = {c: _lognormal(rng, 1.0, 0.15, months) for c in usage}
                for month in range(months):
                    row = {"line": f"L{k:05d}", "entity": entity, "month": f"2026-{month + 1:02d}"}
                    row.update({c: levels[c][i] * noise[c][month] for c in usage})
                    rows.append(row)
                k += 1
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def two_groups():
    return _table([
        ({"paris": 40, "lyon": 20}, {"data_gb": (2.0, 0.3), "voice_min": (100, 0.3)}),
        ({"paris": 10, "lyon": 25}, {"data_gb": (30.0, 0.3), "voice_min": (1000, 0.3)}),
    ])


def test_two_separated_groups_give_two_profiles(two_groups):
    profiles, report = build_profiles(two_groups, ["data_gb", "voice_min"], max_profiles=5, seed=0)
    assert len(profiles) == 2 and report["k"] == 2
    light, heavy = profiles  # largest segment first
    assert light["lines"] == {"paris": 40, "lyon": 20}
    assert heavy["lines"] == {"paris": 10, "lyon": 25}
    assert light["usage"]["data_gb"]["mean"] == pytest.approx(2.0, rel=0.1)
    assert heavy["usage"]["data_gb"]["mean"] == pytest.approx(30.0, rel=0.1)
    assert heavy["usage"]["voice_min"]["mean"] == pytest.approx(1000, rel=0.1)
    # the profile mean is exactly the segment's mean per-line usage
    per_line = two_groups.groupby("line")[["data_gb"]].mean()
    assert sum(p["usage"]["data_gb"]["mean"] * sum(p["lines"].values()) for p in profiles) == pytest.approx(
        per_line["data_gb"].sum(), rel=1e-3)
    for p in profiles:
        Profile.model_validate(p)


def test_same_seed_same_yaml(two_groups):
    first = profiles_yaml(build_profiles(two_groups, ["data_gb", "voice_min"], seed=3)[0])
    shuffled = two_groups.sample(frac=1, random_state=7)
    again = profiles_yaml(build_profiles(shuffled, ["data_gb", "voice_min"], seed=3)[0])
    assert first == again


def test_reproduction_ratio_near_one_and_average_line_far_below():
    # One right-skewed group: the reference allowance sits at the median, just below the mean,
    # so the average line barely pays overage while half the lines do.
    table = _table([({"paris": 1500}, {"data_gb": (10.0, 0.4)})], months=12, seed=5)
    profiles, report = build_profiles(table, ["data_gb"], max_profiles=1)
    (profile,) = profiles
    assert profile["usage"]["data_gb"]["dist"] == "lognormal"
    rep = report["reproduction"]
    assert rep["ratio"] == pytest.approx(1.0, abs=0.04)
    assert rep["average_line_ratio"] < 0.5
    # fitting the spread of the per-line means alone misses the month-to-month overage
    assert rep["other_spread_ratio"] < rep["ratio"]


def test_fixed_usage_is_a_plain_number():
    table = pd.DataFrame({"line": ["a", "a", "b", "b"], "entity": "x", "month": ["1", "2"] * 2,
                          "data_gb": 5.0, "voice_min": [0.0, 0.0, 0.0, 0.0]})
    profiles, _ = build_profiles(table, ["data_gb", "voice_min"])
    assert profiles == [{"id": "seg1", "name": "2 lines: data_gb 5", "lines": {"x": 2}, "usage": {"data_gb": 5.0}}]


def test_missing_column_is_refused():
    with pytest.raises(ValueError, match="voice_min"):
        build_profiles(pd.DataFrame({"line": ["a"], "entity": ["x"], "month": ["1"]}), ["voice_min"])


@pytest.fixture(scope="module")
def example_table():
    raw = pd.read_csv(EXPORT, dtype={"msisdn": str})
    table = pd.DataFrame({
        "line": raw["msisdn"], "entity": raw["cost_centre"], "profile": raw["category"],
        "month": pd.PeriodIndex(raw["period"], freq="M"),
    })
    for column, (component, divisor) in COLUMNS.items():
        table[component] = raw[column] / divisor
    return table


def test_example_export_gives_valid_profiles(example_table):
    assert len(example_table) == 24_000
    profiles, report = build_profiles(example_table, [c for c, _ in COLUMNS.values()], max_profiles=5)
    assert 1 <= len(profiles) <= 5
    assert sum(n for p in profiles for n in p["lines"].values()) == 2000 == report["lines"]
    loaded = yaml.safe_load(profiles_yaml(profiles))["profiles"]
    ids = [Profile.model_validate(p).id for p in loaded]
    assert len(set(ids)) == len(ids)
    rep = report["reproduction"]
    assert 0.85 < rep["ratio"] < 1.1
    assert rep["average_line_ratio"] < 0.5 * rep["ratio"]
    # tablets (data only) are one segment of their own
    assert any(s.get("from_profiles") == {"tablets": 140} for s in report["segments"])


def test_report_amounts_add_up_and_read_as_text(two_groups):
    from scoring.profile_builder import report_text

    _, report = build_profiles(two_groups, ["data_gb", "voice_min"], max_profiles=5, seed=0)
    rep = report["reproduction"]
    for key in ("billed_overage", "profile_overage", "average_line_overage", "other_spread_overage"):
        assert sum(v[key] for v in rep["by_component"].values()) == pytest.approx(rep[key], abs=0.02)
    text = report_text(report, source="usage.csv", max_profiles=5, seed=0)
    assert text.startswith("Profiles from usage.csv: 95 lines × 6 months → 2 segments")
    assert f"{rep['billed_overage']:,.2f}" in text and f"{100 * rep['ratio']:.1f} %" in text
    assert "average line" in text and "With spread lines instead" in text


def test_same_yaml_whatever_the_pseudonymisation_key():
    """Pseudonyms differ from one machine's key to another's: the profiles must not."""
    from scoring.usage_file import UsageFileSpec, read_usage_table

    spec = UsageFileSpec(path="usage.csv", columns={"line": "msisdn", "entity": "cost_centre", "month": "period",
                                                    **{c: col for col, (c, _) in COLUMNS.items()}},
                         units={c: "MB" for c, d in COLUMNS.values() if d == 1000})
    entities = ["paris", "lyon", "regions", "services"]
    data = EXPORT.read_bytes()
    texts = []
    for key in (b"one machine", b"another machine"):
        table = read_usage_table(data, spec, shown="usage.csv", entities=entities, profiles=None, key=key)
        texts.append(profiles_yaml(build_profiles(table, spec.components, max_profiles=4, seed=1)[0]))
    assert texts[0] == texts[1]
    assert list(yaml.safe_load(texts[0])["profiles"][0]["lines"]) == [
        e for e in entities if e in yaml.safe_load(texts[0])["profiles"][0]["lines"]]  # the tender's entity order


@pytest.mark.parametrize("value", [1e200, float("inf"), 1.7e308, -1e13])
def test_absurd_usage_is_a_clear_error_not_a_crash(two_groups, value):
    """A usage of 1e200 made the spread overflow (cv infinite, rounded to 0, then divided by:
    ZeroDivisionError). Beyond the model's bound on amounts (10¹²) it is refused, with the
    component named; `python -m scoring profiles` shows it as one error line."""
    table = two_groups.copy()
    table.loc[7, "data_gb"] = value
    with pytest.raises(ValueError, match=r"1 value\(s\) of data_gb beyond the maximum of 10\^12"):
        build_profiles(table, ["data_gb", "voice_min"])
    table.loc[7, "data_gb"] = 1e12  # the bound itself is a usage
    profiles, _ = build_profiles(table, ["data_gb", "voice_min"])
    assert all(np.isfinite(p["usage"]["data_gb"]["mean"]) for p in profiles)


def test_a_spread_that_overflows_gives_a_plain_number():
    from scoring.profile_builder import fit_distribution

    assert fit_distribution(np.array([1e200, 1.0, 2.0])) == pytest.approx(1e200 / 3, rel=1e-3)
