"""The billing export (scoring/usage_file/): reading, units, errors, pseudonyms, arrays."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pydantic import ValidationError

import scoring.usage_file as usage_file
from scoring.errors import TenderError
from scoring.load import pydantic_problems
from scoring.usage_file import (
    KEY_ENV,
    LineUsage,
    UsageFileSpec,
    arrow,
    grid,
    key_file,
    line_usage,
    pseudonym_key,
    pseudonymise,
    ragged,
    read_line_usage,
    read_usage_table,
    sources,
)

KEY = b"test-key"
ENTITIES = ["hq", "lyon"]
PROFILES = ["pro", "basic"]
COLUMNS = {
    "line": "msisdn",
    "entity": "cost_centre",
    "profile": "category",
    "month": "period",
    "voice_min": "voice_seconds",
    "data_gb": "data_mb",
    "sms": "sms_count",
}
HEADER = "msisdn;cost_centre;category;period;voice_seconds;data_mb;sms_count;plan_name"
NUMBERS = ["0611111111", "0622222222", "0633333333", "0644444444", "0655555555"]


def rows() -> list[list[str]]:
    """5 lines × 3 months, French style: decimal commas, several month spellings."""
    out = []
    months = [("2026-01", "01/2026", "202601"), ("2026-02", "2026-02-15", "202602"), ("2026-03", "03/2026", "2026-03")]
    for i, number in enumerate(NUMBERS):
        for k, spellings in enumerate(months):
            out.append(
                [
                    number,
                    ENTITIES[i % 2],
                    PROFILES[i % 2],
                    spellings[i % 3],
                    str(60 * (i + 1) * (k + 1)),  # seconds → i+1 × k+1 minutes
                    f"{1500 * (i + 1) + k},5",  # MB with a decimal comma
                    str(i + k),
                    "Forfait Pro",
                ]
            )
    return out


def csv_bytes(data: list[list[str]] | None = None, header: str = HEADER) -> bytes:
    data = rows() if data is None else data
    return ("\ufeff" + "\n".join([header, *(";".join(r) for r in data)]) + "\n").encode("utf-8")


def spec(**changes) -> UsageFileSpec:
    fields = dict(path="usage.csv", columns=COLUMNS, units={"data_gb": "MB", "voice_min": "s"}, decimal=",")
    fields.update(changes)
    return UsageFileSpec(**fields)


def read(data: bytes, the_spec: UsageFileSpec | None = None, key: bytes = KEY, xlsx: bool = False) -> pd.DataFrame:
    return read_usage_table(
        data, the_spec or spec(), shown="usage.csv", entities=ENTITIES, profiles=PROFILES, key=key, xlsx=xlsx
    )


def read_lines(data: bytes, the_spec: UsageFileSpec | None = None, xlsx: bool = False, **options) -> LineUsage:
    return read_line_usage(
        data, the_spec or spec(), shown="usage.csv", entities=ENTITIES, profiles=PROFILES, key=KEY, xlsx=xlsx, **options
    )


def problems(data: bytes, the_spec: UsageFileSpec | None = None) -> list:
    with pytest.raises(TenderError) as info:
        read(data, the_spec)
    for problem in info.value.problems:
        assert problem.file == "usage.csv"
        for number in NUMBERS:
            assert number not in str(problem), "a raw line number leaked into an error"
    # The per-line reader stops at the first defect and lets the table reader name them all.
    with pytest.raises(TenderError) as again:
        read_lines(data, the_spec)
    assert again.value.problems == info.value.problems
    return info.value.problems


# --------------------------------------------------------------------------- reading


def test_reads_a_french_export_with_unit_conversion():
    table = read(csv_bytes())
    assert list(table.columns) == ["line", "entity", "profile", "month", "voice_min", "data_gb", "sms"]
    assert len(table) == 15
    assert str(table["month"].dtype) == "period[M]"
    assert table["entity"].dtype.name == "category" and list(table["entity"].cat.categories) == ENTITIES
    assert list(table["profile"].cat.categories) == PROFILES
    for column in ("voice_min", "data_gb", "sms"):
        assert table[column].dtype == np.float64
    # line 3 (i = 2), month 2 (k = 1): 60·3·2 s = 6 min, 4501,5 MB = 4.5015 GB, 3 SMS
    row = table.iloc[2 * 3 + 1]
    assert row["month"] == pd.Period("2026-02", "M")
    assert row["voice_min"] == pytest.approx(6.0)
    assert row["data_gb"] == pytest.approx(4.5015)
    assert row["sms"] == 3.0
    assert row["entity"] == "hq" and row["profile"] == "pro"
    assert table["month"].nunique() == 3


def test_units_are_decimal_and_converted():
    data = b"l,e,m,d,v\n1,hq,2026-01,1,2\n"
    columns = {"line": "l", "entity": "e", "month": "m", "data_gb": "d", "voice_min": "v"}
    for unit, gb in {"KB": 1e-6, "MB": 1e-3, "GB": 1.0, "TB": 1000.0}.items():
        for vunit, minutes in {"s": 2 / 60, "min": 2.0, "h": 120.0}.items():
            the_spec = UsageFileSpec(path="u.csv", columns=columns, units={"data_gb": unit, "voice_min": vunit})
            table = read_usage_table(data, the_spec, shown="u.csv", entities=ENTITIES, profiles=None, key=KEY)
            assert table["data_gb"].iloc[0] == pytest.approx(gb)
            assert table["voice_min"].iloc[0] == pytest.approx(minutes)
            assert "profile" not in table.columns


@pytest.mark.parametrize(
    "units, field",
    [({"data_gb": "GiB"}, "units.data_gb"), ({"voice_min": "MB"}, "units.voice_min"), ({"sms": "MB"}, "units.sms")],
)
def test_unsupported_units_name_the_component(units, field):
    with pytest.raises(ValidationError) as info:
        spec(units=units)
    (problem,) = pydantic_problems(info.value, "tender.yaml", ("usage_file",))
    assert problem.field == f"usage_file.{field}"


def test_spec_requires_line_entity_month_and_valid_ids():
    with pytest.raises(ValidationError, match="'month' column must be mapped"):
        UsageFileSpec(path="u.csv", columns={"line": "a", "entity": "b", "data_gb": "c"})
    with pytest.raises(ValidationError, match="component id"):
        UsageFileSpec(path="u.csv", columns={"line": "a", "entity": "b", "month": "m", "Data GB": "c"})
    with pytest.raises(ValidationError, match="decimal"):
        spec(delimiter=",")


def test_wrong_column_names_name_the_mapping_and_list_the_headers():
    found = problems(csv_bytes(header=HEADER.replace("data_mb", "data_volume")))
    assert len(found) == 1
    assert found[0].field == "columns.data_gb"
    assert "'data_mb'" in found[0].message and "data_volume" in found[0].message and "msisdn" in found[0].message


def test_text_in_a_number_column_names_row_and_column():
    data = rows()
    data[4][5] = "beaucoup"  # row 6 in the file (header = row 1)
    found = problems(csv_bytes(data))
    assert [(p.field, p.message) for p in found] == [("row 6, column data_mb", "'beaucoup' is not a number")]


def test_negative_and_empty_usage():
    data = rows()
    data[0][4] = "-60"
    data[14][6] = ""
    found = problems(csv_bytes(data))
    fields = {p.field: p.message for p in found}
    assert "negative" in fields["row 2, column voice_seconds"]
    assert "empty" in fields["row 16, column sms_count"]


def test_nan_and_inf_are_refused():
    data = rows()
    data[1][5] = "inf"
    data[2][5] = "nan"
    found = problems(csv_bytes(data))
    assert {p.field for p in found} == {"row 3, column data_mb", "row 4, column data_mb"}


def test_duplicate_line_month_names_both_rows_and_the_pseudonym():
    data = rows()
    data.append(list(data[3]))  # row 5 again, as row 17
    found = problems(csv_bytes(data))
    assert len(found) == 1
    assert found[0].field == "row 17, column msisdn"
    assert "row 5" in found[0].message and "2026-01" in found[0].message
    pseudonym = pseudonymise(pd.Series([NUMBERS[1]]), KEY).iloc[0]
    assert pseudonym in found[0].message


def test_unknown_entity_and_profile_list_the_known_ones():
    data = rows()
    data[0][1] = "paris"
    data[1][2] = "vip"
    found = problems(csv_bytes(data))
    by_field = {p.field: p.message for p in found}
    assert "unknown entity 'paris'" in by_field["row 2, column cost_centre"]
    assert "hq, lyon" in by_field["row 2, column cost_centre"]
    assert "unknown profile 'vip'" in by_field["row 3, column category"]
    assert "pro, basic" in by_field["row 3, column category"]


def test_a_month_that_does_not_parse():
    data = rows()
    data[0][3] = "janvier 2026"
    found = problems(csv_bytes(data))
    assert [p.field for p in found] == ["row 2, column period"]
    assert "'janvier 2026'" in found[0].message


def test_missing_month_names_the_pseudonymised_line_and_the_months():
    data = [r for i, r in enumerate(rows()) if i != 7]  # line 3 (0633…) loses 2026-02
    found = problems(csv_bytes(data))
    assert len(found) == 1
    pseudonym = pseudonymise(pd.Series([NUMBERS[2]]), KEY).iloc[0]
    assert found[0].field == "column period"
    assert pseudonym in found[0].message and "2026-02" in found[0].message


def test_errors_are_collected_and_capped():
    data = rows() * 10  # 150 rows: every row after the first 15 is a duplicate
    for r in data:
        r[5] = "x"
    found = problems(csv_bytes(data))
    assert len(found) == 51
    assert found[-1].field == "(more)" and found[-1].message.startswith("… and ")


# --------------------------------------------------------------------------- pseudonyms


def test_raw_numbers_never_in_the_table():
    table = read(csv_bytes())
    text = table.to_csv()
    for number in NUMBERS:
        assert number not in text and number.lstrip("0") not in text
    assert all(i.startswith("L-") and len(i) == 18 for i in table["line"].cat.categories)
    assert table["line"].nunique() == 5


def test_pseudonyms_are_deterministic_per_key():
    a, b = read(csv_bytes()), read(csv_bytes())
    other = read(csv_bytes(), key=b"another-key")
    assert list(a["line"]) == list(b["line"])
    assert not set(a["line"]) & set(other["line"])
    ids = pd.Series(["0611111111", " 0611111111 ", None, "0622222222"])
    out = pseudonymise(ids, KEY)
    assert out.iloc[0] == out.iloc[1] and out.iloc[2] is None and out.iloc[0] != out.iloc[3]
    assert out.iloc[0] == a["line"].iloc[0]


# --------------------------------------------------------------------------- arrays


def test_line_usage_shape_and_values():
    table = read(csv_bytes())
    lu = line_usage(table, ["voice_min", "data_gb", "sms"])
    assert isinstance(lu, LineUsage)
    assert lu.usage.shape == (5, 3, 3)
    assert list(lu.months.astype(str)) == ["2026-01", "2026-02", "2026-03"]
    order = {pid: i for i, pid in enumerate(lu.line_ids)}
    for i, number in enumerate(NUMBERS):
        n = order[pseudonymise(pd.Series([number]), KEY).iloc[0]]
        for k in range(3):
            assert lu.usage[n, k, 0] == pytest.approx((i + 1) * (k + 1))
            assert lu.usage[n, k, 1] == pytest.approx((1500 * (i + 1) + k + 0.5) / 1000)
            assert lu.usage[n, k, 2] == i + k
        assert lu.entities[lu.entity[n]] == ENTITIES[i % 2]
        assert lu.profiles[lu.profile[n]] == PROFILES[i % 2]


def test_rows_in_any_order_give_the_same_arrays():
    table = read(csv_bytes())
    shuffled = read(csv_bytes(list(reversed(rows()))))
    a, b = line_usage(table, ["data_gb"]), line_usage(shuffled, ["data_gb"])
    ia, ib = np.argsort(a.line_ids), np.argsort(b.line_ids)
    np.testing.assert_array_equal(a.usage[ia], b.usage[ib])


# --------------------------------------------------------------------------- xlsx


def xlsx_twin(**cells) -> bytes:
    """The CSV rows as an xlsx sheet, numbers as numbers; ``cells`` overwrite cells (F4="lots")."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    for r in rows():
        sheet.append([r[0], r[1], r[2], r[3], int(r[4]), float(r[5].replace(",", ".")), int(r[6]), r[7]])
    for cell, value in cells.items():
        sheet[cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_equals_its_csv_twin():
    from_xlsx = read(xlsx_twin(), xlsx=True)
    pd.testing.assert_frame_equal(from_xlsx, read(csv_bytes()))


def test_xlsx_errors_name_row_and_column():
    with pytest.raises(TenderError) as info:
        read(xlsx_twin(F4="lots"), xlsx=True)
    assert [(p.field, p.message) for p in info.value.problems] == [("row 4, column data_mb", "'lots' is not a number")]


def test_a_missing_header_row_does_not_echo_the_first_rows_numbers():
    """An export without a header row makes its first data row the "headers": the error
    listing the headers found must not show its phone number, in any spelling."""
    the_spec = spec(columns={"line": "msisdn", "entity": "cost_centre", "profile": "category", "month": "period",
                             "sms": "sms_count"}, units={}, decimal=".", delimiter=",")
    for first in ("0612345678", "06 12 34 56 78", "+33 6 12 34 56 78", "06.12.34.56.78"):
        data = f"{first},a,std,2026-01,7\n0622222222,a,std,2026-02,8\n".encode()
        found = problems(data, the_spec)
        assert [p.field for p in found] == ["columns.line", "columns.entity", "columns.profile", "columns.month",
                                            "columns.sms"]
        for problem in found:
            assert "headers found: …, a, std, 2026-01, 7" in problem.message, problem.message
            assert first not in problem.message and "12 34" not in problem.message and "12345678" not in problem.message
    # The same in a workbook.
    book = openpyxl.Workbook()
    book.active.append(["06 12 34 56 78", "a", "std", "2026-01", 7])
    book.active.append(["0612345678", "a", "std", "2026-02", 8])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(TenderError) as info:
        read(buffer.getvalue(), the_spec, xlsx=True)
    assert len(info.value.problems) == 5
    assert all("headers found: …, a, std, 2026-01, 7" in p.message for p in info.value.problems)
    assert "12 34" not in str(info.value) and "12345678" not in str(info.value)


def test_a_parsers_message_never_shows_a_phone_number():
    """A parser's message quoted in an error loses anything like a phone number, spaced or not."""
    for cell in ("0612345678", "06 12 34 56 78", "+33 6 12 34 56 78", "06-12-34-56-78"):
        message = sources.parser_message(ValueError(f"could not convert {cell!r} in line 3"))
        assert "12" not in message and "…" in message, message
        assert "line 3" in message


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "idna"])
def test_an_encoding_that_cannot_read_the_file_is_a_clean_error(encoding):
    """utf-16 on a file without a byte-order mark raises UnicodeError (not
    UnicodeDecodeError) in the codec, as does idna: one error naming the file, no traceback."""
    text = "\n".join([HEADER, *(";".join(r) for r in rows())]) + "\n"
    data = text.encode("utf-8" if encoding == "idna" else "utf-16-le")  # no byte-order mark
    found = problems(data, spec(encoding=encoding))
    assert len(found) == 1 and found[0].field == "(file)", found
    assert found[0].message.startswith("not a readable CSV file ("), found[0].message


