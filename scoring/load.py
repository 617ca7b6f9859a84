"""Load a tender folder into one validated `Tender`.

Layout: ``tender.yaml``, ``bids/*.yaml`` (or ``.yml``, or ``.xlsx``: a filled Excel price
schedule, see `scoring.excel`; extensions in any case), optional ``evaluations.yaml`` and
``consensus.yaml`` (moderated consensus scores with their reasons). Every file in ``bids/``
is read as a bid, refused, or — a hidden, lock or backup file — named in a warning: none is
left out silently (`unread_in_bids`).
Every defect becomes a `Problem` naming the file and the dotted field path; all problems
found are raised together in one `TenderError`. Rules that span files (unknown ids,
weights adding up to 100, duplicate ids) are checked here, after each file validated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .errors import Problem, TenderError
from .inputs import control_characters, pydantic_problems, strip_nulls  # also imported from here
from .model import ID_PATTERN, Bid, BidFile, Moderation, Profile, Tender, TenderFile, usage_mean
from .quote import printable, quote
from .yamlio import parse_yaml_mapping, read_yaml_mapping

WEIGHT_TOLERANCE = 0.01
MAX_NAME = 1000  # characters of a file name shown (escaped: `scoring.quote.printable`)


def _validate(model: type, data: dict, file: str) -> tuple[Any, list[Problem]]:
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        return None, pydantic_problems(exc, file)


def _repeats(ids: list[str]) -> list[tuple[int, str]]:
    """(index, id) of every id already used earlier in the list: the error points at the
    repeat, so the user is sent to the entry to rename."""
    return [(i, x) for i, x in enumerate(ids) if x in ids[:i]]


@dataclass(frozen=True)
class RawFile:
    """One input file as parsed YAML (nulls stripped) and the name errors show for it."""

    shown: str
    data: dict[str, Any] | None  # None: the file could not be read (its problems are recorded)


@dataclass(frozen=True)
class RawTender:
    """A tender folder as parsed, not yet validated: what scenarios overlay before
    validation runs again on the result."""

    folder: str
    tender: RawFile
    bids: tuple[tuple[str, RawFile], ...]  # (file stem, file), in file-name order
    evaluations: RawFile | None = None
    consensus: RawFile | None = None
    problems: tuple[Problem, ...] = ()  # reading problems (syntax, encoding, empty files)
    # Where other files named by tender.yaml (the usage_file) are read: a folder on disk, or
    # the in-memory files of an upload.
    root: str | None = None
    files: dict[str, bytes] | None = field(default=None, repr=False)
    warnings: tuple[str, ...] = ()  # reading warnings (files of bids/ that are not bids, see unread_in_bids)

    def attachment(self, path: str) -> tuple[tuple, Callable[[], bytes]] | None:
        """A file of the tender folder by its relative path: (a stamp that changes when its
        content may have changed, a function reading it), or None when absent. The stamp
        lets a large export be parsed once however often the tender is rebuilt (scenarios,
        sensitivity): the bytes' identity for an upload, size and time for a file on disk."""
        if self.files is not None:
            data = self.files.get(path)
            return None if data is None else (("upload", id(data), len(data)), lambda: data)
        if self.root is None:
            return None
        target = Path(self.root) / path
        if not target.is_file():
            return None
        info = target.stat()
        return ("disk", str(target.resolve()), info.st_size, info.st_mtime_ns), target.read_bytes

    def bid_id(self, stem: str, raw: RawFile) -> Any:
        return raw.data.get("id", stem) if raw.data is not None else stem


