"""Privacy: line identifiers (phone numbers) become ``L-`` + 16 hex digits of a keyed
HMAC-SHA256 (`pseudonymise`); the key is the user's (`pseudonym_key`, `key_file`).
"""

from __future__ import annotations

import hmac
import os
import re
import secrets
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import TenderError

KEY_ENV = "FLEETBID_PSEUDONYM_KEY"


KEY_BYTES = 32  # a new key file: 256 random bits


MIN_KEY_BYTES = 16


_HEX = re.compile(r"(?:[0-9a-fA-F]{2})+")


def key_file() -> Path:
    """This user's pseudonymisation key: ``$XDG_CONFIG_HOME/fleetbid/pseudonym.key``
    (``~/.config/fleetbid/pseudonym.key`` when XDG_CONFIG_HOME is unset, empty or relative)."""
    base = os.environ.get("XDG_CONFIG_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".config"
    return root / "fleetbid" / "pseudonym.key"


def pseudonym_key() -> bytes:
    """The key `pseudonymise` uses.

    ``$FLEETBID_PSEUDONYM_KEY`` when set and not blank: read as hex when it is an even number
    of at least 32 hex digits (``secrets.token_hex(32)`` gives 64), else as UTF-8 text.
    Otherwise the per-user `key_file`, created on first use from `KEY_BYTES` random bytes
    (``secrets.token_bytes``) with mode 0600 in a 0700 folder; an existing file is used as it
    is. So pseudonyms are stable on one machine (and on every machine given the same key),
    yet nobody without the key can recompute them by hashing every number of the numbering
    plan. Raises TenderError (naming the file) when the key file cannot be read or made, or
    holds fewer than `MIN_KEY_BYTES` bytes; likewise (naming the variable) when the variable's
    key, once decoded, is shorter than `MIN_KEY_BYTES` bytes.
    """
    text = os.environ.get(KEY_ENV, "").strip()
    if text:
        if len(text) >= 2 * MIN_KEY_BYTES and _HEX.fullmatch(text):
            key = bytes.fromhex(text)
        else:
            key = text.encode("utf-8")
        if len(key) < MIN_KEY_BYTES:
            raise TenderError.at(
                "(environment)", KEY_ENV, f"the pseudonymisation key holds {len(key)} bytes, fewer than the minimum "
                f"of {MIN_KEY_BYTES}: set at least {MIN_KEY_BYTES} bytes of text or {2 * MIN_KEY_BYTES} hex digits "
                f"(such as the output of secrets.token_hex({KEY_BYTES}))"
            )
        return key
    path = key_file()
    try:
        if not path.exists():
            _create_key_file(path)
        key = path.read_bytes()
    except OSError as exc:
        raise TenderError.at(
            str(path), "", f"cannot read or create the pseudonymisation key ({exc.strerror or exc}); set {KEY_ENV}"
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise TenderError.at(
            str(path), "", f"the pseudonymisation key holds {len(key)} bytes, fewer than {MIN_KEY_BYTES}: "
            f"restore the file, or delete it to make a new key (every pseudonym then changes), or set {KEY_ENV}"
        )
    return key


def _create_key_file(path: Path) -> None:
    """Write a new random key at ``path`` unless one appears meanwhile (atomic: the key is
    written to a private temporary file, then hard-linked into place, which fails if another
    process got there first — its key is then the one read)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links: exclusive create instead
            try:
                fd2 = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return
            with os.fdopen(fd2, "wb") as out:
                out.write(tmp.read_bytes())
    finally:
        tmp.unlink(missing_ok=True)


def pseudonymise(ids: pd.Series, key: bytes) -> pd.Series:
    """``L-`` + the first 16 hex digits of HMAC-SHA256(key, id), per id (stripped of spaces).

    Deterministic for a given key; without the key the raw number cannot be recovered or
    checked by brute force over the numbering plan. Each distinct id is hashed once (a
    Python loop over the unique ids, about 1.5 µs each: ~1.5 s for 1M lines); rows are then
    mapped by their factorised codes. Missing ids stay missing.
    """
    codes, uniques = pd.factorize(ids, use_na_sentinel=True)
    hashed = np.array(_hash_all([str(u).strip() for u in uniques], key) + [None], dtype=object)
    return pd.Series(hashed[codes], index=ids.index, name=ids.name, dtype=object)


def _hash_all(raw: list[str], key: bytes) -> list[str]:
    return pseudonym_texts(keyed_digests([value.encode("utf-8") for value in raw], key)).tolist()


try:  # what hmac.digest calls for OpenSSL's one-shot HMAC, without its Python wrapper (~20 % faster)
    from _hashlib import hmac_digest as _hmac_digest
except ImportError:  # pragma: no cover - another Python
    _hmac_digest = hmac.digest


def keyed_digests(messages: list[bytes], key: bytes) -> np.ndarray:
    """The first 8 bytes of HMAC-SHA256(key, id) per id (UTF-8), as uint64: 8 bytes a line,
    where the ``L-…`` text takes about 70."""
    digest = _hmac_digest
    packed = b"".join([digest(key, message, "sha256")[:8] for message in messages])
    return np.frombuffer(packed, ">u8").astype(np.uint64)


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", np.uint8)


def pseudonym_texts(digests: np.ndarray) -> np.ndarray:
    """``L-`` + 16 hex digits per digest, as an object array of str (built as bytes by numpy:
    ~5x faster than formatting each)."""
    out = np.empty(len(digests), object)
    for start in range(0, len(digests), 1 << 16):  # in blocks: the intermediate arrays stay small
        raw = digests[start : start + (1 << 16)].astype(">u8").view(np.uint8).reshape(-1, 8)
        text = np.empty((len(raw), 18), np.uint8)
        text[:, 0], text[:, 1] = ord("L"), ord("-")
        text[:, 2::2], text[:, 3::2] = _HEX_DIGITS[raw >> 4], _HEX_DIGITS[raw & 15]
        out[start : start + len(raw)] = text.view("S18").ravel().astype("U18")
    return out
