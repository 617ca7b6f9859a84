"""The RIO check before porting (docs/service-levels.md): each line's RIO (relevé d'identité
opérateur, ``OO-Q-RRRRRR-CCC``) checked against its number before a port request.

- ``format``: not ``OO-Q-RRRRRR-CCC`` (dashes optional; upper-case letters and digits, the
  key also ``+``, the 37th symbol of the key alphabet), ``Q`` neither ``E`` nor ``P``, or a
  number that is not a 10-digit national number once ``+33``/``0033`` is turned into ``0``
  (an empty number or RIO too);
- ``key``: the key ``CCC`` is not the one the inter-operator algorithm v1.1 computes from
  ``OO + Q + RRRRRR + number`` (`rio_keys`; published example ``01-P-EROY4P-4TR`` for
  ``0612345678``);
- ``personal``: ``Q`` = ``P``, a personal contract (a warning: it cannot be ported with the
  company's mandate);
- ``duplicate``: the number or the RIO already given on an earlier row (only the later rows
  are flagged);
- ``not_in_inventory``: the number is not a line of the contract's inventory (checked only
  when an inventory is given).

Status ``ok`` (no reason), ``warning`` (``personal`` alone) or ``invalid``. Lines are shown as
pseudonyms of their national form (`scoring.usage_file.pseudonyms`): no raw number leaves this
module. The key is computed on arrays (a loop over the 19 characters, not over lines).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scoring.errors import TenderError
from scoring.usage_file.line_index import LineIndex
from scoring.usage_file.pseudonyms import pseudonym_key, pseudonymise
from scoring.usage_file.records import RecordSpec, read_records

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+"  # A–Z → 0–25, 0–9 → 26–35, + → 36
REASONS = ("format", "key", "personal", "duplicate", "not_in_inventory")
STATUSES = ("ok", "warning", "invalid")
DEFAULT_COLUMNS = {"line": "line", "rio": "rio"}
_RIO = r"^([A-Z0-9]{2})-?([EP])-?([A-Z0-9]{6})-?([A-Z0-9+]{3})$"
_VALUE = np.full(256, -1, np.int64)
_VALUE[np.frombuffer(ALPHABET.encode(), np.uint8)] = np.arange(len(ALPHABET))
_SYMBOL = np.array(list(ALPHABET), dtype="<U1")


def rio_keys(prefixes: Sequence[str], numbers: Sequence[str]) -> np.ndarray:
    """The key ``CCC`` of each ``OO + Q + RRRRRR`` prefix (9 characters of the alphabet) and
    10-digit national number: over the 19 values ``x``, ``r1 = (r1 + x) mod 37``,
    ``r2 = (2·r2 + x) mod 37``, ``r3 = (4·r3 + x) mod 37``, the three mapped back to symbols."""
    if not len(prefixes):
        return np.array([], dtype="<U3")
    text = np.char.add(np.asarray(prefixes, dtype="<U9"), np.asarray(numbers, dtype="<U10")).astype("S19")
    values = _VALUE[text.view(np.uint8).reshape(len(text), 19)]
    if (values < 0).any():
        raise ValueError("a RIO prefix or number holds a character outside A-Z, 0-9")
    r = np.zeros((3, len(text)), np.int64)
    factors = np.array([1, 2, 4])[:, None]
    for i in range(19):  # characters, not lines
        r = (factors * r + values[:, i]) % 37
    return np.char.add(np.char.add(_SYMBOL[r[0]], _SYMBOL[r[1]]), _SYMBOL[r[2]])


def rio_key(rio_prefix: str, number: str) -> str:
    """The key of one RIO (``OO-Q-RRRRRR`` with or without dashes) for a national number."""
    return str(rio_keys([rio_prefix.replace("-", "")], [number])[0])


def national_numbers(raw: pd.Series) -> pd.Series:
    """Each number as its 10-digit national form (``+33 6 12 34 56 78``, ``0033612345678``
    and ``06.12.34.56.78`` → ``0612345678``), NA when it is not one (vectorised string ops)."""
    text = raw.astype("string").str.replace(r"[\s.\-/()]", "", regex=True)
    text = text.str.replace(r"^(?:\+33|0033)", "0", regex=True)
    return text.where(text.str.fullmatch(r"0[0-9]{9}").fillna(False).astype(bool))


@dataclass(frozen=True)
class RioLine:
    row: int  # row in the file (header = 1)
    line: str | None  # pseudonym of the number (its national form when it has one)
    status: str  # ok | warning | invalid
    reasons: tuple[str, ...]  # in REASONS order

    def as_json(self) -> dict[str, Any]:
        return {"row": self.row, "line": self.line, "status": self.status, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class RioCheck:
    """A list of lines checked (`check_rio`); ``inventory`` tells whether numbers were
    checked against a contract's inventory."""

    file: str
    lines: tuple[RioLine, ...]
    inventory: bool

    def by_reason(self) -> dict[str, int]:
        """Rows per reason, every reason listed (0 when none)."""
        return {r: sum(r in x.reasons for x in self.lines) for r in REASONS}

    def by_status(self) -> dict[str, int]:
        return {s: sum(x.status == s for x in self.lines) for s in STATUSES}

    @property
    def rejected_share(self) -> float | None:
        """Share of rows that cannot be ported as they are (status ``invalid``); None for no row."""
        return self.by_status()["invalid"] / len(self.lines) if self.lines else None

    def as_json(self) -> dict[str, Any]:
        """The JSON of ``python -m monitoring rio FILE --json``: the lines, and (beyond the
        contract's ``lines``) their ``rejected_share``."""
        return {"lines": [x.as_json() for x in self.lines], "rejected_share": self.rejected_share}


