"""The contract folder's tables as arrays: the buyer's line inventory (`Inventory`) and every
row of the operator's invoice exports (`Invoices`), read by the billing-export machinery
(`scoring.usage_file.records.read_records`: CSV or workbook, chunks, decimal commas, errors
naming file, row and column) and decoded without a Python loop over rows — labels, periods,
dates and entities are mapped once per distinct value, then by code.

Phone numbers go through one `scoring.usage_file.line_index.LineIndex` (the keyed pseudonyms of
`scoring.usage_file.pseudonyms`): the inventory's lines are lines 0 … n−1, lines only the invoices
name come after. Raw numbers are dropped once both are read (`LineIndex.forget`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from scoring.errors import TenderError
from scoring.usage_file.line_index import LineIndex
from scoring.usage_file.problems import Problems, listed, quoted_cell
from scoring.usage_file.records import RecordSpec, read_records

from .contract import CHARGES, Contract, FileFormat, period_ordinal, period_text

NONE = np.iinfo(np.int64).min  # no month (an empty date)
NEVER = np.iinfo(np.int64).max
CHARGE = {name: i for i, name in enumerate(CHARGES)}
LINE_CHARGES = ("subscription", "usage", "activation", "sim_card", "device")  # billed per line: a line is needed
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
SUFFIXES = (".csv", ".xlsx")


def _spec(fmt: FileFormat, columns: dict[str, str], numbers: tuple[str, ...]) -> RecordSpec:
    return RecordSpec(columns=dict(columns), numbers=frozenset(r for r in numbers if r in columns),
                      delimiter=fmt.delimiter, decimal=fmt.decimal, encoding=fmt.encoding)


def _read(path: Path, shown: str, spec: RecordSpec) -> pd.DataFrame:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TenderError.at(shown, "(file)", f"cannot read file: {exc.strerror}") from None
    return read_records(data, spec, shown=shown, xlsx=path.suffix.lower() == ".xlsx")


def _mapped(series: pd.Series, rows: np.ndarray, column: str, problems: Problems,
            decode: Callable[[str], object], missing: object, message: Callable[[str], str | None],
            dtype: object = object, fill: object = None) -> np.ndarray:
    """Each cell decoded once per distinct value: ``decode(text)`` (``missing`` where it
    fails, then ``message(text)`` names the problem, None for no problem; an empty cell is
    ``decode`` of ``""``), as an array of ``dtype`` (``fill`` where decoding failed)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    texts = [str(u) for u in uniques] + [""]
    decoded = [decode(t) for t in texts]
    failed = np.array([d is missing for d in decoded], bool)
    table = np.empty(len(texts), dtype=dtype)
    table[:] = [fill if f else d for d, f in zip(decoded, failed)]
    said = [message(t) if f else None for t, f in zip(texts, failed)]
    reported = failed & np.array([s is not None for s in said], bool)
    bad = np.flatnonzero(reported[codes])
    if len(bad):
        problems.add_rows(rows[bad], column, lambda i: said[codes[bad[i]]])
    return table[codes]


def _line_codes(index: LineIndex, series: pd.Series) -> np.ndarray:
    """`LineIndex.codes` of a column. The reader gives text columns as categoricals, which
    pyarrow's fast path cannot read: their distinct values are indexed instead (as text, in
    order of first appearance, so lines get the same indices), then spread by code."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return index.codes(series)
    codes = series.cat.codes.to_numpy()
    used, first = np.unique(codes[codes >= 0], return_index=True)
    used = used[np.argsort(first, kind="stable")]  # distinct values in order of first appearance
    values = pd.Series(np.asarray(series.cat.categories, dtype=object)[used], dtype=object)
    table = np.full(len(series.cat.categories) + 1, -1, np.int64)
    table[used] = index.codes(values)
    return table[codes]  # code -1 (an empty cell) → the last entry, -1


def _iso_date(text: str) -> dt.date | None:
    if not _DATE.fullmatch(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _month(date: dt.date) -> int:
    return (date.year - 1970) * 12 + date.month - 1


# --------------------------------------------------------------------------- inventory


@dataclass(frozen=True)
class Inventory:
    """The buyer's lines: line i of the `LineIndex` is row i here."""

    file: str
    entity: np.ndarray  # (n,) index into Contract.entities
    profile: np.ndarray  # (n,) index into Contract.profiles
    activated: np.ndarray  # (n,) month ordinal of the activation, NONE when empty
    terminated: np.ndarray  # (n,) month ordinal of the termination, NEVER when active

    @property
    def n(self) -> int:
        return len(self.entity)