# --------------------------------------------------------------------------- per-line reader (fast path)


def assert_same_line_usage(fast: LineUsage, slow: LineUsage) -> None:
    assert fast.months.equals(slow.months)
    assert fast.components == slow.components
    assert list(fast.line_ids) == list(slow.line_ids)
    assert fast.entities == slow.entities and fast.profiles == slow.profiles
    np.testing.assert_array_equal(fast.entity, slow.entity)
    if slow.profile is None:
        assert fast.profile is None
    else:
        np.testing.assert_array_equal(fast.profile, slow.profile)
    assert fast.usage.dtype == np.float64 and fast.usage.flags.c_contiguous
    np.testing.assert_array_equal(fast.usage, slow.usage)  # bit for bit, not approx


def recoded(table: pd.DataFrame, the_spec: UsageFileSpec, entities: list[str], profiles: list[str] | None) -> LineUsage:
    """line_usage of the table, its entity/profile codes indexing the given lists."""
    lu = line_usage(table, the_spec.components)

    def codes(values: np.ndarray, names: tuple[str, ...], wanted: list[str]) -> np.ndarray:
        return np.array([wanted.index(n) for n in names] + [-1])[values]

    return LineUsage(
        months=lu.months,
        components=lu.components,
        line_ids=lu.line_ids,
        entity=codes(lu.entity, lu.entities, entities),
        profile=None if lu.profile is None else codes(lu.profile, lu.profiles, profiles),
        usage=lu.usage,
        entities=tuple(entities),
        profiles=None if profiles is None else tuple(profiles),
    )


