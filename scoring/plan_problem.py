"""The plan-mix problem every method of scoring/plans.py works on, and the guards they share.

`MixProblem` holds a bid's costs split as scoring/plans.py's docstring states (the separable
part ``s``, the pool contributions ``a`` capped at the fleet's usage ``D``, the overage
rates ``w``) and costs mixes exactly; `TIE_EUR` is the contract's tie margin.

Guards (docs/reliability.md §3): the search for one bid has a time budget,
``FLEETBID_MAX_SOLVER_SECONDS`` (60 s), shared by every step — enumeration, each layer of the
core search, each HiGHS call (given what is left as its own time limit), the polish and the
tie-rule re-solves. When it runs
out, `PlanMixTimeout` is raised: a mix found so far is not proven the contract's (the minimum,
then the first in lexicographic order), and the cost, the ranking and the award depend on it,
so no mix is returned. Mixes are costed in chunks whose largest temporary (mixes × profiles ×
pooled components × years) stays under ``CHUNK_BYTES``, so memory does not grow with the
number of mixes; each mix's cost is the same to the bit whatever the chunk.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .archive import env_limit

TIE_EUR = 0.005
# Seconds the search may take for one bid (read at each call, so a test may lower it).
MAX_SOLVER_SECONDS = env_limit("FLEETBID_MAX_SOLVER_SECONDS", 60)
# Bytes of the largest temporary when mixes are costed in bulk (bounds memory, not input).
CHUNK_BYTES = 32 * 1024 * 1024


class PlanMixTimeout(Exception):
    """The plan mix could not be proven the contract's within the time budget."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"the plan mix could not be proven optimal within {seconds:g} s")


class PlanMixFailure(Exception):
    """The solver stopped without an answer for a reason other than time (HiGHS's status named):
    no mix is presented as the contract's."""


@dataclass
class Clock:
    """The time left of one bid's budget; `left` raises `PlanMixTimeout` once it is spent."""

    seconds: float
    start: float = field(default_factory=time.monotonic)

    def left(self) -> float:
        left = self.seconds - (time.monotonic() - self.start)
        if left <= 0:
            raise PlanMixTimeout(self.seconds)
        return left


def _clock(clock: Clock | None) -> Clock:
    return clock if clock is not None else Clock(MAX_SOLVER_SECONDS)


@dataclass(frozen=True)
class MixProblem:
    options: tuple[tuple[int, ...], ...]  # usable plan indices per profile, in offer order
    s: np.ndarray  # (P, J) separable cost, euros over the term
    a: np.ndarray  # (P, J, C, Y) pool contribution, capped at D
    D: np.ndarray  # (C, Y) fleet usage of each pooled component
    w: np.ndarray  # (C, Y) euros per unit of pool overage

    def cost(self, choice: np.ndarray) -> np.ndarray:
        """Exact cost of assignments ``choice`` (N, P) of plan indices → (N,)."""
        return self.costs(len(choice), lambda lo, hi: choice[lo:hi])

    def costs(self, n: int, mixes: Callable[[int, int], np.ndarray], clock: Clock | None = None) -> np.ndarray:
        """Exact cost of ``n`` mixes, ``mixes(lo, hi)`` giving rows lo..hi-1 as (hi-lo, P) plan
        indices; built and costed a chunk at a time (the time budget checked between chunks)."""
        per_mix = 8 * self.s.shape[0] * (1 + self.D.size)  # a mix's row and its (P, C, Y) gather
        step = max(1, CHUNK_BYTES // per_mix)
        out = np.empty(n)
        for lo in range(0, n, step):
            if clock is not None and lo:
                clock.left()
            hi = min(n, lo + step)
            out[lo:hi] = self._cost(mixes(lo, hi))
        return out

    def _cost(self, choice: np.ndarray) -> np.ndarray:
        rows = np.arange(choice.shape[1])
        sep = self.s[rows, choice].sum(axis=1)
        if self.D.size == 0:
            return sep
        contrib = self.a[rows, choice].sum(axis=1)  # (N, C, Y)
        return sep + (self.w * np.maximum(0.0, self.D - contrib)).sum(axis=(1, 2))
