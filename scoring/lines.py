"""Per-line evaluation: every line of the billing export rated on its own usage.

With a ``usage_file`` and ``evaluate_on: lines`` (the default), the fleet is the export's
lines rather than the profiles' averages (docs/billing-exports.md):

- line ``i`` belongs to entity ``e_i`` and profile ``p_i`` (a column, or ``profile_rules``);
- contract month ``m`` (1-based) replays export month ``k = ((m-1) mod K) + 1``, so its usage
  is ``x[i, k, c] * (1 + usage_growth(p_i, c))^y`` (times a scenario's usage multiplier);
- profile line growth weighs every line of the profile by ``(1 + line_growth)^y``
  (fractional lines, as for profiles: costs are expected values);
- non-pooled usage costs ``Σ_i w * max(0, u_i - allowance) * rate * k(y)`` for the plan the
  line's profile is offered; pooled components pool all lines month by month.

The engine needs, for a cell (profile × entity), an export month, a component and a threshold
``t``, the sum ``Σ max(0, x - t)`` over the cell's lines. `LineBook` keeps each group's values
sorted with prefix sums, so each query is a binary search: costs stay exact (no sampling, no
binning) and 12 bids × 36 months over 100,000 lines take a fraction of a second.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from . import usage_file
from .errors import Problem, TenderError
from .model import UsageFileSpec
from .quote import quote
from .usage_file import LineUsage


@dataclass(frozen=True)
class LineBook:
    """Values of every (component, export month, group) sorted, with prefix sums.

    ``values`` is laid out as ``[c, k, i]`` with the lines of each group contiguous (groups in
    order), so group ``g`` of row ``(c, k)`` is ``values[c, k, lo[g]:hi[g]]``.
    """

    values: np.ndarray  # (C, K, N) float64, sorted within each group
    csum: np.ndarray  # (C, K, N + 1) prefix sums along lines (exact values, sorted order)
    lo: np.ndarray  # (G,) first line of each group
    hi: np.ndarray  # (G,) one past the last line of each group

    @classmethod
    def build(cls, usage: np.ndarray, group: np.ndarray, groups: int) -> LineBook:
        """``usage`` (N, K, C), ``group`` (N,) codes in ``[0, groups)``."""
        order = np.argsort(group, kind="stable")
        counts = np.bincount(group, minlength=groups)
        bounds = np.concatenate([[0], np.cumsum(counts)])
        values = np.empty(usage.shape[::-1])  # (C, K, N)
        for c in range(usage.shape[2]):  # one component at a time: a copy of 1/C of the usage in flight
            values[c] = usage[order, :, c].T
        for g in np.flatnonzero(counts > 1):  # one sort per group, vectorised over its lines
            values[:, :, bounds[g]:bounds[g + 1]].sort(axis=-1)
        csum = np.zeros(values.shape[:2] + (values.shape[2] + 1,))
        np.cumsum(values, axis=-1, out=csum[:, :, 1:])
        return cls(values=values, csum=csum, lo=bounds[:-1], hi=bounds[1:])

    def above(self, c: np.ndarray, k: np.ndarray, g: np.ndarray, t: np.ndarray) -> np.ndarray:
        """``Σ max(0, x - t)`` over the lines of group ``g`` in row ``(c, k)``; arrays broadcast.

        An exact batched binary search: ``lo``/``hi`` halve together for every query at once
        (about log2 of the largest group iterations), so no query is approximated.
        """
        c, k, g, t = np.broadcast_arrays(c, k, g, t)
        shape = t.shape
        c, k, g, t = (a.ravel() for a in (c, k, g, t))
        row = self.values.reshape(-1, self.values.shape[2])
        r = c * self.values.shape[1] + k
        lo, hi = self.lo[g].copy(), self.hi[g].copy()
        end = hi.copy()
        while True:
            active = lo < hi
            if not active.any():
                break
            mid = (lo + hi) // 2
            go = np.zeros_like(active)
            go[active] = row[r[active], mid[active]] <= t[active]
            lo = np.where(active & go, mid + 1, lo)
            hi = np.where(active & ~go, mid, hi)
        sums = self.csum.reshape(-1, self.csum.shape[2])
        above = sums[r, end] - sums[r, lo] - (end - lo) * np.where(np.isinf(t), 0.0, t)
        return np.where(np.isinf(t), 0.0, np.maximum(above, 0.0)).reshape(shape)

    def above_one(self, c: int, k: int, g: int, t: np.ndarray) -> np.ndarray:
        """`above` for one group and many thresholds: a single sorted search (what the Monte
        Carlo needs: thousands of draws against the same group)."""
        lo, hi = self.lo[g], self.hi[g]
        idx = lo + np.searchsorted(self.values[c, k, lo:hi], t, side="right")
        finite = np.isfinite(t)
        above = self.csum[c, k, hi] - self.csum[c, k, idx] - (hi - idx) * np.where(finite, t, 0.0)
        return np.where(finite, np.maximum(above, 0.0), 0.0)

    def total(self) -> np.ndarray:
        """(C, K, G) sum of each group."""
        return self.csum[:, :, self.hi] - self.csum[:, :, self.lo]


@dataclass(frozen=True, eq=False)
class Lines:
    """The measured fleet: the export's lines with their entity and profile (codes into the
    tender's lists), read once per export and shared by every tender built on it."""

    usage: LineUsage  # (N, K, C) in the format's units; line_ids are pseudonyms
    profile: np.ndarray  # (N,) codes into the tender's profiles
    entity: np.ndarray  # (N,) codes into the tender's entities
    profiles: tuple[str, ...]
    entities: tuple[str, ...]
    shown: str  # the export's name in messages

    @property
    def n(self) -> int:
        return len(self.profile)

    @property
    def months(self) -> int:
        return self.usage.usage.shape[1]

    @property
    def components(self) -> tuple[str, ...]:
        return self.usage.components

    @cached_property
    def cell(self) -> np.ndarray:
        """(N,) cell code ``profile * E + entity``."""
        return self.profile * len(self.entities) + self.entity

    @cached_property
    def counts(self) -> np.ndarray:
        """(P, E) lines per profile and entity."""
        P, E = len(self.profiles), len(self.entities)
        return np.bincount(self.cell, minlength=P * E).reshape(P, E).astype(float)

    @cached_property
    def by_cell(self) -> LineBook:
        return LineBook.build(self.usage.usage, self.cell, len(self.profiles) * len(self.entities))

    @cached_property
    def by_profile(self) -> LineBook:
        """Grouped by profile only: what the Monte Carlo needs (no entity split per draw)."""
        return LineBook.build(self.usage.usage, self.profile, len(self.profiles))

    @cached_property
    def mean(self) -> np.ndarray:
        """(P, C) mean usage per line per month over the export."""
        P, x = len(self.profiles), self.usage.usage
        totals = np.stack([np.bincount(self.profile, weights=x[:, :, c].sum(axis=1), minlength=P)
                           for c in range(x.shape[2])], axis=1)  # (P, C), one pass per component
        n = np.bincount(self.profile, minlength=P)[:, None] * self.months
        return np.divide(totals, n, out=np.zeros_like(totals), where=n > 0)

    @cached_property
    def peak(self) -> np.ndarray:
        """(P, K, C) the largest usage of any line of the profile in each export month (0
        without lines)."""
        x = self.usage.usage
        highest = pd.DataFrame(x.reshape(len(x), -1)).groupby(self.profile).max()
        highest = highest.reindex(range(len(self.profiles)), fill_value=0.0).to_numpy(float)
        return highest.reshape(len(self.profiles), *x.shape[1:])


