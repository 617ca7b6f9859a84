"""AppTest of the Service & review page (docs/app.md §5d, docs/service-levels.md) and of the RIO
check on the Switching page, on the shared conformance sample m1-contract, whose
``expected.json`` (key ``sla``) and README were computed apart from this code: three quarters
2027Q2–Q4; credits due 150.52 / 159.17 / 127.88 (the first two capped at 6 %), received
0.00 / 150.52 / 79.58; 24 KPI entries, 10 met; RIO rows ok 2–8, 13, 15, warning 9, invalid
10 (key), 11, 12 (format), 14, 16 (duplicate), 17 (not in the inventory).

The page renders in English and French, its KPI cards, trend charts, credits and porting
funnel show the figures of ``expected.json`` and of the logs (counted here from ports.csv);
a bad log shows the command line's errors in the error table; an uploaded RIO list shows
each row's status; the Switching page's RIO check turns its rejection share into the What-if
porting failure rate; two contracts are shown side by side; no raw phone number reaches the
browser."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from monitoring import api as monitoring_api
from monitoring.api import ContractFiles
from monitoring.service_levels import service_levels
from reports import formats as i18n
from reports.review import value_text as review_value_text
from scoring.archive import zip_of

from conftest import DATA, chart_specs, folder_files, frame_with, protos, run_cli, write_files

SAMPLE = DATA / "m1-contract"
SLA = json.loads((SAMPLE / "expected.json").read_text())["sla"]
RIO = json.loads((SAMPLE / "expected.json").read_text())["rio"]
TITLE = {"en": "Service & review", "fr": "Service et revue"}
STATUS = {"en": {"green": "Green", "amber": "Amber", "red": "Red"}, "fr": {"green": "Vert", "amber": "Orange", "red": "Rouge"}}
RATIOS = {"incident_fix_2d", "porting_success", "billing_accuracy"}  # share_within and the two shares of the contract
UNITS = {"support_answer": "min", "request_answer_p95": "min", "sim_replacement": "working days",
         "sim_replacement_max": "working days", "porting_delay": "working days"}
# README of the sample: RIO rows by status (row = line in the file, header = 1)
RIO_OK, RIO_WARNING = {2, 3, 4, 5, 6, 7, 8, 13, 15}, {9}
RIO_INVALID = {10: "key", 11: "format", 12: "format", 14: "duplicate", 16: "duplicate", 17: "not_in_inventory"}


def run_page() -> None:
    import streamlit as st

    from ui import service_page, switching_page, whatif_page

    page = st.session_state.get("_page", "service")
    {"service": service_page, "switching": switching_page, "what-if": whatif_page}[page].render()


def page(lang: str = "en", source: ContractFiles | None = None) -> AppTest:
    at = AppTest.from_function(run_page, default_timeout=180)
    at.session_state["lang"] = lang
    at.session_state["audit_source"] = source or ContractFiles.of_folder(SAMPLE)
    return at










def expected_status(k: dict) -> str:
    """The contract's reading (docs/service-levels.md): green = met, amber = missed by a
    miss ≤ 0.10, red = missed by more."""
    return "green" if k["met"] else "amber" if k["miss"] <= 0.10 + 1e-9 else "red"


def shown_value(k: dict, lang: str, key: str = "value") -> str:
    """A value as the minutes print it: a percent with 2 decimals for shares, else the number
    with 2 decimals."""
    return i18n.percent(k[key], lang, 2) if k["id"] in RATIOS else i18n.number(k[key], lang, 2)


def shown_target(k: dict, lang: str) -> str:
    """The target with its unit (none for a share)."""
    if k["id"] in RATIOS:
        return shown_value(k, lang, "target")
    unit = UNITS[k["id"]] if lang == "en" else {"min": "min", "working days": "jours ouvrés"}[UNITS[k["id"]]]
    return f"{shown_value(k, lang, 'target')} {unit}"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_renders_the_last_quarters_kpis(lang):
    """Eight KPI cards for 2027Q4 (the last quarter, picked by default): each card's value and
    status are expected.json's; 8 trend charts, the credits chart, the funnel and the reasons."""
    at = page(lang).run()
    assert not at.exception, at.exception
    assert at.title[0].value == TITLE[lang] and not at.error
    q4 = [k for k in SLA["kpis"] if k["period"] == "2027Q4"]
    assert len(at.metric) == len(q4) == 8
    for metric, k in zip(at.metric, q4):
        assert metric.value == shown_value(k, lang)
        assert metric.proto.delta == STATUS[lang][expected_status(k)]
        assert metric.proto.delta_description == ("target " if lang == "en" else "cible ") + shown_target(k, lang)
    assert len(at.get("plotly_chart")) == 8 + 3
    assert len(at.get("download_button")) == 2


