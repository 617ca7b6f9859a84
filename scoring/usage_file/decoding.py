"""The cell checks and decoding of a chunk (columns renamed to roles), shared by the long
table (`scoring.usage_file.table`) and the per-line arrays (`scoring.usage_file.grid`):
line, month, entity, profile and usage of every non-blank row (`Decoder`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import has_phone_number
from ..model import MAX_AMOUNT, UsageFileSpec
from .cells import cell_text, floats
from .line_index import LINE_KEYS, LineIndex
from .months import NO_MONTH, month_ordinal
from .problems import Problems, listed, quoted_cell

_ID_TEXT = re.compile(r"[a-z0-9_-]+")  # model.ID_PATTERN


@dataclass
class Rows:
    """One chunk decoded: non-blank rows only."""

    rows: np.ndarray  # (n,) row number in the file
    line: np.ndarray  # (n,) int32 line index, -1 when empty
    month: np.ndarray  # (n,) int64 month ordinal, NO_MONTH when not a month
    entity: np.ndarray  # (n,) int32 code, < 0 when unknown or empty
    profile: np.ndarray | None
    values: list[np.ndarray]  # per component, (n,) float64 in the format's units


def discovered_roles(discover: bool | tuple[str, ...]) -> frozenset[str]:
    """The roles whose ids are taken from the file: ``True`` both, ``False`` none, or those named."""
    if discover is True:
        return frozenset(("entity", "profile"))
    return frozenset(discover or ())


class Decoder:
    """Checks and decodes chunks of the export (columns renamed to roles): the cell checks
    shared by the long table (`Reader`) and the per-line arrays (`Grid`).

    ``entities``/``profiles`` are the known ids; with ``discover`` any id ``[a-z0-9_-]+``
    found in the file is taken instead (see `read_usage_table`): ``True`` for both roles, or
    the roles to discover (``("profile",)``: a tender that takes its profiles from the export).
    """

    def __init__(
        self,
        spec: UsageFileSpec,
        shown: str,
        entities: list[str] | None,
        profiles: list[str] | None,
        key: bytes,
        discover: bool | tuple[str, ...] = False,
    ):
        self.spec, self.shown = spec, shown
        self.discover = discovered_roles(discover)
        self.has_profile = "profile" in spec.columns
        self.given_profiles = profiles
        self.known: dict[str, list[str]] = {
            "entity": [] if "entity" in self.discover else list(entities or []),
            "profile": [] if "profile" in self.discover else list(profiles or []),
        }
        self.lookup = {role: {name: i for i, name in enumerate(ids)} for role, ids in self.known.items()}
        self.components = spec.components
        self.factors = [spec.factor(c) for c in self.components]
        self.problems = Problems(shown)
        self.index = LineIndex(key)
        self.month_errors = False

    def col(self, role: str) -> str:
        return self.spec.columns[role].strip()

    @property
    def entities(self) -> list[str]:
        return self.known["entity"]

    @property
    def profiles(self) -> list[str] | None:
        return self.known["profile"] if self.has_profile else None

    def decode(self, chunk: pd.DataFrame, first_row: int) -> Rows | None:
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
        if LINE_KEYS[0] in chunk.columns:  # `arrow_keys` of the line column, from the parsing thread
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
        return Rows(rows, line, month, entity, profile, values)

    def _lines(self, series: pd.Series, rows: np.ndarray, keys: tuple | None = None) -> np.ndarray:
        out = self.index.codes(series, keys)
        bad = np.flatnonzero(out < 0)
        if len(bad):
            self.problems.add_rows(rows[bad], self.col("line"), lambda i: "the line identifier is empty")
        return out

    def _months(self, series: pd.Series, rows: np.ndarray) -> np.ndarray:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        parsed = [month_ordinal(u) for u in uniques]
        table = np.array([NO_MONTH if p is None else p for p in parsed] + [NO_MONTH], dtype=np.int64)
        out = table[codes]
        bad = np.flatnonzero(out == NO_MONTH)
        if len(bad):
            self.month_errors = True
            bad_codes = codes[bad]
            self.problems.add_rows(
                rows[bad],
                self.col("month"),
                lambda i: (
                    "the month is empty"
                    if bad_codes[i] < 0
                    else f"month {quoted_cell(uniques[bad_codes[i]])} is not a month (write 2026-01, 2026-01-15, 01/2026 or 202601)"
                ),
            )
        return out

    def _codes(self, series: pd.Series, rows: np.ndarray, role: str) -> np.ndarray:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        known, lookup = self.known[role], self.lookup[role]
        texts = [cell_text(u) for u in uniques]
        if role in self.discover:
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
                if role not in self.discover:
                    return f"unknown {role} {quoted_cell(text)}; known: {listed(known)}"
                if has_phone_number(text):
                    return f"{role} {quoted_cell(text)} looks like a phone number: is the {role} column the right one?"
                return f"{role} {quoted_cell(text)} is not an id: use lowercase letters, digits, _ and - ([a-z0-9_-]+)"

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
            values, text = floats(series.to_numpy(object), self.spec.decimal)
        limit = MAX_AMOUNT / max(factor, 1.0)  # in the file's units, and in the format's once converted
        with np.errstate(invalid="ignore"):
            bad = np.flatnonzero(~((values >= 0) & (values <= limit)))  # NaN and ±inf too
        if len(bad):

            def message(i: int) -> str:
                value = values[bad[i]]
                if text is not None and text[bad[i]] is not None:
                    return f"{quoted_cell(text[bad[i]])} is not a number"
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
        if role not in self.discover:
            return known, codes
        order = sorted(range(len(known)), key=known.__getitem__)
        recode = np.empty(len(known) + 2, np.int32)
        recode[order] = np.arange(len(known), dtype=np.int32)
        recode[-2:] = (-2, -1)
        return [known[i] for i in order], recode[codes]
