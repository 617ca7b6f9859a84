"""The contract folder (docs/invoice-audit.md): ``contract.yaml`` naming the tender folder and
the awarded bid, the mappings of the operator's invoice exports and of the buyer's line
inventory; `read_contract` validates it against the tender into one frozen `Contract`.

contract.yaml is strict (an unknown key is an error naming it), the blocks of the
service-level contract (`SERVICE_LEVEL_KEYS`: ``service_levels``, ``tickets_file``,
``ports_file``, ``actions``; docs/service-levels.md) included: they are validated here
(`ServiceLevelsSpec`, `TicketsFileSpec`, `PortsFileSpec`) and measured by
`monitoring.service_levels`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, ValidationError, field_validator, model_validator

from scoring.cost import cost_bid
from scoring.errors import Problem, TenderError
from scoring.fleet import fleet_of
from scoring.inputs import pydantic_problems, strip_nulls
from scoring.load import build_tender, load_tender, read_files
from scoring.model import Bid, Tender
from scoring.model_base import FieldError, Id, Strict
from scoring.pricing import Plans, plans_of, volume_discount
from scoring.quote import quote
from scoring.switching import is_challenger
from scoring.usage_spec import one_character_delimiter, text_encoding, unit_factor
from scoring.yamlio import read_yaml_mapping

from .memory import MemoryFolder

CHARGES = ("subscription", "usage", "pool_overage", "account_fee", "activation", "sim_card", "setup", "device",
           "credit", "sla_credit", "other")
INVOICE_ROLES = ("invoice", "date", "period", "line", "charge", "component", "plan", "quantity", "amount")
INVOICE_REQUIRED = ("invoice", "date", "period", "line", "charge", "amount")
INVENTORY_ROLES = ("line", "entity", "profile", "activated", "terminated")
INVENTORY_REQUIRED = ("line", "entity", "profile")
SERVICE_LEVEL_KEYS = ("service_levels", "tickets_file", "ports_file", "actions")
_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})")


def period_ordinal(text: str) -> int | None:
    """The month ordinal (months since 1970-01, as Period[M]) of ``YYYY-MM``; None if not one."""
    match = _PERIOD.fullmatch(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        return None
    return (int(match[1]) - 1970) * 12 + int(match[2]) - 1


def period_text(ordinal: int) -> str:
    year, month = divmod(int(ordinal), 12)
    return f"{1970 + year:04d}-{month + 1:02d}"


def _columns(columns: dict[str, str], roles: tuple[str, ...], required: tuple[str, ...]) -> dict[str, str]:
    for role in required:
        if role not in columns:
            raise FieldError(role, f"the {quote(role)} column must be mapped")
    seen: dict[str, str] = {}
    for role, header in columns.items():
        if role not in roles:
            raise FieldError(role, f"{quote(role)} is not a role; use {', '.join(roles)}")
        if not isinstance(header, str) or not header.strip():
            raise FieldError(role, "must name a column header")
        if header.strip() in seen:
            raise FieldError(role, f"column {quote(header)} is already mapped to {quote(seen[header.strip()])}")
        seen[header.strip()] = role
    return columns


class FileFormat(Strict):
    """How a CSV is written (as a billing export's ``usage_file``)."""

    delimiter: str | None = None
    decimal: Literal[".", ","] = "."
    encoding: str = "utf-8"

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, delimiter: str | None) -> str | None:
        return one_character_delimiter(delimiter)

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, encoding: str) -> str:
        return text_encoding(encoding)

    @model_validator(mode="after")
    def _marks(self) -> FileFormat:
        if self.delimiter is not None and self.delimiter == self.decimal:
            raise FieldError("delimiter", f"the delimiter cannot also be the decimal mark {quote(self.decimal)}")
        return self


class InvoiceFileSpec(FileFormat):
    columns: dict[str, str]
    charges: dict[str, Literal[CHARGES]] = {}  # type: ignore[valid-type]
    plans: dict[str, Id] = {}
    components: dict[str, Id] = {}
    units: dict[Id, str] = {}

    @field_validator("columns")
    @classmethod
    def _roles(cls, columns: dict[str, str]) -> dict[str, str]:
        return _columns(columns, INVOICE_ROLES, INVOICE_REQUIRED)

    @model_validator(mode="after")
    def _units(self) -> InvoiceFileSpec:
        for component, unit in self.units.items():
            try:
                unit_factor(component, unit)
            except ValueError as exc:
                raise FieldError(f"units.{component}", str(exc)) from None
        return self

    def factor(self, component: str) -> float:
        unit = self.units.get(component)
        return 1.0 if unit is None else unit_factor(component, unit)


