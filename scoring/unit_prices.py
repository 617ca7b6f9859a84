"""Unit prices: each costed bid's average cost per line per month, by profile, split the way a
price list is written (subscription, usage beyond allowances, pool share, per-line fees, device,
one-off fees per line), so that a buyer can check a bid against its price list.

**What "per line per month" divides by.** For a bid and a profile, each column is the profile's
cost over the term for that column, read from the cost table (scoring.cost), divided by the
profile's **line-months over the term after line growth** (`Fleet.line_months`: Σ over contract
years of the year's lines × the year's months; a partial last year counts its months). It is
an average over the term: indexation, volume discount and usage growth are in it, so it equals
the price list's figure only where none applies (a subscription of 10.00 with 2 % indexation
from year 2 shows about 10.10 over 24 months).

**Columns per line** (`PER_LINE`, in this order; ``line_fees`` and ``tax`` only where the cost
table publishes them):

- ``subscriptions``, ``usage`` (each line's own usage beyond its allowances: overage, roaming…),
  ``line_fees``, ``devices`` and ``device_fund``: the cost table's components of those names,
  in the profile's cells;
- ``pool_overage``, the **pool share**: the profile's part of the pooled overage, as the cost
  table splits it (pro rata to each cell's individual overage, the rule scoring.per_line also
  applies line by line) — not computed a second time here;
- ``one_off_per_line``: activation and SIM card fees (`scoring.pricing.once_per_line`), the
  cost table's one-off fees of the profile without its share of the bid's setup fee (the cost
  table puts the setup fee in the cells pro rata to initial lines, `Fleet.initial_share`);
- ``tax``: the non-recoverable tax on the columns above (`scoring.pricing.tax_on`);
- ``total``: their sum.

**Not per line** (`NOT_PER_LINE`: one row per bid, amounts over the term, not divided): the
setup fee, account fees, the minimum monthly spend's shortfall, credits (welcome credit),
portability terms, the buyer's switching cost, and the tax on the bid's share of those; the
cost table spreads them over the cells pro rata to initial lines, which says nothing about a
line's price, so this view keeps them apart.

**It adds up.** For every bid, Σ over profiles of (unit total × line-months) + the not-per-line
total = the bid's TCO, and column by column Σ over profiles of (unit × line-months) = the cost
table's figure for those components (to float rounding, far under a cent: the unit is the
profile's cost ÷ its line-months). Amounts are in the tender's currency excluding VAT, including
the tender's non-recoverable tax where it has one (the outputs say so with
``reports.names.amounts_basis``). A profile without line-months (no lines) has no unit price
(NaN) and no cost.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .components import COMPONENTS
from .cost_table import CostTable
from .model import Tender
from .pricing import tax_on

# The per-line columns in order: cost-table components, the one-off fees per line, the tax on them.
PER_LINE: tuple[str, ...] = ("subscriptions", "usage", "pool_overage", "line_fees", "devices", "device_fund",
                             "one_off_per_line", "tax")
# The not-per-line items in order: the setup fee (part of the one-off fees), components, the tax on them.
NOT_PER_LINE: tuple[str, ...] = ("setup", "account_fees", "minimum_spend", "credits", "portability", "switching",
                                 "tax")
# Cost-table components read whole into a per-line column, and into the not-per-line row.
_PER_LINE_COMPONENTS = ("subscriptions", "usage", "pool_overage", "line_fees", "devices", "device_fund")
_NOT_PER_LINE_COMPONENTS = ("account_fees", "minimum_spend", "credits", "portability", "switching")


@dataclass(frozen=True)
class UnitPrices:
    """The unit-prices view of the costed bids (bid order: the cost table's).

    ``per_line``: one row per costed bid × profile — ``bid``, ``profile``, ``line_months``, each of
    ``columns`` (per line per month), ``total`` (per line per month) and ``cost`` (the profile's
    cost over the term for those columns). ``not_per_line``: one row per costed bid — ``bid``, each
    of ``items`` (over the term) and ``total``. ``tco``: bid → its TCO (the cost table's)."""

    columns: tuple[str, ...]
    items: tuple[str, ...]
    per_line: pd.DataFrame
    not_per_line: pd.DataFrame
    tco: dict[str, float]

    @property
    def bids(self) -> tuple[str, ...]:
        return tuple(self.not_per_line["bid"])

    def of(self, bid: str) -> tuple[pd.DataFrame, pd.Series]:
        """One bid's profile rows and its not-per-line row (KeyError for a bid not costed)."""
        rows = self.not_per_line[self.not_per_line["bid"] == bid]
        if rows.empty:
            raise KeyError(bid)
        return self.per_line[self.per_line["bid"] == bid].reset_index(drop=True), rows.iloc[0]

    def to_dict(self) -> dict[str, Any]:
        """The view with ids, for the JSON: per bid its profiles' unit prices and the not-per-line
        amounts (NaN, a profile without lines, as null)."""
        columns = (*self.columns, "total")
        out = []
        for bid in self.bids:
            rows, other = self.of(bid)
            units = rows[list(columns)].to_numpy().tolist()
            out.append({
                "id": bid,
                "profiles": [{
                    "profile": profile, "line_months": line_months,
                    "per_line_month": {c: None if v != v else v for c, v in zip(columns, unit)},
                    "cost": cost,
                } for profile, line_months, unit, cost in zip(rows["profile"], rows["line_months"].tolist(), units,
                                                              rows["cost"].tolist())],
                "not_per_line": {c: float(other[c]) for c in (*self.items, "total")},
                "tco": self.tco[bid],
            })
        return {"columns": list(self.columns), "not_per_line_items": list(self.items), "bids": out}


def unit_prices(costs: CostTable, tender: Tender) -> UnitPrices:
    """Each costed bid's cost per line per month by profile (the module's definitions), and what
    is not per line, from the cost table ``costs`` of ``tender``."""
    fleet = costs.fleet
    keys = COMPONENTS[:costs.cube.shape[-1]]
    k = {key: i for i, key in enumerate(keys)}
    shown = costs.components
    taxed = "tax" in shown
    columns = tuple(c for c in PER_LINE if c in shown or c == "one_off_per_line")
    items = tuple(c for c in NOT_PER_LINE if c in shown or c == "setup")
    b_idx = np.array([costs.index(b) for b in costs.bids if costs.costed(b)], dtype=int)
    bids = [costs.bids[b] for b in b_idx]
    P, nb = len(fleet.profiles), len(bids)

    by_profile = costs.cube.sum(axis=(1, 3))[b_idx]  # (b, P, K) over months and entities
    setup = np.array([tender.bid(b).spec.fees.setup for b in bids], dtype=float)  # (b,)
    setup_share = setup[:, None] * fleet.initial_share.sum(axis=1)[None, :]  # (b, P) as the cost table puts it
    cost = {c: by_profile[..., k[c]] if c in k else np.zeros((nb, P)) for c in _PER_LINE_COMPONENTS}
    cost["one_off_per_line"] = by_profile[..., k["one_off_fees"]] - setup_share
    percent = tender.spec.non_recoverable_tax_percent
    if taxed:
        cost["tax"] = tax_on(percent, sum(cost[c] for c in columns if c != "tax"))
    term = sum(cost[c] for c in columns)  # (b, P)

    line_months = fleet.line_months  # (P,)
    has = line_months > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        per = {c: np.where(has[None], cost[c] / np.where(has, line_months, 1.0)[None], np.nan) for c in columns}
    per_line = pd.DataFrame({
        "bid": np.repeat(bids, P),
        "profile": np.tile(np.array(fleet.profiles, dtype=object), nb),
        "line_months": np.tile(line_months, nb),
        **{c: per[c].ravel() for c in columns},
        "total": np.where(has[None], term / np.where(has, line_months, 1.0)[None], np.nan).ravel(),
        "cost": term.ravel(),
    })

    by_bid = by_profile.sum(axis=1)  # (b, K)
    other = {c: by_bid[:, k[c]] if c in k else np.zeros(nb) for c in _NOT_PER_LINE_COMPONENTS}
    other["setup"] = setup
    if taxed:  # the bid's tax less the tax on its per-line columns
        other["tax"] = by_bid[:, k["tax"]] - cost["tax"].sum(axis=1)
    not_per_line = pd.DataFrame({"bid": bids, **{c: other[c] for c in items}})
    not_per_line["total"] = sum(other[c] for c in items)
    tco = costs.tco()
    return UnitPrices(columns=columns, items=items, per_line=per_line, not_per_line=not_per_line,
                      tco={bids[i]: float(tco[b]) for i, b in enumerate(b_idx)})


__all__ = ["NOT_PER_LINE", "PER_LINE", "UnitPrices", "unit_prices"]
