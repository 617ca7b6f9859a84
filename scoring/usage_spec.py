"""The `usage_file` block of tender.yaml: the incumbent's billing export, its column roles
and units, profile rules, scales. Read by `scoring.usage_file`, costed line by line by
`scoring.lines` (docs/billing-exports.md)."""

from __future__ import annotations

import codecs
import re
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from .model_base import (
    ID_PATTERN,
    MAX_AMOUNT,
    FieldError,
    Id,
    Money,
    Strict,
)
from .quote import quote

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


def text_encoding(encoding: str) -> str:
    """A file's ``encoding`` setting checked (ValueError): a codec that decodes text."""
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


def one_character_delimiter(delimiter: str | None) -> str | None:
    """A CSV ``delimiter`` setting checked (ValueError): one character, not a line break or quote."""
    if delimiter is not None and (len(delimiter) != 1 or delimiter in "\r\n\"'"):
        raise ValueError(f"must be one character such as , ; or a tab, got {quote(delimiter)}")
    return delimiter


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
        return text_encoding(encoding)

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, delimiter: str | None) -> str | None:
        return one_character_delimiter(delimiter)

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
