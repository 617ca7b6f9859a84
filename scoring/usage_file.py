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
HMAC-SHA256 (`pseudonymise`; the key: `pseudonym_key`): the results hold ``L-`` + 16 hex
digits, a new line is hashed as soon as it is read and the raw ids are dropped with the file's
chunks; no error message ever shows a raw identifier (errors name the row in the file, and a
cell quoted in an error has anything like a phone number replaced by ``…``: the one rule of
`scoring.errors.redact`, applied to every problem of every file).

Errors. Every defect is collected and raised together as one `TenderError` (at most
`MAX_PROBLEMS` problems, then "… and N more"), each naming the file, the row as numbered in
the file (header = row 1) and the column. Rows whose mapped cells are all empty are
skipped. Row numbers count physical lines of a CSV, so a quoted cell holding a line break
shifts the rows named after it. A CSV row with more or fewer cells than the header is an
error naming the row and both counts (never read shifted or padded), and a comma-separated
file whose extra cells look like decimal commas (``945,4``) says so; those errors come
alone, as the other cells of such rows mean nothing. A usage over `MAX_AMOUNT` (10¹², the
model's bound on every amount) in the format's units is an error; so is, before anything is
parsed, a header row of more than `MAX_COLUMNS` cells.

Scale. A CSV is read in chunks, mapped columns only, by pyarrow's streaming reader in a
thread that parses the next chunks while the caller reduces the last one (pyarrow refusing a
cell — text in a number column, a ragged row — hands the file to pandas' C parser, whose
chunks the cell checks then name row by row). Line ids are matched a chunk at a time without a
Python loop over rows (`_LineIndex`). `read_line_usage` reduces each chunk straight into the
per-line (N, K, C) usage (`_Grid`), never building the long table: 1M lines × 12 months × 8
components (12M rows) load in ~8 s with a peak of ~1.85 GB on 2 cores, the file's 0.75 GB of
bytes and the 0.73 GB result included (docs/billing-exports.md). `read_usage_table` keeps
the long table (one row per line and month: the profile builder's input).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hmac
import io
import itertools
import mmap
import os
import queue
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .archive import env_limit
from .errors import WHOLE_FILE, Problem, TenderError, has_phone_number, redact
from .model import (  # noqa: F401  (the spec lives with the tender's model; re-exported here)
    DATA_UNITS,
    MAX_AMOUNT,
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
MAX_MONTHS = env_limit("FLEETBID_MAX_EXPORT_MONTHS", 120)  # a wider range is almost surely a mistyped month
MAX_BYTES = env_limit("FLEETBID_MAX_USAGE_FILE_BYTES", 4 * 1024**3)
MAX_COLUMNS = env_limit("FLEETBID_MAX_EXPORT_COLUMNS", 1000)  # cells of a CSV's header row
CHUNK_ROWS = 250_000  # bounds the C parser's buffers: ~0.5 GB peak for 100k lines × 12 months
SNIFFED_DELIMITERS = (",", ";", "\t", "|")


# --------------------------------------------------------------------------- pseudonyms

KEY_ENV = "FLEETBID_PSEUDONYM_KEY"
KEY_BYTES = 32  # a new key file: 256 random bits
MIN_KEY_BYTES = 16
_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


def key_file() -> Path:
    """This user's pseudonymisation key: ``$XDG_CONFIG_HOME/fleetbid/pseudonym.key``
    (``~/.config/fleetbid/pseudonym.key`` when XDG_CONFIG_HOME is unset, empty or relative)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "fleetbid" / "pseudonym.key"


def pseudonym_key() -> bytes:
    """The key `pseudonymise` uses.

    ``$FLEETBID_PSEUDONYM_KEY`` when set and not blank: read as hex when it is an even number
    of at least 32 hex digits (``secrets.token_hex(32)`` gives 64), else as UTF-8 text.
    Otherwise the per-user `key_file`, created on first use from `KEY_BYTES` random bytes
    (``secrets.token_bytes``) with mode 0600 in a 0700 folder; an existing file is used as it
    is. So pseudonyms are stable on one machine (and on every machine given the same key),
    yet nobody without the key can recompute them by hashing every number of the numbering
    plan. Raises TenderError (naming the file) when the key file cannot be read or made, or
    holds fewer than `MIN_KEY_BYTES` bytes; likewise (naming the variable) when the variable's
    key, once decoded, is shorter than `MIN_KEY_BYTES` bytes.
    """
    text = os.environ.get(KEY_ENV, "").strip()
    if text:
        if len(text) >= 2 * MIN_KEY_BYTES and _HEX.fullmatch(text):
            key = bytes.fromhex(text)
        else:
            key = text.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise TenderError.at(
                "(environment)", KEY_ENV, f"the pseudonymisation key holds {len(key)} bytes, fewer than the minimum "
                f"of {MIN_KEY_BYTES}: set at least {MIN_KEY_BYTES} bytes of text or {2 * MIN_KEY_BYTES} hex digits "
                f"(such as the output of secrets.token_hex({KEY_BYTES}))"
            )
        return key
    path = key_file()
    try:
        if not path.exists():
            _create_key_file(path)
        key = path.read_bytes()
    except OSError as exc:
        raise TenderError.at(
            str(path), "", f"cannot read or create the pseudonymisation key ({exc.strerror or exc}); set {KEY_ENV}"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise TenderError.at(
            str(path), "", f"the pseudonymisation key holds {len(key)} bytes, fewer than {MIN_KEY_BYTES}: "
            f"restore the file, or delete it to make a new key (every pseudonym then changes), or set {KEY_ENV}"
        )
    return key


def _create_key_file(path: Path) -> None:
    """Write a new random key at ``path`` unless one appears meanwhile (atomic: the key is
    written to a private temporary file, then hard-linked into place, which fails if another
    process got there first — its key is then the one read)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: exclusive create instead
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd2, "wb") as out:
                out.write(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)


def pseudonymise(ids: pd.Series, key: bytes) -> pd.Series:
    """``L-`` + the first 16 hex digits of HMAC-SHA256(key, id), per id (stripped of spaces).

    Deterministic for a given key; without the key the raw number cannot be recovered or
    checked by brute force over the numbering plan. Each distinct id is hashed once (a
    Python loop over the unique ids, about 1.5 µs each: ~1.5 s for 1M lines); rows are then
    mapped by their factorised codes. Missing ids stay missing.
    """
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    hashed = np.array(_hash_all([str(u).strip() for u in uniques], key) + [None], dtype=object)
    return pd.Series(hashed[codes], index=ids.index, name=ids.name, dtype=object)


def _hash_all(raw: list[str], key: bytes) -> list[str]:
    return _pseudonym_texts(_digests([value.encode("utf-8") for value in raw], key)).tolist()


try:  # what hmac.digest calls for OpenSSL's one-shot HMAC, without its Python wrapper (~20 % faster)
    from _hashlib import hmac_digest as _hmac_digest
except ImportError:  # pragma: no cover - another Python
    _hmac_digest = hmac.digest


def _digests(messages: list[bytes], key: bytes) -> np.ndarray:
    """The first 8 bytes of HMAC-SHA256(key, id) per id (UTF-8), as uint64: 8 bytes a line,
    where the ``L-…`` text takes about 70."""
    digest = _hmac_digest
    packed = b"".join([digest(key, message, "sha256")[:8] for message in messages])
    return np.frombuffer(packed, ">u8").astype(np.uint64)


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", np.uint8)


def _pseudonym_texts(digests: np.ndarray) -> np.ndarray:
    """``L-`` + 16 hex digits per digest, as an object array of str (built as bytes by numpy:
    ~5x faster than formatting each)."""
    out = np.empty(len(digests), object)
    for start in range(0, len(digests), 1 << 16):  # in blocks: the intermediate arrays stay small
        raw = digests[start : start + (1 << 16)].astype(">u8").view(np.uint8).reshape(-1, 8)
        text = np.empty((len(raw), 18), np.uint8)
        text[:, 0], text[:, 1] = ord("L"), ord("-")
        text[:, 2::2], text[:, 3::2] = _HEX_DIGITS[raw >> 4], _HEX_DIGITS[raw & 15]
        out[start : start + len(raw)] = text.view("S18").ravel().astype("U18")
    return out


_NUMERIC_ID = re.compile(r"\+?[0-9]{1,17}")
_EMPTY_KEY = np.iinfo(np.int64).min


def _numeric_key(text: str) -> int:
    """An id of 1-17 ASCII digits with an optional leading ``+`` as an int64 ≥ 0 that keeps
    leading zeros apart: value << 6 | digit count << 1 | plus sign."""
    plus = text.startswith("+")
    digits = text[1:] if plus else text
    return (int(digits) << 6) | (len(digits) << 1) | int(plus)


def _key_text(key: int) -> str:
    """The id text a `_numeric_key` stands for."""
    digits = str(key >> 6).zfill((key >> 1) & 31)
    return "+" + digits if key & 1 else digits


def _arrow_keys(series: pd.Series) -> tuple[np.ndarray, np.ndarray, Any] | None:
    """(`_numeric_key` of each numeric cell, mask of the other cells, the cells stripped of
    ASCII spaces as a pyarrow array) computed by pyarrow for the whole column; None without
    pyarrow or when the cells are not text."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pandas' own string dtype brings pyarrow here
        return None
    try:
        values = pa.array(series, from_pandas=True)  # zero-copy for pyarrow-backed text
    except (pa.ArrowException, TypeError, ValueError):
        return None
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        return None
    # ASCII whitespace only: Python's str.strip() (used for the other cells) strips these and
    # more, so a cell found numeric here is numeric there too, with the same digits.
    pool = _arrow_pool()
    trimmed = pc.ascii_trim_whitespace(values, memory_pool=pool)
    numeric = pc.fill_null(pc.match_substring_regex(trimmed, r"^\+?[0-9]{1,17}$", memory_pool=pool), False)
    digits = pc.if_else(numeric, pc.utf8_ltrim(trimmed, characters="+", memory_pool=pool), "0", memory_pool=pool)
    value = pc.cast(digits, pa.int64(), memory_pool=pool).to_numpy(zero_copy_only=False)
    length = pc.utf8_length(digits, memory_pool=pool).to_numpy(zero_copy_only=False).astype(np.int64)
    plus = pc.fill_null(pc.starts_with(trimmed, "+", memory_pool=pool), False).to_numpy(zero_copy_only=False)
    keys = (value << 6) | (length << 1) | plus.astype(np.int64)
    return keys, ~numeric.to_numpy(zero_copy_only=False), trimmed


# Extra columns of a chunk from the parsing thread: `_arrow_keys` of its line column (not ids:
# a role or a component is never named with a space).
LINE_KEYS = ("line key", "line not numeric", "line text")


class _LineIndex:
    """Line identifiers → line indices 0, 1, … in order of first appearance, a chunk at a time.

    Each id (stripped of spaces) becomes an int64 key. Phone numbers — 1 to 17 digits after
    an optional ``+`` — are packed by `_numeric_key`, parsed by pyarrow for the whole chunk;
    any other id gets a negative key from a dict (a Python loop over its distinct values).
    The keys seen so far are kept sorted, so a chunk's distinct keys are looked up with one
    `np.searchsorted`. A new line is pseudonymised at once; `forget` drops the keys and
    texts (the raw ids) when the file has been read.
    """

    def __init__(self, key: bytes):
        self.key = key
        self.sorted_keys = np.empty(0, np.int64)
        self.sorted_index = np.empty(0, np.int32)
        self.other: dict[str, int] = {}  # an id that is not a number → its negative key
        self.other_text: list[str] = []
        self.digests = np.empty(0, np.uint64)  # by line index, the first len(self) only
        self.size = 0

    def __len__(self) -> int:
        return self.size

    def pseudonym(self, line: int) -> str:
        return _pseudonym_texts(self.digests[line : line + 1])[0]

    def pseudonyms(self) -> np.ndarray:
        return _pseudonym_texts(self.digests[: self.size])

    def collides(self) -> bool:
        """Whether two lines share a pseudonym (64-bit digests: ~3e-8 for 1M lines, but two
        lines are never silently merged)."""
        return not pd.Index(self.digests[: self.size]).is_unique

    def codes(self, series: pd.Series, arrow_keys: tuple | None = None) -> np.ndarray:
        """The line index of each cell (int32), -1 for an empty one; ``arrow_keys``:
        `_arrow_keys` of ``series`` if already computed."""
        keys, rest, trimmed = self._keys(series, arrow_keys)
        codes, uniques = pd.factorize(keys)
        index = np.full(len(uniques), -1, np.int32)
        pos = np.empty(len(uniques), np.intp)
        by_key = np.argsort(uniques)
        pos[by_key] = np.searchsorted(self.sorted_keys, uniques[by_key])  # sorted needles: ~5x faster
        found = pos < len(self.sorted_keys)
        found[found] = self.sorted_keys[pos[found]] == uniques[found]
        index[found] = self.sorted_index[pos[found]]
        new = ~found & (uniques != _EMPTY_KEY)
        if new.any():
            new_keys = uniques[new]  # distinct, in order of first appearance
            start, stop = self.size, self.size + len(new_keys)
            index[new] = np.arange(start, stop, dtype=np.int32)
            digests = _digests(self._messages(new, new_keys, codes, rest, trimmed), self.key)
            if stop > len(self.digests):
                grown = np.empty(max(stop, 2 * len(self.digests)), np.uint64)
                grown[:start] = self.digests[:start]
                self.digests = grown
            self.digests[start:stop] = digests
            self.size = stop
            order = np.argsort(new_keys)
            at = np.searchsorted(self.sorted_keys, new_keys[order])
            self.sorted_keys = np.insert(self.sorted_keys, at, new_keys[order])
            self.sorted_index = np.insert(self.sorted_index, at, index[new][order])
        return index[codes]

    def _messages(self, new: np.ndarray, new_keys: np.ndarray, codes: np.ndarray, rest: np.ndarray, trimmed) -> list:
        """The texts of the new lines (UTF-8), to be hashed: from the pyarrow column where
        pyarrow found the id numeric (its first row for each line), else rebuilt from the key."""
        texts = self.other_text
        if trimmed is not None:
            # codes count up from 0 in order of first appearance: a row is a line's first where
            # the running maximum of the codes rises
            first = np.flatnonzero(np.diff(np.maximum.accumulate(codes), prepend=-1) > 0)[new]
            if not rest[first].any():
                import pyarrow as pa

                return trimmed.take(pa.array(first)).cast(pa.large_binary()).to_pylist()
        return [(_key_text(k) if k >= 0 else texts[-k - 1]).encode("utf-8") for k in new_keys.tolist()]

    def _keys(self, series: pd.Series, fast: tuple | None = None) -> tuple[np.ndarray, np.ndarray, Any]:
        if fast is None:
            fast = _arrow_keys(series)
        else:
            fast = (fast[0].copy(), fast[1], fast[2])  # the Python path below writes into the keys
        if fast is None:
            keys, rest, trimmed = np.full(len(series), _EMPTY_KEY, np.int64), np.ones(len(series), bool), None
        else:
            keys, rest, trimmed = fast
        if rest.any():
            where = np.flatnonzero(rest)
            codes, uniques = pd.factorize(series.iloc[where], use_na_sentinel=True)
            table = np.array([self._text_key(u) for u in uniques] + [_EMPTY_KEY], dtype=np.int64)
            keys[where] = table[codes]
        return keys, rest, trimmed

    def _text_key(self, value: Any) -> int:
        text = _cell_text(value)
        if not text:
            return _EMPTY_KEY
        if _NUMERIC_ID.fullmatch(text):
            return _numeric_key(text)
        key = self.other.get(text)
        if key is None:
            self.other_text.append(text)
            key = self.other[text] = -len(self.other_text)
        return key

    def forget(self) -> None:
        self.sorted_keys, self.sorted_index = np.empty(0, np.int64), np.empty(0, np.int32)
        self.other, self.other_text = {}, []


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
                items.append(Problem(self.shown, "(more)", f"… and {self.extra:,} more problems"))
            raise TenderError(items)


def _short(value: Any, limit: int = 30) -> str:
    """A cell as an error quotes it: phone numbers hidden (`scoring.errors.redact`) before
    it is cut to ``limit`` characters, so the cut never leaves part of one."""
    text = redact(str(value))
    return repr(text if len(text) <= limit else text[:limit] + "…")


_ID_TEXT = re.compile(r"[a-z0-9_-]+")  # model.ID_PATTERN


def _list(values, limit: int = 20) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "") if values else "(none)"


@dataclass
class _Rows:
    """One chunk decoded: non-blank rows only."""

    rows: np.ndarray  # (n,) row number in the file
    line: np.ndarray  # (n,) int32 line index, -1 when empty
    month: np.ndarray  # (n,) int64 month ordinal, _NO_MONTH when not a month
    entity: np.ndarray  # (n,) int32 code, < 0 when unknown or empty
    profile: np.ndarray | None
    values: list[np.ndarray]  # per component, (n,) float64 in the format's units


class _Decoder:
    """Checks and decodes chunks of the export (columns renamed to roles): the cell checks
    shared by the long table (`_Reader`) and the per-line arrays (`_Grid`).

    ``entities``/``profiles`` are the known ids; with ``discover`` any id ``[a-z0-9_-]+``
    found in the file is taken instead (see `read_usage_table`).
    """

    def __init__(
        self,
        spec: UsageFileSpec,
        shown: str,
        entities: list[str] | None,
        profiles: list[str] | None,
        key: bytes,
        discover: bool = False,
    ):
        self.spec, self.shown, self.discover = spec, shown, discover
        self.has_profile = "profile" in spec.columns
        self.given_profiles = profiles
        self.known: dict[str, list[str]] = {
            "entity": [] if discover else list(entities or []),
            "profile": [] if discover else list(profiles or []),
        }
        self.lookup = {role: {name: i for i, name in enumerate(ids)} for role, ids in self.known.items()}
        self.components = spec.components
        self.factors = [spec.factor(c) for c in self.components]
        self.problems = _Problems(shown)
        self.index = _LineIndex(key)
        self.month_errors = False

    def col(self, role: str) -> str:
        return self.spec.columns[role].strip()

    @property
    def entities(self) -> list[str]:
        return self.known["entity"]

    @property
    def profiles(self) -> list[str] | None:
        return self.known["profile"] if self.has_profile else None

    def decode(self, chunk: pd.DataFrame, first_row: int) -> _Rows | None:
        """Decode one chunk whose first data row is row ``first_row`` of the file; None when
        every row of it is blank. Defects go to ``self.problems``."""
        n = len(chunk)
        if n == 0:
            return None
        rows = np.arange(first_row, first_row + n, dtype=np.int64)
        blank = np.ones(n, bool)
        for role in chunk.columns:
            if role not in LINE_KEYS:
                blank &= chunk[role].isna().to_numpy()
        if blank.any():  # rows with every mapped cell empty are skipped
            chunk, rows = chunk.loc[~blank], rows[~blank]
            if len(chunk) == 0:
                return None
        keys = None
        if LINE_KEYS[0] in chunk.columns:  # `_arrow_keys` of the line column, from the parsing thread
            import pyarrow as pa

            key, rest, text = (chunk[c] for c in LINE_KEYS)
            keys = (key.to_numpy(np.int64), rest.to_numpy(bool), pa.array(text))
        line = self._lines(chunk["line"], rows, keys)  # problems are listed in this order
        month = self._months(chunk["month"], rows)
        entity = self._codes(chunk["entity"], rows, "entity")
        profile = self._codes(chunk["profile"], rows, "profile") if self.has_profile else None
        values = []
        for component, factor in zip(self.components, self.factors):
            column = self._numbers(chunk[component], rows, component, factor)
            if factor != 1.0:
                column *= factor
            values.append(column)
        return _Rows(rows, line, month, entity, profile, values)

    def _lines(self, series: pd.Series, rows: np.ndarray, keys: tuple | None = None) -> np.ndarray:
        out = self.index.codes(series, keys)
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

    def _codes(self, series: pd.Series, rows: np.ndarray, role: str) -> np.ndarray:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        known, lookup = self.known[role], self.lookup[role]
        texts = [_cell_text(u) for u in uniques]
        if self.discover:
            for text in texts:
                if text not in lookup and _ID_TEXT.fullmatch(text) and not has_phone_number(text):
                    lookup[text] = len(known)
                    known.append(text)
        table = np.array([lookup.get(text, -1) for text in texts] + [-2], dtype=np.int32)
        out = table[codes]
        bad = np.flatnonzero(out < 0)
        if len(bad):
            bad_codes = codes[bad]

            def message(i: int) -> str:
                if bad_codes[i] < 0:
                    return f"the {role} is empty"
                text = texts[bad_codes[i]]
                if not self.discover:
                    return f"unknown {role} {_short(text)}; known: {_list(known)}"
                if has_phone_number(text):
                    return f"{role} {_short(text)} looks like a phone number: is the {role} column the right one?"
                return f"{role} {_short(text)} is not an id: use lowercase letters, digits, _ and - ([a-z0-9_-]+)"

            self.problems.add_rows(rows[bad], self.col(role), message)
        return out

    def _numbers(self, series: pd.Series, rows: np.ndarray, component: str, factor: float = 1.0) -> np.ndarray:
        """The column as float64 in the file's units; a cell that is not a number, negative,
        or over `MAX_AMOUNT` once in the format's units (``factor``) is a problem."""
        column = self.col(component)
        if series.dtype.kind in "fiu":
            values = series.to_numpy(np.float64, copy=True)
            text = None
        else:  # slow path: text in the column (bad CSV), or cells from a workbook
            values, text = _floats(series.to_numpy(object), self.spec.decimal)
        limit = MAX_AMOUNT / max(factor, 1.0)  # in the file's units, and in the format's once converted
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~((values >= 0) & (values <= limit)))  # NaN and ±inf too
        if len(bad):

            def message(i: int) -> str:
                value = values[bad[i]]
                if text is not None and text[bad[i]] is not None:
                    return f"{_short(text[bad[i]])} is not a number"
                if np.isnan(value):
                    return "the cell is empty or not a number (write 0 for no usage)"
                if not np.isfinite(value):
                    return f"{value} is not a finite number"
                if value > limit:
                    return (f"usage {value:g} is over the maximum of {limit:,.0f} a line and month "
                            f"(10^12 in the tender's units): a mistyped cell, or the wrong unit?")
                return f"usage cannot be negative, got {value:g}"

            self.problems.add_rows(rows[bad], column, message)
        return values

    def sorted_ids(self, role: str, codes: np.ndarray) -> tuple[list[str], np.ndarray]:
        """With ``discover``: the ids found, sorted (so row order does not matter), and
        ``codes`` recoded to them. Otherwise the known ids and ``codes`` as they are."""
        known = self.known[role]
        if not self.discover:
            return known, codes
        order = sorted(range(len(known)), key=known.__getitem__)
        recode = np.empty(len(known) + 2, np.int32)
        recode[order] = np.arange(len(known), dtype=np.int32)
        recode[-2:] = (-2, -1)
        return [known[i] for i in order], recode[codes]


class _Reader(_Decoder):
    """Reduces chunks to compact per-row arrays: the long table of `read_usage_table`."""

    def __init__(self, *args, capacity: int, **kwargs):
        super().__init__(*args, **kwargs)
        n = max(capacity, 1)
        self.rows = np.empty(n, np.int64)  # row number in the file
        self.line = np.empty(n, np.int32)
        self.month = np.empty(n, np.int64)
        self.entity = np.empty(n, np.int32)
        self.profile = np.empty(n, np.int32) if self.has_profile else None
        self.values = np.empty((len(self.components), n), np.float64)  # one row per component: pandas' block layout
        self.size = 0

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
        decoded = self.decode(chunk, first_row)
        if decoded is None:
            return
        n = len(decoded.rows)
        if self.size + n > len(self.rows):
            self._grow(self.size + n)
        at = slice(self.size, self.size + n)
        self.rows[at], self.line[at], self.month[at] = decoded.rows, decoded.line, decoded.month
        self.entity[at] = decoded.entity
        if self.profile is not None:
            self.profile[at] = decoded.profile
        for c, values in enumerate(decoded.values):
            self.values[c, at] = values
        self.size += n

    # -- whole-file checks

    def check_table(self) -> None:
        n = self.size
        if n == 0:
            self.problems.add("(file)", "the export has no data rows")
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
        pseudonym = self.index.pseudonym
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
                    f"line {pseudonym(line[again[i]])} already has a row for "
                    f"{_month_text(month[again[i]])} (row {rows[first[i]]}): one row per line and month"
                ),
            )
        if self.month_errors or (line < 0).any():
            return  # missing months would only echo the rows already reported
        present = np.zeros((len(self.index), span), bool)
        present[line, month - m0] = True
        short = np.flatnonzero(~present.all(axis=1))
        if len(short):
            keep = min(len(short), max(self.problems.room(), 0))
            for i in short[:keep]:
                missing = [_month_text(m0 + k) for k in np.flatnonzero(~present[i])]
                self.problems.add(
                    f"column {self.col('month')}",
                    f"line {pseudonym(i)} has no row for {_list(missing, 6)} "
                    f"(the export covers {_month_text(m0)} to {_month_text(m1)}; every line needs every month)",
                )
            self.problems.extra += len(short) - keep

    def table(self) -> pd.DataFrame:
        n = self.size
        if self.index.collides():
            raise TenderError.at(self.shown, "(file)", "two line identifiers share a pseudonym; use another key")
        entities, entity = self.sorted_ids("entity", self.entity[:n])
        data: dict[str, Any] = {
            "line": pd.Categorical.from_codes(self.line[:n], categories=pd.Index(self.index.pseudonyms(), dtype=object)),
            "entity": pd.Categorical.from_codes(entity, categories=pd.Index(entities, dtype=object)),
        }
        if self.profile is not None:
            profiles, profile = self.sorted_ids("profile", self.profile[:n])
            data["profile"] = pd.Categorical.from_codes(profile, categories=pd.Index(profiles, dtype=object))
        data["month"] = pd.PeriodIndex.from_ordinals(self.month[:n], freq="M")
        ids = pd.DataFrame(data)
        values = pd.DataFrame(self.values[:, :n].T, columns=self.components, copy=False)
        return pd.concat([ids, values], axis=1)


