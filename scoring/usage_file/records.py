"""Exports read as records (`read_records`): each mapped column as text or as a signed number,
for files whose roles are not the usage grid's — the operator's invoice exports and the line
inventory of post-award monitoring (``monitoring/``, docs/invoice-audit.md).

The billing export's machinery, not a second reader: the header, delimiter, encoding and
column-limit checks and the parser fallbacks of `scoring.usage_file.sources`, rows whose
cells do not match the header refused by `scoring.usage_file.ragged` (decimal commas
recognised), pyarrow's streaming reader parsing ahead in a thread
(`scoring.usage_file.arrow.ahead`), workbooks by `scoring.usage_file.sources.xlsx_chunks`,
problems capped and cells quoted with phone numbers hidden (`scoring.usage_file.problems`).
What differs from `csv_chunks` is only which roles are text: there, the four roles of a
billing export (line, entity, profile, month) and every other column a usage ≥ 0; here, the
caller says which roles are numbers (any sign: credits are negative), every other one is text.

Rows are numbered as in the file (header = row 1); rows whose mapped cells are all empty are
skipped. Numbers: ``decimal`` ``,`` or ``.``; a cell that is not a number, or beyond ±`MAX_AMOUNT`,
is a problem naming row and column. An empty number cell is NaN (the caller decides what it means).
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from ..errors import WHOLE_FILE, Problem, TenderError, redact
from ..model import MAX_AMOUNT
from .arrow import ARROW_BLOCK_BYTES, ahead
from .cells import cell_text, floats
from .memory import arrow_pool
from .problems import Problems, listed, quoted_cell
from .ragged import check_cell_counts
from .sources import CHUNK_ROWS, MAX_COLUMNS, _header_width, _sniff, parser_message, xlsx_chunks


@dataclass(frozen=True)
class RecordSpec:
    """Which header each role reads (``columns``: role → header), which roles are numbers,
    and the file's format (as `scoring.model.UsageFileSpec`'s fields of the same names)."""

    columns: dict[str, str]
    numbers: frozenset[str] = frozenset()
    delimiter: str | None = None
    decimal: str = "."
    encoding: str = "utf-8"


class _GaveUp(Exception):
    pass


def _csv_header(data: bytes, spec: RecordSpec, shown: str) -> tuple[str, str, list[str]]:
    encoding = "utf-8-sig" if codecs.lookup(spec.encoding).name == "utf-8" else spec.encoding
    try:
        head = data[:65536].decode(encoding, errors="ignore")
        delimiter = spec.delimiter or _sniff(head.splitlines()[0] if head else "")
        width = _header_width(data, encoding, delimiter)
        if width is None or width > MAX_COLUMNS:
            raise TenderError.at(shown, WHOLE_FILE, "not a readable CSV file (a header cell too long)" if width is None
                                 else f"the header row has {width:,} cells, over the limit of {MAX_COLUMNS:,} columns "
                                 "(FLEETBID_MAX_EXPORT_COLUMNS)")
        headers = list(pd.read_csv(io.BytesIO(data), nrows=0, sep=delimiter, encoding=encoding, engine="c").columns)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as exc:
        raise TenderError.at(shown, WHOLE_FILE, f"not a readable CSV file ({parser_message(exc)})") from None
    return encoding, delimiter, [str(h).strip() for h in headers]


def _missing(spec: RecordSpec, headers: list[str], shown: str, where: str) -> None:
    found = listed((redact(h) for h in headers if h), 40)
    missing = [Problem(shown, f"columns.{role}", f"column {name.strip()!r} is not in the {where}'s header; "
                       f"headers found: {found}")
               for role, name in spec.columns.items() if name.strip() not in headers]
    if missing:
        raise TenderError(missing)


def _arrow_chunks(data: bytes, delimiter: str, decimal: str, positions: dict[int, str],
                  numbers: frozenset[str], width: int) -> Iterator[pd.DataFrame]:
    """The mapped columns by pyarrow's streaming reader, parsed ahead in a thread: text as
    dictionaries (categoricals), numbers as float64 with the file's decimal mark. Every one of
    the header's ``width`` columns is named (pyarrow refuses a row with more cells than names),
    only the mapped ones converted (``include_columns``): columns before, between or after
    them cost nothing. Anything it refuses (text in a number column, a ragged row, bad UTF-8)
    raises `_GaveUp`, and so does a ``nan`` it would read as a number (the fallback names it)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(max(width, max(positions) + 1))]
    pool = arrow_pool()
    text = pa.dictionary(pa.int32(), pa.string())

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            reader = pacsv.open_csv(
                pa.py_buffer(data), memory_pool=pool,
                read_options=pacsv.ReadOptions(block_size=ARROW_BLOCK_BYTES, skip_rows=1, column_names=names,
                                               use_threads=True),
                parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=data.find(b'"') >= 0,
                                                 ignore_empty_lines=False),
                convert_options=pacsv.ConvertOptions(
                    column_types={f"c{i}": pa.float64() if role in numbers else text for i, role in positions.items()},
                    include_columns=[f"c{i}" for i in positions], null_values=[""], strings_can_be_null=True,
                    quoted_strings_can_be_null=True, decimal_point=decimal),
            )
            number_columns = [f"c{i}" for i, role in positions.items() if role in numbers]
            for batch in reader:
                # pyarrow reads "nan" as a number: to pandas it would be an empty cell, silently
                if any(pc.any(pc.is_nan(batch.column(name))).as_py() for name in number_columns):
                    raise _GaveUp()
                yield batch.to_pandas(memory_pool=pool).rename(columns={f"c{i}": role for i, role in positions.items()})
        except pa.ArrowException:  # its messages may quote a cell: never shown
            raise _GaveUp() from None

    return ahead(chunks())


