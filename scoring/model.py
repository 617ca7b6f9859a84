"""The tender as validated data (pydantic v2, frozen, unknown fields forbidden).

These classes mirror the files of the tender format (docs/tender-format.md) one to one:
`TenderFile` is tender.yaml, `BidFile` a bid, and the evaluators' scores stay a plain
mapping checked in `load.py`. Money is in the tender's currency excluding VAT; usage is per
line per month. Rules that need more than one file (unknown ids, weights) live in `load.py`.
"""

from __future__ import annotations

import codecs
import datetime as dt
import math
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .formulas import basis_names, formula_names, one_of
from .quote import quote

ID_PATTERN = r"^[a-z0-9_-]+$"
MAX_TERM_MONTHS = 1200

Id = Annotated[str, Field(pattern=ID_PATTERN, strict=True)]
Text = Annotated[str, Field(strict=True)]
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
# Upper bounds keep every amount computable to the cent in float64 (docs/reliability.md):
# no fee, price or usage above 10^12, no more than 10^7 lines in one profile and entity.
MAX_AMOUNT = 1e12
MAX_LINES = 1e7
Money = Annotated[float, Field(ge=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)]
LineCount = Annotated[float, Field(ge=0, le=MAX_LINES, strict=True, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, strict=True, allow_inf_nan=False)]
Growth = Annotated[float, Field(ge=-1, strict=True, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, strict=True, allow_inf_nan=False)]
Percent = Annotated[float, Field(ge=0, le=100, strict=True, allow_inf_nan=False)]
Flag = Annotated[bool, Field(strict=True)]


