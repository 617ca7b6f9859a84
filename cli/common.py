"""What both command lines share: plain-text number formats, aligned columns, and how a
command ends (one line per problem on stderr, exit 2; a closed pipe ends quietly)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from reports.formats import current_locale, grouped


def money(x: float | None) -> str:
    """Whole currency units; an amount that rounds to zero shows as 0, never -0. Grouped in
    the tender's locale when the command set one (reports.formats.amounts_locale)."""
    if x is None:
        return "—"
    locale = current_locale()
    if locale is None:
        return f"{round(x) + 0:,}"
    return ("-" if round(x) < 0 else "") + grouped(str(abs(round(x))), locale)


def points(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def aligned(rows: list[list[str]], right: set[int]) -> list[str]:
    """Rows as lines of columns two spaces apart, each column as wide as its widest cell;
    the columns in ``right`` aligned right (numbers), the others left."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip()
            for r in rows]


def made_parent(path: Path | None) -> Path | None:
    """``path`` once its folder exists (``--out out/report.pdf`` makes ``out/``)."""
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path


def print_problems(problems: Iterable[object]) -> int:
    """Each problem on its own ``error:`` line on stderr; the exit status of bad input (2)."""
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return 2


def emit(text: str) -> int:
    """Print the command's output; `… | head` closing the pipe is not an error."""
    try:
        print(text)
    except BrokenPipeError:  # nothing left to say
        sys.stderr.close()
    return 0
