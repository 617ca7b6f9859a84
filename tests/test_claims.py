"""The claims sent to the operator (docs/invoice-audit.md, "The claims"): the claim workbook
(`reports.claims.claims_workbook`), the claim letter (`reports.claims_letter.claims_letter`)
and ``python -m monitoring claims``, on the shared conformance sample tests/data/m1-contract.

Every figure pinned here comes from the sample, not from the code under test: the README's key
figures (40 findings; the sample's table of findings marks 32 of them as claims — its 7
zero-amount rows and the −7.05 under-billing are not — claimed 10 617.61) and expected.json's findings, whose claims (``claim: true``)
are grouped here by category, period and deadline to give the expected totals.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import math
import re
import shutil
import subprocess
import sys
import zipfile
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from monitoring.audit import audit_folder
from monitoring.contract import read_contract
from reports.claims import ClaimParties, claims_workbook
from reports.claims_letter import LIST_IN_LETTER, claims_letter
from reports.text import t

from conftest import DATA, ROOT

SAMPLE = DATA / "m1-contract"
CLAIMED = 10617.61  # README.md's key figures
CREATED = dt.datetime(2028, 1, 15, 9, 0, tzinfo=dt.UTC)
HEAD = 2  # the header row of every table sheet (0-based), below a note and a blank row


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text())["audit"]


@pytest.fixture(scope="module")
def claims_expected(expected) -> list[dict]:
    return [f for f in expected["findings"] if f["claim"]]


@pytest.fixture(scope="module")
def sample():
    return audit_folder(SAMPLE), read_contract(SAMPLE)


@pytest.fixture(scope="module")
def books(sample) -> dict[str, bytes]:
    audit, contract = sample
    return {lang: claims_workbook(audit, contract, lang) for lang in ("en", "fr")}


@pytest.fixture(scope="module")
def letters(sample) -> dict[str, bytes]:
    audit, contract = sample
    return {lang: claims_letter(audit, contract, lang, created=CREATED) for lang in ("en", "fr")}


def _sheet(book: bytes, key: str, lang: str):
    return openpyxl.load_workbook(io.BytesIO(book))[t(key, lang)]


def _table(ws) -> list[tuple]:
    """The rows under the header (1-based row HEAD + 1), the total row included."""
    return [r for r in ws.iter_rows(min_row=HEAD + 2, values_only=True) if any(v not in (None, "") for v in r)]


def _pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    return re.sub(r"\s+", " ", text)  # no-break spaces and line breaks as one space


def _group(claims: list[dict], key: str) -> dict[str, tuple[int, float]]:
    out: dict[str, list[float]] = defaultdict(list)
    for f in claims:
        out[f[key]].append(f["difference"])
    return {k: (len(v), math.fsum(v)) for k, v in out.items()}


# --------------------------------------------------------------------------- the workbook


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_one_row_per_claim_with_its_evidence(books, claims_expected, lang):
    """32 claim rows (README: 40 findings, minus the 7 zero-amount rows and the −7.05
    under-billing, which are not claims: 40 − 8 = 32), adding up to 10 617.61; each
    row is one expected claim — same category, period, file and line, billed, expected,
    difference and deadline — and each expected claim is one row."""
    ws = _sheet(books[lang], "claims.sheet.claims", lang)
    header = [c.value for c in ws[HEAD + 1]]
    assert header[:3] == [t("claims.col.no", lang), t("claims.col.deadline", lang), t("claims.col.category", lang)]
    rows = _table(ws)
    total, rows = rows[-1], rows[:-1]
    assert len(rows) == len(claims_expected) == 32
    assert total[0] == t("claims.total", lang) and round(total[10], 2) == CLAIMED
    assert round(math.fsum(r[10] for r in rows), 2) == CLAIMED
    labels = {t(f"claims.category.{f['category']}", lang): f["category"] for f in claims_expected}
    got = {(labels[r[2]], r[4], f"{r[11]}:{r[12]}"): (r[8], r[9], r[10], r[1].date().isoformat(), r[3]) for r in rows}
    want = {(f["category"], f["period"], ",".join(f["rows"])): (f["billed"], f["expected"], f["difference"],
                                                                f["deadline"], f["invoice"]) for f in claims_expected}
    assert got.keys() == want.keys()
    for key, (billed, exp, diff, deadline, invoice) in want.items():
        g = got[key]
        assert g[0] == pytest.approx(billed, abs=0.01) and g[1] == pytest.approx(exp, abs=0.01), key
        assert g[2] == pytest.approx(diff, abs=0.01) and g[3] == deadline and g[4] == invoice, key
    deadlines = [r[1] for r in rows]
    assert deadlines == sorted(deadlines) and [r[0] for r in rows] == list(range(1, 33))  # nearest first, numbered


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_totals_per_category_period_and_deadline_add_up_to_the_claimed_amount(books, sample, claims_expected, lang):
    """Each table's rows are expected.json's claims grouped by category, period billed and
    deadline; each total row is the count and sum of the claims, the audit's ``claimed``
    (10 617.61) to the cent."""
    audit = sample[0]
    labels = {t(f"claims.category.{c}", lang): c for c in audit.by_category}
    cases = [("claims.sheet.by_category", "category", lambda v: labels[v], 2),
             ("claims.sheet.by_period", "period", lambda v: v, 1),
             ("claims.sheet.deadlines", "deadline", lambda v: v.date().isoformat(), 2)]
    for sheet, key, read, count_col in cases:
        rows = _table(_sheet(books[lang], sheet, lang))
        total, rows = rows[-1], rows[:-1]
        got = {read(r[0]): (r[count_col], r[count_col + 1]) for r in rows}
        want = _group(claims_expected, key)
        assert got.keys() == want.keys(), sheet
        for k, (n, amount) in want.items():
            assert got[k][0] == n and got[k][1] == pytest.approx(amount, abs=0.01), (sheet, k)
        assert total[count_col] == 32 and round(total[count_col + 1], 2) == CLAIMED, sheet
        assert round(math.fsum(r[count_col + 1] for r in rows), 2) == round(audit.claimed, 2) == CLAIMED, sheet
        assert math.fsum(r[count_col + 1] for r in rows) == pytest.approx(audit.claimed, abs=1e-6), sheet
    want = _group(claims_expected, "category")
    assert want["rate_not_applied"] == (7, pytest.approx(126.48856, abs=1e-6))  # its −7.05 is not claimed


def test_the_evidence_sheet_has_every_row_reference(books, claims_expected):
    rows = _table(_sheet(books["en"], "claims.sheet.evidence", "en"))
    assert sorted(f"{r[3]}:{r[4]}" for r in rows) == sorted(ref for f in claims_expected for ref in f["rows"])


def test_the_summary_names_the_parties_and_the_deadline_rule(books, sample):
    """Buyer from the sample tender's tender.yaml (``buyer: Sample Logistique SA``), operator
    from the awarded bid (README: Boréal Télécom), the README's billed and claimed totals."""
    ws = _sheet(books["fr"], "claims.sheet.summary", "fr")
    facts = {r[0]: r[1] for r in ws.iter_rows(values_only=True) if r[0]}
    assert facts[t("claims.fact.buyer", "fr")] == "Sample Logistique SA"
    assert facts[t("claims.fact.operator", "fr")] == "Boréal Télécom"
    assert round(facts[t("claims.fact.billed", "fr")], 2) == 18825.62
    assert round(facts[t("claims.fact.claimed", "fr")], 2) == CLAIMED
    assert facts[t("claims.fact.nearest", "fr")].date() == dt.date(2028, 5, 5)
    assert t("claims.rule", "fr") in facts and "L34-2" in t("claims.rule", "fr")
    money = ws.cell(row=[c.row for c in ws["A"] if c.value == t("claims.fact.claimed", "fr")][0], column=2)
    assert "€" in money.number_format and money.data_type == "n"


