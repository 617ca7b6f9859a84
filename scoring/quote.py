"""Input values as messages show them: bounded and printable.

A message that quotes what the user wrote (`must be a number, got '24 EUR'`) must never
grow with the input: a value can be a list a YAML alias expands to a million entries, or a
five-megabyte string, and its full `repr` once sent 835 MB to stderr. `quote` is Python's
``repr`` for what fits in `MAX_QUOTED` characters, else its first characters and an
ellipsis, built piece by piece so that a huge value costs no more than a small one.
`printable` escapes control characters (an ESC sequence in a file name or a mapping key
would otherwise move the terminal's cursor) and bounds a text shown as it is, such as a
field path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

MAX_QUOTED = 80  # characters of an input value a message quotes, the ellipsis aside
MAX_PRINTED = 200  # characters of a name or path shown as it is (`printable`)
_MAX_NESTING = 20  # deeper levels of a value are shown as "…"

# C0 controls, DEL and C1 controls: ESC (0x1b) and CSI (0x9b) start terminal escape sequences.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# The same, but tab, line feed and carriage return, which text may hold (a multi-line reason).
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def quote(value: Any, limit: int = MAX_QUOTED) -> str:
    """``repr(value)`` when it has at most ``limit`` characters, else its first ``limit``
    characters and "…"; never builds more than about ``limit`` characters of it."""
    out: list[str] = []
    size = 0
    for piece in _pieces(value, 0, limit):
        out.append(piece)
        size += len(piece)
        if size > limit:
            return "".join(out)[:limit] + "…"
    return "".join(out)


def printable(text: Any, limit: int = MAX_PRINTED) -> str:
    """``str(text)`` with every control character escaped (``\\x1b``), at most ``limit``
    characters then "…": for names and paths shown without quotes."""
    text = str(text) if not isinstance(text, str) else text
    shown = escape_controls(text[: limit + 1])
    return shown if len(shown) <= limit and len(text) <= limit else shown[:limit] + "…"


def escape_controls(text: str) -> str:
    """``text`` with every control character (`CONTROL`) written as its escape, ``\\x1b``."""
    return CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def control_name(char: str) -> str:
    """``U+001B (ESC)``: a control character as a message names it."""
    names = {0x1B: "ESC", 0x7F: "DEL", 0x9B: "CSI", 0x00: "NUL", 0x08: "BACKSPACE", 0x07: "BEL"}
    code = ord(char)
    name = names.get(code) or unicodedata.name(char, "")
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def _pieces(value: Any, depth: int, limit: int) -> Iterator[str]:
    if depth > _MAX_NESTING:
        yield "…"
        return
    if isinstance(value, bool) or value is None or isinstance(value, float):
        yield repr(value)
    elif isinstance(value, int):
        yield repr(value) if abs(value) < 10**limit else f"<an integer of {_digits(value):,} digits>"
    elif isinstance(value, str):
        yield repr(value) if len(value) <= limit else repr(value[: limit + 1])[:-1]
    elif isinstance(value, (bytes, bytearray)):
        yield repr(value) if len(value) <= limit else repr(bytes(value[: limit + 1]))[:-1]
    elif isinstance(value, dict):
        yield "{"
        for i, (key, item) in enumerate(value.items()):
            if i:
                yield ", "
            yield from _pieces(key, depth + 1, limit)
            yield ": "
            yield from _pieces(item, depth + 1, limit)
        yield "}"
    elif isinstance(value, (list, tuple, set, frozenset)):
        if isinstance(value, (set, frozenset)) and not value:
            yield f"{type(value).__name__}()"
            return
        opening, closing = {list: "[]", tuple: "()"}.get(type(value), "{}")
        if isinstance(value, frozenset):
            yield "frozenset("
        yield opening
        for i, item in enumerate(value):
            if i:
                yield ", "
            yield from _pieces(item, depth + 1, limit)
        if isinstance(value, tuple) and len(value) == 1:
            yield ","
        yield closing
        if isinstance(value, frozenset):
            yield ")"
    else:  # a date, a datetime: short
        text = repr(value)
        yield text if len(text) <= limit else text[: limit + 1]


def _digits(value: int) -> int:
    """Decimal digits of an integer too long to print (repr refuses over 4,300 digits)."""
    import math

    n = abs(value)
    digits = int(n.bit_length() * math.log10(2)) + 1
    return digits - (10 ** (digits - 1) > n)
