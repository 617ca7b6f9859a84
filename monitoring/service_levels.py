"""Service levels of a contract (docs/service-levels.md): each KPI of contract.yaml's
``service_levels`` measured per period from the buyer's logs (`monitoring.logs`) or the invoice
audit (`monitoring.audit`), against its target (given, or the awarded bid's commitment read
by dotted path with `scoring.criteria.resolve`), the service credits due per the KPI's tiers,
capped per period, and the credits received (the invoices' ``sla_credit`` rows; the invoices
are read once, by the audit, whose `monitoring.audit.InvoiceTotals` give each billing period's
subscription and sla_credit amounts) — one frozen
`ServiceLevels` (`ServiceLevels.as_json()` is the JSON of ``python -m monitoring sla DIR
--json``).

The measures are computed on arrays over the records (`measure_values`; working days with
`monitoring.workdays`), grouped by period code; loops run over KPIs and periods only.

Readings where the contract is silent (docs/service-levels.md, "Readings"): a KPI is met when
its value is no worse than the target within 1e-9 (relative), so float noise never turns a met
KPI into a miss; the audit KPI of a period whose invoices name no line has no value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.criteria import _MISSING, resolve
from scoring.errors import Problem, TenderError, redact
from scoring.usage_file.line_index import LineIndex
from scoring.usage_file.pseudonyms import pseudonym_key

from .api import ContractFiles, open_contract, summary
from .contract import Contract, KpiSpec, period_ordinal
from .logs import PORT_STATUSES, Action, Ports, Tickets, read_actions, read_ports, read_tickets
from .workdays import working_days_after

NEEDS = {"answer_minutes": "answered", "resolution_working_days": "resolved", "porting_working_days": "ported"}
TOLERANCE = 1e-9  # relative: a value within it of the target meets it
PORTED, REJECTED, LOST, PENDING = (PORT_STATUSES.index(s) for s in ("ported", "rejected", "lost", "pending"))


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class KpiResult:
    """One KPI in one period. ``value`` None: no record (not met, not missed, no credit)."""

    id: str
    name: str
    period: str
    n: int  # records measured (audit: 1)
    open: int  # records still open (not answered / resolved, ports pending)
    value: float | None
    target: float
    met: bool | None
    miss: float | None  # |value − target| / target when missed (target 0: 1), else None
    credit_percent: float  # the tier's percent applied (0: none)
    credit_due: float  # before the period's cap
    measure: str
    statistic: str
    better: str
    within: float | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "period": self.period, "n": self.n, "open": self.open, "value": self.value,
                "target": self.target, "met": self.met, "miss": self.miss, "credit_due": self.credit_due}


@dataclass(frozen=True)
class PeriodCredits:
    """A period's credits: ``base`` = its billing periods' billed subscription amounts."""

    period: str
    base: float
    kpi_credits: float  # Σ the KPIs' credit_due, before the cap
    credit_due: float  # capped
    capped: bool
    credit_received: float  # −Σ sla_credit rows of its billing periods (positive)

    def as_json(self) -> dict[str, Any]:
        return {"base": self.base, "credit_due": self.credit_due, "capped": self.capped,
                "credit_received": self.credit_received}


@dataclass(frozen=True)
class PortingPeriod:
    """Port requests of a period (by request date): the porting funnel."""

    period: str
    requested: int
    ported: int
    rejected: int
    lost: int
    pending: int
    reasons: dict[str, int]  # rejected and lost requests by the log's reason ("" when none given)

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "requested": self.requested, "ported": self.ported, "rejected": self.rejected,
                "lost": self.lost, "pending": self.pending, "reasons": dict(self.reasons)}


@dataclass(frozen=True)
class ServiceLevels:
    """A contract's service levels. Amounts excl. VAT in ``currency``, unrounded."""

    bid: str
    operator: str
    currency: str
    period_kind: str  # month | quarter
    calendar: str
    credit_cap_percent: float | None
    periods: tuple[str, ...]  # in time order
    kpis: tuple[KpiResult, ...]  # KPI by KPI in contract order, each KPI's periods in time order
    by_period: dict[str, PeriodCredits]
    porting: tuple[PortingPeriod, ...]  # one per period; () without a port log
    actions: tuple[Action, ...]  # the action log, open first (monitoring.logs.read_actions)

    def kpi(self, kpi_id: str) -> tuple[KpiResult, ...]:
        """One KPI's results, period by period."""
        return tuple(k for k in self.kpis if k.id == kpi_id)

    def as_json(self) -> dict[str, Any]:
        """The JSON of docs/service-levels.md (a dict of JSON types)."""
        return {"bid": self.bid, "operator": self.operator, "periods": list(self.periods),
                "kpis": [k.as_json() for k in self.kpis],
                "by_period": {p: c.as_json() for p, c in self.by_period.items()}}


