"""How a limit is set through the environment (`env_limit`): each module declares its own
``FLEETBID_MAX_*`` limits with it, next to the code they bound (docs/reliability.md lists them)."""

from __future__ import annotations

import os
import sys


def env_limit(name: str, default: int) -> int:
    """A limit from the environment variable ``name`` (a positive whole number, ``_`` allowed
    as in ``10_000_000``), else ``default``; read once, when the module is imported."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value <= 0:
        # A limit set wrong must not be ignored (it guards against hostile files), and must not
        # end in a traceback either: one error line, exit status 2, before anything runs.
        print(f"error: environment variable {name}: expected a positive whole number, got {raw!r}", file=sys.stderr)
        raise SystemExit(2)
    return value