def test_read_line_usage_equals_the_table_recoded_on_shuffled_rows():
    shuffled = rows()
    np.random.default_rng(3).shuffle(shuffled)
    data = csv_bytes(shuffled)
    entities, profiles = ["lyon", "hq"], ["basic", "pro"]  # not the order the file shows them in
    the_spec = spec()
    table = read_usage_table(data, the_spec, shown="usage.csv", entities=entities, profiles=profiles, key=KEY)
    fast = read_line_usage(data, the_spec, shown="usage.csv", entities=entities, profiles=profiles, key=KEY)
    assert_same_line_usage(fast, recoded(table, the_spec, entities, profiles))
    assert fast.usage.shape == (5, 3, 3)
    assert fast.entities == ("lyon", "hq")
    # lines in order of first appearance, like the table's categories
    first_seen = list(dict.fromkeys(r[0] for r in shuffled))
    assert list(fast.line_ids) == list(pseudonymise(pd.Series(first_seen), KEY))


EXAMPLE = Path(__file__).resolve().parent.parent / "tenders" / "conseil-2027" / "usage.csv"
EXAMPLE_SPEC = UsageFileSpec(
    path="usage.csv",
    columns={"line": "msisdn", "entity": "cost_centre", "profile": "category", "month": "period",
             "voice_min": "voice_minutes", "sms": "sms_count", "data_gb": "data_mb",
             "roam_eu_data_gb": "roam_eu_data_mb", "roam_world_voice_min": "roam_world_voice_minutes",
             "roam_world_data_gb": "roam_world_data_mb"},
    units={"data_gb": "MB", "roam_eu_data_gb": "MB", "roam_world_data_gb": "MB"},
)
EXAMPLE_ENTITIES = ["paris", "lyon", "regions", "services"]
EXAMPLE_PROFILES = ["executives", "consultants", "standard", "field", "tablets"]


