"""The command line: the readable table, the JSON contract, and bad input (exit 2)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import DATA, ROOT


def cli(*args):
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_default_is_the_bundled_example_and_table_lists_every_bid():
    run = cli("evaluate")
    assert run.returncode == 0, run.stderr
    for bid_id in ("orbis", "telvia", "novacom", "mistral"):
        assert bid_id in run.stdout
    lines = run.stdout.splitlines()
    ranked = [ln for ln in lines if ln.strip()[:2] in {"1 ", "2 ", "3 ", "KO"}]
    assert ranked[-1].strip().startswith("KO"), "knocked-out bids come last"
    assert "Winner:" in run.stdout


def test_json_is_deterministic_and_parses():
    first, second = cli("evaluate", str(DATA / "c1-sample"), "--json"), cli("evaluate", str(DATA / "c1-sample"), "--json")
    assert first.returncode == 0 and first.stdout == second.stdout
    assert json.loads(first.stdout)["winner"] == "boreal"


def test_bad_input_exit_2_one_line_per_error_no_traceback(tmp_path):
    run = cli("evaluate", str(tmp_path / "nowhere"))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert run.stderr.strip().startswith("error: ") and "nowhere" in run.stderr
    assert run.stdout == ""


# --------------------------------------------------------------------------- profiles from a billing export

EXAMPLE = ROOT / "tenders" / "conseil-2027"
EXPORT = EXAMPLE / "usage.csv"
EXPLICIT = ["--columns", "line=msisdn,entity=cost_centre,profile=category,month=period,voice_min=voice_minutes,"
            "sms=sms_count,data_gb=data_mb,roam_world_data_gb=roam_world_data_mb",
            "--units", "data_gb=MB,roam_world_data_gb=MB"]


def phone_numbers() -> set[str]:
    numbers = {row.split(",")[0] for row in EXPORT.read_text(encoding="utf-8").splitlines()[1:]}
    return numbers | {n.lstrip("+") for n in numbers} | {n[3:] for n in numbers}  # +33…, 33…, the national part


def test_profiles_with_the_bundled_tenders_mapping(tmp_path):
    import yaml

    from scoring.model import Profile

    out, report = tmp_path / "profiles.yaml", tmp_path / "report.json"
    run = cli("profiles", "--tender", str(EXAMPLE), "--max-profiles", "4", "--out", str(out), "--report-json", str(report))
    assert run.returncode == 0, run.stderr
    assert run.stderr == ""
    assert "The profiles reproduce" in run.stdout and "average line" in run.stdout and f"to {out}" in run.stdout
    profiles = yaml.safe_load(out.read_text(encoding="utf-8"))["profiles"]
    assert 1 <= len(profiles) <= 4
    for profile in profiles:
        Profile.model_validate(profile)  # what tender.yaml's profiles accept
        assert set(profile["lines"]) <= {"paris", "lyon", "regions", "services"}
    assert sum(n for p in profiles for n in p["lines"].values()) == 2000
    figures = json.loads(report.read_text(encoding="utf-8"))
    assert figures["lines"] == 2000 and figures["k"] == len(profiles)
    assert 0.8 < figures["reproduction"]["ratio"] < 1.2
    for text in (run.stdout, out.read_text(encoding="utf-8"), report.read_text(encoding="utf-8")):
        assert not any(number in text for number in phone_numbers()), "a phone number left the reader"


def test_profiles_with_explicit_columns_same_bytes_for_a_seed():
    first = cli("profiles", str(EXPORT), *EXPLICIT, "--seed", "7")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("profiles:\n- id: seg1\n")  # stdout is the YAML alone…
    assert "The profiles reproduce" in first.stderr  # …the report is on stderr
    second = cli("profiles", str(EXPORT), *EXPLICIT, "--seed", "7")
    assert second.stdout == first.stdout and second.stderr == first.stderr
    for text in (first.stdout, first.stderr):
        assert not any(number in text for number in phone_numbers())


def test_profiles_bad_column_mapping_is_exit_2_naming_the_field(tmp_path):
    wrong_header = EXPLICIT[1].replace("data_gb=data_mb", "data_gb=data_volume")
    run = cli("profiles", str(EXPORT), "--columns", wrong_header, "--units", "data_gb=MB")
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"error: {EXPORT}: columns.data_gb: column 'data_volume' is not in the file's header")
    no_month = cli("profiles", str(EXPORT), "--columns", "line=msisdn,entity=cost_centre,data_gb=data_mb")
    assert no_month.returncode == 2 and no_month.stderr.startswith(f"error: {EXPORT}: columns.month: ")
    malformed = cli("profiles", str(EXPORT), "--columns", "line=msisdn,entity")
    assert malformed.returncode == 2 and malformed.stderr.startswith("error: --columns: item 2: write name=value")
    folder = tmp_path / "tender"
    folder.mkdir()
    (folder / "tender.yaml").write_text(
        "entities: [{id: paris}]\nusage_file:\n  path: usage.csv\n"
        "  columns: {line: msisdn, entity: cost_centre, month: period, data_gb: data_mb}\n  units: {data_gb: GiB}\n",
        encoding="utf-8")
    bad_block = cli("profiles", "--tender", str(folder))
    assert bad_block.returncode == 2 and "Traceback" not in bad_block.stderr
    assert bad_block.stderr.startswith(f"error: {folder}/tender.yaml: usage_file.units.data_gb: unit 'GiB'")
