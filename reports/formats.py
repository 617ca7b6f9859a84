"""Number formats of the app, the PDF and the charts, in English and French.

English ``€1,234,567`` and ``12%``, French ``1 234 567 €`` and ``12 %`` (narrow no-break
space U+202F between thousands and before ``%``, no-break space U+00A0 before the currency).
Negative numbers carry the true minus sign U+2212; a missing value (None or NaN) shows as an
em dash. `french` sets French typography in running text (the PDF's).

Grouping in the tender's locale (tender.yaml's optional ``locale``, docs/tender-format.md §9):
inside `amounts_locale(locale)` the digits of every number, amount and percent — group
separator, group sizes and decimal mark — are the locale's, as Babel's CLDR data give them
(``en-IN`` 1,96,00,00,000; ``fr-FR`` 1 960 000 000 with narrow no-break spaces; ``de-DE``
1.960.000.000,5), while the currency's place and the percent sign stay the page language's.
Without a locale (the default) every output is as before, byte for byte. The app, the command
line and the PDF set it from the tender; the workbook keeps numbers, which Excel groups in the
reader's own regional settings.
"""

from __future__ import annotations

import contextvars
import math
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache

LANGS = ("en", "fr")

NNBSP = "\u202f"  # narrow no-break space: French thousands separator, before % and :
NBSP = "\u00a0"  # no-break space: before a currency
MINUS = "\u2212"
MISSING = "—"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


# The tender's locale for digits (None: the page language's, as before); per thread and task, so
# the app's sessions (one script thread each) never see another's.
_LOCALE: contextvars.ContextVar[str | None] = contextvars.ContextVar("fleetbid_amounts_locale", default=None)


@contextmanager
def amounts_locale(locale: str | None) -> Iterator[None]:
    """Numbers formatted inside the block group their digits in ``locale`` (a tender's
    ``locale``, such as ``en-IN``; None: the page language's separators, as without it)."""
    token = _LOCALE.set(locale)
    try:
        yield
    finally:
        _LOCALE.reset(token)


def set_amounts_locale(locale: str | None) -> None:
    """`amounts_locale` for the rest of the current thread's run (the app sets it from the
    tender in use at the start of every page)."""
    _LOCALE.set(locale)


def current_locale() -> str | None:
    return _LOCALE.get()


@lru_cache(maxsize=64)
def _babel_pattern(locale: str, decimals: int):
    """(Babel Locale, the locale's decimal pattern with exactly ``decimals`` fraction digits)."""
    from babel import Locale  # imported here: only a tender with a locale needs Babel

    loc = Locale.parse(locale, sep="-")
    integer = loc.decimal_formats[None].pattern.split(";")[0].split(".")[0]
    return loc, integer + ("." + "0" * decimals if decimals > 0 else "")


def grouped(text: str, locale: str) -> str:
    """A non-negative number written by Python (``1234567.50``: digits, an optional ``.``)
    in ``locale``'s digits: its group separator and sizes and its decimal mark (Babel). The
    number is not rounded again: ``text`` already has the decimals wanted."""
    from babel.numbers import format_decimal

    decimals = len(text.split(".")[1]) if "." in text else 0
    loc, pattern = _babel_pattern(locale, decimals)
    return format_decimal(Decimal(text), format=pattern, locale=loc)


def _digits(x: float, lang: str, decimals: int) -> tuple[str, str]:
    """(sign, absolute value with the language's separators, or the tender locale's)."""
    text = f"{abs(x):,.{decimals}f}"
    # No "−0" for a value that rounds to zero.
    sign = MINUS if x < 0 and float(text.replace(",", "")) != 0 else ""
    if lang not in LANGS:
        raise KeyError(lang)
    locale = _LOCALE.get()
    if locale is not None:
        return sign, grouped(text.replace(",", ""), locale)
    if lang == "fr":
        text = text.replace(",", NNBSP).replace(".", ",")
    elif lang != "en":
        raise KeyError(lang)
    return sign, text


def number(x, lang: str, decimals: int = 0) -> str:
    """``1,234.5`` / ``1 234,5``; None or NaN → "—"."""
    if _missing(x):
        return MISSING
    sign, text = _digits(float(x), lang, decimals)
    return sign + text


def money(x, lang: str, currency: str = "EUR", decimals: int = 0) -> str:
    """``€1,234,567`` / ``1 234 567 €``; another currency: ``1,234 USD`` / ``1 234 USD``."""
    if _missing(x):
        return MISSING
    sign, text = _digits(float(x), lang, decimals)
    if lang == "en":
        return f"{sign}€{text}" if currency == "EUR" else f"{sign}{text} {currency}"
    return f"{sign}{text}{NBSP}{'€' if currency == 'EUR' else currency}"


def percent(x, lang: str, decimals: int = 0) -> str:
    """A share 0..1 as ``12%`` / ``12 %``."""
    if _missing(x):
        return MISSING
    sign, text = _digits(100.0 * float(x), lang, decimals)
    return f"{sign}{text}%" if lang == "en" else f"{sign}{text}{NNBSP}%"


def plotly_separators(lang: str) -> str:
    """``layout.separators`` for the language: decimal mark, then thousands separator — the
    tender locale's inside `amounts_locale` (plotly groups by threes whatever the locale: its
    axes cannot write lakhs; the charts' own labels, written by `money`, do)."""
    seps = {"en": ".,", "fr": "," + NNBSP}[lang]
    locale = _LOCALE.get()
    if locale is None:
        return seps
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(locale.replace("-", "_")) + get_group_symbol(locale.replace("-", "_"))


def french(text: str) -> str:
    """French typography: a no-break space before : ; ! ? and inside « », so a line never
    starts with the punctuation."""
    for mark in (":", ";", "!", "?", "»"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text.replace("« ", f"«{NBSP}")


__all__ = ["LANGS", "MINUS", "MISSING", "NBSP", "NNBSP", "amounts_locale", "current_locale", "french", "grouped",
           "money", "number", "percent", "plotly_separators", "set_amounts_locale"]
