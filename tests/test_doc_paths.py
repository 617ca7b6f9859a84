"""Every path the README and docs/*.md name exists in the repository, so a module that moves
cannot leave its old path in the documentation.

Checked: every ``path/like/this.py`` or ``package/`` (a token with a slash, ending in a file
extension or a slash) anywhere in the text, code blocks included, and every dotted name of a
project package in backticks (``reports.render.OFFLINE_FLAGS``: the module exists and binds
the name). A path resolves when it exists from the repository's root, from the bundled
example tender (``bids/telvia.yaml`` is one of its files) or from a folder named earlier on
the same line (the architecture table: ``reports/`` … ``text/``). What a reader creates
(output folders, their own tender folders, the deployment's secrets) is listed in
`NOT_IN_THE_REPOSITORY` with the reason; a source path (``.py``) of this project never is.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
EXAMPLES = sorted(p for p in (ROOT / "tenders").iterdir() if p.is_dir())
PACKAGES = ("scoring", "scenarios", "monitoring", "reports", "cli", "ui")

URL = re.compile(r"[a-z][a-z+.-]*://\S+|\bwww\.\S+")
SEGMENT = r"[A-Za-z0-9_][A-Za-z0-9_.-]*"
PATH = re.compile(rf"(?<![\w./~@:$-])((?:\.{{0,2}}{SEGMENT}/)+(?:{SEGMENT}\.[a-z][a-z0-9]{{0,4}})?)"
                  r"(?=$|[\s`,;:)\]'\"!?|*])")
CODE = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(rf"(?<![\w./-])((?:{'|'.join(PACKAGES)})(?:\.[A-Za-z_]\w*)+)(?![\w/-])")
FILE_SUFFIXES = {"py", "md", "toml", "yaml", "yml", "csv", "xlsx", "pdf", "json", "txt", "zip"}

# Paths the docs name that are not in the repository, each with why (full match).
NOT_IN_THE_REPOSITORY: dict[str, str] = {
    r"out/.*": "the folder the documented commands write to, the reader's",
    r"\.streamlit/secrets\.toml": "the deployment's secrets, written by whoever deploys the app (docs/app.md)",
    r"(?:tenders/x|t|DIR|upload|\.)/.*": "a tender folder of the reader's own (placeholder names)",
    r"[Bb]ids/.*": "the bids of a reader's tender folder (the example's are in tenders/conseil-2027/bids/)",
    r"scenarios/whatif\.yaml": "the scenario the app's tender download adds when the What-if settings differ",
    r"(?:data|conseil)/usage\.csv": "a billing export in a reader's tender folder",
    r"__MACOSX/": "macOS's metadata folder inside a zip, skipped on upload",
    r"xl/workbook\.xml": "a part inside an .xlsx package",
    r"ptxboa/api\.py": "a file of another project (agoenergy/ptx-boa), named as the model of the facade",
}


def _lines():
    for doc in DOCS:
        for n, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            yield f"{doc.relative_to(ROOT)}:{n}", URL.sub(" ", line)


@cache
def _module_file(dotted: tuple[str, ...]) -> Path | None:
    base = ROOT.joinpath(*dotted)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


@cache
def _bound_names(module: Path) -> frozenset[str]:
    """The names a module binds at its top level (definitions, assignments, imports, `__all__`)."""
    names: set[str] = set()
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            bound = {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
            names |= bound
            if "__all__" in bound and node.value is not None:  # served by a module __getattr__ too
                names.update(ast.literal_eval(node.value))
    return frozenset(names)


def _dotted_resolves(parts: list[str]) -> bool:
    """``a.b.c``: the longest prefix that is a module of the repository binds the next name."""
    for k in range(len(parts), 0, -1):
        module = _module_file(tuple(parts[:k]))
        if module is not None:
            return k == len(parts) or parts[k] in _bound_names(module)
    return False


def _path_resolves(path: str, line: str) -> bool:
    if (ROOT / path).exists() or any((example / path).exists() for example in EXAMPLES):
        return True
    named_dirs = [m.group(1) for m in PATH.finditer(line[: line.find(path)]) if m.group(1).endswith("/")]
    if any((ROOT / d / path).exists() for d in named_dirs):
        return True
    stem, _, last = path.rpartition(".")  # `ui/common.tr`: module ui/common.py, its name `tr`
    return last not in FILE_SUFFIXES and _dotted_resolves([*stem.split("/"), last])


def _excused(path: str) -> str | None:
    if path.endswith(".py") and path.split("/")[0] in PACKAGES:
        return None
    return next((pattern for pattern in NOT_IN_THE_REPOSITORY if re.fullmatch(pattern, path)), None)


def test_every_path_named_in_the_docs_exists():
    stale = []
    for where, line in _lines():
        for m in PATH.finditer(line):
            path = m.group(1)
            if not _path_resolves(path, line) and _excused(path) is None:
                stale.append(f"{where}: {path}")
    assert not stale, "paths that do not exist (moved? add to NOT_IN_THE_REPOSITORY only what a reader creates):\n" + (
        "\n".join(stale))


def test_every_dotted_name_in_the_docs_exists():
    stale = []
    for where, line in _lines():
        for span in CODE.findall(line):
            for m in DOTTED.finditer(span):
                parts = m.group(1).split(".")
                if parts[-1] in FILE_SUFFIXES:  # `cli/scoring.py` seen as `scoring.py`: a file, checked above
                    continue
                if not _dotted_resolves(parts):
                    stale.append(f"{where}: {m.group(1)}")
    assert not stale, "names that do not exist where the docs say:\n" + "\n".join(stale)


def test_every_exception_is_still_needed():
    """An exception no doc uses any more goes, so the list stays the reader's files only."""
    used = {_excused(m.group(1)) for where, line in _lines() for m in PATH.finditer(line)
            if not _path_resolves(m.group(1), line)}
    assert set(NOT_IN_THE_REPOSITORY) <= used, set(NOT_IN_THE_REPOSITORY) - used


@pytest.mark.parametrize("path, line", [
    ("scoring/excel.py", "`scoring/excel.py`"),  # a module that became a package
    ("ui/text.py", "Page texts are in `ui/text.py`"),
    ("reports/nowhere/", "`reports/nowhere/`"),
])
def test_a_moved_module_is_caught(path, line):
    assert PATH.search(line).group(1) == path
    assert not _path_resolves(path, line) and _excused(path) is None


def test_a_moved_name_is_caught():
    assert _dotted_resolves("reports.render.OFFLINE_FLAGS".split("."))
    assert not _dotted_resolves("reports.pdf.OFFLINE_FLAGS".split("."))
    assert not _dotted_resolves("scoring.cli.main".split("."))
