"""AppTest of the Invoice audit page (docs/app.md §5c, docs/invoice-audit.md) on the shared
conformance sample m1-contract, whose README key figures were computed apart from this code
(billed 18825.62, expected 8215.04, claimed 10617.61, accuracy 598 of 625 line-months; by
entity siege 9727.87 / 6144.53, depots 8992.39 / 2064.15, unassigned 105.36 / 6.37; three
unused lines at 14.10): the page renders in English and French, shows those totals, an entity
table that adds up and charts drawing the same figures, caps the claims table with a count,
finds a bundled contract by listing ``contracts/*/contract.yaml``, shows a bad upload's errors
in the error table with the command line's messages, and sends no raw phone number to the
browser."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import yaml
from streamlit.testing.v1 import AppTest

from monitoring import api as monitoring_api
from monitoring.api import ContractFiles, open_contract
from reports import formats as i18n
from scoring.archive import zip_of

from conftest import DATA, chart_specs, folder_files, frame_with, protos, run_cli, write_files

SAMPLE = DATA / "m1-contract"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text())["audit"]
TITLE = {"en": "Invoice audit", "fr": "Audit des factures"}
# README key figures of the sample
BILLED, EXPECTED_TOTAL, CLAIMED = 18825.62, 8215.04, 10617.61
BY_ENTITY = {"Siège": (9727.87, 6144.53), "Dépôts": (8992.39, 2064.15)}
UNASSIGNED = {"en": "Lines not in the inventory", "fr": "Lignes hors inventaire"}, (105.36, 6.37)


def run_page() -> None:
    from ui import audit_page

    audit_page.render()


def page(lang: str = "en", source: ContractFiles | None = None) -> AppTest:
    at = AppTest.from_function(run_page, default_timeout=120)
    at.session_state["lang"] = lang
    at.session_state["audit_source"] = source or ContractFiles.of_folder(SAMPLE)
    return at






def parse_money(text: str, lang: str) -> float:
    digits = text.replace("€", "").replace("\u202f", "").replace("\xa0", "").replace("−", "-").strip()
    return float(digits.replace(",", "") if lang == "en" else digits.replace(",", "."))






@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_renders_with_the_samples_totals(lang):
    """The metrics are the README's totals, to the cent, in the language's format."""
    at = page(lang).run()
    assert not at.exception, at.exception
    assert at.title[0].value == TITLE[lang]
    shown = [m.value for m in at.metric]
    assert shown[:3] == [i18n.money(x, lang, decimals=2) for x in (BILLED, EXPECTED_TOTAL, CLAIMED)]
    assert shown[3] == i18n.percent(598 / 625, lang, 1)  # 95.7%
    assert shown[4] == "2028-05-05"  # the month-1 invoice's date, 2027-05-05, plus one year
    assert len(at.get("plotly_chart")) == 4
    assert not at.error


def test_the_totals_are_the_audits():
    at = page().run()
    audit = open_contract(ContractFiles.of_folder(SAMPLE)).audit
    assert [m.value for m in at.metric][:4] == [i18n.money(audit.billed, "en", decimals=2),
                                                i18n.money(audit.expected, "en", decimals=2),
                                                i18n.money(audit.claimed, "en", decimals=2),
                                                i18n.percent(audit.billing_accuracy, "en", 1)]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_entity_table_adds_up(lang):
    at = page(lang).run()
    entity = "Entity" if lang == "en" else "Entité"
    billed, expected = ("Billed", "Expected") if lang == "en" else ("Facturé", "Attendu")
    frame = frame_with(at, entity).set_index(entity)
    rows = {**BY_ENTITY, UNASSIGNED[0][lang]: UNASSIGNED[1]}
    assert list(frame.index) == [*rows, "Total"]
    for name, (b, x) in rows.items():
        assert frame.loc[name, billed] == i18n.money(b, lang, decimals=2)
        assert frame.loc[name, expected] == i18n.money(x, lang, decimals=2)
    assert frame.loc["Total", billed] == i18n.money(BILLED, lang, decimals=2)
    assert frame.loc["Total", expected] == i18n.money(EXPECTED_TOTAL, lang, decimals=2)
    for column, total in ((billed, BILLED), (expected, EXPECTED_TOTAL)):
        parts = sum(parse_money(v, lang) for v in frame[column].iloc[:-1])
        assert parts == pytest.approx(total, abs=0.015)  # three rounded rows add up to the rounded total


def test_the_charts_draw_the_pages_figures():
    """Entity chart: billed and contract price per entity (README); accuracy chart: 2027-04 has
    2 of its 68 billed lines with a finding (test_monitoring_api pins these from the files);
    claims by category: the missing month-1 migration credit, 6000.00, is the largest claim."""
    shown = chart_specs(page().run())
    entities = shown["Billed vs the contract price, per entity"]
    billed, expected = entities["data"]
    assert billed["name"] == "Billed" and expected["name"] == "Contract price"
    assert billed["y"] == pytest.approx([9727.87, 8992.39, 105.36], abs=0.005)
    assert expected["y"] == pytest.approx([6144.53, 2064.15, 6.37], abs=0.005)
    [accuracy] = shown["Billing accuracy per month"]["data"]
    assert accuracy["x"] == EXPECTED["periods"] and accuracy["y"][0] == pytest.approx(100 * 66 / 68)
    [by_category] = shown["What to claim, by category"]["data"]
    assert max(by_category["x"]) == pytest.approx(6000.0)
    assert sum(by_category["x"]) == pytest.approx(CLAIMED, abs=0.005)
    [by_month] = shown["What to claim, by month billed"]["data"]
    assert by_month["x"] == EXPECTED["periods"] and sum(by_month["y"]) == pytest.approx(CLAIMED, abs=0.005)


def test_the_claims_table_is_capped_with_a_count(monkeypatch):
    """32 claims in the sample (expected.json's findings with claim true); at most SHOWN are
    sent to the browser, nearest deadline first, and the caption counts them all."""
    from ui import api

    claims = [f for f in EXPECTED["findings"] if f["claim"]]
    at = page().run()
    full = frame_with(at, "Evidence (file:line)")
    assert len(full) == len(claims) == 32
    assert list(full["Deadline"]) == sorted(full["Deadline"])
    assert full["Claimed"][0] == i18n.money(6000.0, "en", decimals=2) and full["Line (pseudonym)"][0] == "(account)"
    monkeypatch.setattr(api, "SHOWN", 5)
    api._audit_claims.clear()
    try:
        at = page().run()
        assert len(frame_with(at, "Evidence (file:line)")) == 5
        assert any(c.value.startswith("The 5 claims with the nearest deadlines, of 32") for c in at.caption)
    finally:
        api._audit_claims.clear()


def test_the_bundled_contract_is_found_by_listing_contracts(tmp_path, monkeypatch):
    at = AppTest.from_function(run_page, default_timeout=120)
    monkeypatch.setattr(monitoring_api, "CONTRACTS", tmp_path)
    at.run()
    assert not at.exception and "No bundled contract" in at.info[0].value
    shutil.copytree(SAMPLE, tmp_path / "m1-contract")
    at.run()
    assert not at.exception, at.exception
    assert at.metric[0].value == i18n.money(BILLED, "en", decimals=2)


def test_a_bad_upload_shows_the_error_table_with_the_command_lines_messages(tmp_path):
    """An unknown entity in the inventory (row 3): the page's error table has exactly the
    lines `python -m monitoring audit` prints for the same folder (named as the zip)."""
    files = folder_files(SAMPLE)
    inventory = files["inventory.csv"].decode().split("\n")
    inventory[2] = inventory[2].replace(",siege,", ",marseille,").replace(",depots,", ",marseille,")
    files["inventory.csv"] = "\n".join(inventory).encode()
    folder = tmp_path / "broken"
    write_files(folder, files)
    run = run_cli("monitoring", "audit", "broken", cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("error: broken/inventory.csv: row 3, column Centre de coût: ")
    at = page().run()
    at.file_uploader(key="audit_upload").set_value(("broken.zip", zip_of(files, "broken"), "application/zip")).run()
    assert not at.exception, at.exception
    errors = frame_with(at, "problem")
    assert [f"error: {f}: {d}: {p}" for f, d, p in zip(errors["file"], errors["field"], errors["problem"])] == \
        run.stderr.strip().split("\n")
    assert at.error[0].value == "The contract folder has errors; nothing was audited."
    assert not at.metric


def test_an_unreadable_zip_keeps_the_contract_in_use():
    at = page().run()
    at.file_uploader(key="audit_upload").set_value(("bad.zip", b"not a zip", "application/zip")).run()
    assert not at.exception, at.exception
    errors = frame_with(at, "problem")
    assert list(errors["file"]) == ["bad.zip"] and list(errors["problem"]) == ["not a zip file"]
    assert at.error[0].value.startswith("This upload could not be read")
    assert at.metric[0].value == i18n.money(BILLED, "en", decimals=2)


def test_an_uploaded_zip_is_audited_as_the_folder():
    files = folder_files(SAMPLE)
    spec = yaml.safe_load(files["contract.yaml"])
    assert spec["tender"] == "tender/c1-sample"
    at = page().run()
    at.file_uploader(key="audit_upload").set_value(("m1.zip", zip_of(files, "m1"), "application/zip")).run()
    assert not at.exception, at.exception
    assert "Contract **m1**" in at.markdown[0].value
    assert [m.value for m in at.metric][:3] == [i18n.money(x, "en", decimals=2) for x in (BILLED, EXPECTED_TOTAL, CLAIMED)]


def test_no_raw_phone_number_reaches_the_browser():
    """Every number of the sample's inventory and invoices, in its national and +33 forms, is
    absent from every element the page sends (texts, tables' Arrow bytes, charts' JSON), in
    both languages; lines are shown by pseudonym."""
    numbers = set(re.findall(r"(?<!\d)0[67]\d{8}(?!\d)", "".join(d.decode() for p, d in folder_files(SAMPLE).items()
                                                                if p.endswith(".csv") and "tender/" not in p)))
    assert len(numbers) > 70
    forms = {f for n in numbers for f in (n, "+33" + n[1:], "33" + n[1:])}
    token = re.compile(rb"\+?\d{9,11}")
    assert {m.decode() for m in token.findall((SAMPLE / "inventory.csv").read_bytes())} & forms  # the scan finds them
    seen = 0
    for lang in ("en", "fr"):
        at = page(lang).run()
        for proto in protos(at._tree):
            sent = proto.SerializeToString()
            seen += len(sent)
            assert not {m.decode() for m in token.findall(sent)} & forms, lang
        assert frame_with(at, "N°" if lang == "fr" else "No.").iloc[1, 4].startswith("L-")
    assert seen > 50_000


def test_the_downloads_are_the_claim_workbook_and_letter():
    from ui import api

    result = open_contract(ContractFiles.of_folder(SAMPLE))
    assert api.claims_workbook_bytes(result, "fr")[:2] == b"PK"
    assert api.claims_letter_bytes(result, "en")[:5] == b"%PDF-"
    at = page().run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download the claim workbook (Excel)", "Download the claim letter (PDF)"]