def test_another_period_and_the_kpis_equal_the_service_levels_object():
    """2027Q2: the cards are the ServiceLevels' own values; in expected.json the quarter has
    support_answer 6.8 min against 4 (miss 0.70: red) and billing accuracy missed by less than
    0.10 of its target (amber)."""
    sl = service_levels(SAMPLE)
    at = page().run()
    at.selectbox(key="service_period").set_value("2027Q2").run()
    q2 = [k for k in sl.kpis if k.period == "2027Q2"]
    assert [m.label for m in at.metric] == [k.name for k in q2]
    assert at.metric[0].value == "6.80" and at.metric[0].proto.delta == "Red"
    by_id = {k["id"]: k for k in SLA["kpis"] if k["period"] == "2027Q2"}
    for metric, k in zip(at.metric, q2):
        assert metric.value == shown_value(by_id[k.id], "en")
        assert k.value == pytest.approx(by_id[k.id]["value"], abs=1e-6)
    assert at.metric[-1].proto.delta == STATUS["en"][expected_status(by_id["billing_accuracy"])]


def test_the_trend_charts_draw_each_kpi_per_quarter_against_its_target():
    shown = chart_specs(page().run())
    for kpi_id in dict.fromkeys(k["id"] for k in SLA["kpis"]):
        rows = [k for k in SLA["kpis"] if k["id"] == kpi_id]
        name = service_levels(SAMPLE).kpi(kpi_id)[0].name
        value, target = shown[f"{name}, per period"]["data"]
        scale = 100.0 if kpi_id in RATIOS else 1.0
        assert value["x"] == SLA["periods"] == ["2027Q2", "2027Q3", "2027Q4"]
        assert value["y"] == pytest.approx([scale * k["value"] for k in rows], abs=1e-6)
        assert target["y"] == pytest.approx([scale * rows[0]["target"]] * 3)


def test_credits_due_and_received_per_quarter():
    """README: due 150.52, 159.17, 127.88 (Σ 437.57); received 0.00, 150.52, 79.58 (Σ 230.10)."""
    at = page().run()
    due, received = chart_specs(at)["Service credits per period"]["data"]
    assert due["y"] == pytest.approx([SLA["by_period"][p]["credit_due"] for p in SLA["periods"]], abs=1e-6)
    assert received["y"] == pytest.approx([SLA["by_period"][p]["credit_received"] for p in SLA["periods"]], abs=1e-6)
    frame = frame_with(at, "credit received").set_index("period")
    assert list(frame["credit due"]) == [i18n.money(x, "en", decimals=2) for x in (150.52, 159.17, 127.88, 437.57)]
    assert list(frame["credit received"]) == [i18n.money(x, "en", decimals=2) for x in (0, 150.52, 79.58, 230.10)]
    assert list(frame["capped"])[:3] == ["yes", "yes", "no"]
    assert frame.loc["Total", "still due"] == i18n.money(437.57 - 230.10, "en", decimals=2)


