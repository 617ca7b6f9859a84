"""Optional access gate for a shared deployment: one password for the whole app.

Off by default. Local use (no `.streamlit/secrets.toml`, or one without an ``[access]``
section) runs the app as it always has. A deployment turns the gate on in its secrets::

    [access]
    password_hash = "scrypt$<salt hex>$<hash hex>"   # python -m ui.gate hash
    max_attempts = 5          # failed attempts before a lockout (default 5)
    lockout_minutes = 15      # how long the lockout lasts (default 15)

``password_sha256 = "<hex>"`` (an unsalted SHA-256 of the password) is also accepted, but
a leaked unsalted hash of a weak password is cracked in seconds: prefer ``password_hash``.
The scrypt parameters are fixed (n = 2**14, r = 8, p = 1); the key length is that of the
stored hash.

Until the right password is entered the app shows a password form and stops (`st.stop()`):
no page, no tender, no navigation. Passwords are compared in constant time
(`hmac.compare_digest`). Neither the password nor the hash is ever logged or shown.

Lockout: after ``max_attempts`` consecutive failures every attempt — even with the right
password — is refused for ``lockout_minutes``. The failure counter lives in the server
process (a module-level object behind a lock), not in the browser session: opening a new
session does not reset it, and neither does Streamlit's "clear cache" message, which any
client can send and which empties `st.cache_resource`. It is global, for the whole
deployment (there is one password, and the client's address is not reliably available
behind a proxy). The trade-off: anyone who can reach the app can lock everyone out for
``lockout_minutes`` by typing wrong passwords. A success resets the counter; a server
restart clears it. Simultaneous logins cannot outrun it: an attempt is checked and counted
under the counter's lock before its password is evaluated, so at most ``max_attempts``
passwords are evaluated before a lockout, and none while locked (`Attempts.attempt`).

Until a session has passed the gate, Streamlit's upload store refuses its files (HTTP 4xx,
before the request body is read): see "Streamlit's upload store" below.

A secrets file that exists but cannot be read, or an ``[access]`` section without a valid
hash, keeps the app closed (fail closed) and says the access settings are invalid; the
server log names the faulty field, never its value.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import os
import re
import sys
import threading
import time
import weakref
from dataclasses import dataclass

import streamlit as st

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_LOCKOUT_MINUTES = 15
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
SESSION_KEY = "access_granted"  # holds a fingerprint of the configured hash once the password is right

_HEX = re.compile(r"[0-9a-fA-F]+")


class GateConfigError(ValueError):
    """The [access] section is present but unusable. The message names the field, never its value."""


@dataclass(frozen=True)
class Access:
    kind: str  # "scrypt" or "sha256"
    salt: bytes
    digest: bytes
    max_attempts: int
    lockout_seconds: float

    @property
    def fingerprint(self) -> str:
        """Identifies the configured hash (so a changed password ends open sessions) without
        revealing it: a SHA-256 of the stored digest."""
        return hashlib.sha256(self.kind.encode() + self.salt + self.digest).hexdigest()[:16]

    def matches(self, password: str) -> bool:
        given = password.encode("utf-8")
        if self.kind == "scrypt":
            candidate = hashlib.scrypt(given, salt=self.salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                                       dklen=len(self.digest))
        else:
            candidate = hashlib.sha256(given).digest()
        return hmac.compare_digest(candidate, self.digest)


def hash_password(password: str, salt: bytes | None = None) -> str:
    """The ``password_hash`` value for a password: ``scrypt$<salt hex>$<hash hex>``."""
    salt = os.urandom(SALT_BYTES) if salt is None else salt
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=KEY_BYTES)
    return f"scrypt${salt.hex()}${key.hex()}"


def _hex(value: object, field: str, nbytes: int | None = None) -> bytes:
    if not isinstance(value, str) or not _HEX.fullmatch(value) or len(value) % 2:
        raise GateConfigError(f"access.{field}: not a hexadecimal string")
    data = bytes.fromhex(value)
    if nbytes is not None and len(data) != nbytes:
        raise GateConfigError(f"access.{field}: expected {nbytes} bytes")
    return data


def _positive(section, field: str, default: float) -> float:
    value = section.get(field, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise GateConfigError(f"access.{field}: expected a positive number")
    return value


def parse_access(section) -> Access:
    """The gate settings of an ``[access]`` secrets section (a mapping)."""
    if "password_hash" in section:
        parts = section["password_hash"].split("$") if isinstance(section["password_hash"], str) else []
        if len(parts) != 3 or parts[0] != "scrypt":
            raise GateConfigError("access.password_hash: expected scrypt$<salt hex>$<hash hex> "
                                  "(python -m ui.gate hash)")
        salt, digest = _hex(parts[1], "password_hash salt"), _hex(parts[2], "password_hash hash")
        if not salt or len(digest) < 16:
            raise GateConfigError("access.password_hash: salt empty or hash shorter than 16 bytes")
        kind = "scrypt"
    elif "password_sha256" in section:
        kind, salt, digest = "sha256", b"", _hex(section["password_sha256"], "password_sha256", 32)
    else:
        raise GateConfigError("access: neither password_hash nor password_sha256 is set")
    attempts = _positive(section, "max_attempts", DEFAULT_MAX_ATTEMPTS)
    if attempts != int(attempts):
        raise GateConfigError("access.max_attempts: expected a whole number")
    minutes = _positive(section, "lockout_minutes", DEFAULT_LOCKOUT_MINUTES)
    return Access(kind, salt, digest, int(attempts), float(minutes) * 60.0)


def access_settings() -> Access | None:
    """The gate settings from `st.secrets`, or None when the gate is off.

    Off when no secrets file exists (Streamlit raises a FileNotFoundError subclass for any
    read then) or when it has no ``[access]`` section. Raises `GateConfigError` when a
    secrets file exists but cannot be parsed, or when ``[access]`` is unusable."""
    secrets = st.secrets  # looked up on each call: AppTest swaps the module attribute
    try:
        present = "access" in secrets
    except FileNotFoundError as exc:
        # StreamlitSecretNotFoundError: no file at all (gate off), or a file Streamlit
        # could not parse (gate closed: the deployment meant to configure something).
        if getattr(exc, "error_id", None) == "no-secrets-found" or not _secrets_files_exist():
            return None
        raise GateConfigError("the secrets file cannot be read") from None
    if not present:
        return None
    section = secrets["access"]
    if not hasattr(section, "get") or not hasattr(section, "__contains__"):
        raise GateConfigError("access: expected a [access] table")
    return parse_access(section)


def _secrets_files_exist() -> bool:
    """Whether any of the places Streamlit reads secrets from exists."""
    from streamlit import config

    return any(os.path.exists(path) for path in config.get_option("secrets.files") or [])


GRANTED, WRONG, LOCKOUT, LOCKED = "granted", "wrong", "lockout", "locked"


class Attempts:
    """Failed attempts, shared by every session of the server process.

    An attempt is checked and counted under the lock before its password is evaluated: it
    takes one of the attempts left (``failures + pending < max_attempts``), so however many
    guesses arrive at once, at most ``max_attempts`` passwords are evaluated before a lockout,
    and none while locked. A guess that finds every attempt left taken by guesses still being
    evaluated waits for their outcome: refused if they locked the gate, evaluated if one of
    them succeeded (which resets the count)."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.failures = 0  # consecutive failures since the last success or lockout
        self.pending = 0  # attempts counted but whose password is still being evaluated
        self.locked_until = 0.0

    def seconds_locked(self, now: float) -> float:
        with self.lock:
            return max(0.0, self.locked_until - now)

    def attempt(self, access: Access, password: str) -> tuple[str, int]:
        """Check one password against the lockout: (GRANTED | WRONG | LOCKOUT | LOCKED, the
        attempts left before a lockout)."""
        with self.lock:
            while True:
                if self.locked_until > _now():
                    return LOCKED, 0
                if self.failures + self.pending < access.max_attempts:
                    break
                self.lock.wait()  # the guesses in flight decide: a lockout or a reset
            self.pending += 1
        right = False
        try:
            right = access.matches(password)
        finally:  # an evaluation that raised counts as a failure
            with self.lock:
                self.pending -= 1
                self.lock.notify_all()
                if right:
                    self.failures = 0
                    outcome = GRANTED
                else:
                    self.failures += 1
                    outcome = WRONG
                    if self.failures >= access.max_attempts:
                        self.failures, self.locked_until, outcome = 0, _now() + access.lockout_seconds, LOCKOUT
                left = access.max_attempts - self.failures - self.pending
        return outcome, left

    def reset(self) -> None:
        """Forget every failure and any lockout (a server restart does the same)."""
        with self.lock:
            self.failures, self.locked_until = 0, 0.0
            self.lock.notify_all()


