"""A workbook is untrusted input, and a zip: what openpyxl must never open is refused first
(`check_package`): too big, not a zip, a zip bomb, too many parts, encrypted parts, macros,
XML carrying a DTD. Limits can be lowered or raised through the environment.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from ..errors import TenderError
from ..limits import env_limit
from ..quote import printable
from .schema import WORKBOOK

# A filled schedule is a few dozen kilobytes; these limits only stop hostile files early.
MAX_XLSX_BYTES = env_limit("FLEETBID_MAX_XLSX_BYTES", 5 * 1024 * 1024)  # the file as uploaded (compressed)
MAX_XLSX_UNPACKED = env_limit("FLEETBID_MAX_XLSX_UNPACKED", 20 * 1024 * 1024)  # all parts once unpacked
MAX_XLSX_ENTRIES = env_limit("FLEETBID_MAX_XLSX_ENTRIES", 200)  # parts in the package: a ten-sheet workbook has ~30


def check_package(data: bytes, shown: str) -> None:
    """Refuse what openpyxl should never open: too big, not a zip, a zip bomb (sizes from
    the zip directory, which Python's zipfile also enforces while inflating), macros, DTDs."""
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TenderError.at(shown, WORKBOOK, "an old-format (.xls) or password-protected workbook: "
                                        "save it as .xlsx (Excel Workbook) without a password")
    if len(data) > MAX_XLSX_BYTES:
        raise TenderError.at(shown, WORKBOOK, f"{len(data):,} bytes: over the {MAX_XLSX_BYTES:,}-byte limit for a workbook")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise TenderError.at(shown, WORKBOOK, "not an Excel .xlsx workbook (it is not a zip package)") from None
    if len(infos) > MAX_XLSX_ENTRIES:
        raise TenderError.at(shown, WORKBOOK, f"{len(infos)} parts: more than the {MAX_XLSX_ENTRIES} a workbook may hold")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_XLSX_UNPACKED:
        raise TenderError.at(shown, WORKBOOK, f"unpacks to {unpacked:,} bytes: over the {MAX_XLSX_UNPACKED:,}-byte limit "
                                        "(a price schedule is a few dozen kilobytes)")
    for info in infos:
        name = info.filename.lower()
        if info.flag_bits & 0x1:
            raise TenderError.at(shown, printable(info.filename), "encrypted part: save the workbook without a password")
        if name.endswith("vbaproject.bin") or name.startswith(("xl/macrosheets/", "xl/activex")):
            raise TenderError.at(shown, WORKBOOK, "the workbook contains macros: save it as .xlsx (Excel Workbook), "
                                            "macros are not accepted")
    for info in infos:
        if info.filename.lower().endswith((".xml", ".rels", ".vml")) or info.filename == "[Content_Types].xml":
            try:
                content = archive.read(info)
            # A damaged package fails in many ways: a bad CRC or header, a negative seek
            # offset (ValueError), a corrupt deflate stream (zlib.error).
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError, RuntimeError,
                    zlib.error) as exc:
                raise TenderError.at(shown, printable(info.filename), f"damaged workbook part ({printable(exc)})") from None
            if any(mark.encode(codec) in content for mark in ("<!DOCTYPE", "<!ENTITY")
                   for codec in ("utf-8", "utf-16-le", "utf-16-be")):
                # No workbook needs a DTD; entities are how XML bombs expand.
                raise TenderError.at(shown, printable(info.filename), "XML with a DTD is not accepted in a workbook")
            if info.filename == "[Content_Types].xml" and b"macroEnabled" in content:
                raise TenderError.at(shown, WORKBOOK, "a macro-enabled workbook (.xlsm): save it as .xlsx (Excel Workbook)")
