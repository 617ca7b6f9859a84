"""Every command of the README runs as written, from a fresh copy of the repository.

Each ``.venv/bin/python -m …`` line of README.md's code blocks (the install lines start with
``python3``, the app with ``.venv/bin/streamlit``: not these) is run, in order, in a copy of
the repository's files without its outputs (as a fresh clone is): exit status 0, no
traceback, and the files its ``--out`` names written inside that copy's git-ignored ``out/``.
``.venv/bin/python`` is this test's own interpreter; stdin carries one line (the password
that ``python -m ui.gate hash`` reads when stdin is not a terminal).
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

README = ROOT / "README.md"
PYTHON = ".venv/bin/python"
SKIP_DIRS = {".git", ".venv", "out", "__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis",
             "screenshots"}


def readme_commands(text: str) -> list[list[str]]:
    """The ``.venv/bin/python -m …`` commands of the README's fenced code blocks, as argv lists
    (shell comments dropped)."""
    out = []
    for block in re.findall(r"^```[a-z]*\n(.*?)^```", text, flags=re.S | re.M):
        for line in block.splitlines():
            if line.startswith(f"{PYTHON} -m "):
                out.append(shlex.split(line, comments=True))
    return out


def test_commands_are_found():
    commands = readme_commands(README.read_text(encoding="utf-8"))
    modules = {argv[2] for argv in commands}
    assert {"scoring", "scenarios", "ui.gate"} <= modules
    assert len(commands) >= 15
    sample = "```bash\n.venv/bin/python -m scoring evaluate x   # a comment\npython3 -m venv .venv\n```\n"
    assert readme_commands(sample) == [[PYTHON, "-m", "scoring", "evaluate", "x"]]


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    """The repository's files (sources, tenders, docs), as a fresh clone has them."""
    target = tmp_path_factory.mktemp("clone") / "fleetbid"
    shutil.copytree(ROOT, target, ignore=lambda folder, names: [n for n in names if n in SKIP_DIRS])
    return target


def _outputs(argv: list[str]) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--out"]


@pytest.mark.parametrize("argv", readme_commands(README.read_text(encoding="utf-8")), ids=" ".join)
def test_readme_command_runs_as_written(argv, clone):
    for out in _outputs(argv):
        assert out.startswith("out/"), f"{out}: README commands write into the git-ignored out/"
    run = subprocess.run([sys.executable, *argv[1:]], cwd=clone, input="readme-test-password\n", capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, f"{' '.join(argv)}\n{run.stderr[-3000:]}"
    assert "Traceback" not in run.stderr
    for out in _outputs(argv):
        assert (clone / out).is_file() and (clone / out).stat().st_size > 0, out


def test_out_is_git_ignored():
    patterns = [line.strip() for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()]
    assert "/out/" in patterns or "out/" in patterns
    if shutil.which("git") and (ROOT / ".git").exists():
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", "out/report.pdf"], cwd=ROOT, check=False)
        assert ignored.returncode == 0
