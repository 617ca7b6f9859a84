"""The outputs: the PDF report (`pdf`), the evaluation workbook (`workbook`), the charts the
app and the PDF share (`charts`), the one text catalogue (`text`) and number formats
(`formats`), names for ids (`names`) and the risk sentences (`risks`). Above the model and the
what-if analyses, below the app and the command lines.

`build_report`, `input_files` and `ReportError` are imported from `reports.pdf` on first use,
so importing a light module of this package (text, names) does not load the PDF writer.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ReportError", "build_report", "input_files"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import pdf

        return getattr(pdf, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