def example_bytes(order: str) -> bytes:
    header, *lines = EXAMPLE.read_bytes().decode().splitlines()
    if order == "by month":  # the shape of a monthly billing run: every line for January, then February…
        lines.sort(key=lambda ln: ln.split(",")[3])
    elif order == "shuffled":
        lines = list(np.random.default_rng(11).permutation(lines))
    return ("\n".join([header, *lines]) + "\n").encode()


@pytest.mark.parametrize("order", ["by line", "by month", "shuffled"])
def test_read_line_usage_in_small_chunks_and_slabs(monkeypatch, order):
    """Many chunks (pyarrow blocks of 4 kB), slabs of 64 lines, one chunk parsed ahead."""
    monkeypatch.setattr(arrow, "ARROW_BLOCK_BYTES", 4096)
    monkeypatch.setattr(grid, "SLAB_LINES", 64)
    monkeypatch.setattr(arrow, "PREFETCH", 1)
    data = example_bytes(order)
    args = dict(shown="usage.csv", entities=EXAMPLE_ENTITIES, profiles=EXAMPLE_PROFILES, key=KEY)
    fast = read_line_usage(data, EXAMPLE_SPEC, **args)
    table = read_usage_table(data, EXAMPLE_SPEC, **args)
    assert fast.usage.shape == (2000, 12, 6)
    assert_same_line_usage(fast, recoded(table, EXAMPLE_SPEC, EXAMPLE_ENTITIES, EXAMPLE_PROFILES))
    # and the same lines whatever the order of the rows
    by_line = read_line_usage(example_bytes("by line"), EXAMPLE_SPEC, **args)
    mine, theirs = np.argsort(fast.line_ids), np.argsort(by_line.line_ids)
    np.testing.assert_array_equal(fast.usage[mine], by_line.usage[theirs])
    np.testing.assert_array_equal(fast.entity[mine], by_line.entity[theirs])


