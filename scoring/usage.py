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

A spread too narrow for float64 (cv² underflows to 0, or the gamma shape 1/cv² overflows:
cv below about 1e-154) gives the limit as cv → 0, ``max(0, mean − a)``, rather than 0/0;
an allowance far above a tiny mean (a/θ overflows) gives 0, the limit there. NumPy never
warns: those edge cases are computed, not hidden.
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaincc, ndtr

FIXED, LOGNORMAL, GAMMA = 0, 1, 2
# A cv² at or below this (~5.6e-309: its reciprocal would overflow) is no spread for float64.
NARROW_CV2 = 1.0 / np.finfo(float).max
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
    with np.errstate(under="ignore"):  # cv² of a vanishing spread: 0 is the limit wanted
        c2 = cv * cv
    narrow = c2 <= NARROW_CV2  # keep max(0, mean − a)
    for code in (LOGNORMAL, GAMMA):
        cells = spread & (dist == code) & ~narrow
        if not cells.any():
            continue
        m, a, c, c2_ = mean[cells], allowance[cells], cv[cells], c2[cells]
        if code == LOGNORMAL:
            s2 = np.log1p(c2_)
            s = np.sqrt(s2)
            with np.errstate(divide="ignore"):  # m/a underflows to 0 (a tiny mean): log → -inf, E → 0
                d1 = (np.log(m / a) + s2 / 2) / s
            out[cells] = m * ndtr(d1) - a * ndtr(d1 - s)
        else:
            k = 1.0 / c2_
            with np.errstate(divide="ignore", over="ignore", under="ignore"):
                x = a / (m * c * c)  # +inf when the allowance is far above a tiny mean: Q(·, inf) = 0
            value = m * gammaincc(k + 1.0, x) - a * gammaincc(k, x)
            # A shape so large that the incomplete gamma function gives up (NaN): the narrow limit.
            out[cells] = np.where(np.isfinite(value), value, out[cells])
    return np.maximum(out, 0.0).reshape(shape)


def sample(mean: float, cv: float, dist: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """Draw per-line usage (for Monte Carlo checks and synthetic billing exports)."""
    if cv * cv <= NARROW_CV2 or mean == 0:  # no spread float64 can represent
        return np.full(size, float(mean))
    if dist == "lognormal":
        s2 = np.log1p(cv * cv)
        return rng.lognormal(np.log(mean) - s2 / 2, np.sqrt(s2), size)
    return rng.gamma(1.0 / (cv * cv), mean * cv * cv, size)