class InventoryFileSpec(FileFormat):
    columns: dict[str, str]

    @field_validator("columns")
    @classmethod
    def _roles(cls, columns: dict[str, str]) -> dict[str, str]:
        return _columns(columns, INVENTORY_ROLES, INVENTORY_REQUIRED)


# --------------------------------------------------------------------------- service levels
# The blocks of the service-level contract (docs/service-levels.md), validated here; the
# checks that need the bid or the logs (a commitment's value, a mapped column a KPI needs)
# are in monitoring.service_levels.

TICKET_ROLES = ("id", "type", "entity", "line", "opened", "answered", "resolved")
TICKET_REQUIRED = ("opened",)
PORT_ROLES = ("line", "rio", "requested", "ported", "status", "reason")
PORT_REQUIRED = ("requested", "status")
KPI_SOURCE = {"answer_minutes": "tickets", "resolution_working_days": "tickets", "porting_working_days": "ports",
              "porting_success": "ports", "billing_accuracy": "audit"}
# roles a KPI's `filter` may name: text columns (not times, dates or phone numbers)
FILTER_ROLES = {"tickets": ("id", "type", "entity"), "ports": ("rio", "status", "reason")}
_Ratio = Annotated[float, Field(ge=0, le=1e9, strict=False, allow_inf_nan=False)]


class LogFileSpec(FileFormat):
    """A ticket or port log: its path in the contract folder and its column mapping."""

    path: str = Field(min_length=1, strict=True)
    columns: dict[str, str]

    @field_validator("path")
    @classmethod
    def _path(cls, path: str) -> str:
        if not path.lower().endswith((".csv", ".xlsx")) or path.startswith("/") or ".." in path.split("/"):
            raise ValueError(f"must be a .csv or .xlsx file inside the contract folder, got {quote(path)}")
        return path


class TicketsFileSpec(LogFileSpec):
    @field_validator("columns")
    @classmethod
    def _roles(cls, columns: dict[str, str]) -> dict[str, str]:
        return _columns(columns, TICKET_ROLES, TICKET_REQUIRED)


class PortsFileSpec(LogFileSpec):
    @field_validator("columns")
    @classmethod
    def _roles(cls, columns: dict[str, str]) -> dict[str, str]:
        return _columns(columns, PORT_ROLES, PORT_REQUIRED)


class CreditTier(Strict):
    miss: _Ratio
    percent: Annotated[float, Field(ge=0, le=100, strict=False, allow_inf_nan=False)]


class KpiSpec(Strict):
    """One KPI of ``service_levels.kpis``."""

    id: Id
    name: str | None = Field(default=None, strict=True)
    source: Literal["tickets", "ports", "audit"]
    measure: Literal[tuple(KPI_SOURCE)]  # type: ignore[valid-type]
    filter: dict[str, Annotated[str, Field(strict=True)]] = {}
    statistic: Literal["mean", "p90", "p95", "max", "share_within"]
    within: Annotated[float, Field(ge=0, le=1e9, strict=False, allow_inf_nan=False)] | None = None
    commitment: str | None = Field(default=None, min_length=1, strict=True)
    target: Annotated[float, Field(ge=0, le=1e9, strict=False, allow_inf_nan=False)] | None = None
    better: Literal["lower", "higher"]
    credit: list[CreditTier] = []

    @model_validator(mode="after")
    def _consistent(self) -> KpiSpec:
        if KPI_SOURCE[self.measure] != self.source:
            raise FieldError("measure", f"{quote(self.measure)} is measured on source "
                             f"{quote(KPI_SOURCE[self.measure])}, not {quote(self.source)}")
        if self.measure in ("porting_success", "billing_accuracy") and self.statistic != "mean":
            raise FieldError("statistic", f"{quote(self.measure)} takes the statistic `mean`")
        if (self.statistic == "share_within") != (self.within is not None):
            raise FieldError("within", "share_within needs `within` (in the measure's unit)"
                             if self.within is None else "`within` is for the statistic share_within only")
        if self.statistic == "share_within" and self.target is not None and self.target > 1:
            raise FieldError("target", f"a share_within target is a share between 0 and 1, got {self.target:g}")
        if self.target is None and self.commitment is None:
            raise FieldError("target", "give a `target` or the bid's `commitment` (a dotted path such as "
                             "service.support_answer_minutes)")
        allowed = FILTER_ROLES.get(self.source, ())
        for role in self.filter:
            if role not in allowed:
                raise FieldError(f"filter.{role}", f"a {self.source} KPI filters on "
                                 f"{', '.join(allowed) if allowed else 'nothing'}, not {quote(role)}")
        for i in range(1, len(self.credit)):
            if self.credit[i].miss <= self.credit[i - 1].miss:
                raise FieldError(f"credit.{i}.miss", "credit tiers go by increasing miss")
        return self


