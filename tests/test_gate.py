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
from live_server import Client, rss_mb, stored_bytes
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
    assert set(pages) == {"", "compare", "costs", "switching", "what-if", "award-split", "invoice-audit", "service-review", "summary"}
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


def test_parallel_guesses_cannot_outrun_the_lockout(monkeypatch):
    """20 guesses at once (issue 12 §10): before, each checked the lockout, then the password,
    then counted its failure, so all 20 were evaluated and the right one, arriving last, got in
    after three "lockouts". Now an attempt is checked and counted under the counter's lock: at
    most max_attempts passwords are evaluated, and a guess arriving while they are being
    evaluated waits for their outcome and is refused once they have locked the gate."""
    import threading
    import time

    monkeypatch.setattr(gate, "_now", lambda: 1000.0)
    access = gate.parse_access({"password_hash": HASH, "max_attempts": 3, "lockout_minutes": 10})
    evaluated, started = [], threading.Semaphore(0)
    real_matches = gate.Access.matches

    def slow_matches(self, password):  # a slow hash keeps the guesses in flight together
        evaluated.append(password)
        started.release()
        time.sleep(0.5)
        return real_matches(self, password)

    monkeypatch.setattr(gate.Access, "matches", slow_matches)
    counter, outcomes = gate.attempts(), {}
    go = threading.Barrier(19)

    def guess(password):
        if password != PASSWORD:
            go.wait()
        outcomes[password] = counter.attempt(access, password)[0]

    threads = [threading.Thread(target=guess, args=(f"wrong {i}",)) for i in range(19)]
    for t in threads:
        t.start()
    for _ in range(3):  # the first guesses are being evaluated, none has been decided yet
        assert started.acquire(timeout=10)
    time.sleep(0.1)
    threads.append(threading.Thread(target=guess, args=(PASSWORD,)))  # the right one, last
    threads[-1].start()
    for t in threads:
        t.join(timeout=30)
    assert outcomes[PASSWORD] == gate.LOCKED
    assert len(evaluated) == 3 and PASSWORD not in evaluated
    assert sorted(outcomes.values()).count(gate.LOCKED) == 17
    assert sorted(o for o in outcomes.values() if o != gate.LOCKED) == [gate.LOCKOUT, gate.WRONG, gate.WRONG]
    assert counter.seconds_locked(1000.0) == 600


# --- A real server: Streamlit's upload endpoint ----------------------------------------------
# Streamlit stores a file PUT to /_stcore/upload_file/<session id>/<any id> for any connected
# session, whether or not a file_uploader was rendered, and keeps it in memory until the
# session ends (issue 12 §10: 6 × 100 MB from a visitor at the password form raised the server
# to 854 MB). The gate admits a session to the upload store only once it has passed.

UPLOAD_MB = 25


def _uploads(base: str, pid: int, password: str | None = None, count: int = 3) -> tuple[list[int], int, float, list[str]]:
    """Open a session (entering the password when given), upload `count` files of UPLOAD_MB;
    the statuses, the bytes then in the upload store, the server's memory growth (MB) and
    what the page showed."""
    import asyncio

    async def scenario():
        async with Client(base) as client:
            shown = await client.run()
            if password is not None:
                shown = await client.enter_password(password)
            before = rss_mb(pid)
            statuses = [client.upload(UPLOAD_MB) for _ in range(count)]
            return statuses, stored_bytes(base), rss_mb(pid) - before, shown

    return asyncio.run(scenario())


def test_a_visitor_at_the_password_form_cannot_fill_the_upload_store(servers):
    base, pid = servers.start(f'[access]\npassword_hash = "{HASH}"\n')
    statuses, stored, grown, shown = _uploads(base, pid)
    assert "Fleetbid: access" in shown and TENDER_NAME not in shown
    # 400: refused by the endpoint's session check, before the body is read (a 403 would be
    # the store's own refusal, after reading it: Streamlit stopped asking first)
    assert statuses == [400] * 3, statuses
    assert stored == 0
    assert grown < UPLOAD_MB, f"the server grew by {grown:.0f} MB"
    # Once the password is right, the same server takes the session's uploads.
    statuses, stored, _, shown = _uploads(base, pid, PASSWORD, count=1)
    assert TENDER_NAME in shown
    assert statuses == [204] and stored == UPLOAD_MB << 20


def test_without_a_gate_uploads_work_as_before(servers):
    base, pid = servers.start()
    statuses, stored, _, shown = _uploads(base, pid, count=1)
    assert TENDER_NAME in shown and statuses == [204] and stored == UPLOAD_MB << 20


def test_the_upload_store_takes_files_only_from_admitted_sessions(monkeypatch):
    """The same rule without a server, on a stand-in runtime: files stored before the check
    was installed are dropped, a session is admitted by a run that passes the gate, and a
    session shown the password form again is taken out and its files dropped; the store's
    own `add_file` refuses (HTTP 403) what the endpoint's session check would have."""
    from types import SimpleNamespace

    from starlette.exceptions import HTTPException
    from streamlit.runtime import scriptrunner
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
    from streamlit.runtime.uploaded_file_manager import UploadedFileRec

    class Session:  # an AppSession stand-in (the admitted set holds it weakly)
        pass

    sessions = {"a": Session(), "b": Session()}
    rt = SimpleNamespace(uploaded_file_mgr=MemoryUploadedFileManager("/_stcore/upload_file"),
                         is_active_session=lambda sid: sid in sessions, get_app_session=sessions.get)
    store = rt.uploaded_file_mgr
    store.add_file("a", UploadedFileRec("early", "x.csv", "text/csv", b"x" * 10))  # before the check
    running = SimpleNamespace(session_id="a")
    monkeypatch.setattr(gate, "_runtime", lambda: rt)
    monkeypatch.setattr(scriptrunner, "get_script_run_ctx", lambda *a, **k: running)

    gate._admit_uploads(False)  # "a" is shown the password form
    assert store.get_files("a", ["early"]) == [] and not rt.is_active_session("a")
    with pytest.raises(HTTPException) as refused:
        store.add_file("a", UploadedFileRec("f", "x.csv", "text/csv", b"x"))
    assert refused.value.status_code == 403 and store.get_files("a", ["f"]) == []

    gate._admit_uploads(True)  # "a" passes the gate
    assert rt.is_active_session("a") and not rt.is_active_session("b") and not rt.is_active_session("c")
    store.add_file("a", UploadedFileRec("f", "x.csv", "text/csv", b"x"))
    assert [f.file_id for f in store.get_files("a", ["f"])] == ["f"]

    gate._admit_uploads(False)  # the password changed: "a" sees the form again
    assert store.get_files("a", ["f"]) == [] and not rt.is_active_session("a")
    gate._admit_uploads(True)
    del sessions["a"]  # the session ends: it leaves the admitted set with it
    import gc

    gc.collect()
    assert not rt._fleetbid_upload_guard.admits("a")
