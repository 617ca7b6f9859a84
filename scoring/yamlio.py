"""Reading YAML input safely.

PyYAML's safe loader, except that a duplicate key is an error (the contract says so: a
second `monthly_fee` silently winning is how a wrong price gets evaluated). Errors carry
the file and the line number.
"""

from __future__ import annotations

import codecs
import math
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from .errors import TenderError
from .limits import env_limit
from .quote import quote

# The C-accelerated safe loader parses about 8x faster where libyaml is present; both
# construct only plain data (no Python objects).
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """The safe loader (SafeLoader or CSafeLoader), rejecting duplicate mapping keys."""


_BOOL_TAG = "tag:yaml.org,2002:bool"


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    # Keys merged in with `<<: *anchor` come first and may be overridden by the mapping's
    # own keys (that is what a merge is for); only a key written twice is a duplicate.
    own = len(node.value) - sum(1 for k, _ in node.value if k.tag == "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)
    merged = len(node.value) - own
    mapping: dict[Any, Any] = {}
    written: set[Any] = set()
    for i, (key_node, value_node) in enumerate(node.value):
        if key_node.tag == _BOOL_TAG:
            # Every key of the format is text; YAML 1.1 silently turns `on:`, `no:`, `yes:`
            # into true/false, which would then surface as a baffling "True".
            raise yaml.constructor.ConstructorError(
                None, None, f"key {quote(key_node.value)} reads as true/false in YAML; quote it", key_node.start_mark
            )
        key = loader.construct_object(key_node, deep=deep)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "a mapping key must be a plain value", key_node.start_mark
            ) from None
        if i >= merged:
            if key in written:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {quote(key)}", key_node.start_mark
                )
            written.add(key)
        try:
            mapping[key] = loader.construct_object(value_node, deep=deep)
        except _Base60Error as exc:  # name the field: the line alone does not say which value
            if exc.key_named:
                raise
            raise _Base60Error(f"{quote(key)}: {exc.problem}", exc.problem_mark, key_named=True) from None
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else f"{text[:20]!r}… ({len(text):,} characters)"


class _Base60Error(ConstructorError):
    """A YAML 1.1 base-60 number (``1:30:00`` is 5400): refused, see `_checked_scalar`."""

    def __init__(self, problem: str, mark: Any, key_named: bool = False):
        super().__init__(None, None, problem, mark)
        self.key_named = key_named


def _base_60(value: Any, node: yaml.ScalarNode) -> None:
    """YAML 1.1 reads ``1:30:00`` as the base-60 number 5400 and ``8:30`` as 510, silently:
    a duration, a time or a version typed that way is not what it seems. Refused, saying what
    it would have been read as and how to write it."""
    if ":" in str(node.value):
        raise _Base60Error(f"{_shown(str(node.value))} reads as the base-60 number {value:g} in YAML 1.1: "
                           "write the number itself, or put the text in quotes", node.start_mark)


def _checked_scalar(construct: Any, what: str) -> Any:
    """A scalar constructor whose bad input becomes a YAML error at its line: PyYAML raises a
    bare ValueError for `2027-02-30` (a date's shape, not a calendar date), an integer of
    thousands of digits (Python's int-to-str limit) or `!!float x`."""

    def checked(loader: _StrictLoader, node: yaml.ScalarNode) -> Any:
        try:
            value = construct(loader, node)
        except (ValueError, OverflowError, AttributeError, TypeError) as exc:  # `!!timestamp x`: AttributeError
            digits = sum(ch.isdigit() for ch in str(node.value))
            why = f"{digits:,} digits is too long a number" if digits > 100 else str(exc)
            raise ConstructorError(None, None, f"{_shown(str(node.value))} is not {what} ({why})",
                                   node.start_mark) from None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            _base_60(value, node)
        return value

    return checked


for _tag, _what in (("int", "an integer"), ("float", "a number"), ("timestamp", "a valid date")):
    _StrictLoader.add_constructor(f"tag:yaml.org,2002:{_tag}",
                                  _checked_scalar(getattr(SafeConstructor, f"construct_yaml_{_tag}"), _what))


# YAML aliases let a few lines stand for billions of values ("billion laughs"): the parsed
# document shares them, but everything that walks it afterwards would expand them.
# FLEETBID_MAX_YAML_VALUES sets it (docs/reliability.md §3).
MAX_EXPANDED_VALUES = env_limit("FLEETBID_MAX_YAML_VALUES", 1_000_000)
# A tender file is nested a few levels deep; the loader and the validation walk a document
# recursively, so a deep one (`[[[[…]]]]`) would exhaust Python's stack. Fixed, not
# configurable: much deeper would hit that limit again.
MAX_DEPTH = 100


# Every container the safe loader builds: mappings, sequences, the tuples of `!!pairs` and
# `!!omap`, `!!set` (and frozensets, should a constructor ever build one).
CONTAINERS = (dict, list, tuple, set, frozenset)


