"""The cost table: every bid's cost in one cube ``bid × month × profile × entity × component``
(built by scoring.cost), with its sums (per month, year, component, entity, profile; NPV) and a
tidy long frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .components import COMPONENTS, RECURRING, shown
from .fleet import Fleet


@dataclass(frozen=True)
class CostTable:
    """All bids' costs. ``cube[b, m, p, e, k]`` in euros (NaN for bids not costed)."""

    bids: tuple[str, ...]
    fleet: Fleet
    cube: np.ndarray
    plan_assignment: dict[str, dict[str, str] | None]
    knockouts: dict[str, tuple[str, ...]]
    discount_rate: float | None = None
    uses: frozenset = frozenset()  # the contract v1.1 components the tender or a bid uses
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def components(self) -> tuple[str, ...]:
        """The components to publish, in the cube's order: the v1 ones, and the v1.1 additions
        (line fees, minimum spend, tax) the tender or a bid uses."""
        return shown(self.uses)

    def lump_sums(self) -> dict[str, float]:
        """Bids whose fleet-level recurring charges (account fee, minimum-spend shortfall) are
        strictly above half their recurring charges over the term (subscriptions, usage, pool
        overage, account and per-line fees, and the shortfall; before tax), with that share:
        their cost will not follow a change in the number of lines (contract v1.1; no figure
        changes)."""
        keys = COMPONENTS[:self.cube.shape[-1]]
        by = self.by_component()
        recurring = [k for k, c in enumerate(keys) if c in (*RECURRING, "minimum_spend")]
        fleet_level = [k for k, c in enumerate(keys) if c in ("account_fees", "minimum_spend")]
        out = {}
        for b, bid in enumerate(self.bids):
            if not self.costed(bid):
                continue
            total, lump = float(by[b, recurring].sum()), float(by[b, fleet_level].sum())
            if lump > 0 and lump > total / 2:
                out[bid] = lump / total
        return out

    def costed(self, bid_id: str) -> bool:
        return not self.knockouts[bid_id]

    def index(self, bid_id: str) -> int:
        return self.bids.index(bid_id)

    def monthly(self) -> np.ndarray:
        """(B, T) total cost per month, switching included."""
        return self.cube.sum(axis=(2, 3, 4))

    def tco(self) -> np.ndarray:
        return self.cube.sum(axis=(1, 2, 3, 4))

    def by_component(self) -> np.ndarray:
        """(B, K)"""
        return self.cube.sum(axis=(1, 2, 3))

    def by_entity(self) -> np.ndarray:
        """(B, E)"""
        return self.cube.sum(axis=(1, 2, 4))

    def by_profile(self) -> np.ndarray:
        """(B, P)"""
        return self.cube.sum(axis=(1, 3, 4))

    def annual(self) -> np.ndarray:
        """(B, Y) undiscounted TCO of each contract year."""
        monthly = self.monthly()
        ym = self.fleet.year_of_month
        return np.stack([monthly[:, ym == y].sum(axis=1) for y in range(self.fleet.years)], axis=1)

    def discount_factors(self) -> np.ndarray | None:
        if self.discount_rate is None:
            return None
        m = np.arange(self.fleet.term_months)
        return (1.0 + self.discount_rate) ** (-m / 12.0)

    def npv(self) -> np.ndarray | None:
        factors = self.discount_factors()
        return None if factors is None else self.monthly() @ factors

    def frame(self) -> pd.DataFrame:
        """Tidy long table: bid, month, year, profile, entity, component, cost (non-zero cells)."""
        if "frame" not in self._cache:
            B, T, P, E, Kn = self.cube.shape
            idx = np.nonzero(np.nan_to_num(self.cube, nan=0.0))
            self._cache["frame"] = pd.DataFrame(
                {
                    "bid": pd.Categorical.from_codes(idx[0], self.bids),
                    "month": idx[1] + 1,
                    "year": self.fleet.year_of_month[idx[1]],
                    "profile": pd.Categorical.from_codes(idx[2], self.fleet.profiles),
                    "entity": pd.Categorical.from_codes(idx[3], self.fleet.entities),
                    "component": pd.Categorical.from_codes(idx[4], COMPONENTS[:Kn]),
                    "cost_eur": self.cube[idx],
                }
            )
        return self._cache["frame"]
