"""Memory for large exports: pyarrow's allocator (`arrow_pool`) and zeroed arrays in
anonymous maps (`mapped_zeros`), both giving memory back to the system as soon as it is freed.
"""

from __future__ import annotations

import mmap
from typing import Any

import numpy as np


def mapped_zeros(shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    """A zeroed array in an anonymous memory map of its own: pages are committed only when
    written, and go back to the system as soon as the array is dropped (whatever malloc's
    thresholds)."""
    count = int(np.prod(shape))
    buffer = mmap.mmap(-1, max(count * np.dtype(dtype).itemsize, 1))
    return np.frombuffer(buffer, dtype, count=count).reshape(shape)


def arrow_pool() -> Any:
    """pyarrow's jemalloc pool where it has one: it gives freed blocks back to the system
    sooner than the default mimalloc (peak ~80 MB lower for 1M lines); else the default."""
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, AttributeError):  # pragma: no cover - a build without jemalloc
        return None