def _with_formula_like_invoice_numbers(tmp_path: Path) -> Path:
    folder = tmp_path / "m1"
    shutil.copytree(SAMPLE, folder)
    for name, old, new in (("facture_2027-12.csv", "F2712-04144", "=2712+4144"),
                           ("facture_2027-11.csv", "F2711-04127", "@SUM(1)")):
        path = folder / "invoices" / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return folder


def test_text_that_looks_like_a_formula_stays_text(tmp_path):
    """Invoice numbers written ``=2712+4144`` and ``@SUM(1)`` in the operator's files: the
    cells hold that text (type string, Excel's quote prefix), and no cell of the workbook is a
    formula."""
    folder = _with_formula_like_invoice_numbers(tmp_path)
    book = claims_workbook(audit_folder(folder), read_contract(folder), "en")
    wb = openpyxl.load_workbook(io.BytesIO(book))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value in ("=2712+4144", "@SUM(1)")]
    # Claims: 1 claim of December, 3 of November; Evidence: as many; Deadlines: one row each
    assert sorted(c.parent.title for c in cells) == sorted(["Claims"] * 4 + ["Evidence"] * 4 + ["Deadlines"] * 2)
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    with zipfile.ZipFile(io.BytesIO(book)) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_the_same_audit_gives_the_same_bytes(sample, books, letters):
    audit, contract = sample
    again = audit_folder(SAMPLE)
    for lang in ("en", "fr"):
        assert claims_workbook(again, ClaimParties.of(contract), lang) == books[lang]
        assert claims_letter(again, contract, lang, created=CREATED) == letters[lang]
    assert books["en"] != books["fr"] and letters["en"] != letters["fr"]


