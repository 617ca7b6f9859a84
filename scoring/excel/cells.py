"""The values of one sheet of a bid workbook, as a person opening it sees them (`Cells`).

Cell values are read as stored and nothing is evaluated: formulas and error values are
refused, and so is a value a person does not see — a control character in the text, a number
format that shows nothing (``;;;``), a row or column hidden or collapsed (`Cells.hidden_data`).
Reading stops at `MAX_ROWS` and `MAX_COLS` whatever size a sheet claims.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

from ..errors import Problem
from ..limits import env_limit
from ..quote import CONTROL_IN_TEXT, control_name, quote
from .schema import stem

MAX_ROWS = env_limit("FLEETBID_MAX_XLSX_ROWS", 2000)  # rows read per sheet
MAX_COLS = env_limit("FLEETBID_MAX_XLSX_COLS", 256)  # columns read per sheet
# A row lower than this (points) or a column narrower than this (characters) shows nothing.
MIN_ROW_HEIGHT = 3.0
MIN_COLUMN_WIDTH = 1.0


class Cells:
    """The values of one sheet as ``{(row, col): value}``, formulas and errors reported."""

    def __init__(self, ws, shown: str, problems: list[Problem]):
        self.title = ws.title
        self.values: dict[tuple[int, int], Any] = {}
        self.refused: set[tuple[int, int]] = set()  # formulas and error values, already reported
        # The sheet's declared size: a hostile one claims a million rows; reading stops at the
        # limit whatever it claims (openpyxl would pad every missing row up to a stated end).
        if (ws.max_row or 0) > MAX_ROWS or (ws.max_column or 0) > MAX_COLS:
            problems.append(Problem(shown, ws.title, f"the sheet is larger than a schedule may be ({MAX_ROWS} rows, "
                                                     f"{MAX_COLS} columns): delete what is below or right of it"))
        for row in ws.iter_rows(min_row=1, max_row=MAX_ROWS, max_col=MAX_COLS):
            for cell in row:
                value = getattr(cell, "value", None)
                if value is None:
                    continue
                kind = getattr(cell, "data_type", None)
                r, c = cell.row, cell.column
                if kind == "f" or (isinstance(value, str) and kind != "s" and value.startswith("=")) \
                        or type(value).__name__ in ("ArrayFormula", "DataTableFormula"):
                    problems.append(Problem(shown, self.at(r, c), "formulas are not accepted: type the value"))
                    self.refused.add((r, c))
                    continue
                if kind == "e":
                    problems.append(Problem(shown, self.at(r, c), f"error value {quote(value)}: type the value"))
                    self.refused.add((r, c))
                    continue
                if isinstance(value, str) and not value.strip():
                    continue  # blank text is an empty cell
                if isinstance(value, str) and (m := CONTROL_IN_TEXT.search(value)):
                    problems.append(Problem(shown, self.at(r, c), f"control character {control_name(m.group())} in "
                                                                  "the text: remove it"))
                    self.refused.add((r, c))
                    continue
                if _shows_nothing(getattr(cell, "number_format", None)):
                    problems.append(Problem(shown, self.at(r, c), "the cell's number format shows nothing "
                                                                  f"({quote(cell.number_format)}) but it holds a "
                                                                  "value: use a visible format"))
                    self.refused.add((r, c))
                    continue
                self.values[(r, c)] = value

    def hidden_data(self, ws, shown: str, problems: list[Problem]) -> None:
        """A problem for each hidden row or column that holds a value (its first cell named):
        a person reading the bid does not see it, the evaluation would read it."""
        rows, column_hidden = _hidden_lines(ws)
        filled = sorted({*self.values, *self.refused})
        for (r, c) in filled:
            if r in rows:
                count = sum(1 for rr, _ in filled if rr == r)
                problems.append(Problem(shown, self.at(r, c), f"row {r} is hidden but holds {count} value"
                                                              f"{'s' if count > 1 else ''}: unhide it or clear it "
                                                              "(a bid must show what is evaluated)"))
                rows.discard(r)
        columns = sorted({c for _, c in filled if column_hidden(c)})
        for c in columns:
            cells = [(r, cc) for r, cc in filled if cc == c]
            letter = get_column_letter(c)
            problems.append(Problem(shown, self.at(*cells[0]), f"column {letter} is hidden but holds {len(cells)} "
                                                               f"value{'s' if len(cells) > 1 else ''}: unhide it or "
                                                               "clear it (a bid must show what is evaluated)"))

    def at(self, row: int, col: int) -> str:
        return f"{self.title}!{get_column_letter(col)}{row}"

    def get(self, row: int, col: int) -> Any:
        return self.values.get((row, col))

    def missing(self, row: int, col: int) -> bool:
        """Empty, not merely refused (a refused cell has its own problem already)."""
        return (row, col) not in self.values and (row, col) not in self.refused

    def rows(self, first: int = 2) -> list[int]:
        return sorted({r for r, _ in self.values if r >= first})

    def headers(self, row: int = 1) -> dict[int, str]:
        return {c: stem(v) for (r, c), v in self.values.items() if r == row and isinstance(v, str)}


def _shows_nothing(number_format: Any) -> bool:
    """A number format of empty sections (``;;;``, ``;;``) displays no value at all."""
    return isinstance(number_format, str) and bool(number_format) and not number_format.replace(";", "").strip()


def _true(flag: str | None) -> bool:
    return flag in ("1", "true")


def _number(text: str | None, default: float) -> float:
    try:
        return float(text) if text is not None else default
    except ValueError:
        return default


def _hidden_lines(ws) -> tuple[set[int], Any]:
    """The rows (up to `MAX_ROWS`) a sheet hides, and a test of whether it hides a column:
    hidden, collapsed to nothing (a row under `MIN_ROW_HEIGHT` points, a column under
    `MIN_COLUMN_WIDTH` characters), or hidden by default (``zeroHeight``, a default width of
    0) unless made visible. Read from the sheet's XML (openpyxl's read-only sheets do not
    keep row and column formats); the package was checked for DTDs before (`scoring.excel.package.check_package`)."""
    rows: set[int] = set()
    columns: list[tuple[int, int, bool]] = []  # (first, last, hidden) of each <col> element
    rows_hidden_by_default = columns_hidden_by_default = False
    source = getattr(ws, "_get_source", None)
    if source is None:  # not a read-only sheet: nothing to read it from
        return rows, lambda c: False
    row = 0
    with source() as xml:
        for event, element in ElementTree.iterparse(xml, events=("start", "end")):
            tag = element.tag.rsplit("}", 1)[-1]
            if event == "end":
                if tag == "row":
                    element.clear()
                continue
            if tag == "sheetFormatPr":
                rows_hidden_by_default = (_true(element.get("zeroHeight"))
                                          or _number(element.get("defaultRowHeight"), 15) < MIN_ROW_HEIGHT)
                columns_hidden_by_default = _number(element.get("defaultColWidth"), 8.43) < MIN_COLUMN_WIDTH
            elif tag == "col":
                first = int(_number(element.get("min"), 0))
                last = int(_number(element.get("max"), first))
                hidden = _true(element.get("hidden")) or _number(element.get("width"), 8.43) < MIN_COLUMN_WIDTH
                columns.append((first, min(last, MAX_COLS), hidden))
            elif tag == "row":
                row = int(_number(element.get("r"), row + 1))
                if row > MAX_ROWS:
                    break
                height = element.get("ht")
                if _true(element.get("hidden")) or _number(height, 15) < MIN_ROW_HEIGHT or (
                        rows_hidden_by_default and not (_true(element.get("customHeight")) and height is not None)):
                    rows.add(row)
                else:
                    rows.discard(row)
            elif tag == "sheetData" and rows_hidden_by_default:
                rows.update(range(1, MAX_ROWS + 1))  # rows without a <row> element: hidden too

    def column_hidden(c: int) -> bool:
        for first, last, hidden in columns:
            if first <= c <= last:
                return hidden
        return columns_hidden_by_default

    return rows, column_hidden