def _find(folder: Path, stem: str, shown: str) -> Path:
    found = [folder / f"{stem}{s}" for s in SUFFIXES if (folder / f"{stem}{s}").is_file()]
    if not found:
        raise TenderError.at(f"{shown}/{stem}.csv", "(file)", "file is missing (the line inventory: .csv or .xlsx)")
    if len(found) > 1:
        raise TenderError.at(f"{shown}/{stem}.csv", "(file)", f"both {stem}.csv and {stem}.xlsx: keep one")
    return found[0]


def read_inventory(contract: Contract, index: LineIndex) -> Inventory:
    path = _find(contract.folder, "inventory", contract.shown)
    shown = contract.file(path.name)
    fmt = contract.spec.inventory_file
    frame = _read(path, shown, _spec(fmt, fmt.columns, ()))
    rows = frame["row"].to_numpy()
    problems = Problems(shown)
    col = {role: name.strip() for role, name in fmt.columns.items()}
    if len(frame) == 0:
        raise TenderError.at(shown, "(file)", "the inventory has no lines")
    line = _line_codes(index, frame["line"])
    empty = np.flatnonzero(line < 0)
    problems.add_rows(rows[empty], col["line"], lambda i: "the line number is empty")
    named = np.flatnonzero(line >= 0)
    twice = pd.Series(line[named]).duplicated(keep="first").to_numpy()
    again = named[twice]
    if len(again):
        first_of = np.full(len(index), -1, np.int64)
        first_of[line[named[~twice]]] = named[~twice]
        first_row = rows[first_of[line[again]]]
        problems.add_rows(rows[again], col["line"], lambda i: (
            f"line {index.pseudonym(line[again[i]])} is already in the inventory (row {first_row[i]}): "
            "one row per line"))
    lookups = {}
    for role, ids in (("entity", contract.entities), ("profile", contract.profiles)):
        where = {name: i for i, name in enumerate(ids)}
        lookups[role] = _mapped(frame[role], rows, col[role], problems, lambda t, w=where: w.get(t, None), None,
                                lambda t, r=role, ids=ids: f"the {r} is empty" if not t else
                                f"unknown {r} {quoted_cell(t)}; known: {listed(ids)}")
    months = {}
    for role, default in (("activated", NONE), ("terminated", NEVER)):
        if role not in frame:
            months[role] = np.full(len(frame), default, np.int64)
            continue
        dates = _mapped(frame[role], rows, col[role], problems,
                        lambda t, d=default: d if not t else (_iso_date(t) or None), None,
                        lambda t: f"{quoted_cell(t)} is not a date written YYYY-MM-DD")
        months[role] = _to_months(dates, default)
    bad = np.flatnonzero((months["terminated"] < months["activated"]) & (months["activated"] != NONE))
    problems.add_rows(rows[bad], col.get("terminated", ""), lambda i: "terminated before it was activated")
    problems.raise_if_any()
    if index.collides():
        raise TenderError.at(shown, "(file)", "two line numbers share a pseudonym; use another key")
    at = np.empty(len(index), np.int64)  # the file's row of each line (every row a new line, in order)
    at[line] = np.arange(len(frame))
    return Inventory(file=shown, entity=lookups["entity"][at].astype(np.int32),
                     profile=lookups["profile"][at].astype(np.int32),
                     activated=months["activated"][at], terminated=months["terminated"][at])


def inventory_numbers(contract: Contract) -> pd.Series:
    """The inventory's line numbers as written (raw: for the caller to pseudonymise at once)."""
    path = _find(contract.folder, "inventory", contract.shown)
    fmt = contract.spec.inventory_file
    frame = _read(path, contract.file(path.name), _spec(fmt, {"line": fmt.columns["line"]}, ()))
    return frame["line"].astype(object).where(frame["line"].notna(), None)


def _to_months(dates: np.ndarray, default: int) -> np.ndarray:
    """Month ordinals of decoded cells (dates, the default for empty, None for bad), via the
    distinct values."""
    codes, uniques = pd.factorize(pd.Series(dates, dtype=object), use_na_sentinel=True)
    table = np.array([u if isinstance(u, (int, np.integer)) else _month(u) if u is not None else default
                      for u in uniques] + [default], np.int64)
    return table[codes]


# --------------------------------------------------------------------------- invoices


