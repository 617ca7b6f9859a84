"""A corpus of malformed input: every defect is one clean error line, never a traceback.

Each case copies the conformance sample (tests/data/c1-sample, a valid tender) into
tmp_path and breaks one thing — in tender.yaml, a bid, evaluations.yaml, consensus.yaml, a
scenario file, an Excel bid or a billing export — then runs the command line on it, as a
user would. A rejected case must

- exit with status 2, print nothing on stdout and no "Traceback" on stderr;
- print only lines of the form ``error: FILE: FIELD: MESSAGE`` (cli/scoring.py prints each
  `Problem` of the `TenderError` that way; a problem with a whole file names the field
  ``(top level)``, ``(workbook)`` for an Excel bid);
- name the file that holds the defect and the field (a substring of both is asserted).

Files saved by ordinary editors — a UTF-8 byte-order mark, Windows CRLF line ends — must be
accepted and evaluate exactly like the original.

Most cases run the CLI in-process (`cli.scoring.main` / `cli.scenarios.main` return 2 and
print to stderr) for speed; a few representative ones run it in a subprocess too. A few cases
check that the app shows the same problems in its error table. Cases marked xfail are known
defects in files this suite's author may not change; each reason says what the fix is.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import openpyxl
import pytest

import scoring.usage_file
from cli import scenarios as scenarios_cli
from cli import scoring as scoring_cli

from conftest import DATA, ROOT

SAMPLE = DATA / "c1-sample"
TENDER = "tender.yaml"
AZUR = "bids/azur.yaml"
BOREAL = "bids/boreal.yaml"
COBALT = "bids/cobalt.yaml"
EVALS = "evaluations.yaml"
CONSENSUS = "consensus.yaml"
SCENARIO = "what-if.yaml"  # written in the tender folder; `python -m scenarios compare DIR DIR/what-if.yaml`
XLSX = "bids/azur.xlsx"  # azur's bid as a filled Excel schedule (its YAML twin removed)
USAGE = "usage.csv"

# One error line: FILE has no ": " (tmp paths do not), FIELD has no colon, MESSAGE is the rest.
# The longest error line expected: an input value is quoted in 80 characters at most.
MAX_LINE = 600
ERROR_LINE = re.compile(r"error: (?P<file>[^:]+?): (?P<field>[^:]+?): (?P<message>.+)")

Break = Callable[[Path], None]


# --------------------------------------------------------------------------- ways to break a file


def replace(rel: str, old: str | bytes, new: str | bytes, count: int = 1) -> Break:
    """Replace text in a file; the text must be there (the case would test nothing otherwise)."""
    old_b = old.encode() if isinstance(old, str) else old
    new_b = new.encode() if isinstance(new, str) else new

    def breaker(folder: Path) -> None:
        path = folder / rel
        data = path.read_bytes()
        assert old_b in data, f"{old_b!r} is not in {rel}"
        path.write_bytes(data.replace(old_b, new_b, count))

    return breaker


def write(rel: str, content: str | bytes) -> Break:
    def breaker(folder: Path) -> None:
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(content.encode() if isinstance(content, str) else content)

    return breaker


def transform(rel: str, how: Callable[[bytes], bytes]) -> Break:
    def breaker(folder: Path) -> None:
        path = folder / rel
        path.write_bytes(how(path.read_bytes()))

    return breaker


def both(*breakers: Break) -> Break:
    def breaker(folder: Path) -> None:
        for b in breakers:
            b(folder)

    return breaker


def latin1(data: bytes) -> bytes:
    return data.decode("utf-8").encode("latin-1")


def windows1252(data: bytes) -> bytes:
    return data.decode("utf-8").encode("cp1252")


def utf16(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16")  # with its byte-order mark, as Windows saves it


def bom(data: bytes) -> bytes:
    return b"\xef\xbb\xbf" + data


def crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


# ---- Excel bids


@cache
def _azur_xlsx() -> bytes:
    from scoring.excel import tender_for, write_bid_xlsx
    from scoring.load import strip_nulls
    from scoring.yamlio import read_yaml_mapping

    buffer = io.BytesIO()
    write_bid_xlsx(strip_nulls(read_yaml_mapping(SAMPLE / AZUR, AZUR)), tender_for(SAMPLE), buffer)
    return buffer.getvalue()


def xlsx_bytes(**cells) -> bytes:
    """azur's schedule with cells changed: ``Plans_C2="text"`` sets Plans!C2;
    ``drop_sheet="Offer"`` deletes a sheet."""
    wb = openpyxl.load_workbook(io.BytesIO(_azur_xlsx()))
    if "drop_sheet" in cells:
        del wb[cells.pop("drop_sheet")]
    for key, value in cells.items():
        sheet, cell = key.rsplit("_", 1)
        wb[sheet][cell] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def excel_bid(content: bytes | Callable[[], bytes], name: str = XLSX) -> Break:
    """azur's YAML bid replaced by an Excel one."""

    def breaker(folder: Path) -> None:
        (folder / AZUR).unlink()
        (folder / name).write_bytes(content() if callable(content) else content)

    return breaker



def rename(rel: str, new: str) -> Break:
    def breaker(folder: Path) -> None:
        (folder / rel).rename(folder / new)

    return breaker


def xlsx_edited(edit: Callable[[openpyxl.Workbook], None]) -> bytes:
    """azur's schedule changed by ``edit`` (a function of the openpyxl workbook)."""
    wb = openpyxl.load_workbook(io.BytesIO(_azur_xlsx()))
    edit(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _second_fee_column(wb) -> None:
    """A second "Monthly fee" column at the right of Plans, 0.01 on every plan."""
    ws = wb["Plans"]
    col = ws.max_column + 1
    ws.cell(row=1, column=col, value="Monthly fee (EUR/line/month, excl. VAT)")
    for row in range(2, 5):
        ws.cell(row=row, column=col, value=0.01)


def _second_fee_column_named(header: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb) -> None:
        ws = wb["Plans"]
        col = ws.max_column + 1
        ws.cell(row=1, column=col, value=header)
        ws.cell(row=2, column=col, value=0.01)

    return edit


def _format(sheet: str, cell: str, number_format: str) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb) -> None:
        wb[sheet][cell].number_format = number_format

    return edit