def read_folder(folder: str | Path) -> RawTender:
    """Parse every file of a tender folder; structural problems (no folder, no tender.yaml,
    no bids/) raise at once, file problems are carried to `build_tender`."""
    root = Path(folder)
    shown = str(folder).rstrip("/")
    if not root.is_dir():
        raise TenderError.at(shown, "(folder)", "not a folder (a tender is a folder with tender.yaml and bids/)")
    tender_path = root / "tender.yaml"
    tender_shown = f"{shown}/tender.yaml"
    if not tender_path.is_file():
        raise TenderError.at(tender_shown, "(file)", "file is missing")
    problems: list[Problem] = []
    tender = RawFile(tender_shown, strip_nulls(read_yaml_mapping(tender_path, tender_shown)))
    bids_dir = root / "bids"
    if not bids_dir.is_dir():
        raise TenderError(Problem(f"{shown}/bids", "(folder)", "folder is missing (one file per bid: YAML, or a filled Excel schedule)"))
    entries = sorted(bids_dir.iterdir())
    kinds = {p.name: _kind(p.name, p.is_file(), p.is_dir() and _holds_a_file(p))
             if p.is_file() or p.is_dir() else UNREADABLE for p in entries}
    warnings: list[str] = []
    problems += unread_in_bids(f"{shown}/bids", kinds, warnings)
    # (`Bids/` on a case-insensitive disk is bids/ itself, read above.)
    problems += _other_bids_folders(shown, [p.name for p in root.iterdir()
                                            if p.name.lower() == "bids" and not _same_file(p, bids_dir)])
    bids = []
    for path in (p for p in entries if kinds[p.name] == BID):
        bid_shown = f"{shown}/bids/{printable(path.name, MAX_NAME)}"  # a name's control characters escaped
        if path.suffix.lower() in EXCEL_SUFFIXES:
            try:
                content = path.read_bytes()
            except OSError as exc:
                problems.append(Problem(bid_shown, "(file)", f"cannot read file: {exc.strerror}"))
                content = None
            data = None if content is None else _excel_mapping(content, bid_shown, problems)
        else:
            data = _optional_mapping(path, bid_shown, problems)
        bids.append((path.stem, RawFile(bid_shown, data)))
    optional = {}
    for name in ("evaluations", "consensus"):
        file_shown = f"{shown}/{name}.yaml"
        data = _optional_mapping(root / f"{name}.yaml", file_shown, problems)
        optional[name] = RawFile(file_shown, data) if (root / f"{name}.yaml").is_file() else None
    return RawTender(shown, tender, tuple(bids), optional["evaluations"], optional["consensus"], tuple(problems),
                     root=str(root), warnings=tuple(warnings))


def read_files(name: str, files: dict[str, bytes]) -> RawTender:
    """Parse a tender given as in-memory files (an upload): keys are paths inside the
    tender folder — ``tender.yaml``, ``bids/<id>.yaml``, ``evaluations.yaml``,
    ``consensus.yaml``, ``bids/<id>.xlsx``; other paths are ignored. Same checks as `read_folder`."""
    problems: list[Problem] = []

    def parse(path: str) -> RawFile:
        shown = f"{name}/{printable(path, MAX_NAME)}"
        if Path(path).suffix.lower() in EXCEL_SUFFIXES:
            return RawFile(shown, _excel_mapping(files[path], shown, problems))
        try:
            return RawFile(shown, strip_nulls(parse_yaml_mapping(files[path], shown)))
        except TenderError as exc:
            problems.extend(exc.problems)
            return RawFile(shown, None)

    if "tender.yaml" not in files:
        raise TenderError.at(f"{name}/tender.yaml", "(file)", "file is missing")
    tender = parse("tender.yaml")
    if tender.data is None:
        raise TenderError(problems)
    kinds: dict[str, str] = {}
    for path in sorted(files):
        if path.startswith("bids/"):
            entry, *below = path[len("bids/"):].split("/", 1)
            if entry and entry not in kinds:
                kinds[entry] = _kind(entry, not below, bool(below))
    warnings: list[str] = []
    problems += unread_in_bids(f"{name}/bids", kinds, warnings)
    problems += _other_bids_folders(name, [p.split("/", 1)[0] for p in files if "/" in p])
    bids = tuple((Path(entry).stem, parse(f"bids/{entry}")) for entry, kind in kinds.items() if kind == BID)
    optional = {n: parse(f"{n}.yaml") if f"{n}.yaml" in files else None for n in ("evaluations", "consensus")}
    return RawTender(name, tender, bids, optional["evaluations"], optional["consensus"], tuple(problems),
                     files=files, warnings=tuple(warnings))


# An Excel bid is read by scoring.excel.reader; macro-enabled and old-format workbooks are picked
# up too, so that they are refused with a clear message rather than silently ignored.
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