def _csv_frames(data: bytes, spec: RecordSpec, shown: str) -> list[pd.DataFrame]:
    encoding, delimiter, headers = _csv_header(data, spec, shown)
    _missing(spec, headers, shown, "file")
    positions = {headers.index(name.strip()): role for role, name in spec.columns.items()}
    if encoding == "utf-8-sig":
        try:
            return list(_arrow_chunks(data, delimiter, spec.decimal, positions, spec.numbers, len(headers)))
        except _GaveUp:
            pass  # a ragged row, bad UTF-8…: counted and named below, as for billing exports
    numeric = [i for i, role in positions.items() if role in spec.numbers]
    check_cell_counts(data, encoding, delimiter, len(headers), numeric, shown)
    try:
        with pd.read_csv(io.BytesIO(data), sep=delimiter, encoding=encoding, engine="c", skip_blank_lines=False,
                         header=0, names=None, usecols=list(positions), dtype=str, index_col=False,
                         keep_default_na=False, na_values=[""], chunksize=CHUNK_ROWS) as reader:
            out = []
            for chunk in reader:
                chunk.columns = range(len(chunk.columns))
                out.append(chunk.set_axis([positions[i] for i in sorted(positions)], axis=1))
            return out
    except (pd.errors.ParserError, UnicodeError) as exc:
        raise TenderError.at(shown, WHOLE_FILE, f"not a readable CSV file ({parser_message(exc)})") from None


def _xlsx_frames(data: bytes, spec: RecordSpec, shown: str) -> list[pd.DataFrame]:
    """The first sheet by `xlsx_chunks` (its header check names the sheet's headers); text
    roles as the text a person reads (numbers without ``.0``, dates ISO)."""
    frames = []
    for chunk in xlsx_chunks(data, spec, shown):  # type: ignore[arg-type]  (it reads ``columns`` only)
        for role in chunk.columns:
            if role not in spec.numbers:
                chunk[role] = chunk[role].map(_text_cell)
        frames.append(chunk)
    return frames


def _text_cell(cell):
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(timespec="minutes")
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return cell_text(cell) or None


