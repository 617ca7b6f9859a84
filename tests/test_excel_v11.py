"""Contract v1.1 bid terms in the Excel price schedule: block rates (price per block + block
size), per-line caps on a usage rate, `fees.per_line_monthly` and `fees.minimum_monthly_spend`
(docs/tender-format.md §9, docs/excel-and-reports.md §1–§3).

The figures come from the v1.1 conformance sample (tests/data/c2-real-offers/expected.json,
computed independently of Fleetbid): its bids written to Excel must cost exactly as in YAML.
Layout of the sample's Plans sheet (its components voice_min, data_gb, roam_world_data_gb, four
columns each: allowance, rate, block, cap): D-G voice_min, H-K data_gb, L-O roam_world_data_gb;
plan rows from row 2. Fees: C8 `per_line_monthly`, C9 `minimum_monthly_spend`.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from pydantic import ValidationError
from test_conformance import _compare
from test_excel import edited, problems_of

from scoring.errors import TenderError
from scoring.excel import convert, read_bid_xlsx, tender_for, write_bid_xlsx, write_template
from scoring.inputs import pydantic_problems
from scoring.load import load_tender, strip_nulls
from scoring.model import BidFile
from scoring.yamlio import read_yaml_mapping

from conftest import DATA, ROOT

C2 = DATA / "c2-real-offers"
C2_BIDS = sorted(p.stem for p in (C2 / "bids").glob("*.yaml"))
EXAMPLE = ROOT / "tenders" / "conseil-2027"


def yaml_bid(stem: str) -> dict:
    path = C2 / "bids" / f"{stem}.yaml"
    return strip_nulls(read_yaml_mapping(path, str(path)))


def xlsx_of(raw: dict) -> bytes:
    buffer = io.BytesIO()
    write_bid_xlsx(raw, tender_for(C2), buffer)
    return buffer.getvalue()


def excel_folder(tmp_path: Path) -> Path:
    """A copy of the sample whose bids are all Excel schedules converted from the YAML ones."""
    copy = tmp_path / "c2-excel"
    shutil.copytree(C2, copy)
    for stem in C2_BIDS:
        convert(copy / "bids" / f"{stem}.yaml", copy, copy / "bids" / f"{stem}.xlsx")
        (copy / "bids" / f"{stem}.yaml").unlink()
    return copy


def evaluate_json(folder: Path) -> str:
    run = subprocess.run([sys.executable, "-m", "scoring", "evaluate", str(folder), "--json"],
                         cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    return run.stdout


def yaml_problems(raw: dict) -> list[tuple[str, str]]:
    """What the bid model says about a YAML bid: (field, message)."""
    with pytest.raises(ValidationError) as info:
        BidFile.model_validate(raw)
    return [(p.field, p.message) for p in pydantic_problems(info.value, "bid.yaml")]


# --------------------------------------------------------------------------- the conformance bids


@pytest.mark.parametrize("stem", C2_BIDS)
def test_each_v11_bid_reads_back_from_excel_as_written(stem):
    """YAML -> xlsx -> mapping gives the YAML mapping back: sudo's block rates (`{block: 2,
    price: 4}`), nordic's and pooly's caps, the line fees and sudo's minimum monthly spend."""
    raw = yaml_bid(stem)
    assert read_bid_xlsx(xlsx_of(raw), f"{stem}.xlsx") == raw


def test_the_excel_bids_are_the_same_bid_objects(tmp_path):
    yaml_tender, excel_tender = load_tender(C2), load_tender(excel_folder(tmp_path))
    assert [b.id for b in excel_tender.bids] == C2_BIDS
    assert all(b.file.endswith(".xlsx") for b in excel_tender.bids)
    for y, x in zip(yaml_tender.bids, excel_tender.bids, strict=True):
        assert (x.id, x.spec, x.raw) == (y.id, y.spec, y.raw)
    sudo = excel_tender.bid("sudo").spec
    assert sudo.plans[0].rates["data_gb"].block == 2 and sudo.plans[0].rates["data_gb"].price == 4
    assert sudo.fees.minimum_monthly_spend == 3050
    nordic = excel_tender.bid("nordic").spec
    assert nordic.plans[0].caps == {"data_gb": 12, "roam_world_data_gb": 10}
    assert nordic.fees.per_line_monthly == 0.35


def test_an_excel_folder_evaluates_byte_identically_and_to_the_cent(tmp_path):
    """`evaluate --json` on the sample with every bid in Excel prints exactly what the YAML
    folder prints, and agrees with the independent expected.json to the cent."""
    excel = evaluate_json(excel_folder(tmp_path))
    assert excel == evaluate_json(C2)
    actual = json.loads(excel)
    _compare(actual, json.loads((C2 / "expected.json").read_text()))
    breakdown = {b["id"]: b["cost_breakdown"] for b in actual["bids"]}
    assert breakdown["nordic"]["line_fees"] > 0 and breakdown["sudo"]["minimum_spend"] > 0


@pytest.mark.parametrize("stem", C2_BIDS)
def test_round_trip_xlsx_yaml_xlsx(tmp_path, stem):
    """xlsx -> YAML -> xlsx: the same mapping at every step, and from the second workbook on
    the same bytes (a fixed point: numbers read back from Excel are written back alike)."""
    first, back, second, again, third = (tmp_path / n for n in ("1.xlsx", "1.yaml", "2.xlsx", "2.yaml", "3.xlsx"))
    convert(C2 / "bids" / f"{stem}.yaml", C2, first)
    convert(first, C2, back)
    assert strip_nulls(read_yaml_mapping(back, str(back))) == yaml_bid(stem)
    convert(back, C2, second)
    assert read_bid_xlsx(second.read_bytes(), str(second)) == read_bid_xlsx(first.read_bytes(), str(first))
    convert(second, C2, again)
    convert(again, C2, third)
    assert third.read_bytes() == second.read_bytes()


def test_terms_typed_into_the_empty_template_read_as_the_yaml_bid(tmp_path):
    """An operator typing sudo's and nordic's offers into the buyer's template (not written by
    `convert`) gives their YAML bids: a block size beside the rate, caps, the new fee rows."""
    path = tmp_path / "schedule.xlsx"
    write_template(load_tender(C2), path)
    blank = path.read_bytes()
    sudo = edited(blank, Bid_C2="Sud Operateur", Plans_A2="s-5", Plans_C2=10.5,
                  Plans_D2="Unlimited", Plans_H2=5, Plans_I2=4, Plans_J2=2, Plans_L2=0.5, Plans_M2=5, Plans_N2=0.5,
                  Offer_D2="s-5", Offer_D3="s-5", Fees_C2=1500, Fees_C3=2, Fees_C7=3000, Fees_C9=3050,
                  Service_F2="yes")
    assert read_bid_xlsx(sudo, "sudo.xlsx") == yaml_bid("sudo")
    nordic = edited(blank, Bid_C2="Nordic Mobile", Plans_A2="n-std", Plans_C2=9, Plans_D2="unlimited",
                    Plans_H2=2, Plans_I2=1.5, Plans_K2=12, Plans_L2=0, Plans_M2=6, Plans_O2=10,
                    Offer_D2="n-std", Offer_D3="n-std", Fees_C5=40, Fees_C6=2, Fees_C8=0.35, Service_F2=True)
    assert read_bid_xlsx(nordic, "nordic.xlsx") == yaml_bid("nordic")


def test_a_schedule_filled_in_the_v1_layout_still_reads(tmp_path):
    """A workbook from before v1.1 (no block or cap columns, no line-fee or minimum-spend rows)
    reads as before: the columns are found by their headers."""
    raw = strip_nulls(read_yaml_mapping(EXAMPLE / "bids" / "telvia.yaml", "telvia.yaml"))
    buffer = io.BytesIO()
    write_bid_xlsx(raw, tender_for(EXAMPLE), buffer)
    wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    plans = wb["Plans"]
    for col in range(plans.max_column, 3, -1):  # right to left, so that the letters do not shift
        if str(plans.cell(1, col).value).split(" ")[1] in ("block", "cap"):
            plans.delete_cols(col)
    assert [c.value.split(" (")[0] for c in plans[1]][3:7] == ["voice_min allowance", "voice_min rate",
                                                               "sms allowance", "sms rate"]
    wb["Fees"].delete_rows(8, 2)
    out = io.BytesIO()
    wb.save(out)
    assert read_bid_xlsx(out.getvalue(), "telvia.xlsx") == raw


# --------------------------------------------------------------------------- errors name the cell


def test_a_block_size_must_be_above_zero():
    bad = edited(xlsx_of(yaml_bid("sudo")), Plans_J2=0)
    assert problems_of(bad) == [("Plans!J2", "data_gb block must be a number > 0 (got 0)")]
    assert yaml_problems({**yaml_bid("sudo"), "plans": [{"id": "s", "monthly_fee": 1,
                                                         "rates": {"data_gb": {"block": 0, "price": 4}}}]}) == [
        ("plans.0.rates.data_gb.block", "Input should be greater than 0 (got 0)")]


def test_a_block_size_without_a_price_names_the_rate_cell():
    """YAML refuses `{block: 2}` without `price`; Excel refuses the block size without a rate,
    naming the rate cell to fill."""
    bad = edited(xlsx_of(yaml_bid("sudo")), Plans_I2=None)
    assert problems_of(bad) == [
        ("Plans!I2", "data_gb rate is missing: a block size (Plans!J2) needs its price per block in the rate column")]
    raw = yaml_bid("sudo")
    raw["plans"][0]["rates"]["data_gb"] = {"block": 2}
    assert yaml_problems(raw) == [("plans.0.rates.data_gb.price", "required field is missing")]


def test_a_cap_must_be_a_number_at_least_zero():
    bad = edited(xlsx_of(yaml_bid("nordic")), Plans_K2=-1)
    assert problems_of(bad) == [("Plans!K2", "data_gb cap must be a number ≥ 0 (got -1)")]


@pytest.mark.parametrize(("stem", "cell", "component", "words"), [
    ("sudo", "Plans_K2", "data_gb", "has a block rate"),  # a cap on a block rate
    ("pooly", "Plans_K2", "data_gb", "is pooled"),  # a cap on a pooled component
    ("nordic", "Plans_G2", "voice_min", "has no rate in this plan"),  # a cap on a component without a rate
], ids=["on-a-block-rate", "on-a-pooled-component", "without-a-rate"])
def test_a_cap_the_model_refuses_gets_the_yaml_message_at_its_cell(stem, cell, component, words):
    """The rule is the model's (`scoring.model.BidFile`): the Excel bid gets the message the
    same YAML bid gets at `plans.0.caps.<component>`, at the cap's cell."""
    bad = edited(xlsx_of(yaml_bid(stem)), **{cell: 5})
    raw = yaml_bid(stem)
    raw["plans"][0].setdefault("caps", {})[component] = 5
    [(field, message)] = yaml_problems(raw)
    assert field == f"plans.0.caps.{component}" and words in message
    assert problems_of(bad) == [(cell.replace("_", "!"), message)]


def test_a_cap_beyond_the_bound_of_amounts_gets_the_yaml_message_at_its_cell():
    bad = edited(xlsx_of(yaml_bid("nordic")), Plans_O2=1e13)
    raw = yaml_bid("nordic")
    raw["plans"][0]["caps"]["roam_world_data_gb"] = 10**13  # as Excel gives it back: an integer
    [(field, message)] = yaml_problems(raw)
    assert field == "plans.0.caps.roam_world_data_gb"
    assert problems_of(bad) == [("Plans!O2", message)]


def test_a_line_fee_must_be_a_number_at_least_zero():
    bad = edited(xlsx_of(yaml_bid("nordic")), Fees_C8=-0.35)
    assert problems_of(bad) == [("Fees!C8", "line fee must be a number ≥ 0 (got -0.35)")]


def test_a_minimum_monthly_spend_must_be_a_number():
    bad = edited(xlsx_of(yaml_bid("sudo")), Fees_C9="3050 EUR")
    assert problems_of(bad) == [("Fees!C9", "minimum monthly spend must be a number ≥ 0 (got '3050 EUR')")]


def test_an_inconsistent_excel_bid_fails_the_tender_load_naming_file_and_cell(tmp_path):
    copy = excel_folder(tmp_path)
    path = copy / "bids" / "sudo.xlsx"
    path.write_bytes(edited(path.read_bytes(), Plans_K2=5))
    with pytest.raises(TenderError) as info:
        load_tender(copy)
    [problem] = info.value.problems
    assert problem.file.endswith("bids/sudo.xlsx") and problem.field == "Plans!K2"
    assert "has a block rate" in problem.message


# --------------------------------------------------------------------------- the template


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> openpyxl.Workbook:
    path = tmp_path_factory.mktemp("template") / "schedule.xlsx"
    write_template(load_tender(C2), path)
    return openpyxl.load_workbook(path)


def test_the_template_has_a_block_and_a_cap_column_per_component(template):
    plans = template["Plans"]
    heads = [c.value for c in plans[1]]
    assert heads[3:] == [
        "voice_min allowance (min/line/month, a number or unlimited)",
        "voice_min rate (EUR/min beyond the allowance, excl. VAT)",
        "voice_min block (min per block; empty = rate per min)",
        "voice_min cap (EUR/line/month at most, excl. VAT)",
        "data_gb allowance (GB/line/month, a number or unlimited)",
        "data_gb rate (EUR/GB beyond the allowance, excl. VAT)",
        "data_gb block (GB per block; empty = rate per GB)",
        "data_gb cap (EUR/line/month at most, excl. VAT)",
        "roam_world_data_gb allowance (GB/line/month, a number or unlimited)",
        "roam_world_data_gb rate (EUR/GB beyond the allowance, excl. VAT)",
        "roam_world_data_gb block (GB per block; empty = rate per GB)",
        "roam_world_data_gb cap (EUR/line/month at most, excl. VAT)",
    ]
    assert all(not plans[f"{col}2"].protection.locked for col in "DEFGHIJKLMNO")
    rules = {str(dv.sqref): dv for dv in plans.data_validations.dataValidation}
    block, cap = rules["J2:J31"], rules["K2:K31"]
    assert (block.type, block.operator, block.formula1) == ("decimal", "greaterThan", "0")
    assert "price per started block" in block.prompt and "Formulas are not accepted" in block.error
    assert (cap.type, cap.operator, cap.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert "the most the rate charges a line" in cap.prompt and "pooled" in cap.prompt
    assert "per started block when the data_gb block column is filled" in rules["I2:I31"].prompt


def test_the_template_has_the_new_fee_rows_and_explains_the_terms(template):
    fees = template["Fees"]
    assert [fees[f"A{r}"].value for r in (8, 9)] == ["per_line_monthly", "minimum_monthly_spend"]
    assert fees["B8"].value.startswith("Line fee (EUR per line per month")
    assert fees["B9"].value.startswith("Minimum monthly spend (EUR/month, indexed")
    assert not fees["C8"].protection.locked and not fees["C9"].protection.locked
    rules = {str(dv.sqref): dv for dv in fees.data_validations.dataValidation}
    assert rules["C8"].operator == rules["C9"].operator == "greaterThanOrEqual"
    text = " ".join(str(c.value) for c in template["Instructions"]["A"])
    assert "Block rates and caps" in text and "block 2, rate 10" in text and "rate 1, cap 20" in text
    assert "minimum monthly spend" in text and "line fee" in text.lower()


# --------------------------------------------------------------------------- nothing lost silently


def test_convert_refuses_a_value_the_schedule_cannot_carry():
    """Before v1.1 the schedule had no cap or line-fee cell and `convert` dropped them silently
    (nordic costed less in Excel than in YAML). A value that does not read back as written is
    now refused, naming its field: here what a schedule without those cells would read."""
    from scoring.excel.conversion import check_carried

    raw = yaml_bid("nordic")
    check_carried(raw, read_bid_xlsx(xlsx_of(raw), "nordic.xlsx"), "nordic.yaml")  # all carried
    v1_read = {**raw, "plans": [{k: v for k, v in raw["plans"][0].items() if k != "caps"}],
               "fees": {"account_monthly": 40}}
    with pytest.raises(TenderError) as info:
        check_carried(raw, v1_read, "nordic.yaml")
    assert [(p.field, p.message) for p in info.value.problems] == [
        (field, "the Excel schedule has no cell for this value, so it would be lost: keep this bid in YAML")
        for field in ("plans.0.caps", "fees.per_line_monthly")]


def test_the_template_of_a_tender_with_tax_says_amounts_exclude_it(template):
    """The sample's tender.yaml has `non_recoverable_tax_percent: 20`: prices are typed without
    it (the evaluation adds it); a tender without it says nothing (tests/test_excel.py)."""
    text = [str(c.value) for c in template["Instructions"]["A"]]
    assert "The buyer cannot recover a 20% tax on operator charges: type every amount without it (caps " \
           "included); the evaluation adds it to every charge." in text