def assign_profiles(usage: LineUsage, rules: list, profiles: list[str], shown: str) -> np.ndarray:
    """Profile codes from ``profile_rules`` (first rule whose every range holds on the line's
    mean monthly usage), or the only profile when there is one and no rule."""
    n = len(usage.line_ids)
    if not rules:
        if len(profiles) == 1:
            return np.zeros(n, np.int64)
        raise TenderError.at(shown, "usage_file.profile_rules", "the export has no profile column: map one "
                             "in usage_file.columns or give profile_rules (the tender has several profiles)")
    mean = usage.usage.mean(axis=1)  # (N, C)
    code = np.full(n, -1, np.int64)
    for r, rule in enumerate(rules):
        if rule.profile not in profiles:
            raise TenderError.at(shown, f"usage_file.profile_rules.{r}.profile", f"unknown profile {rule.profile!r}")
        fits = code < 0
        for component, bounds in rule.when.items():
            x = mean[:, usage.components.index(component)]
            if bounds.min is not None:
                fits &= x >= bounds.min
            if bounds.max is not None:
                fits &= x < bounds.max
        code[fits] = profiles.index(rule.profile)
    left = np.flatnonzero(code < 0)
    if len(left):
        raise TenderError.at(shown, "usage_file.profile_rules", f"{len(left):,} lines fit no rule (first: "
                             f"{usage.line_ids[left[0]]}); end the list with a rule without `when`")
    return code