BID_SUFFIXES = (".yaml", ".yml", *EXCEL_SUFFIXES)  # in any case: `novacom.YAML` is a bid
# What becomes of an entry of bids/ (`_kind`): read as a bid; named in a warning (a file an
# operating system or an editor leaves behind); refused (any other file, or a folder).
BID, LEFT_BEHIND, NOT_A_BID, FOLDER, UNREADABLE = "bid", "left behind", "not a bid", "folder", "unreadable"
_SYSTEM_FILES = {"thumbs.db", "desktop.ini", "__macosx"}
_SPREADSHEETS = (".ods", ".xlsb", ".xltx", ".xltm", ".numbers", ".csv", ".tsv")


def _kind(name: str, is_file: bool, holds_files: bool) -> str | None:
    """What an entry of bids/ is. Hidden names (``.DS_Store``, ``._bid.xlsx``, a macOS
    resource fork), Excel's lock file ``~$bid.xlsx``, editor backups ``bid.yaml~``,
    ``Thumbs.db`` and ``desktop.ini`` are left behind by the system, not written by anyone:
    not read, named in a warning. A .yaml, .yml, .xlsx, .xlsm or .xls file is read as a bid
    (the last two to be refused with their own message). Any other file is refused, and so is
    a folder holding files (bids in it would be left out); an empty folder is nothing (None)."""
    if name.startswith((".", "~$")) or name.endswith("~") or name.lower() in _SYSTEM_FILES:
        return LEFT_BEHIND if is_file or holds_files else None
    if not is_file:
        return FOLDER if holds_files else None
    return BID if Path(name).suffix.lower() in BID_SUFFIXES else NOT_A_BID


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def _holds_a_file(folder: Path) -> bool:
    return any(p.is_file() for p in folder.rglob("*"))


def unread_in_bids(bids: str, kinds: dict[str, str | None], warnings: list[str]) -> list[Problem]:
    """No file of bids/ is left out silently: a problem for each file or folder that is not a
    bid, a warning for each one left behind by the system (see `_kind`). ``bids`` is the
    folder as messages show it, ``kinds`` every entry's kind by name."""
    problems = []
    for entry, kind in kinds.items():
        shown = f"{bids}/{printable(entry, MAX_NAME)}"
        if kind == LEFT_BEHIND:
            warnings.append(f"{shown} is not read: a hidden, lock or backup file, not a bid")
        elif kind == FOLDER:
            problems.append(Problem(shown, "(folder)", "a folder inside bids/ is not read: put each bid file "
                                                       "directly in bids/, or move the folder out of bids/"))
        elif kind == UNREADABLE:
            problems.append(Problem(shown, "(file)", "neither a file nor a folder (a broken link?), so it is not read"))
        elif kind == NOT_A_BID:
            hint = (" (a spreadsheet: save it as .xlsx, Excel Workbook)"
                    if Path(entry).suffix.lower() in _SPREADSHEETS else "")
            problems.append(Problem(shown, "(file)", f"not a bid file, so it is not read: a bid is one .yaml, .yml "
                                                     f"or .xlsx file{hint}; move other files out of bids/"))
    return problems


def _other_bids_folders(shown: str, names: list[str]) -> list[Problem]:
    """`Bids/` or `BIDS/` beside (or instead of) bids/: its files would not be read."""
    return [Problem(f"{shown}/{printable(n, MAX_NAME)}", "(folder)", "not read: the folder of bids is bids/, in lower case")
            for n in sorted(set(names)) if n.lower() == "bids" and n != "bids"]


def _excel_mapping(content: bytes, shown: str, problems: list[Problem]) -> dict | None:
    """A filled Excel price schedule as a bid mapping: None when it cannot be read (its
    problems collected, each naming the sheet and cell)."""
    from .excel.reader import read_bid_xlsx  # imported here: openpyxl loads only when an Excel bid is read

    try:
        return strip_nulls(read_bid_xlsx(content, shown))
    except TenderError as exc:
        problems.extend(exc.problems)
        return None


def load_tender(folder: str | Path) -> Tender:
    """Read and validate a tender folder; raise `TenderError` listing every defect."""
    return build_tender(read_folder(folder))