# --------------------------------------------------------------------------- the letter


@pytest.mark.parametrize("lang, total, rule", [
    ("en", "€10,617.61", "must be made within one year of payment"),
    ("fr", "10 617,61 €", "doit être faite dans un délai d'un an à compter du paiement"),
])
def test_the_letter_carries_the_total_and_the_deadline_rule(letters, lang, total, rule):
    """From the buyer to the operator (the sample's names), the total claimed (README), the
    per-category total of the largest category (fee_not_in_contract: 4 000.00 + 2.50 + 6.00 +
    4.90 + 2.00 = 4 015.40), the CPCE L34-2 rule and the nearest deadline (the April invoice,
    dated 2027-05-05, + 1 year); more than `LIST_IN_LETTER` claims: listed in the annex."""
    text = _pdf_text(letters[lang])
    assert "Sample Logistique SA" in text and "Boréal Télécom" in text
    assert text.count(total) >= 3  # the body, the category table's total, the deadlines' total
    assert ("€4,015.40" if lang == "en" else "4 015,40 €") in text
    assert "L34-2" in text and rule in text and "2028-05-05" in text
    assert 32 > LIST_IN_LETTER and re.sub(r"\s+", " ", t("claims.letter.annex", lang)) in text
    assert "facture_2027-10_rectificative.csv:3" in text.replace(" ", "")  # every claim, in the annex
    assert PdfReader(io.BytesIO(letters[lang])).metadata.creation_date.replace(tzinfo=dt.UTC) == CREATED


def test_a_short_letter_lists_the_claims_itself_and_a_clean_audit_claims_nothing(sample):
    audit, contract = sample
    few = dataclasses.replace(audit, findings=tuple(f for f in audit.findings if f.period == "2027-04"))
    text = _pdf_text(claims_letter(few, contract, "en", created=CREATED))
    assert t("claims.letter.list", "en") in text and t("claims.letter.annex", "en") not in text
    assert "€6,004.00" in text  # April: the 6 000.00 credit and two 2.00 SIM cards
    clean = dataclasses.replace(audit, findings=(), claimed=0.0)
    text = _pdf_text(claims_letter(clean, contract, "fr", created=CREATED))
    assert "Nous n'avons rien à réclamer" in text
    rows = _table(_sheet(claims_workbook(clean, contract, "fr"), "claims.sheet.by_category", "fr"))
    assert rows == [(t("claims.total", "fr"), None, 0, 0)]


# --------------------------------------------------------------------------- no phone number


