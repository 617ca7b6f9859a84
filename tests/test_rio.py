"""The RIO check (docs/service-levels.md, monitoring/rio.py): the inter-operator key with its
published example, each rejection reason, the status rule, numbers written +33, and the
command line (no raw number printed; JSON only on stdout)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from monitoring.rio import check_rio, national_numbers, rio_key, rio_keys
from scoring.usage_file.pseudonyms import pseudonym_key, pseudonymise

from conftest import DATA, ROOT

KEY = b"rio-test-key-0123456789"


def test_published_example():
    """``01-P-EROY4P-4TR`` for ``0612345678`` (the algorithm's published example)."""
    assert rio_key("01-P-EROY4P", "0612345678") == "4TR"
    assert rio_key("01PEROY4P", "0612345678") == "4TR"


def test_key_by_hand():
    """``AAAAAAAAA`` + ``0000000000``: A = 0, 0 = 26. r1 = 10 × 26 mod 37 = 260 mod 37 = 1 → B.
    r2 = Σ 26·2^k (k = 0..9) = 26 × 1023 mod 37: 1023 = 27 × 37 + 24, 26 × 24 = 624 = 16 × 37 +
    32 → 32 → '6' (26 + 6). r3 = 26 × Σ 4^k = 26 × (4^10 − 1)/3 = 26 × 349525; 349525 mod 37 =
    349525 − 9446 × 37 = 349525 − 349502 = 23; 26 × 23 = 598 = 16 × 37 + 6 → 6 → G."""
    assert rio_keys(["AAAAAAAAA"], ["0000000000"]).tolist() == ["B6G"]


def _one(number, rio, inventory=None):
    check = check_rio([2], [number], [rio], inventory=inventory, key=KEY)
    (line,) = check.lines
    return line


def test_ok_and_dashes_optional():
    assert _one("0612345678", "01-E-EROY4P-" + rio_key("01EEROY4P", "0612345678")).status == "ok"
    assert _one("06 12 34 56 78", "01EEROY4P" + rio_key("01EEROY4P", "0612345678")).reasons == ()


@pytest.mark.parametrize(("number", "rio"), [
    ("0612345678", "01-P-EROY4P-4T"),       # key too short
    ("0612345678", "01-X-EROY4P-4TR"),      # Q neither E nor P
    ("0612345678", "01-p-eroy4p-4tr"),      # lower case
    ("0612345678", "01-P-ERO*4P-4TR"),      # a symbol
    ("061234567", "01-E-EROY4P-4TR"),       # 9 digits
    (None, "01-E-EROY4P-4TR"),              # no number
    ("0612345678", None),                   # no RIO
])
def test_format(number, rio):
    line = _one(number, rio)
    assert (line.status, line.reasons) == ("invalid", ("format",))


def test_key():
    line = _one("0612345679", "01-E-EROY4P-" + rio_key("01EEROY4P", "0612345678"))
    assert (line.status, line.reasons) == ("invalid", ("key",))


def test_personal_is_a_warning_alone():
    assert (_one("0612345678", "01-P-EROY4P-4TR").status, _one("0612345678", "01-P-EROY4P-4TR").reasons) == (
        "warning", ("personal",))
    line = _one("0612345679", "01-P-EROY4P-4TR")  # personal and a wrong key: invalid
    assert (line.status, line.reasons) == ("invalid", ("key", "personal"))


def test_duplicate_later_rows_only():
    """The same number twice (row 3, as +33) and the same RIO on another number (row 4): only
    the later rows are flagged."""
    rio = "01-E-EROY4P-" + rio_key("01EEROY4P", "0612345678")
    check = check_rio([2, 3, 4], ["0612345678", "+33 6 12 34 56 78", "0698765432"], [rio, rio, rio], key=KEY)
    assert [x.reasons for x in check.lines] == [(), ("duplicate",), ("key", "duplicate")]
    assert check.lines[0].line == check.lines[1].line  # +33 is the same line: its national form


def test_not_in_inventory():
    rio = "01-E-EROY4P-" + rio_key("01EEROY4P", "0612345678")
    inside = frozenset(pseudonymise(pd.Series(["0612345678"]), KEY))
    assert _one("0612345678", rio, inside).reasons == ()
    assert _one("0612345678", rio, frozenset()).reasons == ("not_in_inventory",)


def test_national_numbers():
    got = national_numbers(pd.Series(["+33612345678", "0033 6 12 34 56 78", "06.12.34.56.78", "612345678", None]))
    assert got.tolist()[:3] == ["0612345678"] * 3 and got.isna().tolist()[3:] == [True, True]


def test_command_line_text_and_json(tmp_path):
    """Outside a contract folder: no inventory check (a warning on stderr), JSON pure."""
    rio = "01-E-EROY4P-" + rio_key("01EEROY4P", "0612345678")
    f = tmp_path / "lines.csv"
    f.write_text(f"line,rio\n0612345678,{rio}\n0612345678,{rio}\n")
    run = subprocess.run([sys.executable, "-m", "monitoring", "rio", str(f), "--json"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert [(x["row"], x["status"], x["reasons"]) for x in data["lines"]] == [(2, "ok", []),
                                                                             (3, "invalid", ["duplicate"])]
    assert data["lines"][0]["line"] == pseudonymise(pd.Series(["0612345678"]), pseudonym_key()).iloc[0]
    assert run.stderr.startswith("warning: ") and "0612345678" not in run.stdout + run.stderr
    text = subprocess.run([sys.executable, "-m", "monitoring", "rio", str(f), "--lang", "fr"], cwd=ROOT,
                          capture_output=True, text=True, check=False)
    assert text.returncode == 0 and "invalide" in text.stdout and "0612345678" not in text.stdout


def test_command_line_bad_columns():
    run = subprocess.run([sys.executable, "-m", "monitoring", "rio", str(DATA / "m1-contract" / "rio_requests.csv"),
                          "--columns", "number=msisdn"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 2 and run.stderr.startswith("error: --columns: (option): "), run.stderr