# --------------------------------------------------------------------------- periods


def period_codes(days: np.ndarray, kind: str) -> np.ndarray:
    """Month ordinals (months since 1970-01) or quarter ordinals of datetime64[D] dates."""
    months = days.astype("datetime64[M]").astype(np.int64)
    return months if kind == "month" else months // 3


def period_label(code: int, kind: str) -> str:
    if kind == "month":
        year, month = divmod(int(code), 12)
        return f"{1970 + year:04d}-{month + 1:02d}"
    year, quarter = divmod(int(code), 4)
    return f"{1970 + year:04d}Q{quarter + 1}"


def _billing_code(billing_period: str, kind: str) -> int:
    ordinal = period_ordinal(billing_period)
    return ordinal if kind == "month" else ordinal // 3


# --------------------------------------------------------------------------- statistics and credits


def statistic(values: np.ndarray, kpi: KpiSpec) -> float | None:
    """The KPI's statistic of its records' values; None for no record. Percentiles are
    numpy's default (linear); share_within is the share of values ≤ ``within`` (better:
    lower) or ≥ it (higher)."""
    if len(values) == 0:
        return None
    if kpi.statistic == "mean":
        return float(np.mean(values))
    if kpi.statistic == "p90":
        return float(np.percentile(values, 90))
    if kpi.statistic == "p95":
        return float(np.percentile(values, 95))
    if kpi.statistic == "max":
        return float(np.max(values))
    inside = values <= kpi.within if kpi.better == "lower" else values >= kpi.within
    return float(np.mean(inside))


def judge(value: float | None, target: float, kpi: KpiSpec) -> tuple[bool | None, float | None]:
    """(met, miss): met when no worse than the target (a share_within share: ≥ it); miss =
    |value − target| / target when missed (target 0: 1)."""
    if value is None:
        return None, None
    higher = kpi.statistic == "share_within" or kpi.better == "higher"
    slack = TOLERANCE * max(1.0, abs(target))
    met = value >= target - slack if higher else value <= target + slack
    if met:
        return True, None
    return False, 1.0 if target == 0 else abs(value - target) / target


def credit_percent(miss: float | None, kpi: KpiSpec) -> float:
    """The percent of the highest tier whose ``miss`` ≤ the miss (float noise aside, as `judge`:
    3.3 days for a target of 3 misses by 0.10, which floats give as 0.0999…94); 0 when met or
    below every tier."""
    if miss is None:
        return 0.0
    reached = [tier.percent for tier in kpi.credit if tier.miss <= miss + TOLERANCE]
    return reached[-1] if reached else 0.0


def capped_credits(kpi_credits: float, base: float, cap_percent: float | None) -> tuple[float, bool]:
    """A period's credits due and whether the cap (``cap_percent`` of the base) cut them;
    credits equal to the cap but for float noise (3 % + 3 % of a base against a 6 % cap) are
    not cut."""
    if cap_percent is None:
        return kpi_credits, False
    cap = cap_percent * base / 100.0
    return (cap, True) if kpi_credits > cap + TOLERANCE * max(1.0, abs(cap)) else (kpi_credits, False)


# --------------------------------------------------------------------------- measures


@dataclass(frozen=True)
class Measured:
    """A KPI's records: the period code of each, its value (NaN when open) and which are open."""

    code: np.ndarray
    value: np.ndarray
    open: np.ndarray


def _selected(text: dict[str, np.ndarray], n: int, kpi: KpiSpec) -> np.ndarray:
    keep = np.ones(n, bool)
    for role, wanted in kpi.filter.items():
        keep &= text[role] == wanted
    return keep


