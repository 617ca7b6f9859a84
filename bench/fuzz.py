"""Fuzz the tender loader and evaluator: every input ends in a valid evaluation or a clean error.

Each case starts from the bundled example (``tenders/conseil-2027``), breaks it, and runs it
as the app does: ``evaluate(build_tender(read_files(name, files)))`` on in-memory files (or,
for scenario cases, ``evaluate_scenario`` with a broken scenario file). Kinds of case:

- ``structure``: one to three edits of the parsed YAML of one file — a key or list item
  deleted, a value replaced by a hostile one (huge, negative, NaN, ±inf, text, lists,
  mappings, None, dates), a type swapped, a key renamed, a list item duplicated, an id
  swapped for another id of the tender;
- ``numbers``: numeric values scaled by plausible and implausible factors (most of these
  stay valid, so the cost engine, the plan mix and the ranking run on odd figures);
- ``text``: the file's bytes broken — truncated at a random byte, bytes flipped, a value
  replaced by a raw YAML 1.1 token (``NO``, ``0755``, ``1e3``, ``2027-02-30``, tags…), lines
  duplicated or deleted, tabs, other encodings (latin-1, UTF-16), BOM, CRLF;
- ``hypothesis``: random YAML structures drawn from a recursive `hypothesis.strategies`
  strategy (keys from the format's vocabulary, hostile scalars) replacing a subtree, merged
  into a file, or replacing a whole file;
- ``files``: files removed, duplicated or renamed;
- ``scenario``: a broken what-if scenario applied to the tender (`scenarios.overlay`);
- ``excel``: an Excel bid (the operator's filled price schedule) with cells set to hostile
  values, or its bytes broken;
- ``usage``: the billing export (``usage_file``) with a cell, a header, a row or a column
  broken, or its bytes; most of these also switch ``evaluate_on`` to ``lines`` so that the
  export is read and costed line by line.

A case passes when it ends in either

- a valid `Evaluation` whose JSON (`Evaluation.to_json`) is finite and reconciles: for every
  costed bid, ``cost_breakdown`` and ``entity_costs`` each add up (exactly summed) to ``tco``
  within 0.01; or
- a `TenderError` whose problems each name a file and say something.

Anything else — another exception, a non-finite or non-reconciling result, a problem without
a file, a case taking more than 5 s — is a failure. A reconciliation failure on a TCO above
1e12 is reported as its own kind: float64 has no cents left at that size, so it is the sign
of an absurd amount that was accepted rather than of a costing error. The first few failures
(and the first of each kind) are saved as reproducers under ``--out``: a tender folder per
case, with ``FAILURE.txt`` saying what was done and what went wrong (``python -m scoring
evaluate DIR`` replays a tender case). The summary also counts clean errors with a problem
that names no field (printed as ``FILE: MESSAGE`` instead of ``FILE: FIELD: MESSAGE``).

Deterministic for a seed: case ``i`` draws from its own ``random.Random`` seeded with
(seed, i), and the hypothesis structures come from a ``@given`` run pinned with ``@seed``.

Usage::

    python bench/fuzz.py [--cases 10000] [--seed 1] [--out DIR] [--only I] [--keep 10] [--tender DIR]

Exit status 1 when a case failed.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime as dt
import io
import json
import math
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
# Billing exports are pseudonymised with a key: a fixed one keeps the messages in reproducers
# stable and creates no key file in $HOME (scoring.usage_file.pseudonym_key).
os.environ.setdefault("FLEETBID_PSEUDONYM_KEY", "fleetbid-fuzz-key")

import yaml  # noqa: E402

from scoring import EXAMPLE_TENDER, TenderError, evaluate  # noqa: E402
from scoring.archive import files_of_folder  # noqa: E402
from scoring.load import build_tender, read_files  # noqa: E402

NAME = "fuzz"  # the tender's name in error messages: every problem's file starts with it
SLOW_S = 5.0  # a case slower than this is a failure
HARD_TIMEOUT_S = 60.0  # a case still running after this is interrupted (and a failure)
TOLERANCE = 0.01  # cost_breakdown and entity_costs must add up to the TCO within this

KINDS = {  # kind -> weight
    "structure": 30,
    "numbers": 20,
    "text": 20,
    "hypothesis": 20,
    "files": 3,
    "scenario": 5,
    "excel": 2,
    "usage": 2,  # only when tender.yaml names a billing export (usage_file)
}

# Values nobody should type, in a form the loader might not expect.
HOSTILE: list[Any] = [
    None, True, False, 0, -1, -0.0, 0.5, 1e308, -1e308, 1.7976931348623157e308, 5e-324, 1e-300,
    10**12, 10**18, 2**63, 10**30, -(10**12), float("nan"), float("inf"), float("-inf"),
    "", " ", "NO", "yes", "on", "1e3", "0755", "14,90", "unlimited", "Unlimited", "inf", "nan", "null",
    "2027-02-30", "31/03/2027", "-", "é", "😀😀😀", "x" * 5000, "line\nbreak", "\x00",
    [], [None], [1, 2], ["a", "a"], [[]], {}, {"a": 1}, {"mean": -1}, {"mean": 1, "cv": 1e300},
    dt.date(2027, 1, 1), dt.date(1, 1, 1), dt.datetime(2027, 1, 1, 10, 30),
]

# Raw YAML put in place of a value in the text: YAML 1.1 surprises, tags, broken syntax.
RAW_TOKENS = [
    "NO", "no", "on", "Off", "yes", "y", "0755", "012", "08", "1e3", "1E3", "1_000", "1:20", "0x1F", "0b101",
    "+12", "-0", ".nan", ".NaN", "-.inf", ".inf", "~", "null", "1.0e+400", "-1.0e+400", "1" * 5000,
    "2027-02-30", "2027-13-01", "0000-01-01", "2027-01-01 25:00:00", "2027-01-01T10:00:00Z",
    "[", "{", "}", "]", "*undefined", "&anchor", "&a [1, *a]", "'unterminated", '"\\xZZ"', "|", ">", "- a",
    "a: b: c", "!!binary aGVsbG8=", "!!binary ###", "!!set {a, b}", "!!omap [{a: 1}]", "!!float x",
    "!!int x", "!!timestamp x", "!!str", "!!python/object/apply:os.system [echo]", "!!python/name:os.system",
    "!custom 1", "%YAML 1.1", "---", "...", "? a", "@x", "`x", "\t1", "[1, [2, [3, [4]]]]", "{a: {b: {c: 1}}}",
]

SCALE_FACTORS = [0, 0, 0.5, 0.9, 1.1, 2, 3, 10, 100, 1e4, 1e6, 1e-3, 1e-9, -1, -0.5]


# --------------------------------------------------------------------------- the base tender


def _vocabulary(node: Any, keys: set[str], strings: set[str]) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            keys.add(str(k))
            _vocabulary(v, keys, strings)
    elif isinstance(node, list):
        for v in node:
            _vocabulary(v, keys, strings)
    elif isinstance(node, str) and len(node) < 40:
        strings.add(node)


@dataclass(frozen=True)
class Base:
    """The bundled example as bytes and as parsed YAML, plus its vocabulary."""

    files: dict[str, bytes]  # the tender's input files (no scenarios)
    docs: dict[str, Any]  # path -> parsed YAML
    scenarios: dict[str, bytes]  # scenarios/<name>.yaml -> bytes
    keys: tuple[str, ...]  # every mapping key used anywhere
    strings: tuple[str, ...]  # every short string (ids, names, components)
    consensus: bytes  # a valid consensus.yaml for the example


def _consensus(evaluations: Any) -> bytes:
    """A valid consensus.yaml moderating the first score of evaluations.yaml."""
    try:
        by_bid = next(iter(evaluations.values()))
        bid, by_criterion = next(iter(by_bid.items()))
        criterion, score = next(iter(by_criterion.items()))
    except (AttributeError, StopIteration):
        return b"{}\n"
    return _dump({bid: {criterion: {"score": score, "reason": "Panel 10/12: agreed after discussion"}}})


_BASE: Base | None = None
TENDER = EXAMPLE_TENDER  # the tender every case starts from (--tender)


def _attachments(folder: Path, tender: Any) -> dict[str, bytes]:
    """Files tender.yaml names besides the YAML ones (the billing export of ``usage_file``)."""
    block = tender.get("usage_file") if isinstance(tender, dict) else None
    path = block.get("path") if isinstance(block, dict) else None
    return {path: (folder / path).read_bytes()} if isinstance(path, str) and (folder / path).is_file() else {}


def use_tender(folder: str | Path) -> None:
    """Start every case from this tender folder (it must evaluate as it is)."""
    global TENDER, _BASE, _EXCEL
    if Path(folder) != Path(TENDER) or _BASE is None:
        TENDER, _BASE, _EXCEL = Path(folder), None, None


def base() -> Base:
    global _BASE
    if _BASE is None:
        everything = files_of_folder(TENDER)
        files = {p: b for p, b in everything.items() if not p.startswith("scenarios/")}
        files.update(_attachments(Path(TENDER), yaml.safe_load(files["tender.yaml"])))
        scenarios = {p: b for p, b in everything.items() if p.startswith("scenarios/")}
        consensus = _consensus(yaml.safe_load(files["evaluations.yaml"]) if "evaluations.yaml" in files else None)
        if not scenarios:
            scenarios = {"scenarios/lines.yaml": b"name: More lines\nscale: {lines: 1.1}\n"}
        docs = {p: yaml.safe_load(b) for p, b in {**files, **scenarios, "consensus.yaml": consensus}.items()
                if p.endswith((".yaml", ".yml"))}
        keys: set[str] = set()
        strings: set[str] = set()
        for doc in docs.values():
            _vocabulary(doc, keys, strings)
        _BASE = Base(files, docs, scenarios, tuple(sorted(keys)), tuple(sorted(strings)), consensus)
    return _BASE


# --------------------------------------------------------------------------- random YAML (hypothesis)


def yaml_values(keys: tuple[str, ...], strings: tuple[str, ...]):
    """A hypothesis strategy for YAML documents: mappings keyed mostly by the format's own
    field names, lists, and hostile scalars, nested a few levels."""
    from hypothesis import strategies as st

    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.floats(min_value=0, max_value=1e4),
        st.text(max_size=12),
        st.sampled_from(strings),
        st.sampled_from([v for v in HOSTILE if not isinstance(v, (list, dict))]),
        st.dates(),
    )
    mapping_keys = st.one_of(st.sampled_from(keys), st.sampled_from(keys), st.text(max_size=8),
                             st.integers(-5, 5), st.booleans(), st.none())
    return st.recursive(
        scalars,
        lambda children: st.one_of(st.lists(children, max_size=5),
                                   st.dictionaries(mapping_keys, children, max_size=6)),
        max_leaves=25,
    )


def hypothesis_pool(seed: int, count: int) -> list[Any]:
    """``count`` YAML structures from hypothesis, the same ones for the same seed: a
    ``@given`` run pinned with ``@seed``, generation only, no database, no deadline."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as pin_seed

    b = base()
    pool: list[Any] = []

    @pin_seed(seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), derandomize=False, print_blob=False)
    @given(yaml_values(b.keys, b.strings))
    def collect(value: Any) -> None:
        pool.append(value)

    collect()
    return pool or [None]


