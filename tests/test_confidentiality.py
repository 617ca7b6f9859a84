"""Confidentiality: bids never leave the machine, and never reach the logs.

No network at run time. Every outbound socket operation of the Python process is refused
and recorded — `socket.socket.connect`, `connect_ex` and `sendto`, `socket.create_connection`,
`socket.getaddrinfo` and `socket.gethostbyname` — with no exception: loopback and AF_UNIX
are blocked too, because nothing needs them (AppTest runs the page scripts in-process; the
asyncio event loop it creates uses `socket.socketpair`, which connects nothing). The test
asserts that the record is empty, so an attempt that the code under test would catch and
swallow (the PDF's chart rendering falls back silently, for instance) still fails it. Under
this guard:

- (a) the pure model on the bundled example: load, evaluate, the scenario comparison
  (`python -m scenarios compare`), Monte Carlo, sensitivity, stay-vs-switch, the price-schedule
  template, an Excel bid written and read back, the evaluation workbook and the management
  PDF with tables only (`charts=False`: the charts are drawn by a local headless chromium,
  a separate process this guard cannot see);
- (b) the whole app (`app.py`) with AppTest: a zip uploaded through the Tender page, every
  page, a weight change with Monte Carlo and sensitivity switched on, a broken upload and its
  error table, and the way back to the bundled example;
- (c) the real server: `streamlit run app.py` with the project's `.streamlit/config.toml`,
  started in a subprocess that installs the same guard first, until it answers its health
  check and serves the page. Streamlit looks up the machine's public address at start-up
  (an HTTP request to checkip.amazonaws.com) unless `browser.serverAddress` is set, which the
  config does; the guard's own self-check proves it is active in that process.

No bid data in the logs. The same run (a + b) with every log record captured at DEBUG: the
root logger (pytest's caplog) and also Streamlit's loggers, which do not propagate to the
root (hence a hook on `logging.Logger.handle`, the point every record of every logger goes
through, and Streamlit's log level set to DEBUG), plus whatever reached stdout/stderr. The
check looks for what identifies a bid's content rather than for a few chosen words:

- each operator's name and each plan's name (`Telvia Business`, `Telvia Pro 20 GB`);
- each plan's `monthly_fee` as Python or a log line would print it (`14.5`, `14.50`);
- each bid's computed TCO, raw, to the cent, rounded, with thousands separators and in the
  app's English and French money formats;
- every line of every bid file that carries a value (`monthly_fee: 14.50`, `fund: 40000`);
- the bad value of a broken bid (`monthly_fee: -3.1416`), which the app's error table shows on
  screen and which must go no further.

Numbers match only as whole numbers (not inside a longer number, a version or a timestamp).
Two controls keep the check honest: a planted record holding a fee and a TCO is flagged, and
a DEBUG record of a non-propagating Streamlit-style logger is captured.
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
import streamlit.config
import streamlit.logger
import yaml
from streamlit.testing.v1 import AppTest

from cli.scenarios import compare
from reports import formats as i18n
from reports.pdf import build_report, input_files
from reports.workbook import write_evaluation_workbook
from scenarios.montecarlo import monte_carlo
from scenarios.sensitivity import sensitivity
from scenarios.switch import stay_or_switch
from scoring import EXAMPLE_TENDER, evaluate, load_tender
from scoring.archive import files_of_folder, zip_of
from scoring.excel import write_bid_xlsx, write_template
from scoring.load import build_tender, read_files

from conftest import ROOT

EV = evaluate(load_tender(EXAMPLE_TENDER))
FILES = files_of_folder(EXAMPLE_TENDER)
BAD_FEE = "-3.1416"


# --------------------------------------------------------------------------- the guard


class Blocked:
    """Refuses every outbound socket operation and records it."""

    TARGETS = [(socket.socket, "connect"), (socket.socket, "connect_ex"), (socket.socket, "sendto"),
               (socket, "create_connection"), (socket, "getaddrinfo"), (socket, "gethostbyname")]

    def __init__(self, monkeypatch):
        self.attempts: list[str] = []
        for owner, name in self.TARGETS:
            monkeypatch.setattr(owner, name, self._refuse(name))

    def _refuse(self, name):
        def refuse(*args, **kwargs):
            self.attempts.append(f"{name}{args!r}")
            raise OSError(f"network blocked by the test: {name}")
        return refuse


@pytest.fixture
def no_network(monkeypatch):
    guard = Blocked(monkeypatch)
    with pytest.raises(OSError):  # the guard is active
        socket.create_connection(("127.0.0.1", 9))
    guard.attempts.clear()
    return guard


# --------------------------------------------------------------------------- what runs


def pure_model(tmp_path: Path) -> dict:
    """Everything the command line does on the bundled example; returns what it produced."""
    tender = load_tender(EXAMPLE_TENDER)
    ev = evaluate(tender)
    scenarios, _ = compare(argparse.Namespace(tender_dir=EXAMPLE_TENDER, scenarios=None))
    mc = monte_carlo(ev, 2000, 1).to_dict()
    sens = sensitivity(ev)
    sos = stay_or_switch(ev)
    template = io.BytesIO()
    write_template(tender, template)
    xlsx_bid = io.BytesIO()
    write_bid_xlsx(yaml.safe_load(FILES["bids/telvia.yaml"]), tender, xlsx_bid)
    files = {k: v for k, v in FILES.items() if k != "bids/telvia.yaml"} | {"bids/telvia.xlsx": xlsx_bid.getvalue()}
    from_excel = evaluate(build_tender(read_files("excel", files)))
    workbook = write_evaluation_workbook(ev, io.BytesIO())
    pdf = build_report(ev, tmp_path / "report.pdf", charts=False, sources=input_files(EXAMPLE_TENDER))
    return {"ev": ev, "scenarios": scenarios, "mc": mc, "sens": sens, "sos": sos, "template": template.getvalue(),
            "from_excel": from_excel, "workbook": workbook, "pdf": pdf.read_bytes()}


def _go(at: AppTest, url_path: str) -> AppTest:
    pages = {info["url_pathname"]: h for h, info in at._registered_pages.items()}
    at._page_hash = pages[url_path]  # AppTest.switch_page only knows file pages, ours are callables
    at.run()
    assert not at.exception, at.exception
    return at


def whole_app() -> list[str]:
    """Drive app.py through every page; return the titles seen."""
    files = dict(FILES)
    files["tender.yaml"] = files["tender.yaml"].replace(b"name: Example", b"name: Uploaded")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    at.file_uploader(key="upload").set_value(("mine.zip", zip_of(files, "mine"), "application/zip")).run()
    titles = [at.title[0].value]
    for url_path in ("compare", "costs", "switching", "summary", "what-if"):
        titles.append(_go(at, url_path).title[0].value)
    at.slider(key="w_price").set_value(80.0).run()
    at.toggle(key="run_mc").set_value(True).run()
    at.toggle(key="run_sensitivity").set_value(True).run()
    assert not at.exception, at.exception
    assert len(at.get("plotly_chart")) == 5  # ranking, Monte Carlo ×2, tornado, weight ranges
    _go(at, "")
    broken = dict(FILES)
    broken["bids/telvia.yaml"] = broken["bids/telvia.yaml"].replace(b"monthly_fee: 14.50", f"monthly_fee: {BAD_FEE}".encode())
    at.file_uploader(key="upload").set_value(("broken.zip", zip_of(broken, "broken"), "application/zip")).run()
    assert not at.exception, at.exception
    errors = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert BAD_FEE.lstrip("-") in " ".join(errors["problem"])  # the screen shows it
    at.button(key="use_example").click().run()
    titles.append(at.title[0].value)
    return titles


def check_pure_model(out: dict) -> None:
    assert out["ev"].winner == EV.winner
    assert [s["name"] for s in out["scenarios"]["scenarios"]][0] == "baseline"
    assert len(out["scenarios"]["scenarios"]) == 1 + len(list((EXAMPLE_TENDER / "scenarios").glob("*.yaml")))
    assert sum(b["rank_probabilities"][0] for b in out["mc"]["bids"]) == pytest.approx(1.0)
    assert out["from_excel"].figures["telvia"].tco == pytest.approx(EV.figures["telvia"].tco)  # read back from Excel
    assert out["template"][:2] == out["workbook"][:2] == b"PK" and out["pdf"].startswith(b"%PDF")


def check_app(titles: list[str]) -> None:
    uploaded = EV.tender.name.replace("Example", "Uploaded")
    assert titles == [uploaded, "Compare", "Costs", "Switching", "Decision summary", "What-if", EV.tender.name]


# --------------------------------------------------------------------------- no network


def test_model_and_exports_use_no_network(no_network, tmp_path):
    out = pure_model(tmp_path)
    check_pure_model(out)
    assert no_network.attempts == []


def test_app_pages_use_no_network(no_network):
    titles = whole_app()
    check_app(titles)
    assert no_network.attempts == []


GUARDED_SERVER = r'''
import os, runpy, socket, sys
LOG = os.environ["FLEETBID_GUARD_LOG"]
def refuse(name):
    def _refuse(*args, **kwargs):
        with open(LOG, "a") as f:
            f.write(f"{name}{args!r}\n")
        raise OSError("network blocked by the test: " + name)
    return _refuse
for owner, name in [(socket.socket, "connect"), (socket.socket, "connect_ex"), (socket.socket, "sendto"),
                    (socket, "create_connection"), (socket, "getaddrinfo"), (socket, "gethostbyname")]:
    setattr(owner, name, refuse(name))
try:
    socket.create_connection(("guard-self-check.invalid", 80))
except OSError:
    pass
sys.argv = ["streamlit", *sys.argv[1:]]
runpy.run_module("streamlit", run_name="__main__")
'''


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_server_starts_and_serves_without_network(tmp_path):
    """The real `streamlit run app.py` (the project's config, no address given, as a user
    starts it): nothing but its own listening socket."""
    runner, log = tmp_path / "guarded.py", tmp_path / "attempts.log"
    runner.write_text(GUARDED_SERVER)
    port = _free_port()
    env = {**os.environ, "FLEETBID_GUARD_LOG": str(log), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, str(runner), "run", str(ROOT / "app.py"), "--server.port", str(port)],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read()
        time.sleep(1.0)  # start-up work that runs after the server answers (the address banner)
    finally:
        proc.terminate()
        output = proc.communicate(timeout=30)[0].decode(errors="replace")
    assert health == b"ok" and b"<html" in page.lower()
    attempts = log.read_text().splitlines()
    assert attempts[0].startswith("create_connection(('guard-self-check.invalid', 80)"), attempts
    assert attempts[1:] == [], output


# --------------------------------------------------------------------------- no bid data in logs


def _amounts(x: float) -> set[str]:
    return {repr(x), f"{x:.2f}", f"{x:,.2f}", f"{round(x)}", f"{round(x):,}", i18n.money(x, "en"), i18n.money(x, "fr")}


def sensitive_tokens() -> tuple[set[str], set[str]]:
    """(texts, numbers) that identify a bid's content; see the module docstring."""
    texts: set[str] = set()
    numbers: set[str] = {BAD_FEE, BAD_FEE.lstrip("-")}
    for path, content in FILES.items():
        if not path.startswith("bids/"):
            continue
        bid = yaml.safe_load(content)
        texts.add(bid["operator"])
        for plan in bid["plans"]:
            texts.add(plan["name"])
            fee = float(plan["monthly_fee"])
            numbers |= {repr(fee), f"{fee:.2f}"}
        for line in content.decode().splitlines():
            line = line.split(" #")[0].strip()
            if not line.startswith("#") and ":" in line and len(line) >= 12 and not line.endswith(":"):
                texts.add(line)
    for b in EV.costs.bids:
        if EV.figures[b].tco is not None:
            numbers |= _amounts(EV.figures[b].tco)
    return texts, numbers


