"""Line identifiers → line indices, a chunk at a time and without a Python loop over
rows (`LineIndex`): a phone number is packed into an int64 key (`numeric_key`, or by pyarrow
for a whole column: `arrow_keys`), a new line is pseudonymised as soon as it is read.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .cells import cell_text
from .memory import arrow_pool
from .pseudonyms import keyed_digests, pseudonym_texts

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


def arrow_keys(series: pd.Series) -> tuple[np.ndarray, np.ndarray, Any] | None:
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
    pool = arrow_pool()
    trimmed = pc.ascii_trim_whitespace(values, memory_pool=pool)
    numeric = pc.fill_null(pc.match_substring_regex(trimmed, r"^\+?[0-9]{1,17}$", memory_pool=pool), False)
    digits = pc.if_else(numeric, pc.utf8_ltrim(trimmed, characters="+", memory_pool=pool), "0", memory_pool=pool)
    value = pc.cast(digits, pa.int64(), memory_pool=pool).to_numpy(zero_copy_only=False)
    length = pc.utf8_length(digits, memory_pool=pool).to_numpy(zero_copy_only=False).astype(np.int64)
    plus = pc.fill_null(pc.starts_with(trimmed, "+", memory_pool=pool), False).to_numpy(zero_copy_only=False)
    keys = (value << 6) | (length << 1) | plus.astype(np.int64)
    return keys, ~numeric.to_numpy(zero_copy_only=False), trimmed


# Extra columns of a chunk from the parsing thread: `arrow_keys` of its line column (not ids:
# a role or a component is never named with a space).
LINE_KEYS = ("line key", "line not numeric", "line text")


class LineIndex:
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
        return pseudonym_texts(self.digests[line : line + 1])[0]

    def pseudonyms(self) -> np.ndarray:
        return pseudonym_texts(self.digests[: self.size])

    def collides(self) -> bool:
        """Whether two lines share a pseudonym (64-bit digests: ~3e-8 for 1M lines, but two
        lines are never silently merged)."""
        return not pd.Index(self.digests[: self.size]).is_unique

    def codes(self, series: pd.Series, arrow_keys: tuple | None = None) -> np.ndarray:
        """The line index of each cell (int32), -1 for an empty one; ``arrow_keys``:
        `arrow_keys` of ``series`` if already computed."""
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
            digests = keyed_digests(self._messages(new, new_keys, codes, rest, trimmed), self.key)
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
            fast = arrow_keys(series)
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
        text = cell_text(value)
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