def measure_values(kpi: KpiSpec, tickets: Tickets | None, ports: Ports | None, kind: str,
                   calendar: str) -> Measured:
    """The per-record measure of a tickets or ports KPI (docs/service-levels.md's table)."""
    if kpi.source == "tickets":
        keep = _selected(tickets.text, len(tickets), kpi)
        code = period_codes(tickets.opened_day, kind)
        if kpi.measure == "answer_minutes":
            value = (tickets.answered_at - tickets.opened_at).astype("timedelta64[s]").astype(np.float64) / 60.0
            value[np.isnat(tickets.answered_at)] = np.nan
        else:  # resolution_working_days
            value = working_days_after(tickets.opened_day, tickets.resolved_day, calendar)
        is_open = np.isnan(value)
        return Measured(code[keep], value[keep], is_open[keep])
    keep = _selected(ports.text, len(ports), kpi)
    code = period_codes(ports.requested, kind)
    if kpi.measure == "porting_working_days":
        keep &= ports.status != REJECTED
        keep &= ports.status != LOST
        value = np.where(ports.status == PORTED, working_days_after(ports.requested, ports.ported, calendar), np.nan)
    else:  # porting_success
        value = np.where(ports.status == PENDING, np.nan, (ports.status == PORTED).astype(np.float64))
    return Measured(code[keep], value[keep], np.isnan(value)[keep])


# --------------------------------------------------------------------------- the whole


def _targets(contract: Contract, shown: str) -> list[float]:
    """Each KPI's target: ``target`` when given, else the awarded bid's commitment."""
    problems, out = [], []
    bid = contract.bid
    for i, kpi in enumerate(contract.spec.service_levels.kpis):
        got = None
        if kpi.commitment is not None:
            v = resolve(bid.raw, kpi.commitment)
            if v is _MISSING or isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
                problems.append(Problem(shown, f"service_levels.kpis.{i}.commitment", (
                    f"bid {bid.id!r} has no number at {kpi.commitment!r}; give the KPI a `target`")))
            else:
                got = float(v)
        target = kpi.target if kpi.target is not None else got
        if target is not None and kpi.statistic == "share_within" and not 0 <= target <= 1:
            problems.append(Problem(shown, f"service_levels.kpis.{i}.commitment", (
                f"a share_within target is a share between 0 and 1; the bid's {kpi.commitment} is {target:g}")))
        out.append(0.0 if target is None else float(target))
    if problems:
        raise TenderError(problems)
    return out


def _check_sources(contract: Contract, shown: str) -> None:
    """Each KPI's source has its log and the columns its measure and filter need."""
    spec = contract.spec
    problems = []
    for i, kpi in enumerate(spec.service_levels.kpis):
        log = {"tickets": spec.tickets_file, "ports": spec.ports_file}.get(kpi.source, False)
        if log is False:
            continue
        if log is None:
            problems.append(Problem(shown, f"service_levels.kpis.{i}.source", (
                f"a {kpi.source} KPI needs the {kpi.source}_file block (the log and its columns)")))
            continue
        role = NEEDS.get(kpi.measure)
        if role is not None and role not in log.columns:
            problems.append(Problem(shown, f"service_levels.kpis.{i}.measure", (
                f"{kpi.measure} needs the {role!r} column mapped in {kpi.source}_file.columns")))
        for role in kpi.filter:
            if role not in log.columns:
                problems.append(Problem(shown, f"service_levels.kpis.{i}.filter.{role}", (
                    f"the {role!r} column is not mapped in {kpi.source}_file.columns")))
    if problems:
        raise TenderError(problems)


