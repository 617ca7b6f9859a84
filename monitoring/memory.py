"""A contract folder held in memory (an upload): `MemoryFolder` answers the few `pathlib.Path`
questions the contract's readers ask of a folder — ``folder / name``, ``is_file``, ``is_dir``,
``iterdir``, ``read_bytes``, ``name``, ``suffix`` — from a mapping of paths (relative, POSIX)
to bytes, so that `monitoring.contract.read_contract` and `monitoring.tables` read an upload
exactly as they read a folder on disk, and name its files the same way.

A path is confined to the mapping: ``..`` that would leave it gives a folder that holds
nothing (`inside` is False), never a file of the machine.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping


class MemoryFolder:
    """``files`` (paths inside the folder → bytes) seen from ``at`` (a path inside it, "" for
    the top); ``shown`` is the top folder as errors name it."""

    def __init__(self, files: Mapping[str, bytes], shown: str, at: str = ""):
        self.files, self.shown, self.at = files, shown, at

    @property
    def inside(self) -> bool:
        """The path stays inside the folder (no ``..`` above its top)."""
        return self.at != ".." and not self.at.startswith(("../", "/"))

    def __truediv__(self, name: str) -> MemoryFolder:
        joined = posixpath.normpath(posixpath.join(self.at, str(name).replace("\\", "/")))
        return MemoryFolder(self.files, self.shown, "" if joined == "." else joined)

    def __str__(self) -> str:
        return f"{self.shown}/{self.at}" if self.at else self.shown

    def __repr__(self) -> str:
        return f"MemoryFolder({str(self)!r})"

    @property
    def name(self) -> str:
        return posixpath.basename(self.at) if self.at else self.shown

    @property
    def suffix(self) -> str:
        return posixpath.splitext(self.name)[1]

    @property
    def stem(self) -> str:
        return posixpath.splitext(self.name)[0]

    def is_file(self) -> bool:
        return self.inside and self.at in self.files

    def is_dir(self) -> bool:
        return self.inside and (not self.at or any(p.startswith(self.at + "/") for p in self.files))

    def read_bytes(self) -> bytes:
        if not self.is_file():
            raise FileNotFoundError(2, "No such file or directory", str(self))
        return self.files[self.at]

    def below(self) -> dict[str, bytes]:
        """The files under this folder, keyed by their path inside it."""
        if not self.inside:
            return {}
        prefix = self.at + "/" if self.at else ""
        return {p[len(prefix):]: data for p, data in self.files.items() if p.startswith(prefix)}

    def iterdir(self) -> Iterator[MemoryFolder]:
        """The entries directly inside (files and folders), in name order."""
        names = sorted({p.split("/", 1)[0] for p in self.below()})
        return iter([self / n for n in names])


__all__ = ["MemoryFolder"]
