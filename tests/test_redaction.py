"""No phone number in an error message, whatever separates its digits (issue 12, item 3).

Redaction is one function, `scoring.errors.redact`, applied when a `Problem` is made: to its
field and message, for every file (tender and bid YAML, Excel bids, billing exports, their
headers, scenarios). A phone number written with slashes, no-break or narrow no-break spaces
(French typography), underscores, double spaces, dashes, brackets or an international prefix
used to be echoed in full on stderr and in the app's error table. Checked here:

- `redact` on every form, and on what must stay readable (amounts, dates, limits, row
  numbers, pseudonyms);
- every form in every place a message quotes a value or a key, through the command line
  (stderr) and the app's functions (`ui.api.problems_frame`, the error table's frame);
- the app's error table itself (AppTest: an uploaded zip, the Tender page).

"No phone number" means: no 6 digits of it in a row, whatever is between them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from test_malformed import (
    AZUR,
    ERROR_LINE,
    SCENARIO,
    TENDER,
    USAGE,
    broken_copy,
    excel_bid,
    replace,
    set_row,
    usage_export,
    write,
    xlsx_bytes,
)

import scoring.usage_file as usage_file
from cli import scenarios as scenarios_cli
from cli import scoring as scoring_cli
from scenarios.overlay import apply, scenario_from_dict
from scoring import EXAMPLE_TENDER, errors
from scoring.archive import files_of_folder, zip_of
from scoring.errors import Problem, TenderError, has_phone_number, redact
from scoring.load import build_tender, load_tender, read_files
from scoring.quote import quote
from scoring.yamlio import parse_yaml_mapping
from ui.api import problems_frame

FORMS = {
    "digits": "0612345678",
    "spreadsheet": "612345678",  # a spreadsheet drops the leading 0
    "spreadsheet-float": "612345678.0",
    "spaces": "06 12 34 56 78",
    "international": "+33 6 12 34 56 78",
    "international-digits": "+33612345678",
    "00-prefix": "0033612345678",
    "trunk-zero": "+33 (0)6 12 34 56 78",
    "slashes": "06/12/34/56/78",
    "spaced-slashes": "06 / 12 / 34 / 56 / 78",
    "dots": "06.12.34.56.78",
    "dashes": "06-12-34-56-78",
    "en-dashes": "06\u201312\u201334\u201356\u201378",
    "em-dashes": "06\u201412\u201434\u201456\u201478",
    "no-break-spaces": "06\u00a012\u00a034\u00a056\u00a078",
    "narrow-no-break-spaces": "06\u202f12\u202f34\u202f56\u202f78",
    "thin-spaces": "06\u200912\u200934\u200956\u200978",
    "underscores": "06_12_34_56_78",
    "double-spaces": "06  12  34  56  78",
    "brackets": "(06) 12 34 56 78",
}
_ESCAPE = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})")  # as repr writes \xa0, \u202f


def leaked(text: str, form: str) -> list[str]:
    """The 6-digit pieces of the number ``form`` that ``text`` shows, reading digits across
    anything but letters (and across the escapes repr writes for unusual spaces)."""
    digits = re.sub(r"\D", "", form)
    pieces = {digits[i : i + 6] for i in range(len(digits) - 5)}
    runs = ["".join(re.findall(r"\d", run)) for run in re.findall(r"\d(?:[^A-Za-z\d]*\d)*", _ESCAPE.sub(" ", text))]
    return sorted(p for p in pieces if any(p in run for run in runs))


# --------------------------------------------------------------------------- the rule


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
def test_every_form_is_redacted_in_any_context(form):
    for text in (form, f"got {form!r}", f"unknown entity {form!r}; known: siege", f"x{form}y", f"({form})",
                 f"row 3, column msisdn: {form} and {form}", str([form]), repr(form)):
        shown = redact(text)
        assert not leaked(shown, form), (text, shown)
        assert has_phone_number(text)
        assert redact(shown) == shown  # idempotent


@pytest.mark.parametrize("text", [
    "Input should be less than or equal to 1000000000000 (got 1e+308)",  # a limit: a round number
    "less than or equal to 10000000",
    "'2027-02-30' is not a valid date",
    "months run from 2026-01 to 2036-12: over the 120-month limit",
    "2150325.47 is the TCO",  # a decimal: the digits before its point count
    "stable to 99.99999998696148",
    "1.2345678901234567e+20",
    "1 234 567 € and 12 345 678 €",  # up to 8 digits, however written
    "4,294,967,296 bytes: over the 536,870,912-byte limit",  # commas end a run
    "row 12345678, column data_mb",
    "line L-0123456789abcdef already has a row for 2026-01 (row 5)",  # a pseudonym
    "rows 2, 3, 4, 5, 6, 7, 8, 9, 10 and 11",
    "10:30:00 on 2026-01-15",
])
def test_what_is_not_a_phone_number_stays_readable(text):
    assert redact(text) == text
    assert not has_phone_number(text)


def test_a_value_cut_short_never_leaves_part_of_a_number():
    """A quoted value is cut at `scoring.quote.MAX_QUOTED` characters: the cut may fall inside a
    number, whose first digits then touch the "…"."""
    for form in FORMS.values():
        for pad in range(70, 84):
            text = f"got {quote('x' * pad + form)}"
            assert not leaked(redact(text), form), (pad, text, redact(text))


def test_problems_redact_field_and_message_not_the_file():
    problem = Problem("bids/export-20260115123000.yaml", "offer.06 12 34 56 78", "unknown profile '06/12/34/56/78'")
    assert problem.file == "bids/export-20260115123000.yaml"
    assert problem.field == "offer.…" and problem.message == "unknown profile '…'"
    error = TenderError.at("t.yaml", "+33612345678", "got 0033612345678")
    assert str(error) == "t.yaml: …: got …"


def test_problems_are_one_bounded_line():
    """The net under every message (asked by the bids helper, issue 12 items 7 and 12):
    control characters escaped — an ANSI sequence in a name erased the terminal's row above —
    and file, field and message cut at 300, 200 and 1,000 characters, after the redaction."""
    problem = Problem("bids/\x1b[1A\x1b[2Kx.yaml", "operator\tname", "line one\nline two \x9b")
    assert str(problem) == "bids/\\x1b[1A\\x1b[2Kx.yaml: operator\\x09name: line one\\x0aline two \\x9b"
    assert "\n" not in str(TenderError([problem, problem])).split("\n")[0]
    long = Problem("f" * 400, "g" * 400, "m" * 5000)
    assert (len(long.file), len(long.field), len(long.message)) == (errors.MAX_FILE, errors.MAX_FIELD,
                                                                    errors.MAX_MESSAGE)
    assert long.message.endswith("m…") and long.field.endswith("g…")
    for form in FORMS.values():
        for at in range(990, 1001):  # a number across the cut is hidden first, never cut in two
            cut = Problem("f", "g", "m" * at + form + " end").message
            assert len(cut) <= errors.MAX_MESSAGE and not leaked(cut, form), (at, form, cut[-30:])
        separated = Problem("f", "g", f"got {form.replace(' ', chr(10))!r} and {form.replace(' ', chr(9))}")
        assert not leaked(separated.message, form), separated.message
    for made in (problem, long, Problem("f", "", "got '06 12 34 56 78'")):
        assert Problem(made.file, made.field, made.message) == made  # made again: the same


def test_the_export_reader_uses_the_one_rule():
    assert not hasattr(usage_file, "_redact") and not hasattr(usage_file, "_PHONE_LIKE")
    assert usage_file.redact is errors.redact and usage_file.has_phone_number is errors.has_phone_number


# --------------------------------------------------------------------------- through the command line and the app


def _yaml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


PLACES = {
    # place: (breaker for a form, the command: evaluate or compare)
    "tender-value": lambda f: replace(TENDER, "term_months: 36", f"term_months: {_yaml(f)}"),
    "tender-choice": lambda f: replace(TENDER, "basis: tco,", f"basis: {_yaml(f)},"),
    "tender-key": lambda f: replace(TENDER, "{siege: 120, depots: 30}", "{siege: 120, depots: 30, " + _yaml(f) + ": 3}"),
    "bid-value": lambda f: replace(AZUR, "offer: {cadres: pro,", "offer: {cadres: " + _yaml(f) + ","),
    "bid-key": lambda f: replace(AZUR, "offer: {cadres: pro,", "offer: {" + _yaml(f) + ": pro, cadres: pro,"),
    "excel-bid-cell": lambda f: excel_bid(lambda: xlsx_bytes(Plans_C2=f)),
    "export-cell": lambda f: usage_export(set_row(3, ",siege,", f",{f},")),
    "export-header": lambda f: usage_export(set_row(1, "category", f)),
    "scenario-value": lambda f: write(SCENARIO, f"name: x\nset: {{term_months: {_yaml(f)}}}\n"),
    "scenario-key": lambda f: write(SCENARIO, "name: x\nbids: {" + _yaml(f) + ": {fees: {setup: 0}}}\n"),
}


def _problems_in_the_app(folder: Path, place: str) -> list[str]:
    """The error table's rows (ui.api.problems_frame) for the same files, as the app builds
    them: the tender read from memory as an upload; a scenario applied to the tender."""
    try:
        if place.startswith("scenario"):
            scenario = parse_yaml_mapping((folder / SCENARIO).read_bytes(), SCENARIO)
            apply(load_tender(folder), scenario_from_dict(scenario, SCENARIO))
        else:
            build_tender(read_files("upload", files_of_folder(folder)))
    except TenderError as exc:
        table = problems_frame(exc)
        return [f"{row.field}: {row.problem}" for row in table.itertuples()]
    raise AssertionError("no error")


@pytest.mark.parametrize("form", FORMS.values(), ids=FORMS.keys())
@pytest.mark.parametrize("place", PLACES)
def test_no_phone_number_on_stderr_or_in_the_error_table(tmp_path, capsys, place, form):
    folder = broken_copy(tmp_path, PLACES[place](form))
    if place.startswith("scenario"):
        code = scenarios_cli.main(["compare", str(folder), str(folder / SCENARIO)])
    else:
        code = scoring_cli.main(["evaluate", str(folder)])
    out, err = capsys.readouterr()
    assert code == 2 and out == "", err
    expected = {"excel-bid-cell": "azur.xlsx", "export-cell": USAGE, "export-header": USAGE}.get(
        place, SCENARIO if place.startswith("scenario") else TENDER if place.startswith("tender") else AZUR)
    shown = []
    for line in err.splitlines():
        match = ERROR_LINE.fullmatch(line)
        assert match, line
        shown.append(f"{match['field']}: {match['message']}")  # the file is the test's own path
    assert any(line.startswith("error: ") and expected in line.split(": ")[1] for line in err.splitlines()), err
    assert any("…" in line for line in shown), err  # the value was quoted, and hidden
    for line in shown:
        assert not leaked(line, form), line
    for row in _problems_in_the_app(folder, place):
        assert not leaked(row, form), row


def _tender_page() -> None:
    from ui import tender_page

    tender_page.render()


def _error_table_of_upload(data: bytes) -> list[str]:
    at = AppTest.from_function(_tender_page, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.file_uploader(key="upload").set_value(("t.zip", data, "application/zip")).run()
    assert not at.exception, at.exception
    errors = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    return [" | ".join(map(str, row)) for row in errors.itertuples(index=False)]


def test_the_app_error_table_shows_no_phone_number_in_an_export():
    """The bundled example uploaded with one row per form in its export's entity column."""
    files = files_of_folder(EXAMPLE_TENDER)
    rows = files["usage.csv"].decode().split("\n")
    for i, form in enumerate(FORMS.values(), start=1):
        cells = rows[i].split(",")
        cells[1] = form
        rows[i] = ",".join(cells)
    files["usage.csv"] = "\n".join(rows).encode()
    table = _error_table_of_upload(zip_of(files, "conseil"))
    assert len(table) == len(FORMS), table
    for row, form in zip(table, FORMS.values()):
        assert "unknown entity '" in row and "…" in row and not leaked(row, form), row


def test_the_app_error_table_shows_no_phone_number_in_a_bid(tmp_path):
    """The sample tender uploaded with a bid offering plans to profiles named by every form."""
    keys = ", ".join(f"{_yaml(form)}: pro" for form in FORMS.values())
    folder = broken_copy(tmp_path, replace(AZUR, "offer: {cadres: pro,", "offer: {" + keys + ", cadres: pro,"))
    table = _error_table_of_upload(zip_of(files_of_folder(folder), "sample"))
    assert len(table) == len(FORMS), table
    for row, form in zip(table, FORMS.values()):
        assert "unknown profile '" in row and "…" in row and not leaked(row, form), row