def service_levels(files: ContractFiles | str | Path, key: bytes | None = None) -> ServiceLevels:
    """Read a contract folder (on disk or uploaded), audit its invoices and measure its
    service levels; raise TenderError naming file and field (row and column in the logs).
    ``key``: the pseudonymisation key (default: the user's)."""
    files = files if isinstance(files, ContractFiles) else ContractFiles.of_folder(files)
    key = key if key is not None else pseudonym_key()
    opened = open_contract(files, key)
    contract, result = opened.contract, opened.audit
    shown = contract.file("contract.yaml")
    spec = contract.spec.service_levels
    if spec is None:
        raise TenderError.at(shown, "service_levels", "the contract has no service_levels block "
                             "(docs/service-levels.md)")
    targets = _targets(contract, shown)
    _check_sources(contract, shown)
    index = LineIndex(key)
    problems: list[Problem] = []
    logs: dict[str, Any] = {}
    for name, reader, block in (("tickets", read_tickets, contract.spec.tickets_file),
                                ("ports", read_ports, contract.spec.ports_file)):
        if block is None:
            continue
        try:
            logs[name] = reader(contract, index)
        except TenderError as exc:
            problems += exc.problems
    if problems:
        raise TenderError(problems)
    index.forget()
    actions = read_actions(contract)
    kind = spec.period

    codes = sorted({_billing_code(p, kind) for p in result.periods})
    labels = [period_label(c, kind) for c in codes]
    totals = result.totals  # each billing month's (or quarter's) amounts, summed by the audit
    subscriptions, sla_credits = ((totals.subscriptions, totals.sla_credits) if kind == "month" else
                                  (totals.quarter_subscriptions, totals.quarter_sla_credits))
    keyed = (lambda c: period_label(c, kind)) if kind == "month" else (lambda c: c)
    base = {c: subscriptions[keyed(c)] for c in codes}
    received = {c: -sla_credits[keyed(c)] + 0.0 for c in codes}
    accuracy = summary(opened).accuracy  # each billing period's line-periods and those with a finding
    acc_code = np.array([_billing_code(p, kind) for p in accuracy["period"]], np.int64)

    kpis: list[KpiResult] = []
    for kpi, target in zip(spec.kpis, targets):
        measured = None if kpi.source == "audit" else measure_values(
            kpi, logs.get("tickets"), logs.get("ports"), kind, spec.calendar)
        for c, label in zip(codes, labels):
            if measured is None:
                here = acc_code == c
                line_periods = int(accuracy["line_periods"].to_numpy()[here].sum())
                bad = int(accuracy["with_finding"].to_numpy()[here].sum())
                n, n_open = (1, 0) if line_periods else (0, 0)
                value = 1.0 - bad / line_periods if line_periods else None
            else:
                here = measured.code == c
                closed = here & ~measured.open
                n, n_open = int(closed.sum()), int((here & measured.open).sum())
                value = statistic(measured.value[closed], kpi)
            met, miss = judge(value, target, kpi)
            percent = credit_percent(miss, kpi)
            kpis.append(KpiResult(
                id=kpi.id, name=kpi.name or kpi.id, period=label, n=n, open=n_open, value=value, target=target,
                met=met, miss=miss, credit_percent=percent, credit_due=percent * base[c] / 100.0,
                measure=kpi.measure, statistic=kpi.statistic, better=kpi.better, within=kpi.within))

    by_period = {}
    for c, label in zip(codes, labels):
        total = math.fsum(k.credit_due for k in kpis if k.period == label)
        due, capped = capped_credits(total, base[c], spec.credit_cap_percent)
        by_period[label] = PeriodCredits(period=label, base=base[c], kpi_credits=total, credit_due=due,
                                         capped=capped, credit_received=received[c])
    porting = _porting(logs.get("ports"), codes, labels, kind)
    return ServiceLevels(
        bid=result.bid, operator=result.operator, currency=result.currency, period_kind=kind,
        calendar=spec.calendar, credit_cap_percent=spec.credit_cap_percent, periods=tuple(labels),
        kpis=tuple(kpis), by_period=by_period, porting=porting, actions=actions)


def _porting(ports: Ports | None, codes: list[int], labels: list[str], kind: str) -> tuple[PortingPeriod, ...]:
    if ports is None:
        return ()
    code = period_codes(ports.requested, kind)
    reason = ports.text.get("reason", np.full(len(ports), None, object))
    out = []
    for c, label in zip(codes, labels):
        here = code == c
        count = np.bincount(ports.status[here], minlength=len(PORT_STATUSES))
        failed = here & ((ports.status == REJECTED) | (ports.status == LOST))
        counts = pd.Series(reason[failed], dtype=object).fillna("").value_counts()  # per distinct reason
        reasons: dict[str, int] = {}
        for text, times in counts.items():
            shown = redact(str(text))  # free text: no phone number leaves
            reasons[shown] = reasons.get(shown, 0) + int(times)
        out.append(PortingPeriod(period=label, requested=int(here.sum()), ported=int(count[PORTED]),
                                 rejected=int(count[REJECTED]), lost=int(count[LOST]), pending=int(count[PENDING]),
                                 reasons=dict(sorted(reasons.items()))))
    return tuple(out)


__all__ = ["KpiResult", "Measured", "PeriodCredits", "PortingPeriod", "ServiceLevels", "capped_credits",
           "credit_percent", "judge", "measure_values", "period_codes", "period_label", "service_levels",
           "statistic"]
