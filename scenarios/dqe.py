"""What a spreadsheet price schedule (DQE) gets wrong: it prices the average line.

With usage given as a distribution across a profile's lines, Fleetbid costs the expected
bill; with a billing export costed line by line, every line's own bill. The DQE view prices
every line at its profile's mean. The difference is the overage the heavy users will
actually be billed.
"""

from __future__ import annotations

from scoring.evaluate import Evaluation, evaluate
from scoring.model import Tender, UsageDistribution

from .overlay import apply, scenario_from_dict


def average_line(tender: Tender) -> Tender:
    """The tender with every line using its profile's mean: distributions replaced by their
    mean, and a tender costed on its billing export's lines costed on the export's profile
    means instead (lines per entity and mean usage, as derived on load)."""
    if tender.spec.usage_file is not None and tender.spec.usage_file.evaluate_on == "lines":
        profiles = [{"id": p.id, "lines": dict(p.lines), "usage": dict(p.usage)} for p in tender.spec.profiles]
        overlay = {"profiles": profiles, "usage_file": {"evaluate_on": "profiles"}}
    else:
        profiles = [
            {"id": p.id, "usage": {c: u.mean for c, u in p.usage.items() if isinstance(u, UsageDistribution)}}
            for p in tender.spec.profiles if any(isinstance(u, UsageDistribution) for u in p.usage.values())
        ]
        overlay = {"profiles": profiles}
    return apply(tender, scenario_from_dict({"name": "average line (DQE)", "set": overlay}))


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
