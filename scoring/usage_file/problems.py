"""How an export's defects are reported: at most `MAX_PROBLEMS` problems then "… and N
more" (`Problems`); a cell quoted in a message with phone numbers hidden (`quoted_cell`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import Problem, TenderError, redact

MAX_PROBLEMS = 50


class Problems:
    """Problems up to a cap; the rest are counted for a final "… and N more"."""

    def __init__(self, shown: str):
        self.shown = shown
        self.items: list[Problem] = []
        self.extra = 0

    def room(self) -> int:
        return MAX_PROBLEMS - len(self.items)

    def add(self, field: str, message: str) -> None:
        if self.room() > 0:
            self.items.append(Problem(self.shown, field, message))
        else:
            self.extra += 1

    def add_rows(self, rows: np.ndarray, column: str, message) -> None:
        """One problem per row; ``message(i)`` is called only for the problems kept."""
        keep = min(len(rows), max(self.room(), 0))
        for i in range(keep):
            self.add(f"row {int(rows[i])}, column {column}", message(i))
        self.extra += len(rows) - keep

    def raise_if_any(self) -> None:
        if self.items:
            items = list(self.items)
            if self.extra:
                items.append(Problem(self.shown, "(more)", f"… and {self.extra:,} more problems"))
            raise TenderError(items)


def quoted_cell(value: Any, limit: int = 30) -> str:
    """A cell as an error quotes it: phone numbers hidden (`scoring.errors.redact`) before
    it is cut to ``limit`` characters, so the cut never leaves part of one."""
    text = redact(str(value))
    return repr(text if len(text) <= limit else text[:limit] + "…")


def listed(values, limit: int = 20) -> str:
    values = list(values)
    shown = ", ".join(str(v) for v in values[:limit])
    return shown + (f" and {len(values) - limit} more" if len(values) > limit else "") if values else "(none)"