# Process-wide, one per server whatever the session. Deliberately not `st.cache_resource`:
# any client — logged in or not — can send Streamlit's "clear cache" message, which empties
# every st.cache_resource (and would reset the lockout).
_ATTEMPTS = Attempts()


def attempts() -> Attempts:
    """The process-wide failure counter."""
    return _ATTEMPTS


def _now() -> float:
    return time.monotonic()


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


# --- Streamlit's upload store ----------------------------------------------------------------
# Streamlit (1.67) stores a file PUT to /_stcore/upload_file/<session id>/<any file id> for
# any connected session, whether or not a file_uploader was rendered, and keeps it in memory
# until the session ends: a visitor at the password form could fill the server's memory.
# So the upload store takes files only from sessions the gate has admitted, i.e. whose
# latest script run passed `require_access` (every session when the gate is off). The
# check is installed on the running server by the first script run of the process: on the
# runtime's `is_active_session`, which the upload endpoint calls before it reads the request
# body (a refused upload is answered 400 without being read), and on the upload manager's
# `add_file` (answered 403: the same rule if the endpoint ever stops asking). Files stored
# before the check was installed are dropped then. A session leaves the admitted set when it
# ends or when the gate shows it the password form again (its files are dropped).


class UploadGuard:
    """The sessions admitted to a runtime's upload store, and the check installed on it.

    Kept on the runtime object (not in this module), so a module reloaded by Streamlit's file
    watcher finds the check already installed and admits sessions into the same set."""

    def __init__(self, rt) -> None:
        self.admitted: weakref.WeakValueDictionary[str, object] = weakref.WeakValueDictionary()  # id -> AppSession
        self.lock = threading.Lock()
        self.store = rt.uploaded_file_mgr
        is_active_session, add_file = rt.is_active_session, self.store.add_file

        def active_and_admitted(session_id: str) -> bool:
            return is_active_session(session_id) and self.admits(session_id)

        def add_admitted_file(session_id: str, file) -> None:
            if not self.admits(session_id):
                from starlette.exceptions import HTTPException

                raise HTTPException(status_code=403, detail="access not granted")
            add_file(session_id, file)

        rt.is_active_session, self.store.add_file = active_and_admitted, add_admitted_file
        for session_id in list(getattr(self.store, "file_storage", {})):  # arrived before the check
            self.store.remove_session_files(session_id)

    def admits(self, session_id: str) -> bool:
        with self.lock:
            return session_id in self.admitted

    def admit(self, session_id: str, session: object) -> None:
        with self.lock:
            self.admitted[session_id] = session

    def refuse(self, session_id: str) -> None:
        """Take a session out and drop the files it uploaded."""
        with self.lock:
            self.admitted.pop(session_id, None)
        self.store.remove_session_files(session_id)


