"""pyarrow's CSV reader: the mapped columns in chunks (`arrow_chunks`), parsed ahead by a
thread (`ahead`), and the cells of each row counted by its tokenizer (`count_with_arrow`).
Anything it refuses raises `ArrowGaveUp`: pandas' parser reads the file instead.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import Any

import pandas as pd

from ..model import ROLES, UsageFileSpec
from .line_index import LINE_KEYS, arrow_keys
from .memory import arrow_pool

ARROW_BLOCK_BYTES = 4 << 20  # pyarrow's CSV blocks: ~60k rows of a typical export


class ArrowGaveUp(Exception):
    """pyarrow refused the file: pandas reads it instead."""


class Unnumbered(Exception):
    """pyarrow did not give an invalid row's number."""


def arrow_chunks(
    data: bytes, spec: UsageFileSpec, delimiter: str, roles: list[str | None]
) -> Iterator[pd.DataFrame] | None:
    """The mapped columns by pyarrow's streaming CSV reader (``roles``: the role of each
    column of the header, None if unmapped), or None without pyarrow. Raises ArrowGaveUp
    while iterating if pyarrow cannot read a cell the way pandas would.

    Columns are addressed by position (the header is skipped, so repeated or padded header
    names do not matter); text is UTF-8 (a byte-order mark is skipped); only an empty cell
    is missing, as with pandas (``keep_default_na=False``); an empty line is a blank row,
    kept so rows keep their numbers. Ids are read as text, entity, profile and month as
    dictionaries (categoricals), usage as float64.
    """
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pandas' own string dtype brings pyarrow here
        return None
    names = [f"c{i}" for i in range(len(roles))]
    role_of = {name: role for name, role in zip(names, roles) if role is not None}
    text = pa.dictionary(pa.int32(), pa.string())
    types = {
        name: pa.string() if role == "line" else text if role in ROLES else pa.float64()
        for name, role in role_of.items()
    }
    string = pd.ArrowDtype(pa.string())
    pool = arrow_pool()

    def chunks() -> Iterator[pd.DataFrame]:
        try:
            reader = pacsv.open_csv(
                pa.py_buffer(data),
                memory_pool=pool,
                read_options=pacsv.ReadOptions(
                    block_size=ARROW_BLOCK_BYTES, skip_rows=1, column_names=names, use_threads=True
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    # a quoted cell may hold a line break only if the file has quotes at all
                    newlines_in_values=data.find(b'"') >= 0,
                    ignore_empty_lines=False,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=types,
                    include_columns=list(role_of),
                    null_values=[""],
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    decimal_point=spec.decimal,
                ),
            )
            for batch in reader:
                chunk = batch.to_pandas(memory_pool=pool, types_mapper={pa.string(): string}.get).rename(columns=role_of)
                keys = arrow_keys(chunk["line"])  # pyarrow works without the GIL: this overlaps the caller's work
                if keys is not None:
                    key, rest, text = keys
                    chunk[LINE_KEYS[0]], chunk[LINE_KEYS[1]] = key, rest
                    chunk[LINE_KEYS[2]] = pd.Series(pd.arrays.ArrowExtensionArray(text), index=chunk.index)
                yield chunk
        except pa.ArrowException:  # its messages may quote a cell: never shown
            raise ArrowGaveUp() from None

    return ahead(chunks())


PREFETCH = 2  # chunks parsed ahead by a thread while the caller reduces the last one


def ahead(chunks: Iterator[pd.DataFrame], depth: int = PREFETCH) -> Iterator[pd.DataFrame]:
    """``chunks`` produced by a thread, up to ``depth`` ahead: pyarrow parses without the GIL,
    so on two cores parsing overlaps with reducing. Exceptions are re-raised here, in order;
    when the caller stops early the thread stops after its current chunk."""
    items: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def produce() -> None:
        try:
            for chunk in chunks:
                while not stop.is_set():
                    try:
                        items.put((chunk, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            items.put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            items.put((done, exc))
        finally:
            chunks.close()

    worker = threading.Thread(target=produce, name="fleetbid-csv", daemon=True)
    worker.start()
    try:
        while True:
            chunk, exc = items.get()
            if chunk is done:
                if exc is not None:
                    raise exc
                return
            yield chunk
    finally:
        stop.set()
        while worker.is_alive():  # unblock a put, let the thread see `stop`
            try:
                items.get(timeout=0.1)
            except queue.Empty:
                pass
        worker.join()


def count_with_arrow(data: bytes, encoding: str, delimiter: str, cells: int, ragged: Any) -> None:
    """Count the cells of each row by pyarrow's tokenizer, handing rows that do not match the header to
    ``ragged`` (a `scoring.usage_file.ragged._Ragged`, its `invalid_row_handler`)."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
    except ImportError:  # pragma: no cover - pandas' own string dtype brings pyarrow here
        raise ArrowGaveUp() from None
    try:
        reader = pacsv.open_csv(
            pa.py_buffer(data),
            memory_pool=arrow_pool(),
            read_options=pacsv.ReadOptions(
                block_size=ARROW_BLOCK_BYTES,
                column_names=[f"c{i}" for i in range(cells)],  # the header is row 1 (skip_rows ignores quotes)
                use_threads=False,  # rows are numbered only when read in order
                encoding="utf8" if encoding == "utf-8-sig" or _ascii_bytes(encoding) else encoding,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=data.find(b'"') >= 0,
                ignore_empty_lines=False,
                invalid_row_handler=ragged,
            ),
            convert_options=pacsv.ConvertOptions(include_columns=["c0"], column_types={"c0": pa.binary()}),
        )
        for _ in reader:
            pass
    except (pa.ArrowException, UnicodeError, Unnumbered):
        if not ragged.more:  # not stopped by `ragged`: a row longer than a block, …: the csv module counts
            raise ArrowGaveUp() from None


def _ascii_bytes(encoding: str) -> bool:
    """Whether every byte of ``encoding`` is one character, ASCII bytes being ASCII (latin-1,
    cp1252…): cells are then counted on the bytes as they are (the delimiters, quotes and line
    breaks are ASCII), without transcoding them (twice as fast)."""
    try:
        return bytes(range(128)).decode(encoding) == "".join(map(chr, range(128))) and len(
            b"\xc3\xa9\x82\xa0".decode(encoding, errors="replace")) == 4
    except (UnicodeError, LookupError, ValueError):
        return False