class FieldError(ValueError):
    """A check on a whole block that is about one field in it: ``field`` (dotted, relative
    to the block) is appended to the error's path, so the user is sent to the line to fix."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _allowance(value: Any) -> float | str:
    """A number ≥ 0, or exactly `unlimited` (one clear message instead of a union's two)."""
    if value == "unlimited" and isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number ≥ 0 or `unlimited`, got {quote(value)}")
    if not (0 <= value < float("inf")):
        raise ValueError(f"must be a number ≥ 0 or `unlimited`, got {quote(value)}")
    return float(value)


def _offer(value: Any) -> str | tuple[str, ...]:
    """A plan id, or a list of plan ids (the best mix is used)."""
    if not isinstance(value, list):
        if not isinstance(value, str) or not re.fullmatch(ID_PATTERN[1:-1], value):
            raise ValueError(f"must be a plan id or a list of plan ids, got {quote(value)}")
        return value
    for i, plan_id in enumerate(value):
        if not isinstance(plan_id, str) or not re.fullmatch(ID_PATTERN[1:-1], plan_id):
            raise FieldError(str(i), f"must be a plan id, got {quote(plan_id)}")
        if plan_id in value[:i]:
            raise FieldError(str(i), f"plan {quote(plan_id)} is listed twice")
    return tuple(value)


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date(value: Any) -> dt.date:
    """A calendar date written YYYY-MM-DD, quoted or not. YAML reads the unquoted form as a
    date already; anything else (a timestamp with a time, a number pydantic would take for
    seconds since 1970, 15/01/2027) is refused rather than guessed."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{quote(value)} is not a calendar date") from None
    # A date and time as ISO 8601 (`2026-12-31T18:00:00`): written with a space, its digits would
    # run together like a phone number's and be hidden (scoring.errors.redact).
    shown = value.isoformat() if isinstance(value, dt.datetime) else quote(value)
    raise ValueError(f"must be a date written YYYY-MM-DD, got {shown}")


Allowance = Annotated[float | str, PlainValidator(_allowance)]
Offer = Annotated[str | tuple[str, ...], PlainValidator(_offer)]
Date = Annotated[dt.date, PlainValidator(_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- tender.yaml


class Entity(Strict):
    id: Id
    name: Text | None = None


class Device(Strict):
    tier: Id
    refresh_months: Positive


class UsageDistribution(Strict):
    """Usage spread across a profile's lines (an extension of the format): costs are then
    expected values over the distribution, see docs/what-if.md."""

    mean: Money
    cv: Money = 0.0  # coefficient of variation: standard deviation / mean
    dist: Literal["lognormal", "gamma"] = "lognormal"


def _usage(value: Any) -> float | UsageDistribution:
    """A number ≥ 0 per line per month, or ``{mean, cv, dist}`` (one clear message each)."""
    if isinstance(value, dict):
        return UsageDistribution.model_validate(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"must be a number ≥ 0 or {{mean, cv, dist}}, got {quote(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {quote(value)}")
    if value < 0:
        raise ValueError(f"must be a number ≥ 0, got {_shown_number(value)}")
    try:
        return float(value)
    except OverflowError:  # an integer of 309 digits or more
        raise ValueError(f"must be a finite number, got {_shown_number(value)}") from None


def _shown_number(value: int | float) -> str:
    """``repr(value)``, or the size of an integer too long to show (repr refuses over 4300
    digits, and a 400-digit number is no help in a message)."""
    if isinstance(value, int) and abs(value) >= 10**30:
        digits = int(math.log10(abs(value))) + 1
        digits -= 10 ** (digits - 1) > abs(value)  # log10 rounds 99…9 up to the next power
        return f"an integer of {digits} digits"
    return repr(value)


Usage = Annotated[float | UsageDistribution, PlainValidator(_usage)]


def usage_mean(value: float | UsageDistribution) -> float:
    return value.mean if isinstance(value, UsageDistribution) else value


class Profile(Strict):
    id: Id
    name: Text | None = None
    # Required unless tender.yaml has a usage_file (checked by scoring.load): then they come
    # from the export when absent (always, with evaluate_on: lines).
    lines: dict[Id, LineCount] | None = None
    line_growth: Growth = 0.0
    usage: dict[Id, Usage] | None = None
    usage_growth: dict[Id, Growth] = {}
    device: Device | None = None

    @model_validator(mode="after")
    def _growth_components_are_used(self) -> Profile:
        for component in self.usage_growth:
            if self.usage is not None and component not in self.usage:
                raise FieldError(
                    f"usage_growth.{component}",
                    f"component {quote(component)} is not a key of this profile's usage",
                )
        return self


class Switching(Strict):
    project_eur: Money = 0.0
    per_line_eur: Money = 0.0
    current_monthly_eur: Money = 0.0
    parallel_months: Money = 0.0
    incumbent_exit_fee_eur: Money = 0.0
    port_share: Share = 1.0
    porting_failure_rate: Share = 0.0
    lost_number_eur: Money = 0.0


class Bounds(Strict):
    best: Money
    worst: Money

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if not self.best < self.worst:
            raise ValueError(f"best ({self.best:g}) must be below worst ({self.worst:g})")
        return self


def _registered(names):
    """A validator accepting one of ``names()`` (read at validation time, so a formula
    registered in `scoring.formulas` is accepted), refusing anything else as a Literal does."""

    def check(value: Any) -> str:
        known = names()
        if not isinstance(value, str) or value not in known:
            raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": one_of(known)})
        return value

    return PlainValidator(check)


class Price(Strict):
    weight: Money
    basis: Annotated[str, _registered(basis_names)] = "tco"  # scoring.formulas.BASES
    formula: Annotated[str, _registered(formula_names)] = "ratio"  # the scoring.formulas registry
    reference: Literal["compliant", "all"] = "compliant"
    bounds: Bounds | None = None


# Ids the evaluation uses for itself beside the criteria' own: the price points are keyed
# `price` among the criteria in the points, the points lost and the explanations
# (scoring.explain.PRICE), the sensitivity's weights (scenarios.sensitivity) and the What-if
# page's sliders (`w_price` beside `w_<criterion id>`). A criterion of that id would merge its
# points with the price's and crash the What-if page (a duplicate widget key).
RESERVED_CRITERION_IDS = ("price",)


class Criterion(Strict):
    id: Id
    name: Text | None = None
    weight: Money
    from_: Text = Field(alias="from")
    better: Literal["lower", "higher"] | None = None
    best: Number | None = None
    worst: Number | None = None
    limit: Number | None = None
    required: Flag = False
    scale: Positive | None = None

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value in RESERVED_CRITERION_IDS:
            raise ValueError(f"the id {quote(value)} is reserved for the price points: give this criterion another "
                             "id (such as price_review)")
        return value

    @property
    def kind(self) -> Literal["evaluators", "numeric", "yes_no"]:
        if self.from_ == "evaluators":
            return "evaluators"
        return "numeric" if self.best is not None or self.worst is not None else "yes_no"

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> Criterion:
        kind = self.kind
        if kind == "evaluators":
            if self.scale is None:
                raise FieldError("scale", "an evaluator criterion needs `scale` (scores run 0..scale)")
            for name in ("best", "worst", "better"):
                if getattr(self, name) is not None:
                    raise FieldError(name, f"`{name}` does not apply to an evaluator criterion")
            if self.limit is not None:
                raise FieldError("limit", "`limit` applies to numeric criteria only")
            return self
        if self.scale is not None:
            raise FieldError("scale", "`scale` applies to evaluator criteria only (from: evaluators)")
        if kind == "yes_no":
            if self.better is not None:
                raise FieldError("better", "`better` needs `best` and `worst`")
            if self.limit is not None:
                raise FieldError("limit", "`limit` applies to numeric criteria only (give `best` and `worst`)")
            return self
        if self.best is None or self.worst is None:
            missing = "best" if self.best is None else "worst"
            raise FieldError(missing, "a numeric criterion needs both `best` and `worst`")
        if self.best == self.worst:
            raise FieldError("worst", f"`best` and `worst` must differ (both are {self.best:g})")
        direction = "higher" if self.best > self.worst else "lower"
        if self.better is not None and self.better != direction:
            raise FieldError(
                "better", f"`better: {self.better}` contradicts best {self.best:g} / worst {self.worst:g}"
            )
        return self

    @property
    def higher_is_better(self) -> bool:
        return self.best is not None and self.worst is not None and self.best > self.worst


class Evaluation(Strict):
    method: Literal["weighted_sum", "topsis"] = "weighted_sum"
    abnormally_low: Share | None = None
    price: Price
    criteria: list[Criterion] = []


class Multiplier(Strict):
    """A random multiplier for Monte Carlo, centred on 1: ``lognormal`` (mean 1, ``cv``),
    ``triangular`` (``low``, mode 1, ``high``) or ``uniform`` (``low``..``high``)."""

    dist: Literal["lognormal", "triangular", "uniform"]
    cv: Money | None = None
    low: Money | None = None
    high: Money | None = None

    @model_validator(mode="after")
    def _fits(self) -> Multiplier:
        if self.dist == "lognormal":
            if self.cv is None:
                raise FieldError("cv", "a lognormal multiplier needs `cv`")
            if self.low is not None or self.high is not None:
                raise FieldError("low", "`low`/`high` apply to triangular and uniform multipliers")
            return self
        if self.cv is not None:
            raise FieldError("cv", "`cv` applies to lognormal multipliers only")
        if self.low is None or self.high is None:
            raise FieldError("low" if self.low is None else "high", f"a {self.dist} multiplier needs `low` and `high`")
        if not self.low <= 1 <= self.high:
            # Multipliers move today's assumption up or down: the range must contain it.
            raise FieldError("low", f"a {self.dist} multiplier must contain 1: need low ≤ 1 ≤ high, "
                                    f"got {self.low:g}..{self.high:g}")
        return self


class WeightUncertainty(Strict):
    """Weights drawn from a Dirichlet centred on the stated weights; a larger concentration
    keeps them closer (100 → each weight's sd ≈ √(w(1−w)/101))."""

    concentration: Positive


SwitchingField = Literal["project_eur", "per_line_eur", "current_monthly_eur", "parallel_months",
                         "incumbent_exit_fee_eur", "port_share", "porting_failure_rate", "lost_number_eur"]


class Uncertainty(Strict):
    usage: dict[Annotated[str, Field(pattern=r"^([a-z0-9_-]+|\*)$", strict=True)], Multiplier] = {}
    lines: Multiplier | None = None
    switching: dict[SwitchingField, Multiplier] = {}
    weights: WeightUncertainty | None = None


class ServiceCosts(Strict):
    """What poor service costs the buyer (an extension of the format; see docs/what-if.md):
    support calls waited out and working hours lost while a SIM or handset is replaced."""

    support_calls_per_line_year: Money = 2.0
    support_minutes_from: Text = "service.support_answer_minutes"
    incidents_per_line_year: Money = 0.15
    replacement_days_from: Text = "service.sim_replacement_days"
    lost_hours_per_day: Money = 2.0
    loaded_hourly_cost_eur: Money = 37.3


# --------------------------------------------------------------------------- usage_file (billing export)
# The block of tender.yaml naming the incumbent's billing export; read by scoring.usage_file,
# costed line by line by scoring.lines. See docs/billing-exports.md.

ROLES = ("line", "entity", "profile", "month")
REQUIRED_ROLES = ("line", "entity", "month")
DATA_UNITS = {"KB": 1e-6, "MB": 1e-3, "GB": 1.0, "TB": 1e3}  # to GB, decimal (operators' billing units)
VOICE_UNITS = {"s": 1 / 60, "min": 1.0, "h": 60.0}  # to minutes
_ID = re.compile(ID_PATTERN)


def component_kind(component: str) -> Literal["data", "voice", "other"]:
    """The kind of a usage component, from its id's unit suffix (``data_gb``, ``voice_min``)."""
    if component.endswith("_gb") or component == "gb":
        return "data"
    if component.endswith("_min") or component == "min":
        return "voice"
    return "other"


def unit_factor(component: str, unit: str) -> float:
    """The factor turning ``unit`` into the format's unit for ``component``; ValueError if unsupported."""
    kind = component_kind(component)
    table = {"data": DATA_UNITS, "voice": VOICE_UNITS}.get(kind)
    if table is None:
        raise ValueError(f"{quote(component)} has no unit to convert (only *_gb data and *_min voice components do)")
    if unit not in table:
        what = "data in GB" if kind == "data" else "voice in minutes"
        raise ValueError(f"unit {quote(unit)} is not supported for {what}; use one of {', '.join(table)}")
    return table[unit]


class Range(Strict):
    """``min`` ≤ value < ``max`` (either bound optional)."""

    min: Money | None = None
    max: Money | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.min is not None and self.max is not None and not self.min < self.max:
            raise ValueError(f"min ({self.min:g}) must be below max ({self.max:g})")
        return self


class ProfileRule(Strict):
    """Puts a line in ``profile`` when its mean monthly usage over the export fits every
    range of ``when`` (a rule without ``when`` takes every line left)."""

    profile: Id
    when: dict[Id, Range] = {}


class UsageFileSpec(Strict):
    """The ``usage_file`` block of tender.yaml."""

    path: str = Field(min_length=1, strict=True)
    columns: dict[str, str]
    units: dict[str, str] = {}
    delimiter: str | None = None  # sniffed from the header line (, ; tab |) when not given
    decimal: Literal[".", ","] = "."
    encoding: str = "utf-8"  # a UTF-8 byte-order mark is accepted
    # Without a profile column: the first rule a line fits gives its profile (scoring.lines).
    profile_rules: list[ProfileRule] = []
    # `lines`: every line costed on its own usage (scoring.lines); `profiles`: the profiles'
    # published lines and usage are the basis, the export is evidence shown beside them.
    evaluate_on: Literal["lines", "profiles"] = "lines"
    usage_scale: dict[str, Money] = {}  # multiplier on the lines' usage, per component or "*"
    lines_scale: Annotated[float, Field(gt=0, le=MAX_AMOUNT, strict=True, allow_inf_nan=False)] = 1.0  # × lines

    @field_validator("columns")
    @classmethod
    def _columns(cls, columns: dict[str, str]) -> dict[str, str]:
        for role in REQUIRED_ROLES:
            if role not in columns:
                raise FieldError(role, f"the {quote(role)} column must be mapped")
        seen: dict[str, str] = {}
        for role, header in columns.items():
            if role not in ROLES and not _ID.fullmatch(role):
                raise FieldError(
                    role, f"{quote(role)} is neither a role ({', '.join(ROLES)}) nor a component id [a-z0-9_-]+"
                )
            if not isinstance(header, str) or not header.strip():
                raise FieldError(role, "must name a column header")
            if header.strip() in seen:
                raise FieldError(role, f"column {quote(header)} is already mapped to {quote(seen[header.strip()])}")
            seen[header.strip()] = role
        if not any(role not in ROLES for role in columns):
            raise ValueError("map at least one usage component column (e.g. data_gb)")
        return columns

    @field_validator("path")
    @classmethod
    def _inside_the_folder(cls, path: str) -> str:
        parts = path.replace("\\", "/").split("/")
        if path.startswith(("/", "\\")) or ":" in parts[0] or ".." in parts:
            raise ValueError(f"must be a path inside the tender folder, such as usage.csv, got {quote(path)}")
        return path

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, encoding: str) -> str:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {quote(encoding)}") from None
        try:  # rot13, base64, hex… are codecs but not text encodings: bytes.decode refuses them
            b",\n".decode(encoding)  # (an empty string would not do: CPython skips the codec)
        except LookupError:
            raise ValueError(f"{quote(encoding)} is not a text encoding (such as utf-8, latin-1, cp1252)") from None
        except (UnicodeError, ValueError):  # a text encoding, just not for these two bytes
            pass
        return encoding

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, delimiter: str | None) -> str | None:
        if delimiter is not None and (len(delimiter) != 1 or delimiter in "\r\n\"'"):
            raise ValueError(f"must be one character such as , ; or a tab, got {quote(delimiter)}")
        return delimiter

    @model_validator(mode="after")
    def _units_and_decimal(self) -> UsageFileSpec:
        for component, unit in self.units.items():
            if component not in self.components:
                raise FieldError(f"units.{component}", f"{quote(component)} is not a usage component mapped in columns")
            try:
                unit_factor(component, unit)
            except ValueError as exc:
                raise FieldError(f"units.{component}", str(exc)) from None
        for i, rule in enumerate(self.profile_rules):
            for component in rule.when:
                if component not in self.components:
                    raise FieldError(f"profile_rules.{i}.when.{component}",
                                     f"{quote(component)} is not a usage component mapped in columns")
        for component in self.usage_scale:
            if component != "*" and component not in self.components:
                raise FieldError(f"usage_scale.{component}", f"{quote(component)} is not a usage component mapped in columns")
        if self.profile_rules and "profile" in self.columns:
            raise FieldError("profile_rules", "give a profile column or profile rules, not both")
        if self.delimiter is not None and self.delimiter == self.decimal:
            raise FieldError("delimiter", f"the delimiter cannot also be the decimal mark {quote(self.decimal)}")
        return self

    @property
    def components(self) -> list[str]:
        return [role for role in self.columns if role not in ROLES]

    def usage_factor(self, component: str) -> float:
        """The ``usage_scale`` multiplier of a component (its own, else ``"*"``, else 1)."""
        return self.usage_scale.get(component, self.usage_scale.get("*", 1.0))

    def factor(self, component: str) -> float:
        unit = self.units.get(component)
        return 1.0 if unit is None else unit_factor(component, unit)



