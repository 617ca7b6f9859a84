"""Tender folders as in-memory files: read from a folder or an uploaded zip, written back
to a zip. Limits keep a hostile archive (a zip bomb, thousands of entries, paths leaving
the folder) from doing harm: it is refused with a clear error instead.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import yaml

from .errors import TenderError
from .limits import env_limit  # also imported from here
from .quote import CONTROL, printable, quote

# Upload limits (zip and loose files in the app); see docs/reliability.md §3.
MAX_FILES = env_limit("FLEETBID_MAX_FILES", 500)
MAX_FILE_BYTES = env_limit("FLEETBID_MAX_FILE_BYTES", 5 * 1024 * 1024)
MAX_TOTAL_BYTES = env_limit("FLEETBID_MAX_TOTAL_BYTES", 50 * 1024 * 1024)
# A billing export (usage_file) is far larger than the YAML and Excel files: its own limit,
# per export and for all the exports of an upload together (else 500 entries of 512 MB each).
MAX_EXPORT_BYTES = env_limit("FLEETBID_MAX_EXPORT_BYTES", 512 * 1024 * 1024)
EXPORTS = (".csv",)
WANTED = (".yaml", ".yml", ".xlsx", ".xlsm", ".xls", *EXPORTS)  # Excel bids too; .xlsm/.xls are refused by the loader


def is_export(path: str) -> bool:
    """A billing export: its own size limit (per file and for all exports together), not
    counted in the YAML and Excel total."""
    return PurePosixPath(path).suffix.lower() in EXPORTS


def file_limit(path: str) -> int:
    """The size limit of one input file, by its suffix."""
    return MAX_EXPORT_BYTES if is_export(path) else MAX_FILE_BYTES


def _wanted(path: PurePosixPath) -> bool:
    """An input file (by its suffix, in any case) outside hidden folders."""
    return path.suffix.lower() in WANTED and not any(part.startswith(".") for part in path.parts)


def _in_bids(path: PurePosixPath) -> bool:
    """Under bids/ (in any case: `Bids/` is reported, not ignored): every such file is kept,
    whatever its kind, for the loader to read it as a bid, refuse it or name it in a warning
    (scoring.load.unread_in_bids)."""
    return len(path.parts) >= 2 and path.parts[0].lower() == "bids"


def files_of_folder(folder: str | Path) -> dict[str, bytes]:
    """The input files of a tender folder (YAML, Excel bids, billing exports) and every file
    under bids/, keyed by their path inside it."""
    root = Path(folder)
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            rel = PurePosixPath(path.relative_to(root).as_posix())
            if _in_bids(rel) or (path.suffix.lower() in WANTED and len(rel.parts) <= 2):
                out[str(rel)] = path.read_bytes()
    return out


def files_from_zip(data: bytes, name: str = "upload.zip") -> dict[str, bytes]:
    """The input files of a zipped tender folder; a single top folder is stripped."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise TenderError.at(name, "", "not a zip file") from None
    entries = [i for i in archive.infolist() if not i.is_dir()]
    if len(entries) > MAX_FILES:
        raise TenderError.at(name, "", f"{len(entries)} files: more than the {MAX_FILES} a tender may hold")
    paths: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    for info in entries:
        shown = printable(info.filename)
        # `./bids/x.yaml`, `bids//x.yaml` and `bids\x.yaml` (Windows tools) are bids/x.yaml.
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts:
            raise TenderError.at(name, shown, "a path outside the tender folder is not allowed")
        if CONTROL.search(info.filename):
            raise TenderError.at(name, shown, "a file name with control characters is not allowed")
        if path.parts and path.parts[0] != "__MACOSX":  # macOS's resource forks: never part of a tender
            paths.append((info, path))
    # A single top folder is stripped (the zip of a folder), as decided on the input files.
    wanted = {str(p) for _, p in paths if _wanted(p)}
    tops = {PurePosixPath(p).parts[0] for p in wanted}
    top = next(iter(tops)) if len(tops) == 1 and "tender.yaml" not in wanted else None
    kept: list[tuple[zipfile.ZipInfo, str]] = []
    seen: dict[str, zipfile.ZipInfo] = {}
    for info, path in paths:
        if top is not None:
            if path.parts[0] != top or len(path.parts) == 1:
                continue
            path = PurePosixPath(*path.parts[1:])
        if not (_wanted(path) or _in_bids(path)):
            continue
        key = str(path)
        first = seen.get(key.lower())
        if first is not None:
            # A second entry for one file would silently replace the first (a zip can hold
            # both; so can `x.yaml` and `X.yaml`, which a case-insensitive disk cannot).
            raise TenderError.at(name, printable(info.filename), f"{printable(key)} is in the zip twice (also as "
                                                                 f"{quote(first.filename)}): a zip may hold each file once")
        seen[key.lower()] = info
        kept.append((info, key))
    total = exports = 0
    out: dict[str, bytes] = {}
    for info, key in kept:
        shown = printable(info.filename)
        limit = file_limit(key)
        if info.file_size > limit:
            raise TenderError.at(name, shown, f"{info.file_size:,} bytes: over the {limit:,}-byte limit")
        if is_export(key):  # exports have their own limit, per file and in all
            exports += info.file_size
            if exports > MAX_EXPORT_BYTES:
                raise TenderError.at(
                    name, shown, f"billing exports over the {MAX_EXPORT_BYTES:,}-byte limit in all once unpacked"
                )
        else:
            total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise TenderError.at(name, "", f"over the {MAX_TOTAL_BYTES:,}-byte limit once unpacked")
        try:
            with archive.open(info) as handle:
                # zipfile never inflates past the header's size and then checks the CRC, so a
                # forged size is an error below; and stop reading past the limit anyway.
                content = handle.read(limit + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError) as exc:
            # A damaged or forged entry (bad CRC, broken deflate stream, size that lies),
            # an unsupported compression method, or an encrypted entry.
            raise TenderError.at(name, shown, f"damaged or unreadable zip entry ({printable(exc)})") from None
        if len(content) > limit:
            raise TenderError.at(name, shown, f"over the {limit:,}-byte limit once unpacked")
        out[key] = content
    return out


