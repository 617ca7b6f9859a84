"""The Invoice audit page's facade (monitoring/api.py): a contract folder read from disk or from
an uploaded zip gives the same audit as `python -m monitoring audit` (monitoring.audit.
audit_folder); an upload is checked as a tender's is (scoring.archive: paths leaving the
folder, a file twice, size limits) and must hold its tender; the page's aggregates add up
and the billing accuracy of each month is computed from the sample's own files and
expected.json, apart from this code."""

from __future__ import annotations

import io
import json
import zipfile

import pandas as pd
import pytest
import yaml

from monitoring import api
from monitoring.api import ContractFiles, bundled_contracts, open_contract, summary
from monitoring.audit import audit_folder
from scoring import archive
from scoring.archive import zip_of
from scoring.errors import TenderError

from conftest import DATA, write_files

SAMPLE = DATA / "m1-contract"
EXPECTED = json.loads((SAMPLE / "expected.json").read_text())["audit"]
KEY = b"monitoring-api-test-key-32-bytes!"


def sample_files() -> dict[str, bytes]:
    return {p.relative_to(SAMPLE).as_posix(): p.read_bytes() for p in sorted(SAMPLE.rglob("*")) if p.is_file()}


def refused(ask, *args) -> list[str]:
    with pytest.raises(TenderError) as info:
        ask(*args)
    return [f"{p.file}: {p.field}: {p.message}" for p in info.value.problems]


@pytest.fixture(scope="module")
def from_folder():
    return open_contract(ContractFiles.of_folder(SAMPLE), KEY)


def test_a_zip_upload_gives_the_folders_audit(from_folder):
    """The sample zipped under one top folder (stripped, as for a tender) and read from memory:
    the same Audit as the folder on disk and as audit_folder, the command line's function."""
    upload = ContractFiles.of_uploads(zip_of(sample_files(), "m1-contract"), "m1-contract.zip")
    assert upload.name == "m1-contract" and "tender/c1-sample/tender.yaml" in upload.files
    zipped = open_contract(upload, KEY)
    assert zipped.audit == from_folder.audit == audit_folder(SAMPLE, KEY)
    assert zipped.line_periods == from_folder.line_periods
    assert abs(zipped.audit.billed - 18825.62) < 0.005 and abs(zipped.audit.claimed - 10617.61) < 0.005


def test_the_digest_follows_the_content():
    files = sample_files()
    one = ContractFiles.of_uploads(zip_of(files, "m1-contract"), "a.zip")
    assert one.digest == ContractFiles.of_uploads(zip_of(files, "other-top"), "b.zip").digest
    files["invoices/facture_2027-12.csv"] += b"\n"
    assert ContractFiles.of_uploads(zip_of(files, "m1-contract"), "a.zip").digest != one.digest
    assert ContractFiles.of_folder(SAMPLE).digest == ContractFiles.of_folder(SAMPLE).digest


def test_errors_of_an_upload_name_its_files_as_the_command_line_does(tmp_path):
    """A bad amount in an invoice: the same problem from the zip as from the folder on disk
    (file named after the zip, as the command line names the folder it is given)."""
    files = sample_files()
    text = files["invoices/facture_2027-05.csv"].decode("utf-8").split("\n")
    cells = text[1].split(";")
    cells[10] = "douze"
    text[1] = ";".join(cells)
    files["invoices/facture_2027-05.csv"] = "\n".join(text).encode("utf-8")
    folder = tmp_path / "m1-contract"
    write_files(folder, files)
    on_disk = refused(audit_folder, folder, KEY)
    from_zip = refused(open_contract, ContractFiles.of_uploads(zip_of(files, "m1-contract"), "m1-contract.zip"), KEY)
    assert from_zip == [p.replace(str(folder), "m1-contract") for p in on_disk]
    assert from_zip[0].startswith("m1-contract/invoices/facture_2027-05.csv: row 2, column Montant HT: ")


@pytest.mark.parametrize("tender", ["../../tenders/conseil-2027", "/etc", "tender/../../x", "C:/tenders/x"])
def test_the_tender_must_be_inside_the_upload(tender):
    files = sample_files()
    spec = yaml.safe_load(files["contract.yaml"])
    spec["tender"] = tender
    files["contract.yaml"] = yaml.safe_dump(spec, allow_unicode=True).encode()
    upload = ContractFiles.of_uploads(zip_of(files, "m1"), "m1.zip")
    assert refused(open_contract, upload, KEY) == [
        f"m1/contract.yaml: tender: must be a folder inside the uploaded contract folder, such as tender/, got "
        f"'{tender}'"]


def test_a_zip_entry_leaving_the_folder_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("contract.yaml", "tender: tender\n")
        z.writestr("../invoices/evil.csv", "a;b\n")
    assert refused(ContractFiles.of_uploads, buffer.getvalue(), "c.zip") == [
        "c.zip: ../invoices/evil.csv: a path outside the tender folder is not allowed"]