class TenderFile(Strict):
    name: Text | None = None
    buyer: Text | None = None
    currency: Text = "EUR"
    # Capped at a century: the contract sets no maximum, but a term in the billions of
    # months would exhaust memory in the month-by-month simulation instead of failing cleanly.
    term_months: Annotated[int, Field(gt=0, le=MAX_TERM_MONTHS, strict=True)]
    discount_rate: Annotated[float, Field(gt=-1, strict=True, allow_inf_nan=False)] | None = None
    incumbent: Id | None = None
    award_date: Date | None = None
    entities: list[Entity]
    profiles: list[Profile]
    switching: Switching | None = None
    evaluation: Evaluation
    uncertainty: Uncertainty | None = None
    service_costs: ServiceCosts | None = None
    usage_file: UsageFileSpec | None = None


# --------------------------------------------------------------------------- bids/<id>.yaml


class Plan(Strict):
    id: Id
    name: Text | None = None
    monthly_fee: Money
    allowances: dict[Id, Allowance] = {}
    rates: dict[Id, Money] = {}


class PoolComponent(Strict):
    overage_rate: Money


class Fees(Strict):
    setup: Money = 0.0
    per_line_activation: Money = 0.0
    sim_card: Money = 0.0
    account_monthly: Money = 0.0


class VolumeTier(Strict):
    min_lines: Money
    percent: Percent


