"""Billing exports without repeating the profiles (issue #14, item 3).

When tender.yaml's ``usage_file`` maps the export's profile column, ``profiles:`` may be left
out, or list the profiles by id only (``{id: std}``, with a name, growth or device if wanted):
each profile's lines per entity and usage per line and month then come from the export, by
the derivation the per-line evaluation uses (`scoring.load`, `scoring.lines.Lines`). Checked:

- the derived profiles of a small export, by hand;
- the tender without profiles, with ids only, and with the derived profiles written out
  evaluate to the same JSON (``evaluate_on: profiles`` and ``lines``), one TCO by hand each;
- one error per defect, naming file and field;
- ``python -m scoring evaluate`` and the app's Tender and Compare pages on such a tender.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest
import yaml

from scoring import evaluate
from scoring.archive import files_of_folder, zip_of
from scoring.errors import TenderError
from scoring.load import load_tender, with_export_profiles

from conftest import ROOT, app_test, go

KEY = b"test-key"


@pytest.fixture(autouse=True)
def _fixed_key(monkeypatch):
    monkeypatch.setattr("scoring.usage_file.pseudonym_key", lambda: KEY, raising=False)


# Five lines, two months. L5 moves from entity b to a: a line is counted where it is at the
# export's latest month (as the per-line evaluation costs it).
EXPORT = """msisdn,cc,cat,period,data_mb,voice
0601000001,a,std,2026-01,1000,100
0601000001,a,std,2026-02,3000,200
0601000002,a,std,2026-01,2000,0
0601000002,a,std,2026-02,2000,100
0601000003,b,std,2026-01,500,50
0601000003,b,std,2026-02,1500,50
0601000004,a,data,2026-01,10000,0
0601000004,a,data,2026-02,14000,0
0601000005,b,data,2026-01,4000,10
0601000005,a,data,2026-02,6000,30
"""
TENDER = {
    "name": "Derived profiles",
    "term_months": 12,
    "incumbent": "alpha",
    "entities": [{"id": "a"}, {"id": "b"}],
    "usage_file": {
        "path": "usage.csv",
        "columns": {"line": "msisdn", "entity": "cc", "profile": "cat", "month": "period",
                    "data_gb": "data_mb", "voice_min": "voice"},
        "units": {"data_gb": "MB"},
        "evaluate_on": "profiles",
    },
    "evaluation": {"method": "weighted_sum", "price": {"weight": 100, "basis": "tco", "formula": "ratio"},
                   "criteria": []},
}
# The derived profiles, by hand (see test_derived_profiles_by_hand), in id order.
WRITTEN_OUT = [
    {"id": "data", "lines": {"a": 2.0}, "usage": {"data_gb": 34 / 4, "voice_min": 40 / 4}},
    {"id": "std", "lines": {"a": 2.0, "b": 1.0}, "usage": {"data_gb": 10 / 6, "voice_min": 500 / 6}},
]
ALPHA = {"operator": "Alpha",
         "plans": [{"id": "p1", "monthly_fee": 10, "allowances": {"data_gb": 5, "voice_min": "unlimited"},
                    "rates": {"data_gb": 2}}],
         "offer": {"std": "p1", "data": "p1"}}


def write(folder, tender, export=EXPORT, bids=None):
    (folder / "bids").mkdir(parents=True)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False))
    for bid_id, bid in (bids or {"alpha": ALPHA}).items():
        (folder / "bids" / f"{bid_id}.yaml").write_text(yaml.safe_dump(bid, sort_keys=False))
    (folder / "usage.csv").write_text(export)
    return folder


def variant(profiles=None, **usage_file):
    tender = copy.deepcopy(TENDER)
    if profiles is not None:
        tender["profiles"] = copy.deepcopy(profiles)
    tender["usage_file"].update(usage_file)
    return tender


def test_derived_profiles_by_hand(tmp_path):
    """Data in GB (MB / 1000), per line over the two months:

    std:  L1 (a) 1 + 3, L2 (a) 2 + 2, L3 (b) 0.5 + 1.5 → lines {a: 2, b: 1};
          data_gb = (4 + 4 + 2) / (3 lines × 2 months) = 10/6 ≈ 1.667;
          voice_min = (300 + 100 + 100) / 6 = 500/6 ≈ 83.33.
    data: L4 (a) 10 + 14, L5 (b in January, a in February: counted in a) 4 + 6 → lines {a: 2};
          data_gb = 34 / 4 = 8.5; voice_min = (0 + 40) / 4 = 10.
    Profiles in id order: data, std.
    """
    spec = load_tender(write(tmp_path / "t", variant())).spec
    assert [p.id for p in spec.profiles] == ["data", "std"]
    data, std = spec.profiles
    assert data.lines == {"a": 2.0} and std.lines == {"a": 2.0, "b": 1.0}
    assert data.usage == pytest.approx({"data_gb": 8.5, "voice_min": 10.0}, rel=1e-12)
    assert std.usage == pytest.approx({"data_gb": 10 / 6, "voice_min": 500 / 6}, rel=1e-12)
    assert data.device is None and std.device is None


def _json(folder) -> dict:
    return json.loads(evaluate(load_tender(folder)).to_json())


@pytest.mark.parametrize("evaluate_on, tco", [("profiles", 768.0), ("lines", 780.0)])
def test_without_profiles_equals_the_profiles_written_out(tmp_path, evaluate_on, tco):
    """Alpha: 10 a month per line, 5 GB included, 2 per GB beyond; 12 months, 5 lines, the
    incumbent (no switching cost). Subscriptions 5 × 10 × 12 = 600.

    evaluate_on: profiles — std's mean 1.667 GB is within 5 GB; data's 8.5 GB is 3.5 GB over:
      2 lines × 3.5 × 2 × 12 = 168. TCO 768.
    evaluate_on: lines — contract months replay January and February six times each;
      L4 is 5 and 9 GB over, L5 0 and 1: 6 × (5 + 0) × 2 + 6 × (9 + 1) × 2 = 180. TCO 780.
    The tender with profiles left out, listed by id only (in another order, with a name), and
    with the derived profiles written out give the same JSON.
    """
    out = _json(write(tmp_path / "out", variant(WRITTEN_OUT, evaluate_on=evaluate_on)))
    omitted = _json(write(tmp_path / "omitted", variant(evaluate_on=evaluate_on)))
    ids = _json(write(tmp_path / "ids", variant([{"id": "data", "name": "Data SIMs"}, {"id": "std"}],
                                                 evaluate_on=evaluate_on)))
    assert out["bids"][0]["tco"] == pytest.approx(tco, abs=0.005)
    assert omitted == out
    assert ids == out


def test_ids_only_keep_growth_and_device(tmp_path):
    """A profile given by id may still carry its device and growth: the same JSON as the
    profiles written out with them (the device's cost counted in both)."""
    extra = {"device": {"tier": "basic", "refresh_months": 24}, "line_growth": 0.1, "usage_growth": {"data_gb": 0.2}}
    bid = {**copy.deepcopy(ALPHA), "devices": {"prices": {"basic": 240}}}
    ids = [{"id": "data", **extra}, {"id": "std"}]
    written = [{**WRITTEN_OUT[0], **extra}, WRITTEN_OUT[1]]
    tender = load_tender(write(tmp_path / "ids", variant(ids), bids={"alpha": bid}))
    assert tender.spec.profiles[0].device.tier == "basic" and tender.spec.profiles[1].device is None
    got = json.loads(evaluate(tender).to_json())
    assert got == _json(write(tmp_path / "out", variant(written), bids={"alpha": bid}))
    assert got["bids"][0]["cost_breakdown"]["devices"] > 0


def _problems(tmp_path, tender, export=EXPORT) -> list:
    """The problems of a tender whose bid offers std only (so no bid names a missing profile),
    each as (file name relative to the folder, field, message)."""
    bid = {**ALPHA, "offer": {"std": "p1"}}
    with pytest.raises(TenderError) as err:
        load_tender(write(tmp_path / "t", tender, export, bids={"alpha": bid}))
    return [(p.file.split(f"{tmp_path}/t/")[-1], p.field, p.message) for p in err.value.problems]


def test_a_profile_of_the_export_not_listed_is_one_error(tmp_path):
    problems = _problems(tmp_path, variant([{"id": "std"}]))
    assert [p[:2] for p in problems] == [("tender.yaml", "profiles")]
    assert "'data' is in " in problems[0][2] and "/t/usage.csv (column 'cat', 2 lines) but not listed" in problems[0][2]


def test_a_listed_profile_missing_from_the_export_is_one_error(tmp_path):
    problems = _problems(tmp_path, variant([{"id": "std"}, {"id": "data"}, {"id": "vip"}]))
    assert [p[:2] for p in problems] == [("tender.yaml", "profiles.2.id")]
    assert "'vip' has no line in " in problems[0][2] and "/t/usage.csv (column 'cat')" in problems[0][2]


def test_profiles_left_out_without_a_profile_column_is_one_error(tmp_path):
    tender = variant()
    del tender["usage_file"]["columns"]["profile"]
    problems = _problems(tmp_path, tender, EXPORT)
    assert [p[:2] for p in problems] == [("tender.yaml", "profiles")]
    assert "no profile column" in problems[0][2]


def test_profiles_left_out_without_an_export_is_required(tmp_path):
    tender = variant()
    del tender["usage_file"]
    problems = _problems(tmp_path, tender)
    assert [(p[1], p[2].split(" (")[0]) for p in problems] == [("profiles", "required field is missing")]


def test_a_bare_id_is_not_a_profile(tmp_path):
    problems = _problems(tmp_path, variant(["std", "data"]))
    assert {p[1] for p in problems} == {"profiles.0", "profiles.1"}
    assert all("{id: " in p[2] for p in problems), problems


def test_tender_yaml_alone_completes_its_profiles(tmp_path):
    """What the price schedule needs before any bid (scoring.load.with_export_profiles): the
    same profiles as the loaded tender; a tender that lists its profiles is left as it is."""
    from scoring.model import TenderFile

    folder = write(tmp_path / "t", variant())
    spec = TenderFile.model_validate(yaml.safe_load((folder / "tender.yaml").read_text()))
    done = with_export_profiles(spec, folder, "t/tender.yaml")
    assert done.profiles == load_tender(folder).spec.profiles
    listed = TenderFile.model_validate(variant(WRITTEN_OUT))
    assert with_export_profiles(listed, folder, "t/tender.yaml") is listed


def test_evaluate_command_without_profiles(tmp_path):
    """`python -m scoring evaluate DIR --json` on the tender without profiles: the same JSON
    as in process (the command's own pseudonym key does not enter the JSON)."""
    folder = write(tmp_path / "t", variant())
    run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder), "--json"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == _json(folder)
    text = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert text.returncode == 0 and "Winner: Alpha" in text.stdout, text.stderr


def test_app_on_the_bundled_example_without_profiles():
    """The bundled example uploaded with its `profiles:` left out: the Tender page lists the
    export's five profiles with its line counts (2,000 lines), the Compare page ranks the bids."""
    files = files_of_folder(ROOT / "tenders" / "conseil-2027")
    tender = yaml.safe_load(files["tender.yaml"])
    del tender["profiles"]
    files["tender.yaml"] = yaml.safe_dump(tender, sort_keys=False, allow_unicode=True).encode()
    expected = load_tender_from(files)
    at = app_test()
    at.file_uploader(key="upload").set_value(("conseil.zip", zip_of(files, "conseil"), "application/zip")).run()
    assert not at.exception, at.exception
    assert not [d for d in at.dataframe if "problem" in d.value.columns]
    shown = "\n".join(d.value.to_csv() for d in at.dataframe)
    for profile in expected.spec.profiles:
        assert profile.id in shown
    assert sum(sum(p.lines.values()) for p in expected.spec.profiles) == 2000
    go(at, "compare")
    assert not at.error, [e.value for e in at.error]


def load_tender_from(files: dict[str, bytes]):
    from scoring.load import build_tender, read_files

    return build_tender(read_files("conseil", files))
