"""Number formats of the app, the PDF and the charts, in English and French.

English ``€1,234,567`` and ``12%``, French ``1 234 567 €`` and ``12 %`` (narrow no-break
space U+202F between thousands and before ``%``, no-break space U+00A0 before the currency).
Negative numbers carry the true minus sign U+2212; a missing value (None or NaN) shows as an
em dash. `french` sets French typography in running text (the PDF's).
"""

from __future__ import annotations

import math

LANGS = ("en", "fr")

NNBSP = "\u202f"  # narrow no-break space: French thousands separator, before % and :
NBSP = "\u00a0"  # no-break space: before a currency
MINUS = "\u2212"
MISSING = "—"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _digits(x: float, lang: str, decimals: int) -> tuple[str, str]:
    """(sign, absolute value with the language's separators)."""
    text = f"{abs(x):,.{decimals}f}"
    # No "−0" for a value that rounds to zero.
    sign = MINUS if x < 0 and float(text.replace(",", "")) != 0 else ""
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
    """``layout.separators`` for the language: decimal mark, then thousands separator."""
    return {"en": ".,", "fr": "," + NNBSP}[lang]


def french(text: str) -> str:
    """French typography: a no-break space before : ; ! ? and inside « », so a line never
    starts with the punctuation."""
    for mark in (":", ";", "!", "?", "»"):
        text = text.replace(f" {mark}", f"{NBSP}{mark}")
    return text.replace("« ", f"«{NBSP}")


__all__ = ["LANGS", "MINUS", "MISSING", "NBSP", "NNBSP", "french", "money", "number", "percent", "plotly_separators"]