def test_duplicates_and_missing_months_across_chunks_are_named(monkeypatch):
    monkeypatch.setattr(arrow, "ARROW_BLOCK_BYTES", 4096)
    monkeypatch.setattr(grid, "SLAB_LINES", 64)
    header, *lines = example_bytes("by month").decode().splitlines()
    dropped = lines.pop(5000)  # a line loses a month
    lines.append(lines[10])  # a row repeated 20,000 rows later, in another chunk
    data = ("\n".join([header, *lines]) + "\n").encode()
    args = dict(shown="usage.csv", entities=EXAMPLE_ENTITIES, profiles=EXAMPLE_PROFILES, key=KEY)
    with pytest.raises(TenderError) as slow:
        read_usage_table(data, EXAMPLE_SPEC, **args)
    with pytest.raises(TenderError) as fast:
        read_line_usage(data, EXAMPLE_SPEC, **args)
    assert fast.value.problems == slow.value.problems
    assert not [t for t in threading.enumerate() if t.name == "fleetbid-csv"], "the parsing thread is left running"
    duplicate, missing = fast.value.problems
    assert duplicate.field == f"row {len(lines) + 1}, column msisdn" and "(row 12)" in duplicate.message
    assert missing.field == "column period" and dropped.split(",")[3] in missing.message
    assert dropped.split(",")[0] not in str(fast.value)


def without_pyarrow(monkeypatch) -> None:
    monkeypatch.setattr(sources, "arrow_chunks", lambda *args: None)


def test_pandas_parser_reads_the_same(monkeypatch):
    data = example_bytes("shuffled")
    args = dict(shown="usage.csv", entities=EXAMPLE_ENTITIES, profiles=EXAMPLE_PROFILES, key=KEY)
    arrow_table, arrow_lines = read_usage_table(data, EXAMPLE_SPEC, **args), read_line_usage(data, EXAMPLE_SPEC, **args)
    without_pyarrow(monkeypatch)
    pd.testing.assert_frame_equal(read_usage_table(data, EXAMPLE_SPEC, **args), arrow_table)
    assert_same_line_usage(read_line_usage(data, EXAMPLE_SPEC, **args), arrow_lines)


def test_blank_lines_keep_row_numbers_with_either_parser(monkeypatch):
    data = rows()
    data[11][1] = "nice"  # row 13, or 15 after the two lines below

    def with_blank_lines(data: list[list[str]]) -> bytes:
        lines = csv_bytes(data).decode("utf-8").split("\n")
        lines.insert(3, "")  # an empty line: row 4
        lines.insert(5, ";;;;;;;")  # a row of empty cells: row 6
        return "\n".join(lines).encode("utf-8")

    found = problems(with_blank_lines(data))
    assert [p.field for p in found] == ["row 15, column cost_centre"]
    without_pyarrow(monkeypatch)
    assert problems(with_blank_lines(data)) == found
    pd.testing.assert_frame_equal(read(with_blank_lines(rows())), read(csv_bytes()))


def test_quoted_line_breaks_still_read():
    data = rows()
    data[2][7] = '"Forfait\nPro; ""max"""'  # a quoted cell with a line break, a delimiter, quotes
    data[4][7] = '"a;b;c"'
    table = read(csv_bytes(data))
    pd.testing.assert_frame_equal(table, read(csv_bytes()))
    assert_same_line_usage(read_lines(csv_bytes(data)), recoded(table, spec(), ENTITIES, PROFILES))


def test_ids_keep_leading_zeros_and_plus_signs_apart():
    ids = ["0611111111", "611111111", "+611111111", "00611111111", "ABC-1", "123456789012345678901"]
    data = [[ident, "hq", "pro", month, "60", "1,0", "1", "x"] for month in ("2026-01", "2026-02") for ident in ids]
    data[len(ids)][0] = " 0611111111 "  # the same line as 0611111111
    table = read(csv_bytes(data))
    assert table["line"].nunique() == 6
    assert list(table["line"]) == list(pseudonymise(pd.Series([r[0] for r in data]), KEY))
    lines = read_lines(csv_bytes(data))
    assert list(lines.line_ids) == list(pseudonymise(pd.Series(ids), KEY))