def test_the_porting_funnel_counts_the_port_log():
    """Counted here from ports.csv (every request falls in 2027Q2–Q4): requested, eligible =
    requested − rejected, ported; rejected and lost by reason."""
    rows = list(csv.DictReader(io.StringIO((SAMPLE / "ports.csv").read_text(encoding="utf-8-sig"))))
    assert all("2027-04-01" <= r["Demandé le"] <= "2027-12-31" for r in rows)
    status = [r["Statut"] for r in rows]
    requested, rejected, ported = len(rows), status.count("rejected"), status.count("ported")
    reasons = {}
    for r in rows:
        if r["Statut"] in ("rejected", "lost"):
            reasons[r["Motif"]] = reasons.get(r["Motif"], 0) + 1
    at = page().run()
    shown = chart_specs(at)
    [funnel] = shown["Porting funnel"]["data"]
    assert funnel["x"] == [requested, requested - rejected, ported]
    [by_reason] = shown["Rejected or lost ports, by reason"]["data"]
    assert dict(zip(by_reason["y"], by_reason["x"])) == reasons
    total = frame_with(at, "eligible").set_index("period").loc["Total"]
    assert (total["requested"], total["ported"], total["pending"]) == (requested, ported, status.count("pending"))


def test_the_action_log_lists_open_actions_first():
    """actions.yaml: a1 done (due 2027-05-15), a2, a3, a4 open, due 2027-07-30, 2027-12-10,
    2028-01-05. Open ones first by due date (so those overdue today at the top), then a1;
    an open action past its due date says by how many days."""
    at = page().run()
    frame = frame_with(at, "action")
    assert list(frame["id"]) == ["a2", "a3", "a4", "a1"]
    today = dt.date.today()
    due = {"a2": dt.date(2027, 7, 30), "a3": dt.date(2027, 12, 10), "a4": dt.date(2028, 1, 5)}
    assert list(frame["status"]) == [f"overdue ({(today - due[a]).days} d)" if today > due[a] else "open"
                                     for a in ("a2", "a3", "a4")] + ["done"]


def test_a_bad_log_shows_the_error_table_with_the_command_lines_messages(tmp_path):
    """A ticket resolved before it was opened (row 2): the page's error table has exactly the
    lines `python -m monitoring sla` prints for the same folder."""
    files = folder_files(SAMPLE)
    tickets = files["tickets.csv"].decode("utf-8").split("\n")
    cells = tickets[1].split(",")
    cells[6] = "2027-04-01T08:00"  # opened 2027-04-29
    tickets[1] = ",".join(cells)
    files["tickets.csv"] = "\n".join(tickets).encode()
    folder = tmp_path / "broken"
    write_files(folder, files)
    run = run_cli("monitoring", "sla", "broken", cwd=tmp_path)
    assert run.returncode == 2 and run.stderr.startswith("error: broken/tickets.csv: row 2, column Résolu le: ")
    at = page(source=ContractFiles.of_uploads(zip_of(files, "broken"), "broken.zip")).run()
    assert not at.exception, at.exception
    errors = frame_with(at, "problem")
    assert [f"error: {f}: {d}: {p}" for f, d, p in zip(errors["file"], errors["field"], errors["problem"])] == \
        run.stderr.strip().split("\n")
    assert at.error[0].value == "The contract's service-level files have errors; nothing was measured."
    assert not at.metric