class Discounts(Strict):
    volume: list[VolumeTier] = []
    welcome_credit: Money = 0.0


class Devices(Strict):
    prices: dict[Id, Money] = {}
    fund: Money = 0.0


class Portability(Strict):
    fee_per_number: Money = 0.0
    exit_fee_refund: Share = 0.0
    migration_credit: Money = 0.0


class BidFile(Strict):
    operator: Text | None = None
    id: Text | None = None
    valid_until: Date | None = None
    plans: list[Plan] = []
    offer: dict[Text, Offer] = {}
    pool: dict[Id, PoolComponent] = {}
    fees: Fees = Fees()
    discounts: Discounts = Discounts()
    indexation_percent: Annotated[float, Field(gt=-100, le=100, strict=True, allow_inf_nan=False)] = 0.0
    devices: Devices = Devices()
    portability: Portability = Portability()
    service: dict[Text, Any] = {}

    @field_validator("service")
    @classmethod
    def _service_numbers_are_sane(cls, service: dict[str, Any]) -> dict[str, Any]:
        """Commitments are free-form, but a number beyond ±10^12 (or NaN, ∞) is a typo that
        would make scores or the hidden service cost meaningless."""
        def walk(value: Any, path: str) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    walk(item, f"{path}.{key}" if path else str(key))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(item, f"{path}.{i}")
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                if not abs(value) <= MAX_AMOUNT:  # NaN, ±inf and huge ints too (isfinite overflows on those)
                    raise FieldError(path, f"{_shown_number(value)} is not a usable number (finite, at most 10^12 in size)")
        walk(service, "")
        return service


