"""Measured usage: the incumbent's billing export, one row per line and month.

tender.yaml names the export and maps its headers to roles::

    usage_file:
      path: usage.csv
      columns: {line: msisdn, entity: cost_centre, profile: category, month: period,
                voice_min: voice_minutes, data_gb: data_mb, sms: sms_count}
      units: {data_gb: MB}          # converted on load

Roles ``line``, ``entity`` and ``month`` are required, ``profile`` is optional; every other
key of ``columns`` is a usage component id (``[a-z0-9_-]+``), read in the format's units.

Units. A component whose id ends in ``_gb`` is data, in GB; one ending in ``_min`` is voice,
in minutes. ``units`` converts on load: data from ``KB``, ``MB``, ``GB`` or ``TB``, voice from
``s``, ``min`` or ``h``. Data units are *decimal*, as operators bill them: 1 GB = 1000 MB =
1,000,000 KB, 1 TB = 1000 GB (not 1024). Any other unit, or a unit on a component of another
kind (``sms``), is an error naming ``units.<component>``.

Privacy. Line identifiers (phone numbers) are pseudonymised on load with a keyed
HMAC-SHA256 (`pseudonymise`): the returned table holds ``L-`` + 16 hex digits, and no error
message ever shows a raw identifier (errors name the row in the file instead).

Errors. Every defect is collected and raised together as one `TenderError` (at most
`MAX_PROBLEMS` problems, then "… and N more"), each naming the file, the row as numbered in
the file (header = row 1) and the column. Rows whose mapped cells are all empty are
skipped. Row numbers count physical lines of a CSV, so a quoted cell holding a line break
shifts the rows named after it.

Scale. A CSV is read by pandas' C parser in chunks of `CHUNK_ROWS` rows, mapped columns only,
with a dtype per column; each chunk is reduced at once to compact arrays (int codes for
lines, entities, profiles and months; one float64 row per component, preallocated), so 1M
lines × 12 months (12M rows, 8 components) needs about 1 GB for the result on top of the
file's bytes.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import hmac
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import Problem, TenderError
from .model import (  # noqa: F401  (the spec lives with the tender's model; re-exported here)
    DATA_UNITS,
    REQUIRED_ROLES,
    ROLES,
    VOICE_UNITS,
    ProfileRule,
    Range,
    UsageFileSpec,
    component_kind,
    unit_factor,
)

MAX_PROBLEMS = 50
MAX_MONTHS = 120  # a wider range is almost surely a mistyped month
MAX_BYTES = 4 * 1024**3
CHUNK_ROWS = 250_000  # bounds the C parser's buffers: ~0.5 GB peak for 100k lines × 12 months
SNIFFED_DELIMITERS = (",", ";", "\t", "|")


# --------------------------------------------------------------------------- pseudonyms


def pseudonymise(ids: pd.Series, key: bytes) -> pd.Series:
    """``L-`` + the first 16 hex digits of HMAC-SHA256(key, id), per id (stripped of spaces).

    Deterministic for a given key; without the key the raw number cannot be recovered or
    checked by brute force over the numbering plan. Each distinct id is hashed once (a
    Python loop over the unique ids, about 1 µs each: ~1 s for 1M lines); rows are then
    mapped by their factorised codes. Missing ids stay missing.
    """
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    hashed = np.array(_hash_all([str(u).strip() for u in uniques], key) + [None], dtype=object)
    return pd.Series(hashed[codes], index=ids.index, name=ids.name, dtype=object)


def _hash_all(raw: list[str], key: bytes) -> list[str]:
    base = hmac.new(key, digestmod=hashlib.sha256)
    out = []
    for value in raw:
        h = base.copy()
        h.update(value.encode("utf-8"))
        out.append("L-" + h.hexdigest()[:16])
    return out


# --------------------------------------------------------------------------- months

_MONTH_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00)?)?"),
    re.compile(r"(?P<m>\d{1,2})/(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})"),
)
_NO_MONTH = np.iinfo(np.int64).min


def month_ordinal(text: Any) -> int | None:
    """The Period[M] ordinal of ``2026-01``, ``2026-01-15``, ``01/2026`` or ``202601``; None if not one."""
    if isinstance(text, dt.date):
        return (text.year - 1970) * 12 + text.month - 1
    text = str(text).strip()
    for form in _MONTH_FORMS:
        match = form.fullmatch(text)
        if match:
            year, month = int(match["y"]), int(match["m"])
            if not 1 <= month <= 12:
                return None
            if match.groupdict().get("d") is not None:
                try:
                    dt.date(year, month, int(match["d"]))
                except ValueError:
                    return None
            return (year - 1970) * 12 + month - 1
    return None


def _month_text(ordinal: int) -> str:
    year, month = divmod(int(ordinal), 12)
    return f"{1970 + year:04d}-{month + 1:02d}"


# --------------------------------------------------------------------------- reading


class _Problems:
    """Problems up to a cap; the rest are counted for a final "… and N more"."""

    def __init__(self, shown: str):
        self.shown = shown
        self.items: list[Problem] = []
        self.extra = 0

    def room(self) -> int:
        return MAX_PROBLEMS - len(self.items)

    def add(self, field: str, message: str) -> None:
        if self.room() > 0:
            self.items.append(Problem(self.shown, field, message))
        else:
            self.extra += 1

    def add_rows(self, rows: np.ndarray, column: str, message) -> None:
        """One problem per row; ``message(i)`` is called only for the problems kept."""
        keep = min(len(rows), max(self.room(), 0))
        for i in range(keep):
            self.add(f"row {int(rows[i])}, column {column}", message(i))
        self.extra += len(rows) - keep

    def raise_if_any(self) -> None:
        if self.items:
            items = list(self.items)
            if self.extra:
                items.append(Problem(self.shown, "", f"… and {self.extra:,} more problems"))
            raise TenderError(items)


def _short(value: Any, limit: int = 30) -> str:
    text = str(value)
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _list(values, limit: int = 20) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "") if values else "(none)"


class _Reader:
    """Reduces chunks of the export (columns renamed to roles) to compact arrays."""

    def __init__(
        self,
        spec: UsageFileSpec,
        shown: str,
        entities: list[str],
        profiles: list[str] | None,
        capacity: int,
        key: bytes,
    ):
        self.spec, self.shown, self.key = spec, shown, key
        self.entities = list(entities)
        self.profiles = None if profiles is None else list(profiles)
        self.components = spec.components
        self.problems = _Problems(shown)
        self.line_of: dict[str, int] = {}  # raw id → line index; dropped once pseudonymised
        n = max(capacity, 1)
        self.rows = np.empty(n, np.int64)  # row number in the file
        self.line = np.empty(n, np.int32)
        self.month = np.empty(n, np.int64)
        self.entity = np.empty(n, np.int16)
        self.profile = np.empty(n, np.int16) if "profile" in spec.columns else None
        self.values = np.empty((len(self.components), n), np.float64)  # one row per component: pandas' block layout
        self.factors = np.array([spec.factor(c) for c in self.components])
        self.size = 0
        self.month_errors = False

    def col(self, role: str) -> str:
        return self.spec.columns[role].strip()

    def _grow(self, need: int) -> None:
        n = max(need, 2 * len(self.rows))
        for name in ("rows", "line", "month", "entity", "profile"):
            old = getattr(self, name)
            if old is not None:
                new = np.empty(n, old.dtype)
                new[: self.size] = old[: self.size]
                setattr(self, name, new)
        values = np.empty((self.values.shape[0], n), np.float64)
        values[:, : self.size] = self.values[:, : self.size]
        self.values = values

    def add(self, chunk: pd.DataFrame, first_row: int) -> None:
        """Reduce one chunk whose first data row is row ``first_row`` of the file."""
        n = len(chunk)
        if n == 0:
            return
        rows = np.arange(first_row, first_row + n, dtype=np.int64)
        blank = np.ones(n, bool)
        for role in chunk.columns:
            blank &= chunk[role].isna().to_numpy()
        if blank.any():  # rows with every mapped cell empty are skipped
            chunk, rows = chunk.loc[~blank], rows[~blank]
            n = len(chunk)
            if n == 0:
                return
        line = self._lines(chunk["line"], rows)
        month = self._months(chunk["month"], rows)
        entity = self._codes(chunk["entity"], rows, "entity", self.entities)
        profile = self._codes(chunk["profile"], rows, "profile", self.profiles) if self.profile is not None else None
        if self.size + n > len(self.rows):
            self._grow(self.size + n)
        at = slice(self.size, self.size + n)
        self.rows[at], self.line[at], self.month[at], self.entity[at] = rows, line, month, entity
        if profile is not None:
            self.profile[at] = profile
        for c, component in enumerate(self.components):
            self.values[c, at] = self._numbers(chunk[component], rows, component)
            if self.factors[c] != 1.0:
                self.values[c, at] *= self.factors[c]
        self.size += n

    def _lines(self, series: pd.Series, rows: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        line_of = self.line_of
        index = np.array([_line_index(line_of, u) for u in uniques] + [-1], dtype=np.int32)
        out = index[codes]
        bad = np.flatnonzero(out < 0)
        if len(bad):
            self.problems.add_rows(rows[bad], self.col("line"), lambda i: "the line identifier is empty")
        return out

    def _months(self, series: pd.Series, rows: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        parsed = [month_ordinal(u) for u in uniques]
        table = np.array([_NO_MONTH if p is None else p for p in parsed] + [_NO_MONTH], dtype=np.int64)
        out = table[codes]
        bad = np.flatnonzero(out == _NO_MONTH)
        if len(bad):
            self.month_errors = True
            bad_codes = codes[bad]
            self.problems.add_rows(
                rows[bad],
                self.col("month"),
                lambda i: (
                    "the month is empty"
                    if bad_codes[i] < 0
                    else f"month {_short(uniques[bad_codes[i]])} is not a month (write 2026-01, 2026-01-15, 01/2026 or 202601)"
                ),
            )
        return out

    def _codes(self, series: pd.Series, rows: np.ndarray, role: str, known: list[str]) -> np.ndarray:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        lookup = {name: i for i, name in enumerate(known)}
        table = np.array([lookup.get(_cell_text(u), -1) for u in uniques] + [-2], dtype=np.int16)
        out = table[codes]
        bad = np.flatnonzero(out < 0)
        if len(bad):
            bad_codes = codes[bad]
            self.problems.add_rows(
                rows[bad],
                self.col(role),
                lambda i: (
                    f"the {role} is empty"
                    if bad_codes[i] < 0
                    else f"unknown {role} {_short(_cell_text(uniques[bad_codes[i]]))}; known: {_list(known)}"
                ),
            )
        return out

    def _numbers(self, series: pd.Series, rows: np.ndarray, component: str) -> np.ndarray:
        column = self.col(component)
        if series.dtype.kind in "fiu":
            values = series.to_numpy(np.float64)
            text = None
        else:  # slow path: text in the column (bad CSV), or cells from a workbook
            values, text = _floats(series.to_numpy(object), self.spec.decimal)
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~(values >= 0) | ~np.isfinite(values))
        if len(bad):

            def message(i: int) -> str:
                value = values[bad[i]]
                if text is not None and text[bad[i]] is not None:
                    return f"{_short(text[bad[i]])} is not a number"
                if np.isnan(value):
                    return "the cell is empty or not a number (write 0 for no usage)"
                if not np.isfinite(value):
                    return f"{value} is not a finite number"
                return f"usage cannot be negative, got {value:g}"

            self.problems.add_rows(rows[bad], column, message)
        return values

    # -- whole-file checks

    def check_table(self) -> None:
        n = self.size
        if n == 0:
            self.problems.add("", "the export has no data rows")
            return
        line, month, rows = self.line[:n], self.month[:n], self.rows[:n]
        ok = (line >= 0) & (month != _NO_MONTH)
        if not ok.any():
            return
        m0, m1 = int(month[ok].min()), int(month[ok].max())
        span = m1 - m0 + 1
        if span > MAX_MONTHS:
            self.problems.add(
                f"column {self.col('month')}",
                f"months run from {_month_text(m0)} to {_month_text(m1)}: over the {MAX_MONTHS}-month limit; "
                "is a month mistyped?",
            )
            return
        self.pseudonyms = _hash_all(list(self.line_of), self.key)
        idx = np.flatnonzero(ok)
        keys = line[idx].astype(np.int64) * span + (month[idx] - m0)
        order = np.argsort(keys, kind="stable")
        sorted_keys = keys[order]
        dup = np.flatnonzero(sorted_keys[1:] == sorted_keys[:-1])
        if len(dup):
            first, again = idx[order[dup]], idx[order[dup + 1]]
            self.problems.add_rows(
                rows[again],
                self.col("line"),
                lambda i: (
                    f"line {self.pseudonyms[line[again[i]]]} already has a row for "
                    f"{_month_text(month[again[i]])} (row {rows[first[i]]}): one row per line and month"
                ),
            )
        if self.month_errors or (line < 0).any():
            return  # missing months would only echo the rows already reported
        present = np.zeros((len(self.line_of), span), bool)
        present[line, month - m0] = True
        short = np.flatnonzero(~present.all(axis=1))
        if len(short):
            keep = min(len(short), max(self.problems.room(), 0))
            for i in short[:keep]:
                missing = [_month_text(m0 + k) for k in np.flatnonzero(~present[i])]
                self.problems.add(
                    f"column {self.col('month')}",
                    f"line {self.pseudonyms[i]} has no row for {_list(missing, 6)} "
                    f"(the export covers {_month_text(m0)} to {_month_text(m1)}; every line needs every month)",
                )
            self.problems.extra += len(short) - keep

    def table(self) -> pd.DataFrame:
        n = self.size
        pseudonyms = pd.Index(self.pseudonyms, dtype=object)
        if pseudonyms.has_duplicates:  # 64-bit digests: ~3e-8 for 1M lines, but never silently merge two lines
            raise TenderError.at(self.shown, "", "two line identifiers share a pseudonym; use another key")
        data: dict[str, Any] = {
            "line": pd.Categorical.from_codes(self.line[:n], categories=pseudonyms),
            "entity": pd.Categorical.from_codes(self.entity[:n], categories=pd.Index(self.entities, dtype=object)),
        }
        if self.profile is not None:
            data["profile"] = pd.Categorical.from_codes(
                self.profile[:n], categories=pd.Index(self.profiles, dtype=object)
            )
        data["month"] = pd.PeriodIndex.from_ordinals(self.month[:n], freq="M")
        ids = pd.DataFrame(data)
        values = pd.DataFrame(self.values[:, :n].T, columns=self.components, copy=False)
        return pd.concat([ids, values], axis=1)


def _line_index(line_of: dict[str, int], raw: Any) -> int:
    text = _cell_text(raw)
    if not text:
        return -1
    return line_of.setdefault(text, len(line_of))


def _cell_text(value: Any) -> str:
    """A cell as text: workbook numbers lose a trailing ``.0`` (33612345678.0 → 33612345678)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _floats(cells: np.ndarray, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells → float64, and the text of cells that are not numbers (None elsewhere)."""
    values = np.empty(len(cells), np.float64)
    text = np.full(len(cells), None, dtype=object)
    for i, cell in enumerate(cells):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            values[i] = np.nan
        elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
            values[i] = cell
        else:
            raw = str(cell).strip()
            try:
                values[i] = float(raw.replace(",", ".") if decimal == "," else raw) if raw else np.nan
                if raw.lower() in ("nan", "inf", "-inf", "infinity", "-infinity", "+inf"):
                    text[i] = raw
                    values[i] = np.nan
            except ValueError:
                values[i] = np.nan
                text[i] = raw
    return values, text


def _sniff(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in SNIFFED_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def _csv_chunks(data: bytes, spec: UsageFileSpec, shown: str) -> Iterator[pd.DataFrame]:
    encoding = "utf-8-sig" if codecs.lookup(spec.encoding).name == "utf-8" else spec.encoding
    head = data[:65536].decode(encoding, errors="ignore")
    delimiter = spec.delimiter or _sniff(head.splitlines()[0] if head else "")
    common = dict(sep=delimiter, encoding=encoding, engine="c", skip_blank_lines=False)
    try:
        headers = list(pd.read_csv(io.BytesIO(data), nrows=0, **common).columns)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise TenderError.at(shown, "", f"not a readable CSV file ({_parser_message(exc)})") from None
    by_name = {str(h).strip(): h for h in headers}
    missing = [
        Problem(
            shown,
            f"columns.{role}",
            f"column {name.strip()!r} is not in the file's header; headers found: {_list(map(str, headers), 40)}",
        )
        for role, name in spec.columns.items()
        if name.strip() not in by_name
    ]
    if missing:
        raise TenderError(missing)
    role_of = {by_name[name.strip()]: role for role, name in spec.columns.items()}
    text_roles = ("line", "entity", "profile", "month")
    dtype = {
        h: (str if role == "line" else "category") if role in text_roles else np.float64 for h, role in role_of.items()
    }
    options = dict(
        usecols=list(role_of),
        decimal=spec.decimal,
        chunksize=CHUNK_ROWS,
        keep_default_na=False,
        na_values=[""],
        **common,
    )
    try:
        try:
            with pd.read_csv(io.BytesIO(data), dtype=dtype, **options) as reader:
                for chunk in reader:
                    yield chunk.rename(columns=role_of)
            return
        except ValueError as exc:
            if isinstance(exc, (pd.errors.ParserError, UnicodeDecodeError)):
                raise
        # Text in a number column: read again with number columns as text, to name each
        # cell. The caller starts over on _RESTART.
        yield _RESTART
        slow = {h: (str if d is np.float64 else d) for h, d in dtype.items()}
        with pd.read_csv(io.BytesIO(data), dtype=slow, **options) as reader:
            for chunk in reader:
                yield chunk.rename(columns=role_of)
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise TenderError.at(shown, "", f"not a readable CSV file ({_parser_message(exc)})") from None


_RESTART = pd.DataFrame()


def _parser_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return re.sub(r"\d{6,}", "…", text)[:200]  # never echo what may be a phone number


def _xlsx_chunks(data: bytes, spec: UsageFileSpec, shown: str) -> Iterator[pd.DataFrame]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
        raise TenderError.at(shown, "", "not a readable .xlsx workbook") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None) or ()
        by_name = {str(h).strip(): i for i, h in enumerate(headers) if h is not None}
        missing = [
            Problem(
                shown,
                f"columns.{role}",
                f"column {name.strip()!r} is not in the sheet's header; headers found: "
                f"{_list([str(h) for h in headers if h is not None], 40)}",
            )
            for role, name in spec.columns.items()
            if name.strip() not in by_name
        ]
        if missing:
            raise TenderError(missing)
        picks = [(role, by_name[name.strip()]) for role, name in spec.columns.items()]
        columns: dict[str, list] = {role: [] for role, _ in picks}
        for row in rows:
            for role, i in picks:
                cell = row[i] if i < len(row) else None
                if role in ("line", "entity", "profile", "month") and cell is not None:
                    if isinstance(cell, dt.datetime):
                        cell = cell.date().isoformat()
                    elif isinstance(cell, dt.date):
                        cell = cell.isoformat()
                    else:
                        cell = _cell_text(cell) or None
                elif isinstance(cell, str) and not cell.strip():
                    cell = None
                columns[role].append(cell)
    finally:
        book.close()
    yield pd.DataFrame({role: pd.Series(values, dtype=object) for role, values in columns.items()})


def read_usage_table(
    data: bytes,
    spec: UsageFileSpec,
    *,
    shown: str,
    entities: list[str],
    profiles: list[str] | None,
    key: bytes,
    xlsx: bool = False,
) -> pd.DataFrame:
    """The export as a long table, one row per line and month, in file order.

    Columns: ``line`` (pseudonym, categorical), ``entity`` (categorical over ``entities``),
    ``profile`` (categorical over ``profiles``, when mapped), ``month`` (Period[M]) and one
    float64 column per usage component, in the format's units. ``shown`` names the file in
    errors. Raises TenderError listing every defect (see the module docstring).
    """
    if "profile" in spec.columns and profiles is None:
        raise ValueError("the export maps a profile column: pass the tender's profile ids")
    if not key:
        raise ValueError("a non-empty pseudonymisation key is needed")
    if len(data) > MAX_BYTES:
        raise TenderError.at(shown, "", f"{len(data):,} bytes: over the {MAX_BYTES:,}-byte limit")
    capacity = 1024 if xlsx else data.count(b"\n") + 1  # an upper bound on the rows of a CSV
    reader = _Reader(spec, shown, entities, profiles, capacity, key)
    first_row = 2
    for chunk in (_xlsx_chunks if xlsx else _csv_chunks)(data, spec, shown):
        if chunk is _RESTART:
            reader = _Reader(spec, shown, entities, profiles, capacity, key)
            first_row = 2
            continue
        reader.add(chunk, first_row)
        first_row += len(chunk)
    reader.check_table()
    reader.line_of = {}  # raw identifiers are no longer needed
    reader.problems.raise_if_any()
    return reader.table()


# --------------------------------------------------------------------------- per-line arrays


@dataclass(frozen=True)
class LineUsage:
    """The table as arrays: ``usage[i, k, c]`` is line i's use of component c in month k.

    ``entity`` and ``profile`` hold codes into ``entities`` and ``profiles`` (the table's
    categories), taken from each line's latest month; -1 for a line without rows.
    """

    months: pd.PeriodIndex  # (K,) sorted
    components: tuple[str, ...]  # (C,)
    line_ids: np.ndarray  # (N,) pseudonyms, object
    entity: np.ndarray  # (N,) int codes
    profile: np.ndarray | None  # (N,) int codes, or None when no profile column
    usage: np.ndarray  # (N, K, C) float64
    entities: tuple[str, ...] = ()
    profiles: tuple[str, ...] | None = None


def line_usage(table: pd.DataFrame, components: list[str] | tuple[str, ...]) -> LineUsage:
    """Arrays of a table from `read_usage_table` (vectorised: one pass per component).

    A (line, month) with no row stays 0 (read_usage_table refuses such exports).
    """
    missing = [c for c in components if c not in table.columns]
    if missing:
        raise KeyError(f"components not in the usage table: {', '.join(missing)}")
    lines = table["line"].astype("category") if table["line"].dtype.name != "category" else table["line"]
    line_codes = lines.cat.codes.to_numpy(np.int64)
    line_ids = lines.cat.categories.to_numpy(object)
    ordinals = pd.PeriodIndex(table["month"]).asi8
    months_ord = np.unique(ordinals)
    month_pos = np.searchsorted(months_ord, ordinals)
    n, k = len(line_ids), len(months_ord)
    usage = np.zeros((n, k, len(components)), np.float64)
    for c, component in enumerate(components):
        usage[line_codes, month_pos, c] = table[component].to_numpy(np.float64)
    latest = np.full(n, -1, np.int64)
    np.maximum.at(latest, line_codes, month_pos)
    last_row = month_pos == latest[line_codes]

    def per_line(column: str) -> tuple[np.ndarray, tuple[str, ...]]:
        cat = table[column].astype("category") if table[column].dtype.name != "category" else table[column]
        codes = np.full(n, -1, np.int64)
        codes[line_codes[last_row]] = cat.cat.codes.to_numpy(np.int64)[last_row]
        return codes, tuple(map(str, cat.cat.categories))

    entity, entities = per_line("entity")
    profile, profiles = per_line("profile") if "profile" in table.columns else (None, None)
    return LineUsage(
        months=pd.PeriodIndex.from_ordinals(months_ord, freq="M"),
        components=tuple(components),
        line_ids=line_ids,
        entity=entity,
        profile=profile,
        usage=usage,
        entities=entities,
        profiles=profiles,
    )


def read_line_usage(
    data: bytes,
    spec: UsageFileSpec,
    *,
    shown: str,
    entities: list[str],
    profiles: list[str] | None,
    key: bytes,
    xlsx: bool = False,
) -> LineUsage:
    """`read_usage_table` then `line_usage`, with ``entity``/``profile`` codes indexing the
    given ``entities``/``profiles`` lists (not the table's categories) and components in
    ``spec.components`` order."""
    table = read_usage_table(data, spec, shown=shown, entities=entities, profiles=profiles, key=key, xlsx=xlsx)
    lu = line_usage(table, spec.components)

    def recode(codes: np.ndarray, names: tuple[str, ...], wanted: list[str]) -> np.ndarray:
        lookup = np.array([wanted.index(n) for n in names] + [-1], dtype=np.int64)
        return lookup[codes]

    return LineUsage(
        months=lu.months,
        components=lu.components,
        line_ids=lu.line_ids,
        entity=recode(lu.entity, lu.entities, list(entities)),
        profile=None if lu.profile is None else recode(lu.profile, lu.profiles, list(profiles)),
        usage=lu.usage,
        entities=tuple(entities),
        profiles=None if profiles is None else tuple(profiles),
    )