def test_an_uploaded_rio_list_shows_each_rows_status():
    """rio_requests.csv checked against the contract in use (m1's inventory): the README's
    statuses and reasons, row by row; the mapping select picks msisdn and rio_code."""
    at = page().run()
    at.file_uploader(key="service_rio_upload").set_value(
        ("rio_requests.csv", (SAMPLE / "rio_requests.csv").read_bytes(), "text/csv")).run()
    assert not at.exception, at.exception
    assert at.selectbox(key="service_rio_line").value == "msisdn" and at.selectbox(key="service_rio_rio").value == "rio_code"
    frame = frame_with(at, "reasons").set_index("row")
    status = dict(zip(frame.index, frame["status"]))
    assert {r for r, s in status.items() if s == "ok"} == RIO_OK
    assert {r for r, s in status.items() if s == "warning"} == RIO_WARNING
    assert {r for r, s in status.items() if s == "invalid"} == set(RIO_INVALID)
    reason_text = {"key": "the key does not match the number", "format": "RIO or number badly written",
                   "duplicate": "number or RIO already given above", "not_in_inventory": "not a line of the inventory"}
    for row, reason in RIO_INVALID.items():
        assert reason_text[reason] in frame.loc[row, "reasons"]
    assert [x["status"] for x in RIO["lines"]] == [status[x["row"]] for x in RIO["lines"]]
    assert all(line.startswith("L-") for line in frame["line"])
    assert [m.value for m in at.metric][-5:] == ["16", "9", "1", "6", i18n.percent(6 / 16, "en", 1)]


def test_an_unreadable_rio_list_shows_the_error_table():
    at = page().run()
    at.file_uploader(key="service_rio_upload").set_value(
        ("lines.csv", b"msisdn,rio_code\n0601023162,02-E-8AEGKJ-6V7,extra\n", "text/csv")).run()
    assert not at.exception, at.exception
    assert at.error[0].value == "The list cannot be read; nothing was checked."
    assert list(frame_with(at, "problem")["file"]) == ["lines.csv"]


def _switching(rows: list[str]) -> AppTest:
    at = AppTest.from_function(run_page, default_timeout=300)
    at.session_state["_page"] = "switching"
    at.run()
    assert not at.exception, at.exception
    data = "\n".join(rows).encode()
    at.file_uploader(key="switch_rio_upload").set_value(("lines.csv", data, "text/csv")).run()
    assert not at.exception, at.exception
    return at


def test_the_switching_pages_rio_share_becomes_the_what_if_porting_rate():
    """The first 9 rows of rio_requests.csv (file rows 2–10), no inventory before the switch:
    row 10's key is wrong, row 9 is a warning (personal): 1 invalid of 9 → 11.11 % (the What-if
    control's two decimals), which the What-if page then evaluates."""
    lines = (SAMPLE / "rio_requests.csv").read_text().splitlines()
    at = _switching(lines[:10])
    button = at.button(key="switch_rio_use")
    assert button.proto.label == f"Use the measured rejection share ({i18n.percent(1 / 9, 'en', 1)}) as the porting failure rate"
    button.click().run()
    assert not at.exception, at.exception
    assert at.success[0].value.startswith("Porting failure rate set to 11.1%")
    at.session_state["_page"] = "what-if"
    at.run()
    assert not at.exception, at.exception
    assert at.slider(key="porting").value == pytest.approx(11.11)
    assert at.session_state["whatif_scenario"]["set"]["switching"] == {"porting_failure_rate": pytest.approx(0.1111)}


def test_a_share_beyond_the_what_if_slider_is_applied_as_written():
    """The whole list without an inventory: rows 10, 11, 12, 14, 16 invalid (row 17 is checked
    against no inventory) → 5 of 16 = 31.25 %, beyond the slider's usual 20 %: the slider widens
    to 35 % (the next 5 %) and shows the rate, which is evaluated."""
    at = _switching((SAMPLE / "rio_requests.csv").read_text().splitlines())
    at.button(key="switch_rio_use").click().run()
    at.session_state["_page"] = "what-if"
    at.run()
    assert not at.exception, at.exception
    assert at.session_state["whatif_scenario"]["set"]["switching"] == {"porting_failure_rate": pytest.approx(0.3125)}
    assert at.slider(key="porting").value == pytest.approx(31.25)
    assert at.slider(key="porting").max == 35.0


