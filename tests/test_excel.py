"""Excel price schedules: the template, bids filled in it, conversion both ways, safety."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml

from scoring.errors import TenderError
from scoring.evaluate import evaluate
from scoring.excel import (
    MAX_XLSX_ENTRIES,
    MAX_XLSX_UNPACKED,
    PLAN_IDS_NAME,
    SHEETS,
    convert,
    read_bid_xlsx,
    tender_for,
    write_bid_xlsx,
    write_template,
)
from scoring.load import build_tender, load_tender, read_files, strip_nulls
from scoring.yamlio import read_yaml_mapping

from conftest import DATA, ROOT

EXAMPLE = ROOT / "tenders" / "conseil-2027"
C1 = DATA / "c1-sample"
BIDS = [(EXAMPLE, p.stem) for p in sorted((EXAMPLE / "bids").glob("*.yaml"))] + [
    (C1, p.stem) for p in sorted((C1 / "bids").glob("*.yaml"))
]


def yaml_bid(folder: Path, stem: str) -> dict:
    path = folder / "bids" / f"{stem}.yaml"
    return strip_nulls(read_yaml_mapping(path, str(path)))


def xlsx_bytes(raw: dict, folder: Path = EXAMPLE) -> bytes:
    buffer = io.BytesIO()
    write_bid_xlsx(raw, tender_for(folder), buffer)
    return buffer.getvalue()


def edited(data: bytes, **cells) -> bytes:
    """The workbook with cells changed: ``Plans_C3="text"`` sets Plans!C3."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    for key, value in cells.items():
        sheet, cell = key.rsplit("_", 1)
        wb[sheet][cell] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes, name: str = "bids/x.xlsx") -> list[tuple[str, str]]:
    with pytest.raises(TenderError) as info:
        read_bid_xlsx(data, name)
    return [(p.field, p.message) for p in info.value.problems]


def without_files(result: dict) -> dict:
    """An evaluation's JSON with file names left out (there are none today; kept for safety)."""
    return {k: v for k, v in result.items() if k != "files"}


# --------------------------------------------------------------------------- (a) round trips


@pytest.fixture(scope="module")
def evaluated() -> dict[Path, dict]:
    return {folder: evaluate(load_tender(folder)).to_dict() for folder in (EXAMPLE, C1)}


@pytest.mark.parametrize(("folder", "stem"), BIDS, ids=[f"{f.name}/{s}" for f, s in BIDS])
def test_an_excel_bid_evaluates_like_its_yaml_twin(tmp_path, evaluated, folder, stem):
    copy = tmp_path / folder.name
    shutil.copytree(folder, copy)
    convert(copy / "bids" / f"{stem}.yaml", copy, copy / "bids" / f"{stem}.xlsx")
    (copy / "bids" / f"{stem}.yaml").unlink()
    assert without_files(evaluate(load_tender(copy)).to_dict()) == without_files(evaluated[folder])


@pytest.mark.parametrize(("folder", "stem"), BIDS, ids=[f"{f.name}/{s}" for f, s in BIDS])
def test_round_trips_are_lossless(tmp_path, folder, stem):
    raw = yaml_bid(folder, stem)
    first = tmp_path / f"{stem}.xlsx"
    convert(folder / "bids" / f"{stem}.yaml", folder, first)
    read = read_bid_xlsx(first.read_bytes(), str(first))
    assert read == raw  # YAML -> xlsx -> mapping
    back = tmp_path / f"{stem}.yaml"
    convert(first, folder, back)
    assert strip_nulls(read_yaml_mapping(back, str(back))) == raw  # ... -> YAML
    second = tmp_path / "again" / f"{stem}.xlsx"
    second.parent.mkdir()
    convert(back, folder, second)
    assert read_bid_xlsx(second.read_bytes(), str(second)) == read  # xlsx -> YAML -> xlsx


