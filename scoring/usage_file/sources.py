"""Where chunks of an export come from: a CSV (`csv_chunks`: pyarrow first, else pandas'
C parser, after the header and cell-count checks) or the first sheet of a workbook
(`xlsx_chunks`); `RESTART` tells the reader to start over.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pandas as pd

from ..errors import WHOLE_FILE, Problem, TenderError, redact
from ..limits import env_limit
from ..model import ROLES, UsageFileSpec
from .arrow import ArrowGaveUp, arrow_chunks
from .cells import cell_text
from .problems import listed
from .ragged import check_cell_counts

MAX_COLUMNS = env_limit("FLEETBID_MAX_EXPORT_COLUMNS", 1000)  # cells of a CSV's header row


CHUNK_ROWS = 250_000  # bounds the C parser's buffers: ~0.5 GB peak for 100k lines × 12 months


SNIFFED_DELIMITERS = (",", ";", "\t", "|")


def _sniff(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in SNIFFED_DELIMITERS}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def csv_chunks(data: bytes, spec: UsageFileSpec, shown: str) -> Iterator[pd.DataFrame]:
    """The mapped columns in chunks, renamed to their roles; `RESTART` tells the consumer to
    start over (the chunks so far were from a parser that gave up).

    pyarrow's CSV reader goes first (it is several times faster than pandas'); anything it
    refuses (text in a number column, a row with too few or too many cells, bad UTF-8)
    sends the file to pandas' C parser, whose results the cell checks then name row by row.
    Before pandas reads a row, `check_cell_counts` refuses rows whose cells do not match the
    header's (pandas would silently fill them, or shift every column); before anything is
    parsed, a header row of more than `MAX_COLUMNS` cells is refused (`_header_width`).
    """
    encoding = "utf-8-sig" if codecs.lookup(spec.encoding).name == "utf-8" else spec.encoding
    try:  # UnicodeError, not only UnicodeDecodeError: utf-16 without a BOM, idna, …
        head = data[:65536].decode(encoding, errors="ignore")
        delimiter = spec.delimiter or _sniff(head.splitlines()[0] if head else "")
        common = dict(sep=delimiter, encoding=encoding, engine="c", skip_blank_lines=False)
        width = _header_width(data, encoding, delimiter)
        if width is None:
            raise TenderError.at(shown, WHOLE_FILE, f"not a readable CSV file (a header cell of over "
                                 f"{csv.field_size_limit():,} characters)")
        if width > MAX_COLUMNS:
            raise TenderError.at(
                shown, WHOLE_FILE, f"the header row has {width:,} cells, over the limit of {MAX_COLUMNS:,} columns "
                "(FLEETBID_MAX_EXPORT_COLUMNS): is this a billing export, with one column per field?"
            )
        headers = list(pd.read_csv(io.BytesIO(data), nrows=0, **common).columns)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError) as exc:
        raise TenderError.at(shown, "(file)", f"not a readable CSV file ({parser_message(exc)})") from None
    by_name = {str(h).strip(): h for h in headers}
    found = listed((redact(str(h)) for h in headers), 40)  # no header row: the first row's cells
    missing = [
        Problem(
            shown,
            f"columns.{role}",
            f"column {name.strip()!r} is not in the file's header; headers found: {found}",
        )
        for role, name in spec.columns.items()
        if name.strip() not in by_name
    ]
    if missing:
        raise TenderError(missing)
    role_of = {by_name[name.strip()]: role for role, name in spec.columns.items()}
    if encoding == "utf-8-sig":
        arrow = arrow_chunks(data, spec, delimiter, [role_of.get(h) for h in headers])
        if arrow is not None:
            try:
                yield from arrow
                return
            except ArrowGaveUp:
                yield RESTART
    numeric = [i for i, h in enumerate(headers) if role_of.get(h) is not None and role_of[h] not in ROLES]
    check_cell_counts(data, encoding, delimiter, len(headers), numeric, shown)
    text_roles = ("line", "entity", "profile", "month")
    dtype = {
        h: (str if role == "line" else "category") if role in text_roles else np.float64 for h, role in role_of.items()
    }
    options = dict(
        usecols=list(role_of),
        index_col=False,  # never take the first column for an index (a row with one cell too many)
        decimal=spec.decimal,
        chunksize=CHUNK_ROWS,
        keep_default_na=False,
        na_values=[""],
        **common,
    )
    try:
        try:
            with pd.read_csv(io.BytesIO(data), dtype=dtype, **options) as reader:
                for chunk in reader:
                    yield chunk.rename(columns=role_of)
            return
        except ValueError as exc:
            if isinstance(exc, (pd.errors.ParserError, UnicodeError)):
                raise
        # Text in a number column: read again with number columns as text, to name each
        # cell. The caller starts over on RESTART.
        yield RESTART
        slow = {h: (str if d is np.float64 else d) for h, d in dtype.items()}
        with pd.read_csv(io.BytesIO(data), dtype=slow, **options) as reader:
            for chunk in reader:
                yield chunk.rename(columns=role_of)
    except (pd.errors.ParserError, UnicodeError) as exc:
        raise TenderError.at(shown, "(file)", f"not a readable CSV file ({parser_message(exc)})") from None


RESTART = pd.DataFrame()


def _header_width(data: bytes, encoding: str, delimiter: str) -> int | None:
    """The cells of the file's first row, by Python's csv module reading the bytes as they
    are decoded: the time taken grows with the header row, never with the file (pandas takes
    minutes over a header of a million cells: 0.1 s here). None when a header cell is over
    the csv module's field limit (131,072 characters)."""
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, errors="replace", newline="")
    try:
        return len(next(csv.reader(stream, delimiter=delimiter), []))
    except csv.Error:
        return None
    finally:
        stream.detach()