@dataclass(frozen=True)
class Invoices:
    """Every row of every invoice export, in file-name order then row order."""

    files: tuple[str, ...]  # paths relative to the contract folder (row references)
    file: np.ndarray  # (R,) index into files
    row: np.ndarray  # (R,) row number in its file (header = 1)
    invoice: np.ndarray  # (R,) object: invoice number
    date: np.ndarray  # (R,) datetime64[D]: invoice date
    period: np.ndarray  # (R,) month ordinal billed
    line: np.ndarray  # (R,) line index, -1 for an account-level row
    charge: np.ndarray  # (R,) index into CHARGES
    component: np.ndarray  # (R,) int32 index into components (usage, pool and device rows), -1 otherwise
    plan: np.ndarray  # (R,) int32 index into plans (subscription rows), -1 otherwise or when not given
    components: tuple[str, ...]  # Contract.components, then the other ids found (device tiers)
    plans: tuple[str, ...]  # the bid's plan ids, then the other ids the plan mapping names
    quantity: np.ndarray  # (R,) float64, defaults applied, usage in the tender's units
    amount: np.ndarray  # (R,) float64

    def __len__(self) -> int:
        return len(self.row)

    def ref(self, i: int) -> str:
        return f"{self.files[self.file[i]]}:{int(self.row[i])}"


def invoice_paths(contract: Contract) -> list[Path]:
    folder = contract.folder / "invoices"
    if not folder.is_dir():
        raise TenderError.at(contract.file("invoices"), "(folder)", "folder is missing (the operator's invoice "
                             "exports, .csv or .xlsx)")
    paths = sorted((p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES),
                   key=lambda p: p.name)
    if not paths:
        raise TenderError.at(contract.file("invoices"), "(folder)", "no invoice export (.csv or .xlsx) in it")
    return paths


def read_invoices(contract: Contract, index: LineIndex) -> Invoices:
    paths = invoice_paths(contract)
    fmt = contract.spec.invoice_file
    spec = _spec(fmt, fmt.columns, ("quantity", "amount"))
    parts, problems = [], []
    components, plans = _Ids(contract.components), _Ids(contract.plans.ids)
    for path in paths:
        shown = contract.file(f"invoices/{path.name}")
        try:
            parts.append(_decode(contract, index, _read(path, shown, spec), shown, components, plans))
        except TenderError as exc:
            problems += exc.problems
    if problems:
        raise TenderError(problems)
    names = tuple(f"invoices/{p.name}" for p in paths)
    return Invoices(
        files=names,
        file=np.concatenate([np.full(len(p["row"]), f, np.int32) for f, p in enumerate(parts)]),
        components=tuple(components.ids), plans=tuple(plans.ids),
        **{key: np.concatenate([p[key] for p in parts]) for key in parts[0]},
    )


class _Ids:
    """Ids → small integers, shared by every file: the known ones first."""

    def __init__(self, first):
        self.ids = list(first)
        self.at = {name: i for i, name in enumerate(self.ids)}

    def __call__(self, name: str) -> int:
        if name not in self.at:
            self.at[name] = len(self.ids)
            self.ids.append(name)
        return self.at[name]


