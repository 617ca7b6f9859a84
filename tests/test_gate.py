"""The optional access gate (ui/gate.py), through the whole app (`app.py`) with AppTest.

- off without a secrets file, and with one that has no [access] section: the Tender page renders;
- on: only the password form shows (no page, no tender name, no navigation);
- a wrong password is refused with a message; after max_attempts failures even the right
  password is refused (locked), also from a new session and after Streamlit's "clear cache"
  (which empties st.cache_resource), until the lockout ends;
- the right password opens every page, for that session only;
- a secrets file that cannot be parsed, or an [access] section without a valid hash, keeps
  the app closed;
- neither the password nor the hash is ever shown or logged;
- `python -m ui.gate hash` prints a password_hash line that the gate accepts.
"""

from __future__ import annotations

import hashlib
import io
import logging

import pytest
import streamlit
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest

from scoring import EXAMPLE_TENDER, evaluate, load_tender
from ui import gate

from conftest import ROOT

PASSWORD = "correct horse battery staple"
HASH = gate.hash_password(PASSWORD, salt=bytes(range(16)))
TENDER_NAME = evaluate(load_tender(EXAMPLE_TENDER)).tender.name


@pytest.fixture(autouse=True)
def fresh_counter():
    """The failure counter is process-wide by design: start and end each test with a new one."""
    gate.attempts().reset()
    yield
    gate.attempts().reset()


@pytest.fixture
def secrets_files(tmp_path, monkeypatch):
    """Point Streamlit's secrets lookup at files under tmp_path (none exist yet), with a fresh
    `st.secrets`, so a developer's own secrets.toml cannot change the outcome."""
    from streamlit import config

    path = tmp_path / "secrets.toml"
    saved = config.get_option("secrets.files")
    config.set_option("secrets.files", [str(path)])
    monkeypatch.setattr(streamlit, "secrets", Secrets())
    yield path
    config.set_option("secrets.files", saved)


def app(access: dict | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if access is not None:
        at.secrets["access"] = access
    if lang:
        at.session_state["lang"] = lang
    return at


def shown(at: AppTest) -> str:
    """Every text the page shows (titles, markdown, alerts, labels, tables)."""
    parts = [e.value for kind in ("title", "header", "subheader", "markdown", "caption", "error", "warning",
                                  "info", "success") for e in getattr(at, kind)]
    parts += [w.label for w in at.text_input] + [b.label for b in at.button] + [m.label for m in at.metric]
    parts += [d.value.to_string() for d in at.dataframe]
    return "\n".join(str(p) for p in parts)


def submit(at: AppTest, password: str) -> AppTest:
    at.text_input(key="access_password").input(password)
    return at.button[0].click().run()


def test_off_without_a_secrets_file(secrets_files):
    assert not secrets_files.exists()
    assert gate.access_settings() is None  # reading secrets without a file does not fail
    at = app().run()
    assert not at.exception, at.exception
    assert at.title[0].value == TENDER_NAME
    assert not at.text_input


def test_off_with_secrets_but_no_access_section(secrets_files):
    secrets_files.write_text('[other]\ntoken = "x"\n')
    at = app().run()
    assert not at.exception, at.exception
    assert at.title[0].value == TENDER_NAME


def test_unreadable_secrets_file_keeps_the_app_closed(secrets_files, caplog):
    secrets_files.write_text("[access\npassword_hash = 'scrypt$00$00'\n")
    at = app().run()
    assert not at.exception, at.exception
    assert "access settings of this deployment are invalid" in shown(at)
    assert TENDER_NAME not in shown(at) and not at.dataframe and not at.text_input


@pytest.mark.parametrize("access, field", [
    ({"password_hash": "scrypt$zz$00"}, "password_hash"),
    ({"password_hash": HASH.replace("scrypt", "bcrypt")}, "password_hash"),
    ({"password_sha256": "abc"}, "password_sha256"),
    ({"max_attempts": 3}, "neither password_hash nor password_sha256"),
    ({"password_hash": HASH, "max_attempts": 0}, "max_attempts"),
    ({"password_hash": HASH, "lockout_minutes": "15"}, "lockout_minutes"),
])
def test_invalid_access_section_keeps_the_app_closed_and_names_the_field_not_the_value(access, field, caplog):
    caplog.set_level(logging.DEBUG)
    at = app(access).run()
    assert not at.exception, at.exception
    assert "access settings of this deployment are invalid" in shown(at)
    assert TENDER_NAME not in shown(at) and not at.text_input
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "ui.gate")
    assert field in logged
    for value in access.values():
        if isinstance(value, str) and len(value) > 3:
            assert value not in logged and value not in shown(at)


