"""A billing export's shape, end to end (issue 12, items 2 and 12): rows with a cell too many
or too few, decimal commas in a comma-separated file, absurd usage and absurd header widths
— on the command line (`python -m scoring …`, one `error: FILE: FIELD: MESSAGE` line each,
exit 2), through an uploaded zip, and in the app's error table.

The reader itself (every parser path: pyarrow, pandas, the csv module, Windows-1252, small
blocks) is tested in tests/test_usage_file.py; the sample tender and its breakers come from
tests/test_malformed.py.
"""

from __future__ import annotations

import time

from test_malformed import (
    ERROR_LINE,
    USAGE,
    USAGE_HEADER,
    Bad,
    assert_clean_rejection,
    broken_copy,
    run_in_process,
    run_subprocess,
    set_row,
    usage_export,
)

from cli import scoring as scoring_cli
from scoring import EXAMPLE_TENDER
from scoring.archive import files_from_zip, files_of_folder, zip_of
from scoring.errors import TenderError
from scoring.load import build_tender, read_files

from conftest import app_test

DECIMAL_COMMAS = ("numbers look like decimal commas (5000,4) in a file whose cells are separated by commas: quote "
                  "them (\"5000,4\"), or export with a decimal point, or with ';' between the cells")


def cli_errors(capsys, tmp_path, breaker, argv=("evaluate",), case: Bad | None = None) -> list[tuple[str, str, str]]:
    """(file, field, message) of each error line of ``python -m scoring ARGV FOLDER``, in process."""
    folder = broken_copy(tmp_path, breaker)
    case = case or Bad("x", breaker, USAGE, "")
    args = [*argv, str(folder)] if argv[0] == "evaluate" else [*argv, "--tender", str(folder)]
    code = scoring_cli.main(args)
    out, err = capsys.readouterr()
    assert_clean_rejection(case, code, out, err)
    return [(m["file"].removeprefix(f"{folder}/"), m["field"], m["message"])
            for m in map(ERROR_LINE.fullmatch, err.splitlines())]


def upload_errors(tmp_path, breaker) -> list[tuple[str, str, str]]:
    """The same tender zipped and read as the app reads an upload (`files_from_zip`,
    `read_files`, `build_tender`): (file inside the tender, field, message)."""
    folder = broken_copy(tmp_path / "zipped", breaker)
    files = files_from_zip(zip_of(files_of_folder(folder), "t"), "t.zip")
    try:
        build_tender(read_files("upload", files))
    except TenderError as exc:
        return [(p.file.removeprefix("upload/"), p.field, p.message) for p in exc.problems]
    raise AssertionError("the upload was accepted")


def test_a_decimal_comma_is_an_error_naming_the_row_not_a_shifted_row(tmp_path, capsys):
    """Row 3's data_mb written 5000,4: every later cell would move one column (it used to
    give an evaluation, exit 0)."""
    breaker = usage_export(set_row(3, ",5000", ",5000,4"))
    expected = [(USAGE, "(file)", DECIMAL_COMMAS),
                (USAGE, "row 3", "8 cells where the header has 7: an unquoted comma inside a cell?")]
    assert cli_errors(capsys, tmp_path, breaker) == expected
    assert upload_errors(tmp_path, breaker) == expected


def test_an_export_of_decimal_commas_is_refused_not_knocked_out(tmp_path, capsys):
    """Every row with a decimal comma knocked every bid out, exit 0, no error."""

    def decimal_commas(rows: list[str]) -> None:
        rows[1:] = [row + ",4" for row in rows[1:]]

    found = cli_errors(capsys, tmp_path, usage_export(decimal_commas))
    assert found[0] == (USAGE, "(file)", DECIMAL_COMMAS)
    assert [f for _, f, _ in found[1:]] == [f"row {r}" for r in range(2, 14)]


def test_a_short_row_is_an_error_through_the_real_entry_point(tmp_path):
    breaker = usage_export(set_row(4, ",5000", ""))
    case = Bad("usage-short-row", breaker, USAGE, "row 4", ("6 cells where the header has 7", "a cell is missing"))
    assert_clean_rejection(case, *run_subprocess(case, broken_copy(tmp_path, breaker)))


def test_absurd_usage_is_refused_before_the_profile_builder(tmp_path, capsys):
    """`python -m scoring profiles` on an export with a usage of 1e200: the builder raised
    ZeroDivisionError (a traceback); the cell is now an error."""
    breaker = usage_export(set_row(3, ",300,10,", ",300,1e200,"))
    assert cli_errors(capsys, tmp_path, breaker, ("profiles",)) == [
        (USAGE, "row 3, column sms", "usage 1e+200 is over the maximum of 1,000,000,000,000 a line and month "
                                     "(10^12 in the tender's units): a mistyped cell, or the wrong unit?")]


def test_a_header_of_a_million_columns_is_refused_at_once(tmp_path, capsys):
    """It took pandas 80-90 s to read such a header."""

    def wide(rows: list[str]) -> None:
        rows[0] = USAGE_HEADER + ",x" * 1_000_000

    start = time.perf_counter()
    found = cli_errors(capsys, tmp_path, usage_export(wide))
    assert time.perf_counter() - start < 10  # the tender is loaded and checked too; the export read ~0.1 s
    assert found == [(USAGE, "(file)", "the header row has 1,000,007 cells, over the limit of 1,000 columns "
                                       "(FLEETBID_MAX_EXPORT_COLUMNS): is this a billing export, with one column "
                                       "per field?")]


def test_the_app_error_table_names_a_decimal_comma_in_an_uploaded_zip():
    """The bundled example's export with 945,4 for 945.4 minutes in its first row, uploaded
    as a zip on the Tender page."""
    files = files_of_folder(EXAMPLE_TENDER)
    assert files["usage.csv"].count(b",945.4,") == 1
    files["usage.csv"] = files["usage.csv"].replace(b",945.4,", b",945,4,")
    at = app_test()
    at.file_uploader(key="upload").set_value(("conseil.zip", zip_of(files, "conseil"), "application/zip")).run()
    assert not at.exception, at.exception
    errors = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert list(zip(errors["file"], errors["field"], errors["problem"])) == [
        ("conseil/usage.csv", "(file)", DECIMAL_COMMAS.replace("5000,4", "945,4")),
        ("conseil/usage.csv", "row 2", "11 cells where the header has 10: an unquoted comma inside a cell?"),
    ]


def test_an_extra_text_cell_is_not_taken_for_a_decimal_comma(tmp_path, capsys):
    """Joining two cells of digits would leave a date in a usage column: no decimal-comma
    hint, only the row. Through the corpus' own in-process runner."""
    case = Bad("usage-extra-cell", usage_export(set_row(2, ",siege,", ",siege,x,")), USAGE, "row 2",
               ("8 cells where the header has 7",))
    code, out, err = run_in_process(capsys, case, broken_copy(tmp_path, case.breaker))
    assert_clean_rejection(case, code, out, err)
    assert len(err.splitlines()) == 1, err
