"""The buyer's service logs of a contract folder (docs/service-levels.md): the ticket log
(`read_tickets` → `Tickets`), the port log (`read_ports` → `Ports`) and the action log
(`read_actions`).

The logs are read by the billing-export machinery (`scoring.usage_file.records.read_records`:
CSV or workbook, delimiter, encoding, decimal commas, ragged rows) with the mapping of
``tickets_file`` / ``ports_file``; every cell is decoded once per distinct value, then by
code — no Python loop over rows. Each defect is one problem naming file, row and column
(header = row 1): a mapped column missing from the header (``row 1, column HEADER``), a
timestamp or date that does not parse, a ticket answered or resolved before it was opened, a
port ported before it was requested, an unknown port status, a ticket id given twice.

Timestamps are Europe/Paris local time, ``YYYY-MM-DDTHH:MM`` (seconds allowed, a space for
the ``T`` too; a bare date is midnight, as a workbook's midnight cells read); durations are
taken between the instants (a change of clocks counts as it happened), working days on the
local dates. Phone numbers become pseudonyms on reading (`scoring.usage_file.line_index`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from scoring.errors import Problem, TenderError
from scoring.inputs import pydantic_problems, strip_nulls
from scoring.model_base import Date, Id, Strict
from scoring.usage_file.line_index import LineIndex
from scoring.usage_file.problems import Problems, quoted_cell
from scoring.usage_file.records import RecordSpec, read_records
from scoring.yamlio import parse_yaml

from .contract import Contract, LogFileSpec

ZONE = "Europe/Paris"
PORT_STATUSES = ("ported", "rejected", "lost", "pending")
_TIMESTAMP = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?"
_DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _read(contract: Contract, spec: LogFileSpec) -> tuple[str, pd.DataFrame]:
    """The log's rows (`read_records`); a mapped column missing from the header is named as
    ``row 1, column HEADER``."""
    path, shown = contract.folder / spec.path, contract.file(spec.path)
    if not path.is_file():
        raise TenderError.at(shown, "(file)", "file is missing (named in contract.yaml)")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TenderError.at(shown, "(file)", f"cannot read file: {exc.strerror}") from None
    columns = {role: header.strip() for role, header in spec.columns.items()}
    record_spec = RecordSpec(columns=columns, delimiter=spec.delimiter, decimal=spec.decimal, encoding=spec.encoding)
    try:
        return shown, read_records(data, record_spec, shown=shown, xlsx=spec.path.lower().endswith(".xlsx"))
    except TenderError as exc:
        raise TenderError([Problem(p.file, f"row 1, column {columns[p.field[8:]]}", p.message)
                           if p.field.startswith("columns.") and p.field[8:] in columns else p
                           for p in exc.problems]) from None


def _open(contract: Contract, spec: LogFileSpec) -> tuple[str, pd.DataFrame, dict[str, str], np.ndarray, Problems]:
    """A log read (`_read`): (its name as errors give it, its rows, role → header, each row's
    number in the file, the problems to gather)."""
    shown, frame = _read(contract, spec)
    col = {role: header.strip() for role, header in spec.columns.items()}
    return shown, frame, col, frame["row"].to_numpy(np.int64), Problems(shown)


class _Rows:
    """A log's length: its rows."""

    row: np.ndarray

    def __len__(self) -> int:
        return len(self.row)