def leaks(lines: list[str]) -> list[str]:
    texts, numbers = sensitive_tokens()
    pattern = re.compile(r"(?<![\w.,])(?:" + "|".join(re.escape(n) for n in sorted(numbers, key=len, reverse=True))
                         + r")(?![\w]|[.,]\d)")
    found = []
    for line in lines:
        found += [f"{t!r} in {line[:200]!r}" for t in texts if t in line]
        found += [f"{m.group(0)!r} in {line[:200]!r}" for m in pattern.finditer(line)]
    return found


@pytest.fixture
def all_logs(caplog, monkeypatch):
    """Every log record of every logger at DEBUG, propagating or not."""
    records: list[logging.LogRecord] = []
    original = logging.Logger.handle

    def handle(self, record):
        records.append(record)
        return original(self, record)

    monkeypatch.setattr(logging.Logger, "handle", handle)
    caplog.set_level(logging.DEBUG)
    # Streamlit sets its loggers to the config's `logger.level` when the config is parsed
    # (lazily, on first use): parse it now, then keep Streamlit from lowering the level again.
    streamlit.config.get_option("logger.level")
    set_log_level, saved_streamlit = streamlit.logger.set_log_level, streamlit.logger._global_log_level
    set_log_level(logging.DEBUG)
    monkeypatch.setattr(streamlit.logger, "set_log_level", lambda level: None)
    loggers = [lg for lg in logging.root.manager.loggerDict.values() if isinstance(lg, logging.Logger)]
    levels = {lg: lg.level for lg in loggers}
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    yield records
    for lg, level in levels.items():
        lg.setLevel(level)
    set_log_level(saved_streamlit)


