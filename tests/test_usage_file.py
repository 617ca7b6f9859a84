"""The billing export (scoring/usage_file.py): reading, units, errors, pseudonyms, arrays."""

from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from pydantic import ValidationError

from scoring.errors import TenderError
from scoring.load import pydantic_problems
from scoring.usage_file import (
    LineUsage,
    UsageFileSpec,
    line_usage,
    pseudonymise,
    read_usage_table,
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


def problems(data: bytes, the_spec: UsageFileSpec | None = None) -> list:
    with pytest.raises(TenderError) as info:
        read(data, the_spec)
    for problem in info.value.problems:
        assert problem.file == "usage.csv"
        for number in NUMBERS:
            assert number not in str(problem), "a raw line number leaked into an error"
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
    assert found[-1].field == "" and found[-1].message.startswith("… and ")


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


def test_xlsx_equals_its_csv_twin():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    for r in rows():
        sheet.append([r[0], r[1], r[2], r[3], int(r[4]), float(r[5].replace(",", ".")), int(r[6]), r[7]])
    buffer = io.BytesIO()
    book.save(buffer)
    from_xlsx = read(buffer.getvalue(), xlsx=True)
    pd.testing.assert_frame_equal(from_xlsx, read(csv_bytes()))


def test_xlsx_errors_name_row_and_column():
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    for r in rows():
        sheet.append([r[0], r[1], r[2], r[3], int(r[4]), float(r[5].replace(",", ".")), int(r[6]), r[7]])
    sheet["F4"] = "lots"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(TenderError) as info:
        read(buffer.getvalue(), xlsx=True)
    assert [(p.field, p.message) for p in info.value.problems] == [("row 4, column data_mb", "'lots' is not a number")]
