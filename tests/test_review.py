"""The quarterly review minutes (docs/service-levels.md, "The quarterly review"):
`reports.review_pdf.review_pdf`, `reports.review_docx.review_docx` and ``python -m monitoring
review``, on the shared conformance sample tests/data/m1-contract, reviewing 2027Q3.

Every figure pinned here comes from the sample, not from the code under test: expected.json's
``sla`` (each KPI's value, target, met and miss in 2027Q3; the credits by quarter) and
``audit`` (the claims of July–September), contract.yaml (the KPIs' names and statistics),
actions.yaml and ports.csv (read here with the csv module). Only the number formats are the
project's (`reports.formats`), as the documents print them.

Status, by the contract's rule (amber: missed by a miss ≤ 0.10), from expected.json's 2027Q3:
support_answer miss 0.95 → red; sim_replacement 1.43 → red; incident_fix_2d met → green;
request_answer_p95 1.14 → red; sim_replacement_max 0.33 → red; porting_delay 1.5 → red;
porting_success met → green; billing_accuracy 0.0322 → amber.

Credits (expected.json ``by_period``): 2027Q3 base 2652.83, due 159.1698 → 159.17 (capped),
received 150.52. To date (2027Q2 + 2027Q3): base 2508.59 + 2652.83 = 5161.42, due 150.5154 +
159.1698 = 309.6852 → 309.69, received 0 + 150.52 = 150.52, still due 309.6852 − 150.52 =
159.1652 → 159.17.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import docx
import pytest
import yaml
from pypdf import PdfReader

from monitoring.service_levels import KpiResult
from reports.formats import money, number, percent
from reports.review import build_review, kpi_status
from reports.review_docx import render_docx, review_docx
from reports.review_pdf import render_pdf, review_pdf
from reports.text import t

from conftest import DATA, ROOT

SAMPLE = DATA / "m1-contract"
PERIOD = "2027Q3"
MONTHS = ("2027-07", "2027-08", "2027-09")
CREATED = dt.datetime(2027, 10, 15, 9, 30, tzinfo=dt.UTC)
RATIOS = {"incident_fix_2d", "porting_success", "billing_accuracy"}  # share_within, porting_success, billing_accuracy
STATUS = {"support_answer": "red", "sim_replacement": "red", "incident_fix_2d": "green", "request_answer_p95": "red",
          "sim_replacement_max": "red", "porting_delay": "red", "porting_success": "green",
          "billing_accuracy": "amber"}  # the module docstring's reading of expected.json
LANGS = ("en", "fr")


@pytest.fixture(scope="module")
def expected() -> dict:
    return json.loads((SAMPLE / "expected.json").read_text())


@pytest.fixture(scope="module")
def names() -> dict[str, str]:
    spec = yaml.safe_load((SAMPLE / "contract.yaml").read_text())
    return {k["id"]: k["name"] for k in spec["service_levels"]["kpis"]}


@pytest.fixture(scope="module")
def review():
    return build_review(SAMPLE, PERIOD, CREATED)


@pytest.fixture(scope="module")
def pdfs(review) -> dict[str, bytes]:
    return {lang: render_pdf(review, lang) for lang in LANGS}


@pytest.fixture(scope="module")
def docxs(review) -> dict[str, bytes]:
    return {lang: render_docx(review, lang) for lang in LANGS}


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)  # no-break spaces and line breaks as one space


def _pdf_text(pdf: bytes) -> str:
    return _flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _docx_tables(data: bytes) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in table.rows] for table in docx.Document(io.BytesIO(data)).tables]


def _docx_text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    cells = [c.text for table in doc.tables for row in table.rows for c in row.cells]
    return _flat("\n".join([p.text for p in doc.paragraphs] + cells))


def _value(kpi_id: str, x: float, lang: str) -> str:
    return percent(x, lang, 2) if kpi_id in RATIOS else number(x, lang, 2)


def _q3_kpis(expected) -> list[dict]:
    return [k for k in expected["sla"]["kpis"] if k["period"] == PERIOD]


# --------------------------------------------------------------------------- the status rule


def test_status_follows_the_contracts_amber_rule():
    """Green when met, amber up to a miss of 0.10 (the contract's bound, included), red above,
    none without a record."""
    def result(met, miss):
        return KpiResult(id="k", name="k", period=PERIOD, n=1, open=0, value=None if met is None else 1.0, target=1.0,
                         met=met, miss=miss, credit_percent=0.0, credit_due=0.0, measure="answer_minutes",
                         statistic="mean", better="lower", within=None)

    assert [kpi_status(result(*x)) for x in ((True, None), (False, 0.05), (False, 0.10), (False, 0.1001),
                                             (None, None))] == ["green", "amber", "amber", "red", "none"]


def test_the_status_of_each_kpi_matches_the_sample(review, expected):
    got = {k.id: s for k, s in zip(review.kpis, review.statuses)}
    assert got == STATUS
    for k in _q3_kpis(expected):  # the docstring's reading, re-derived from expected.json
        rule = "green" if k["met"] else ("amber" if k["miss"] <= 0.10 else "red")
        assert STATUS[k["id"]] == rule


# --------------------------------------------------------------------------- what the documents say


@pytest.mark.parametrize("lang", LANGS)
def test_pdf_carries_each_kpi_value_status_and_credit(pdfs, expected, names, lang):
    text = _pdf_text(pdfs[lang])
    start = text.index(_flat(t("review.s.kpis", lang)))
    table = text[start:text.index(_flat(t("review.s.trends", lang)), start)]
    kpis = _q3_kpis(expected)
    for i, k in enumerate(kpis):
        begin = table.index(names[k["id"]])
        end = table.index(names[kpis[i + 1]["id"]], begin) if i + 1 < len(kpis) else len(table)
        row = table[begin:end]
        assert _flat(_value(k["id"], k["value"], lang)) in row, (k["id"], row)
        assert _flat(_value(k["id"], k["target"], lang)) in row
        assert t(f"review.status.{STATUS[k['id']]}", lang) in row
        if k["credit_due"]:
            assert _flat(money(k["credit_due"], lang, "EUR", 2)) in row


@pytest.mark.parametrize("lang", LANGS)
def test_docx_carries_each_kpi_value_status_and_credit(docxs, expected, names, lang):
    rows = {r[0].split("\n")[0]: r for r in _docx_tables(docxs[lang])[0][1:]}
    assert list(rows) == [names[k["id"]] for k in _q3_kpis(expected)]  # contract order
    for k in _q3_kpis(expected):
        row = rows[names[k["id"]]]
        assert row[1:4] == [_value(k["id"], k["value"], lang), _value(k["id"], k["target"], lang),
                            t(f"review.status.{STATUS[k['id']]}", lang)]
        if k["credit_due"]:
            assert row[6] == money(k["credit_due"], lang, "EUR", 2)


def _credit_rows(expected, lang) -> tuple[list[str], list[str], str]:
    by = expected["sla"]["by_period"]
    q2, q3 = by["2027Q2"], by[PERIOD]
    yes = t("review.yes", lang)
    row = [PERIOD, money(q3["base"], lang, "EUR", 2), money(q3["credit_due"], lang, "EUR", 2), yes,
           money(q3["credit_received"], lang, "EUR", 2)]
    total = [t("review.total", lang), money(q2["base"] + q3["base"], lang, "EUR", 2),
             money(q2["credit_due"] + q3["credit_due"], lang, "EUR", 2), "",
             money(q2["credit_received"] + q3["credit_received"], lang, "EUR", 2)]
    still = money(q2["credit_due"] + q3["credit_due"] - q2["credit_received"] - q3["credit_received"], lang, "EUR", 2)
    return row, total, still


@pytest.mark.parametrize("lang", LANGS)
def test_credit_totals_of_the_period_and_to_date(pdfs, docxs, expected, lang):
    """The docstring's figures: 2027Q3 159.17 due (capped), 150.52 received; to date 5161.42,
    309.69, 150.52; still due 159.17."""
    row, total, still = _credit_rows(expected, lang)
    assert row[2] == money(159.17, lang, "EUR", 2) and total[2] == money(309.69, lang, "EUR", 2)
    assert still == money(159.17, lang, "EUR", 2)
    text = _pdf_text(pdfs[lang])
    assert _flat(" ".join(row)) in text
    assert _flat(" ".join(x for x in total if x)) in text
    assert _flat(t("review.balance", lang, amount=still)) in text
    tables = _docx_tables(docxs[lang])
    credits = next(tb for tb in tables if tb[0][0] == t("review.col.period", lang)
                   and t("review.col.base", lang) in tb[0])
    assert credits[1:] == [credits[1], row, total] and credits[1][0] == "2027Q2"


@pytest.mark.parametrize("lang", LANGS)
def test_claims_of_the_period_nearest_deadline_first(docxs, pdfs, expected, lang):
    """expected.json's claims billed in July–September, grouped by deadline (nearest first)."""
    claims = [f for f in expected["audit"]["findings"] if f["claim"] and f["period"] in MONTHS]
    by_deadline: dict[str, list[float]] = {}
    for f in sorted(claims, key=lambda f: f["deadline"]):
        by_deadline.setdefault(f["deadline"], []).append(f["difference"])
    want = [[d, number(len(v), lang), money(math.fsum(v), lang, "EUR", 2)] for d, v in by_deadline.items()]
    tables = _docx_tables(docxs[lang])
    deadlines = next(tb for tb in tables if tb[0][0] == t("review.col.deadline", lang))
    assert [[r[0], r[2], r[3]] for r in deadlines[1:]] == want
    total = money(math.fsum(f["difference"] for f in claims), lang, "EUR", 2)
    assert _flat(total) in _pdf_text(pdfs[lang]) and len(claims) == 13


@pytest.mark.parametrize("lang", LANGS)
def test_porting_funnel_and_open_actions(docxs, lang):
    """ports.csv counted here by request quarter; actions.yaml's open ones at 2027-10-15: a2
    (due 2027-07-30, 77 days late: 1 + 31 + 30 + 15) first, then a3 and a4; a1 is done."""
    with (SAMPLE / "ports.csv").open(encoding="utf-8") as fh:
        ports = list(csv.DictReader(fh))

    def quarter(day: str) -> str:
        return f"{day[:4]}Q{(int(day[5:7]) - 1) // 3 + 1}"

    counts = {q: Counter(p["Statut"] for p in ports if quarter(p["Demandé le"]) == q) for q in ("2027Q2", PERIOD)}
    tables = _docx_tables(docxs[lang])
    funnel = next(tb for tb in tables if t("review.col.requested", lang) in tb[0])
    for row in funnel[1:3]:
        c = counts[row[0]]
        assert row[1:] == [number(x, lang) for x in (sum(c.values()), c["ported"], c["rejected"], c["lost"],
                                                      c["pending"])]
    actions = next(tb for tb in tables if t("review.col.action", lang) in tb[0])
    spec = {a["id"]: a for a in yaml.safe_load((SAMPLE / "actions.yaml").read_text())}
    assert [r[0] for r in actions[1:]] == ["a2", "a3", "a4"]
    assert actions[1][1] == spec["a2"]["text"] and actions[1][3] == "2027-07-30"
    assert actions[1][4] == t("review.overdue", lang, days=number(77, lang))
    assert actions[2][4] == t("review.on_time", lang)


# --------------------------------------------------------------------------- same bytes, no phone number


def test_two_runs_give_the_same_bytes_pdf_and_docx(pdfs, docxs):
    """Built from the folder again (charts included), in both formats."""
    assert review_pdf(SAMPLE, PERIOD, "en", CREATED) == pdfs["en"]
    assert review_docx(SAMPLE, PERIOD, "fr", CREATED) == docxs["fr"]
    core = docx.Document(io.BytesIO(docxs["fr"])).core_properties
    assert core.created == core.modified == CREATED and core.revision == 1


def test_tables_only(review):
    pdf = render_pdf(review, "en", charts=False)
    assert t("review.trends.none", "en") in _pdf_text(pdf)
    assert len(pdf) < len(render_pdf(review, "en")) / 2


def _raw_numbers() -> set[str]:
    out = set()
    for name, col in (("tickets.csv", "Ligne"), ("ports.csv", "Numéro")):
        with (SAMPLE / name).open(encoding="utf-8") as fh:
            out |= {r[col] for r in csv.DictReader(fh) if r[col]}
    return out


def test_no_raw_phone_number(tmp_path, pdfs, docxs):
    """Neither the sample's numbers nor one written in an action's text or a port's rejection
    reason (free texts) reach the documents: the free texts are shown with the number cut out."""
    numbers = _raw_numbers()
    for text in [_pdf_text(pdfs[lang]) for lang in LANGS] + [_docx_text(docxs[lang]) for lang in LANGS]:
        digits = re.sub(r"[\s.\-+()/]", "", text)
        assert not [n for n in numbers if n in digits]
    folder = tmp_path / "m1"
    shutil.copytree(SAMPLE, folder)
    actions = folder / "actions.yaml"
    actions.write_text(actions.read_text(encoding="utf-8").replace(
        "Rembourser les frais", "Rappeler le 06 12 34 56 78 et rembourser les frais"), encoding="utf-8")
    ports = folder / "ports.csv"
    assert ports.read_text(encoding="utf-8").count("Titulaire différent") == 1
    ports.write_text(ports.read_text(encoding="utf-8").replace("Titulaire différent", "Titulaire 0612345678 différent"),
                     encoding="utf-8")
    review = build_review(folder, "2027Q2", CREATED)
    for text in (_pdf_text(render_pdf(review, "fr", charts=False)), _docx_text(render_docx(review, "en", False))):
        assert "Rappeler le … et rembourser" in text and "Titulaire … différent" in text
        assert "0612345678" not in re.sub(r"[\s.\-+()/]", "", text)


# --------------------------------------------------------------------------- the command line


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "monitoring", "review", *args], cwd=ROOT, capture_output=True,
                          text=True, check=False)


