"""Labels follow the tender (issue 14, item 4): what the amounts are stated in comes from one
function of the tender, `reports.names.amounts_basis`, in the command line, the charts, the PDF,
the app and the workbook. A tender without non-recoverable tax (every v1 tender) reads "excl.
VAT" / "HT" exactly as before; tests/data/c2-real-offers (``non_recoverable_tax_percent: 20``,
currency EUR) reads "excl. VAT, incl. 20% non-recoverable tax" / "HT, dont 20 % de taxe non
récupérable" (narrow no-break space before %, as every French percent); a copy of it in GBP
names GBP, never a hard-coded EUR."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime

import openpyxl
import pytest
from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from cli.scoring import table
from reports import build_report
from reports import charts as F
from reports.formats import NNBSP
from reports.names import amounts_basis
from reports.workbook import write_evaluation_workbook
from scoring import EXAMPLE_TENDER, evaluate, load_tender
from scoring.archive import files_of_folder

from conftest import DATA

C2 = DATA / "c2-real-offers"
TAX_EN = "excl. VAT, incl. 20% non-recoverable tax"
TAX_FR = f"HT, dont 20{NNBSP}% de taxe non récupérable"
CREATED = datetime(2027, 1, 10, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def c2():
    return evaluate(load_tender(C2))


@pytest.fixture(scope="module")
def example():
    return evaluate(load_tender(EXAMPLE_TENDER))


@pytest.fixture(scope="module")
def c2_gbp(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gbp") / "c2"
    shutil.copytree(C2, folder)
    tender = folder / "tender.yaml"
    tender.write_text(tender.read_text().replace("currency: EUR", "currency: GBP"))
    return folder


def test_the_words_of_each_rate(c2, example):
    assert c2.tender.spec.non_recoverable_tax_percent == 20 and c2.tender.spec.currency == "EUR"
    assert amounts_basis(example.tender, "en") == "excl. VAT"
    assert amounts_basis(example.tender, "fr") == "HT"
    assert amounts_basis(example.tender, "en", long=True) == "excluding VAT"
    assert amounts_basis(None, "en") == "excl. VAT"
    assert amounts_basis(c2.tender, "en") == TAX_EN
    assert amounts_basis(c2.tender, "fr") == TAX_FR
    assert amounts_basis(c2.tender, "en", long=True) == "excluding VAT, including 20% non-recoverable tax"
    spec = c2.tender.spec.model_copy(update={"non_recoverable_tax_percent": 5.5})
    tender = c2.tender.model_copy(update={"spec": spec})
    assert amounts_basis(tender, "en") == "excl. VAT, incl. 5.5% non-recoverable tax"
    assert amounts_basis(tender, "fr") == f"HT, dont 5,5{NNBSP}% de taxe non récupérable"


def test_cli_title(c2, example):
    assert table(c2).splitlines()[0] == f"{c2.tender.name} — 24 months, amounts {TAX_EN}"
    assert table(example).splitlines()[0].endswith(f"{example.tender.spec.term_months} months, amounts excl. VAT")


def test_chart_axis_titles(c2, example):
    assert F.breakdown_chart(c2, "en").layout.yaxis.title.text == f"TCO over the term (EUR, {TAX_EN})"
    assert F.breakdown_chart(c2, "fr").layout.yaxis.title.text == f"Coût total sur la durée (EUR {TAX_FR})"
    assert F.annual_chart(c2, "en").layout.yaxis.title.text == f"Annual cost (EUR, {TAX_EN})"
    assert F.breakdown_chart(example, "en").layout.yaxis.title.text == "TCO over the term (EUR, excl. VAT)"
    assert F.breakdown_chart(example, "fr").layout.yaxis.title.text == "Coût total sur la durée (EUR HT)"


def test_chart_axis_names_the_tenders_currency(c2_gbp):
    ev = evaluate(load_tender(c2_gbp))
    assert F.breakdown_chart(ev, "en").layout.yaxis.title.text == f"TCO over the term (GBP, {TAX_EN})"
    assert table(ev).splitlines()[1].split()[3:5] == ["TCO", "GBP"]


def text_of(path) -> str:
    """As tests/test_report.py: runs of ASCII spaces and line breaks made one space."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return re.sub(r"[ \n\r\t]+", " ", text)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pdf_states_the_tax(c2, example, lang, tmp_path):
    text = text_of(build_report(c2, tmp_path / "c2.pdf", lang=lang, charts=False, created=CREATED))
    if lang == "en":
        assert f"EUR, {TAX_EN}" in text  # the cover
        assert f"Amounts in EUR, {TAX_EN}, over the 24-month term" in text
        assert f"Amounts {TAX_EN}, undiscounted" in text
    else:
        assert f"EUR {TAX_FR}" in text
        assert f"Montants {TAX_FR}, non actualisés" in text
    plain = text_of(build_report(example, tmp_path / "example.pdf", lang=lang, charts=False, created=CREATED))
    assert ("non-recoverable" if lang == "en" else "récupérable") not in plain
    assert ("Amounts excl. VAT, undiscounted" if lang == "en" else "Montants HT, non actualisés") in plain


def test_workbook_states_the_tax(c2, tmp_path):
    write_evaluation_workbook(c2, tmp_path / "c2.xlsx", include_sensitivity=False)
    book = openpyxl.load_workbook(tmp_path / "c2.xlsx")
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert "Amounts in EUR excluding VAT, including 20% non-recoverable tax, over the 24-month term." in cells
    stated = [c for c in cells if "excluding VAT" in c]
    assert len(stated) >= 3 and all("excluding VAT, including 20% non-recoverable tax" in c for c in stated)
    assert book.properties.description.startswith("Amounts excluding VAT, including 20% non-recoverable tax.")


def run_page(module: str) -> None:
    import importlib

    importlib.import_module(f"ui.{module}").render()


def caption(source, lang: str) -> str:
    at = AppTest.from_function(run_page, args=("tender_page",), default_timeout=60)
    at.session_state["lang"] = lang
    if source is not None:
        at.session_state["source"] = source
    at.run()
    assert not at.exception, at.exception
    return at.caption[0].value


def test_app_tender_caption():
    from ui.api import Source

    source = Source("c2", files_of_folder(C2))
    assert caption(source, "en").endswith(f"amounts in EUR {TAX_EN}")
    assert caption(source, "fr").endswith(f"montants en EUR {TAX_FR}")
    assert caption(None, "en").endswith("amounts in EUR excl. VAT")
    assert caption(None, "fr").endswith("montants en EUR HT")


def test_app_caption_names_the_tenders_currency(c2_gbp):
    from ui.api import Source

    assert caption(Source("c2", files_of_folder(c2_gbp)), "en").endswith(f"amounts in GBP {TAX_EN}")
