"""What a spreadsheet price schedule (DQE) gets wrong: it prices the average line.

With usage given as a distribution across a profile's lines, Fleetbid costs the expected
bill; the DQE view replaces every distribution by its mean. The difference is the overage
the heavy users will actually be billed.
"""

from __future__ import annotations

from scoring.evaluate import Evaluation, evaluate
from scoring.model import Tender, UsageDistribution

from .overlay import apply, scenario_from_dict


def average_line(tender: Tender) -> Tender:
    """The tender with every usage distribution replaced by its mean."""
    profiles = [
        {"id": p.id, "usage": {c: u.mean for c, u in p.usage.items() if isinstance(u, UsageDistribution)}}
        for p in tender.spec.profiles
    ]
    return apply(tender, scenario_from_dict({"name": "average line (DQE)", "set": {"profiles": profiles}}))


def dqe_gap(ev: Evaluation) -> list[dict]:
    """Per bid: expected TCO, the average-line TCO, and the gap."""
    flat = evaluate(average_line(ev.tender))
    out = []
    for bid_id in ev.costs.bids:
        expected, average = ev.figures[bid_id].tco, flat.figures[bid_id].tco
        out.append({
            "id": bid_id, "tco": expected, "tco_average_line": average,
            "gap": None if expected is None or average is None else expected - average,
            "rank": ev.ranking.rank[bid_id], "rank_average_line": flat.ranking.rank[bid_id],
        })
    return out
