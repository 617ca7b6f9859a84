"""The export as per-line arrays (`LineUsage`: usage[line, month, component]):
`read_line_usage` reduces each chunk straight into them (`Grid`), without the long table;
`line_usage` turns a long table into them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import UsageFileSpec
from .decoding import Decoder, discovered_roles
from .memory import mapped_zeros
from .months import MAX_MONTHS, NO_MONTH
from .sources import reduce_chunks
from .table import check_arguments, read_usage_table

SLAB_LINES = 1 << 16  # lines per slab of `Grid`


class _Slab:
    """One month of `SLAB_LINES` consecutive lines: their usage and which lines have a row."""

    def __init__(self, components: int):
        self.values = mapped_zeros((SLAB_LINES, components), np.float64)
        self.seen = np.zeros(SLAB_LINES, bool)
        self.count = 0


class Grid(Decoder):
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
        for name, fill in (("latest", NO_MONTH), ("entity", -1), ("profile", -1)):
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
        usage = mapped_zeros((n, len(ordinals), len(self.components)), np.float64)
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
            profiles, profile = (None if "profile" in self.discover else self.given_profiles), None
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
    discover_ids: bool | tuple[str, ...] = False,
) -> LineUsage:
    """The export as per-line arrays: what ``line_usage(read_usage_table(…))`` gives, with
    ``entity``/``profile`` codes indexing the given ``entities``/``profiles`` lists (not the
    table's categories) and components in ``spec.components`` order.

    The fast path (`Grid`): chunks go straight into the (N, K, C) array, without the long
    table. Lines are in order of first appearance, as in the table. A file with any defect
    is read again by `read_usage_table`, which raises the TenderError naming every one, so
    errors are the same whichever function reads the file.
    """
    check_arguments(data, spec, shown, profiles, key, discover_ids)

    def new_grid() -> Grid:
        return Grid(spec, shown, entities, profiles, key, discover=discover_ids)

    grid, clean = reduce_chunks(data, spec, shown, xlsx, new_grid)
    result = grid.finish() if clean else None
    del grid
    if result is not None:
        return result
    table = read_usage_table(
        data, spec, shown=shown, entities=entities, profiles=profiles, key=key, xlsx=xlsx, discover_ids=discover_ids
    )
    return _recode(line_usage(table, spec.components), table, spec, entities, profiles, discover_ids)


def _recode(
    lu: LineUsage, table: pd.DataFrame, spec: UsageFileSpec, entities, profiles, discover: bool | tuple[str, ...]
) -> LineUsage:
    """``lu`` with entity/profile codes indexing the wanted lists (the ids found, for the
    roles discovered)."""
    roles = discovered_roles(discover)
    if "entity" in roles:
        entities = list(table["entity"].cat.categories)
    if "profile" in roles:
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
