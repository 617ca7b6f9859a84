"""The invoice audit (docs/invoice-audit.md): every invoice row re-priced with the awarded bid,
its finding (one category at most, by precedence), the claims and their deadlines, unused
lines, the invoice re-split over the buyer's entities and the billing accuracy — one frozen
`Audit` (`Audit.as_json()` is the JSON of ``python -m monitoring audit DIR --json``).

Every cost rule is the engine's own (`scoring.pricing`): plan fees and allowances
(`plans_of`), indexation (`indexation`), volume discount (`volume_discount`, applied by `discounted_fee`), units billed
beyond an allowance in blocks or capped (`measured_units`), the pool's overage
(`pool_charge`); one-off fees, devices and credits are the bid's own fields. The work is on
arrays over the invoice rows (numpy, pandas), never a Python loop over rows: loops run over
findings (to write them), pooled components and months only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from scoring.errors import TenderError
from scoring.pricing import discounted_fee, indexation, measured_units, pool_charge
from scoring.usage_file.line_index import LineIndex
from scoring.usage_file.pseudonyms import pseudonym_key

from .contract import CHARGES, Contract, period_text, read_contract
from .tables import CHARGE, NONE, Inventory, Invoices, read_inventory, read_invoices

if TYPE_CHECKING:
    from .memory import MemoryFolder

# Finding categories in precedence order (a row gets the first that applies); missing_credit
# is the account-level check of the month-1 credits.
CATEGORIES = ("duplicate_charge", "line_not_in_inventory", "billed_after_termination", "plan_not_in_contract",
              "pooled_usage_billed", "fee_not_in_contract", "rate_not_applied", "wrong_plan", "missing_credit")
CAT = {name: i + 1 for i, name in enumerate(CATEGORIES)}  # 0: no finding
UNASSIGNED = "unassigned"
# Float noise allowed above the tolerance: 18.01 − 18.00 is 0.0100000000000016, which is not
# "more than" a 0.01 tolerance (docs/invoice-audit.md, "Readings"); far below a cent.
NOISE = 1e-9


def beyond(difference, tol: float):
    """Whether a difference (scalar or array) is more than the tolerance, float noise aside."""
    return difference > tol + NOISE


@dataclass(frozen=True)
class Finding:
    category: str
    invoice: str
    period: str
    line: str | None  # pseudonym; None for an account-level row
    charge: str
    component: str | None
    billed: float
    expected: float
    difference: float
    claim: bool
    deadline: str  # YYYY-MM-DD: the invoice date + 1 year (CPCE L34-2)
    rows: tuple[str, ...]  # "invoices/<file>:<line>"

    def as_json(self) -> dict[str, Any]:
        return {"category": self.category, "invoice": self.invoice, "period": self.period, "line": self.line,
                "charge": self.charge, "component": self.component, "billed": self.billed,
                "expected": self.expected, "difference": self.difference, "claim": self.claim,
                "deadline": self.deadline, "rows": list(self.rows)}


@dataclass(frozen=True)
class UnusedLine:
    line: str  # pseudonym
    entity: str
    profile: str
    months: int  # its longest run of subscribed months with zero usage
    monthly_cost: float  # its latest subscription amount

    def as_json(self) -> dict[str, Any]:
        return {"line": self.line, "entity": self.entity, "profile": self.profile, "months": self.months,
                "monthly_cost": self.monthly_cost}


@dataclass(frozen=True)
class InvoiceTotals:
    """What the invoices give per billing period besides the findings, each keyed by the
    period (YYYY-MM, `Audit.periods`): kept on the `Audit` so that nothing reads the invoices
    a second time — the Invoice audit page's accuracy of each month (`monitoring.api.summary`)
    and the service levels' credit base and credits received (`monitoring.service_levels`).
    Amounts as billed (excl. VAT), unrounded, each a sum over the period's rows in row order;
    the same per calendar quarter (keyed by its ordinal, months since 1970-01 // 3), summed over
    its rows too (not from its months': the same float whichever way a quarter is asked for)."""

    line_periods: dict[str, int] = field(default_factory=dict)  # distinct lines with a row on it
    subscriptions: dict[str, float] = field(default_factory=dict)  # Σ its subscription rows' amounts
    sla_credits: dict[str, float] = field(default_factory=dict)  # Σ its sla_credit rows' amounts (≤ 0 as credited)
    quarter_subscriptions: dict[int, float] = field(default_factory=dict)
    quarter_sla_credits: dict[int, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Audit:
    """One contract folder audited. Amounts excl. VAT in the contract's currency, unrounded."""

    bid: str
    operator: str
    currency: str
    periods: tuple[str, ...]
    billed: float
    expected: float
    claimed: float
    findings: tuple[Finding, ...]
    by_category: dict[str, dict[str, float | int]]
    by_entity: dict[str, dict[str, float]]
    billing_accuracy: float
    unused_lines: tuple[UnusedLine, ...]
    tolerance: float
    totals: InvoiceTotals = field(default_factory=InvoiceTotals)  # not in the JSON

    @property
    def claims(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.claim)

    def as_json(self) -> dict[str, Any]:
        """The JSON of docs/invoice-audit.md (a dict of JSON types)."""
        return {"bid": self.bid, "operator": self.operator, "currency": self.currency, "periods": list(self.periods),
                "billed": self.billed, "expected": self.expected, "claimed": self.claimed,
                "findings": [f.as_json() for f in self.findings],
                "by_category": {k: dict(v) for k, v in self.by_category.items()},
                "by_entity": {k: dict(v) for k, v in self.by_entity.items()},
                "billing_accuracy": self.billing_accuracy,
                "unused_lines": [u.as_json() for u in self.unused_lines]}


def audit_folder(folder: str | Path, key: bytes | None = None) -> Audit:
    """Read a contract folder and audit its invoices; raise TenderError on bad input. ``key``:
    the pseudonymisation key (default: the user's, `scoring.usage_file.pseudonyms.pseudonym_key`)."""
    return read_and_audit(folder, key)[1]


def read_and_audit(folder: str | Path | MemoryFolder, key: bytes | None = None) -> tuple[Contract, Audit]:
    """The contract of a folder on disk or in memory (an upload, `monitoring.memory.MemoryFolder`)
    and its audit: the one path of the command line (`audit_folder`) and of the app
    (`monitoring.api.open_contract`). Raises TenderError."""
    contract = read_contract(folder)
    index = LineIndex(key if key is not None else pseudonym_key())
    inventory = read_inventory(contract, index)
    invoices = read_invoices(contract, index)
    index.forget()  # raw numbers are no longer needed
    if index.collides():
        raise TenderError.at(contract.shown, "(file)", "two line numbers share a pseudonym; use another key")
    return contract, audit(contract, inventory, invoices, index.pseudonyms())


_MIX = np.uint64(0x9E3779B97F4A7C15)


def _duplicates(columns: tuple[np.ndarray, ...]) -> np.ndarray:
    """Rows identical in every column to an earlier row (``DataFrame.duplicated``, keep the
    first). Only rows whose 64-bit hash of the values repeats can be duplicates: those few are
    compared exactly, not the whole table."""
    h = np.zeros(len(columns[0]), np.uint64)
    with np.errstate(over="ignore"):
        for values in columns:
            if values.dtype.kind == "f":
                bits = (values + 0.0).view(np.uint64)  # -0.0 + 0.0 is 0.0: equal values, equal bits
            else:
                bits = values.astype(np.int64).view(np.uint64)
            h = (h ^ bits) * _MIX
            h ^= h >> np.uint64(29)
    out = np.zeros(len(h), bool)
    maybe = np.flatnonzero(pd.Series(h).duplicated(keep=False).to_numpy())
    if len(maybe):
        frame = pd.DataFrame({str(n): values[maybe] for n, values in enumerate(columns)})
        out[maybe] = frame.duplicated(keep="first").to_numpy()
    return out


def _first_per_key(keys: np.ndarray, where: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys sorted, the first row index in ``where`` — ascending rows — of each)."""
    uniq, first = np.unique(keys[where], return_index=True)
    return uniq, where[first]


def _lookup(uniq: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Position of each key in the sorted ``uniq``, -1 when absent."""
    pos = np.searchsorted(uniq, keys)
    pos = np.minimum(pos, max(len(uniq) - 1, 0))
    found = (len(uniq) > 0) & (uniq[pos] == keys) if len(uniq) else np.zeros(len(keys), bool)
    return np.where(found, pos, -1)


def _deadline(date: np.datetime64) -> str:
    d = pd.Timestamp(date).date()
    try:
        return d.replace(year=d.year + 1).isoformat()
    except ValueError:  # 29 February
        return dt.date(d.year + 1, 2, 28).isoformat()


def audit(contract: Contract, inv: Inventory, bills: Invoices, pseudonyms: np.ndarray) -> Audit:
    bid = contract.bid
    fees, spec = bid.spec.fees, contract.spec
    tol = spec.tolerance
    plans = contract.plans
    R = len(bills)
    ch, q, amount, line = bills.charge, bills.quantity, bills.amount, bills.line
    is_ = {name: ch == CHARGE[name] for name in CHARGES}
    month = bills.period - contract.start  # contract month - 1
    k = indexation(bid, month // 12)
    p0 = int(bills.period.min()) if R else contract.start
    span = int(bills.period.max()) - p0 + 1 if R else 1
    pidx = bills.period - p0
    n_lines = len(pseudonyms)
    lk = np.where(line >= 0, line, n_lines) * span + pidx  # (line, period) key; account rows share line n_lines

    in_inv = (line >= 0) & (line < inv.n)
    safe = np.where(in_inv, line, 0)
    profile = np.where(in_inv, inv.profile[safe], -1)
    profile_j = np.array([plans.ids.index(contract.profile_plan[p]) for p in contract.profiles] + [-1])
    jp = profile_j[profile]  # the profile's contracted plan, -1 without a profile
    # the billed plan of a subscription row: bid plan index, -1 not a bid plan, -2 not given
    J = len(plans.ids)
    j_row = np.where(bills.plan < 0, -2, np.where(bills.plan < J, bills.plan, -1))
    j_sub = np.where(j_row == -2, jp, j_row)  # the plan a subscription row is priced on (-1: none)

    # 1. duplicates: identical parsed values to an earlier row
    dup = _duplicates((bills.period, line, ch, bills.component, bills.plan, q, amount))
    live = ~dup

    # the plan of each line in each period: its first subscription row's, else its profile's
    sub_keys, sub_first = _first_per_key(lk, np.flatnonzero(is_["subscription"] & (line >= 0)))
    at = _lookup(sub_keys, lk)
    first_sub_plan = np.where(at >= 0, j_sub[sub_first[np.maximum(at, 0)]], -1) if len(sub_first) else np.full(R, -1)
    jl = np.where(first_sub_plan >= 0, first_sub_plan, jp)
    has_sub = at >= 0

    # components
    C = len(contract.components)
    c_idx = np.where(bills.component < C, bills.component, -1)  # a usage component, -1 otherwise
    pooled = np.append(contract.pooled, False)[c_idx]  # c_idx -1 → the appended False
    cs = np.maximum(c_idx, 0)

    e0 = np.zeros(R)
    fee_j = np.append(plans.fee, 0.0)
    sub_ok = is_["subscription"] & (j_sub >= 0)
    e0 = np.where(sub_ok, discounted_fee(q * fee_j[j_sub] * k, contract.discount), e0)
    use = is_["usage"] & ~pooled & (jl >= 0) & (c_idx >= 0)
    if use.any():
        j, c = jl[use], cs[use]
        units = measured_units(q[use], 1.0, plans.allowance[j, c], plans.block[j, c], plans.limit[j, c])
        e0[use] = units * plans.rate[j, c] * k[use]

    # pool: Σ usage of lines with a subscription row vs Σ allowance × quantity, per period and component
    for c in np.flatnonzero(contract.pooled):
        feed = is_["subscription"] & live
        allow = np.append(plans.allowance[:, c], 0.0)[j_sub]  # unknown plans feed 0
        unlimited = np.bincount(pidx[feed & np.isinf(allow) & (q > 0)], minlength=span) > 0
        supply = np.bincount(pidx[feed], weights=np.where(np.isinf(allow), 0.0, allow * q)[feed], minlength=span)
        used = is_["usage"] & live & (c_idx == c) & has_sub
        demand = np.bincount(pidx[used], weights=q[used], minlength=span)
        km = indexation(bid, (np.arange(span) + p0 - contract.start) // 12)
        charge = pool_charge(demand, supply, unlimited, contract.pool_rate[c], km)
        rows = is_["pool_overage"] & live & (c_idx == c)
        _, first = _first_per_key(pidx, np.flatnonzero(rows))
        e0[first] = charge[pidx[first]]
    _, first = _first_per_key(pidx, np.flatnonzero(is_["account_fee"] & live))
    e0[first] = fees.account_monthly * k[first]

    # one-offs: activation and SIM per line in its activation period (month 1 for lines active
    # at start, none then when the awarded bid is the incumbent's); setup once in month 1
    act = np.where(in_inv, inv.activated[safe], NONE)
    at_start = act < contract.start
    due_period = np.where(at_start, contract.start, act)
    owed = in_inv & (contract.challenger | ~at_start)
    due = np.zeros(R, bool)
    for name, fee in (("activation", fees.per_line_activation), ("sim_card", fees.sim_card)):
        cand = np.flatnonzero(is_[name] & live & owed & (bills.period == due_period))
        _, first = _first_per_key(line, cand)
        due[first] = True
        e0[first] = fee
    _, first = _first_per_key(month, np.flatnonzero(is_["setup"] & live & (month == 0)))
    due[first] = True
    e0[first] = fees.setup
    prices = bid.spec.devices.prices
    price_of = np.array([prices.get(name, np.nan) for name in bills.components] + [np.nan])
    tier_price = price_of[np.where(bills.component >= 0, bills.component, -1)]
    priced = is_["device"] & ~np.isnan(tier_price)
    e0 = np.where(priced, q * np.nan_to_num(tier_price), e0)
    kept = is_["credit"] | is_["sla_credit"]
    e0 = np.where(kept, amount, e0)

    # categories, by precedence
    cat = np.zeros(R, np.int8)

    def flag(name: str, mask: np.ndarray) -> None:
        cat[(cat == 0) & mask] = CAT[name]

    flag("duplicate_charge", dup)
    flag("line_not_in_inventory", (line >= 0) & ~in_inv)
    term = np.where(in_inv, inv.terminated[safe], np.iinfo(np.int64).max)
    flag("billed_after_termination", in_inv & ((bills.period > term) | ((act != NONE) & (bills.period < act))))
    flag("plan_not_in_contract", is_["subscription"] & (j_row == -1))
    flag("pooled_usage_billed", is_["usage"] & pooled & (amount != 0))
    oneoff = is_["activation"] | is_["sim_card"] | is_["setup"]
    flag("fee_not_in_contract", is_["other"] | (is_["device"] & ~priced) | (oneoff & ~due))
    diff0 = amount - e0
    checked = ~(is_["credit"] | is_["sla_credit"])
    flag("rate_not_applied", checked & beyond(np.abs(diff0), tol))
    wrong = is_["subscription"] & (j_row >= 0) & (jp >= 0) & (j_row != jp)
    flag("wrong_plan", wrong)
    expected = np.where((cat >= 1) & (cat <= CAT["fee_not_in_contract"]), 0.0, e0)
    wp = cat == CAT["wrong_plan"]
    expected[wp] = discounted_fee(q[wp] * fee_j[jp[wp]] * k[wp], contract.discount)

    # month-1 credits: the welcome credit and (for a challenger) the migration credit, in full
    extra_expected = 0.0
    credit_finding = None
    if (month == 0).any():
        owed_credit = -(bid.spec.discounts.welcome_credit
                        + (bid.spec.portability.migration_credit if contract.challenger else 0.0))
        rows1 = np.flatnonzero(is_["credit"] & (month == 0) & (cat == 0))
        credited = float(amount[rows1].sum())
        if len(rows1):
            expected[rows1[0]] += owed_credit - credited
        else:
            extra_expected = owed_credit
        short = credited - owed_credit
        if beyond(short, tol):
            where = rows1[0] if len(rows1) else int(np.flatnonzero(month == 0)[0])
            if len(rows1):
                cat[rows1[0]] = CAT["missing_credit"]
            credit_finding = Finding(
                category="missing_credit", invoice=str(bills.invoice[where]), period=period_text(bills.period[where]),
                line=None, charge="credit", component=None, billed=credited, expected=owed_credit,
                difference=short, claim=True, deadline=_deadline(bills.date[where]),
                rows=tuple(bills.ref(i) for i in rows1))

    findings = _findings(bills, cat, expected, amount, tol, pseudonyms)
    if credit_finding is not None:
        findings.append(credit_finding)
    findings.sort(key=_order)
    findings_t = tuple(findings)

    by_category = {name: {"count": 0, "difference": 0.0} for name in CATEGORIES}
    for f in findings_t:
        by_category[f.category]["count"] += 1
        by_category[f.category]["difference"] += f.difference
    by_entity = _by_entity(contract, inv, bills, expected, has_sub, sub_keys, n_lines, span, p0, extra_expected)
    line_rows = line >= 0
    lp_code, lp = pd.factorize(lk[line_rows])  # distinct (line, period) billed
    bad = np.zeros(len(lp), bool)
    bad[lp_code[cat[line_rows] > 0]] = True
    accuracy = 1.0 - bad.sum() / len(lp) if len(lp) else 1.0
    periods = tuple(period_text(p) for p in np.sort(pd.unique(bills.period)))
    return Audit(
        bid=bid.id, operator=bid.operator, currency=contract.tender.spec.currency, periods=periods,
        billed=float(amount.sum()), expected=float(expected.sum() + extra_expected),
        claimed=float(sum(f.difference for f in findings_t if f.claim)), findings=findings_t,
        by_category=by_category, by_entity=by_entity, billing_accuracy=float(accuracy),
        unused_lines=_unused(contract, inv, bills, live, is_, pseudonyms, p0, span), tolerance=tol,
        totals=_totals(bills, is_, periods))


def _totals(bills: Invoices, is_: dict, periods: tuple[str, ...]) -> InvoiceTotals:
    """Each billed period's distinct lines and its subscription and sla_credit amounts, every
    row counted (duplicates and rows with a finding too: what was billed)."""
    uniq, code = np.unique(bills.period, return_inverse=True)  # uniq in the order of ``periods``
    named = bills.line >= 0
    pairs = np.unique(bills.line[named] * len(uniq) + code[named])
    counts = np.bincount(pairs % len(uniq), minlength=len(uniq)) if len(uniq) else np.zeros(0, np.int64)
    sub, sla = is_["subscription"], is_["sla_credit"]
    subscriptions, sla_credits = {}, {}
    for i, period in enumerate(periods):  # periods, not rows
        here = code == i
        subscriptions[period] = float(bills.amount[here & sub].sum())
        sla_credits[period] = float(bills.amount[here & sla].sum())
    quarter = bills.period // 3
    q_subscriptions, q_sla_credits = {}, {}
    for q in np.unique(quarter).tolist():  # quarters, not rows
        here = quarter == q
        q_subscriptions[q] = float(bills.amount[here & sub].sum())
        q_sla_credits[q] = float(bills.amount[here & sla].sum())
    return InvoiceTotals(line_periods={p: int(n) for p, n in zip(periods, counts)}, subscriptions=subscriptions,
                         sla_credits=sla_credits, quarter_subscriptions=q_subscriptions,
                         quarter_sla_credits=q_sla_credits)


def _findings(bills: Invoices, cat: np.ndarray, expected: np.ndarray, amount: np.ndarray, tol: float,
              pseudonyms: np.ndarray) -> list[Finding]:
    at = np.flatnonzero((cat > 0) & (cat != CAT["missing_credit"]))
    # texts made once per distinct value (dates, periods), then taken by row
    dates, date_code = np.unique(bills.date[at], return_inverse=True)
    deadline = np.array([_deadline(d) for d in dates], object)[date_code]
    periods, period_code = np.unique(bills.period[at], return_inverse=True)
    period = np.array([period_text(p) for p in periods], object)[period_code]
    line = bills.line[at]
    names = np.append(np.asarray(pseudonyms, object), None)[np.where(line >= 0, line, len(pseudonyms))]
    component = np.array([*bills.components, None], object)[np.where(bills.component[at] >= 0, bills.component[at], -1)]
    charge = np.array(CHARGES, object)[bills.charge[at]]
    category = np.array(CATEGORIES, object)[cat[at] - 1]
    files = np.array(bills.files, object)[bills.file[at]]
    billed, exp = amount[at].tolist(), expected[at].tolist()
    difference = (amount[at] - expected[at]).tolist()
    return [Finding(category=category[n], invoice=str(bills.invoice[i]), period=period[n],
                    line=None if names[n] is None else str(names[n]), charge=charge[n], component=component[n],
                    billed=billed[n], expected=exp[n], difference=difference[n],
                    claim=bool(beyond(difference[n], tol)),  # under-billing (a negative difference) is never claimed
                    deadline=deadline[n], rows=(f"{files[n]}:{int(bills.row[i])}",))
            for n, i in enumerate(at.tolist())]


def _order(f: Finding) -> tuple:
    """Period, line (account-level rows first), charge, then file and row order: row numbers
    compared as numbers (row 5 before row 27), file names as the files are read (by name)."""
    rows = tuple((path, int(n)) for path, _, n in (ref.rpartition(":") for ref in f.rows))
    return (f.period, f.line is not None, f.line or "", f.charge, rows)


def _by_entity(contract: Contract, inv: Inventory, bills: Invoices, expected: np.ndarray, has_sub: np.ndarray,
               sub_keys: np.ndarray, n_lines: int, span: int, p0: int, extra_expected: float) -> dict:
    """Line rows to the line's entity (lines unknown to the inventory: ``unassigned``);
    account rows of a period pro rata to each entity's lines with a subscription row in that
    period (unknown lines count as ``unassigned``'s; a period without any: all ``unassigned``)."""
    E = len(contract.entities)
    line = bills.line
    entity_of = np.append(inv.entity, np.full(max(n_lines - inv.n, 0), E, np.int32)).astype(np.int64)
    pidx = bills.period - p0
    weights = np.zeros((span, E + 1))
    sub_line, sub_period = sub_keys // span, sub_keys % span
    real = sub_line < n_lines
    np.add.at(weights, (sub_period[real], entity_of[sub_line[real]]), 1.0)
    total = weights.sum(axis=1, keepdims=True)
    share = np.where(total > 0, weights / np.where(total > 0, total, 1.0), 0.0)
    share[total[:, 0] == 0, E] = 1.0
    out = {}
    lines = line >= 0
    account = ~lines
    for name, values in (("billed", bills.amount), ("expected", expected)):
        per = np.bincount(entity_of[line[lines]], weights=values[lines], minlength=E + 1)
        acc = np.bincount(pidx[account], weights=values[account], minlength=span)
        if name == "expected" and extra_expected:
            acc[contract.start - p0] += extra_expected
        per = per + acc @ share
        out[name] = per
    result = {e: {"billed": float(out["billed"][i]), "expected": float(out["expected"][i])}
              for i, e in enumerate(contract.entities)}
    if out["billed"][E] != 0 or out["expected"][E] != 0 or (line >= inv.n).any():
        result[UNASSIGNED] = {"billed": float(out["billed"][E]), "expected": float(out["expected"][E])}
    return result


def _unused(contract: Contract, inv: Inventory, bills: Invoices, live: np.ndarray, is_: dict, pseudonyms: np.ndarray,
            p0: int, span: int) -> tuple[UnusedLine, ...]:
    """Inventory lines billed a subscription in each of ``unused_months`` consecutive periods
    with zero usage in all of them; ``months`` is the longest such run."""
    line, pidx = bills.line, bills.period - p0
    known = (line >= 0) & (line < inv.n)
    subs = is_["subscription"] & live & known
    used = is_["usage"] & live & known & (bills.quantity > 0)
    flag = np.zeros((inv.n, span), bool)
    flag[line[subs], pidx[subs]] = True
    flag[line[used], pidx[used]] = False
    run = np.zeros(inv.n, np.int64)
    best = np.zeros(inv.n, np.int64)
    for s in range(span):  # months, not rows
        run = np.where(flag[:, s], run + 1, 0)
        best = np.maximum(best, run)
    hit = np.flatnonzero(best >= contract.spec.unused_months)
    if not len(hit):
        return ()
    order = np.flatnonzero(subs)
    key = line[order] * span + pidx[order]
    # the latest subscription: the first row of each line's last subscribed period
    uniq, first = np.unique(key, return_index=True)
    last_of_line = pd.Series(order[first], index=uniq // span).groupby(level=0).last()
    out = [UnusedLine(line=str(pseudonyms[i]), entity=contract.entities[inv.entity[i]],
                      profile=contract.profiles[inv.profile[i]], months=int(best[i]),
                      monthly_cost=float(bills.amount[last_of_line.loc[i]])) for i in hit]
    out.sort(key=lambda u: (-u.months, u.line))
    return tuple(out)