def build_tender(raw: RawTender) -> Tender:
    """Validate a parsed tender folder into one `Tender`; raise `TenderError` listing every defect."""
    problems: list[Problem] = list(raw.problems)
    spec, found = _validate(TenderFile, raw.tender.data or {}, raw.tender.shown)
    problems += found
    for file in (raw.tender, *(f for _, f in raw.bids), raw.evaluations, raw.consensus):
        if file is not None and file.data is not None:
            problems += control_characters(file.data, file.shown)
    if not raw.bids:
        problems.append(Problem(f"{raw.folder}/bids", "(folder)", "no bid files (*.yaml, *.yml or *.xlsx)"))
    bids: list[Bid] = []
    # The bid id each file claims, valid or not: evaluations.yaml is checked against these,
    # so a broken bid file does not also make every score for it an "unknown bid".
    claimed: dict[Any, str] = {}
    for stem, file in raw.bids:
        bid_shown, data = file.shown, file.data
        if data is None:
            claimed.setdefault(stem, bid_shown)
            continue
        bid_spec, found = _validate(BidFile, data, bid_shown)
        problems += found
        bid_id = data.get("id", stem) if bid_spec is None else (bid_spec.id or stem)
        if not isinstance(bid_id, str) or not re.fullmatch(ID_PATTERN[1:-1], bid_id):
            field = "id" if "id" in data else "(file name)"
            problems.append(Problem(bid_shown, field, f"bid id {quote(bid_id)} must match [a-z0-9_-]+"))
            if isinstance(bid_id, str):
                claimed.setdefault(bid_id, bid_shown)
            continue
        if bid_id in claimed:
            field = "id" if "id" in data else "(file name)"
            problems.append(Problem(bid_shown, field, f"bid id {quote(bid_id)} is already used by {claimed[bid_id]}"))
            continue
        claimed[bid_id] = bid_shown
        if bid_spec is not None:
            bids.append(Bid(id=bid_id, file=bid_shown, spec=bid_spec, raw=data))

    if spec is None:
        raise TenderError(problems)
    warnings: list[str] = list(raw.warnings)
    tender_problems = _check_tender(spec, raw.tender.shown)
    problems += tender_problems
    lines = None
    if spec.usage_file is not None and not tender_problems and _export_needed(spec):
        try:
            lines = _read_usage_file(raw, spec)
            spec = _profiles_from_lines(spec, lines, raw.tender.shown, warnings)
        except TenderError as exc:
            problems += exc.problems
    for bid in sorted(bids, key=lambda b: b.id):  # warnings in bid-id order, whatever the file names
        problems += _check_bid(bid, spec, warnings)
    evaluations: dict[str, dict[str, dict[str, float]]] = {}
    moderation: dict[str, dict[str, Moderation]] = {}
    # With no bid files, every score would also be an "unknown bid".
    if raw.evaluations is not None and raw.evaluations.data is not None and raw.bids:
        evaluations, found = _check_evaluations(raw.evaluations.data, spec, set(claimed), raw.evaluations.shown)
        problems += found
    if raw.consensus is not None and raw.consensus.data is not None and raw.bids:
        moderation, found = _check_moderation(raw.consensus.data, spec, set(claimed), raw.consensus.shown)
        problems += found
    if problems:
        raise TenderError(problems)

    bid_ids = {b.id for b in bids}
    if spec.incumbent is not None and spec.incumbent not in bid_ids:
        warnings.append(
            f"incumbent {quote(spec.incumbent)} did not bid: every bid is a challenger and carries switching costs"
        )
    return Tender(
        folder=raw.folder,
        spec=spec,
        bids=tuple(sorted(bids, key=lambda b: b.id)),
        evaluations=evaluations,
        moderation=moderation,
        warnings=tuple(warnings),
        source=raw,
        lines=lines,
    )


def _export_needed(spec: TenderFile) -> bool:
    """The export is read at load time when it is costed or completes a profile; with
    ``evaluate_on: profiles`` and complete profiles it is evidence only, read when shown
    (`measured_lines`), so evaluating does not pay for reading it."""
    return (spec.usage_file.evaluate_on == "lines" or not spec.profiles
            or any(p.lines is None or p.usage is None for p in spec.profiles))


def profiles_from_export(spec: TenderFile) -> bool:
    """Whether the tender's profiles are those of the export's profile column: ``profiles``
    left out, or listed by id only (no profile gives ``lines`` or ``usage``; a profile may still
    give its name, growth and device). docs/billing-exports.md, "Profiles from the export"."""
    return (spec.usage_file is not None and "profile" in spec.usage_file.columns
            and all(p.lines is None and p.usage is None for p in spec.profiles))