class ServiceLevelsSpec(Strict):
    """``service_levels`` of contract.yaml."""

    calendar: str = Field(strict=True)
    period: Literal["month", "quarter"]
    credit_cap_percent: Annotated[float, Field(ge=0, le=100, strict=False, allow_inf_nan=False)] | None = None
    kpis: list[KpiSpec] = Field(min_length=1)

    @field_validator("calendar")
    @classmethod
    def _calendar(cls, calendar: str) -> str:
        from .workdays import supported

        if not supported(calendar):
            raise ValueError(f"{quote(calendar)} is not a country code of the holidays package (such as FR)")
        return calendar

    @field_validator("kpis")
    @classmethod
    def _ids(cls, kpis: list[KpiSpec]) -> list[KpiSpec]:
        seen = set()
        for i, kpi in enumerate(kpis):
            if kpi.id in seen:
                raise FieldError(f"{i}.id", f"KPI {quote(kpi.id)} is defined twice")
            seen.add(kpi.id)
        return kpis


class ContractFile(Strict):
    """contract.yaml."""

    tender: str = Field(min_length=1, strict=True)
    bid: Id
    start: str
    volume_discount_percent: Annotated[float, Field(ge=0, le=100, strict=False, allow_inf_nan=False)] | None = None
    plans: dict[Id, Id] = {}
    invoice_file: InvoiceFileSpec
    inventory_file: InventoryFileSpec
    unused_months: Annotated[int, Field(ge=1, le=120, strict=True)] = 3
    tolerance: Annotated[float, Field(ge=0, le=1e6, strict=False, allow_inf_nan=False)] = 0.01
    # The service-level contract's blocks (docs/service-levels.md): validated here, measured
    # by monitoring.service_levels.
    service_levels: ServiceLevelsSpec | None = None
    tickets_file: TicketsFileSpec | None = None
    ports_file: PortsFileSpec | None = None
    actions: str | None = Field(default=None, min_length=1, strict=True)

    @field_validator("start")
    @classmethod
    def _start(cls, start: str) -> str:
        if period_ordinal(start) is None:
            raise ValueError(f"must be a month written YYYY-MM, got {quote(start)}")
        return start.strip()


@dataclass(frozen=True)
class Contract:
    """A contract folder validated against its tender: the awarded bid's prices, the plan of
    each profile, the volume discount, and what the readers need."""

    folder: Path | MemoryFolder  # on disk, or an upload's files (monitoring.memory)
    shown: str  # the folder as errors name it
    spec: ContractFile
    tender: Tender
    bid: Bid
    start: int  # month ordinal of contract month 1
    components: tuple[str, ...]  # usage components the invoice may name (the tender's, then the bid's)
    plans: Plans  # the bid's plans over ``components`` (scoring.pricing)
    pooled: np.ndarray  # (C,) bool
    pool_rate: np.ndarray  # (C,)
    profile_plan: dict[str, str]  # profile id → plan id
    discount: float  # share off subscriptions
    challenger: bool  # the awarded bid is not the incumbent's

    @property
    def entities(self) -> list[str]:
        return [e.id for e in self.tender.spec.entities]

    @property
    def profiles(self) -> list[str]:
        return [p.id for p in self.tender.spec.profiles]

    def file(self, name: str) -> str:
        return f"{self.shown}/{name}"


