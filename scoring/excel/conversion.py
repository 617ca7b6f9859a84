"""A bid converted between YAML and the Excel schedule (`convert`, ``python -m scoring
convert``), lossless both ways; `tender_for` reads the tender a schedule is laid out for.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..errors import Problem, TenderError
from ..inputs import control_characters, pydantic_problems, strip_nulls
from ..model import Tender, TenderFile
from ..yamlio import read_yaml_mapping
from .reader import read_bid_xlsx
from .writer import Writer, check_writable, save


def tender_for(tender_dir: str | Path) -> Tender:
    """A tender from its tender.yaml alone: converting one bid must not depend on the others."""
    root = Path(tender_dir)
    shown = f"{str(tender_dir).rstrip('/')}/tender.yaml"
    if not (root / "tender.yaml").is_file():
        raise TenderError.at(shown, "", "file is missing")
    data = strip_nulls(read_yaml_mapping(root / "tender.yaml", shown))
    problems = control_characters(data, shown)  # its names are written into the schedule
    try:
        spec = TenderFile.model_validate(data)
    except ValidationError as exc:
        problems += pydantic_problems(exc, shown)
    if problems:
        raise TenderError(problems)
    return Tender(folder=str(tender_dir), spec=spec, bids=())


def check_carried(raw: dict[str, Any], read: dict[str, Any], shown: str) -> None:
    """A bid written to Excel must read back as written: a value the schedule has no cell for
    (a field the format gained after the schedule) is refused, naming its field, rather than
    silently lost."""
    problems = [Problem(shown, path, "the Excel schedule has no cell for this value, so it would be lost: keep this "
                                     "bid in YAML") for path in _differing(raw, read, "")]
    if problems:
        raise TenderError(problems)


def _differing(raw: Any, read: Any, path: str) -> list[str]:
    """The paths of the values of ``raw`` that ``read`` lacks or holds otherwise."""
    if isinstance(raw, dict) and isinstance(read, dict):
        return [p for key, value in raw.items()
                for p in _differing(value, read.get(key), f"{path}.{key}" if path else str(key))]
    if isinstance(raw, list) and isinstance(read, list) and len(raw) == len(read):
        return [p for i, (a, b) in enumerate(zip(raw, read)) for p in _differing(a, b, f"{path}.{i}")]
    if isinstance(raw, dt.datetime) and raw.time() == dt.time():
        raw = raw.date()  # written as the date it is (`scoring.excel.writer._put`)
    return [] if raw == read or (raw in ({}, []) and read is None) else [path or "(top level)"]


def bid_yaml(raw_bid: dict[str, Any], source: str | None = None) -> str:
    """A bid mapping as YAML text in the style of the examples (flow style for leaf blocks)."""
    text = yaml.safe_dump(raw_bid, sort_keys=False, allow_unicode=True, default_flow_style=None, width=120)
    return (f"# Bid converted from {source} (amounts excl. VAT, usage per line per month).\n" if source else "") + text


def convert(bid_path: str | Path, tender_dir: str | Path, out_path: str | Path, tender: Tender | None = None) -> None:
    """Convert a bid between YAML and the Excel schedule, by the file extensions:
    ``.yaml``/``.yml`` -> ``.xlsx`` (in the layout of the tender in `tender_dir`, or of
    ``tender`` when given: `tender_for` completed by the caller) or ``.xlsx`` ->
    ``.yaml``/``.yml`` (the tender is not needed). Lossless both ways."""
    src, dst = Path(bid_path), Path(out_path)
    yaml_ext = (".yaml", ".yml")
    if src.suffix.lower() in yaml_ext and dst.suffix.lower() == ".xlsx":
        raw = strip_nulls(read_yaml_mapping(src, str(bid_path)))
        check_writable(raw, str(bid_path))
        tender = tender or tender_for(tender_dir)
        buffer = io.BytesIO()
        save(Writer(tender.spec, tender.name, raw).build(), buffer)
        check_carried(raw, read_bid_xlsx(buffer.getvalue(), str(dst)), str(bid_path))
        dst.write_bytes(buffer.getvalue())
    elif src.suffix.lower() in (".xlsx", ".xlsm", ".xls") and dst.suffix.lower() in yaml_ext:
        try:
            data = src.read_bytes()
        except OSError as exc:
            raise TenderError.at(str(bid_path), "", f"cannot read file: {exc.strerror}") from None
        raw = read_bid_xlsx(data, str(bid_path))
        dst.write_text(bid_yaml(raw, src.name), encoding="utf-8")
    else:
        raise TenderError.at(str(bid_path), "", f"cannot convert {src.suffix or 'a file without extension'} to "
                                                f"{dst.suffix or 'a file without extension'}: "
                                                "convert .yaml/.yml to .xlsx or .xlsx to .yaml/.yml")
