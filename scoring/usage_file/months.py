"""The month of a row: the forms an export writes it in (`month_ordinal`), as Period[M]
ordinals, and the range an export may cover (`MAX_MONTHS`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import numpy as np

from ..limits import env_limit

MAX_MONTHS = env_limit("FLEETBID_MAX_EXPORT_MONTHS", 120)  # a wider range is almost surely a mistyped month


_MONTH_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})"),
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[ T]00:00(?::00)?)?"),
    re.compile(r"(?P<m>\d{1,2})/(?P<y>\d{4})"),
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})"),
)


NO_MONTH = np.iinfo(np.int64).min


def month_ordinal(text: Any) -> int | None:
    """The Period[M] ordinal of ``2026-01``, ``2026-01-15``, ``01/2026`` or ``202601``; None if not one."""
    if isinstance(text, dt.date):
        return (text.year - 1970) * 12 + text.month - 1
    text = str(text).strip()
    for form in _MONTH_FORMS:
        match = form.fullmatch(text)
        if match:
            year, month = int(match["y"]), int(match["m"])
            if not 1 <= month <= 12:
                return None
            if match.groupdict().get("d") is not None:
                try:
                    dt.date(year, month, int(match["d"]))
                except ValueError:
                    return None
            return (year - 1970) * 12 + month - 1
    return None


def month_text(ordinal: int) -> str:
    year, month = divmod(int(ordinal), 12)
    return f"{1970 + year:04d}-{month + 1:02d}"