def parser_message(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
    return re.sub(r"\d{6,}", "…", redact(text))[:200]  # never echo what may be a phone number


def reduce_chunks(data: bytes, spec: UsageFileSpec, shown: str, xlsx: bool, new: Callable[[], Any]) -> tuple[Any, bool]:
    """Hand every chunk of the export to a reducer made by ``new`` — ``add(chunk, first_row)``,
    ``first_row`` the file's row number of the chunk's first data row (header = row 1) — and
    to a new one when the source starts over (`RESTART`). Stops at the first chunk ``add``
    refuses (returns False). Returns the reducer and whether it took every chunk."""
    reducer = new()
    first_row = 2
    for chunk in (xlsx_chunks if xlsx else csv_chunks)(data, spec, shown):
        if chunk is RESTART:
            reducer = new()
            first_row = 2
            continue
        if reducer.add(chunk, first_row) is False:
            return reducer, False
        first_row += len(chunk)
    return reducer, True


def xlsx_chunks(data: bytes, spec: UsageFileSpec, shown: str) -> Iterator[pd.DataFrame]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl raises many kinds on a bad file
        raise TenderError.at(shown, "(file)", "not a readable .xlsx workbook") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        headers = next(rows, None) or ()
        by_name = {str(h).strip(): i for i, h in enumerate(headers) if h is not None}
        missing = [
            Problem(
                shown,
                f"columns.{role}",
                f"column {name.strip()!r} is not in the sheet's header; headers found: "
                f"{listed([redact(str(h)) for h in headers if h is not None], 40)}",
            )
            for role, name in spec.columns.items()
            if name.strip() not in by_name
        ]
        if missing:
            raise TenderError(missing)
        picks = [(role, by_name[name.strip()]) for role, name in spec.columns.items()]
        columns: dict[str, list] = {role: [] for role, _ in picks}
        for row in rows:
            for role, i in picks:
                cell = row[i] if i < len(row) else None
                if role in ("line", "entity", "profile", "month") and cell is not None:
                    if isinstance(cell, dt.datetime):
                        cell = cell.date().isoformat()
                    elif isinstance(cell, dt.date):
                        cell = cell.isoformat()
                    else:
                        cell = cell_text(cell) or None
                elif isinstance(cell, str) and not cell.strip():
                    cell = None
                columns[role].append(cell)
    finally:
        book.close()
    yield pd.DataFrame({role: pd.Series(values, dtype=object) for role, values in columns.items()})
