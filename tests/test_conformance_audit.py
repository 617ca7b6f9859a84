"""The shared conformance sample of the invoice audit (tests/data/m1-contract, copied from
shared/conformance; README.md there): `python -m monitoring audit m1-contract --json` must
agree with expected.json's `audit`, compared as the README says — numbers within 0.01, the
billing accuracy within 1e-6, flags, counts, periods, deadlines and categories exactly;
findings matched as a set by category + period + row references, none left over; raw
numbers (`line_raw`) pseudonymised with the run's key and compared with `line`.
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


@pytest.fixture(scope="module")
def actual() -> dict:
    run = subprocess.run([sys.executable, "-m", "monitoring", "audit", str(SAMPLE), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert not re.search(r"(?<![\d.])0[67]\d{8}(?!\d)", run.stdout)  # no raw phone number anywhere
    return json.loads(run.stdout)


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text())["audit"]


def _line(raw: str | None) -> str | None:
    """A raw number as the run shows it: the project's pseudonym under the run's key (the
    test suite's, conftest)."""
    return None if raw is None else pseudonymise(pd.Series([raw]), pseudonym_key()).iloc[0]


def test_totals(actual, expected):
    for key in ("bid", "operator", "currency", "periods"):
        assert actual[key] == expected[key], key
    for key in ("billed", "expected", "claimed"):
        assert actual[key] == pytest.approx(expected[key], abs=MONEY), key
    assert actual["billing_accuracy"] == pytest.approx(expected["billing_accuracy"], abs=RATIO)


def test_by_category_and_by_entity(actual, expected):
    counted = {k: v for k, v in actual["by_category"].items() if v["count"]}
    assert counted.keys() == expected["by_category"].keys()
    for name, want in expected["by_category"].items():
        assert counted[name]["count"] == want["count"], name
        assert counted[name]["difference"] == pytest.approx(want["difference"], abs=MONEY), name
    assert actual["by_entity"].keys() == expected["by_entity"].keys()
    for entity, want in expected["by_entity"].items():
        for key in ("billed", "expected"):
            assert actual["by_entity"][entity][key] == pytest.approx(want[key], abs=MONEY), (entity, key)
    assert sum(v["billed"] for v in actual["by_entity"].values()) == pytest.approx(actual["billed"], abs=1e-6)


def test_findings_as_a_set(actual, expected):
    def key(f: dict) -> tuple:
        return f["category"], f["period"], tuple(f["rows"])

    got = {key(f): f for f in actual["findings"]}
    assert len(got) == len(actual["findings"])
    assert got.keys() == {key(f) for f in expected["findings"]}  # none missing, none left over
    for want in expected["findings"]:
        f = got[key(want)]
        for field in ("invoice", "charge", "component", "claim", "deadline"):
            assert f[field] == want[field], (key(want), field)
        for field in ("billed", "expected", "difference"):
            assert f[field] == pytest.approx(want[field], abs=MONEY), (key(want), field)
        assert f["line"] == _line(want["line_raw"]), key(want)


def test_findings_are_sorted(actual):
    order = [(f["period"], f["line"] is not None, f["line"] or "", f["charge"]) for f in actual["findings"]]
    assert order == sorted(order)


def test_unused_lines(actual, expected):
    def rows(items, line):
        return sorted((line(u), u["entity"], u["profile"], u["months"], round(u["monthly_cost"], 2)) for u in items)

    assert rows(actual["unused_lines"], lambda u: u["line"]) == rows(expected["unused_lines"],
                                                                     lambda u: _line(u["line_raw"]))