def measured_lines(tender: Tender):
    """The tender's billing-export lines (scoring.lines.Lines), read now if loading did not
    need them; None without a usage_file. Raises TenderError for a defective export."""
    if tender.spec.usage_file is None:
        return None
    if tender.lines is not None:
        return tender.lines
    return _read_usage_file(tender.source, tender.spec)


def with_export_profiles(spec: TenderFile, folder: str | Path, shown: str) -> TenderFile:
    """tender.yaml read alone (the price schedule goes out before any bid: `scoring.excel`'s
    ``tender_for``) with its profiles completed from the billing export when it takes them from
    there (`profiles_from_export`); any other tender as it is. Raises TenderError."""
    if not profiles_from_export(spec):
        return spec
    problems = _check_tender(spec, shown)
    if problems:
        raise TenderError(problems)
    raw = RawTender(str(folder).rstrip("/"), RawFile(shown, None), (), root=str(folder))
    return _profiles_from_lines(spec, _read_usage_file(raw, spec), shown, [])


def _read_usage_file(raw: RawTender, spec: TenderFile):
    """The billing export named by ``usage_file`` (scoring.lines.read_lines)."""
    from .lines import read_lines  # imported here: scoring.lines needs numpy/pandas, the model does not

    path = spec.usage_file.path
    shown = f"{raw.folder}/{path}"
    try:
        found = raw.attachment(path)
        if found is None:
            raise TenderError.at(raw.tender.shown, "usage_file.path", f"file {quote(path)} is not in the tender folder")
        return read_lines(*found, spec.usage_file, shown=shown, tender_file=raw.tender.shown,
                          entities=tuple(e.id for e in spec.entities), profiles=tuple(p.id for p in spec.profiles),
                          derive=profiles_from_export(spec))
    except OSError as exc:
        raise TenderError.at(shown, "(file)", f"cannot read file: {exc.strerror or exc}") from None


def _profiles_from_lines(spec: TenderFile, lines, file: str, warnings: list[str]) -> TenderFile:
    """Each profile's lines per entity and mean usage from the export, where the profile does
    not give them or, with ``evaluate_on: lines``, always (the export is then what is costed).
    Without ``profiles``, one profile per id of the export's profile column (sorted) by id only.
    A profile that takes its lines from the export and has none there is an error (never a
    silent zero)."""
    block = spec.usage_file
    per_line = block.evaluate_on == "lines"
    problems: list[Problem] = []
    profiles = []
    listed = spec.profiles or [Profile(id=p) for p in lines.profiles]
    for i, profile in enumerate(listed):
        counts = {e: float(n) * block.lines_scale for e, n in zip(lines.entities, lines.counts[i]) if n > 0}
        usage = {c: float(u) * block.usage_factor(c) for c, u in zip(lines.components, lines.mean[i])}
        from_export = per_line or profile.usage is None
        for c in profile.usage_growth:
            if from_export and c not in usage:
                problems.append(Problem(file, f"profiles.{i}.usage_growth.{c}",
                                        f"component {quote(c)} is not a column of the usage file"))
        declared, billed = sum((profile.lines or {}).values()), sum(counts.values())
        if profile.lines is None and not counts:
            where = (f"column {quote(block.columns['profile'].strip())}" if "profile" in block.columns
                     else "no line fits its profile_rules")
            problems.append(Problem(file, f"profiles.{i}.id", f"profile {quote(profile.id)} has no line in "
                                    f"{lines.shown} ({where}): its lines and usage come from the export"))
        if per_line and profile.lines is not None and round(declared, 6) != round(billed, 6):
            warnings.append(f"profile {quote(profile.id)}: tender.yaml declares {declared:g} lines, the usage file "
                            f"gives {billed:g}; the usage file's lines are costed")
        update = {}
        if per_line or profile.lines is None:
            update["lines"] = counts
        if from_export:
            update["usage"] = usage
        profiles.append(profile.model_copy(update=update))
    if lines.counts.sum() <= 0:
        problems.append(Problem(lines.shown, "(file)", "the usage file has no line"))
    if problems:
        raise TenderError(problems)
    return spec.model_copy(update={"profiles": profiles})


