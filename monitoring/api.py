"""What the app asks of a contract (the Invoice audit page), as `scenarios/api.py` is for a
tender: a contract folder as files (`ContractFiles`: a folder on disk — the bundled contracts
`contracts/*/` — or an uploaded zip held in memory, identified by a digest), audited once
(`open_contract` → `ContractAudit`: the frozen `monitoring.audit.Audit`, which keeps the
billed line-periods of each month, and its `Contract`), and the page's aggregates (`summary` →
`AuditSummary`), which `ui/api.py` caches per digest. Bad input raises `TenderError` with the command line's messages;
`ui/api.py` keeps it as an `Outcome` (monitoring is independent of `scenarios`).

An upload goes through `scoring.archive` (zip checks: size limits, zip bombs, paths leaving
the folder, a file twice) and is read from memory (`monitoring.memory.MemoryFolder`): the
contract's tender must be inside the zip. Lines are pseudonyms throughout: no raw phone
number is in anything here.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd

from scoring import archive
from scoring.errors import TenderError
from scoring.yamlio import parse_yaml_mapping

from .audit import Audit, UnusedLine, read_and_audit
from .contract import Contract
from .memory import MemoryFolder

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"  # the bundled contract folders
SHOWN = 200  # claims and unused lines listed on the page (the rest are counted, and in the workbook)


def bundled_contracts() -> list[Path]:
    """The bundled contract folders: ``contracts/*/`` holding a contract.yaml, by name."""
    return sorted(p.parent for p in CONTRACTS.glob("*/contract.yaml") if p.is_file())


def _hash_files(h, files: Mapping[str, bytes] | Path, prefix: str = "") -> None:
    if isinstance(files, Path):
        for path in sorted(p for p in files.rglob("*") if p.is_file()):
            h.update(f"{prefix}{path.relative_to(files).as_posix()}".encode() + b"\0"
                     + hashlib.sha256(path.read_bytes()).digest())
        return
    for path in sorted(files):
        h.update(f"{prefix}{path}".encode() + b"\0" + hashlib.sha256(files[path]).digest())


@dataclass(frozen=True)
class ContractFiles:
    """A contract folder: an upload's files in memory (``files``, keyed by their path in the
    folder) or a folder on disk (``folder``); ``name`` is the folder as errors name it."""

    name: str
    files: dict[str, bytes] | None = None
    folder: Path | None = None

    @cached_property
    def digest(self) -> str:
        """SHA-256 over the paths and contents (for a folder on disk, also its tender's when
        the tender is outside it), computed once."""
        h = hashlib.sha256()
        if self.files is not None:
            _hash_files(h, self.files)
            return h.hexdigest()
        _hash_files(h, self.folder)
        try:
            tender = (self.folder / str(parse_yaml_mapping((self.folder / "contract.yaml").read_bytes(), "")
                                        .get("tender", ""))).resolve()
        except (TenderError, OSError, AttributeError):
            tender = None  # reading the contract says what is wrong
        if tender is not None and tender.is_dir() and not tender.is_relative_to(self.folder.resolve()):
            _hash_files(h, tender, "(tender)/")
        return h.hexdigest()

    @property
    def root(self) -> Path | MemoryFolder:
        """The folder the readers read: on disk, or the upload in memory."""
        return self.folder if self.folder is not None else MemoryFolder(self.files, self.name)

    @classmethod
    def of_folder(cls, folder: str | Path) -> ContractFiles:
        """A contract folder on disk, read where it is (its tender may be outside it, as the
        bundled contracts' ``../../tenders/…``); errors name it as given."""
        return cls(str(folder).rstrip("/"), folder=Path(folder))

    @classmethod
    def of_uploads(cls, data: bytes, name: str = "upload.zip") -> ContractFiles:
        """An uploaded zip of a contract folder (`scoring.archive.files_from_zip`: its limits,
        a single top folder stripped), named after the zip's file name without ``.zip``."""
        if not name.lower().endswith(".zip"):
            raise TenderError.at(name, "(file)", "upload the contract folder as one zip (contract.yaml, "
                                 "inventory.csv, invoices/ and the tender folder)")
        return cls(PurePosixPath(name).stem, files=archive.files_from_zip(data, name))


