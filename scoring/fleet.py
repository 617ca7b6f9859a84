"""The buyer side of the cost model as arrays: profiles or measured lines, entities, usage
components, lines and usage per contract year, and the periods costs are computed over.

Independent of bids: every bid is priced against the same `Fleet` (scoring.pricing holds the
contract's cost rules, scoring.cost the cost table built with them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .lines import Lines
from .model import Tender, UsageDistribution, usage_mean
from .usage import DIST_CODES, FIXED, expected_excess


@dataclass(frozen=True)
class Fleet:
    """The buyer side as arrays (independent of bids).

    Two kinds of fleet share these arrays: profiles (each line uses its profile's mean, or a
    distribution across lines, the same every month of a contract year) and a measured
    fleet (``measured``: every line of a billing export on its own usage, export month
    ``((m-1) mod K) + 1`` replayed in contract month ``m``; scoring.lines). Costs are computed
    per *period*, the distinct (contract year, export month) pairs: a profile fleet's periods
    are its contract years.
    """

    term_months: int
    profiles: tuple[str, ...]
    entities: tuple[str, ...]
    components: tuple[str, ...]  # every usage component, in order of first appearance
    lines0: np.ndarray  # (P, E) initial lines
    lines: np.ndarray  # (Y, P, E) lines in each contract year
    usage: np.ndarray  # (Y, P, C) mean usage per line per month
    used: np.ndarray  # (P, C) the profile uses the component (usage > 0)
    cv: np.ndarray  # (P, C) spread across lines (0: every line uses the mean)
    dist: np.ndarray  # (P, C) distribution code (scoring.usage)
    device_tier: tuple[str | None, ...]  # (P,)
    refresh_months: np.ndarray  # (P,) nan without device
    growth: np.ndarray | None = None  # (Y, P, C) factor on a measured line's usage (growth × multiplier)
    measured: Lines | None = None

    @property
    def years(self) -> int:
        return len(self.lines)

    @cached_property
    def year_of_month(self) -> np.ndarray:
        return np.arange(self.term_months) // 12

    @cached_property
    def months_in_year(self) -> np.ndarray:
        return np.bincount(self.year_of_month, minlength=self.years).astype(float)

    @cached_property
    def initial_share(self) -> np.ndarray:
        """(P, E) share of initial lines: the key for fleet-wide costs."""
        return self.lines0 / self.lines0.sum()

    @cached_property
    def _periods(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        K = self.measured.months if self.measured is not None else 1
        m = np.arange(self.term_months)
        pairs, of_month = np.unique((m // 12) * K + m % K, return_inverse=True)
        return of_month, pairs // K, pairs % K, np.bincount(of_month).astype(float)

    @property
    def period_of_month(self) -> np.ndarray:
        """(T,) the period of each contract month."""
        return self._periods[0]

    @property
    def period_year(self) -> np.ndarray:
        """(Q,) contract year of each period."""
        return self._periods[1]

    @property
    def period_month(self) -> np.ndarray:
        """(Q,) export month replayed in each period (0 for a profile fleet)."""
        return self._periods[2]

    @property
    def months_in_period(self) -> np.ndarray:
        return self._periods[3]

    @cached_property
    def period_lines(self) -> np.ndarray:
        """(Q, P, E) lines in each period (its contract year's)."""
        return self.lines[self.period_year]

    @cached_property
    def period_profile_lines(self) -> np.ndarray:
        """(Q, P) lines of each profile in each period (all entities)."""
        return self.period_lines.sum(axis=2)

    @cached_property
    def added_lines(self) -> np.ndarray:
        """(Y-1, P, E) lines added by growth at the start of contract years 2..Y (never negative)."""
        return np.maximum(0.0, self.lines[1:] - self.lines[:-1])

    @property
    def year_starts(self) -> np.ndarray:
        """(Y-1,) 0-based month of the start of contract years 2..Y (where added lines' one-off fees fall)."""
        return np.arange(1, self.years) * 12

    @cached_property
    def line_months(self) -> np.ndarray:
        """(P,) line-months over the term per profile: Σ over contract years of the year's lines ×
        its months (a partial last year counts its months)."""
        return (self.lines.sum(axis=2) * self.months_in_year[:, None]).sum(axis=0)

    @cached_property
    def total_line_months(self) -> float:
        """Line-months of the whole fleet over the term (the same rule as `line_months`, summed over
        profiles within each year first)."""
        return float(self.lines.sum(axis=(1, 2)) @ self.months_in_year)

    @cached_property
    def weight(self) -> np.ndarray:
        """(Y, P) what one measured line counts for in each contract year (line growth and
        the usage file's lines_scale)."""
        n = self.measured.counts.sum(axis=1) if self.measured is not None else self.lines0.sum(axis=1)
        return np.divide(self.lines.sum(axis=2), n, out=np.zeros(self.lines.shape[:2]), where=n > 0)

    @cached_property
    def peak(self) -> np.ndarray:
        """(P, C) the largest monthly usage of one line over the term; inf where usage is
        spread across lines by a distribution (some line exceeds any finite allowance)."""
        if self.measured is not None:  # the export months the term replays, each at its year's growth
            replayed = self.measured.peak[:, self.period_month, :] * self.growth[self.period_year].transpose(1, 0, 2)
            return replayed.max(axis=1, initial=0.0)
        return np.where(self.cv > 0, np.inf, self.usage.max(axis=0))

    def excess(self, allowance: np.ndarray) -> np.ndarray:
        """(Q, P, E, J, C) usage beyond each allowance ``(J, C)`` in one month of each period,
        summed over the cell's lines (expected values for a profile fleet)."""
        q = self.period_year
        if self.measured is None:
            per_line = expected_excess(self.usage[:, :, None, :], self.cv[None, :, None, :],
                                       self.dist[None, :, None, :], allowance[None, None])  # (Y, P, J, C)
            return self.period_lines[:, :, :, None, None] * per_line[q][:, :, None]
        E = len(self.entities)
        G = self.growth[q]  # (Q, P, C)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(G[:, :, None, :] > 0, allowance[None, None] / G[:, :, None, :], np.inf)  # (Q, P, J, C)
        cell = np.arange(len(self.profiles))[:, None] * E + np.arange(E)[None, :]  # (P, E)
        above = self.measured.by_cell.above(
            np.arange(len(self.components)), self.period_month[:, None, None, None, None],
            cell[None, :, :, None, None], t[:, :, None])  # (Q, P, E, J, C)
        return (self.weight[q][:, :, None, None, None] * G[:, :, None, None, :]) * above

    @cached_property
    def demand(self) -> np.ndarray:
        """(Q, P, E, C) total usage in one month of each period."""
        q = self.period_year
        if self.measured is None:
            return self.period_lines[..., None] * self.usage[q][:, :, None, :]
        P, E, C = len(self.profiles), len(self.entities), len(self.components)
        total = self.measured.by_cell.total()[:, self.period_month]  # (C, Q, P*E)
        total = total.transpose(1, 2, 0).reshape(len(q), P, E, C)
        return self.weight[q][:, :, None, None] * self.growth[q][:, :, None, :] * total


def fleet_of(tender: Tender) -> Fleet:
    spec = tender.spec
    profiles = tuple(p.id for p in spec.profiles)
    entities = tuple(e.id for e in spec.entities)
    measured = tender.lines if spec.usage_file is not None and spec.usage_file.evaluate_on == "lines" else None
    if measured is not None:
        components = measured.components
    else:
        components = tuple(dict.fromkeys(c for p in spec.profiles for c in p.usage))
    years = -(-spec.term_months // 12)
    y = np.arange(years, dtype=float)
    # With a measured fleet, the profiles' lines are the export's counts × lines_scale (scoring.load).
    lines0 = np.array([[p.lines.get(e, 0.0) for e in entities] for p in spec.profiles], dtype=float)
    growth = np.array([p.line_growth for p in spec.profiles])
    lines = lines0[None, :, :] * ((1.0 + growth)[None, :] ** y[:, None])[:, :, None]
    ugrowth = np.array([[p.usage_growth.get(c, 0.0) for c in components] for p in spec.profiles])
    factor = (1.0 + ugrowth)[None] ** y[:, None, None]  # (Y, P, C)
    if measured is not None:
        factor = factor * np.array([spec.usage_file.usage_factor(c) for c in components])
        base = measured.mean
        cv = np.zeros_like(base)
        dist = np.full(base.shape, FIXED, dtype=int)
        used = (measured.peak.max(axis=1) * factor.max(axis=0)) > 0  # a usage scaled to 0 is not used
    else:
        base = np.array([[usage_mean(p.usage.get(c, 0.0)) for c in components] for p in spec.profiles], dtype=float)
        spread = [[p.usage.get(c) for c in components] for p in spec.profiles]
        cv = np.array([[u.cv if isinstance(u, UsageDistribution) else 0.0 for u in row] for row in spread])
        dist = np.array([[DIST_CODES[u.dist] if isinstance(u, UsageDistribution) and u.cv > 0 else FIXED
                          for u in row] for row in spread], dtype=int)
        used = base > 0
    return Fleet(
        term_months=spec.term_months,
        profiles=profiles,
        entities=entities,
        components=components,
        lines0=lines0,
        lines=lines,
        usage=base[None] * factor,
        used=used,
        cv=cv,
        dist=dist,
        device_tier=tuple(p.device.tier if p.device else None for p in spec.profiles),
        refresh_months=np.array([p.device.refresh_months if p.device else np.nan for p in spec.profiles]),
        growth=factor,
        measured=measured,
    )