def check_rio(rows: Sequence[int], numbers: Sequence[str | None], rios: Sequence[str | None], *,
              inventory: frozenset[str] | None = None, key: bytes | None = None, file: str = "") -> RioCheck:
    """Check each row's RIO against its number. ``inventory``: the pseudonyms (same ``key``)
    of the contract's lines, None for no inventory check."""
    key = key if key is not None else pseudonym_key()
    n = len(rows)
    raw = pd.Series(list(numbers), dtype="string").str.strip().replace("", pd.NA)
    national = national_numbers(raw)
    rio = pd.Series(list(rios), dtype="string").str.strip().replace("", pd.NA)
    parts = rio.str.extract(_RIO)
    matched = parts[0].notna().to_numpy(bool) if n else np.zeros(0, bool)
    has_number = national.notna().to_numpy(bool)
    fmt_ok = matched & has_number
    reasons = {r: np.zeros(n, bool) for r in REASONS}
    reasons["format"] = ~fmt_ok
    at = np.flatnonzero(fmt_ok)
    if len(at):
        prefix = (parts[0] + parts[1] + parts[2]).to_numpy(object)[at]
        computed = rio_keys(prefix.astype(str), national.to_numpy(object)[at].astype(str))
        reasons["key"][at] = computed != parts[3].to_numpy(object)[at].astype(str)
    reasons["personal"] = matched & (parts[1].fillna("").to_numpy(object) == "P")
    number_id = national.fillna(raw)  # the national form, else the cell as written
    compact = rio.str.replace("-", "", regex=False)
    reasons["duplicate"] = ((number_id.notna() & number_id.duplicated(keep="first"))
                            | (compact.notna() & compact.duplicated(keep="first"))).to_numpy(bool)
    pseudonyms = pseudonymise(number_id.astype(object).where(number_id.notna(), None), key)
    if inventory is not None:
        reasons["not_in_inventory"] = number_id.notna().to_numpy(bool) & ~pseudonyms.isin(inventory).to_numpy(bool)
    # each row's reasons as a bit pattern, and each distinct pattern's reasons and status once
    bits = np.zeros(n, np.int64)
    for b, r in enumerate(REASONS):
        bits |= reasons[r].astype(np.int64) << b
    why = [tuple(r for b, r in enumerate(REASONS) if pattern >> b & 1) for pattern in range(1 << len(REASONS))]
    status = ["ok" if not w else "warning" if w == ("personal",) else "invalid" for w in why]
    names = pseudonyms.astype(object).where(pseudonyms.notna(), None).tolist()
    lines = tuple(RioLine(row=int(row), line=name, status=status[b], reasons=why[b])  # one result object per row
                  for row, name, b in zip(rows, names, bits.tolist()))
    return RioCheck(file=file, lines=lines, inventory=inventory is not None)


