"""Rows whose cells do not match the header (`check_cell_counts`): refused, named, and
recognised when the extra cells are decimal commas in a comma-separated file.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from typing import Any

from ..errors import WHOLE_FILE, Problem, TenderError
from .arrow import ArrowGaveUp, Unnumbered, count_with_arrow
from .problems import MAX_PROBLEMS, Problems


def check_cell_counts(data: bytes, encoding: str, delimiter: str, cells: int, numeric: list[int], shown: str) -> None:
    """Raise a TenderError naming the rows whose cells are more or fewer than the header's
    ``cells`` (the first `_Ragged.KEPT`, numbered as the other errors count rows: header =
    row 1, a blank line is a row; then "… and more"), and saying so when the extra cells
    look like decimal commas (`_decimal_comma`; ``numeric``: the usage columns' positions).

    pandas' parser would fill a short row with empty cells, drop a long row's extra cells
    after shifting the ones before them, and take the first column for an index when the
    first row has one cell too many — moving every column of every row. Counted by pyarrow's
    CSV tokenizer in one pass that converts nothing (~0.2 s for 100,000 lines × 12 months,
    a fifth of a full read; only files that pyarrow's reader refused, or not in UTF-8, get
    here), else — without pyarrow, or when it cannot tokenize the file — by Python's csv
    module (a cell it cannot read, over 131,072 characters, is an error: cells that cannot
    be counted are not read). A file that does not decode is left to pandas, whose error
    says so."""
    ragged = _Ragged(delimiter, cells, numeric)
    try:
        count_with_arrow(data, encoding, delimiter, cells, ragged)
    except ArrowGaveUp:
        ragged = _Ragged(delimiter, cells, numeric)
        try:
            _count_with_csv(data, encoding, delimiter, cells, ragged)
        except UnicodeError:
            return
        except csv.Error:  # a cell over csv.field_size_limit(): cells cannot be counted, so not read
            raise TenderError.at(
                shown, WHOLE_FILE, f"not a readable CSV file (a cell of over {csv.field_size_limit():,} characters)"
            ) from None
    ragged.raise_if_any(shown)


def _count_with_csv(data: bytes, encoding: str, delimiter: str, cells: int, ragged: _Ragged) -> None:
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        rows = csv.reader(stream, delimiter=delimiter)
        next(rows, None)  # the header
        for number, row in enumerate(rows, start=2):
            if row and len(row) != cells and not ragged.add(number, len(row), delimiter.join(row)):
                return  # an empty line is a blank row, as pandas and pyarrow read it
    finally:
        stream.detach()


_INTEGER_CELL = re.compile(r"\s*[-+]?\d+\s*")


_DIGITS_CELL = re.compile(r"\s*\d+\s*")


_NUMBER_CELL = re.compile(r"\s*(?:[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)?\s*")  # or empty


class _Ragged:
    """The rows whose cell count differs from the header's, and whether the extra cells look
    like decimal commas; as pyarrow's `invalid_row_handler`, it skips each such row, and
    stops the reading at the first past the `KEPT` it keeps (``more``): pyarrow takes about
    15 µs over each, 18 s for a 100,000-line export whose every row is off."""

    KEPT = MAX_PROBLEMS - 1  # and the decimal commas' problem

    def __init__(self, delimiter: str, cells: int, numeric: list[int]):
        self.delimiter, self.cells, self.numeric = delimiter, cells, numeric
        self.rows: list[tuple[int, int]] = []  # (row number, cells), the first KEPT
        self.more = False  # rows past those
        self.decimal_sample: str | None = None

    def __call__(self, row: Any) -> str:
        if row.number is None:
            raise Unnumbered()
        return "skip" if self.add(row.number, row.actual_columns, row.text) else "error"

    def add(self, number: int, cells: int, text: str) -> bool:
        """Record a row; False once past `KEPT` (stop reading)."""
        if len(self.rows) >= self.KEPT:
            self.more = True
            return False
        self.rows.append((number, cells))
        if cells > self.cells and self.delimiter == "," and self.decimal_sample is None:
            self.decimal_sample = _decimal_comma(text, cells - self.cells, self.numeric)
        return True

    def raise_if_any(self, shown: str) -> None:
        if not self.rows:
            return
        problems = Problems(shown)
        if self.decimal_sample is not None:
            sample = self.decimal_sample
            problems.add(
                WHOLE_FILE,
                f"numbers look like decimal commas ({sample}) in a file whose cells are separated by commas: "
                f'quote them ("{sample}"), or export with a decimal point, or with \';\' between the cells',
            )
        name = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}.get(self.delimiter, repr(self.delimiter))
        for number, cells in self.rows:
            hint = f"an unquoted {name} inside a cell?" if cells > self.cells else "a cell is missing"
            problems.add(f"row {number}", f"{cells} cells where the header has {self.cells}: {hint}")
        if self.more:
            problems.items.append(Problem(shown, "(more)", "… and more rows whose cells do not match the header"))
        problems.raise_if_any()


def _decimal_comma(text: str, extra: int, numeric: list[int]) -> str | None:
    """A number of a comma-separated row with ``extra`` cells too many that looks written
    with a decimal comma (``945,4``), or None: joining ``extra`` pairs of side-by-side cells
    of digits must give the header's count with a number (or nothing) in every usage column
    (``numeric``: their positions), so an extra cell of text is not taken for one. Of several
    ways, the number whose second part looks most like a fraction (a leading 0, then the
    fewest digits): ``10,945,4,50`` gives ``945,4``."""
    cells = text.split(",")
    pairs = [
        i for i in range(len(cells) - 1) if _INTEGER_CELL.fullmatch(cells[i]) and _DIGITS_CELL.fullmatch(cells[i + 1])
    ]
    found: list[tuple[str, str]] = []
    for joins in itertools.islice(itertools.combinations(pairs, extra), 1000):
        if any(b - a < 2 for a, b in zip(joins, joins[1:])):
            continue  # two pairs sharing a cell
        joined, made, i = [], [], 0
        while i < len(cells):
            if i in joins:
                made.append((cells[i].strip(), cells[i + 1].strip()))
                joined.append(f"{cells[i]},{cells[i + 1]}")
                i += 2
            else:
                joined.append(cells[i])
                i += 1
        if all(_NUMBER_CELL.fullmatch(joined[j]) for j in numeric if j < len(joined)):
            found += made
    if not found:
        return None

    def fraction_rank(pair: tuple[str, str]) -> int:
        part = pair[1]
        return 0 if len(part) > 1 and part.startswith("0") else len(part)

    whole, part = min(found, key=fraction_rank)
    return f"{whole},{part}"