def _children(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [*(k for k in node if isinstance(k, CONTAINERS)), *node.values()]
    return list(node)


def measure(data: Any) -> tuple[int, int]:
    """(how many values the document holds once every alias is expanded, how deeply it is
    nested), iterative and memoised on shared containers, so a bomb is measured in the time
    its few nodes take. Every container counts (`CONTAINERS`: a bomb hidden in the tuples
    of `!!pairs` once passed a guard that walked mappings and lists only). The count stops
    just past `MAX_EXPANDED_VALUES`. A document that contains itself (an alias inside its
    own anchor, `a: &a [*a]`) is infinite: both figures are then ``math.inf``."""
    done: dict[int, tuple[int, int]] = {}
    open_: set[int] = set()  # entered, not finished: a container met again while open contains itself
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, CONTAINERS) or id(node) in done:
            continue
        children = _children(node)
        if children_done:
            total, height = 1, 1
            for child in children:
                if isinstance(child, CONTAINERS):
                    size, below = done[id(child)]
                    total, height = total + size, max(height, below + 1)
                else:
                    total += 1
                if total > MAX_EXPANDED_VALUES:
                    break
            done[id(node)] = (total, height)
            open_.discard(id(node))
            continue
        if id(node) in open_:
            return math.inf, math.inf
        open_.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in children if isinstance(child, CONTAINERS))
    return done.get(id(data), (1, 0))


def expanded_size(data: Any) -> int:
    """How many values the document holds once every alias is expanded (see `measure`)."""
    return measure(data)[0]


def _safe_load(text: str) -> Any:
    """PyYAML's load with `_StrictLoader`: the safe loader (a SafeLoader or
    CSafeLoader subclass, plain data only) with the duplicate-key check."""
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text; syntax errors and duplicate keys become a TenderError with the line."""
    try:
        data = _safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        what = exc.problem or exc.context or "invalid YAML"
        raise TenderError.at(file, where, f"YAML error: {what}") from None
    except yaml.YAMLError as exc:
        raise TenderError.at(file, TOP, f"YAML error: {exc}") from None
    except RecursionError:  # the pure-Python loader (no libyaml) composes recursively
        raise TenderError.at(file, TOP, f"nested too deeply: over the maximum nesting depth of {MAX_DEPTH}") from None
    size, depth = measure(data)
    if size == math.inf:
        raise TenderError.at(file, TOP, "a YAML alias refers to the block that holds it: the document would be infinite")
    if size > MAX_EXPANDED_VALUES:
        raise TenderError.at(file, TOP, f"more than {MAX_EXPANDED_VALUES:,} values once its aliases are expanded "
                                       "(a YAML alias bomb?)")
    if depth > MAX_DEPTH:
        raise TenderError.at(file, TOP, f"nested {depth:,} levels deep: over the maximum nesting depth of {MAX_DEPTH}")
    return data


# The field named by a problem about the whole document (empty, not a mapping); the same
# words scoring.load uses for a pydantic error without a path.
TOP = "(top level)"


def read_yaml_mapping(path: Path, display: str) -> dict:
    """Read a YAML file that must hold a mapping."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TenderError.at(display, "", f"cannot read file: {exc.strerror}") from None
    return parse_yaml_mapping(raw, display)


def parse_yaml_mapping(raw: bytes, display: str) -> dict:
    """Parse YAML bytes (UTF-8, a BOM allowed) that must hold a mapping."""
    data = parse_yaml(decode_text(raw, display), display)
    if data is None:
        raise TenderError.at(display, TOP, "file is empty; expected a mapping")
    if not isinstance(data, dict):
        raise TenderError.at(display, TOP, f"expected a mapping at the top level, got {type(data).__name__}")
    return data


def decode_text(raw: bytes, display: str) -> str:
    """UTF-8 text (a byte-order mark allowed); anything else is an error at the line and
    column of the first byte that is not UTF-8, saying how to fix it."""
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        raise TenderError.at(display, "line 1, column 1", "not UTF-8 text: the file is UTF-32; save it as UTF-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise TenderError.at(display, "line 1, column 1", "not UTF-8 text: the file is UTF-16; save it as UTF-8")
    body = raw[len(codecs.BOM_UTF8):] if raw.startswith(codecs.BOM_UTF8) else raw
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = body[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode("utf-8", errors="replace")) + 1
        raise TenderError.at(display, f"line {line}, column {column}",
                             f"not UTF-8 text (byte 0x{body[exc.start]:02x}, perhaps latin-1 or Windows-1252): "
                             "save the file as UTF-8") from None
    if "\0" in text:
        before = text[: text.index("\0")]
        line = before.count("\n") + 1
        raise TenderError.at(display, f"line {line}, column {len(before) - before.rfind(chr(10))}",
                             "not UTF-8 text: it holds NUL bytes (UTF-16 without a byte-order mark?); save it as UTF-8")
    return text
