"""The export as a long table, one row per line and month (`read_usage_table`: the profile
builder's input), with the checks that need the whole file (a second row for a line and
month, a month missing for a line, a range of months over `MAX_MONTHS`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..errors import TenderError
from ..limits import env_limit
from ..model import UsageFileSpec
from .decoding import Decoder, discovered_roles
from .months import MAX_MONTHS, NO_MONTH, month_text
from .problems import listed
from .sources import reduce_chunks

MAX_BYTES = env_limit("FLEETBID_MAX_USAGE_FILE_BYTES", 4 * 1024**3)


class Reader(Decoder):
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
        ok = (line >= 0) & (month != NO_MONTH)
        if not ok.any():
            return
        m0, m1 = int(month[ok].min()), int(month[ok].max())
        span = m1 - m0 + 1
        if span > MAX_MONTHS:
            self.problems.add(
                f"column {self.col('month')}",
                f"months run from {month_text(m0)} to {month_text(m1)}: over the {MAX_MONTHS}-month limit; "
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
                    f"{month_text(month[again[i]])} (row {rows[first[i]]}): one row per line and month"
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
                missing = [month_text(m0 + k) for k in np.flatnonzero(~present[i])]
                self.problems.add(
                    f"column {self.col('month')}",
                    f"line {pseudonym(i)} has no row for {listed(missing, 6)} "
                    f"(the export covers {month_text(m0)} to {month_text(m1)}; every line needs every month)",
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


def check_arguments(data: bytes, spec: UsageFileSpec, shown: str, profiles, key: bytes,
                    discover: bool | tuple[str, ...]) -> None:
    if "profile" in spec.columns and profiles is None and "profile" not in discovered_roles(discover):
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
    discover_ids: bool | tuple[str, ...] = False,
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
    to the wrong header). ``discover_ids=("profile",)`` takes the profile ids from the file
    and checks entities against ``entities`` (a tender that leaves its profiles to the export).
    """
    check_arguments(data, spec, shown, profiles, key, discover_ids)
    capacity = 1024 if xlsx else data.count(b"\n") + 1  # an upper bound on the rows of a CSV

    def new_reader() -> Reader:
        return Reader(spec, shown, entities, profiles, key, discover=discover_ids, capacity=capacity)

    reader, _ = reduce_chunks(data, spec, shown, xlsx, new_reader)
    reader.check_table()
    reader.index.forget()  # raw identifiers are no longer needed
    reader.problems.raise_if_any()
    return reader.table()