def test_a_whole_folder_of_excel_bids_and_an_upload_evaluate_alike(tmp_path, evaluated):
    copy = tmp_path / "c1"
    shutil.copytree(C1, copy)
    for path in sorted((copy / "bids").glob("*.yaml")):
        convert(path, copy, path.with_suffix(".xlsx"))
        path.unlink()
    (copy / "bids" / "~$azur.xlsx").write_bytes(b"lock file Excel leaves beside an open workbook")
    files = {p.relative_to(copy).as_posix(): p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    for result in (evaluate(load_tender(copy)).to_dict(), evaluate(build_tender(read_files("c1", files))).to_dict()):
        # The lock file is not a bid: not read, and named in a warning (never left out silently).
        (warning,) = result.pop("warnings")
        assert "bids/~$azur.xlsx is not read" in warning
        assert result == {k: v for k, v in evaluated[C1].items() if k != "warnings"}


def test_values_the_examples_do_not_use_survive_too():
    raw = {
        "operator": "2027",  # text that looks like a number
        "id": "edge",
        "valid_until": "2027-05-31",  # a quoted date stays text
        "plans": [{"id": "2024", "monthly_fee": 0, "allowances": {"data_gb": 0.5, "iot_mb": "unlimited"},
                   "rates": {"data_gb": 0}}],
        "offer": {"standard": ["2024"], "field": []},
        "pool": {"iot_mb": {"overage_rate": 0.001}},
        "indexation_percent": -1.5,
        "devices": {"prices": {"foldable": 1290.5}, "fund": 0},
        "portability": {"exit_fee_refund": 1},
        "service": {"support_answer_minutes": 2, "notes": "24/7 hotline", "sla": {"hours": 4, "since": "2026"},
                    "esim": True, "from": datetime.date(2027, 1, 1)},
    }
    assert read_bid_xlsx(xlsx_bytes(raw), "edge.xlsx") == raw


def test_the_bid_id_comes_from_the_bid_sheet_or_the_file_name(tmp_path):
    copy = tmp_path / "c1"
    shutil.copytree(C1, copy)
    raw = yaml_bid(C1, "azur")
    (copy / "bids" / "azur.yaml").unlink()
    (copy / "bids" / "offer-from-azur.xlsx").write_bytes(xlsx_bytes({**raw, "id": "azur"}, C1))
    assert [b.id for b in load_tender(copy).bids] == ["azur", "boreal", "cobalt"]
    (copy / "bids" / "offer-from-azur.xlsx").write_bytes(xlsx_bytes(raw, C1))
    (copy / "evaluations.yaml").unlink()  # it scores `azur`, now unknown
    assert "offer-from-azur" in [b.id for b in load_tender(copy).bids]


def test_the_empty_template_reads_as_an_empty_bid(tmp_path):
    path = tmp_path / "template.xlsx"
    write_template(load_tender(EXAMPLE), path)
    assert read_bid_xlsx(path.read_bytes(), str(path)) == {}


# --------------------------------------------------------------------------- (b) wrong cells


@pytest.fixture(scope="module")
def telvia() -> bytes:
    return xlsx_bytes(yaml_bid(EXAMPLE, "telvia"))


def test_wrong_cells_are_named_by_sheet_and_cell(telvia):
    # Plans rows 2.. are monde, pro20, pro40, flex5, flex15, data10; D/E = voice_min allowance/rate.
    bad = edited(telvia, Plans_C3="quatorze", Plans_E4=-1, Plans_C5="=10+8.5", Plans_D6="lots",
                 Offer_D3="pro20, nope", Fees_C6=150, Portability_C3=1.5, Service_F4="maybe", Bid_C4="soon")
    assert problems_of(bad) == [
        ("Plans!C5", "formulas are not accepted: type the value"),
        ("Bid!C4", "valid until must be a date (YYYY-MM-DD) (got 'soon')"),
        ("Plans!C3", "monthly fee must be a number ≥ 0 (got 'quatorze')"),
        ("Plans!E4", "voice_min rate must be a number ≥ 0 (got -1)"),
        ("Plans!D6", "voice_min allowance must be a number ≥ 0 or unlimited (got 'lots')"),
        ("Offer!D3", "unknown plan 'nope': not a plan id of the Plans sheet"),
        ("Fees!C6", "indexation must be a percentage above -100 and up to 100 (got 150)"),
        ("Portability!C3", "exit fee refund must be a share from 0 to 1 (0.5 = half) (got 1.5)"),
        ("Service!F4", "cost_centre_billing must be yes or no (got 'maybe')"),
    ]


def test_a_wrong_cell_fails_the_tender_load_naming_file_and_cell(tmp_path, telvia):
    copy = tmp_path / "ex"
    shutil.copytree(EXAMPLE, copy)
    (copy / "bids" / "telvia.yaml").unlink()
    (copy / "bids" / "telvia.xlsx").write_bytes(edited(telvia, Plans_C3="14,50 €"))
    with pytest.raises(TenderError) as info:
        load_tender(copy)
    [problem] = info.value.problems
    assert problem.file.endswith("bids/telvia.xlsx")
    assert (problem.field, problem.message) == ("Plans!C3", "monthly fee must be a number ≥ 0 (got '14,50 €')")


def test_missing_and_stray_values_are_reported(telvia):
    bad = edited(telvia, Plans_A3=None, Plans_C9=12, Fees_F2=None, Plans_AB5=3)
    assert problems_of(bad) == [
        ("Plans!A3", "plan id is missing"),
        ("Plans!A9", "plan id is missing"),
        ("Plans!AB5", "value outside the schedule's columns (no header above it): move it to its column or delete it"),
        ("Offer!D3", "unknown plan 'pro20': not a plan id of the Plans sheet"),
        ("Fees!F2", "volume tier discount is missing (a tier needs lines and a discount)"),
    ]


def test_semantic_errors_still_come_from_the_loader(tmp_path, telvia):
    """Rules that need the tender (an unknown profile) are the loader's, as for YAML."""
    copy = tmp_path / "ex"
    shutil.copytree(EXAMPLE, copy)
    (copy / "bids" / "telvia.yaml").unlink()
    (copy / "bids" / "telvia.xlsx").write_bytes(edited(telvia, Offer_A6="drivers"))
    with pytest.raises(TenderError, match="offer.drivers: unknown profile 'drivers'"):
        load_tender(copy)


# --------------------------------------------------------------------------- (c) the template


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("template") / "schedule.xlsx"
    write_template(load_tender(EXAMPLE), path)
    return openpyxl.load_workbook(path)


def test_the_template_has_every_sheet_protected_with_frozen_headers(template):
    assert template.sheetnames == list(SHEETS)
    assert template.security.lockStructure
    for ws in template.worksheets:
        assert ws.protection.sheet, ws.title
        assert ws.protection.password is None, ws.title
        if ws.title != "Instructions":
            assert ws.freeze_panes in ("A2", "B2"), ws.title
            assert all(cell.protection.locked for cell in ws[1] if cell.value), ws.title
    assert template["Profiles"].freeze_panes == "B2"
    plans = template["Plans"]
    assert not plans["C2"].protection.locked and plans["A1"].protection.locked
    assert template["Profiles"]["C2"].protection.locked  # the buyer's data is read-only
    assert template["Offer"]["A2"].value == "executives" and template["Offer"]["A2"].protection.locked
    assert not template["Offer"]["D2"].protection.locked


def test_headers_carry_their_units(template):
    plans = [c.value for c in template["Plans"][1]]
    assert "Monthly fee (EUR/line/month, excl. VAT)" in plans
    assert "data_gb allowance (GB/line/month, a number or unlimited)" in plans
    assert "data_gb rate (EUR/GB beyond the allowance, excl. VAT)" in plans
    # contract v1.1 terms, in every tender's template (tests/test_excel_v11.py has the details)
    assert "data_gb block (GB per block; empty = rate per GB)" in plans
    assert "data_gb cap (EUR/line/month at most, excl. VAT)" in plans
    assert [template["Fees"][f"A{r}"].value for r in (8, 9)] == ["per_line_monthly", "minimum_monthly_spend"]
    assert not any("cannot recover" in str(c.value) for c in template["Instructions"]["A"])  # no tax: no line
    assert all("(" in c.value for c in template["Profiles"][1][2:-2])  # every number has its unit
    profiles = {c.value: c.column for c in template["Profiles"][1]}
    # a distribution shows its mean and its spread
    row = {c.column: c.value for c in template["Profiles"][3]}  # consultants
    assert row[profiles["data_gb (GB/line/month, mean)"]] == 20
    assert row[profiles["data_gb spread (cv = sd/mean, distribution)"]] == "cv 0.35, lognormal"


def validations(ws) -> list:
    return list(ws.data_validations.dataValidation)


def test_the_template_validates_its_input_cells(template):
    for title in ("Plans", "Offer", "Service", "Fees", "Devices", "Portability", "Pool", "Bid"):
        assert validations(template[title]), title
    plans = {str(dv.sqref): dv for dv in validations(template["Plans"])}
    assert plans["C2:C31"].type == "decimal" and plans["C2:C31"].operator == "greaterThanOrEqual"
    assert plans["C2:C31"].formula1 == "0"
    allowance = next(dv for dv in plans.values() if dv.type == "custom")
    assert "unlimited" in allowance.formula1
    [offer] = validations(template["Offer"])
    assert offer.type == "list" and offer.formula1 == PLAN_IDS_NAME and str(offer.sqref) == "D2:D6"
    assert template.defined_names[PLAN_IDS_NAME].attr_text == "Plans!$A$2:$A$31"
    service = {dv.type: dv for dv in validations(template["Service"])}
    assert service["list"].formula1 == '"yes,no"' and str(service["list"].sqref) == "F4 F5"
    assert str(service["decimal"].sqref) == "F2 F3 F6"
    kinds = {str(dv.sqref): (dv.operator, dv.formula1, dv.formula2) for dv in validations(template["Portability"])}
    assert kinds["C3"] == ("between", "0", "1")  # the exit fee refund is a share
    fees = {str(dv.sqref): (dv.formula1, dv.formula2) for dv in validations(template["Fees"])}
    assert fees["F2:F11"] == ("0", "100")  # volume discount percent


# --------------------------------------------------------------------------- (d) text is never a formula


def test_text_that_looks_like_a_formula_is_written_as_text(tmp_path):
    raw = yaml_bid(EXAMPLE, "telvia")
    raw["operator"] = '=HYPERLINK("http://x")'
    raw["plans"][0]["name"] = "+33 1 23 45 67 89"
    raw["service"]["notes"] = "@SUM(A1)"
    path = tmp_path / "telvia.xlsx"
    write_bid_xlsx(raw, tender_for(EXAMPLE), path)
    wb = openpyxl.load_workbook(path)
    assert (wb["Bid"]["C2"].data_type, wb["Bid"]["C2"].value) == ("s", '=HYPERLINK("http://x")')
    assert wb["Plans"]["B2"].data_type == "s"
    with zipfile.ZipFile(path) as archive:
        xml = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere in the workbook
    assert read_bid_xlsx(path.read_bytes(), str(path)) == raw


def test_a_buyer_name_that_looks_like_a_formula_is_text_too(tmp_path):
    tender = load_tender(C1)
    spec = tender.spec.model_copy(update={"name": "=1+1", "buyer": "-cmd"})
    path = tmp_path / "t.xlsx"
    write_template(tender.model_copy(update={"spec": spec}), path)
    ws = openpyxl.load_workbook(path)["Instructions"]
    assert all(c.data_type == "s" for row in ws.iter_rows() for c in row if c.value is not None)


# --------------------------------------------------------------------------- (e) hostile files


def zip_of(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def refused(data: bytes, name: str = "bids/bomb.xlsx") -> str:
    start = time.perf_counter()
    with pytest.raises(TenderError) as info:
        read_bid_xlsx(data, name)
    assert time.perf_counter() - start < 1.0
    return str(info.value)


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = zip_of({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"0" * (MAX_XLSX_UNPACKED + 1)})
    assert len(bomb) < 100_000
    assert "over the 20,971,520-byte limit" in refused(bomb)


def test_a_zip_with_too_many_parts_is_refused():
    many = zip_of({f"xl/media/{i}.xml": b"<a/>" for i in range(MAX_XLSX_ENTRIES + 1)})
    assert f"more than the {MAX_XLSX_ENTRIES}" in refused(many)


def test_macros_are_refused(telvia):
    assert "macro-enabled workbook" in refused(telvia, "bids/telvia.xlsm")
    with_vba = zipfile.ZipFile(io.BytesIO(telvia))
    parts = {n: with_vba.read(n) for n in with_vba.namelist()}
    assert "contains macros" in refused(zip_of({**parts, "xl/vbaProject.bin": b"\0" * 64}))
    types = parts["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    assert "macro-enabled" in refused(zip_of({**parts, "[Content_Types].xml": types}))


def test_other_hostile_or_wrong_files_are_refused(telvia):
    assert "not a zip package" in refused(b"operator: me\n")
    assert "old-format (.xls)" in refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    laughs = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><l>&a;</l>'
    parts = dict.fromkeys(["[Content_Types].xml"], b"<Types/>") | {"xl/workbook.xml": laughs}
    assert "DTD" in refused(zip_of(parts))
    assert "not a readable Excel workbook" in refused(zip_of({"[Content_Types].xml": b"<Types/>"}))
    other = io.BytesIO()
    openpyxl.Workbook().save(other)
    assert "sheets Bid, Plans, Offer are missing" in refused(other.getvalue())


def test_a_sheet_claiming_a_million_rows_is_read_only_to_the_limit():
    wb = openpyxl.Workbook(write_only=True)
    for title in ("Bid", "Plans", "Offer"):
        wb.create_sheet(title)
    buffer = io.BytesIO()
    wb.save(buffer)
    parts = {n: zipfile.ZipFile(buffer).read(n) for n in zipfile.ZipFile(buffer).namelist()}
    sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
            '<dimension ref="A1:A1048576"/><sheetData><row r="1048576"><c r="A1048576"><v>1</v></c></row>' \
            "</sheetData></worksheet>"
    parts["xl/worksheets/sheet2.xml"] = sheet.encode()
    assert "larger than a schedule may be" in refused(zip_of(parts))


def test_hostile_bids_in_a_folder_fail_the_load_with_their_file_names(tmp_path):
    copy = tmp_path / "c1"
    shutil.copytree(C1, copy)
    bomb = zip_of({"xl/worksheets/sheet1.xml": b"0" * (MAX_XLSX_UNPACKED + 1)})
    (copy / "bids" / "bomb.xlsx").write_bytes(bomb)
    (copy / "bids" / "macro.xlsm").write_bytes(b"PK")
    with pytest.raises(TenderError) as info:
        load_tender(copy)
    files = sorted(Path(p.file).name for p in info.value.problems)
    assert files == ["bomb.xlsx", "macro.xlsm"]


def test_only_valid_bids_are_written_and_conversions_go_between_yaml_and_xlsx(tmp_path):
    with pytest.raises(TenderError, match="plans.0.monthly_fee"):
        write_bid_xlsx({"plans": [{"id": "a", "monthly_fee": -1}]}, tender_for(C1), tmp_path / "x.xlsx")
    with pytest.raises(TenderError, match="a list cannot be written"):
        write_bid_xlsx({"service": {"regions": ["north", "south"]}}, tender_for(C1), tmp_path / "x.xlsx")
    (tmp_path / "bid.yaml").write_text(yaml.safe_dump({"operator": "X"}))
    with pytest.raises(TenderError, match="convert .yaml/.yml to .xlsx or .xlsx to .yaml/.yml"):
        convert(tmp_path / "bid.yaml", C1, tmp_path / "bid.json")


def test_template_bytes_are_deterministic(tmp_path):
    """The same tender gives the same template bytes (fixed document times and zip entry
    times), so a re-sent schedule can be compared by hash."""
    import time

    from scoring import EXAMPLE_TENDER
    from scoring.excel import write_template
    from scoring.load import load_tender

    tender = load_tender(EXAMPLE_TENDER)
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_template(tender, first)
    time.sleep(2.1)  # zip entry times have a 2-second resolution
    write_template(tender, second)
    assert first.read_bytes() == second.read_bytes()


# ---- issue 12: what a person sees is what is evaluated


def _with_sheet_xml(data: bytes, sheet: str, edit) -> bytes:
    """The workbook with the XML of one sheet (by title) changed by ``edit`` (bytes -> bytes)."""

    src = zipfile.ZipFile(io.BytesIO(data))
    workbook = src.read("xl/workbook.xml").decode()
    rels = src.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet [^>]*name="{sheet}"[^>]*r:id="(rId\d+)"', workbook)[1]
    target = re.search(rf'<Relationship [^>]*Id="{rid}"[^>]*Target="([^"]+)"|'
                       rf'<Relationship [^>]*Target="([^"]+)"[^>]*Id="{rid}"', rels)
    part = "xl/" + (target[1] or target[2]).removeprefix("/xl/")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            dst.writestr(info, edit(content) if info.filename == part else content)
    return out.getvalue()


@pytest.mark.parametrize("edit, words", [
    # every row hidden unless made visible (`zeroHeight`), or rows too low to show anything
    (lambda x: x.replace(b"<sheetFormatPr ", b'<sheetFormatPr zeroHeight="1" '), ("row 2 is hidden",)),
    (lambda x: x.replace(b'<row r="3"', b'<row r="3" ht="0.5" customHeight="1"', 1), ("row 3 is hidden",)),
    # columns too narrow to show anything, one or all
    (lambda x: x.replace(b"<cols>", b'<cols><col min="3" max="3" width="0" customWidth="1"/>'),
     ("column C is hidden",)),
    (lambda x: re.sub(rb"<cols>.*?</cols>", b"", x.replace(b"<sheetFormatPr ", b'<sheetFormatPr defaultColWidth="0" '),
                      flags=re.S), ("column A is hidden",)),
])
def test_rows_and_columns_hidden_in_any_way_are_refused(telvia, edit, words):
    """Hidden, collapsed to nothing or hidden by default: a row or column holding a value
    that a person would not see is refused, naming its first cell."""
    data = _with_sheet_xml(telvia, "Plans", edit)
    with pytest.raises(TenderError) as info:
        read_bid_xlsx(data, "b.xlsx")
    messages = [f"{p.field}: {p.message}" for p in info.value.problems]
    assert any(all(w in m for w in words) and re.match(r"Plans![A-Z]+\d+: ", m) for m in messages), messages