# --------------------------------------------------------------------------- assembled tender


class Bid(Strict):
    """One operator's bid: the validated file, its id in use and the raw mapping that
    criteria read by dotted path."""

    id: Id
    file: str
    spec: BidFile
    raw: dict[str, Any]

    @property
    def operator(self) -> str:
        return self.spec.operator or self.id


class Moderation(Strict):
    """A moderated consensus (consensus.yaml): the panel's agreed score and why. It is used
    instead of the evaluators' mean and never overwrites their raw scores."""

    score: Money
    reason: Annotated[str, Field(strict=True)]

    @model_validator(mode="after")
    def _reason_is_written(self) -> Moderation:
        if not self.reason.strip():
            raise FieldError("reason", "a moderated score needs a written reason")
        return self


class Tender(Strict):
    """A whole tender folder, validated: buyer side, bids (in bid-id order), evaluators'
    scores as ``{evaluator: {bid: {criterion: score}}}``, moderated consensus scores as
    ``{bid: {criterion: Moderation}}`` and load warnings."""

    folder: str
    spec: TenderFile
    bids: tuple[Bid, ...]
    evaluations: dict[str, dict[str, dict[str, float]]] = {}
    moderation: dict[str, dict[str, Moderation]] = {}
    warnings: tuple[str, ...] = ()
    # The parsed files this tender was built from (scoring.load.RawTender), so scenarios can
    # overlay them and validate again; not part of equality.
    source: Any = Field(default=None, exclude=True, repr=False)
    # The billing export's lines (scoring.lines.Lines) when tender.yaml has a usage_file.
    lines: Any = Field(default=None, exclude=True, repr=False)

    @property
    def name(self) -> str:
        return self.spec.name or self.folder.rstrip("/").rsplit("/", 1)[-1]

    def bid(self, bid_id: str) -> Bid:
        for bid in self.bids:
            if bid.id == bid_id:
                return bid
        raise KeyError(bid_id)