@dataclass(frozen=True)
class ContractAudit:
    """A contract audited: the `Audit` and its `Contract` (the tender, the awarded bid: the claim
    workbook and letter name the parties from it)."""

    audit: Audit
    contract: Contract

    @property
    def line_periods(self) -> dict[str, int]:
        """Period → billed line-periods (distinct lines with a row on that month's invoice, for
        the accuracy of each month): the audit's `monitoring.audit.InvoiceTotals`."""
        return self.audit.totals.line_periods


def open_contract(files: ContractFiles, key: bytes | None = None) -> ContractAudit:
    """Read and audit a contract folder by the command line's path
    (`monitoring.audit.read_and_audit`: same readers, same messages). Raises TenderError."""
    contract, result = read_and_audit(files.root, key)
    return ContractAudit(audit=result, contract=contract)


# --------------------------------------------------------------------------- the page's aggregates


@dataclass(frozen=True)
class AuditSummary:
    """What the Invoice audit page shows besides the claims (whose order and totals are the
    claim workbook's, `reports.claims`): the re-split per entity, the billing accuracy of each
    month, and at most `SHOWN` unused lines (``n_unused`` counts them all). Amounts excl. VAT,
    unrounded."""

    by_entity: pd.DataFrame  # entity, name, billed, expected, difference: adds up to the audit's totals
    accuracy: pd.DataFrame  # period, line_periods, with_finding, accuracy (every period billed)
    unused: tuple[UnusedLine, ...]  # at most SHOWN, in the audit's order (longest run first)
    n_unused: int
    unused_monthly: float  # Σ the unused lines' monthly cost: saved each month they are gone
    entity_names: dict[str, str]  # entity id → name (`unassigned` kept as it is)
    profile_names: dict[str, str]


def summary(result: ContractAudit, shown: int = SHOWN) -> AuditSummary:
    """The page's aggregates of an audited contract."""
    a, spec = result.audit, result.contract.tender.spec
    entity_names = {e.id: e.name or e.id for e in spec.entities}
    entity = pd.DataFrame([{"entity": e, "name": entity_names.get(e, e), "billed": v["billed"],
                            "expected": v["expected"]} for e, v in a.by_entity.items()],
                          columns=["entity", "name", "billed", "expected"])
    entity["difference"] = entity["billed"] - entity["expected"]
    # Billing accuracy of each month: its billed line-periods without a finding (the audit's
    # rule, monitoring.audit: line-level findings mark their line-period; account-level ones
    # do not lower it), so the months' line-periods add up to the audit's billing_accuracy.
    marked = {(f.line, f.period) for f in a.findings if f.line is not None}
    bad = pd.Series([p for _, p in marked], dtype=object).value_counts()
    accuracy = pd.DataFrame({"period": list(a.periods),
                             "line_periods": [result.line_periods.get(p, 0) for p in a.periods],
                             "with_finding": [int(bad.get(p, 0)) for p in a.periods]})
    accuracy["accuracy"] = np.where(accuracy["line_periods"] > 0,
                                    1.0 - accuracy["with_finding"] / accuracy["line_periods"].clip(lower=1), 1.0)
    return AuditSummary(
        by_entity=entity, accuracy=accuracy, unused=a.unused_lines[:shown], n_unused=len(a.unused_lines),
        unused_monthly=math.fsum(u.monthly_cost for u in a.unused_lines), entity_names=entity_names,
        profile_names={p.id: p.name or p.id for p in spec.profiles})


__all__ = ["CONTRACTS", "SHOWN", "AuditSummary", "ContractAudit", "ContractFiles", "bundled_contracts",
           "open_contract", "summary"]
