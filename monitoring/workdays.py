"""Working days (docs/service-levels.md): Monday to Friday minus a country's public holidays,
from the maintained `holidays` package (``FR``: its national French list), never a
hand-written list.

`working_days_after(start, end, calendar)` counts, for each pair, the working days ``d``
with ``start < d ≤ end`` (a ticket resolved the day it was opened: 0) with one vectorised
`numpy.busday_count` over a `numpy.busdaycalendar` holding the holidays of every year the
dates span — no Python loop over records.
"""

from __future__ import annotations

from functools import lru_cache

import holidays
import numpy as np

WEEKMASK = "1111100"  # Monday to Friday


@lru_cache(maxsize=8)
def supported(calendar: str) -> bool:
    """Whether the `holidays` package knows this country code (``FR``…)."""
    return calendar in holidays.list_supported_countries()


@lru_cache(maxsize=32)
def holiday_array(calendar: str, first_year: int, last_year: int) -> np.ndarray:
    """The public holidays of ``calendar`` from ``first_year`` to ``last_year``, as sorted
    datetime64[D] (the national list: no subdivision)."""
    days = holidays.country_holidays(calendar, years=range(first_year, last_year + 1))
    return np.array(sorted(days.keys()), dtype="datetime64[D]")


def business_calendar(calendar: str, days: np.ndarray) -> np.busdaycalendar:
    """A numpy business-day calendar covering every date of ``days`` (datetime64[D], NaT
    ignored), one year of margin on each side."""
    valid = days[~np.isnat(days)]
    if len(valid):
        years = valid.astype("datetime64[Y]").astype(np.int64) + 1970
        first, last = int(years.min()) - 1, int(years.max()) + 1
    else:
        first = last = 2000
    return np.busdaycalendar(weekmask=WEEKMASK, holidays=holiday_array(calendar, first, last))


def working_days_after(start: np.ndarray, end: np.ndarray, calendar: str) -> np.ndarray:
    """Working days ``d`` with ``start < d ≤ end``, per pair (datetime64[D] arrays of one
    shape); float64, NaN where either date is NaT. ``end`` before ``start`` gives a negative
    count (the readers refuse such records before)."""
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    out = np.full(start.shape, np.nan)
    ok = ~(np.isnat(start) | np.isnat(end))
    if ok.any():
        cal = business_calendar(calendar, np.concatenate([start[ok], end[ok]]))
        one = np.timedelta64(1, "D")
        out[ok] = np.busday_count(start[ok] + one, end[ok] + one, busdaycal=cal)
    return out


__all__ = ["WEEKMASK", "business_calendar", "holiday_array", "supported", "working_days_after"]