SLAB_LINES = 1 << 16  # lines per slab of `_Grid`


def _mapped_zeros(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A zeroed array in an anonymous memory map of its own: pages are committed only when
    written, and go back to the system as soon as the array is dropped (whatever malloc's
    thresholds)."""
    count = int(np.prod(shape))
    buffer = mmap.mmap(-1, max(count * np.dtype(dtype).itemsize, 1))
    return np.frombuffer(buffer, dtype, count=count).reshape(shape)


class _Slab:
    """One month of `SLAB_LINES` consecutive lines: their usage and which lines have a row."""

    def __init__(self, components: int):
        self.values = _mapped_zeros((SLAB_LINES, components), np.float64)
        self.seen = np.zeros(SLAB_LINES, bool)
        self.count = 0


class _Grid(_Decoder):
    """Reduces chunks straight into per-line usage (the arrays of `read_line_usage`),
    without a per-row table.

    Rows are scattered by (month, line) into slabs of `SLAB_LINES` lines per month, made as
    lines and months appear (a file's lines and months are not known before it is read, and
    may come in any order). `finish` copies the slabs into one (N, K, C) array a block of
    lines at a time, dropping each slab once copied, so the usage is held about once. A
    line's entity and profile are those of its latest month. Anything amiss (a cell defect,
    a second row for a line and month, a missing month) stops the reduction: `add` returns
    False and `finish` None, and the caller reads the file again as the long table, whose
    checks name every defect.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.month_code: dict[int, int] = {}  # month ordinal → its slabs' position in self.slabs
        self.slabs: list[list[_Slab | None]] = []
        self.latest = np.empty(0, np.int64)  # per line: its latest month so far
        self.entity = np.empty(0, np.int32)
        self.profile = np.empty(0, np.int32)

    def add(self, chunk: pd.DataFrame, first_row: int) -> bool:
        decoded = self.decode(chunk, first_row)
        if self.problems.items or self.problems.extra:
            return False
        if decoded is None:
            return True
        line, month = decoded.line, decoded.month
        n_lines = len(self.index)
        if n_lines > len(self.latest):
            self._grow(n_lines)
        codes, months = pd.factorize(month)
        for m in months.tolist():
            if m not in self.month_code:
                if len(self.month_code) >= MAX_MONTHS:
                    return False
                self.month_code[m] = len(self.slabs)
                self.slabs.append([])
        shift = SLAB_LINES.bit_length() - 1  # SLAB_LINES is a power of 2
        group = codes.astype(np.int64) << 32 | (line >> shift)
        gcodes, groups = pd.factorize(group)
        order = np.argsort(gcodes.astype(np.int32 if len(groups) > 32767 else np.int16), kind="stable")
        ends = np.cumsum(np.bincount(gcodes, minlength=len(groups)))
        starts = ends - np.bincount(gcodes, minlength=len(groups))
        values = np.column_stack(decoded.values)
        # Groups in month order, so that a line's entity ends as that of its latest month.
        for g in sorted(range(len(groups)), key=lambda g: (months[groups[g] >> 32], groups[g])):
            at = order[starts[g] : ends[g]]
            m = int(months[groups[g] >> 32])
            j = int(groups[g] & 0xFFFFFFFF)
            lines = line[at]
            local = lines - (j << shift)
            block = self._slab(self.month_code[m], j)
            if block.seen[local].any():
                return False  # a second row for a line and month
            block.seen[local] = True
            count = int(np.count_nonzero(block.seen))
            if count != block.count + len(local):
                return False  # two rows for a line and month in this chunk
            block.count = count
            block.values[local] = values[at]
            newer = m > self.latest[lines]
            target = lines[newer]
            self.latest[target] = m
            self.entity[target] = decoded.entity[at][newer]
            if decoded.profile is not None:
                self.profile[target] = decoded.profile[at][newer]
        return True

    def _grow(self, need: int) -> None:
        n = max(need, 2 * len(self.latest), 1024)
        for name, fill in (("latest", _NO_MONTH), ("entity", -1), ("profile", -1)):
            old = getattr(self, name)
            new = np.full(n, fill, old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)

    def _slab(self, code: int, j: int) -> _Slab:
        slabs = self.slabs[code]
        if len(slabs) <= j:
            slabs.extend([None] * (j + 1 - len(slabs)))
        if slabs[j] is None:
            slabs[j] = _Slab(len(self.components))
        return slabs[j]

    def finish(self) -> LineUsage | None:
        """The arrays, or None when the file has a defect (or no rows)."""
        n = len(self.index)
        self.index.forget()
        if not n or not self.month_code:
            return None
        ordinals = sorted(self.month_code)
        m0, m1 = ordinals[0], ordinals[-1]
        if len(ordinals) != m1 - m0 + 1 or m1 - m0 + 1 > MAX_MONTHS:
            return None  # a month with no row at all
        shift = SLAB_LINES.bit_length() - 1
        n_slabs = (n + SLAB_LINES - 1) >> shift
        for code in self.month_code.values():
            slabs = self.slabs[code]
            for j in range(n_slabs):
                expected = min(SLAB_LINES, n - (j << shift))
                if j >= len(slabs) or slabs[j] is None or slabs[j].count != expected:
                    return None  # a line without a row for some month
        if self.index.collides():
            return None
        usage = _mapped_zeros((n, len(ordinals), len(self.components)), np.float64)
        for j in range(n_slabs):
            lo, hi = j << shift, min(n, (j + 1) << shift)
            for k, m in enumerate(ordinals):
                slabs = self.slabs[self.month_code[m]]
                usage[lo:hi, k, :] = slabs[j].values[: hi - lo]
                slabs[j] = None  # unmapped at once
        self.slabs = []
        entities, entity = self.sorted_ids("entity", self.entity[:n])
        if self.has_profile:
            profiles, profile = self.sorted_ids("profile", self.profile[:n])
        else:
            profiles, profile = (None if self.discover else self.given_profiles), None
        self.latest = self.entity = self.profile = np.empty(0, np.int64)
        return LineUsage(
            months=pd.PeriodIndex.from_ordinals(np.array(ordinals, np.int64), freq="M"),
            components=tuple(self.components),
            line_ids=self.index.pseudonyms(),
            entity=entity.astype(np.int64),
            profile=None if profile is None else profile.astype(np.int64),
            usage=usage,
            entities=tuple(entities),
            profiles=None if profiles is None else tuple(profiles),
        )


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


