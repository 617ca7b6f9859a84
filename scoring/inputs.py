"""What every reader of an input file shares, below them all (YAML bids and tenders in
`scoring.load`, Excel bids in `scoring.excel`, scenarios in `scenarios.overlay`):
``null`` means absent (`strip_nulls`), a pydantic error becomes a `Problem` naming the file
and the dotted field path (`pydantic_problems`), and no text may carry a control character
(`control_characters`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import ValidationError

from .errors import Problem
from .model import FieldError
from .quote import CONTROL, CONTROL_IN_TEXT, control_name, printable, quote


def strip_nulls(value: Any) -> Any:
    """`null` means absent: drop mapping entries whose value is None, at every depth."""
    if isinstance(value, dict):
        return {k: strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [strip_nulls(v) for v in value]
    return value


def _field(loc: tuple[Any, ...]) -> str:
    # pydantic marks a bad mapping key with a trailing "[key]"; the key itself already
    # ends the path, and the message says it is the key that is wrong.
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
    # A path holds the file's own keys: shown with control characters escaped, and bounded.
    return printable(".".join(str(part) for part in loc)) or "(top level)"


def _message(err: dict[str, Any]) -> str:
    msg = str(err["msg"])
    if err["type"] == "string_pattern_mismatch":
        what = "key" if err["loc"] and err["loc"][-1] == "[key]" else "id"
        return f"{what} {quote(err.get('input'))} is not a valid id: use lowercase [a-z0-9_-]+"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
    kind = err["type"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/tender-format.md)"
    if kind == "missing":
        return "required field is missing"
    if kind == "invalid_key":
        return f"key {quote(err.get('input'))} must be text; put it in quotes"
    value = err.get("input")
    if kind.endswith("_type") or kind.startswith(("greater", "less", "finite", "string_pattern", "literal")):
        if not isinstance(value, (dict, list)):
            msg = f"{msg} (got {quote(value)})"
    if kind == "string_type" and isinstance(value, (int, float, dt.date)):
        # YAML reads `operator: 3` or `name: 2027` as a number: the fix is quoting.
        msg += "; put text that looks like a number or date in quotes"
    return msg


def _loc(err: dict[str, Any]) -> tuple[Any, ...]:
    """The error's path, down to the field a block-level check pinned it to (FieldError)."""
    loc = tuple(err["loc"])
    cause = (err.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        loc += tuple(cause.field.split("."))
    return loc


def pydantic_problems(exc: ValidationError, file: str, prefix: tuple[Any, ...] = ()) -> list[Problem]:
    return [Problem(file, _field(prefix + _loc(e)), _message(e)) for e in exc.errors()]


MAX_CONTROL_PROBLEMS = 10  # per file; then one line says how many more


def control_characters(data: Any, file: str) -> list[Problem]:
    """A problem for every text or key of a parsed file that holds a control character (C0
    but tab, line feed and carriage return in text; DEL; C1 — ESC and CSI start the terminal
    sequences that recolour a line or erase the one above it). Such text would reach the
    terminal, the app and the reports as it is; no field of the format needs one."""
    problems: list[Problem] = []
    found = 0
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, value in reversed(list(node.items())):
                at = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and (m := CONTROL.search(key)):
                    found += 1
                    if found <= MAX_CONTROL_PROBLEMS:
                        problems.append(Problem(file, printable(at), f"control character {control_name(m.group())} "
                                                                     "in a key: remove it"))
                stack.append((value, at))
        elif isinstance(node, (list, tuple)):
            stack.extend((item, f"{path}.{i}" if path else str(i)) for i, item in reversed(list(enumerate(node))))
        elif isinstance(node, str) and (m := CONTROL_IN_TEXT.search(node)):
            found += 1
            if found <= MAX_CONTROL_PROBLEMS:
                problems.append(Problem(file, printable(path) or "(top level)",
                                        f"control character {control_name(m.group())} in the text: remove it "
                                        "(it could change what a terminal or a report shows)"))
    if found > MAX_CONTROL_PROBLEMS:
        problems.append(Problem(file, "(file)", f"… and {found - MAX_CONTROL_PROBLEMS:,} more texts with control "
                                                "characters"))
    return problems