def test_phone_numbers_in_a_wrong_column_are_not_echoed():
    data = rows()
    data[0][1] = NUMBERS[0]  # the line number in the entity column
    data[1][2] = "06 22 22 22 22"
    data[2][5] = "+33 6 33 33 33 33"
    found = problems(csv_bytes(data))
    assert [p.field for p in found] == ["row 2, column cost_centre", "row 3, column category", "row 4, column data_mb"]
    for problem in found:
        assert "…" in problem.message
        assert not any(d in problem.message for d in ("22 22", "33 33", "1111"))


def test_any_valid_entity_and_profile_ids_can_be_discovered():
    the_spec = spec()
    shuffled = list(reversed(rows()))
    data = csv_bytes(shuffled)
    table = read_usage_table(data, the_spec, shown="usage.csv", entities=None, profiles=None, key=KEY, discover_ids=True)
    assert list(table["entity"].cat.categories) == ["hq", "lyon"]  # sorted, whatever the row order
    assert list(table["profile"].cat.categories) == ["basic", "pro"]
    lines = read_line_usage(data, the_spec, shown="usage.csv", entities=None, profiles=None, key=KEY, discover_ids=True)
    assert lines.entities == ("hq", "lyon") and lines.profiles == ("basic", "pro")
    assert_same_line_usage(lines, recoded(table, the_spec, ["hq", "lyon"], ["basic", "pro"]))
    bad = rows()
    bad[0][1] = "Paris HQ"
    bad[1][1] = "33612345678"
    with pytest.raises(TenderError) as info:
        read_line_usage(csv_bytes(bad), the_spec, shown="usage.csv", entities=None, profiles=None, key=KEY,
                        discover_ids=True)
    messages = {p.field: p.message for p in info.value.problems}
    assert "'Paris HQ' is not an id" in messages["row 2, column cost_centre"]
    assert "looks like a phone number" in messages["row 3, column cost_centre"]
    assert "33612345678" not in str(info.value)


def test_xlsx_through_the_per_line_reader():
    data = xlsx_twin()
    table = read(data, xlsx=True)
    assert_same_line_usage(read_lines(data, xlsx=True), recoded(table, spec(), ENTITIES, PROFILES))


# --------------------------------------------------------------------------- rows with the wrong number of cells


def _arrow_cannot_count(*args):
    raise arrow.ArrowGaveUp()


class CsvPath:
    def __init__(self, encoding: str | None = None):
        self.changes = {"encoding": encoding} if encoding else {}

    def data(self, data: bytes) -> bytes:
        return data.removeprefix(b"\xef\xbb\xbf").decode().encode(self.changes["encoding"]) if self.changes else data


@pytest.fixture(params=["pyarrow", "pandas", "csv module", "cp1252", "small blocks"])
def csv_path(request, monkeypatch) -> CsvPath:
    """Each way a CSV is read: pyarrow's reader (which refuses a ragged row, so pandas reads
    the file), pandas alone (no pyarrow), the cells counted by the csv module (pyarrow cannot
    tokenize), a Windows-1252 file (pandas only), pyarrow in blocks of 4 kB."""
    if request.param == "pandas":
        without_pyarrow(monkeypatch)
    elif request.param == "csv module":
        monkeypatch.setattr(ragged, "count_with_arrow", _arrow_cannot_count)
    elif request.param == "small blocks":
        monkeypatch.setattr(arrow, "ARROW_BLOCK_BYTES", 4096)
    return CsvPath("cp1252" if request.param == "cp1252" else None)


def example_problems(data: bytes, **changes) -> list:
    the_spec = EXAMPLE_SPEC.model_copy(update=changes) if changes else EXAMPLE_SPEC
    args = dict(shown="usage.csv", entities=EXAMPLE_ENTITIES, profiles=EXAMPLE_PROFILES, key=KEY)
    with pytest.raises(TenderError) as slow:
        read_usage_table(data, the_spec, **args)
    with pytest.raises(TenderError) as fast:
        read_line_usage(data, the_spec, **args)
    assert fast.value.problems == slow.value.problems
    assert not [t for t in threading.enumerate() if t.name == "fleetbid-csv"], "the parsing thread is left running"
    return [(p.field, p.message) for p in slow.value.problems]


DECIMAL_COMMAS = ("numbers look like decimal commas (945,4) in a file whose cells are separated by commas: quote "
                  "them (\"945,4\"), or export with a decimal point, or with ';' between the cells")


def test_a_row_with_a_cell_too_many_or_too_few_is_an_error_naming_it(csv_path):
    """Neither shifted (the cells after an extra one read in the wrong columns) nor padded
    (a missing cell read as empty): an error naming the row and both counts."""
    data = rows()
    data[1].insert(5, "7")  # row 3: 9 cells
    data[3].pop()  # row 5: 7 cells (the unmapped plan_name is missing)
    found = problems(csv_path.data(csv_bytes(data)), spec(**csv_path.changes))
    assert [(p.field, p.message) for p in found] == [
        ("row 3", "9 cells where the header has 8: an unquoted semicolon inside a cell?"),
        ("row 5", "7 cells where the header has 8: a cell is missing"),
    ]


