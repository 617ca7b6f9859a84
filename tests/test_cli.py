"""The command line: the readable table, the JSON contract, and bad input (exit 2)."""

from __future__ import annotations

import json
import re
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


# --------------------------------------------------------------------------- what a person reads (issue 12)


def scenarios_cli(*args):
    return subprocess.run([sys.executable, "-m", "scenarios", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def example():
    from scoring import EXAMPLE_TENDER, evaluate, load_tender

    return evaluate(load_tender(EXAMPLE_TENDER))


def ids_in(text: str, ev) -> set[str]:
    """The bid and criterion ids written as words in ``text`` (operators' and criteria's names
    are what a person reads)."""
    ids = {b.id for b in ev.tender.bids} | {c.id for c in ev.tender.spec.evaluation.criteria}
    ids |= {"tco_service", "npv", "tco"}
    return {i for i in ids if re.search(rf"(?<![\w/.-]){re.escape(i)}(?![\w/.-])", text)}


def test_every_help_exits_0_cleanly():
    """argparse formats help strings with %: a bare % printed its internal dict (issue 12)."""
    scoring = ["evaluate", "template", "convert", "export", "report", "profiles", "lines"]
    scenarios = ["compare", "montecarlo", "sensitivity", "switch", "dqe"]
    runs = [cli("--help"), scenarios_cli("--help")]
    runs += [cli(c, "--help") for c in scoring] + [scenarios_cli(c, "--help") for c in scenarios]
    for run in runs:
        assert run.returncode == 0 and run.stderr == "", run.args
        assert run.stdout.startswith("usage: ")
        assert "option_strings" not in run.stdout and "{'" not in run.stdout and "%%" not in run.stdout, run.args
    assert "±20 %" in scenarios_cli("--help").stdout


def test_readable_table_names_operators_and_criteria_and_explains_its_terms():
    ev = example()
    run = cli("evaluate")
    assert run.returncode == 0, run.stderr
    below_table = run.stdout[run.stdout.index("\nWinner:"):]
    assert ids_in(below_table, ev) == set(), "ids where a person reads"
    winner, runner = (ev.tender.bid(b).operator for b in (ev.winner, ev.explanation.runner_up))
    assert f"Winner: {winner}\n" in run.stdout and f"Margin over {runner}: " in run.stdout
    assert "Knocked out, Mistral Mobile Pro: Support answer time (minutes): 14 is worse than the limit 10" in run.stdout
    assert "net present value" in run.stdout and "hidden cost" not in below_table.split("Winner under")[0]
    assert "cost of poor service" in run.stdout and "TCO + hidden service cost" in below_table
    # The JSON keeps the ids of the format contract.
    data = json.loads(cli("evaluate", "--json").stdout)
    assert data["winner"] == ev.winner
    mistral = next(b for b in data["bids"] if b["id"] == "mistral")
    assert mistral["knockouts"][0] == "support_answer: 14 is worse than the limit 10"


def test_knockout_and_warning_wording_of_every_shape(make_tender):
    from reports.names import knockout_text, warning_text

    ev = example()
    tender = ev.tender
    assert knockout_text(tender, "cost_centre_billing: required, but the bid says no", "fr") == \
        "Invoices split by cost centre (entity) : exigé, mais l'offre répond non"
    assert knockout_text(tender, "no offer for profile 'field'") == \
        "no offer for the profile “Field technicians (rugged)”"
    assert knockout_text(tender, "no device price for tier 'rugged' (profile 'field')") == \
        "no device price for the tier rugged (profile “Field technicians (rugged)”)"
    assert knockout_text(tender, "unknown_criterion: required, but the bid says no") == \
        "unknown_criterion: required, but the bid says no"  # not a criterion: left as written
    assert knockout_text(tender, "something new") == "something new"
    assert warning_text(tender, "rank reversal: without bid 'orbis', 'telvia' would win instead of 'novacom'") == \
        "rank reversal: without Orbis Télécom, Telvia Business would win instead of Novacom Entreprises"


def test_scenario_commands_name_operators_and_explain_terms():
    ev = example()
    for args, term in ((["compare"], None), (["switch"], "Break-even:"), (["dqe"], "DQE: détail quantitatif"),
                       (["montecarlo", "--draws", "500"], "Regret:"), (["sensitivity"], None)):
        run = scenarios_cli(*args)
        assert run.returncode == 0, run.stderr
        assert ids_in(run.stdout, ev) == set(), (args, ids_in(run.stdout, ev))
        if term:
            assert term in run.stdout
        assert not any(f"{b.operator}'s" in run.stdout for b in ev.tender.bids), "no possessive on a name"
        json_run = scenarios_cli(*args, "--json")
        assert json_run.returncode == 0 and ev.winner in json_run.stdout  # ids in the JSON


def test_sensitivity_rounds_like_the_tie_rule():
    """cost_centre_billing at 100: Novacom and Telvia both answer yes and tie; the tie goes to
    the lower TCO. The range ends at 99.99999998…: not "to 100.00 (above: telvia)"."""
    run = scenarios_cli("sensitivity")
    assert run.returncode == 0, run.stderr
    line = next(ln for ln in run.stdout.splitlines() if ln.strip().startswith("Invoices split by cost centre"))
    assert "wins from 0.00 to 100.00 (at 100: a tie with Telvia Business, who wins it on the lower TCO)" in line
    assert "above" not in line
    price = next(ln for ln in run.stdout.splitlines() if ln.strip().startswith("Price "))
    assert "from 0.00 to 71.70 (above: Telvia Business)" in price
    assert not re.search(r"\d\.\d{3,}", run.stdout), "numbers rounded for display"


def test_montecarlo_columns_are_labelled_and_aligned():
    run = scenarios_cli("montecarlo", "--draws", "500")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    head = next(i for i, ln in enumerate(lines) if "P(compliant)" in ln)
    table = lines[head:head + 5]
    for r in range(1, 5):
        assert f"P(rank {r})" in table[0]
    assert len({len(ln) for ln in table}) == 1, "every row as wide as the header (right-aligned columns)"
    for label in ("P(rank 1)", "P(cheapest)", "regret EUR"):  # each value ends under its label's end
        end = table[0].index(label) + len(label)
        assert all(ln[end - 1] != " " and (end == len(ln) or ln[end] == " ") for ln in table[1:]), label


def test_lines_says_how_many_it_lists():
    run = cli("lines", str(EXAMPLE), "--scenario", str(EXAMPLE / "scenarios" / "billed-usage.yaml"), "--top", "7")
    assert run.returncode == 0, run.stderr
    blocks = run.stdout.split("\n\n")[1:]
    assert len(blocks) == 4  # every costed bid, the knocked-out one included
    for block in blocks:
        said = [int(n.replace(",", "")) for n in re.findall(r"[Tt]he ([\d,]+) most expensive", block)]
        listed = len(block.splitlines()) - 2  # the sentence, the header
        assert said == [listed] == [7], block[:300]
        assert "1 % most expensive lines (20 lines)" in block


def test_out_makes_its_folder(tmp_path):
    """--out out/x.xlsx works from a fresh clone, where out/ does not exist yet."""
    deep = tmp_path / "new" / "folder"
    runs = [cli("template", str(EXAMPLE), "--out", str(deep / "schedule.xlsx")),
            cli("convert", str(EXAMPLE / "bids" / "telvia.yaml"), "--tender", str(EXAMPLE), "--out", str(deep / "t.xlsx")),
            cli("export", str(EXAMPLE), "--no-sensitivity", "--out", str(deep / "e.xlsx")),
            cli("profiles", "--tender", str(EXAMPLE), "--out", str(deep / "p.yaml"), "--report-json", str(deep / "r.json"))]
    for run in runs:
        assert run.returncode == 0, run.stderr
    assert {p.name for p in deep.iterdir()} == {"schedule.xlsx", "t.xlsx", "e.xlsx", "p.yaml", "r.json"}
