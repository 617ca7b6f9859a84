"""One cell of an export as text (`cell_text`) or as a number (`floats`), whether it came
from a CSV or a workbook.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def cell_text(value: Any) -> str:
    """A cell as text: workbook numbers lose a trailing ``.0`` (33612345678.0 → 33612345678)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def floats(cells: np.ndarray, decimal: str) -> tuple[np.ndarray, np.ndarray]:
    """Cells → float64, and the text of cells that are not numbers (None elsewhere)."""
    values = np.empty(len(cells), np.float64)
    text = np.full(len(cells), None, dtype=object)
    for i, cell in enumerate(cells):
        if cell is None or (isinstance(cell, float) and np.isnan(cell)):
            values[i] = np.nan
        elif isinstance(cell, (int, float)) and not isinstance(cell, bool):
            values[i] = cell
        else:
            raw = str(cell).strip()
            try:
                values[i] = float(raw.replace(",", ".") if decimal == "," else raw) if raw else np.nan
                if raw.lower() in ("nan", "inf", "-inf", "infinity", "-infinity", "+inf"):
                    text[i] = raw
                    values[i] = np.nan
            except ValueError:
                values[i] = np.nan
                text[i] = raw
    return values, text
