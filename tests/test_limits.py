"""Size and shape limits on input: each refusal is one TenderError naming the file (and the
entry or line), never an exception escaping from zipfile, zlib, PyYAML or the recursion limit.

- Uploaded zips (scoring/archive.py): too many files, a file or the total too large, a size
  header that lies, a broken deflate stream, an encrypted entry, paths leaving the folder,
  not a zip; in the app a refused zip is one row of the Tender page's error table and the
  tender in use does not change.
- YAML (scoring/yamlio.py): a document that contains itself (`a: &a [*a]`, which used to
  loop for ever), nesting deeper than `MAX_DEPTH` (which used to raise RecursionError between
  about 500 levels and libyaml's own limit of 1,000, and from about 500 levels without
  libyaml).
- The configurable limits are read from FLEETBID_MAX_* environment variables.

Alias bombs, libyaml's nesting limit and the Excel limits are tested in tests/test_validation.py
and tests/test_excel.py.
"""

from __future__ import annotations

import io
import struct
import subprocess
import sys
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from scoring import TenderError, archive
from scoring.archive import files_from_zip
from scoring.yamlio import MAX_DEPTH, parse_yaml_mapping

from conftest import ROOT

YAML = b"name: x\n" * 200


def zipped(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for path, data in entries.items():
            z.writestr(path, data)
    return buffer.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(TenderError) as info:
        files_from_zip(data, "t.zip")
    assert len(info.value.problems) == 1
    p = info.value.problems[0]
    return f"{p.file}: {p.field}: {p.message}"


def forged_size(data: bytes, size: int) -> bytes:
    """The zip with its (single) entry's uncompressed size rewritten in both headers."""
    out = bytearray(data)
    struct.pack_into("<I", out, 22, size)  # local file header
    struct.pack_into("<I", out, out.rfind(b"PK\x01\x02") + 24, size)  # central directory
    return bytes(out)


def test_too_many_files(monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILES", 3)
    assert refused(zipped({f"bids/b{i}.yaml": YAML for i in range(4)})) == \
        "t.zip: (file): 4 files: more than the 3 a tender may hold"
    assert len(files_from_zip(zipped({f"bids/b{i}.yaml": YAML for i in range(3)}))) == 3


def test_file_and_total_size(monkeypatch):
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", len(YAML))
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", 2 * len(YAML))
    assert refused(zipped({"tender.yaml": YAML + b"#"})) == \
        f"t.zip: tender.yaml: {len(YAML) + 1:,} bytes: over the {len(YAML):,}-byte limit"
    assert refused(zipped({f"bids/b{i}.yaml": YAML for i in range(3)})) == \
        f"t.zip: (file): over the {2 * len(YAML):,}-byte limit once unpacked"
    assert len(files_from_zip(zipped({f"bids/b{i}.yaml": YAML for i in range(2)}))) == 2


def test_billing_exports_have_a_limit_per_file_and_in_all(monkeypatch):
    """A .csv export is not counted in MAX_TOTAL_BYTES, but the exports of one zip together
    may not exceed MAX_EXPORT_BYTES (else 500 entries of 512 MB each would unpack to 256 GB)."""
    export = b"msisdn,entity\n" + b"L,a\n" * 20
    monkeypatch.setattr(archive, "MAX_TOTAL_BYTES", len(YAML))
    monkeypatch.setattr(archive, "MAX_EXPORT_BYTES", len(export) + 10)
    assert files_from_zip(zipped({"tender.yaml": YAML, "usage.csv": export})) == \
        {"tender.yaml": YAML, "usage.csv": export}
    assert refused(zipped({"tender.yaml": YAML, "usage.csv": export + b"L,a\n" * 3})).endswith(
        f"bytes: over the {len(export) + 10:,}-byte limit")
    assert refused(zipped({"tender.yaml": YAML, "usage.csv": export, "old/usage.csv": export})) == \
        f"t.zip: old/usage.csv: billing exports over the {len(export) + 10:,}-byte limit in all once unpacked"


def test_a_size_that_lies_is_a_damaged_entry_or_counted_as_claimed(monkeypatch):
    """Smaller than the content: zipfile stops at the claimed size, then the CRC fails. Larger:
    the real content is read, and the claimed size is what counts against the limits."""
    message = refused(forged_size(zipped({"tender.yaml": YAML}), 10))
    assert message.startswith("t.zip: tender.yaml: damaged or unreadable zip entry (")
    assert files_from_zip(forged_size(zipped({"tender.yaml": YAML}), 3 * len(YAML))) == {"tender.yaml": YAML}
    monkeypatch.setattr(archive, "MAX_FILE_BYTES", 2 * len(YAML))
    assert "bytes: over the" in refused(forged_size(zipped({"tender.yaml": YAML}), 3 * len(YAML)))


def test_a_broken_deflate_stream_is_a_damaged_entry():
    data = bytearray(zipped({"tender.yaml": YAML}))
    start = 30 + len("tender.yaml")  # the entry's compressed data, after its local header
    data[start:start + 8] = b"\xff" * 8
    assert refused(bytes(data)).startswith("t.zip: tender.yaml: damaged or unreadable zip entry (")


def test_an_encrypted_entry_is_refused():
    data = bytearray(zipped({"tender.yaml": YAML}, zipfile.ZIP_STORED))
    struct.pack_into("<H", data, 6, 0x1)  # "encrypted" in the local header's flags
    struct.pack_into("<H", data, data.rfind(b"PK\x01\x02") + 8, 0x1)  # and in the central directory
    assert refused(bytes(data)).startswith("t.zip: tender.yaml: damaged or unreadable zip entry (")


@pytest.mark.parametrize("path", ["../evil.yaml", "/etc/evil.yaml", "t/../../evil.yaml"])
def test_paths_leaving_the_folder(path):
    assert refused(zipped({path: YAML})) == f"t.zip: {path}: a path outside the tender folder is not allowed"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really", b"plans: []\n"])
def test_not_a_zip(data):
    assert refused(data) == "t.zip: (file): not a zip file"


def test_limits_from_the_environment():
    code = ("from scoring import archive, yamlio; "
            "print(archive.MAX_FILES, archive.MAX_FILE_BYTES, archive.MAX_TOTAL_BYTES, yamlio.MAX_EXPANDED_VALUES)")
    env = {"FLEETBID_MAX_FILES": "20", "FLEETBID_MAX_FILE_BYTES": "1_000", "FLEETBID_MAX_TOTAL_BYTES": "5000",
           "FLEETBID_MAX_YAML_VALUES": "10", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["20", "1000", "5000", "10"]
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env={**env, "FLEETBID_MAX_FILES": "0"},
                         capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip() == "error: environment variable FLEETBID_MAX_FILES: expected a positive whole number, got '0'"


def test_a_damaged_zip_in_the_app_is_one_row_of_the_error_table():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    title = at.title[0].value
    bad = forged_size(zipped({"tender.yaml": YAML}), 10)
    at.file_uploader(key="upload").set_value(("bad.zip", bad, "application/zip")).run()
    assert not at.exception, at.exception
    errors = next(d.value for d in at.dataframe if "problem" in d.value.columns)
    assert list(errors["file"]) == ["bad.zip"] and list(errors["field"]) == ["tender.yaml"]
    assert errors["problem"][0].startswith("damaged or unreadable zip entry")
    assert at.title[0].value == title  # the tender in use did not change


# --------------------------------------------------------------------------- YAML


def yaml_refused(doc: bytes) -> str:
    with pytest.raises(TenderError) as info:
        parse_yaml_mapping(doc, "t.yaml")
    p = info.value.problems[0]
    return f"{p.file}: {p.field}: {p.message}"


def test_a_document_that_contains_itself():
    """Run in a subprocess with a timeout: the bug this guards against was an endless loop."""
    code = ("from scoring.yamlio import parse_yaml_mapping\n"
            "from scoring import TenderError\n"
            "for doc in (b'a: &a [*a]', b'a: &a [1, [2, *a]]', b'x: 1\\na: &a\\n  - b: *a\\n'):\n"
            "    try:\n"
            "        parse_yaml_mapping(doc, 'self.yaml')\n"
            "    except TenderError as e:\n"
            "        print(e)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 3, lines
    assert all(line.startswith("self.yaml: ") and ("infinite" in line or "recursive" in line) for line in lines), lines


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 500, 990])
def test_nesting_deeper_than_the_limit(depth):
    doc = b"a: " + b"[" * depth + b"]" * depth + b"\n"
    assert yaml_refused(doc) == \
        f"t.yaml: (top level): nested {depth + 1:,} levels deep: over the maximum nesting depth of {MAX_DEPTH}"


def test_nesting_up_to_the_limit_is_read():
    depth = MAX_DEPTH - 1  # the top-level mapping is one level
    data = parse_yaml_mapping(b"a: " + b"[" * depth + b"]" * depth + b"\n", "t.yaml")
    assert "a" in data


def test_nesting_without_libyaml():
    """PyYAML's pure-Python loader composes recursively: the RecursionError is caught."""
    code = ("import yaml; del yaml.CSafeLoader\n"
            "from scoring.yamlio import parse_yaml_mapping\n"
            "from scoring import TenderError\n"
            "for n in (150, 600, 5000):\n"
            "    try:\n"
            "        parse_yaml_mapping(b'a: ' + b'[' * n + b']' * n, 'deep.yaml')\n"
            "    except TenderError as e:\n"
            "        print(e)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("deep.yaml: (top level): ") for line in lines), lines
    assert all("maximum nesting depth of 100" in line for line in lines)


def test_a_deep_bid_file_is_an_error_table_row_not_a_crash():
    from scoring import EXAMPLE_TENDER
    from scoring.archive import files_of_folder
    from scoring.load import build_tender, read_files

    files = files_of_folder(EXAMPLE_TENDER)
    files["bids/telvia.yaml"] += b"extra: " + b"[" * 500 + b"]" * 500 + b"\n"
    with pytest.raises(TenderError) as info:
        build_tender(read_files("deep", files))
    assert [p.file for p in info.value.problems] == ["deep/bids/telvia.yaml"]


# ---- issue 12: one entry per file, after the path is normalised


@pytest.mark.parametrize("second", ["bids/x.yaml", "./bids/x.yaml", "bids//x.yaml", "bids/X.yaml", "bids\\x.yaml"])
def test_a_file_given_twice_in_a_zip_is_refused(second):
    """A second entry for the same file (written again, or spelled `./bids/x.yaml`,
    `bids//x.yaml`, in other capitals or with a backslash) used to replace the first silently."""
    import warnings

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: the point of the test
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("tender.yaml", YAML)
            z.writestr("bids/x.yaml", b"operator: First\n")
            z.writestr(second, b"operator: Second\n")
    message = refused(buffer.getvalue())
    assert message.startswith(f"t.zip: {second}: ") and "bids/x.yaml" in message and "twice" in message, message


def test_a_file_given_twice_among_uploads_is_refused():
    """Two loose files of one name, or a loose file that is also in an uploaded zip."""
    cases = [
        [("x.yaml", b"operator: First\n"), ("x.yaml", b"operator: Second\n")],
        [("t.zip", zipped({"tender.yaml": YAML, "bids/x.yaml": b"operator: First\n"})), ("X.yaml", b"a: 1\n")],
    ]
    for uploads in cases:
        with pytest.raises(TenderError) as info:
            archive.files_of_uploads(uploads)
        (p,) = info.value.problems
        assert p.file == uploads[-1][0] and "twice" in p.message, p


def _naive_size(node) -> int:
    """Every value once its aliases are expanded, counted by walking it all (small documents only)."""
    if isinstance(node, dict):
        return 1 + sum(_naive_size(v) for v in node.values())
    if isinstance(node, (list, tuple, set, frozenset)):
        return 1 + sum(_naive_size(v) for v in node)
    return 1


@pytest.mark.parametrize("doc", [
    b"a: &a [1, 2, 3]\nb: !!pairs [{k: *a}, {k: *a}]\n",
    b"a: &a [1, 2, 3]\nb: !!omap [{k: *a}, {j: [*a, *a]}]\n",
    b"a: !!set {x, y, z}\nb: [!!set {p}]\n",
])
def test_every_container_is_counted(doc):
    """The size guard counts what `!!pairs`, `!!omap` (tuples) and `!!set` build, not only
    mappings and lists: a bomb hidden in tuples passed it (591 bytes → 835 MB on stderr)."""
    from scoring.yamlio import _safe_load, measure

    data = _safe_load(doc.decode())
    assert measure(data)[0] == _naive_size(data)


def test_an_alias_bomb_in_pairs_is_refused(monkeypatch):
    monkeypatch.setattr("scoring.yamlio.MAX_EXPANDED_VALUES", 1000)
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 6):
        levels.append(f"l{i}: &l{i} !!pairs [" + ", ".join(f"{{k: *l{i - 1}}}" for _ in range(10)) + "]")
    assert "alias bomb" in yaml_refused(("\n".join(levels) + "\n").encode())