def test_a_first_row_with_one_cell_too_many_does_not_shift_the_file(csv_path):
    """pandas takes the first column for an index when the first data row has one cell more
    than the header, shifting every column of every row."""
    data = rows()
    data[0].append("")
    found = problems(csv_path.data(csv_bytes(data)), spec(**csv_path.changes))
    assert [(p.field, p.message) for p in found] == [
        ("row 2", "9 cells where the header has 8: an unquoted semicolon inside a cell?")]


def test_an_unquoted_decimal_comma_is_named_not_shifted(csv_path):
    """The bundled export's first row with ``945,4`` for 945.4 minutes: read as it was, sms
    became 4 and data 0.05 GB instead of 50 and 13.05. Now an error, which says why."""
    data = example_bytes("by line")
    assert data.split(b"\n")[1].startswith(b"+33639986681,paris,executives,2026-01,945.4,50,13048.9,")
    found = example_problems(csv_path.data(data.replace(b"945.4", b"945,4", 1)), **csv_path.changes)
    assert found == [("(file)", DECIMAL_COMMAS),
                     ("row 2", "11 cells where the header has 10: an unquoted comma inside a cell?")]


def test_a_file_of_decimal_commas_says_so_and_stops_early(csv_path):
    data = example_bytes("by line").replace(b".", b",")  # every number with a decimal part
    start = time.perf_counter()
    found = example_problems(csv_path.data(data), **csv_path.changes)
    assert time.perf_counter() - start < 5  # the count stops past the rows shown (18 s otherwise)
    assert found[0] == ("(file)", DECIMAL_COMMAS)
    assert [f for f, _ in found[1:-1]] == [f"row {r}" for r in range(2, 2 + usage_file.MAX_PROBLEMS - 1)]
    assert found[-1] == ("(more)", "… and more rows whose cells do not match the header")
    assert len(found) == usage_file.MAX_PROBLEMS + 1


def test_a_ragged_row_after_the_first_chunks_is_named(monkeypatch):
    """pyarrow reads 4 kB blocks and has handed chunks on when it meets the row: the reader
    starts over and the row is named with its number in the file."""
    monkeypatch.setattr(arrow, "ARROW_BLOCK_BYTES", 4096)
    header, *lines = example_bytes("by month").decode().splitlines()
    lines[19_999] += ",x"  # row 20,001
    data = ("\n".join([header, *lines]) + "\n").encode()
    assert example_problems(data) == [("row 20001", "11 cells where the header has 10: an unquoted comma inside a "
                                                    "cell?")]


def test_cells_the_csv_module_cannot_count_are_not_read(monkeypatch):
    """Where pyarrow cannot tokenize and the csv module meets a cell over its 131,072-character
    limit, the cells cannot be counted: the file is refused, not read unchecked."""
    without_pyarrow(monkeypatch)
    monkeypatch.setattr(ragged, "count_with_arrow", _arrow_cannot_count)
    data = rows()
    data[2][7] = "x" * 200_000
    found = problems(csv_bytes(data))
    assert [(p.field, p.message) for p in found] == [
        ("(file)", "not a readable CSV file (a cell of over 131,072 characters)")]


def test_xlsx_rows_have_no_cell_count_to_check():
    sheet = xlsx_twin(I3="an extra cell")  # beyond the header's 8 columns
    pd.testing.assert_frame_equal(read(sheet, xlsx=True), read(csv_bytes()))


# --------------------------------------------------------------------------- absurd sizes


@pytest.mark.parametrize("cell", ["1e200", "1000000000001", "inf"])
def test_a_usage_over_the_models_maximum_is_refused(cell):
    """A usage the model would refuse as an amount (over 10¹²) is an error at the cell; a
    profile built on 1e200 used to crash (ZeroDivisionError)."""
    data = rows()
    data[0][6] = cell  # sms_count of row 2
    found = problems(csv_bytes(data))
    assert [p.field for p in found] == ["row 2, column sms_count"]
    if cell != "inf":
        assert found[0].message == (f"usage {float(cell):g} is over the maximum of 1,000,000,000,000 a line and month "
                                    "(10^12 in the tender's units): a mistyped cell, or the wrong unit?")
    data[0][6] = "1000000000000"  # 10¹² itself is allowed
    assert read(csv_bytes(data))["sms"].iloc[0] == 1e12


def test_the_maximum_holds_in_the_tenders_units():
    """Terabytes are read as 1000 GB each: the bound applies once converted."""
    data = rows()
    data[0][5] = "1000000000"  # 10⁹ TB = 10¹² GB: allowed
    data[1][5] = "1000000001"
    found = problems(csv_bytes(data), spec(units={"data_gb": "TB", "voice_min": "s"}))
    assert [p.field for p in found] == ["row 3, column data_mb"]
    assert "over the maximum of 1,000,000,000 a line and month" in found[0].message