# --------------------------------------------------------------------------- cases


@dataclass
class Case:
    index: int
    kind: str
    files: dict[str, bytes]  # the tender as in-memory files, keyed by path in the folder
    steps: list[str] = field(default_factory=list)  # what was done, for the reproducer
    scenario: bytes | None = None  # a scenario file to apply (scenario cases)


def _dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=200).encode("utf-8")


def _paths(node: Any, prefix: tuple = ()) -> Iterator[tuple]:
    """Every path (tuple of keys and indices) below the root."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield (*prefix, i)
            yield from _paths(v, (*prefix, i))


def _parent(doc: Any, path: tuple) -> Any:
    node = doc
    for part in path[:-1]:
        node = node[part]
    return node


def _is_number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _short(x: Any) -> str:
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."


def _where(path: tuple) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


def _structure_edit(rng: random.Random, doc: Any, pool: list[Any], numbers_only: bool = False) -> tuple[Any, str]:
    """One edit of a parsed document; returns the new document and what was done."""
    b = base()
    paths = list(_paths(doc))
    if numbers_only:
        paths = [p for p in paths if _is_number(_parent(doc, p)[p[-1]])] or paths
    if not paths:
        return rng.choice(pool), "whole document replaced by a generated structure"
    path = rng.choice(paths)
    parent, key = _parent(doc, path), path[-1]
    value = parent[key]
    op = "scale" if numbers_only else rng.choice(
        ["delete", "hostile", "hostile", "swap-type", "scale", "rename", "duplicate", "id", "generated"])
    where = _where(path)
    if op == "scale" and _is_number(value):
        factor = rng.choice(SCALE_FACTORS)
        try:
            parent[key] = value * factor
        except OverflowError:
            parent[key] = float("inf")
        return doc, f"{where}: {_short(value)} × {factor:g}"
    if op == "delete":
        del parent[key]
        return doc, f"{where}: deleted"
    if op == "swap-type":
        new = rng.choice([[value], {"value": value}, str(value), None,
                          int(value) if _is_number(value) and math.isfinite(value) else 1])
        parent[key] = new
        return doc, f"{where}: {_short(value)} -> {_short(new)}"
    if op == "rename" and isinstance(parent, dict):
        name = str(key)
        new_key = rng.choice([name + "s", name.upper(), name[:-1] or "x", rng.choice(b.keys), True, 1, "on", None,
                              name.replace("_", "-"), " " + name])
        if new_key in parent and new_key != key:
            return doc, f"{where}: rename skipped (key {_short(new_key)} exists)"
        items = [(new_key if k == key else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
        return doc, f"{where}: key renamed to {_short(new_key)}"
    if op == "duplicate" and isinstance(parent, list):
        parent.insert(key, copy.deepcopy(value))
        return doc, f"{where}: list item duplicated"
    if op == "id":
        new = rng.choice(b.strings)
        parent[key] = new
        return doc, f"{where}: {_short(value)} -> {_short(new)}"
    if op == "generated":
        new = rng.choice(pool)
        parent[key] = copy.deepcopy(new)
        return doc, f"{where}: replaced by generated {_short(new)}"
    new = rng.choice(HOSTILE)
    parent[key] = copy.deepcopy(new)
    return doc, f"{where}: {_short(value)} -> {_short(new)}"


_VALUE = re.compile(rb"(?<=: )[^\s#,}\]{\[][^\n#,}\]]*")


def _text_edit(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One byte-level edit of a file."""
    op = rng.choice(["truncate", "flip", "token", "token", "token", "encoding", "tab", "line", "insert"])
    if op == "truncate" or not data:
        at = rng.randrange(len(data) + 1)
        return data[:at], f"truncated at byte {at}"
    if op == "flip":
        out = bytearray(data)
        spots = []
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(out))
            out[i] = rng.choice([rng.randrange(256), out[i] ^ (1 << rng.randrange(8))])
            spots.append(i)
        return bytes(out), f"bytes changed at {spots}"
    if op == "token":
        spots = list(_VALUE.finditer(data))
        if spots:
            m = rng.choice(spots)
            token = rng.choice(RAW_TOKENS)
            return data[: m.start()] + token.encode() + data[m.end():], \
                f"value {m.group().decode(errors='replace')[:40]!r} at byte {m.start()} -> raw {token[:40]!r}"
    if op == "encoding":
        how = rng.choice(["latin-1", "utf-16", "utf-16-be", "bom", "crlf", "cr", "bom+crlf", "utf-32"])
        text = data.decode("utf-8", errors="replace")
        if how == "bom":
            return b"\xef\xbb\xbf" + data, "UTF-8 BOM added"
        if how == "crlf":
            return data.replace(b"\n", b"\r\n"), "CRLF line ends"
        if how == "cr":
            return data.replace(b"\n", b"\r"), "CR line ends"
        if how == "bom+crlf":
            return b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"), "UTF-8 BOM and CRLF"
        return text.encode(how, errors="replace"), f"re-encoded as {how}"
    lines = data.split(b"\n")
    if op == "tab":
        indented = [i for i, ln in enumerate(lines) if ln.startswith(b"  ")]
        if indented:
            i = rng.choice(indented)
            lines[i] = b"\t" + lines[i].lstrip(b" ")
            return b"\n".join(lines), f"tab indentation on line {i + 1}"
    if op == "line" and len(lines) > 1:
        i = rng.randrange(len(lines))
        how = rng.choice(["duplicated", "deleted", "moved"])
        if how == "duplicated":
            lines.insert(i, lines[i])
        elif how == "deleted":
            del lines[i]
        else:
            lines.insert(rng.randrange(len(lines)), lines.pop(i))
        return b"\n".join(lines), f"line {i + 1} {how}"
    i = rng.randrange(len(lines) + 1)
    indent = b" " * rng.choice([0, 0, 2, 4])
    new = indent + rng.choice(base().keys).encode() + b": " + rng.choice(RAW_TOKENS).encode()
    lines.insert(i, new)
    return b"\n".join(lines), f"line {new.decode()[:60]!r} inserted at line {i + 1}"