def _raw_numbers(expected: dict) -> set[str]:
    """Every raw number of the sample: the inventory's and expected.json's (lines billed but
    not in the inventory), as their 9 significant digits."""
    inventory = (SAMPLE / "inventory.csv").read_text(encoding="utf-8").splitlines()[1:]
    raw = {row.split(",")[0] for row in inventory}
    raw |= {f["line_raw"] for f in expected["findings"] if f["line_raw"]}
    assert len(raw) > 70
    return {r[-9:] for r in raw}


def _digits_only(text: str) -> str:
    return re.sub(r"[\s.\-+()/\u00a0\u202f]", "", text)  # 06 01 …, 06.01…, +33 6 01 … as one run of digits


def test_no_phone_number_in_the_workbook_or_the_letter(books, letters, expected):
    numbers = _raw_numbers(expected)
    for lang in ("en", "fr"):
        wb = openpyxl.load_workbook(io.BytesIO(books[lang]))
        cells = " | ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)
        for text in (_digits_only(cells), _digits_only(_pdf_text(letters[lang]))):
            assert not [n for n in numbers if n in text]
        assert re.search(r"L-[0-9a-f]{16}", cells)  # lines are there, by pseudonym


# --------------------------------------------------------------------------- the command line


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitoring", *args], cwd=ROOT, capture_output=True, text=True,
                          check=False)


def test_the_command_writes_the_same_files_as_the_builders(tmp_path, books, letters):
    out = tmp_path / "out"
    run = _cli("claims", str(SAMPLE), "--out", str(out / "c.xlsx"), "--letter", str(out / "c.pdf"), "--lang", "fr",
               "--date", "2028-01-15")
    assert run.returncode == 0, run.stderr
    assert (out / "c.xlsx").read_bytes() == books["fr"]
    assert (out / "c.pdf").read_bytes() == claims_letter(audit_folder(SAMPLE), read_contract(SAMPLE), "fr",
                                                         created=dt.datetime(2028, 1, 15, tzinfo=dt.UTC))
    assert "32 réclamations" in run.stdout and "10\u202f617,61 EUR" in run.stdout and run.stderr == ""


@pytest.mark.parametrize("args, message", [
    (["--date", "2028-02-30"], r"error: --date: \(option\): not a date written YYYY-MM-DD: '2028-02-30'"),
    (["--folder"], r"error: .*nowhere: \(folder\): not a folder"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    folder = str(tmp_path / "nowhere") if args == ["--folder"] else str(SAMPLE)
    extra = [] if args == ["--folder"] else args
    run = _cli("claims", folder, "--out", str(tmp_path / "c.xlsx"), *extra)
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(message + ".*", lines[0]), run.stderr
    assert not (tmp_path / "c.xlsx").exists()


@pytest.mark.parametrize("lang, claimed, nearest", [
    ("en", "claimed (32 claims)", "2028-05-05  F2704-04008"),
    ("fr", "réclamé (32 réclamations)", "2028-05-05  F2704-04008"),
])
def test_the_audit_text_is_a_table_of_totals_categories_deadlines_and_entities(sample, lang, claimed, nearest):
    """The readable `audit`: totals (README: billed 18 825.62, expected 8 215.04, claimed
    10 617.61), the categories with their claims (rate_not_applied: 8 findings, 7 claims), the
    nearest deadline first, the entities (siege billed 9 727.87) and at most 20 claims listed."""
    from cli.monitoring import text

    out = text(sample[0], lang)
    amounts = {"en": ("18,825.62", "8,215.04", "10,617.61", "9,727.87"),
               "fr": ("18\u202f825,62", "8\u202f215,04", "10\u202f617,61", "9\u202f727,87")}[lang]
    assert all(a in out for a in amounts)
    assert claimed in out and re.search(r"rate_not_applied +8 +119[.,]44 +7 +126[.,]49", out)
    deadlines = out.split(t("audit.text.deadlines", lang))[1]
    assert deadlines.strip().splitlines()[1].strip().startswith(nearest)
    listed = out.split(t("audit.text.claims", lang, more=t("audit.text.claims_more", lang, shown=20, count=32)))[1]
    assert len(re.findall(r"^  20\d\d-\d\d-\d\d  20\d\d-\d\d ", listed, flags=re.M)) == 20
