"""Expected usage beyond an allowance when usage varies across a profile's lines.

A profile's usage of a component may be a distribution across its lines,
``{mean, cv, dist}`` (lognormal or gamma, mean and coefficient of variation). What an
operator bills per line is ``max(0, U − allowance) × rate``, so the expected bill is
``E[max(0, U − a)]`` — not ``max(0, mean − a)``, which is what a spreadsheet price schedule
(DQE) computes from the average line and which misses the heavy users entirely when the
mean is under the allowance.

Closed forms (a > 0 finite, cv > 0):
- lognormal, σ² = ln(1 + cv²), μ = ln(mean) − σ²/2:
  ``E = mean·Φ(d1) − a·Φ(d2)``, ``d1 = (ln(mean/a) + σ²/2)/σ``, ``d2 = d1 − σ``;
- gamma, shape k = 1/cv², scale θ = mean·cv²:
  ``E = mean·Q(k+1, a/θ) − a·Q(k, a/θ)``, Q the regularised upper incomplete gamma.
With cv = 0 the usage is the same on every line and ``E = max(0, mean − a)``; an allowance
of 0 gives the mean; an unlimited one gives 0.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincc, ndtr

FIXED, LOGNORMAL, GAMMA = 0, 1, 2
DIST_CODES = {"lognormal": LOGNORMAL, "gamma": GAMMA}


def expected_excess(mean, cv, dist, allowance) -> np.ndarray:
    """``E[max(0, U − allowance)]`` elementwise (all arguments broadcast together)."""
    mean, cv, dist, allowance = np.broadcast_arrays(
        np.asarray(mean, float), np.asarray(cv, float), np.asarray(dist), np.asarray(allowance, float)
    )
    out = np.array(np.maximum(0.0, mean - allowance), ndmin=1)  # cv = 0, allowance 0, allowance inf
    shape = mean.shape
    mean, cv, dist, allowance = (np.atleast_1d(x) for x in (mean, cv, dist, allowance))
    spread = (cv > 0) & (mean > 0) & (allowance > 0) & np.isfinite(allowance)
    # Each closed form only on its own cells (the arrays can be draws × years × profiles × components).
    for code in (LOGNORMAL, GAMMA):
        cells = spread & (dist == code)
        if not cells.any():
            continue
        m, a, c = mean[cells], allowance[cells], cv[cells]
        if code == LOGNORMAL:
            s2 = np.log1p(c * c)
            s = np.sqrt(s2)
            d1 = (np.log(m / a) + s2 / 2) / s
            out[cells] = m * ndtr(d1) - a * ndtr(d1 - s)
        else:
            k = 1.0 / (c * c)
            x = a / (m * c * c)
            out[cells] = m * gammaincc(k + 1.0, x) - a * gammaincc(k, x)
    return np.maximum(out, 0.0).reshape(shape)


def sample(mean: float, cv: float, dist: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Draw per-line usage (for Monte Carlo checks and synthetic billing exports)."""
    if cv == 0 or mean == 0:
        return np.full(size, float(mean))
    if dist == "lognormal":
        s2 = np.log1p(cv * cv)
        return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), size)
    return rng.gamma(1.0 / (cv * cv), mean * cv * cv, size)
