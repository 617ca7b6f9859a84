"""Stay vs switch: each challenger against the incumbent, month by month.

Cumulative cost includes everything the TCO includes, switching in month 1. The saving of
a challenger in month m is the incumbent's cumulative cost minus the challenger's; the
break-even month is the first month from which the challenger's cumulative cost stays at
or below the incumbent's to the end of the term (None if there is none). Also: the
switching cost as a waterfall of its parts, and the porting-risk curve — the challenger's
TCO against the porting failure rate, 0–20 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scoring.cost import K
from scoring.evaluate import Evaluation
from scoring.switching import lost_numbers, ported_numbers, switching_parts

RISK_RATES = tuple(r / 100 for r in range(21))


@dataclass(frozen=True)
class Challenger:
    id: str
    switching_cost: float
    break_even_month: int | None
    cumulative_saving: list[float]
    cumulative_cost: list[float]
    waterfall: dict[str, float]
    porting_risk: list[dict[str, float]]


@dataclass(frozen=True)
class StayOrSwitch:
    incumbent: str | None
    incumbent_cumulative: list[float] | None
    challengers: list[Challenger]
    note: str | None = None

    def to_dict(self) -> dict:
        return {
            "incumbent": self.incumbent,
            "incumbent_cumulative_cost": self.incumbent_cumulative,
            "note": self.note,
            "challengers": [c.__dict__ for c in self.challengers],
        }


def break_even_month(saving: np.ndarray, tol: float = 1e-6) -> int | None:
    """First 1-based month from which ``saving`` stays ≥ 0 to the end (None if it ends < 0)."""
    behind = np.flatnonzero(saving < -tol)
    if len(behind) == 0:
        return 1
    last = int(behind[-1])
    return None if last == len(saving) - 1 else last + 2


def stay_or_switch(ev: Evaluation) -> StayOrSwitch:
    tender, costs = ev.tender, ev.costs
    incumbent = tender.spec.incumbent
    if incumbent is None or incumbent not in costs.bids:
        note = "no incumbent in the tender" if incumbent is None else f"incumbent {incumbent!r} did not bid"
        return StayOrSwitch(incumbent, None, [], note)
    if not costs.costed(incumbent):
        return StayOrSwitch(incumbent, None, [], f"the incumbent's bid cannot be costed: {costs.knockouts[incumbent]}")
    monthly = costs.monthly()
    stay = np.cumsum(monthly[costs.index(incumbent)])
    parts = switching_parts(tender)
    s = tender.spec.switching
    ported = ported_numbers(tender)
    out = []
    for bid_id in costs.bids:
        if bid_id == incumbent or not costs.costed(bid_id):
            continue
        b = costs.index(bid_id)
        move = np.cumsum(monthly[b])
        saving = stay - move
        tco = float(move[-1])
        lost_now = parts.get("lost_numbers", 0.0)
        risk = [{"rate": r, "tco": tco - lost_now + (lost_numbers(ported, r, s.lost_number_eur) if s else 0.0)}
                for r in RISK_RATES]
        waterfall = dict(parts)
        waterfall["portability_terms"] = float(costs.by_component()[b][K["portability"]])
        out.append(Challenger(
            id=bid_id,
            switching_cost=float(costs.by_component()[b][K["switching"]]),
            break_even_month=break_even_month(saving),
            cumulative_saving=[float(x) for x in saving],
            cumulative_cost=[float(x) for x in move],
            waterfall=waterfall,
            porting_risk=risk,
        ))
    return StayOrSwitch(incumbent, [float(x) for x in stay], out)