@pytest.mark.parametrize("lang, title", [(None, "Fleetbid: access"), ("FR", "Fleetbid : accès")])
def test_on_shows_the_password_form_and_nothing_else(lang, title):
    at = app({"password_hash": HASH}, lang).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title] == [title]
    assert len(at.text_input) == 1 and at.text_input[0].proto.type == at.text_input[0].proto.PASSWORD
    assert not at.dataframe and not at.metric and not at.error
    assert TENDER_NAME not in shown(at)
    assert not any(info.get("url_pathname") for info in at._registered_pages.values())  # st.navigation never ran


def test_wrong_password_is_refused_then_the_lockout_refuses_even_the_right_one(monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    clock = [1000.0]
    monkeypatch.setattr(gate, "_now", lambda: clock[0])
    access = {"password_hash": HASH, "max_attempts": 3, "lockout_minutes": 10}
    at = app(access).run()
    submit(at, "wrong 1")
    assert "Wrong password. 2 attempt(s) left" in shown(at)
    assert TENDER_NAME not in shown(at)
    submit(at, "wrong 2")
    assert "1 attempt(s) left" in shown(at)
    submit(at, "wrong 3")
    assert "access is locked. Try again in 10 minute(s)" in shown(at)
    submit(at, PASSWORD)
    assert "access is locked" in shown(at) and TENDER_NAME not in shown(at)
    # A new session (another browser, a reload) does not reset the counter.
    other = app(access).run()
    assert "access is locked. Try again in 10 minute(s)" in shown(other)  # said before any attempt
    submit(other, PASSWORD)
    assert "access is locked. Try again in 10 minute(s)" in shown(other) and TENDER_NAME not in shown(other)
    # Streamlit's "clear cache" message (any client can send it) empties st.cache_resource
    # and the session: the lockout stays.
    from streamlit.runtime import caching

    caching.cache_resource.clear()
    caching.cache_data.clear()
    submit(other, PASSWORD)
    assert "access is locked" in shown(other) and TENDER_NAME not in shown(other)
    clock[0] += 9 * 60 + 1
    submit(other, PASSWORD)
    assert "Try again in 1 minute(s)" in shown(other)
    clock[0] += 60
    submit(other, PASSWORD)
    assert not other.exception, other.exception
    assert other.title[0].value == TENDER_NAME
    # Nothing secret reached the page or the log.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "locked for 10 minutes" in logged
    for secret in (PASSWORD, "wrong 1", HASH, HASH.split("$")[2]):
        assert secret not in logged and secret not in shown(at) and secret not in shown(other)


def test_right_password_opens_every_page_for_that_session_only():
    at = app({"password_hash": HASH}).run()
    submit(at, PASSWORD)
    assert not at.exception, at.exception
    assert at.title[0].value == TENDER_NAME
    pages = {info["url_pathname"]: h for h, info in at._registered_pages.items()}
    assert set(pages) == {"", "compare", "costs", "switching", "what-if", "summary"}
    for url_path, title in (("compare", "Compare"), ("what-if", "What-if"), ("summary", "Decision summary")):
        at._page_hash = pages[url_path]  # AppTest.switch_page only knows file pages
        at.run()
        assert not at.exception, at.exception
        assert [t.value for t in at.title] == [title]
        assert at.metric or at.dataframe
    assert PASSWORD not in shown(at)
    assert app({"password_hash": HASH}).run().title[0].value == "Fleetbid: access"  # a new session asks again


def test_a_changed_password_closes_open_sessions():
    at = app({"password_hash": HASH}).run()
    submit(at, PASSWORD)
    assert at.title[0].value == TENDER_NAME
    at.secrets["access"] = {"password_hash": gate.hash_password("another one")}
    at.run()
    assert at.title[0].value == "Fleetbid: access"


def test_unsalted_sha256_is_accepted():
    at = app({"password_sha256": hashlib.sha256(PASSWORD.encode()).hexdigest()}).run()
    submit(at, "nope")
    assert "Wrong password" in shown(at)
    submit(at, PASSWORD)
    assert at.title[0].value == TENDER_NAME


def test_an_empty_submission_is_not_an_attempt():
    at = app({"password_hash": HASH, "max_attempts": 1}).run()
    submit(at, "")
    assert not at.error
    submit(at, PASSWORD)
    assert at.title[0].value == TENDER_NAME


def test_hash_command_prints_a_line_the_gate_accepts(monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret\n"))
    assert gate.main(["hash"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith('password_hash = "scrypt$') and "s3cret" not in out
    value = out.split('"')[1]
    access = gate.parse_access({"password_hash": value})
    assert access.matches("s3cret") and not access.matches("s3cret ")
    assert value != gate.hash_password("s3cret")  # a new random salt each time
    assert gate.main(["nothing"]) == 2