def _pick_file(rng: random.Random, files: dict[str, bytes]) -> str:
    bids = sorted(p for p in files if p.startswith("bids/"))
    roll = rng.random()
    if roll < 0.40 or not bids:
        return "tender.yaml"
    if roll < 0.80:
        return rng.choice(bids)
    if roll < 0.92:
        return "evaluations.yaml"
    return "consensus.yaml"


def _excel_bid() -> str:
    return min(p for p in base().docs if p.startswith("bids/"))


def _excel_base() -> bytes:
    from scoring.excel import tender_for, write_bid_xlsx

    buffer = io.BytesIO()
    write_bid_xlsx(base().docs[_excel_bid()], tender_for(TENDER), buffer)
    return _stable_zip(buffer.getvalue())


_EXCEL: bytes | None = None
_EXCEL_CELLS = {"Bid": (2, 4, 3), "Plans": (1, 7, 28), "Offer": (1, 6, 4), "Fees": (2, 9, 6), "Pool": (2, 3, 3),
                "Devices": (2, 4, 5), "Portability": (2, 4, 3), "Service": (2, 6, 6)}  # sheet: rows from, to, cols


def _excel_edit(rng: random.Random) -> tuple[bytes, list[str]]:
    global _EXCEL
    import openpyxl

    if _EXCEL is None:
        _EXCEL = _excel_base()
    if rng.random() < 0.3:
        data, step = _text_edit(rng, _EXCEL) if rng.random() < 0.5 else (_EXCEL[: rng.randrange(len(_EXCEL))],
                                                                         "workbook truncated")
        return data, [step]
    wb = openpyxl.load_workbook(io.BytesIO(_EXCEL))
    steps = []
    for _ in range(rng.randint(1, 3)):
        sheet = rng.choice(sorted(_EXCEL_CELLS))
        first, last, cols = _EXCEL_CELLS[sheet]
        row, col = rng.randint(first, last), rng.randint(1, cols)
        value = rng.choice([v for v in HOSTILE if not isinstance(v, (list, dict)) and v != "\x00"]
                           + ["=1+1", "#N/A", "pro20, pro20", "monde, nope", "yes", "no", "unlimited"])
        if isinstance(value, float) and not math.isfinite(value):
            value = None  # a workbook cannot hold NaN or infinity
        if isinstance(value, int) and abs(value) > 2**53:
            value = float(value)
        wb[sheet].cell(row, col).value = value
        steps.append(f"{sheet}!{openpyxl.utils.get_column_letter(col)}{row} = {_short(value)}")
    buffer = io.BytesIO()
    wb.save(buffer)
    return _stable_zip(buffer.getvalue()), steps


