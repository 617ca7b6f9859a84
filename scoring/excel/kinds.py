"""What a cell of each kind may hold, both ways: the Excel data validation the template puts
on an input cell of that kind and the text its message asks for (`RULES`, `RULE_TEXT`), and
how the reader turns a filled cell into the value the bid format wants (`cell_value`).
Adding a kind of input cell touches this module only; which cell has which kind is in
`scoring.excel.schema`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from ..model import ID_PATTERN
from ..quote import quote

MAX_NUMBER = 1e15  # the template's bound on free numbers (its data validation allows ±1E+15)

_ID = re.compile(ID_PATTERN)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Excel data validation of each kind of input cell, and what its error message asks for.
RULES = {
    "money": dict(type="decimal", operator="greaterThanOrEqual", formula1="0"),
    "positive": dict(type="decimal", operator="greaterThan", formula1="0"),
    "share": dict(type="decimal", operator="between", formula1="0", formula2="1"),
    "percent": dict(type="decimal", operator="between", formula1="0", formula2="100"),
    "indexation": dict(type="decimal", operator="between", formula1="-99.999999", formula2="100"),
    "number": dict(type="decimal", operator="between", formula1="-1E+15", formula2="1E+15"),
    "yesno": dict(type="list", formula1='"yes,no"'),
    "date": dict(type="date", operator="greaterThan", formula1="36526"),  # after 2000-01-01
    "id": dict(type="textLength", operator="between", formula1="1", formula2="64"),
    "text": dict(type="textLength", operator="lessThanOrEqual", formula1="200"),
}
RULE_TEXT = {
    "money": "a number ≥ 0",
    "positive": "a number > 0",
    "share": "a number from 0 to 1 (0.5 = half)",
    "percent": "a number from 0 to 100",
    "indexation": "a number above -100 and up to 100",
    "number": "a number",
    "yesno": "yes or no",
    "date": "a date (YYYY-MM-DD)",
    "id": "lowercase letters, digits, _ and - (at most 64)",
    "text": "text (at most 200 characters)",
}


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def cell_value(v: Any, kind: str, what: str) -> Any:
    """One cell value as the bid format wants it; ValueError with the message otherwise."""
    got = f" (got {quote(v)})" if not isinstance(v, (dt.date, dt.datetime)) else f" (got {quote(str(v))[1:-1]})"
    if kind == "money":
        if is_number(v) and v >= 0:
            return v
        raise ValueError(f"{what} must be a number ≥ 0{got}")
    if kind == "positive":
        if is_number(v) and v > 0:
            return v
        raise ValueError(f"{what} must be a number > 0{got}")
    if kind == "share":
        if is_number(v) and 0 <= v <= 1:
            return v
        raise ValueError(f"{what} must be a share from 0 to 1 (0.5 = half){got}")
    if kind == "percent":
        if is_number(v) and 0 <= v <= 100:
            return v
        raise ValueError(f"{what} must be a percentage from 0 to 100{got}")
    if kind == "indexation":
        if is_number(v) and -100 < v <= 100:
            return v
        raise ValueError(f"{what} must be a percentage above -100 and up to 100{got}")
    if kind == "number":
        if is_number(v) and abs(v) <= MAX_NUMBER:
            return v
        if is_number(v):  # what the template's validation refuses too; 1e308 would cost infinity
            raise ValueError(f"{what} must be a number from -1E+15 to 1E+15{got}")
        raise ValueError(f"{what} must be a number{got}")
    if kind == "allowance":
        if isinstance(v, str) and v.strip().lower() == "unlimited":
            return "unlimited"
        if is_number(v) and v >= 0:
            return v
        raise ValueError(f"{what} must be a number ≥ 0 or unlimited{got}")
    if kind == "yesno":
        if isinstance(v, bool):
            return v
        if isinstance(v, str) and v.strip().lower() in ("yes", "no"):
            return v.strip().lower() == "yes"
        raise ValueError(f"{what} must be yes or no{got}")
    if kind == "date":
        if isinstance(v, dt.datetime):
            if v.time() != dt.time():
                raise ValueError(f"{what} must be a date without a time{got}")
            return v.date()
        if isinstance(v, dt.date):
            return v
        if isinstance(v, str) and _ISO_DATE.fullmatch(v.strip()):
            try:
                dt.date.fromisoformat(v.strip())
            except ValueError:
                raise ValueError(f"{what}: {quote(v)} is not a calendar date") from None
            return v.strip()  # kept as text, as a quoted YAML date is
        raise ValueError(f"{what} must be a date (YYYY-MM-DD){got}")
    if kind == "id":
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)  # Excel turns an id like 2027 into a number
        if isinstance(v, str) and _ID.fullmatch(v.strip()):
            return v.strip()
        raise ValueError(f"{what} must be lowercase letters, digits, _ or -{got}")
    if kind == "text":
        if isinstance(v, bool):
            raise ValueError(f"{what} must be text{got}")
        if isinstance(v, (int, float)):
            return f"{v:g}" if isinstance(v, float) else str(v)  # a name typed as a number
        if isinstance(v, str):
            return v
        raise ValueError(f"{what} must be text{got}")
    if kind == "offer":
        if isinstance(v, int) and not isinstance(v, bool):
            v = str(v)
        if not isinstance(v, str):
            raise ValueError(f"{what} must be a plan id or plan ids separated by commas{got}")
        if "," not in v:
            return cell_value(v, "id", "plan id")
        ids = [part.strip() for part in v.split(",") if part.strip()]
        for plan_id in ids:
            cell_value(plan_id, "id", "plan id")
        if len(set(ids)) < len(ids):
            raise ValueError(f"{what}: the same plan is listed twice{got}")
        return ids
    if kind == "any":
        if isinstance(v, dt.datetime) and v.time() == dt.time():
            return v.date()
        return v
    raise AssertionError(kind)


def offer_text(offered: Any) -> Any:
    """An offer cell: one id, or ids joined by commas. A one-plan list keeps a trailing comma
    ("pro20,") and an empty list is "," so that reading it back gives the same list."""
    if isinstance(offered, list):
        return ", ".join(str(x) for x in offered) + ("," if len(offered) < 2 else "")
    return offered
