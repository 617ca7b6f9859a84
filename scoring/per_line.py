"""The per-line view: each measured line's share of a bid's cost table.

With a tender evaluated on a billing export's lines (scoring.lines), each line's
subscriptions, own usage beyond allowances, share of the pooled overage and devices over the
term, with the contract's rules of scoring.pricing under the plan mix the cost table chose.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cost_table import CostTable
from .model import Tender
from .pricing import (
    chosen,
    device_monthly,
    discounted_fee,
    line_fees,
    pool_overage,
    tax_on,
    terms_of,
    volume_discount,
)
from .usage import line_billed

LINE_CHUNK = 65_536


def line_costs(costs: CostTable, tender: Tender, bid_id: str) -> pd.DataFrame:
    """Each measured line's cost over the term under one costed bid, most expensive first.

    Columns: ``line`` (pseudonym), ``profile``, ``entity``, ``subscriptions``, ``usage`` (its
    own usage beyond allowances), ``pool_overage`` (its share of the pooled overage, pro-rata to
    its individual overage month by month, as for entities), ``devices``, ``total``. Lines added
    by growth count in their line's weight, so a cell's lines add up to the cell's
    subscriptions + usage + pool overage + devices in the cost table; fleet-wide items (setup,
    account fee, credits, activations, switching, portability, the minimum spend's shortfall)
    belong to no line. Contract v1.1: block rates and caps are exact per line-month (ceil, min);
    a bid with per-line fees adds ``line_fees``, a tender with non-recoverable tax ``tax`` (on the
    line's own charges), each in ``total``.
    """
    fleet = costs.fleet
    lines = fleet.measured
    if lines is None:
        raise ValueError("costs per line need a tender evaluated on a usage file's lines")
    assignment = costs.plan_assignment[bid_id]
    if assignment is None:
        raise ValueError(f"bid {bid_id!r} is not costed: {'; '.join(costs.knockouts[bid_id])}")
    bid = tender.bid(bid_id)
    terms = terms_of(bid, fleet)
    mix = terms.assigned(fleet, assignment)
    plans, pooled, kq = terms.plans, terms.pooled, terms.kq
    allowance, rate = mix.allowance, mix.rate  # (P, C)
    q_year, q_month, nq = fleet.period_year, fleet.period_month, fleet.months_in_period
    w = fleet.weight[q_year]  # (Q, P)
    p_i = lines.profile

    indexed_months = ((nq * kq)[:, None] * w).sum(axis=0)  # (P,) a line's indexed months over the term
    subscriptions = discounted_fee(indexed_months * mix.fee, volume_discount(bid, float(fleet.lines0.sum())))
    devices = (nq[:, None] * w).sum(axis=0) * device_monthly(fleet, bid)
    # Pooled overage per month of each period, and per unit of individual overage: the fleet's
    # individual overage is the cells' (the cost table's split key), so each line's share is
    # its own individual overage × that rate.
    pc = np.flatnonzero(pooled)
    individual = chosen(fleet.excess(plans.allowance), mix.choice)[..., pc].sum(axis=(1, 2))  # (Q, Cp)
    per_unit = np.zeros((len(q_year), len(pc)))
    for i, c in enumerate(pc):
        cost = pool_overage(fleet, allowance[:, c], c, terms.pool_rate[c], kq)[0] * nq  # (Q,) over each period
        per_unit[:, i] = np.divide(cost, individual[:, i], out=np.zeros_like(cost), where=individual[:, i] > 0)

    special = mix.special.any()  # v1.1 block rates or caps: billed per line-month before weighting
    usage, pool = np.zeros(lines.n), np.zeros(lines.n)
    x = lines.usage.usage
    for lo in range(0, lines.n, LINE_CHUNK):  # bounded temporaries: chunks of lines, each vectorised
        part = slice(lo, lo + LINE_CHUNK)
        p_c = p_i[part]
        for y in range(fleet.years):  # the year's export months at once
            qs = np.flatnonzero(q_year == y)
            over = x[part][:, q_month[qs], :]  # (n, q, C) a copy
            over *= fleet.growth[y][p_c][:, None, :]
            over -= allowance[p_c][:, None, :]  # an unlimited allowance leaves -inf: no charge
            np.maximum(over, 0.0, out=over)
            if special:  # each line-month's own blocks or capped units, then its weight
                charged = line_billed(over, mix.block[p_c][:, None, :], mix.limit[p_c][:, None, :])
            over *= w[qs][:, p_c].T[:, :, None]
            if special:
                charged *= w[qs][:, p_c].T[:, :, None]
                usage[part] += np.einsum("nqc,nc,q->n", charged, rate[p_c], nq[qs] * kq[qs])
            else:
                usage[part] += np.einsum("nqc,nc,q->n", over, rate[p_c], nq[qs] * kq[qs])
            pool[part] += np.einsum("nqc,qc->n", over[:, :, pc], per_unit[qs])
    table = pd.DataFrame({
        "line": lines.usage.line_ids,
        "profile": pd.Categorical.from_codes(p_i, fleet.profiles),
        "entity": pd.Categorical.from_codes(lines.entity, fleet.entities),
        "subscriptions": subscriptions[p_i],
        "usage": usage,
        "pool_overage": pool,
        "devices": devices[p_i],
    })
    items = ["subscriptions", "usage", "pool_overage", "devices"]
    if bid.spec.fees.per_line_monthly > 0:  # v1.1: the line's own per-line fees
        table.insert(4, "line_fees", line_fees(bid, indexed_months, 1.0)[p_i])
        items.insert(1, "line_fees")
    percent = tender.spec.non_recoverable_tax_percent
    if percent > 0:  # v1.1: the tax on the line's own charges
        table["tax"] = tax_on(percent, table[items].sum(axis=1))
        items.append("tax")
    table["total"] = table[items].sum(axis=1)
    return table.sort_values(["total", "line"], ascending=[False, True], ignore_index=True)
