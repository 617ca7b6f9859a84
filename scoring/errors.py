"""Errors raised for bad tender input.

Every defect is a `Problem` naming the file, the field path inside it (dotted, list
indices as numbers: ``plans.0.monthly_fee``) and what is wrong. A `TenderError` carries
one or more problems, so a user sees every defect of a file at once.

No phone number in a message. Every `Problem`'s field and message go through `redact` when
the problem is made — the one place, whatever built the message (tender and bid YAML, Excel
bids, billing exports, scenarios) — so a value quoted in an error never shows a phone
number, on stderr or in the app's error table. The file name is not redacted: it is the
user's own path, and names such as ``export-20260115123000.csv`` must stay recognisable.

One line, bounded. Then every control character of the file, field and message (C0 — tab
and line feed included —, DEL, C1) is escaped (``\x1b``), so ``error: FILE: FIELD: MESSAGE``
stays one line and cannot move the terminal's cursor, and each is cut to `MAX_FILE`,
`MAX_FIELD` and `MAX_MESSAGE` characters then "…" — after the redaction, so a number is
never cut before it is hidden. Modules quote input values bounded already
(`scoring.quote`); this is the net under every message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .quote import escape_controls

WHOLE_FILE = "(file)"  # the field of a problem with a whole file (missing, unreadable, too large)

# --------------------------------------------------------------------------- redaction
#
# The rule. A *run* is digits separated by at most 3 separator characters each, with a
# leading ``+``. A separator is any character but a letter, a digit, ``,``, ``;``, ``:``, a
# line break or "…" — spaces of every kind (U+00A0 no-break, U+202F narrow no-break, U+2009
# thin…), ``.``, ``-``, dashes (– —), ``/``, ``_``, ``(``, ``)``, quotes… — or an escape that
# ``repr`` writes for one (``\xa0``, ``\u202f``, ``\t``). A run is replaced by "…" when it
# holds 9 digits or more: French numbers have 10 (9 without the leading 0, as a spreadsheet
# stores them), international ones more (``+33 6 12 34 56 78``, ``0033612345678``,
# ``+33 (0)6 12 34 56 78``). Kept, so messages stay readable:
# - runs of up to 8 digits: dates (``2027-02-30``), months, amounts up to 99,999,999 however
#   they are written (``2 150 325``, ``1.234.567``), row numbers, years;
# - a decimal number (``2150325.47``, ``99.99999998696148``): only the digits before its
#   point count; and ``,`` ends a run, which keeps ``1,234,567,890`` and lists readable;
# - a round number, one digit then zeros (``1000000000000``, the limits messages quote):
#   it names nobody;
# - a pseudonym, ``L-`` + 16 hex digits (its digits are not a number).
# A value cut short by "…" (`scoring.quote` bounds what a message quotes) may end inside a
# number: a run next to a "…" (or separated from it by separators only) is replaced from 6
# digits. What this costs: an amount of 9 digits or more written with separators and no
# decimal point (``123 456 789``) shows as "…"; Fleetbid's own messages write amounts with
# ``,`` or a decimal point.

_ESCAPE = r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[tnr])"
_SEPARATOR = rf"(?:{_ESCAPE}|[^\w,;:\r\n\u2026]|_)"
_RUN = rf"\+?\d(?:{_SEPARATOR}{{0,3}}\d)*"  # with a leading +, which goes with the number
_REDACT = re.compile(rf"(?P<pseudonym>L-[0-9a-f]{{16}})(?![0-9a-fA-F])|(?P<run>{_RUN})")
_ESCAPES = re.compile(_ESCAPE)
_CUT_AFTER = re.compile(rf"{_SEPARATOR}{{0,3}}\u2026")  # "…" right after a run, or after separators
_CUT_BEFORE = re.compile(rf"\u2026{_SEPARATOR}{{0,3}}$")
_NOT_DIGIT = re.compile(r"\D")
_DECIMAL = re.compile(r"(\d+)\.\d+")
_ROUND = re.compile(r"[1-9]0*")
PHONE_DIGITS = 9  # digits in a run from which it is taken for a phone number
CUT_DIGITS = 6  # the same for a run touching "…" (a value cut short)
ELLIPSIS = "…"


def _is_phone(match: re.Match, text: str) -> bool:
    run = match["run"]
    decimal = _DECIMAL.fullmatch(run.lstrip("+"))
    digits = decimal.group(1) if decimal else _NOT_DIGIT.sub("", _ESCAPES.sub(" ", run))
    start, end = match.span()
    cut = _CUT_AFTER.match(text, end) is not None or _CUT_BEFORE.search(text, max(0, start - 40), start) is not None
    if len(digits) < (CUT_DIGITS if cut else PHONE_DIGITS):
        return False
    return not _ROUND.fullmatch(digits)


def redact(text: str) -> str:
    """``text`` with every run of digits that may be a phone number replaced by "…" (the
    rule is above). Idempotent; text without 6 digits in a row of runs is returned as is."""
    if not isinstance(text, str) or sum(c.isdigit() for c in text) < CUT_DIGITS:
        return text
    return _REDACT.sub(lambda m: m[0] if m["pseudonym"] or not _is_phone(m, text) else ELLIPSIS, text)


def has_phone_number(text: str) -> bool:
    """Whether `redact` would hide something in ``text``."""
    return redact(text) != text


# --------------------------------------------------------------------------- one line, bounded

MAX_FILE = 300  # characters of a problem's file, field and message, then "…"
MAX_FIELD = 200
MAX_MESSAGE = 1000


def _one_line(text: str, limit: int, hide: bool) -> str:
    """``text`` with control characters escaped, phone numbers hidden when ``hide``, and at
    most ``limit`` characters. Idempotent, as a problem made again from its own parts must
    be the same."""
    text = escape_controls(text)  # C0 (tab and line feed too: one line a problem), DEL, C1
    if hide:
        text = redact(text)
    if len(text) > limit:
        text = text[: limit - 1] + ELLIPSIS
        if hide:  # digits the cut left next to the "…"
            text = redact(text)
    return text


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    file: str
    field: str
    message: str

    def __post_init__(self) -> None:
        field = self.field or WHOLE_FILE  # every problem names a field: every line reads FILE: FIELD: MESSAGE
        for name, value, limit, hide in (("file", self.file, MAX_FILE, False), ("field", field, MAX_FIELD, True),
                                         ("message", self.message, MAX_MESSAGE, True)):
            if isinstance(value, str):
                object.__setattr__(self, name, _one_line(value, limit, hide))

    def __str__(self) -> str:
        return f"{self.file}: {self.field}: {self.message}"


class TenderError(Exception):
    """Bad input: one or more problems, each naming file and field."""

    def __init__(self, problems: Problem | list[Problem]):
        self.problems: list[Problem] = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, file: str, field: str, message: str) -> TenderError:
        return cls(Problem(file, field, message))