_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def _stable_zip(data: bytes) -> bytes:
    """A workbook's bytes without the time it was saved (openpyxl stamps the zip entries and
    docProps/core.xml with the current time), so a case is the same bytes on every run."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info)
            if info.filename == "docProps/core.xml":
                content = _STAMP.sub(rb"\g<1>2027-01-01T00:00:00Z\g<2>", content)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(2027, 1, 1, 0, 0, 0)), content,
                         compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


CSV_VALUES = ["", " ", "abc", "-5", "-0.5", "1e308", "1.0e+308", "NaN", "nan", "inf", "-inf", "1,5", "1 000",
              "10000000000000", "0x10", "2026-13", "2026-00", "1999-01", "13/2026", "unknown", "PARIS", "é", "\"",
              "\"unterminated", "=1+1", "0", "999999999999999999999999"]


def _csv_edit(rng: random.Random, data: bytes) -> tuple[bytes, str]:
    """One edit of a billing export (CSV): a cell, a header, a row or a column broken, or the
    bytes broken as for any file."""
    op = rng.choice(["cell", "cell", "cell", "header", "row", "column", "bytes", "empty"])
    lines = data.split(b"\n")
    delimiter = b";" if lines[0].count(b";") > lines[0].count(b",") else b","
    if op == "empty":
        how = rng.choice(["nothing", "header only"])
        return (b"" if how == "nothing" else lines[0] + b"\n"), f"export left with {how}"
    if op == "bytes":
        return _text_edit(rng, data)
    if op == "cell" and len(lines) > 2:
        i = rng.randrange(1, len(lines) - 1)
        cells = lines[i].split(delimiter)
        j = rng.randrange(len(cells))
        value = rng.choice(CSV_VALUES)
        cells[j] = value.encode()
        lines[i] = delimiter.join(cells)
        return b"\n".join(lines), f"row {i + 1}, column {j + 1} -> {value!r}"
    if op == "header":
        cells = lines[0].split(delimiter)
        j = rng.randrange(len(cells))
        new = rng.choice([cells[j].upper(), cells[j] + b"_x", b"", cells[(j + 1) % len(cells)]])
        cells[j] = new
        lines[0] = delimiter.join(cells)
        return b"\n".join(lines), f"header {j + 1} -> {new.decode(errors='replace')!r}"
    if op == "row" and len(lines) > 2:
        i = rng.randrange(1, len(lines) - 1)
        how = rng.choice(["duplicated", "deleted"])
        if how == "duplicated":
            lines.insert(i, lines[i])
        else:
            del lines[i]
        return b"\n".join(lines), f"row {i + 1} {how}"
    j = rng.randrange(len(lines[0].split(delimiter)))
    kept = [delimiter.join(c for k, c in enumerate(ln.split(delimiter)) if k != j) for ln in lines]
    return b"\n".join(kept), f"column {j + 1} removed"


def _usage_path(files: dict[str, bytes]) -> str | None:
    return next((p for p in files if not p.endswith((".yaml", ".yml", ".xlsx", ".xlsm", ".xls"))), None)


def make_case(seed: int, index: int, pool: list[Any]) -> Case:
    """Case ``index`` of a run: the same bytes for the same (seed, index, pool)."""
    rng = random.Random(f"fleetbid-fuzz:{seed}:{index}")
    b = base()
    kinds = {k: w for k, w in KINDS.items() if k != "usage" or _usage_path(b.files) is not None}
    kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
    files = dict(b.files)
    case = Case(index, kind, files)
    if kind in ("structure", "numbers", "hypothesis"):
        path = _pick_file(rng, files)
        doc = copy.deepcopy(b.docs.get(path, b.docs["consensus.yaml"]))
        if kind == "hypothesis":
            generated = copy.deepcopy(pool[index % len(pool)])
            how = rng.choice(["subtree", "subtree", "merge", "whole"])
            if how == "merge" and isinstance(generated, dict) and isinstance(doc, dict):
                doc.update(generated)
                case.steps.append(f"{path}: merged with generated {_short(generated)}")
            elif how == "whole":
                doc = generated
                case.steps.append(f"{path}: replaced by generated {_short(generated)}")
            else:
                doc, step = _structure_edit(rng, doc, [generated])
                doc, step = (doc, step) if "generated" in step else _structure_edit(rng, doc, [generated])
                case.steps.append(f"{path}: {step}")
        else:
            for _ in range(rng.randint(1, 3)):
                doc, step = _structure_edit(rng, doc, pool, numbers_only=kind == "numbers")
                case.steps.append(f"{path}: {step}")
        files[path] = _dump(doc)
    elif kind == "text":
        path = _pick_file(rng, files)
        data = files.get(path, b.consensus)
        for _ in range(rng.randint(1, 2)):
            data, step = _text_edit(rng, data)
            case.steps.append(f"{path}: {step}")
        files[path] = data
    elif kind == "files":
        op = rng.choice(["drop", "drop", "copy", "rename", "empty-bids"])
        path = rng.choice(sorted(files))
        if op == "drop":
            del files[path]
            case.steps.append(f"{path}: removed")
        elif op == "copy":
            bid = rng.choice(sorted(p for p in files if p.startswith("bids/")))
            new = rng.choice(["bids/copy.yaml", "bids/copy.yml", "bids/Copy.yaml", "bids/copy.yaml.bak",
                              bid.replace(".yaml", ".yml"), "bids/sub/x.yaml"])
            files[new] = files[bid]
            case.steps.append(f"{bid}: copied to {new}")
        elif op == "rename":
            bid = rng.choice(sorted(p for p in files if p.startswith("bids/")))
            new = rng.choice(["bids/UPPER.yaml", "bids/with space.yaml", "bids/é.yaml", "bids/.yaml", "bids/x.YAML"])
            files[new] = files.pop(bid)
            case.steps.append(f"{bid}: renamed to {new}")
        else:
            for p in [p for p in files if p.startswith("bids/")]:
                del files[p]
            case.steps.append("every bid removed")
    elif kind == "scenario":
        name = rng.choice(sorted(b.scenarios))
        data = b.scenarios[name]
        if rng.random() < 0.5:
            for _ in range(rng.randint(1, 2)):
                data, step = _text_edit(rng, data)
                case.steps.append(f"{name}: {step}")
        else:
            doc = copy.deepcopy(b.docs[name])
            for _ in range(rng.randint(1, 3)):
                doc, step = _structure_edit(rng, doc, pool)
                case.steps.append(f"{name}: {step}")
            data = _dump(doc)
        case.scenario = data
    elif kind == "usage":
        path = _usage_path(files)
        if b"evaluate_on: profiles" in files["tender.yaml"] and rng.random() < 0.6:
            # Evidence only, the export would not even be read: cost the lines themselves.
            files["tender.yaml"] = files["tender.yaml"].replace(b"evaluate_on: profiles", b"evaluate_on: lines")
            case.steps.append("tender.yaml: usage_file.evaluate_on: profiles -> lines")
        for _ in range(rng.randint(1, 2)):
            files[path], step = _csv_edit(rng, files[path])
            case.steps.append(f"{path}: {step}")
    else:  # excel
        bid = _excel_bid()
        del files[bid]
        xlsx = bid.rsplit(".", 1)[0] + ".xlsx"
        files[xlsx], steps = _excel_edit(rng)
        case.steps += [f"{xlsx}: {s}" for s in steps]
    return case


# --------------------------------------------------------------------------- running a case


@dataclass(frozen=True)
class Outcome:
    status: str  # "valid", "error" (a clean TenderError) or "failure"
    seconds: float
    signature: str = ""  # failures: what kind of failure, for grouping
    detail: str = ""  # failures: the message or traceback


class _Timeout(BaseException):
    """Raised in the case by the alarm (a BaseException so nothing on the way catches it)."""


@contextlib.contextmanager
def _deadline(seconds: float):
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def ring(signum, frame):
        raise _Timeout()

    previous = signal.signal(signal.SIGALRM, ring)
    # Then again every second: an exception raised while a gc callback runs (hypothesis
    # installs one) is printed and dropped, so one alarm is not enough.
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _evaluate_case(case: Case):
    raw = read_files(NAME, case.files)
    if case.scenario is None:
        return evaluate(build_tender(raw))
    from scenarios.overlay import evaluate_scenario, scenario_from_dict
    from scoring.yamlio import parse_yaml_mapping

    shown = f"{NAME}/scenarios/fuzz.yaml"
    scenario = scenario_from_dict(parse_yaml_mapping(case.scenario, shown), shown)
    return evaluate_scenario(raw, scenario)


# Above this a float64 amount has no cents left to reconcile (its spacing nears 0.01 at
# about 7e13, and sums of thousands of cells lose more): a reconciliation failure on such a
# TCO is told apart, as the sign of an absurd input that was accepted.
CENT_PRECISION_LIMIT = 1e12
NOT_RECONCILED = "does not reconcile"
BEYOND_CENTS = "does not reconcile, TCO beyond 1e12 (absurd amounts accepted)"


def check_evaluation(ev) -> tuple[str, str] | None:
    """(kind, detail) of how a valid evaluation breaks the contract, None when it keeps it:
    the JSON must be finite, and each costed bid's cost_breakdown and entity_costs must add
    up (summed exactly) to its TCO within 0.01."""
    try:
        data = json.loads(ev.to_json())
    except ValueError as exc:
        return "non-finite JSON", str(exc)
    for bid in data["bids"]:
        tco = bid["tco"]
        if tco is None:
            continue
        for key in ("cost_breakdown", "entity_costs"):
            total = math.fsum(bid[key].values())
            if not abs(total - tco) <= TOLERANCE:
                kind = BEYOND_CENTS if abs(tco) > CENT_PRECISION_LIMIT else NOT_RECONCILED
                return f"{key} {kind}", f"bid {bid['id']}: {key} sums to {total!r}, tco {tco!r}"
    return None


def _origin(exc: BaseException) -> str:
    """The innermost frame of the traceback inside the project, as file:line (function)."""
    where = "?"
    for frame, line in traceback.walk_tb(exc.__traceback__):
        path = Path(frame.f_code.co_filename)
        try:
            rel = path.resolve().relative_to(REPO_ROOT)
        except ValueError:
            continue
        if rel.parts[0] not in (".venv", "bench"):
            where = f"{rel.as_posix()}:{line} ({frame.f_code.co_name})"
    return where


def run_case(case: Case) -> Outcome:
    start = time.perf_counter()
    try:
        with _deadline(HARD_TIMEOUT_S):
            ev = _evaluate_case(case)
            broken = check_evaluation(ev)
    except TenderError as exc:
        seconds = time.perf_counter() - start
        bad = [p for p in exc.problems if not (isinstance(p.file, str) and p.file and p.message)]
        if bad or not exc.problems:
            return Outcome("failure", seconds, "problem without a file or message", repr(bad or exc.problems))
        if seconds > SLOW_S:
            return Outcome("failure", seconds, f"slow (over {SLOW_S:g} s)", f"{seconds:.1f} s, then {exc}")
        # Not a failure, but worth knowing: a problem without a field prints as `FILE: MESSAGE`.
        fieldless = next((f"{p.file.removeprefix(NAME + '/')}: {p.message[:70]}" for p in exc.problems
                          if not p.field), "")
        return Outcome("error", seconds, detail=fieldless)
    except _Timeout:
        return Outcome("failure", time.perf_counter() - start, f"timeout (over {HARD_TIMEOUT_S:g} s)")
    except Exception as exc:  # noqa: BLE001 - any other exception is what the fuzzer looks for
        seconds = time.perf_counter() - start
        message = str(exc).splitlines()[0][:100] if str(exc) else ""
        return Outcome("failure", seconds, f"{type(exc).__name__} at {_origin(exc)}",
                       f"{type(exc).__name__}: {message}\n\n{traceback.format_exc()}")
    seconds = time.perf_counter() - start
    if broken is not None:
        return Outcome("failure", seconds, *broken)
    if seconds > SLOW_S:
        return Outcome("failure", seconds, f"slow (over {SLOW_S:g} s)", f"{seconds:.1f} s")
    return Outcome("valid", seconds)


# --------------------------------------------------------------------------- a run


@dataclass
class Summary:
    cases: int = 0
    valid: int = 0
    errors: int = 0
    failures: list[tuple[Case, Outcome]] = field(default_factory=list)
    seconds: float = 0.0
    slowest: tuple[float, int] = (0.0, -1)
    kinds: Counter = field(default_factory=Counter)  # kind -> cases
    saved: list[Path] = field(default_factory=list)
    fieldless: Counter = field(default_factory=Counter)  # clean errors with a problem naming no field

    def by_signature(self) -> Counter:
        return Counter(outcome.signature for _, outcome in self.failures)

    def report(self) -> str:
        lines = [
            f"cases tried   {self.cases}",
            f"valid         {self.valid}",
            f"clean errors  {self.errors}",
            f"failures      {len(self.failures)}",
            f"time          {self.seconds:.1f} s (slowest case {self.slowest[0]:.2f} s, #{self.slowest[1]})",
            "kinds         " + ", ".join(f"{k} {n}" for k, n in sorted(self.kinds.items())),
        ]
        if self.failures:
            lines.append("failures by kind:")
            for signature, n in self.by_signature().most_common():
                cases = [c.index for c, o in self.failures if o.signature == signature]
                first = next(o for _, o in self.failures if o.signature == signature)
                listed = ", ".join(map(str, cases[:12])) + (", …" if len(cases) > 12 else "")
                lines.append(f"  {n:6d}  {signature}")
                lines.append(f"          cases {listed}; first: {first.detail.splitlines()[0][:150]}")
        if self.fieldless:
            lines.append(f"clean errors with a problem that names no field ({sum(self.fieldless.values())}):")
            lines += [f"  {n:6d}  {what}" for what, n in self.fieldless.most_common(8)]
        if self.saved:
            lines.append("reproducers:")
            lines += [f"  {p}" for p in self.saved]
        return "\n".join(lines)


def save_reproducer(out: Path, case: Case, outcome: Outcome) -> Path:
    folder = out / f"case-{case.index:05d}"
    for path, data in case.files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    (folder / "bids").mkdir(parents=True, exist_ok=True)
    if case.scenario is not None:
        (folder / "fuzz-scenario.yaml").write_bytes(case.scenario)
    replay = (f"python -m scenarios compare {folder} {folder / 'fuzz-scenario.yaml'}" if case.scenario is not None
              else f"python -m scoring evaluate {folder} --json")
    (folder / "FAILURE.txt").write_text(
        f"case {case.index} ({case.kind})\n"
        + "".join(f"  {s}\n" for s in case.steps)
        + f"\nfailure: {outcome.signature} after {outcome.seconds:.2f} s\n{outcome.detail}\n\nreplay: {replay}\n",
        encoding="utf-8",
    )
    return folder


def run(cases: int = 10_000, seed: int = 1, out: Path | None = None, keep: int = 10,
        only: list[int] | None = None, progress: Callable[[int, Summary], None] | None = None) -> Summary:
    """Run cases 0..cases-1 (or only the given indices) and summarise them; the first
    ``keep`` failures, and the first of each kind, are saved under ``out``."""
    summary = Summary()
    started = time.perf_counter()
    pool = hypothesis_pool(seed, max(1, min(2500, cases * KINDS["hypothesis"] // sum(KINDS.values()))))
    indices = only if only is not None else range(cases)
    seen: set[str] = set()
    with warnings.catch_warnings(), _quiet_numpy():
        warnings.simplefilter("ignore")  # numpy's overflow warnings on hostile magnitudes
        for n, index in enumerate(indices):
            case = make_case(seed, index, pool)
            outcome = run_case(case)
            summary.cases += 1
            summary.kinds[case.kind] += 1
            summary.slowest = max(summary.slowest, (outcome.seconds, index))
            if outcome.status == "valid":
                summary.valid += 1
            elif outcome.status == "error":
                summary.errors += 1
                if outcome.detail:
                    summary.fieldless[re.sub(r"[0-9]+", "N", outcome.detail)] += 1
            else:
                summary.failures.append((case, outcome))
                first_of_kind = outcome.signature not in seen
                seen.add(outcome.signature)
                if out is not None and (len(summary.failures) <= keep or first_of_kind):
                    summary.saved.append(save_reproducer(out, case, outcome))
            if progress is not None and (n + 1) % 1000 == 0:
                progress(n + 1, summary)
    summary.seconds = time.perf_counter() - started
    return summary


@contextlib.contextmanager
def _quiet_numpy():
    import numpy as np

    with np.errstate(all="ignore"):
        yield


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "fleetbid-fuzz",
                        help="folder for reproducers (default: %(default)s)")
    parser.add_argument("--keep", type=int, default=10, help="reproducers kept besides the first of each kind")
    parser.add_argument("--only", type=int, action="append", help="run only this case index (repeatable)")
    parser.add_argument("--tender", type=Path, default=EXAMPLE_TENDER,
                        help="the tender every case starts from (default: the bundled example)")
    args = parser.parse_args(argv)
    use_tender(args.tender)

    def progress(done: int, s: Summary) -> None:
        print(f"  {done} cases: {s.valid} valid, {s.errors} clean errors, {len(s.failures)} failures",
              file=sys.stderr, flush=True)

    summary = run(args.cases, args.seed, args.out, args.keep, args.only, progress)
    print(f"fuzz: seed {args.seed}, tender {args.tender}")
    print(summary.report())
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