def test_two_contracts_side_by_side(tmp_path, monkeypatch):
    """Two bundled contract folders (a split award): picking the second shows both operators'
    cards, charts and tables in columns."""
    monkeypatch.setattr(monitoring_api, "CONTRACTS", tmp_path)
    shutil.copytree(SAMPLE, tmp_path / "lot-a")
    shutil.copytree(SAMPLE, tmp_path / "lot-b")
    at = AppTest.from_function(run_page, default_timeout=180)
    at.run()
    assert not at.exception, at.exception
    assert len(at.metric) == 8
    assert at.selectbox(key="service_second").options == ["—", "contracts/lot-b"]  # not the one in use
    at.selectbox(key="service_second").set_value("lot-b").run()
    assert not at.exception, at.exception
    assert len(at.metric) == 16 and [m.value for m in at.metric[:8]] == [m.value for m in at.metric[8:]]
    assert len(at.get("plotly_chart")) == 2 * 11
    assert sum("Boréal" in m.value for m in at.markdown) >= 2


def test_no_raw_phone_number_reaches_the_browser():
    """Every number of the sample's logs, inventory and RIO list, in its national and +33
    forms, is absent from every element the page sends (with a RIO list uploaded), in both
    languages, and from the Switching page's RIO check."""
    text = "".join(d.decode("utf-8", "replace") for p, d in folder_files(SAMPLE).items()
                   if p.endswith(".csv") and "tender/" not in p and "invoices/" not in p)
    numbers = set(re.findall(r"(?<!\d)0[67]\d{8}(?!\d)", text))
    assert len(numbers) > 70
    forms = {f for n in numbers for f in (n, "+33" + n[1:], "33" + n[1:])}
    token = re.compile(rb"\+?\d{9,11}")
    seen = 0
    rio = (SAMPLE / "rio_requests.csv").read_bytes()
    for lang in ("en", "fr"):
        at = page(lang).run()
        at.file_uploader(key="service_rio_upload").set_value(("rio.csv", rio, "text/csv")).run()
        for proto in protos(at._tree):
            sent = proto.SerializeToString()
            seen += len(sent)
            assert not {m.decode() for m in token.findall(sent)} & forms, lang
    at = _switching(rio.decode().splitlines())
    for proto in protos(at._tree):
        assert not {m.decode() for m in token.findall(proto.SerializeToString())} & forms
    assert seen > 50_000


def test_the_review_downloads_are_the_minutes():
    from ui import api

    src = ContractFiles.of_folder(SAMPLE)
    assert api.review_bytes(src, "2027Q4", "en", "pdf")[:5] == b"%PDF-"
    assert api.review_bytes(src, "2027Q4", "fr", "docx")[:2] == b"PK"
    at = page("fr").run()
    assert [b.proto.label for b in at.get("download_button")] == [
        "Télécharger le compte rendu (PDF)", "Télécharger le compte rendu (Word, modifiable)"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_renders_on_the_bundled_contract(lang):
    """No contract chosen on the Invoice audit page: the bundled one (contracts/*/), its last
    period's cards and its credits table equal its ServiceLevels' figures."""
    at = AppTest.from_function(run_page, default_timeout=180)
    at.session_state["lang"] = lang
    at.run()
    assert not at.exception, at.exception
    assert at.title[0].value == TITLE[lang] and not at.error
    folder = monitoring_api.bundled_contracts()[0]
    sl = service_levels(folder)
    last = [k for k in sl.kpis if k.period == sl.periods[-1]]
    assert [m.label for m in at.metric[:len(last)]] == [k.name for k in last]
    assert [m.value for m in at.metric[:len(last)]] == [review_value_text(k.value, k, lang) for k in last]
    credits = frame_with(at, "pénalité reçue" if lang == "fr" else "credit received")
    due = [sl.by_period[p].credit_due for p in sl.periods]
    assert list(credits.iloc[:, 2]) == [i18n.money(x, lang, decimals=2) for x in (*due, sum(due))]