def _hidden_plans_and_a_decoy(state: str) -> Callable[[openpyxl.Workbook], None]:
    """The real Plans sheet hidden; a visible copy beside it shows other fees."""

    def edit(wb) -> None:
        decoy = wb.copy_worksheet(wb["Plans"])
        decoy.title = "Plans (prices)"
        decoy["C2"] = 99
        wb["Plans"].sheet_state = state
        wb.active = wb.sheetnames.index("Bid")

    return edit


def _hidden(sheet: str, column: str | None = None, row: int | None = None) -> Callable[[openpyxl.Workbook], None]:
    def edit(wb) -> None:
        if column:
            wb[sheet].column_dimensions[column].hidden = True
        if row:
            wb[sheet].row_dimensions[row].hidden = True

    return edit


# A bid whose offer for cadres is a list of !!pairs tuples that aliases expand: LEVELS levels
# of ten. The size guard used to walk mappings and lists only, and the error message
# quoted the whole expanded value.
def pairs_bomb(levels: int) -> str:
    lines = ["operator: Cobalt Networks", "plans:", "  - {id: all, monthly_fee: 17.9}", "service:",
             "  l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, levels):
        items = ", ".join(f"{{k: *l{level - 1}}}" for _ in range(10))
        lines.append(f"  l{level}: &l{level} !!pairs [{items}]")
    lines.append(f"offer: {{cadres: *l{levels - 1}, terrain: all, tablettes: all}}")
    return "\n".join(lines) + "\n"


# ---- billing exports (usage_file)

USAGE_BLOCK = """
usage_file:
  path: usage.csv
  columns: {line: msisdn, entity: cost_centre, profile: category, month: period,
            voice_min: voice, sms: sms, data_gb: data_mb}
  units: {data_gb: MB}
"""
USAGE_HEADER = "msisdn,cost_centre,category,period,voice,sms,data_mb"


def usage_rows() -> list[str]:
    """Four lines × three months: rows 2-4 are line 0600000000 (siege, cadres)."""
    rows = [USAGE_HEADER]
    cells = [("cadres", "siege"), ("cadres", "depots"), ("terrain", "depots"), ("tablettes", "siege")]
    for i, (profile, entity) in enumerate(cells):
        for month in ("2026-01", "2026-02", "2026-03"):
            rows.append(f"06000000{i:02d},{entity},{profile},{month},{300 + i},{10 + i},{5000 + 100 * i}")
    return rows


def usage_export(edit: Callable[[list[str]], object] | None = None, content: bytes | None = None) -> Break:
    """tender.yaml gets a usage_file block and the folder a small valid export, then the
    export is edited (a function of its rows) or replaced."""

    def breaker(folder: Path) -> None:
        with (folder / TENDER).open("a", encoding="utf-8") as f:
            f.write(USAGE_BLOCK)
        rows = usage_rows()
        if edit is not None:
            edit(rows)
        data = content if content is not None else ("\n".join(rows) + "\n").encode()
        (folder / USAGE).write_bytes(data)

    return breaker


def set_row(i: int, old: str, new: str) -> Callable[[list[str]], None]:
    def edit(rows: list[str]) -> None:
        assert old in rows[i - 1], (old, rows[i - 1])
        rows[i - 1] = rows[i - 1].replace(old, new, 1)

    return edit


# --------------------------------------------------------------------------- the cases


@dataclass(frozen=True)
class Bad:
    """One malformed input: how to break the sample, and the file and field the error names."""

    id: str
    breaker: Break
    file: str  # the FILE of some error line ends with this
    field: str  # ... and its FIELD contains this
    words: tuple[str, ...] = ()  # ... and its MESSAGE contains these (case-insensitive)
    command: str = "evaluate"  # or "compare": `python -m scenarios compare DIR DIR/what-if.yaml`
    json: bool = False  # run `evaluate --json` (some defects only show when the JSON is written)


def bad(id, breaker, file, field, *words, command="evaluate", json=False, xfail=None):
    case = Bad(id, breaker, file, field, tuple(words), command, json)
    return pytest.param(case, id=id, marks=[pytest.mark.xfail(strict=True, reason=xfail)] if xfail else [])


NOT_A_MAPPING = "expected a mapping"

BAD = [
    # ---- tender.yaml: wrong types, missing and unknown fields
    bad("tender-term-quoted", replace(TENDER, "term_months: 36", 'term_months: "36"'), TENDER, "term_months",
        "integer"),
    bad("tender-term-missing", replace(TENDER, "term_months: 36\n", ""), TENDER, "term_months", "missing"),
    bad("tender-term-1e3-is-text-in-yaml-1.1", replace(TENDER, "term_months: 36", "term_months: 1e3"), TENDER,
        "term_months", "'1e3'"),
    bad("tender-term-10^9-months", replace(TENDER, "term_months: 36", "term_months: 1000000000"), TENDER,
        "term_months", "1200"),
    bad("tender-unknown-field", replace(TENDER, "currency: EUR\n", "currency: EUR\ncurency: EUR\n"), TENDER,
        "curency", "unknown field"),
    bad("tender-incumbent-NO-reads-false", replace(TENDER, "incumbent: azur", "incumbent: NO"), TENDER,
        "incumbent", "False"),
    bad("tender-entity-id-octal-0755", replace(TENDER, "{id: siege,", "{id: 0755,"), TENDER, "entities.0.id",
        "493"),
    bad("tender-name-is-a-date", replace(TENDER, "name: Conformance sample — regional logistics fleet",
                                         "name: 2027-01-15"), TENDER, "name", "quotes"),
    bad("tender-on-key", replace(TENDER, "currency: EUR\n", "currency: EUR\non: true\n"), TENDER,
        "line 4, column 1", "'on'", "quote"),
    bad("tender-duplicate-key", replace(TENDER, "currency: EUR\n", "currency: EUR\ncurrency: USD\n"), TENDER,
        "line 4, column 1", "duplicate key 'currency'"),
    bad("tender-lines-nan", replace(TENDER, "{siege: 120, depots: 30}", "{siege: .nan, depots: 30}"), TENDER,
        "profiles.0.lines.siege", "finite"),
    bad("tender-lines-inf", replace(TENDER, "{siege: 0, depots: 420}", "{siege: 0, depots: .inf}"), TENDER,
        "profiles.1.lines.depots", "finite"),
    bad("tender-lines-negative", replace(TENDER, "{siege: 120, depots: 30}", "{siege: -120, depots: 30}"), TENDER,
        "profiles.0.lines.siege", "greater than or equal to 0"),
    bad("tender-lines-10^12", replace(TENDER, "{siege: 120, depots: 30}", "{siege: 1000000000000, depots: 30}"),
        TENDER, "profiles.0.lines.siege", "less than or equal to 10000000"),
    bad("tender-usage-400-digits", replace(TENDER, "usage: {data_gb: 6}", "usage: {data_gb: " + "9" * 400 + "}"),
        TENDER, "profiles.2.usage.data_gb", "finite", "400 digits"),
    bad("tender-usage-list-for-mapping", replace(TENDER, "usage: {data_gb: 6}", "usage: [6]"), TENDER,
        "profiles.2.usage", "dictionary"),
    bad("tender-weight-inf", replace(TENDER, "price: {weight: 55,", "price: {weight: .inf,"), TENDER,
        "evaluation.price.weight", "finite"),
    bad("tender-award-date-2027-02-30", replace(TENDER, "award_date: 2027-01-15", "award_date: 2027-02-30"),
        TENDER, "line 7, column 13", "'2027-02-30' is not a valid date"),
    bad("tender-refresh-months-zero", replace(TENDER, "refresh_months: 36}", "refresh_months: 0}"), TENDER,
        "profiles.0.device.refresh_months", "greater than 0"),
    bad("tender-scalar-document", write(TENDER, "42\n"), TENDER, "(top level)", NOT_A_MAPPING, "int"),
    bad("tender-list-document", write(TENDER, "- name: x\n- term_months: 36\n"), TENDER, "(top level)",
        NOT_A_MAPPING, "list"),
    bad("tender-empty", write(TENDER, ""), TENDER, "(top level)", "empty"),
    bad("tender-only-a-comment", write(TENDER, "# tender to be written\n"), TENDER, "(top level)", "empty"),
    bad("tender-windows-1252", transform(TENDER, windows1252), TENDER, "line 1, column 26", "not UTF-8", "0x97"),
    bad("tender-utf-16", transform(TENDER, utf16), TENDER, "line 1, column 1", "UTF-16"),
    bad("tender-tab-indentation", replace(TENDER, "  - id: terrain", "\t- id: terrain"), TENDER, "line 18",
        "YAML error"),
    bad("tender-alias-loop", replace(TENDER, "currency: EUR\n", "currency: EUR\nloop: &a [*a]\n"), TENDER,
        "(top level)", "alias"),
    bad("tender-yaml-missing", lambda folder: (folder / TENDER).unlink(), TENDER, "(file)", "missing"),
    # ---- bids: wrong types, unknown ids, YAML 1.1 surprises
    bad("bids-folder-empty", lambda folder: [p.unlink() for p in (folder / "bids").iterdir()], "bids", "(folder)",
        "no bid files"),
    bad("bid-fee-1e3-is-text-in-yaml-1.1", replace(AZUR, "monthly_fee: 24,", "monthly_fee: 1e3,"), AZUR,
        "plans.0.monthly_fee", "'1e3'"),
    bad("bid-fee-nan", replace(AZUR, "monthly_fee: 24,", "monthly_fee: .nan,"), AZUR, "plans.0.monthly_fee",
        "finite"),
    bad("bid-fee-1e308", replace(AZUR, "monthly_fee: 24,", "monthly_fee: 1.0e+308,"), AZUR, "plans.0.monthly_fee",
        "less than or equal to 1000000000000"),
    bad("bid-setup-fee-1e308", replace(COBALT, "fees: {setup: 1500,", "fees: {setup: 1.0e+308,"), COBALT,
        "fees.setup", "less than or equal to 1000000000000", json=True),
    bad("bid-account-fee-1e12-sums-beyond-cents", replace(COBALT, "account_monthly: 90}", "account_monthly: 1.0e+12}"),
        COBALT, "(amounts)", "overflow", json=True),
    bad("bid-rate-negative", replace(AZUR, "rates: {data_gb: 4, roam", "rates: {data_gb: -4, roam"), AZUR,
        "plans.0.rates.data_gb", "greater than or equal to 0"),
    bad("bid-offer-unknown-plan", replace(AZUR, "offer: {cadres: pro,", "offer: {cadres: proo,"), AZUR,
        "offer.cadres", "unknown plan 'proo'"),
    bad("bid-offer-unknown-profile", replace(AZUR, "tablettes: data}", "tablettes: data, chauffeurs: std}"), AZUR,
        "offer.chauffeurs", "unknown profile"),
    bad("bid-offer-NO-reads-false", replace(AZUR, "terrain: std,", "terrain: NO,"), AZUR, "offer.terrain", "False"),
    bad("bid-plans-mapping-for-list", replace(COBALT, "plans:\n", "plans: {all: 17.9}\nplan_list:\n"), COBALT,
        "plans", "valid list"),
    bad("bid-scalar-document", write(BOREAL, "just some text\n"), BOREAL, "(top level)", NOT_A_MAPPING, "str"),
    bad("bid-empty", write(BOREAL, ""), BOREAL, "(top level)", "empty"),
    bad("bid-valid-until-2027-02-30", replace(AZUR, "valid_until: 2027-03-31", "valid_until: 2027-02-30"), AZUR,
        "line 2, column 14", "not a valid date"),
    bad("bid-valid-until-french-date", replace(AZUR, "valid_until: 2027-03-31", "valid_until: 31/03/2027"), AZUR,
        "valid_until", "YYYY-MM-DD"),
    bad("bid-operator-octal-0755", replace(AZUR, "operator: Azur Mobile", "operator: 0755"), AZUR, "operator",
        "493", "quotes"),
    bad("bid-operator-is-a-date", replace(AZUR, "operator: Azur Mobile", "operator: 2027-01-01"), AZUR, "operator",
        "quotes"),
    bad("bid-duplicate-key", replace(COBALT, "indexation_percent: 2\n", "indexation_percent: 2\nindexation_percent: 3\n"),
        COBALT, "line 9, column 1", "duplicate key 'indexation_percent'"),
    bad("bid-yes-key", replace(COBALT, "service: {", "service: {yes: 1, "), COBALT, "line 11, column 11", "'yes'"),
    bad("bid-unknown-field", replace(COBALT, "indexation_percent: 2\n", "indexation_percent: 2\ndiscount: 5\n"),
        COBALT, "discount", "unknown field"),
    bad("bid-id-is-a-list", replace(COBALT, "operator: Cobalt Networks\n", "operator: Cobalt Networks\nid: [cobalt]\n"),
        COBALT, "id"),
    bad("bid-tab-indentation", write(COBALT, "operator: Cobalt\nfees:\n\tsetup: 1500\n"), COBALT, "line 3",
        "YAML error"),
    bad("bid-latin-1", transform(BOREAL, latin1), BOREAL, "line 1, column 14", "not UTF-8", "0xe9"),
    bad("bid-service-inf", replace(COBALT, "support_answer_minutes: 5,", "support_answer_minutes: .inf,"), COBALT,
        "service.support_answer_minutes", "not a usable number"),
    bad("bid-service-1e308", replace(COBALT, "support_answer_minutes: 5,", "support_answer_minutes: 1.0e+308,"),
        COBALT, "service.support_answer_minutes", "not a usable number", json=True),
    bad("bid-service-400-digits", replace(COBALT, "support_answer_minutes: 5,", f"support_answer_minutes: {'9' * 400},"),
        COBALT, "service.support_answer_minutes", "not a usable number", "400 digits"),
    # ---- evaluations.yaml: unknown ids, wrong types, whole-file problems
    bad("evaluations-unknown-bid", replace(EVALS, "  cobalt: {memo: 3.5}", "  kobalt: {memo: 3.5}"), EVALS,
        "claire.kobalt", "unknown bid"),
    bad("evaluations-unknown-criterion", replace(EVALS, "  azur: {memo: 3}", "  azur: {memo: 3, memoo: 2}"), EVALS,
        "claire.azur.memoo", "unknown criterion"),
    bad("evaluations-criterion-not-scored-by-evaluators", replace(EVALS, "  azur: {memo: 3}", "  azur: {support: 3}"),
        EVALS, "claire.azur.support", "not scored by evaluators"),
    bad("evaluations-score-nan", replace(EVALS, "  azur: {memo: 3}", "  azur: {memo: .nan}"), EVALS,
        "claire.azur.memo", "number"),
    bad("evaluations-score-text", replace(EVALS, "  azur: {memo: 3}", "  azur: {memo: 3/5}"), EVALS,
        "claire.azur.memo", "number"),
    bad("evaluations-score-1e308", replace(EVALS, "  azur: {memo: 3}", "  azur: {memo: 1.0e+308}"), EVALS,
        "claire.azur.memo", "outside 0..5"),
    bad("evaluations-evaluator-scalar", write(EVALS, "claire: 3\n"), EVALS, "claire", "mapping"),
    bad("evaluations-list-document", write(EVALS, "- claire\n- marc\n"), EVALS, "(top level)", NOT_A_MAPPING),
    bad("evaluations-only-a-comment", write(EVALS, "# scores to come\n"), EVALS, "(top level)", "empty"),
    # ---- consensus.yaml
    bad("consensus-reason-missing", write(CONSENSUS, "boreal: {memo: {score: 4}}\n"), CONSENSUS, "boreal.memo.reason",
        "missing"),
    bad("consensus-score-nan", write(CONSENSUS, "boreal: {memo: {score: .nan, reason: agreed}}\n"), CONSENSUS,
        "boreal.memo.score", "finite"),
    bad("consensus-unknown-bid", write(CONSENSUS, "nobody: {memo: {score: 4, reason: agreed}}\n"), CONSENSUS,
        "nobody", "unknown bid"),
    bad("consensus-list-for-mapping", write(CONSENSUS, "boreal: [memo]\n"), CONSENSUS, "boreal", "mapping"),
    bad("consensus-reason-is-a-date", write(CONSENSUS, "boreal: {memo: {score: 4, reason: 2027-01-10}}\n"), CONSENSUS,
        "boreal.memo.reason", "quotes"),
    # ---- scenario files (python -m scenarios compare DIR SCENARIO)
    bad("scenario-profiles-scalar", write(SCENARIO, "name: x\nset: {profiles: 3}\n"), SCENARIO, "set.profiles",
        "list", command="compare"),
    bad("scenario-id-is-a-list", write(SCENARIO, "name: x\nset: {entities: [{id: [1]}]}\n"), SCENARIO,
        "set.entities.0.id", command="compare"),
    bad("scenario-scale-1e3-is-text", write(SCENARIO, "name: x\nscale: {lines: 1e3}\n"), SCENARIO, "scale.lines",
        "number", command="compare"),
    bad("scenario-scale-negative", write(SCENARIO, "name: x\nscale: {lines: -1}\n"), SCENARIO, "scale.lines",
        command="compare"),
    bad("scenario-unknown-bid", write(SCENARIO, "name: x\nbids: {nobody: {fees: {setup: 0}}}\n"), SCENARIO,
        "bids.nobody", "unknown bid", command="compare"),
    bad("scenario-name-NO", write(SCENARIO, "name: NO\n"), SCENARIO, "name", "False", command="compare"),
    bad("scenario-empty", write(SCENARIO, ""), SCENARIO, "(top level)", "empty", command="compare"),
    bad("scenario-utf-16", write(SCENARIO, "name: x\n".encode("utf-16")), SCENARIO, "line 1, column 1", "UTF-16",
        command="compare"),
    bad("scenario-huge-integer", write(SCENARIO, "name: x\nscale: {lines: " + "9" * 5000 + "}\n"), SCENARIO,
        "line 2, column 16", "too long", command="compare"),
    # ---- Excel bids (bids/*.xlsx)
    bad("xlsx-fee-text", excel_bid(lambda: xlsx_bytes(Plans_C2="24 EUR")), XLSX, "Plans!C2", "number"),
    bad("xlsx-fee-formula", excel_bid(lambda: xlsx_bytes(Plans_C2="=20+4")), XLSX, "Plans!C2", "formulas"),
    bad("xlsx-fee-true", excel_bid(lambda: xlsx_bytes(Plans_C2=True)), XLSX, "Plans!C2", "number"),
    bad("xlsx-offer-unknown-plan", excel_bid(lambda: xlsx_bytes(Offer_D3="nope")), XLSX, "Offer!D3", "unknown plan"),
    bad("xlsx-service-1e308", excel_bid(lambda: xlsx_bytes(Service_F2=1e308)), XLSX, "Service!F2", "1E+15"),
    bad("xlsx-sheet-missing", excel_bid(lambda: xlsx_bytes(drop_sheet="Plans")), XLSX, "(workbook)", "Plans"),
    bad("xlsx-not-a-zip", excel_bid(b"operator: Azur\n"), XLSX, "(workbook)", "not a zip"),
    bad("xlsx-empty-file", excel_bid(b""), XLSX, "(workbook)", "not a zip"),
    bad("xlsx-truncated", excel_bid(lambda: _azur_xlsx()[:3000]), XLSX, "(workbook)"),
    bad("xlsx-macro-enabled", excel_bid(lambda: _azur_xlsx(), name="bids/azur.xlsm"), "bids/azur.xlsm", "(workbook)",
        "macro"),
    # ---- billing exports (usage_file: usage.csv)
    bad("usage-wrong-column-name", usage_export(set_row(1, "data_mb", "data_MB")), USAGE, "columns.data_gb",
        "not in the file's header"),
    bad("usage-text-in-a-number", usage_export(set_row(3, ",5000", ",beaucoup")), USAGE, "row 3, column data_mb",
        "not a number"),
    bad("usage-duplicated-line-month", usage_export(lambda rows: rows.insert(2, rows[1])), USAGE,
        "row 3, column msisdn", "already has a row"),
    bad("usage-unknown-entity", usage_export(set_row(3, ",siege,", ",lyon,")), USAGE, "row 3, column cost_centre",
        "unknown entity 'lyon'"),
    bad("usage-missing-month", usage_export(lambda rows: rows.pop(2)), USAGE, "column period", "no row for 2026-02"),
    bad("usage-negative", usage_export(set_row(3, ",5000", ",-5000")), USAGE, "row 3, column data_mb", "negative"),
    bad("usage-bad-month", usage_export(set_row(3, "2026-02", "2026-13")), USAGE, "row 3, column period",
        "not a month"),
    bad("usage-missing-file", both(usage_export(), lambda folder: (folder / USAGE).unlink()), TENDER,
        "usage_file.path", "not in the tender folder"),
    bad("usage-header-only", usage_export(content=(USAGE_HEADER + "\n").encode()), USAGE, "(file)", "no data rows"),
    bad("usage-empty-file", usage_export(content=b""), USAGE, "(file)", "not a readable CSV file"),
    bad("usage-encoding-rot13", both(usage_export(), replace(TENDER, "units: {data_gb: MB}", "units: {data_gb: MB}\n"
                                                             "  encoding: rot13")), TENDER, "usage_file.encoding",
        "'rot13' is not a text encoding"),
    bad("usage-encoding-base64", both(usage_export(), replace(TENDER, "units: {data_gb: MB}", "units: {data_gb: MB}\n"
                                                              "  encoding: base64")), TENDER, "usage_file.encoding",
        "not a text encoding"),
    bad("usage-utf-16-without-bom",
        both(usage_export(content=("\n".join(usage_rows()) + "\n").encode("utf-16-le")),
             replace(TENDER, "units: {data_gb: MB}", "units: {data_gb: MB}\n  encoding: utf-16")),
        USAGE, "(file)", "not a readable CSV file"),
    # ---- issue 12: what is not read is said, what is read is what a person sees
    bad("bid-folder-holds-a-json-file", write("bids/dune.json", '{"operator": "Dune"}'), "bids/dune.json", "(file)",
        "not a bid file"),
    bad("bid-folder-holds-notes", write("bids/notes.txt", "call Dune back\n"), "bids/notes.txt", "(file)",
        "not a bid file"),
    bad("bid-folder-holds-an-old-xls", write("bids/dune.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504),
        "bids/dune.xls", "(workbook)", "save it as .xlsx"),
    bad("bid-folder-holds-a-subfolder", write("bids/late/dune.yaml", "operator: Dune\n"), "bids/late", "(folder)",
        "not read"),
    bad("bid-yaml-and-xlsx-for-one-bid", lambda folder: (folder / XLSX).write_bytes(_azur_xlsx()), AZUR,
        "(file name)", "already used", "azur.xlsx"),
    bad("xlsx-second-monthly-fee-column", excel_bid(lambda: xlsx_edited(_second_fee_column)), XLSX, "Plans!",
        "second", "monthly fee"),
    bad("xlsx-hidden-plans-sheet-and-a-decoy", excel_bid(lambda: xlsx_edited(_hidden_plans_and_a_decoy("hidden"))),
        XLSX, "Plans", "hidden"),
    bad("xlsx-very-hidden-plans-sheet", excel_bid(lambda: xlsx_edited(_hidden_plans_and_a_decoy("veryHidden"))),
        XLSX, "Plans", "hidden"),
    bad("xlsx-hidden-fee-column", excel_bid(lambda: xlsx_edited(_hidden("Plans", column="C"))), XLSX, "Plans!C1",
        "column C is hidden"),
    bad("xlsx-hidden-plan-row", excel_bid(lambda: xlsx_edited(_hidden("Plans", row=3))), XLSX, "Plans!A3",
        "row 3 is hidden"),
    bad("xlsx-fee-format-shows-nothing", excel_bid(lambda: xlsx_edited(_format("Plans", "C3", ";;;"))), XLSX,
        "Plans!C3", "format shows nothing"),
    bad("xlsx-fee-in-an-unknown-column", excel_bid(lambda: xlsx_edited(_second_fee_column_named("Monthly fee 2"))),
        XLSX, "Plans!", "monthly fee 2", "not a column"),
    bad("tender-criterion-id-price", replace(TENDER, "{id: sim_swap,", "{id: price,"), TENDER,
        "evaluation.criteria.1.id", "reserved"),
    bad("bid-pairs-alias-bomb", write(COBALT, pairs_bomb(7)), COBALT, "(top level)", "alias bomb"),
    # Values quoted in messages are capped (a 100,000-character fee; an offer of 10^5 values).
    bad("bid-fee-100k-characters", replace(AZUR, "monthly_fee: 24,", "monthly_fee: " + "9 EUR " * 20_000 + ","), AZUR,
        "plans.0.monthly_fee", "number", "…"),
    bad("bid-offer-of-10^5-values", write(COBALT, pairs_bomb(5)), COBALT, "offer.cadres", "plan id", "…"),
    bad("bid-operator-ansi-escape", replace(AZUR, "operator: Azur Mobile", 'operator: "Azur\\e[1A\\e[2KMobile"'),
        AZUR, "operator", "control character", "U+001B"),
    bad("tender-entity-name-c1-csi", replace(TENDER, "name: Siège}", 'name: "Si\\x9bège"}'), TENDER,
        "entities.0.name", "control character", "U+009B"),
    bad("bid-service-key-ansi-escape", replace(COBALT, "service: {", 'service: {"\\e[2Knote": 1, '), COBALT,
        "service.\\x1b[2Knote", "control character"),
    bad("consensus-reason-bell", write(CONSENSUS, 'boreal: {memo: {score: 4, reason: "agreed\\a"}}\n'), CONSENSUS,
        "boreal.memo.reason", "control character"),
    bad("bid-file-name-ansi-escape", rename(BOREAL, "bids/bo\x1b[2Kreal.yaml"), "bids/bo\\x1b[2Kreal.yaml",
        "(file name)", "must match"),
    bad("tender-term-base-60", replace(TENDER, "term_months: 36", "term_months: 3:00"), TENDER, "line 4, column 14",
        "term_months", "base-60", "180"),
    bad("bid-indexation-base-60", replace(COBALT, "indexation_percent: 2\n", "indexation_percent: 1:30\n"), COBALT,
        "line 8, column 21", "indexation_percent", "base-60", "90", "quotes"),
]

GOOD = [  # (how, the evaluation must equal the untouched sample's)
    pytest.param(transform(TENDER, bom), True, id="tender-bom"),
    pytest.param(transform(TENDER, crlf), True, id="tender-crlf"),
    pytest.param(both(transform(AZUR, bom), transform(AZUR, crlf)), True, id="bid-bom-and-crlf"),
    pytest.param(both(transform(EVALS, bom), transform(EVALS, crlf)), True, id="evaluations-bom-and-crlf"),
    pytest.param(write(SCENARIO, "\ufeffname: x\r\nscale: {lines: 1.1}\r\n"), True, id="scenario-bom-crlf"),
    pytest.param(write(CONSENSUS, "\ufeffboreal:\r\n  memo: {score: 4.25, reason: agreed}\r\n"), False,
                 id="consensus-bom-crlf"),
    pytest.param(excel_bid(lambda: _azur_xlsx()), True, id="xlsx-as-written"),
    pytest.param(usage_export(lambda rows: rows.__setitem__(0, "\ufeff" + rows[0])), False, id="usage-bom"),
    # Extensions in capitals (as some Windows tools save them) are read like the lower-case ones.
    pytest.param(both(rename(AZUR, "bids/azur.YAML"), rename(BOREAL, "bids/boreal.Yml")), True,
                 id="bid-extensions-in-capitals"),
    pytest.param(excel_bid(lambda: _azur_xlsx(), name="bids/azur.XLSX"), True, id="xlsx-extension-in-capitals"),
    # A hidden row or column that holds nothing hides nothing.
    pytest.param(excel_bid(lambda: xlsx_edited(_hidden("Plans", column="Z", row=40))), True,
                 id="xlsx-empty-hidden-row-and-column"),
]

# Run in a subprocess as well: the real entry point, one per kind of file.
SUBPROCESS = {"tender-windows-1252", "bid-duplicate-key", "evaluations-unknown-bid", "xlsx-not-a-zip",
              "scenario-profiles-scalar", "tender-award-date-2027-02-30", "usage-unknown-entity"}


# --------------------------------------------------------------------------- running the CLI


HAS_PSEUDONYM_KEY = hasattr(scoring.usage_file, "pseudonym_key")


@pytest.fixture(autouse=True)
def _export_key(monkeypatch):
    """The billing export's pseudonymisation key: scoring/lines.py calls
    `scoring.usage_file.pseudonym_key()`; while that function does not exist yet, a test key
    stands in (as tests/test_lines.py does)."""
    if not HAS_PSEUDONYM_KEY:
        monkeypatch.setattr(scoring.usage_file, "pseudonym_key", lambda: b"test-key", raising=False)


def broken_copy(tmp_path: Path, breaker: Break) -> Path:
    folder = tmp_path / "tender"
    shutil.copytree(SAMPLE, folder)
    breaker(folder)
    return folder


def argv(case: Bad, folder: Path) -> list[str]:
    if case.command == "compare":
        return ["compare", str(folder), str(folder / SCENARIO)]
    return ["evaluate", str(folder), *(["--json"] if case.json else [])]


def run_in_process(capsys, case: Bad, folder: Path) -> tuple[int, str, str]:
    main = scenarios_cli.main if case.command == "compare" else scoring_cli.main
    code = main(argv(case, folder))
    out, err = capsys.readouterr()
    return code, out, err


def run_subprocess(case: Bad, folder: Path) -> tuple[int, str, str]:
    module = "scenarios" if case.command == "compare" else "scoring"
    proc = subprocess.run([sys.executable, "-m", module, *argv(case, folder)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def assert_clean_rejection(case: Bad, code: int, out: str, err: str) -> None:
    """Exit 2, nothing on stdout, no traceback; every stderr line `error: FILE: FIELD: MESSAGE`,
    one of them naming the expected file and field (and words)."""
    assert "Traceback" not in err, err
    assert code == 2, f"exit {code}; stderr:\n{err}"[:5000]
    # Nothing that moves a terminal's cursor or colours it, and no line grows with the input.
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", err), f"a control character on stderr: {err[:2000]!r}"
    assert max(map(len, err.splitlines()), default=0) <= MAX_LINE, f"a line of {max(map(len, err.splitlines()))} characters"
    assert out == "", out
    lines = err.splitlines()
    assert lines, "no error printed"
    parsed = []
    for line in lines:
        m = ERROR_LINE.fullmatch(line)
        assert m, f"not `error: FILE: FIELD: MESSAGE`: {line!r}"
        parsed.append(m)
    hits = [m for m in parsed if m["file"].endswith(case.file) and case.field in m["field"]]
    assert hits, f"no error names {case.file} / {case.field!r}:\n{err}"
    assert any(all(w.lower() in m["message"].lower() for w in case.words) for m in hits), \
        f"no error at {case.file} / {case.field!r} says {case.words}:\n{err}"


# --------------------------------------------------------------------------- tests


def test_there_are_at_least_45_distinct_malformed_inputs():
    """The corpus is the point: 45 or more distinct defects across every kind of input file."""
    ids = [p.values[0].id for p in BAD]
    assert len(ids) == len(set(ids)) >= 45
    kinds = {p.values[0].file.rsplit("/", 1)[-1].split(".")[-1] for p in BAD}
    assert {"yaml", "xlsx", "csv"} <= kinds


@pytest.mark.parametrize("case", BAD)
def test_malformed_input_is_one_clean_error_per_problem(tmp_path, capsys, case):
    """The CLI (in-process) refuses the broken tender with exit 2 and `error: FILE: FIELD:
    MESSAGE` lines naming the file and field of the defect — never a traceback."""
    folder = broken_copy(tmp_path, case.breaker)
    try:
        code, out, err = run_in_process(capsys, case, folder)
    except Exception as exc:  # what a user would see as a traceback
        pytest.fail(f"{type(exc).__name__}: {exc}")
    assert_clean_rejection(case, code, out, err)


@pytest.mark.parametrize("case", [p for p in BAD if p.values[0].id in SUBPROCESS])
def test_representative_cases_through_the_real_entry_point(tmp_path, case):
    """The same in a subprocess (`python -m scoring …` / `python -m scenarios …`): what the
    user runs, with its own interpreter start and stderr."""
    if case.file == USAGE and not HAS_PSEUDONYM_KEY:
        pytest.skip("scoring.usage_file.pseudonym_key (called by scoring/lines.py) does not exist yet")
    folder = broken_copy(tmp_path, case.breaker)
    assert_clean_rejection(case, *run_subprocess(case, folder))


def _sample_json(capsys, tmp_path: Path) -> dict:
    folder = broken_copy(tmp_path / "original", lambda folder: None)
    assert scoring_cli.main(["evaluate", str(folder), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize("breaker, same", GOOD)
def test_files_saved_by_ordinary_editors_are_accepted(tmp_path, capsys, breaker, same):
    """A UTF-8 byte-order mark and Windows CRLF line ends are how many editors save a file:
    accepted, and the evaluation is the untouched sample's (same costs, same ranks); a file
    added that way (a consensus, an export) gives a valid evaluation. An Excel bid as the
    template writes it evaluates like its YAML twin."""
    folder = broken_copy(tmp_path, breaker)
    code = scoring_cli.main(["evaluate", str(folder), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    assert [b["id"] for b in result["bids"]] == ["azur", "boreal", "cobalt"]
    if same:
        assert result == _sample_json(capsys, tmp_path)


# ---- the app shows the same problems

APP_CASES = ["tender-windows-1252", "bid-fee-nan", "bid-offer-unknown-plan", "evaluations-unknown-bid",
             "xlsx-fee-text", "consensus-reason-missing", "tender-award-date-2027-02-30"]


def _case(case_id: str) -> Bad:
    return next(p.values[0] for p in BAD if p.values[0].id == case_id)


@pytest.mark.parametrize("case_id", APP_CASES)
def test_the_app_error_table_lists_the_same_problems(tmp_path, capsys, case_id):
    """An upload of the same broken files gives the app's error table (ui.api.problems_frame
    of `build_tender(read_files(...))`) exactly the CLI's problems: same file (inside the
    tender), field and message."""
    from scoring.archive import files_of_folder
    from scoring.errors import TenderError
    from scoring.load import build_tender, read_files
    from ui.api import problems_frame

    case = _case(case_id)
    folder = broken_copy(tmp_path, case.breaker)
    code, _, err = run_in_process(capsys, case, folder)
    assert code == 2
    cli = {(m["file"].removeprefix(f"{folder}/"), m["field"], m["message"])
           for m in map(ERROR_LINE.fullmatch, err.splitlines())}
    with pytest.raises(TenderError) as info:
        build_tender(read_files("upload", files_of_folder(folder)))
    table = problems_frame(info.value)
    assert list(table.columns) == ["file", "field", "problem"]
    app = {(row.file.removeprefix("upload/"), row.field, row.problem) for row in table.itertuples()}
    assert app == cli


def _tender_page() -> None:
    from ui import tender_page

    tender_page.render()


def test_an_uploaded_broken_zip_shows_the_error_table_in_the_app(tmp_path):
    """Through the Tender page's uploader: a zip of the sample with a NaN fee in one bid and
    an unknown bid in evaluations.yaml → the error table names both files and fields, and
    nothing crashes."""
    from streamlit.testing.v1 import AppTest

    from scoring.archive import files_of_folder, zip_of

    folder = broken_copy(tmp_path, both(_case("bid-fee-nan").breaker, _case("evaluations-unknown-bid").breaker))
    data = zip_of(files_of_folder(folder), "broken")
    at = AppTest.from_function(_tender_page, default_timeout=60)
    at.session_state["lang"] = "en"
    at.run()
    at.file_uploader(key="upload").set_value(("broken.zip", data, "application/zip")).run()
    assert not at.exception, at.exception
    errors = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    rows = {(f.split("/", 1)[-1], fld) for f, fld in zip(errors["file"], errors["field"])}
    assert rows == {(AZUR, "plans.0.monthly_fee"), (EVALS, "claire.kobalt")}, errors


# ---- issue 12: every file in bids/ is read, refused or named in a warning

# Files an operating system or an editor leaves behind: not bids, not read, each named in a warning.
LEFT_BEHIND = [".DS_Store", "._azur.yaml", "~$azur.xlsx", "Thumbs.db", "desktop.ini", "azur.yaml~"]


def test_files_the_system_leaves_in_bids_are_named_in_a_warning(tmp_path, capsys):
    """Hidden files, Office lock files and editor backups in bids/ are not bids: the tender is
    evaluated as without them, and a warning names each one (never silence)."""
    def leave(folder: Path) -> None:
        for name in LEFT_BEHIND:
            (folder / "bids" / name).write_bytes(b"\x00\x05junk")

    folder = broken_copy(tmp_path, leave)
    code = scoring_cli.main(["evaluate", str(folder), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    result = json.loads(out)
    for name in LEFT_BEHIND:
        assert any(f"bids/{name}" in w and "not read" in w for w in result["warnings"]), (name, result["warnings"])
    expected = _sample_json(capsys, tmp_path)
    assert {k: v for k, v in result.items() if k != "warnings"} == {k: v for k, v in expected.items()
                                                                      if k != "warnings"}


def test_uploads_read_capital_extensions_and_refuse_what_is_not_read(tmp_path):
    """Through the app's uploads (a zip, or loose files): `.YAML`/`.Yml` bids are read, and a
    file of bids/ that is not a bid is an error naming it, as on the command line."""
    from scoring.archive import files_of_folder, files_of_uploads, zip_of
    from scoring.errors import TenderError
    from scoring.load import build_tender, read_files

    folder = broken_copy(tmp_path, both(rename(AZUR, "bids/azur.YAML"), rename(BOREAL, "bids/boreal.Yml")))
    files = files_of_folder(folder)
    assert {"bids/azur.YAML", "bids/boreal.Yml"} <= set(files)
    loose = [(path.rsplit("/", 1)[-1], data) for path, data in files.items()]
    for uploads in ([("t.zip", zip_of(files, "t"))], loose):
        tender = build_tender(read_files("upload", files_of_uploads(uploads)))
        assert [b.id for b in tender.bids] == ["azur", "boreal", "cobalt"]
    for uploads in ([("t.zip", zip_of({**files, "bids/notes.txt": b"x"}, "t"))], [*loose, ("notes.txt", b"x")]):
        with pytest.raises(TenderError) as info:
            build_tender(read_files("upload", files_of_uploads(uploads)))
        assert [(p.file, p.field) for p in info.value.problems if "not a bid file" in p.message] == \
            [("upload/bids/notes.txt", "(file)")], info.value