def _numbers(series: pd.Series, decimal: str, workbook: bool) -> tuple[np.ndarray, np.ndarray]:
    """float64 values (NaN where empty) and the positions of the cells that are not numbers.
    Parsed by pyarrow already (float64), or text (pandas' parser: stripped, the decimal comma
    replaced), or a workbook's cells (numbers or text) by `scoring.usage_file.cells.floats`."""
    if series.dtype.kind == "f":
        values = series.to_numpy(np.float64)
        bad = np.isinf(values)
    elif workbook:
        values, text = floats(series.to_numpy(object), decimal)
        bad = np.array([t is not None for t in text], bool)
    else:
        raw = series.astype("string").str.strip()
        if decimal == ",":
            raw = raw.str.replace(",", ".", regex=False)
        given = (raw.notna() & (raw != "")).to_numpy(bool)
        special = raw.str.lower().isin(_NOT_FINITE).to_numpy(bool)
        values = pd.to_numeric(raw.mask(~given | special), errors="coerce").to_numpy(np.float64, na_value=np.nan)
        bad = given & np.isnan(values)
    with np.errstate(invalid="ignore"):
        bad |= np.abs(values) > MAX_AMOUNT
    return values, np.flatnonzero(bad)


def _text(parts: list[pd.Series]) -> pd.Series:
    """A text column's chunks as one categorical of the stripped values, NA where empty."""
    joined = union_categoricals([p if isinstance(p.dtype, pd.CategoricalDtype) else p.astype("category")
                                 for p in parts], ignore_order=True)
    stripped = pd.Index(joined.categories.astype(str)).str.strip()
    codes, uniques = pd.factorize(stripped)  # values equal once stripped become one
    remap = np.append(np.where(uniques[codes] == "", -1, codes), -1).astype(np.int64)  # [-1]: a code of NA
    old = joined.codes.astype(np.int64)
    return pd.Series(pd.Categorical.from_codes(np.where(old >= 0, remap[old], -1),
                                               categories=pd.Index(uniques, dtype=object)))


_NOT_FINITE = ["nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"]


def read_records(data: bytes, spec: RecordSpec, *, shown: str, xlsx: bool = False) -> pd.DataFrame:
    """Every non-blank row of the export: one column per role of ``spec.columns`` (text roles
    as categoricals of the stripped text, NA when empty; number roles float64, NaN when empty) and ``row``, its row
    number in the file (header = row 1). Raises TenderError listing every cell that is not a
    number (row and column named, the cell quoted with phone numbers hidden), or naming the
    file when it cannot be read, lacks a mapped column, or has rows of the wrong cell count."""
    frames = (_xlsx_frames if xlsx else _csv_frames)(data, spec, shown)
    if not frames:
        frames = [pd.DataFrame({role: pd.Series([], dtype=np.float64 if role in spec.numbers else object)
                                for role in spec.columns})]
    columns = {}
    for role in spec.columns:
        parts = [f[role] for f in frames]
        columns[role] = (pd.Series(np.concatenate([p.to_numpy() for p in parts])) if role in spec.numbers
                         and all(p.dtype.kind == "f" for p in parts) else
                         pd.concat(parts, ignore_index=True) if role in spec.numbers else _text(parts))
    frame = pd.DataFrame(columns)
    rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    blank = np.ones(len(frame), bool)
    for role in spec.columns:
        blank &= frame[role].isna().to_numpy()
    if blank.any():
        frame, rows = frame.loc[~blank].reset_index(drop=True), rows[~blank]
    problems = Problems(shown)
    out = {"row": rows}
    for role in spec.columns:
        column = frame[role]
        if role in spec.numbers:
            values, bad = _numbers(column, spec.decimal, xlsx)
            if len(bad):
                cells = column.to_numpy(object)
                problems.add_rows(rows[bad], spec.columns[role].strip(),
                                  lambda i, b=bad, c=cells: f"{quoted_cell(c[b[i]])} is not a number")
            out[role] = values
        else:
            out[role] = column
    problems.raise_if_any()
    return pd.DataFrame(out)
