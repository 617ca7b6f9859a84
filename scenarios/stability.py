"""A weight-stability range as a person reads it, consistent with the ranking's tie rule.

`scenarios.sensitivity.weight_stability` finds each boundary by bisection to 1e-9: where two
bids' totals become equal at 9 decimals (the tie rule, `scoring.rank`), another bid can win on
a sliver of a weight no display shows. With every point on one criterion the two best bids
can score the same: the range then ends at 99.99999998…, and "wins from 0.00 to 100.00
(above: telvia)" reads as a contradiction. Shown here: the range rounded to the displayed
decimals; when the other bid's side is narrower than that rounding (the range reaches 0 or 100
once rounded), that bid wins only at the very end — said as such, with whether it is a tie
there (equal totals at 9 decimals, broken by the lower TCO, then the bid id).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.evaluate import Evaluation
from scoring.formulas import TCO_DECIMALS, TOTAL_DECIMALS
from scoring.rank import rank_bids

from .sensitivity import with_weight


@dataclass(frozen=True)
class ShownRange:
    start: float | None  # the range, rounded (None: not applicable)
    end: float | None
    below: str | None  # who wins below the range / above it (bid ids; None: no one)
    above: str | None
    at_start: str | None  # who wins only at weight 0 / 100 (within the rounding), if anyone
    at_end: str | None
    tie_start: str | None  # how the tie at that end is broken: "tco" or "id"; None: no tie there
    tie_end: str | None


def _tie(ev: Evaluation, key: str, weight: float, winner: str, other: str) -> str | None:
    """How ``other`` beats ``winner`` at ``weight``: None when on points, else the tie-break
    that decides it ("tco": the lower TCO at the cent; "id": the bid id)."""
    r = rank_bids(ev.tender, ev.figures, ev.criteria, ev.costs.knockouts, with_weight(ev.spec, key, weight))
    a, b = r.total.get(winner), r.total.get(other)
    # The tie rule's own rounding (scoring.formulas.rank_positions).
    if a is None or b is None or np.round(a, TOTAL_DECIMALS) != np.round(b, TOTAL_DECIMALS):
        return None
    tco_a, tco_b = ev.figures[winner].tco, ev.figures[other].tco
    return "tco" if np.round(tco_a or 0.0, TCO_DECIMALS) != np.round(tco_b or 0.0, TCO_DECIMALS) else "id"


def shown_range(ev: Evaluation, row: dict, decimals: int = 2) -> ShownRange:
    """``row``, one of `weight_stability`'s, rounded to ``decimals`` for display."""
    if row["stable_from"] is None or row["stable_to"] is None:
        return ShownRange(None, None, row["below"], row["above"], None, None, None, None)
    start, end = round(row["stable_from"], decimals) + 0.0, round(row["stable_to"], decimals) + 0.0
    below, above = row["below"], row["above"]
    at_start = at_end = tie_start = tie_end = None
    winner = row["winner"]
    if below is not None and start <= 0.0:
        at_start, below = below, None
        tie_start = _tie(ev, row["weight"], 0.0, winner, at_start) if winner else None
    if above is not None and end >= 100.0:
        at_end, above = above, None
        tie_end = _tie(ev, row["weight"], 100.0, winner, at_end) if winner else None
    return ShownRange(start, end, below, above, at_start, at_end, tie_start, tie_end)


__all__ = ["ShownRange", "shown_range"]
