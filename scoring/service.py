"""The hidden cost of poor service, in euros (an extension of the format).

With a ``service_costs:`` block in tender.yaml, each bid's service commitments become a
cost the buyer bears and no invoice shows: per line and year,
``support_calls × answer_minutes / 60 × hourly_cost`` (time spent waiting for support)
``+ incidents × replacement_days × lost_hours_per_day × hourly_cost`` (work lost while a SIM or
handset is replaced), over the lines of each contract year (a partial year pro rata).
It is reported beside the TCO and can be the price basis ``tco_service`` (TCO + this).
Defaults: hourly labour cost €37.3 (Eurostat, euro-area average 2024, dataset lc_lci_lev);
2 support calls, 0.15 incidents per line per year and 2 working hours lost per day without
a phone are working assumptions for the buyer to replace with its own help-desk figures.
"""

from __future__ import annotations

import math

from .criteria import _MISSING, resolve
from .fleet import Fleet
from .model import Tender


def service_costs(tender: Tender, fleet: Fleet) -> tuple[dict[str, float | None], list[str]]:
    """Hidden cost per bid over the term (None when a commitment is missing), and warnings."""
    spec = tender.spec.service_costs
    if spec is None:
        return {b.id: None for b in tender.bids}, []
    line_years = fleet.total_line_months / 12.0
    out: dict[str, float | None] = {}
    warnings = []
    for bid in tender.bids:
        values = {}
        for path in (spec.support_minutes_from, spec.replacement_days_from):
            v = resolve(bid.raw, path)
            ok = v is not _MISSING and not isinstance(v, bool) and isinstance(v, (int, float)) and math.isfinite(v)
            values[path] = float(v) if ok else None
        missing = [p for p, v in values.items() if v is None]
        if missing:
            warnings.append(f"bid {bid.id}: no number at {', '.join(missing)}; its service cost is unknown")
            out[bid.id] = None
            continue
        per_line_year = spec.loaded_hourly_cost_eur * (
            spec.support_calls_per_line_year * values[spec.support_minutes_from] / 60.0
            + spec.incidents_per_line_year * values[spec.replacement_days_from] * spec.lost_hours_per_day
        )
        total = per_line_year * line_years
        if not math.isfinite(total):
            warnings.append(f"bid {bid.id}: the service commitments give an infinite service cost; it is unknown")
            total = None
        out[bid.id] = total
    return out, warnings
