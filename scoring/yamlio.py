"""Reading YAML input safely.

PyYAML's safe loader, except that a duplicate key is an error (the contract says so: a
second `monthly_fee` silently winning is how a wrong price gets evaluated). Errors carry
the file and the line number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import TenderError

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
                None, None, f"key {key_node.value!r} reads as true/false in YAML; quote it", key_node.start_mark
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
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            written.add(key)
        mapping[key] = loader.construct_object(value_node, deep=deep)
    return mapping


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


# YAML aliases let a few lines stand for billions of values ("billion laughs"): the parsed
# document shares them, but everything that walks it afterwards would expand them.
MAX_EXPANDED_VALUES = 1_000_000


def expanded_size(data: Any) -> int:
    """How many values the document holds once every alias is expanded (iterative, memoised
    on shared containers, so a bomb is measured in the time its few nodes take)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(data, False)]
    while stack:
        node, children_done = stack.pop()
        if not isinstance(node, (dict, list)) or id(node) in sizes:
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if children_done:
            total = 1
            for child in children:
                total += sizes.get(id(child), 1) if isinstance(child, (dict, list)) else 1
                if total > MAX_EXPANDED_VALUES:
                    break
            sizes[id(node)] = total
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children if isinstance(child, (dict, list)))
    return sizes.get(id(data), 1)


def parse_yaml(text: str, file: str) -> Any:
    """Parse YAML text; syntax errors and duplicate keys become a TenderError with the line."""
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - _StrictLoader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "YAML"
        what = exc.problem or exc.context or "invalid YAML"
        raise TenderError.at(file, where, f"YAML error: {what}") from None
    except yaml.YAMLError as exc:
        raise TenderError.at(file, "", f"YAML error: {exc}") from None
    if expanded_size(data) > MAX_EXPANDED_VALUES:
        raise TenderError.at(file, "", f"more than {MAX_EXPANDED_VALUES:,} values once its aliases are expanded "
                                       "(a YAML alias bomb?)")
    return data


def read_yaml_mapping(path: Path, display: str) -> dict:
    """Read a YAML file that must hold a mapping."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise TenderError.at(display, "", f"cannot read file: {exc.strerror}") from None
    return parse_yaml_mapping(raw, display)


def parse_yaml_mapping(raw: bytes, display: str) -> dict:
    """Parse YAML bytes (UTF-8, a BOM allowed) that must hold a mapping."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TenderError.at(display, "", f"not UTF-8 text (byte {exc.start})") from None
    data = parse_yaml(text, display)
    if data is None:
        raise TenderError.at(display, "", "file is empty; expected a mapping")
    if not isinstance(data, dict):
        raise TenderError.at(display, "", f"expected a mapping at the top level, got {type(data).__name__}")
    return data