def read_contract(folder: str | Path | MemoryFolder) -> Contract:
    """Read ``folder/contract.yaml`` and its tender; raise TenderError naming file and field.
    An upload (a `MemoryFolder`) must hold its tender: the path may not leave the folder."""
    root = folder if isinstance(folder, MemoryFolder) else Path(folder)
    shown = str(folder).rstrip("/")
    if not root.is_dir():
        raise TenderError.at(shown, "(folder)", "not a folder (a contract folder holds contract.yaml, "
                             "inventory.csv and invoices/)")
    path, yaml_shown = root / "contract.yaml", f"{shown}/contract.yaml"
    if not path.is_file():
        raise TenderError.at(yaml_shown, "(file)", "file is missing")
    data = strip_nulls(read_yaml_mapping(path, yaml_shown))
    try:
        spec = ContractFile.model_validate(data)
    except ValidationError as exc:
        raise TenderError(pydantic_problems(exc, yaml_shown)) from None
    tender_dir = (root / spec.tender)
    if isinstance(root, MemoryFolder) and (not tender_dir.inside or ":" in spec.tender.split("/")[0]):
        raise TenderError.at(yaml_shown, "tender", f"must be a folder inside the uploaded contract folder, such as "
                             f"tender/, got {quote(spec.tender)}")
    if not tender_dir.is_dir():
        raise TenderError.at(yaml_shown, "tender", f"{quote(spec.tender)} is not a tender folder (relative to "
                             "contract.yaml)")
    tender = (build_tender(read_files(str(tender_dir), tender_dir.below())) if isinstance(tender_dir, MemoryFolder)
              else load_tender(tender_dir))
    ids = [b.id for b in tender.bids]
    if spec.bid not in ids:
        raise TenderError.at(yaml_shown, "bid", f"{quote(spec.bid)} is not a bid of the tender; bids: {', '.join(ids)}")
    bid = tender.bid(spec.bid)
    fleet = fleet_of(tender)
    profile_ids = [p.id for p in tender.spec.profiles]
    plan_ids = [p.id for p in bid.spec.plans]
    problems = []
    for profile, plan in spec.plans.items():
        if profile not in profile_ids:
            problems.append(Problem(yaml_shown, f"plans.{profile}", f"{quote(profile)} is not a profile of the "
                                    f"tender; profiles: {', '.join(profile_ids)}"))
        elif plan not in plan_ids:
            problems.append(Problem(yaml_shown, f"plans.{profile}", f"{quote(plan)} is not a plan of bid "
                                    f"{quote(bid.id)}; plans: {', '.join(plan_ids)}"))
    extra = [c for plan in bid.spec.plans for c in (*plan.allowances, *plan.rates)] + list(bid.spec.pool)
    components = tuple(dict.fromkeys([*fleet.components, *extra]))
    for component in spec.invoice_file.units:
        if component not in components:
            problems.append(Problem(yaml_shown, f"invoice_file.units.{component}", f"{quote(component)} is not a "
                                    f"usage component of the tender; components: {', '.join(components)}"))
    if problems:
        raise TenderError(problems)
    assignment = dict(spec.plans)
    if any(p not in assignment for p in profile_ids):
        costs = cost_bid(tender, fleet, bid)  # the tender evaluation's plan mix of this bid
        if costs.plan_assignment is None:
            raise TenderError.at(yaml_shown, "plans", f"bid {quote(bid.id)} could not be costed "
                                 f"({'; '.join(costs.knockouts)}): give each profile's plan in `plans`")
        assignment = {p: assignment.get(p, costs.plan_assignment[p]) for p in profile_ids}
    discount = (spec.volume_discount_percent / 100.0 if spec.volume_discount_percent is not None
                else volume_discount(bid, float(fleet.lines0.sum())))
    return Contract(
        folder=root, shown=shown, spec=spec, tender=tender, bid=bid, start=period_ordinal(spec.start),
        components=components, plans=plans_of(bid, components),
        pooled=np.array([c in bid.spec.pool for c in components], bool),
        pool_rate=np.array([bid.spec.pool[c].overage_rate if c in bid.spec.pool else 0.0 for c in components]),
        profile_plan=assignment, discount=discount, challenger=is_challenger(tender, bid),
    )