def _decode(contract: Contract, index: LineIndex, frame: pd.DataFrame, shown: str, components: _Ids,
            plans: _Ids) -> dict[str, np.ndarray]:
    fmt = contract.spec.invoice_file
    col = {role: name.strip() for role, name in fmt.columns.items()}
    rows = frame["row"].to_numpy()
    n = len(frame)
    problems = Problems(shown)
    charges = {**{c: c for c in CHARGES}, **fmt.charges}
    charge = _mapped(frame["charge"], rows, col["charge"], problems, lambda t: CHARGE.get(charges.get(t, ""), None),
                     None, lambda t: "the charge label is empty" if not t else (
                         f"unknown charge label {quoted_cell(t)}: map it in invoice_file.charges to one of "
                         f"{', '.join(CHARGES)}"), np.int16, -1)
    start = contract.start
    period = _mapped(frame["period"], rows, col["period"], problems, lambda t: _period(t, start), None,
                     lambda t: "the period is empty" if not t else _period_message(t, start), np.int64, NONE)
    date = _mapped(frame["date"], rows, col["date"], problems,
                   lambda t: np.datetime64(d) if t and (d := _iso_date(t)) else None, None,
                   lambda t: "the invoice date is empty" if not t else
                   f"{quoted_cell(t)} is not a date written YYYY-MM-DD", "datetime64[D]", np.datetime64("NaT"))
    invoice = frame["invoice"].to_numpy(object)
    blank = np.flatnonzero(pd.isna(frame["invoice"]).to_numpy())
    problems.add_rows(rows[blank], col["invoice"], lambda i: "the invoice number is empty")
    line = _line_codes(index, frame["line"])
    needs = np.isin(charge, [CHARGE[c] for c in LINE_CHARGES])
    missing = np.flatnonzero(needs & (line < 0))
    problems.add_rows(rows[missing], col["line"], lambda i: (
        f"a {CHARGES[charge[missing[i]]]} row is billed per line: the line number is empty"))
    # components: usage and pool rows name a usage component, device rows a tier
    component = np.full(n, -1, np.int32)
    usage_like = np.isin(charge, [CHARGE["usage"], CHARGE["pool_overage"]])
    if "component" in frame:
        names, C = fmt.components, len(contract.components)
        mapped = _mapped(frame["component"], rows, col["component"], problems,
                         lambda t: components(names.get(t, t)) if t else -1, None, lambda t: None, np.int32, -1)
        component = np.where(usage_like | (charge == CHARGE["device"]), mapped, -1).astype(np.int32)
        bad = np.flatnonzero(usage_like & ((mapped < 0) | (mapped >= C)))
        raw = frame["component"].to_numpy(object)
        problems.add_rows(rows[bad], col["component"], lambda i: (
            f"a {CHARGES[charge[bad[i]]]} row needs its usage component" if pd.isna(raw[bad[i]]) else
            f"unknown usage component {quoted_cell(raw[bad[i]])}: map it in invoice_file.components to one of "
            f"{listed(contract.components)}"))
    elif usage_like.any():
        problems.add("columns.component", "usage rows need the component column mapped")
    plan = np.full(n, -1, np.int32)
    if "plan" in frame:
        mapping, bid_plans = fmt.plans, set(contract.plans.ids)
        UNKNOWN = -2
        mapped = _mapped(frame["plan"], rows, col["plan"], problems,
                         lambda t: plans(mapping[t]) if t in mapping else plans(t) if t in bid_plans else
                         -1 if not t else UNKNOWN, None, lambda t: None, np.int32, -1)
        subs = charge == CHARGE["subscription"]
        plan = np.where(subs, mapped, -1).astype(np.int32)
        bad = np.flatnonzero(plan == UNKNOWN)
        raw = frame["plan"].to_numpy(object)
        problems.add_rows(rows[bad], col["plan"], lambda i: (
            f"unknown plan code {quoted_cell(raw[bad[i]])}: neither mapped in invoice_file.plans nor a plan of bid "
            f"{contract.bid.id!r} ({', '.join(contract.plans.ids)})"))
    quantity = frame["quantity"].to_numpy(np.float64, copy=True) if "quantity" in frame else np.full(n, np.nan)
    usage = charge == CHARGE["usage"]
    empty = np.flatnonzero(usage & np.isnan(quantity))
    problems.add_rows(rows[empty], col.get("quantity", "(quantity)"), lambda i: "a usage row needs its quantity")
    negative = np.flatnonzero(quantity < 0)
    problems.add_rows(rows[negative], col.get("quantity", ""), lambda i: f"a quantity cannot be negative, got "
                      f"{quantity[negative[i]]:g}")
    factors = np.array([fmt.factor(c) for c in contract.components] + [1.0])  # units, per component
    quantity = np.where(usage & (component >= 0), quantity * factors[np.minimum(component, len(factors) - 1)], quantity)
    quantity[np.isnan(quantity)] = 1.0
    amount = frame["amount"].to_numpy(np.float64)
    nan = np.flatnonzero(np.isnan(amount))
    problems.add_rows(rows[nan], col["amount"], lambda i: "the amount is empty")
    problems.raise_if_any()
    return {"row": rows, "invoice": invoice, "date": date, "period": period, "line": line.astype(np.int64),
            "charge": charge, "component": component, "plan": plan, "quantity": quantity, "amount": amount}


def _period(text: str, start: int) -> int | None:
    p = period_ordinal(text) if text else None
    return p if p is not None and p >= start else None


def _period_message(text: str, start: int) -> str:
    p = period_ordinal(text)
    if p is None:
        return f"period {quoted_cell(text)} is not a month written YYYY-MM"
    return f"period {text} is before the contract's start ({period_text(start)})"


__all__ = ["Inventory", "Invoices", "read_inventory", "read_invoices"]
