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