def porting_scenario(check: RioCheck, name: str, description: str | None = None) -> dict[str, Any]:
    """A what-if scenario (`scenarios/overlay.py`'s mapping, docs/what-if.md) that replaces the
    tender's assumed ``switching.porting_failure_rate`` with the share of the checked list that
    cannot be ported as it is (`RioCheck.rejected_share`): the lost-number cost is then
    ``ported × that share × lost_number_eur`` (`scoring.switching.lost_numbers`). ``name``
    (and ``description``) are the caller's words, in the user's language. A list without a
    row has no share: a TenderError naming the file."""
    share = check.rejected_share
    if share is None:
        raise TenderError.at(check.file or "(RIO list)", "(rows)", "no line to check: no rejection share to use")
    scenario: dict[str, Any] = {"name": name}
    if description:
        scenario["description"] = description
    scenario["set"] = {"switching": {"porting_failure_rate": float(share)}}
    return scenario


def parse_columns(text: str | None) -> dict[str, str]:
    """``line=msisdn,rio=rio_code`` → {role: header}; the roles ``line`` and ``rio`` (default:
    headers named ``line`` and ``rio``). A TenderError naming the option otherwise."""
    columns = dict(DEFAULT_COLUMNS)
    if not text:
        return columns
    for part in text.split(","):
        role, sep, header = part.partition("=")
        role, header = role.strip(), header.strip()
        if not sep or role not in DEFAULT_COLUMNS or not header:
            raise TenderError.at("--columns", "(option)", f"expected line=HEADER,rio=HEADER, got {part.strip()!r}")
        columns[role] = header
    return columns


def read_rio_file(path: str | Path) -> bytes:
    """The bytes of a RIO list on disk (an unreadable file: one error naming it)."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise TenderError.at(str(path), "(file)", f"cannot read file: {exc.strerror or exc}") from None


def inventory_pseudonyms(contract_dir: str | Path, key: bytes) -> frozenset[str]:
    """The pseudonyms of a contract folder's inventory lines: as the audit reads them (the
    number as written) and, for a French number, of its national form — the form `check_rio`
    pseudonymises — so that an inventory written ``+33611111111`` knows ``0611111111``."""
    from .contract import read_contract
    from .tables import inventory_numbers, read_inventory

    contract = read_contract(contract_dir)
    index = LineIndex(key)
    read_inventory(contract, index)  # validates the inventory (errors naming file, row and column)
    index.forget()
    national = national_numbers(inventory_numbers(contract)).dropna()
    return frozenset(str(p) for p in index.pseudonyms()) | frozenset(pseudonymise(national.astype(object), key))


def rio_bytes(data: bytes, name: str, columns: dict[str, str] | None = None,
              inventory: frozenset[str] | None = None, key: bytes | None = None) -> RioCheck:
    """A RIO list's rows (CSV or .xlsx, first sheet; columns ``line`` and ``rio`` mapped by
    ``columns``) checked (`check_rio`), against ``inventory`` (`inventory_pseudonyms`; None: no
    inventory check). ``name`` is the file as errors and results name it. The command line and
    the app's uploads both come here."""
    key = key if key is not None else pseudonym_key()
    spec = RecordSpec(columns=dict(columns or DEFAULT_COLUMNS))
    frame = read_records(data, spec, shown=name, xlsx=name.lower().endswith(".xlsx"))
    cells = {role: frame[role].astype(object).where(frame[role].notna(), None).tolist() for role in ("line", "rio")}
    return check_rio(frame["row"].tolist(), cells["line"], cells["rio"], inventory=inventory, key=key, file=name)


def rio_file(path: str | Path, columns: dict[str, str] | None = None, contract_dir: str | Path | None = None,
             key: bytes | None = None) -> RioCheck:
    """``python -m monitoring rio FILE``: the file's rows checked, against the inventory of
    ``contract_dir`` (default: the folder holding FILE when it holds a contract.yaml; no
    inventory check when neither)."""
    key = key if key is not None else pseudonym_key()
    data = read_rio_file(path)
    folder = Path(contract_dir) if contract_dir is not None else Path(path).parent
    inventory = None
    if contract_dir is not None or (folder / "contract.yaml").is_file():
        inventory = inventory_pseudonyms(folder, key)
    return rio_bytes(data, str(path), columns, inventory, key)


__all__ = ["ALPHABET", "REASONS", "RioCheck", "RioLine", "check_rio", "national_numbers", "parse_columns",
           "porting_scenario", "read_rio_file", "rio_bytes", "rio_file", "rio_key", "rio_keys"]