@pytest.mark.parametrize("suffix, lang", [(".pdf", "fr"), (".docx", "en")])
def test_the_command_writes_the_builders_bytes(tmp_path, suffix, lang):
    out = tmp_path / "out" / f"review{suffix}"
    run = _cli(str(SAMPLE), "--period", PERIOD, "--out", str(out), "--lang", lang, "--date", "2027-10-15",
               "--no-charts")
    assert run.returncode == 0 and run.stderr == "", run.stderr
    day = dt.datetime(2027, 10, 15, tzinfo=dt.UTC)
    build = review_pdf if suffix == ".pdf" else review_docx
    assert out.read_bytes() == build(SAMPLE, PERIOD, lang, day, charts=False)
    assert str(out) in run.stdout


@pytest.mark.parametrize("args, message", [
    (["--period", "2027Q7"], r"error: --period: \(option\): not a quarter written YYYYQ1 … YYYYQ4 .*'2027Q7'"),
    (["--period", "2027Q1"], r"error: --period: \(option\): 2027Q1 is not a period of the contract .*2027Q2, "
                             r"2027Q3, 2027Q4\)"),
    (["--period", "2027-08"], r"error: --period: \(option\): not a quarter written .*"),
    (["--period", PERIOD, "--date", "2027-02-30"], r"error: --date: \(option\): not a date written YYYY-MM-DD.*"),
])
def test_bad_period_is_one_error_line_and_exit_2(tmp_path, args, message):
    out = tmp_path / "review.pdf"
    run = _cli(str(SAMPLE), "--out", str(out), *args)
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(message, lines[0]), run.stderr
    assert "Traceback" not in run.stderr and not out.exists()


def test_unknown_output_format(tmp_path):
    run = _cli(str(SAMPLE), "--period", PERIOD, "--out", str(tmp_path / "review.odt"))
    assert run.returncode == 2 and run.stderr.startswith("error: ") and len(run.stderr.strip().splitlines()) == 1
    assert not Path(tmp_path / "review.odt").exists()