def test_a_file_twice_in_the_zip_is_refused():
    """Two entries for one invoice (here differing only in case) would silently replace each other."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("contract.yaml", "tender: tender\n")
        z.writestr("invoices/f.csv", "a;b\n")
        z.writestr("invoices/F.csv", "a;c\n")
    [problem] = refused(ContractFiles.of_uploads, buffer.getvalue(), "c.zip")
    assert problem.startswith("c.zip: invoices/F.csv: invoices/F.csv is in the zip twice")


def test_size_limits_and_non_zips_are_refused(monkeypatch):
    monkeypatch.setattr(archive, "MAX_EXPORT_BYTES", 1000)
    [problem] = refused(ContractFiles.of_uploads, zip_of(sample_files(), "m1"), "m1.zip")
    assert "over the 1,000-byte limit" in problem
    assert refused(ContractFiles.of_uploads, b"not a zip", "m1.zip") == ["m1.zip: (file): not a zip file"]
    assert refused(ContractFiles.of_uploads, b"x", "contract.yaml") == [
        "contract.yaml: (file): upload the contract folder as one zip (contract.yaml, inventory.csv, invoices/ and "
        "the tender folder)"]


def test_billing_accuracy_of_each_month_from_the_samples_files(from_folder):
    """Each month's billed line-periods are the distinct phone numbers of its invoice rows (read
    here with pandas from the sample's CSVs), its line-periods with a finding the distinct
    (line_raw, period) of expected.json's findings: 2027-04 has 68 billed lines, 2 with a
    finding (97.06 %); all months together 625 and 27, the README's 598 of 625 (0.956800)."""
    rows = pd.concat([pd.read_csv(p, sep=";", dtype=str) for p in sorted((SAMPLE / "invoices").glob("*.csv"))])
    rows = rows.dropna(subset=["Numéro d'appel"])
    billed = rows.drop_duplicates(["Numéro d'appel", "Période facturée"]).groupby("Période facturée").size()
    marked = {(f["line_raw"], f["period"]) for f in EXPECTED["findings"] if f["line_raw"] is not None}
    bad = pd.Series([p for _, p in marked]).value_counts()
    table = summary(from_folder).accuracy.set_index("period")
    assert list(table.index) == EXPECTED["periods"]
    for period in EXPECTED["periods"]:
        assert table.loc[period, "line_periods"] == billed[period]
        assert table.loc[period, "with_finding"] == bad.get(period, 0)
        assert table.loc[period, "accuracy"] == pytest.approx(1 - bad.get(period, 0) / billed[period])
    assert (table.loc["2027-04", "line_periods"], table.loc["2027-04", "with_finding"]) == (68, 2)
    assert table["line_periods"].sum() == 625 and table["with_finding"].sum() == 27
    assert 1 - 27 / 625 == pytest.approx(from_folder.audit.billing_accuracy, abs=1e-12)


def test_the_entity_split_adds_up_and_unused_lines_are_savings(from_folder):
    """README: siege 9727.87 / 6144.53, depots 8992.39 / 2064.15, unassigned 105.36 / 6.37 —
    adding up to billed 18825.62 and expected 8215.04; three unused lines at 14.10 a month
    save 42.30 a month."""
    s = summary(from_folder)
    table = s.by_entity.set_index("entity")
    for entity, (billed, expected) in {"siege": (9727.87, 6144.53), "depots": (8992.39, 2064.15),
                                       "unassigned": (105.36, 6.37)}.items():
        assert table.loc[entity, "billed"] == pytest.approx(billed, abs=0.005)
        assert table.loc[entity, "expected"] == pytest.approx(expected, abs=0.005)
    assert table["billed"].sum() == pytest.approx(18825.62, abs=0.005)
    assert table["expected"].sum() == pytest.approx(8215.04, abs=0.005)
    assert list(table["name"][:2]) == ["Siège", "Dépôts"]
    assert s.n_unused == 3 and s.unused_monthly == pytest.approx(3 * 14.10)
    assert summary(from_folder, shown=2).unused == from_folder.audit.unused_lines[:2]


def test_bundled_contracts_are_the_folders_with_a_contract_yaml(tmp_path, monkeypatch):
    for name in ("b-contract", "a-contract"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "contract.yaml").write_text("tender: x\n")
    (tmp_path / "notes").mkdir()
    monkeypatch.setattr(api, "CONTRACTS", tmp_path)
    assert [p.name for p in bundled_contracts()] == ["a-contract", "b-contract"]
    monkeypatch.setattr(api, "CONTRACTS", tmp_path / "missing")
    assert bundled_contracts() == []


def test_no_raw_phone_number_in_the_audit_or_its_aggregates(from_folder):
    numbers = {f["line_raw"] for f in EXPECTED["findings"] if f["line_raw"]}
    assert numbers
    s = summary(from_folder)
    text = json.dumps(from_folder.audit.as_json()) + s.by_entity.to_json() + s.accuracy.to_json() + repr(s.unused)
    assert not [n for n in numbers if n in text or n[1:] in text]


def test_a_memory_folder_cannot_be_left():
    from monitoring.memory import MemoryFolder

    root = MemoryFolder({"a/b.csv": b"1", "c.yaml": b"2"}, "up")
    assert (root / "a" / "b.csv").read_bytes() == b"1" and str(root / "a/b.csv") == "up/a/b.csv"
    assert [p.name for p in root.iterdir()] == ["a", "c.yaml"]
    assert not (root / ".." / "up" / "c.yaml").is_file() and not (root / "..").is_dir()
    with pytest.raises(FileNotFoundError):
        (root / "../c.yaml").read_bytes()