def _distinct(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """(codes, distinct texts): code -1 for an empty cell."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return series.cat.codes.to_numpy(np.int64), [str(c) for c in series.cat.categories]
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return codes.astype(np.int64), [str(u) for u in uniques]


def _parse(series: pd.Series, pattern: str, unit: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values as datetime64[unit], NaT where empty or bad; empty mask; bad mask), each
    distinct text parsed once."""
    codes, texts = _distinct(series)
    table = pd.Series(texts, dtype=object)
    good = table.str.fullmatch(pattern).fillna(False).to_numpy(bool)
    parsed = pd.to_datetime(table.where(good), format="ISO8601", errors="coerce") if len(table) else pd.Series([])
    values = np.append(np.asarray(parsed, dtype=f"datetime64[{unit}]"), np.datetime64("NaT", unit))
    bad_text = np.append(np.isnat(values[:-1]), False)
    return values[codes], codes < 0, bad_text[codes]


def _column(frame: pd.DataFrame, role: str, rows: np.ndarray, header: str, problems: Problems, pattern: str,
            unit: str, written: str, empty_message: str | None) -> tuple[np.ndarray, np.ndarray]:
    """A time or date column (`_parse`): (its values, its raw cells); a cell that does not
    parse is a problem (``… is not {written}``), an empty one too when ``empty_message``."""
    values, empty, bad = _parse(frame[role], pattern, unit)
    raw = frame[role].to_numpy(object)
    at = np.flatnonzero(bad)
    problems.add_rows(rows[at], header, lambda i: f"{quoted_cell(raw[at[i]])} is not {written}")
    if empty_message is not None:
        problems.add_rows(rows[np.flatnonzero(empty)], header, lambda i: empty_message)
    return values, raw


def _cells(frame: pd.DataFrame, role: str) -> np.ndarray:
    """A text column as an object array (None where empty)."""
    return frame[role].astype(object).where(frame[role].notna(), None).to_numpy(object)


def _instants(local: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local Europe/Paris times → (UTC instants as datetime64[s], mask of local times that do
    not exist: the hour skipped when clocks go forward). A time that occurs twice (clocks go
    back) is taken as the first, summer time."""
    index = pd.DatetimeIndex(local)
    aware = index.tz_localize(ZONE, ambiguous=np.ones(len(index), bool), nonexistent="NaT")
    utc = np.asarray(aware.tz_convert("UTC").tz_localize(None), dtype="datetime64[s]")
    return utc, np.isnat(utc) & ~np.isnat(local)


# --------------------------------------------------------------------------- tickets


@dataclass(frozen=True)
class Tickets(_Rows):
    """The ticket log, one entry per non-blank row. Times: ``*_at`` UTC instants
    (datetime64[s]), ``*_day`` local dates (datetime64[D]); NaT when the cell is empty."""

    file: str
    row: np.ndarray  # (N,) row in the file (header = 1)
    text: dict[str, np.ndarray]  # role → object array of the cells (id, type, entity when mapped)
    line: np.ndarray  # (N,) index into pseudonyms, -1 when empty or not mapped
    pseudonyms: np.ndarray  # line index → pseudonym
    opened_at: np.ndarray
    opened_day: np.ndarray
    answered_at: np.ndarray
    resolved_day: np.ndarray


def read_tickets(contract: Contract, index: LineIndex) -> Tickets:
    """The ticket log of ``tickets_file``; TenderError naming file, row and column."""
    shown, frame, col, rows, problems = _open(contract, contract.spec.tickets_file)
    n = len(frame)
    times = {}
    for role in ("opened", "answered", "resolved"):
        if role not in frame:
            times[role] = np.full(n, np.datetime64("NaT", "s"))
            continue
        local, raw = _column(frame, role, rows, col[role], problems, _TIMESTAMP, "s",
                             "a timestamp written YYYY-MM-DDTHH:MM (Europe/Paris time)",
                             "the opening time is empty" if role == "opened" else None)
        utc, skipped = _instants(local)
        at = np.flatnonzero(skipped)
        problems.add_rows(rows[at], col[role], lambda i, a=at, r=raw: (
            f"{quoted_cell(r[a[i]])} does not exist in Europe/Paris time (the clocks go forward then)"))
        times[role] = (local, utc)
    opened_local, opened_utc = times["opened"]
    for role, verb in (("answered", "answered"), ("resolved", "resolved")):
        if role in frame:
            local, utc = times[role]
            early = np.flatnonzero(utc < opened_utc)
            problems.add_rows(rows[early], col[role], lambda i, e=early, loc=local, v=verb: (
                f"{v} at {_minute(loc[e[i]])}, before it was opened at {_minute(opened_local[e[i]])}"))
    if "id" in frame:
        ids = frame["id"]
        again = np.flatnonzero((ids.notna() & ids.duplicated(keep="first")).to_numpy(bool))
        if len(again):
            first = pd.Series(np.arange(n)).groupby(ids.astype(object).to_numpy()).first()
            problems.add_rows(rows[again], col["id"], lambda i: (
                f"ticket {quoted_cell(ids.iloc[again[i]])} is already at row {rows[first[ids.iloc[again[i]]]]}"))
    problems.raise_if_any()
    line = _lines(index, frame)
    answered = times["answered"][1] if "answered" in frame else times["answered"]
    resolved = times["resolved"][0] if "resolved" in frame else times["resolved"]
    return Tickets(file=shown, row=rows, text={r: _cells(frame, r) for r in ("id", "type", "entity") if r in frame},
                   line=line, pseudonyms=index.pseudonyms(), opened_at=opened_utc,
                   opened_day=opened_local.astype("datetime64[D]"), answered_at=answered,
                   resolved_day=resolved.astype("datetime64[D]"))


def _minute(value: np.datetime64) -> str:
    return str(np.datetime_as_string(value, unit="m"))


def _lines(index: LineIndex, frame: pd.DataFrame) -> np.ndarray:
    if "line" not in frame:
        return np.full(len(frame), -1, np.int64)
    series = frame["line"].astype(object).where(frame["line"].notna(), None)
    return index.codes(series).astype(np.int64)


# --------------------------------------------------------------------------- ports


@dataclass(frozen=True)
class Ports(_Rows):
    """The port log: one port request per non-blank row."""

    file: str
    row: np.ndarray
    text: dict[str, np.ndarray]  # rio, status, reason when mapped (cells as written)
    line: np.ndarray  # index into pseudonyms, -1 when empty or not mapped
    pseudonyms: np.ndarray
    requested: np.ndarray  # datetime64[D]
    ported: np.ndarray  # datetime64[D], NaT when empty
    status: np.ndarray  # index into PORT_STATUSES


def read_ports(contract: Contract, index: LineIndex) -> Ports:
    """The port log of ``ports_file``; TenderError naming file, row and column."""
    shown, frame, col, rows, problems = _open(contract, contract.spec.ports_file)
    n = len(frame)
    dates = {}
    for role in ("requested", "ported"):
        if role not in frame:
            dates[role] = np.full(n, np.datetime64("NaT", "D"))
            continue
        dates[role] = _column(frame, role, rows, col[role], problems, _DATE, "D", "a date written YYYY-MM-DD",
                              "the request date is empty" if role == "requested" else None)[0]
    codes, texts = _distinct(frame["status"])
    table = np.array([PORT_STATUSES.index(t) if t in PORT_STATUSES else -1 for t in texts] + [-2], np.int64)
    status = table[codes]
    raw = frame["status"].to_numpy(object)
    at = np.flatnonzero(status < 0)
    problems.add_rows(rows[at], col["status"], lambda i: (
        "the status is empty" if status[at[i]] == -2 else
        f"unknown status {quoted_cell(raw[at[i]])}; use {', '.join(PORT_STATUSES)}"))
    ported = status == PORT_STATUSES.index("ported")
    missing = np.flatnonzero(ported & np.isnat(dates["ported"]))
    problems.add_rows(rows[missing], col.get("ported", "(ported)"), lambda i: "a ported request needs its ported date")
    early = np.flatnonzero(dates["ported"] < dates["requested"])
    problems.add_rows(rows[early], col.get("ported", ""), lambda i: (
        f"ported on {dates['ported'][early[i]]}, before it was requested on {dates['requested'][early[i]]}"))
    problems.raise_if_any()
    line = _lines(index, frame)
    return Ports(file=shown, row=rows, text={r: _cells(frame, r) for r in ("rio", "status", "reason") if r in frame},
                 line=line, pseudonyms=index.pseudonyms(), requested=dates["requested"], ported=dates["ported"],
                 status=status)


# --------------------------------------------------------------------------- actions


class Action(Strict):
    """One entry of the action log (``actions: actions.yaml``)."""

    id: Id
    text: str
    owner: str | None = None
    due: Date | None = None
    status: str = "open"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "owner": self.owner,
                "due": None if self.due is None else self.due.isoformat(), "status": self.status}


def read_actions(contract: Contract) -> tuple[Action, ...]:
    """The action log (a YAML list of {id, text, owner, due: YYYY-MM-DD, status: open|done}),
    () when contract.yaml names none; open actions first, overdue ones by due date."""
    name = contract.spec.actions
    if name is None:
        return ()
    path, shown = contract.folder / name, contract.file(name)
    if not path.is_file():
        raise TenderError.at(shown, "(file)", "file is missing (named by `actions` in contract.yaml)")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # not replaced silently: the minutes would carry the damage
        raise TenderError.at(shown, "(file)", f"not UTF-8 text (byte {exc.start + 1}): save it as UTF-8") from None
    data = parse_yaml(text, shown)
    if not isinstance(data, list):
        raise TenderError.at(shown, "(top level)", "expected a list of actions ({id, text, owner, due, status})")
    problems, out = [], []
    for i, item in enumerate(data):
        try:
            action = Action.model_validate(strip_nulls(item) if isinstance(item, dict) else item)
        except ValidationError as exc:
            problems += pydantic_problems(exc, shown, (i,))
            continue
        if action.status not in ("open", "done"):
            problems.append(Problem(shown, f"{i}.status", f"must be open or done, got {quoted_cell(action.status)}"))
        out.append(action)
    if problems:
        raise TenderError(problems)
    return tuple(sorted(out, key=lambda a: (a.status != "open", a.due or dt.date.max, a.id)))


__all__ = ["PORT_STATUSES", "Action", "Ports", "Tickets", "read_actions", "read_ports", "read_tickets"]
