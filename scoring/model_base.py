"""The building blocks of the tender model: strict pydantic types (ids, money, shares…),
the bounds that keep every amount computable to the cent, `FieldError`, and `Strict`, the
frozen, closed base of every block. `scoring.model` and `scoring.usage_spec` build on them."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainValidator

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
