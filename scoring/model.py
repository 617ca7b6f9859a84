"""The tender as validated data (pydantic v2, frozen, unknown fields forbidden).

These classes mirror the files of the tender format (docs/tender-format.md) one to one:
`TenderFile` is tender.yaml, `BidFile` a bid, and the evaluators' scores stay a plain
mapping checked in `load.py`. Money is in the tender's currency excluding VAT; usage is per
line per month. Rules that need more than one file (unknown ids, weights) live in `load.py`.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import Field, PlainValidator, TypeAdapter, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .award_spec import AwardSpec, BidAward, award_problems, tender_award_check
from .formulas import basis_names, formula_names, one_of
from .model_base import (  # noqa: F401 (scoring.model is the one import path of the model)
    ID_PATTERN,
    MAX_AMOUNT,
    MAX_LINES,
    MAX_TERM_MONTHS,
    Allowance,
    Date,
    FieldError,
    Flag,
    Growth,
    Id,
    LineCount,
    Money,
    Number,
    Offer,
    Percent,
    Positive,
    Share,
    Strict,
    Text,
)
from .quote import quote
from .usage_spec import (  # noqa: F401 (scoring.model is the one import path of the model)
    DATA_UNITS,
    REQUIRED_ROLES,
    ROLES,
    VOICE_UNITS,
    ProfileRule,
    Range,
    UsageFileSpec,
    component_kind,
    unit_factor,
)

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

    @model_validator(mode="before")
    @classmethod
    def _a_mapping(cls, value: Any) -> Any:
        """``profiles: [std]`` is not the format: each profile is a mapping, ``{id: std}``."""
        if isinstance(value, str):
            raise ValueError(f"write a profile as a mapping, {{id: {quote(value)[1:-1]}}}, not a bare id "
                             "(given by id only, it takes its lines and usage from the billing export)")
        return value

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
    # Omitted (or empty): taken from the billing export's profile column (scoring.load).
    profiles: list[Profile] = []
    switching: Switching | None = None
    evaluation: Evaluation
    uncertainty: Uncertainty | None = None
    service_costs: ServiceCosts | None = None
    usage_file: UsageFileSpec | None = None
    # v1.1: tax the buyer cannot recover, on every operator charge (0..100)
    non_recoverable_tax_percent: Percent = 0.0
    # An extension: amounts grouped in this locale (BCP 47, e.g. en-IN); none: the page language's.
    locale: Annotated[str, Field(strict=True)] | None = None
    award: AwardSpec | None = None  # the award split across operators (scoring.award_spec)

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        """A language and region Babel's CLDR data know, written ``en-IN`` (reports.formats)."""
        if value is None:
            return value
        if not re.fullmatch(r"[a-z]{2,3}-(?:[A-Z]{2}|[0-9]{3})", value):
            raise ValueError(f"must be a language and region such as en-IN, fr-FR or de-DE, got {quote(value)}")
        from babel import Locale, UnknownLocaleError  # imported here: only a tender with a locale needs Babel

        try:
            Locale.parse(value, sep="-")
        except (UnknownLocaleError, ValueError):
            raise ValueError(f"unknown locale {quote(value)} (a language and region such as en-IN, fr-FR, de-DE)") from None
        return value

    @model_validator(mode="after")
    def _award_fits(self) -> TenderFile:
        tender_award_check(self)
        return self


# --------------------------------------------------------------------------- bids/<id>.yaml


class BlockRate(Strict):
    """A block rate (contract v1.1): ``price`` per started block of ``block`` units beyond the
    allowance (an ``x / block`` within 1e-9 of an integer counts as that integer)."""

    block: Positive
    price: Money


def _rate(value: Any) -> float | BlockRate:
    """A per-unit rate (a number ≥ 0) or a block rate ``{block, price}`` (v1.1)."""
    if isinstance(value, dict):
        return BlockRate.model_validate(value)
    return _MONEY.validate_python(value)


_MONEY = TypeAdapter(Money)
Rate = Annotated[float | BlockRate, PlainValidator(_rate)]


class Plan(Strict):
    id: Id
    name: Text | None = None
    monthly_fee: Money
    allowances: dict[Id, Allowance] = {}
    rates: dict[Id, Rate] = {}
    # v1.1: per line per month, the component's charge is at most the cap (ex-tax, indexed like its rate)
    caps: dict[Id, Money] = {}


class PoolComponent(Strict):
    overage_rate: Money


class Fees(Strict):
    setup: Money = 0.0
    per_line_activation: Money = 0.0
    sim_card: Money = 0.0
    account_monthly: Money = 0.0
    per_line_monthly: Money = 0.0  # v1.1: per line per month (regulatory or admin surcharge)
    minimum_monthly_spend: Money = 0.0  # v1.1: the operator bills at least this much recurring charges a month


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
    award: BidAward | None = None  # award split: min_lines (scoring.award_spec)

    @model_validator(mode="after")
    def _caps_fit_rates(self) -> BidFile:
        """A cap (v1.1) limits a per-unit rate's charge per line: not on a pooled component, a
        block rate or a component without a rate."""
        for j, plan in enumerate(self.plans):
            for component in plan.caps:
                field, rate = f"plans.{j}.caps.{component}", plan.rates.get(component)
                if component in self.pool:
                    raise FieldError(field, f"component {quote(component)} is pooled (`pool`): its overage is "
                                     "billed by the pool, a per-line cap cannot apply")
                if rate is None:
                    raise FieldError(field, f"component {quote(component)} has no rate in this plan: a cap limits "
                                     f"a per-unit rate's charge (give `rates.{component}` or remove the cap)")
                if isinstance(rate, BlockRate):
                    raise FieldError(field, f"component {quote(component)} has a block rate: a cap applies to a "
                                     "per-unit rate only")
        return self

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

    @model_validator(mode="after")
    def _award_across_files(self) -> Tender:
        """The award block's ids and the bids' award blocks (scoring.award_spec): a
        `TenderError` naming file and field, as scoring.load's checks across files."""
        problems = award_problems(self.spec, self.bids, f"{self.folder}/tender.yaml")
        if problems:
            from .errors import TenderError  # a TenderError passes through pydantic as it is

            raise TenderError(problems)
        return self

    @property
    def name(self) -> str:
        return self.spec.name or self.folder.rstrip("/").rsplit("/", 1)[-1]

    def bid(self, bid_id: str) -> Bid:
        for bid in self.bids:
            if bid.id == bid_id:
                return bid
        raise KeyError(bid_id)