_GUARD_LOCK = threading.Lock()


def upload_guard(rt) -> UploadGuard:
    """The check on a running Streamlit runtime's upload store, installed on first use."""
    with _GUARD_LOCK:
        guard = getattr(rt, "_fleetbid_upload_guard", None)
        if guard is None:
            guard = rt._fleetbid_upload_guard = UploadGuard(rt)
        return guard


def _runtime():
    from streamlit import runtime

    return runtime.get_instance() if runtime.exists() else None  # None under AppTest


def _admit_uploads(admitted: bool) -> None:
    """Admit the running session to the upload store, or take it out and drop its files."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    rt, ctx = _runtime(), get_script_run_ctx()
    if rt is None or ctx is None:
        return
    guard, session = upload_guard(rt), rt.get_app_session(ctx.session_id)
    if admitted and session is not None:
        guard.admit(ctx.session_id, session)
    else:
        guard.refuse(ctx.session_id)


def require_access() -> None:
    """Show the password form and stop the script unless access is open or granted."""
    from ui.common import tr

    try:
        access = access_settings()
    except GateConfigError as exc:
        log.error("access gate: %s; the app stays closed", exc)
        _admit_uploads(False)
        st.error(tr("gate.misconfigured"))
        st.stop()
    if access is None or st.session_state.get(SESSION_KEY) == access.fingerprint:
        _admit_uploads(True)
        return
    _admit_uploads(False)
    counter = attempts()
    st.title(tr("gate.title"))
    with st.form("access_gate", clear_on_submit=True):
        password = st.text_input(tr("gate.password"), type="password", key="access_password")
        submitted = st.form_submit_button(tr("gate.submit"))
    if submitted and password:  # an empty submission is not an attempt
        outcome, left = counter.attempt(access, password)
        if outcome == GRANTED:
            st.session_state[SESSION_KEY] = access.fingerprint
            st.rerun()
        elif outcome == LOCKOUT:
            log.warning("access gate: %d failed attempts; locked for %g minutes",
                        access.max_attempts, access.lockout_seconds / 60)
        elif outcome == WRONG:
            st.error(tr("gate.wrong", left=left, minutes=_minutes(access.lockout_seconds)))
    locked = counter.seconds_locked(_now())
    if locked > 0:
        st.error(tr("gate.locked", minutes=_minutes(locked)))
    st.stop()


def main(argv: list[str] | None = None) -> int:
    """``python -m ui.gate hash``: read a password (hidden; from stdin when it is not a
    terminal) and print the ``[access]`` line to paste into .streamlit/secrets.toml."""
    import getpass

    args = sys.argv[1:] if argv is None else argv
    if args != ["hash"]:
        print("usage: python -m ui.gate hash", file=sys.stderr)
        return 2
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("error: the two passwords differ", file=sys.stderr)
            return 2
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        print("error: empty password", file=sys.stderr)
        return 2
    print(f'password_hash = "{hash_password(password)}"')
    return 0


if __name__ == "__main__":
    sys.exit(main())