def test_a_workbook_usage_over_the_maximum_is_refused():
    with pytest.raises(TenderError) as info:
        read(xlsx_twin(G2=1e200), xlsx=True)
    assert [p.field for p in info.value.problems] == ["row 2, column sms_count"]
    assert "over the maximum" in info.value.problems[0].message


def test_a_header_of_a_million_cells_is_refused_before_parsing():
    """pandas took 80-90 s over the header alone."""
    data = csv_bytes(header=HEADER + ";x" * 1_000_000)
    start = time.perf_counter()
    found = problems(data)
    assert time.perf_counter() - start < 2, "two reads (table and arrays): each well under a second"
    assert [(p.field, p.message) for p in found] == [
        ("(file)", "the header row has 1,000,008 cells, over the limit of 1,000 columns (FLEETBID_MAX_EXPORT_COLUMNS): "
                   "is this a billing export, with one column per field?")]


def test_the_header_width_limit_counts_cells_as_csv_reads_them(monkeypatch):
    monkeypatch.setattr(sources, "MAX_COLUMNS", 8)
    read(csv_bytes())  # 8 cells: at the limit
    quoted = HEADER.replace("plan_name", '"plan;name\nin two lines"')  # still 8 cells
    read(csv_bytes(header=quoted))
    found = problems(csv_bytes(header=HEADER + ";extra"))
    assert [p.message.split(",")[0] for p in found] == ["the header row has 9 cells"]
    found = problems(csv_bytes(header=HEADER + ";" + "h" * 200_000))
    assert [(p.field, p.message) for p in found] == [
        ("(file)", "not a readable CSV file (a header cell of over 131,072 characters)")]


def test_the_header_width_limit_is_configurable():
    code = "import scoring.usage_file as u; print(u.MAX_COLUMNS)"
    env = {**os.environ, "FLEETBID_MAX_EXPORT_COLUMNS": "5_000"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.strip() == "5000"


# --------------------------------------------------------------------------- the pseudonymisation key


@pytest.fixture
def no_key_env(monkeypatch, tmp_path):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return tmp_path / "config" / "fleetbid" / "pseudonym.key"


def test_key_from_the_environment_hex_or_text(monkeypatch, no_key_env):
    monkeypatch.setenv(KEY_ENV, "ab" * 32)
    assert pseudonym_key() == bytes.fromhex("ab" * 32)
    monkeypatch.setenv(KEY_ENV, "  correct horse battery staple\n")
    assert pseudonym_key() == b"correct horse battery staple"
    monkeypatch.setenv(KEY_ENV, "abcd" * 4)  # 16 hex digits: too short to be taken for hex, 16 bytes of text
    assert pseudonym_key() == b"abcd" * 4
    assert not no_key_env.exists(), "no key file when the environment gives the key"


@pytest.mark.parametrize("value, size", [("abcd", 4), ("x", 1), (" " + "k" * 15 + "\n", 15), ("é" * 7, 14)])
def test_a_short_key_from_the_environment_is_refused(monkeypatch, no_key_env, value, size):
    """The variable's key obeys the key file's minimum (MIN_KEY_BYTES once decoded: UTF-8
    bytes, so seven é are 14 bytes); the shortest hex key (32 digits) is 16 bytes."""
    monkeypatch.setenv(KEY_ENV, value)
    with pytest.raises(TenderError) as info:
        pseudonym_key()
    (problem,) = info.value.problems
    assert problem.field == KEY_ENV
    assert f"holds {size} bytes" in problem.message and f"minimum of {usage_file.MIN_KEY_BYTES}" in problem.message
    assert not no_key_env.exists()
    monkeypatch.setenv(KEY_ENV, "é" * 8)  # 16 bytes of text
    assert pseudonym_key() == "é".encode() * 8
    monkeypatch.setenv(KEY_ENV, "ab" * usage_file.MIN_KEY_BYTES)  # the shortest hex key
    assert pseudonym_key() == b"\xab" * usage_file.MIN_KEY_BYTES


def test_key_file_is_made_once_private_and_reused(no_key_env):
    assert key_file() == no_key_env
    first = pseudonym_key()
    assert len(first) == 32 and no_key_env.read_bytes() == first
    assert no_key_env.stat().st_mode & 0o777 == 0o600
    assert no_key_env.parent.stat().st_mode & 0o077 == 0
    assert pseudonym_key() == first  # stable: the same pseudonyms on this machine
    assert [p.name for p in no_key_env.parent.iterdir()] == ["pseudonym.key"]  # no temporary left


def test_key_file_defaults_to_dot_config(monkeypatch, tmp_path):
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert key_file() == tmp_path / ".config" / "fleetbid" / "pseudonym.key"
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")  # ignored, as the XDG spec says
    assert key_file() == tmp_path / ".config" / "fleetbid" / "pseudonym.key"


def test_a_short_key_file_is_refused(no_key_env):
    no_key_env.parent.mkdir(parents=True)
    no_key_env.write_bytes(b"short")
    with pytest.raises(TenderError) as info:
        pseudonym_key()
    (problem,) = info.value.problems
    assert problem.file == str(no_key_env) and "5 bytes" in problem.message