def listed_profiles(usage: LineUsage, listed: tuple[str, ...], spec: UsageFileSpec, shown: str,
                    tender_file: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """(profile codes into ``listed``, ``listed``) for an export read with its profile ids
    discovered (``usage.profiles``, sorted); every id found when nothing is listed. An id of
    the column that tender.yaml does not list is one problem naming ``profiles`` (a listed id
    without lines: `scoring.load`, which knows which profiles take their lines from the export)."""
    found = usage.profiles or ()
    per_id = np.bincount(usage.profile, minlength=len(found))
    if not listed:  # an id held by no line at its latest month (a line that changed profile) is no profile
        held = [p for p, n in zip(found, per_id) if n > 0]
        lookup = np.cumsum(per_id > 0) - 1
        return lookup[usage.profile], tuple(held)
    column = spec.columns["profile"].strip()
    extra = [(p, int(n)) for p, n in zip(found, per_id) if p not in listed and n > 0]
    if extra:
        raise TenderError([Problem(tender_file, "profiles", (
            f"profile {quote(p)} is in {shown} (column {quote(column)}, {n:,} line{'s' if n != 1 else ''}) but "
            f"not listed: add {{id: {p}}} to profiles, or leave profiles out to take every profile of the export"))
            for p, n in extra])
    lookup = np.array([listed.index(p) if p in listed else -1 for p in found], dtype=np.int64)
    return lookup[usage.profile], tuple(listed)


_READ: OrderedDict[tuple, tuple[object, Lines]] = OrderedDict()  # the last exports read (scenarios rebuild often)
_READ_KEEP = 2
_READ_LOCK = threading.Lock()  # the app's sessions run in threads


def read_lines(stamp: tuple, read, spec: UsageFileSpec, *, shown: str, tender_file: str,
               entities: tuple[str, ...], profiles: tuple[str, ...], derive: bool = False) -> Lines:
    """The export's lines for a tender: ``read()`` gives the file's bytes, ``stamp`` identifies
    them (scoring.load.RawTender.attachment), so an export is parsed once per content, reading
    options, tender ids and pseudonymisation key. Raises TenderError naming the export's rows
    or tender.yaml's rules.

    ``derive`` (the tender's profiles are taken from the export's profile column: none listed,
    or ids only): the profile ids are those of the column, sorted, when ``profiles`` is empty;
    otherwise the column's ids must be ``profiles`` (one problem per id of the column not
    listed, naming tender.yaml's ``profiles``). Codes index ``profiles`` (or the ids found)."""
    key = usage_file.pseudonym_key()
    options = spec.model_dump_json(include={"columns", "units", "delimiter", "decimal", "encoding", "profile_rules"})
    cache_key = (stamp, options, entities, profiles, derive, hashlib.sha256(key).hexdigest(), shown)
    with _READ_LOCK:
        if cache_key in _READ:
            _READ.move_to_end(cache_key)
            return _READ[cache_key][1]
    data = read()
    mapped = "profile" in spec.columns
    discover = mapped and derive
    usage = usage_file.read_line_usage(
        data, spec, shown=shown, entities=list(entities), profiles=list(profiles) if mapped and not discover else None,
        key=key, xlsx=shown.lower().endswith((".xlsx", ".xlsm")), discover_ids=("profile",) if discover else False)
    if discover:
        codes, profiles = listed_profiles(usage, profiles, spec, shown, tender_file)
    else:
        codes = usage.profile if mapped else assign_profiles(usage, spec.profile_rules, list(profiles), tender_file)
    lines = Lines(usage=usage, profile=codes, entity=usage.entity, profiles=profiles, entities=entities, shown=shown)
    with _READ_LOCK:
        # An upload's stamp is the identity of its bytes: keeping them pins that identity.
        _READ[cache_key] = (data if stamp[0] == "upload" else None, lines)
        while len(_READ) > _READ_KEEP:
            _READ.popitem(last=False)
    return lines


SUMMARY_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95, 0.99)


def usage_summary(lines: Lines) -> pd.DataFrame:
    """Per profile and component, the spread of the lines' mean monthly usage over the export:
    ``lines``, ``mean``, ``p5`` … ``p99``, ``max`` and ``zero_share`` (lines that never used
    it). Aggregates only: what the app draws, never one row per line."""
    per_line = lines.usage.usage.mean(axis=1)  # (N, C)
    frame = pd.DataFrame(per_line, columns=list(lines.components))
    frame["profile"] = pd.Categorical.from_codes(lines.profile, lines.profiles)
    long = frame.melt(id_vars="profile", var_name="component", value_name="value")
    long["zero"] = long["value"] == 0
    by = long.groupby(["profile", "component"], observed=True, sort=False)
    groups = by["value"]
    stats = groups.agg(lines="size", mean="mean", max="max")
    stats["zero_share"] = by["zero"].mean()
    quantiles = groups.quantile(list(SUMMARY_QUANTILES)).unstack()
    quantiles.columns = [f"p{round(q * 100)}" for q in SUMMARY_QUANTILES]
    out = stats.join(quantiles).reset_index()
    order = {c: i for i, c in enumerate(lines.components)}
    out["profile"] = out["profile"].astype(str)
    out = out.sort_values(["profile", "component"], key=lambda s: s.map(
        {p: i for i, p in enumerate(lines.profiles)} if s.name == "profile" else order))
    return out[["profile", "component", "lines", "mean", *quantiles.columns, "max", "zero_share"]].reset_index(drop=True)


def top_share(values: np.ndarray, share: float = 0.01) -> tuple[int, float | None]:
    """(n, fraction): the ``share`` of values that are largest (at least one) and the fraction
    of the total they carry; None when the total is not positive."""
    values = np.asarray(values, dtype=float)
    n = max(1, int(np.ceil(share * len(values))))
    total = values.sum()
    return n, (float(np.sort(values)[len(values) - n:].sum() / total) if total > 0 else None)

