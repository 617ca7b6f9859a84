"""Shared helpers: build small tenders on disk from Python dicts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"

# Billing exports are pseudonymised with a key (scoring.usage_file.pseudonym_key); tests and
# the subprocesses they start use this one rather than creating a key file in $HOME.
os.environ.setdefault("FLEETBID_PSEUDONYM_KEY", "fleetbid-test-suite-key")


def write_tender(folder: Path, tender: dict, bids: dict[str, dict], evaluations: dict | None = None) -> Path:
    """Write tender.yaml, bids/<id>.yaml and evaluations.yaml; return the folder."""
    (folder / "bids").mkdir(parents=True, exist_ok=True)
    (folder / "tender.yaml").write_text(yaml.safe_dump(tender, sort_keys=False, allow_unicode=True))
    for bid_id, bid in bids.items():
        (folder / "bids" / f"{bid_id}.yaml").write_text(yaml.safe_dump(bid, sort_keys=False, allow_unicode=True))
    if evaluations is not None:
        (folder / "evaluations.yaml").write_text(yaml.safe_dump(evaluations, sort_keys=False, allow_unicode=True))
    return folder


@pytest.fixture
def make_tender(tmp_path):
    counter = iter(range(1000))

    def _make(tender: dict, bids: dict[str, dict], evaluations: dict | None = None) -> Path:
        return write_tender(tmp_path / f"t{next(counter)}", tender, bids, evaluations)

    return _make


def app_test():
    """The whole app (app.py) run once in AppTest, without an exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception, at.exception
    return at


def go(at, url_path: str):
    """Open a page as the sidebar does (AppTest.switch_page only knows file pages, ours are callables)."""
    pages = {info["url_pathname"]: h for h, info in at._registered_pages.items()}
    at._page_hash = pages[url_path]
    at.run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def servers(tmp_path):
    """Real `streamlit run app.py` servers (tests/live_server.py), stopped after the test."""
    from live_server import Servers

    running = Servers(tmp_path)
    yield running
    running.stop()


# AppTest helpers shared by the page tests.
def protos(node):
    """Every element and block of an AppTest page, depth first."""
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield proto
    for child in (getattr(node, "children", None) or {}).values():
        yield from protos(child)


def frame_with(at, column: str):
    """The first table of the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def chart_specs(at) -> dict[str, dict]:
    """The page's plotly charts by title (tags dropped, line breaks as spaces)."""
    import json
    import re

    out = {}
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        out[re.sub("<[^>]+>", "", spec["layout"]["title"]["text"].replace("<br>", " "))] = spec
    return out


def folder_files(folder: Path) -> dict[str, bytes]:
    """A folder's files as an upload gives them: relative path → bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def write_files(folder: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` (relative path → bytes, as `folder_files` gives them) under ``folder``."""
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return folder


def run_cli(*args: str, cwd: Path):
    """``python -m ARGS`` in a fresh process run from ``cwd`` with the project importable and
    the tests' pseudonym key (its stdout, stderr and exit status)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                               "FLEETBID_PSEUDONYM_KEY": os.environ["FLEETBID_PSEUDONYM_KEY"]})
