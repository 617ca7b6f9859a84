"""`scoring.usage_file.records.read_records` on exports with columns it does not read: before,
between and after the mapped ones (an invoice's "Montant TTC" after them). pyarrow's streaming
reader (the fast path) must take such a file — it names every column of the header and
converts only the mapped ones — and give the same records as pandas' parser (the fallback,
forced here by making the fast path give up)."""

from __future__ import annotations

import pandas as pd
import pytest

from scoring.errors import TenderError
from scoring.usage_file import records
from scoring.usage_file.records import RecordSpec, read_records

SPEC = RecordSpec(columns={"line": "Ligne", "charge": "Libellé", "amount": "Montant HT"},
                  numbers=frozenset({"amount"}), delimiter=";", decimal=",")

# Extra columns: "Client" before, "Remise" between, "TVA" and "Montant TTC" after the mapped ones.
EXTRA = ("Client;Ligne;Remise;Libellé;Montant HT;TVA;Montant TTC\n"
         "acme;L1;0;Abonnement;18,00;3,60;21,60\n"
         "acme;L2;;Usage;-2,50;-0,50;-3,00\n"
         ";;;;;;\n"                          # blank in every mapped cell: skipped (row 4)
         "acme; L1 ;1;Abonnement ;1 000,5;;\n").encode()   # "1 000,5" is not a number
ONLY = ("Ligne;Libellé;Montant HT\n"
        "L1;Abonnement;18,00\n"
        "L2;Usage;-2,50\n").encode()


def _plain(frame: pd.DataFrame) -> dict:
    """A frame's values as plain Python (categoricals and strings compared alike)."""
    return {c: [None if pd.isna(v) else v for v in frame[c].astype(object)] for c in frame.columns}


def _read(data: bytes, monkeypatch, fast: bool) -> pd.DataFrame:
    """read_records on the fast path only (the fallback's checks fail the test) or on the
    fallback only (the fast path gives up at once)."""
    with monkeypatch.context() as m:
        if fast:
            def fallback(*args, **kwargs):
                raise AssertionError("the fast path gave up")

            m.setattr(records, "check_cell_counts", fallback)
        else:
            def gave_up(*args, **kwargs):
                raise records._GaveUp()

            m.setattr(records, "_arrow_chunks", gave_up)
        return read_records(data, SPEC, shown="a.csv")


def test_columns_before_between_and_after_the_mapped_ones_read_on_the_fast_path(monkeypatch):
    """ONLY's rows: L1 Abonnement 18.00 (row 2), L2 Usage −2.50 (row 3); EXTRA has the same
    two rows with four more columns around the mapped ones, read on the fast path with the
    same records as the fallback and as the file without them."""
    data = EXTRA.rsplit(b"\n", 2)[0] + b"\n"  # the first three rows (no bad number)
    fast, slow = _read(data, monkeypatch, True), _read(data, monkeypatch, False)
    expected = {"row": [2, 3], "line": ["L1", "L2"], "charge": ["Abonnement", "Usage"], "amount": [18.0, -2.5]}
    assert _plain(fast) == _plain(slow) == _plain(_read(ONLY, monkeypatch, True)) == expected
    assert fast["amount"].dtype.kind == "f"


def test_extra_columns_problems_are_the_same_on_both_paths(monkeypatch):
    """Row 5's "1 000,5" is not a number (the fast path gives up on it, then pandas' parser
    names it): the same one problem however the file is read; the blank row 4 is skipped."""
    def problems(fast: bool) -> list[str]:
        with pytest.raises(TenderError) as err:
            if fast:
                read_records(EXTRA, SPEC, shown="a.csv")
            else:
                _read(EXTRA, monkeypatch, False)
        return [str(p) for p in err.value.problems]

    assert problems(True) == problems(False)
    assert len(problems(True)) == 1 and "row 5" in problems(True)[0] and "Montant HT" in problems(True)[0]


def test_a_row_with_more_cells_than_the_header_is_still_refused(monkeypatch):
    """Naming every header column does not hide a ragged row: row 3 has 8 cells for 7."""
    data = EXTRA.split(b"\n")[0] + b"\nacme;L1;0;Abonnement;18,00;3,60;21,60\nacme;L2;;Usage;1;2;3;4\n"
    with pytest.raises(TenderError) as err:
        read_records(data, SPEC, shown="a.csv")
    assert "a.csv" in str(err.value)