def _text(record: logging.LogRecord) -> str:
    parts = [record.name, record.getMessage()]
    if record.exc_info:
        parts.append(logging.Formatter().formatException(record.exc_info))
    if record.stack_info:
        parts.append(record.stack_info)
    return " | ".join(parts)


def test_the_leak_check_finds_a_planted_leak():
    telvia = yaml.safe_load(FILES["bids/telvia.yaml"])
    fee = float(telvia["plans"][0]["monthly_fee"])
    assert len(leaks([f"costing plan at {fee:.2f} EUR", f"tco={EV.figures['telvia'].tco!r}",
                      f"bid of {telvia['operator']}", "monthly_fee: 14.50"])) >= 4
    assert len(leaks([f"costing plan at {fee:.2f} EUR"])) == 1
    assert not leaks(["Streamlit 1.67.0 started in 14.503 s on port 8501", "version 14.50.1", "took 9.905 ms"])


def test_no_bid_data_in_logs(all_logs, tmp_path, capfd):
    check_pure_model(pure_model(tmp_path))
    check_app(whole_app())
    streamlit.logger.get_logger("streamlit.fleetbid_canary").debug("canary")
    captured = capfd.readouterr()
    names = {r.name for r in all_logs}
    assert "streamlit.fleetbid_canary" in names  # non-propagating loggers are seen, at DEBUG
    lines = [_text(r) for r in all_logs] + captured.out.splitlines() + captured.err.splitlines()
    assert leaks(lines) == []