KNOWN = {"tender.yaml", "evaluations.yaml", "consensus.yaml"}  # loose files that are not bids


def _place(name: str) -> str:
    """Where a loose file goes in the tender folder: tender.yaml, evaluations.yaml,
    consensus.yaml and a billing export (.csv) at the root, any other file in bids/."""
    if name in KNOWN or is_export(name):
        return name
    return f"bids/{name}"


def files_of_uploads(uploads: list[tuple[str, bytes]]) -> dict[str, bytes]:
    """Uploaded files placed by name (`_place`) or a zip, under the limits of a zip: at most
    `MAX_FILES` files in all, each within its own limit (`file_limit`: exports have
    `MAX_EXPORT_BYTES`), the YAML and Excel files at most `MAX_TOTAL_BYTES` together (exports
    not counted), the exports at most `MAX_EXPORT_BYTES` together. A refusal is one
    TenderError naming the file that crossed the limit."""
    files: dict[str, bytes] = {}
    count = total = exports = 0

    def counted(name: str, paths: dict[str, bytes]) -> None:
        nonlocal count, total, exports
        count += len(paths)
        if count > MAX_FILES:
            raise TenderError.at(name, "", f"{count:,} files: more than the {MAX_FILES:,} a tender may hold")
        exports += sum(len(data) for path, data in paths.items() if is_export(path))
        if exports > MAX_EXPORT_BYTES:
            raise TenderError.at(name, "", f"over the {MAX_EXPORT_BYTES:,}-byte limit of billing exports "
                                           "in all")
        total += sum(len(data) for path, data in paths.items() if not is_export(path))
        if total > MAX_TOTAL_BYTES:
            raise TenderError.at(name, "", f"over the {MAX_TOTAL_BYTES:,}-byte limit of YAML and Excel "
                                           "files in all")

    origin: dict[str, str] = {}  # path in the tender, in lower case -> the upload that gave it

    def place(upload: str, path: str, data: bytes) -> None:
        # One file given twice (two uploads of one name, or a loose file also in a zip) would
        # silently replace the other; paths differing only in case too (see files_from_zip).
        first = origin.get(path.lower())
        if first is not None:
            also = "another upload of that name" if first == upload else printable(first)
            raise TenderError.at(upload, "", f"{printable(path)} is uploaded twice (also in {also}): "
                                             "upload each file once")
        origin[path.lower()] = upload
        files[path] = data

    for upload, data in uploads:
        if upload.lower().endswith(".zip"):
            unpacked = files_from_zip(data, upload)
            counted(upload, unpacked)
            for path, content in unpacked.items():
                place(upload, path, content)
            continue
        name = PurePosixPath(upload).name
        limit = file_limit(name)
        if len(data) > limit:
            raise TenderError.at(upload, "", f"{len(data):,} bytes: over the {limit:,}-byte limit")
        counted(upload, {name: data})
        place(upload, _place(name), data)
    return files


def zip_of(files: dict[str, bytes], folder: str) -> bytes:
    """A zip of the files under one top folder, entries in name order with a fixed date,
    so the same files always give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(f"{folder}/{path}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, files[path])
    return buffer.getvalue()


def yaml_bytes(data: dict) -> bytes:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True).encode("utf-8")
