"""The shared conformance sample of the service levels and the RIO check
(tests/data/m1-contract, copied from shared/conformance; README.md there):
`python -m monitoring sla m1-contract --json` and `python -m monitoring rio
m1-contract/rio_requests.csv --columns line=msisdn,rio=rio_code --json` must agree with
expected.json's `sla` and `rio`, compared as the README says — bases and credits within 0.01,
KPI values and misses within 1e-6, flags, counts, periods and RIO reasons exactly, KPIs in
expected.json's order; raw numbers (`line_raw`) pseudonymised with the run's key and compared
with `line`. No raw phone number in either output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pandas as pd
import pytest

from scoring.usage_file.pseudonyms import pseudonym_key, pseudonymise

from conftest import DATA, ROOT

SAMPLE = DATA / "m1-contract"
MONEY, RATIO = 0.01, 1e-6
PHONE = re.compile(r"(?<![\d.])(?:0[1-9]\d{8}|\+33\d{9})(?!\d)")


def _run(*args: str) -> dict:
    run = subprocess.run([sys.executable, "-m", "monitoring", *args], cwd=ROOT, capture_output=True, text=True,
                         check=False)
    assert run.returncode == 0, run.stderr
    assert not PHONE.search(run.stdout) and not PHONE.search(run.stderr)  # no raw phone number anywhere
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text())


@pytest.fixture(scope="module")
def sla() -> dict:
    return _run("sla", str(SAMPLE), "--json")


@pytest.fixture(scope="module")
def rio() -> dict:
    return _run("rio", str(SAMPLE / "rio_requests.csv"), "--columns", "line=msisdn,rio=rio_code", "--json")


def test_sla_header(sla, expected):
    want = expected["sla"]
    assert sla.keys() == want.keys()
    for key in ("bid", "operator", "periods"):
        assert sla[key] == want[key], key


def test_sla_kpis_in_order(sla, expected):
    want = expected["sla"]["kpis"]
    assert [(k["id"], k["period"]) for k in sla["kpis"]] == [(k["id"], k["period"]) for k in want]
    for got, k in zip(sla["kpis"], want):
        where = (k["id"], k["period"])
        assert got.keys() == k.keys(), where
        for field in ("n", "open", "met"):
            assert got[field] == k[field], (where, field)
        for field in ("value", "miss"):
            if k[field] is None:
                assert got[field] is None, (where, field)
            else:
                assert got[field] == pytest.approx(k[field], abs=RATIO), (where, field)
        assert got["target"] == pytest.approx(k["target"], abs=RATIO), where
        assert got["credit_due"] == pytest.approx(k["credit_due"], abs=MONEY), where


def test_sla_credits_by_period(sla, expected):
    want = expected["sla"]["by_period"]
    assert list(sla["by_period"]) == list(want)
    for period, w in want.items():
        got = sla["by_period"][period]
        assert got["capped"] == w["capped"], period
        for field in ("base", "credit_due", "credit_received"):
            assert got[field] == pytest.approx(w[field], abs=MONEY), (period, field)


def test_sla_counts_of_the_readme(sla):
    """README: 24 entries, 10 met, 14 missed; request_answer_p95 (no tiers) earns no credit."""
    assert len(sla["kpis"]) == 24
    assert sum(k["met"] is True for k in sla["kpis"]) == 10
    assert sum(k["met"] is False for k in sla["kpis"]) == 14
    assert all(k["credit_due"] == 0 for k in sla["kpis"] if k["id"] == "request_answer_p95")


def test_rio(rio, expected):
    want = expected["rio"]["lines"]
    assert len(rio["lines"]) == len(want)
    key = pseudonym_key()
    for got, w in zip(rio["lines"], want):
        assert got["row"] == w["row"]
        assert got["status"] == w["status"], w["row"]
        assert got["reasons"] == w["reasons"], w["row"]
        assert got["line"] == pseudonymise(pd.Series([w["line_raw"]]), key).iloc[0], w["row"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_sla_text(lang):
    """The readable output: every KPI listed, no raw phone number, in both languages."""
    run = subprocess.run([sys.executable, "-m", "monitoring", "sla", str(SAMPLE), "--lang", lang], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert not PHONE.search(run.stdout)
    for kpi_id in ("support_answer", "sim_replacement", "porting_success", "billing_accuracy"):
        assert kpi_id in run.stdout
    assert ("plafonn" if lang == "fr" else "capped") in run.stdout