def _optional_mapping(path: Path, shown: str, problems: list[Problem]) -> dict | None:
    """An optional YAML mapping file: None when absent, its problems collected."""
    if not path.is_file():
        return None
    try:
        return strip_nulls(read_yaml_mapping(path, shown))
    except TenderError as exc:
        problems += exc.problems
        return None


def _check_moderation(
    raw: dict, tender: TenderFile, bid_ids: set[str], file: str
) -> tuple[dict[str, dict[str, Moderation]], list[Problem]]:
    """consensus.yaml: ``{bid: {criterion: {score, reason}}}`` for evaluator criteria."""
    problems: list[Problem] = []
    scales = {c.id: c.scale for c in tender.evaluation.criteria if c.kind == "evaluators"}
    out: dict[str, dict[str, Moderation]] = {}
    for bid_id, by_crit in raw.items():
        if bid_id not in bid_ids:
            problems.append(Problem(file, printable(bid_id), f"unknown bid {quote(bid_id)}"))
            continue
        if not isinstance(by_crit, dict):
            problems.append(Problem(file, printable(bid_id), "expected a mapping of criterion id to {score, reason}"))
            continue
        for crit_id, entry in by_crit.items():
            at = printable(f"{bid_id}.{crit_id}")
            if crit_id not in scales:
                problems.append(Problem(file, at, f"{quote(crit_id)} is not a criterion scored by evaluators"))
                continue
            if not isinstance(entry, dict):
                problems.append(Problem(file, at, f"expected {{score, reason}}, got {quote(entry)}"))
                continue
            try:
                moderated = Moderation.model_validate(entry)
            except ValidationError as exc:
                problems += pydantic_problems(exc, file, (bid_id, crit_id))
                continue
            if moderated.score > scales[crit_id]:  # type: ignore[operator]
                problems.append(Problem(file, f"{at}.score",
                                        f"score {moderated.score:g} is outside 0..{scales[crit_id]:g}"))
                continue
            out.setdefault(bid_id, {})[crit_id] = moderated
    return out, problems


def _check_tender(spec: TenderFile, file: str) -> list[Problem]:
    problems: list[Problem] = []
    entity_ids = [e.id for e in spec.entities]
    for i, dup in _repeats(entity_ids):
        problems.append(Problem(file, f"entities.{i}.id", f"entity id {quote(dup)} is used twice"))
    for i, dup in _repeats([p.id for p in spec.profiles]):
        problems.append(Problem(file, f"profiles.{i}.id", f"profile id {quote(dup)} is used twice"))
    if not spec.profiles and spec.usage_file is not None and "profile" not in spec.usage_file.columns:
        problems.append(Problem(file, "profiles", f"left out, but the billing export {quote(spec.usage_file.path)} "
                                "has no profile column to take them from: list the profiles, or map the "
                                "export's profile column (usage_file.columns.profile)"))
    known = set(entity_ids)
    measured = spec.usage_file is not None and spec.usage_file.evaluate_on == "lines"
    for i, profile in enumerate(spec.profiles):
        for name in ("lines", "usage"):
            if getattr(profile, name) is None and spec.usage_file is None:
                problems.append(Problem(file, f"profiles.{i}.{name}", "required field is missing"))
        for entity in profile.lines or {}:
            if entity not in known:
                problems.append(Problem(file, printable(f"profiles.{i}.lines.{entity}"),
                                        f"unknown entity {quote(entity)}"))
    if not measured and spec.profiles and all(p.lines is not None for p in spec.profiles) and (
            sum(sum(p.lines.values()) for p in spec.profiles) <= 0):
        problems.append(Problem(file, "profiles", "the fleet has no initial line (every profile's lines are 0)"))
    if not spec.profiles and spec.usage_file is None:
        problems.append(Problem(file, "profiles", "at least one profile is needed" if "profiles" in spec.model_fields_set
                                else "required field is missing (it may be left out only when usage_file maps "
                                "the billing export's profile column)"))

    ev = spec.evaluation
    for i, dup in _repeats([c.id for c in ev.criteria]):
        problems.append(Problem(file, f"evaluation.criteria.{i}.id", f"criterion id {quote(dup)} is used twice"))
    total = ev.price.weight + sum(c.weight for c in ev.criteria)
    # Rounded first: 55 + 10 + 10 + 5 + 20.01 is 100.01000000000001 in floating point, and
    # "within 0.01" must accept a sum written to exactly 100.01.
    if round(abs(total - 100), 9) > WEIGHT_TOLERANCE:
        problems.append(
            Problem(file, "evaluation", f"weights add up to {total:g}, not 100 (price {ev.price.weight:g} + criteria)")
        )
    if ev.method == "weighted_sum" and ev.price.formula == "bounded" and ev.price.bounds is None:
        problems.append(Problem(file, "evaluation.price.bounds", "the `bounded` formula needs bounds {best, worst}"))
    if ev.price.basis == "tco_service" and spec.service_costs is None:
        problems.append(Problem(file, "evaluation.price.basis", "the `tco_service` basis needs a service_costs block"))
    if ev.price.basis == "npv" and spec.discount_rate is None:
        problems.append(Problem(file, "discount_rate", "the `npv` price basis needs a discount_rate"))
    return problems