ARROW_BLOCK_BYTES = 4 << 20  # pyarrow's CSV blocks: ~60k rows of a typical export


def _csv_chunks(data: bytes, spec: UsageFileSpec, shown: str) -> Iterator[pd.DataFrame]:
    """The mapped columns in chunks, renamed to their roles; `_RESTART` tells the consumer to
    start over (the chunks so far were from a parser that gave up).

    pyarrow's CSV reader goes first (it is several times faster than pandas'); anything it
    refuses (text in a number column, a row with too few or too many cells, bad UTF-8)
    sends the file to pandas' C parser, whose results the cell checks then name row by row.
    Before pandas reads a row, `_check_cell_counts` refuses rows whose cells do not match the
    header's (pandas would silently fill them, or shift every column); before anything is
    parsed, a header row of more than `MAX_COLUMNS` cells is refused (`_header_width`).
    """
    encoding = "utf-8-sig" if codecs.lookup(spec.encoding).name == "utf-8" else spec.encoding
    try:  # UnicodeError, not only UnicodeDecodeError: utf-16 without a BOM, idna, …
        head = data[:65536].decode(encoding, errors="ignore")
        delimiter = spec.delimiter or _sniff(head.splitlines()[0] if head else "")
        common = dict(sep=delimiter, encoding=encoding, engine="c", skip_blank_lines=False)
        width = _header_width(data, encoding, delimiter)
        if width is None:
            raise TenderError.at(shown, WHOLE_FILE, f"not a readable CSV file (a header cell of over "
                                 f"{csv.field_size_limit():,} characters)")
        if width > MAX_COLUMNS:
            raise TenderError.at(
                shown, WHOLE_FILE, f"the header row has {width:,} cells, over the limit of {MAX_COLUMNS:,} columns "
                "(FLEETBID_MAX_EXPORT_COLUMNS): is this a billing export, with one column per field?"
            )
        headers = list(pd.read_csv(io.BytesIO(data), nrows=0, **common).columns)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as exc:
        raise TenderError.at(shown, "(file)", f"not a readable CSV file ({_parser_message(exc)})") from None
    by_name = {str(h).strip(): h for h in headers}
    found = _list((redact(str(h)) for h in headers), 40)  # no header row: the first row's cells
    missing = [
        Problem(
            shown,
            f"columns.{role}",
            f"column {name.strip()!r} is not in the file's header; headers found: {found}",
        )
        for role, name in spec.columns.items()
        if name.strip() not in by_name
    ]
    if missing:
        raise TenderError(missing)
    role_of = {by_name[name.strip()]: role for role, name in spec.columns.items()}
    if encoding == "utf-8-sig":
        arrow = _arrow_chunks(data, spec, delimiter, [role_of.get(h) for h in headers])
        if arrow is not None:
            try:
                yield from arrow
                return
            except _ArrowGaveUp:
                yield _RESTART
    numeric = [i for i, h in enumerate(headers) if role_of.get(h) is not None and role_of[h] not in ROLES]
    _check_cell_counts(data, encoding, delimiter, len(headers), numeric, shown)
    text_roles = ("line", "entity", "profile", "month")
    dtype = {
        h: (str if role == "line" else "category") if role in text_roles else np.float64 for h, role in role_of.items()
    }
    options = dict(
        usecols=list(role_of),
        index_col=False,  # never take the first column for an index (a row with one cell too many)
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
            if isinstance(exc, (pd.errors.ParserError, UnicodeError)):
                raise
        # Text in a number column: read again with number columns as text, to name each
        # cell. The caller starts over on _RESTART.
        yield _RESTART
        slow = {h: (str if d is np.float64 else d) for h, d in dtype.items()}
        with pd.read_csv(io.BytesIO(data), dtype=slow, **options) as reader:
            for chunk in reader:
                yield chunk.rename(columns=role_of)
    except (pd.errors.ParserError, UnicodeError) as exc:
        raise TenderError.at(shown, "(file)", f"not a readable CSV file ({_parser_message(exc)})") from None


_RESTART = pd.DataFrame()


def _header_width(data: bytes, encoding: str, delimiter: str) -> int | None:
    """The cells of the file's first row, by Python's csv module reading the bytes as they
    are decoded: the time taken grows with the header row, never with the file (pandas takes
    minutes over a header of a million cells: 0.1 s here). None when a header cell is over
    the csv module's field limit (131,072 characters)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    try:
        return len(next(csv.reader(stream, delimiter=delimiter), []))
    except csv.Error:
        return None
    finally:
        stream.detach()


def _check_cell_counts(data: bytes, encoding: str, delimiter: str, cells: int, numeric: list[int], shown: str) -> None:
    """Raise a TenderError naming the rows whose cells are more or fewer than the header's
    ``cells`` (the first `_Ragged.KEPT`, numbered as the other errors count rows: header =
    row 1, a blank line is a row; then "… and more"), and saying so when the extra cells
    look like decimal commas (`_decimal_comma`; ``numeric``: the usage columns' positions).

    pandas' parser would fill a short row with empty cells, drop a long row's extra cells
    after shifting the ones before them, and take the first column for an index when the
    first row has one cell too many — moving every column of every row. Counted by pyarrow's
    CSV tokenizer in one pass that converts nothing (~0.2 s for 100,000 lines × 12 months,
    a fifth of a full read; only files that pyarrow's reader refused, or not in UTF-8, get
    here), else — without pyarrow, or when it cannot tokenize the file — by Python's csv
    module (a cell it cannot read, over 131,072 characters, is an error: cells that cannot
    be counted are not read). A file that does not decode is left to pandas, whose error
    says so."""
    ragged = _Ragged(delimiter, cells, numeric)
    try:
        _count_with_arrow(data, encoding, delimiter, cells, ragged)
    except _ArrowGaveUp:
        ragged = _Ragged(delimiter, cells, numeric)
        try:
            _count_with_csv(data, encoding, delimiter, cells, ragged)
        except UnicodeError:
            return
        except csv.Error:  # a cell over csv.field_size_limit(): cells cannot be counted, so not read
            raise TenderError.at(
                shown, WHOLE_FILE, f"not a readable CSV file (a cell of over {csv.field_size_limit():,} characters)"
            ) from None
    ragged.raise_if_any(shown)


def _count_with_arrow(data: bytes, encoding: str, delimiter: str, cells: int, ragged: _Ragged) -> None:
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pandas' own string dtype brings pyarrow here
        raise _ArrowGaveUp() from None
    try:
        reader = pacsv.open_csv(
            pa.py_buffer(data),
            memory_pool=_arrow_pool(),
            read_options=pacsv.ReadOptions(
                block_size=ARROW_BLOCK_BYTES,
                column_names=[f"c{i}" for i in range(cells)],  # the header is row 1 (skip_rows ignores quotes)
                use_threads=False,  # rows are numbered only when read in order
                encoding="utf8" if encoding == "utf-8-sig" or _ascii_bytes(encoding) else encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=data.find(b'"') >= 0,
                ignore_empty_lines=False,
                invalid_row_handler=ragged,
            ),
            convert_options=pacsv.ConvertOptions(include_columns=["c0"], column_types={"c0": pa.binary()}),
        )
        for _ in reader:
            pass
    except (pa.ArrowException, UnicodeError, _Unnumbered):
        if not ragged.more:  # not stopped by `ragged`: a row longer than a block, …: the csv module counts
            raise _ArrowGaveUp() from None


def _ascii_bytes(encoding: str) -> bool:
    """Whether every byte of ``encoding`` is one character, ASCII bytes being ASCII (latin-1,
    cp1252…): cells are then counted on the bytes as they are (the delimiters, quotes and line
    breaks are ASCII), without transcoding them (twice as fast)."""
    try:
        return bytes(range(128)).decode(encoding) == "".join(map(chr, range(128))) and len(
            b"\xc3\xa9\x82\xa0".decode(encoding, errors="replace")) == 4
    except (UnicodeError, LookupError, ValueError):
        return False


def _count_with_csv(data: bytes, encoding: str, delimiter: str, cells: int, ragged: _Ragged) -> None:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        rows = csv.reader(stream, delimiter=delimiter)
        next(rows, None)  # the header
        for number, row in enumerate(rows, start=2):
            if row and len(row) != cells and not ragged.add(number, len(row), delimiter.join(row)):
                return  # an empty line is a blank row, as pandas and pyarrow read it
    finally:
        stream.detach()


class _Unnumbered(Exception):
    """pyarrow did not give an invalid row's number."""


_INTEGER_CELL = re.compile(r"\s*[-+]?\d+\s*")
_DIGITS_CELL = re.compile(r"\s*\d+\s*")
_NUMBER_CELL = re.compile(r"\s*(?:[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)?\s*")  # or empty


class _Ragged:
    """The rows whose cell count differs from the header's, and whether the extra cells look
    like decimal commas; as pyarrow's `invalid_row_handler`, it skips each such row, and
    stops the reading at the first past the `KEPT` it keeps (``more``): pyarrow takes about
    15 µs over each, 18 s for a 100,000-line export whose every row is off."""

    KEPT = MAX_PROBLEMS - 1  # and the decimal commas' problem

    def __init__(self, delimiter: str, cells: int, numeric: list[int]):
        self.delimiter, self.cells, self.numeric = delimiter, cells, numeric
        self.rows: list[tuple[int, int]] = []  # (row number, cells), the first KEPT
        self.more = False  # rows past those
        self.decimal_sample: str | None = None

    def __call__(self, row: Any) -> str:
        if row.number is None:
            raise _Unnumbered()
        return "skip" if self.add(row.number, row.actual_columns, row.text) else "error"

    def add(self, number: int, cells: int, text: str) -> bool:
        """Record a row; False once past `KEPT` (stop reading)."""
        if len(self.rows) >= self.KEPT:
            self.more = True
            return False
        self.rows.append((number, cells))
        if cells > self.cells and self.delimiter == "," and self.decimal_sample is None:
            self.decimal_sample = _decimal_comma(text, cells - self.cells, self.numeric)
        return True

    def raise_if_any(self, shown: str) -> None:
        if not self.rows:
            return
        problems = _Problems(shown)
        if self.decimal_sample is not None:
            sample = self.decimal_sample
            problems.add(
                WHOLE_FILE,
                f"numbers look like decimal commas ({sample}) in a file whose cells are separated by commas: "
                f'quote them ("{sample}"), or export with a decimal point, or with \';\' between the cells',
            )
        name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(self.delimiter, repr(self.delimiter))
        for number, cells in self.rows:
            hint = f"an unquoted {name} inside a cell?" if cells > self.cells else "a cell is missing"
            problems.add(f"row {number}", f"{cells} cells where the header has {self.cells}: {hint}")
        if self.more:
            problems.items.append(Problem(shown, "(more)", "… and more rows whose cells do not match the header"))
        problems.raise_if_any()


def _decimal_comma(text: str, extra: int, numeric: list[int]) -> str | None:
    """A number of a comma-separated row with ``extra`` cells too many that looks written
    with a decimal comma (``945,4``), or None: joining ``extra`` pairs of side-by-side cells
    of digits must give the header's count with a number (or nothing) in every usage column
    (``numeric``: their positions), so an extra cell of text is not taken for one. Of several
    ways, the number whose second part looks most like a fraction (a leading 0, then the
    fewest digits): ``10,945,4,50`` gives ``945,4``."""
    cells = text.split(",")
    pairs = [
        i for i in range(len(cells) - 1) if _INTEGER_CELL.fullmatch(cells[i]) and _DIGITS_CELL.fullmatch(cells[i + 1])
    ]
    found: list[tuple[str, str]] = []
    for joins in itertools.islice(itertools.combinations(pairs, extra), 1000):
        if any(b - a < 2 for a, b in zip(joins, joins[1:])):
            continue  # two pairs sharing a cell
        joined, made, i = [], [], 0
        while i < len(cells):
            if i in joins:
                made.append((cells[i].strip(), cells[i + 1].strip()))
                joined.append(f"{cells[i]},{cells[i + 1]}")
                i += 2
            else:
                joined.append(cells[i])
                i += 1
        if all(_NUMBER_CELL.fullmatch(joined[j]) for j in numeric if j < len(joined)):
            found += made
    if not found:
        return None

    def fraction_rank(pair: tuple[str, str]) -> int:
        part = pair[1]
        return 0 if len(part) > 1 and part.startswith("0") else len(part)

    whole, part = min(found, key=fraction_rank)
    return f"{whole},{part}"


class _ArrowGaveUp(Exception):
    """pyarrow refused the file: pandas reads it instead."""


def _arrow_chunks(
    data: bytes, spec: UsageFileSpec, delimiter: str, roles: list[str | None]
) -> Iterator[pd.DataFrame] | None:
    """The mapped columns by pyarrow's streaming CSV reader (``roles``: the role of each
    column of the header, None if unmapped), or None without pyarrow. Raises _ArrowGaveUp
    while iterating if pyarrow cannot read a cell the way pandas would.

    Columns are addressed by position (the header is skipped, so repeated or padded header
    names do not matter); text is UTF-8 (a byte-order mark is skipped); only an empty cell
    is missing, as with pandas (``keep_default_na=False``); an empty line is a blank row,
    kept so rows keep their numbers. Ids are read as text, entity, profile and month as
    dictionaries (categoricals), usage as float64.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pandas' own string dtype brings pyarrow here
        return None
    names = [f"c{i}" for i in range(len(roles))]
    role_of = {name: role for name, role in zip(names, roles) if role is not None}
    text = pa.dictionary(pa.int32(), pa.string())
    types = {
        name: pa.string() if role == "line" else text if role in ROLES else pa.float64()
        for name, role in role_of.items()
    }
    string = pd.ArrowDtype(pa.string())
    pool = _arrow_pool()

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            reader = pacsv.open_csv(
                pa.py_buffer(data),
                memory_pool=pool,
                read_options=pacsv.ReadOptions(
                    block_size=ARROW_BLOCK_BYTES, skip_rows=1, column_names=names, use_threads=True
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    # a quoted cell may hold a line break only if the file has quotes at all
                    newlines_in_values=data.find(b'"') >= 0,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    include_columns=list(role_of),
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    decimal_point=spec.decimal,
                ),
            )
            for batch in reader:
                chunk = batch.to_pandas(memory_pool=pool, types_mapper={pa.string(): string}.get).rename(columns=role_of)
                keys = _arrow_keys(chunk["line"])  # pyarrow works without the GIL: this overlaps the caller's work
                if keys is not None:
                    key, rest, text = keys
                    chunk[LINE_KEYS[0]], chunk[LINE_KEYS[1]] = key, rest
                    chunk[LINE_KEYS[2]] = pd.Series(pd.arrays.ArrowExtensionArray(text), index=chunk.index)
                yield chunk
        except pa.ArrowException:  # its messages may quote a cell: never shown
            raise _ArrowGaveUp() from None

    return _ahead(chunks())


PREFETCH = 2  # chunks parsed ahead by a thread while the caller reduces the last one


def _ahead(chunks: Iterator[pd.DataFrame], depth: int = PREFETCH) -> Iterator[pd.DataFrame]:
    """``chunks`` produced by a thread, up to ``depth`` ahead: pyarrow parses without the GIL,
    so on two cores parsing overlaps with reducing. Exceptions are re-raised here, in order;
    when the caller stops early the thread stops after its current chunk."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        items.put((chunk, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            items.put((done, exc))
        finally:
            chunks.close()

    worker = threading.Thread(target=produce, name="fleetbid-csv", daemon=True)
    worker.start()
    try:
        while True:
            chunk, exc = items.get()
            if chunk is done:
                if exc is not None:
                    raise exc
                return
            yield chunk
    finally:
        stop.set()
        while worker.is_alive():  # unblock a put, let the thread see `stop`
            try:
                items.get(timeout=0.1)
            except queue.Empty:
                pass
        worker.join()


def _arrow_pool() -> Any:
    """pyarrow's jemalloc pool where it has one: it gives freed blocks back to the system
    sooner than the default mimalloc (peak ~80 MB lower for 1M lines); else the default."""
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, AttributeError):  # pragma: no cover - a build without jemalloc
        return None


def _parser_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return re.sub(r"\d{6,}", "…", redact(text))[:200]  # never echo what may be a phone number


def _xlsx_chunks(data: bytes, spec: UsageFileSpec, shown: str) -> Iterator[pd.DataFrame]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
        raise TenderError.at(shown, "(file)", "not a readable .xlsx workbook") from None
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
                f"{_list([redact(str(h)) for h in headers if h is not None], 40)}",
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


def _check_arguments(data: bytes, spec: UsageFileSpec, shown: str, profiles, key: bytes, discover: bool) -> None:
    if "profile" in spec.columns and profiles is None and not discover:
        raise ValueError("the export maps a profile column: pass the tender's profile ids")
    if not key:
        raise ValueError("a non-empty pseudonymisation key is needed")
    if len(data) > MAX_BYTES:
        raise TenderError.at(shown, "(file)", f"{len(data):,} bytes: over the {MAX_BYTES:,}-byte limit")


def read_usage_table(
    data: bytes,
    spec: UsageFileSpec,
    *,
    shown: str,
    entities: list[str] | None,
    profiles: list[str] | None,
    key: bytes,
    xlsx: bool = False,
    discover_ids: bool = False,
) -> pd.DataFrame:
    """The export as a long table, one row per line and month, in file order.

    Columns: ``line`` (pseudonym, categorical), ``entity`` (categorical over ``entities``),
    ``profile`` (categorical over ``profiles``, when mapped), ``month`` (Period[M]) and one
    float64 column per usage component, in the format's units. ``shown`` names the file in
    errors. Raises TenderError listing every defect (see the module docstring).

    With ``discover_ids`` (no tender to name them: ``python -m scoring profiles --columns``)
    ``entities`` and ``profiles`` are ignored and any id ``[a-z0-9_-]+`` in those columns is
    accepted; the categories are then the ids found, sorted. An id that looks like a phone
    number (`scoring.errors.has_phone_number`: 9 digits or more) is refused (a column mapped
    to the wrong header).
    """
    _check_arguments(data, spec, shown, profiles, key, discover_ids)
    capacity = 1024 if xlsx else data.count(b"\n") + 1  # an upper bound on the rows of a CSV

    def new_reader() -> _Reader:
        return _Reader(spec, shown, entities, profiles, key, discover=discover_ids, capacity=capacity)

    reader = new_reader()
    first_row = 2
    for chunk in (_xlsx_chunks if xlsx else _csv_chunks)(data, spec, shown):
        if chunk is _RESTART:
            reader = new_reader()
            first_row = 2
            continue
        reader.add(chunk, first_row)
        first_row += len(chunk)
    reader.check_table()
    reader.index.forget()  # raw identifiers are no longer needed
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
    entities: list[str] | None,
    profiles: list[str] | None,
    key: bytes,
    xlsx: bool = False,
    discover_ids: bool = False,
) -> LineUsage:
    """The export as per-line arrays: what ``line_usage(read_usage_table(…))`` gives, with
    ``entity``/``profile`` codes indexing the given ``entities``/``profiles`` lists (not the
    table's categories) and components in ``spec.components`` order.

    The fast path (`_Grid`): chunks go straight into the (N, K, C) array, without the long
    table. Lines are in order of first appearance, as in the table. A file with any defect
    is read again by `read_usage_table`, which raises the TenderError naming every one, so
    errors are the same whichever function reads the file.
    """
    _check_arguments(data, spec, shown, profiles, key, discover_ids)

    def new_grid() -> _Grid:
        return _Grid(spec, shown, entities, profiles, key, discover=discover_ids)

    grid = new_grid()
    first_row = 2
    clean = True
    for chunk in (_xlsx_chunks if xlsx else _csv_chunks)(data, spec, shown):
        if chunk is _RESTART:
            grid = new_grid()
            first_row = 2
            continue
        if not grid.add(chunk, first_row):
            clean = False
            break
        first_row += len(chunk)
    result = grid.finish() if clean else None
    del grid
    if result is not None:
        return result
    table = read_usage_table(
        data, spec, shown=shown, entities=entities, profiles=profiles, key=key, xlsx=xlsx, discover_ids=discover_ids
    )
    return _recode(line_usage(table, spec.components), table, spec, entities, profiles, discover_ids)


def _recode(
    lu: LineUsage, table: pd.DataFrame, spec: UsageFileSpec, entities, profiles, discover: bool
) -> LineUsage:
    """``lu`` with entity/profile codes indexing the wanted lists."""
    if discover:
        entities = list(table["entity"].cat.categories)
        profiles = list(table["profile"].cat.categories) if "profile" in table.columns else None

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