def _check_bid(bid: Bid, tender: TenderFile, warnings: list[str]) -> list[Problem]:
    spec, file = bid.spec, bid.file
    problems: list[Problem] = []
    plan_ids = [p.id for p in spec.plans]
    for i, dup in _repeats(plan_ids):
        problems.append(Problem(file, f"plans.{i}.id", f"plan id {quote(dup)} is used twice"))
    profile_ids = {p.id for p in tender.profiles}
    for profile_id, offered in spec.offer.items():
        if profile_ids and profile_id not in profile_ids:  # none: they were to come from an export that failed
            problems.append(Problem(file, printable(f"offer.{profile_id}"), f"unknown profile {quote(profile_id)}"))
        listed = enumerate(offered) if isinstance(offered, tuple) else [(None, offered)]
        for i, plan_id in listed:
            if plan_id not in plan_ids:
                at = printable(f"offer.{profile_id}" if i is None else f"offer.{profile_id}.{i}")
                problems.append(Problem(file, at, f"unknown plan {quote(plan_id)}"))

    used = {c for p in tender.profiles for c, u in (p.usage or {}).items() if usage_mean(u) > 0}
    for plan in spec.plans:
        for component in sorted(set(plan.allowances) | set(plan.rates)):
            if component not in used:
                warnings.append(
                    f"bid {bid.id}, plan {plan.id}: component {quote(component)} is used by no profile (a typo?)"
                )
    for component in spec.pool:
        if component not in used:
            warnings.append(f"bid {bid.id}, pool: component {quote(component)} is used by no profile (a typo?)")
    return problems


def _check_evaluations(
    raw: dict, tender: TenderFile, bid_ids: set[str], file: str
) -> tuple[dict[str, dict[str, dict[str, float]]], list[Problem]]:
    problems: list[Problem] = []
    scales = {c.id: c.scale for c in tender.evaluation.criteria if c.kind == "evaluators"}
    others = {c.id for c in tender.evaluation.criteria if c.kind != "evaluators"}
    out: dict[str, dict[str, dict[str, float]]] = {}
    for evaluator, by_bid in raw.items():
        name = str(evaluator)
        if not isinstance(by_bid, dict):
            problems.append(Problem(file, printable(name), "expected a mapping of bid id to scores"))
            continue
        for bid_id, by_crit in by_bid.items():
            where = printable(f"{name}.{bid_id}")
            if bid_id not in bid_ids:
                problems.append(Problem(file, where, f"unknown bid {quote(bid_id)}"))
                continue
            if not isinstance(by_crit, dict):
                problems.append(Problem(file, where, "expected a mapping of criterion id to score"))
                continue
            for crit_id, score in by_crit.items():
                at = printable(f"{name}.{bid_id}.{crit_id}")
                if crit_id in others:
                    problems.append(Problem(file, at, f"criterion {quote(crit_id)} is not scored by evaluators"))
                    continue
                if crit_id not in scales:
                    problems.append(Problem(file, at, f"unknown criterion {quote(crit_id)}"))
                    continue
                if isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
                    problems.append(Problem(file, at, f"score must be a number, got {quote(score)}"))
                    continue
                scale = scales[crit_id]
                if not 0 <= score <= scale:
                    problems.append(Problem(file, at, f"score {score:g} is outside 0..{scale:g}"))
                    continue
                out.setdefault(name, {}).setdefault(bid_id, {})[crit_id] = float(score)
    return out, problems
