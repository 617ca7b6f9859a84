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
            # m/a underflows to 0 (a tiny mean: log → -inf, E → 0) or overflows (a subnormal allowance: E → m − a)
            with np.errstate(divide="ignore", over="ignore"):
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


# --------------------------------------------------------------------------- v1.1: caps and block rates
# With X = max(0, U − a) a line's usage beyond its allowance (contract v1.1):
# - a cap on a per-unit rate r bills r·min(X, cap/r): ``E[min(X, L)] = E[X] − E[max(0, X − L)]``
#   (``capped_excess``, L = cap / r, +inf without a cap);
# - a block rate {block b, price q} bills q·ceil(X / b): ``E[ceil(X/b)] = Σ_{n ≥ 0} P(X > n·b)``
#   (``expected_blocks``), the series summed until its tail is below 1e-12 per line-month.
# `billed_units` is the one place that chooses between them; the same rules on measured lines
# (exact per line-month: ceil and min) are `line_billed`.

BLOCK_TOLERANCE = 1e-9  # an x / b within this of an integer counts as that integer
SERIES_TOLERANCE = 1e-12  # per line-month, on the block series' tail
_SERIES_CHUNK = 256


def whole_blocks(x: np.ndarray, block: np.ndarray) -> np.ndarray:
    """``ceil(x / block)`` for x ≥ 0, an ``x / block`` within 1e-9 of an integer counting as
    that integer (elementwise)."""
    n = np.asarray(x, float) / block
    near = np.rint(n)
    return np.where(np.abs(n - near) <= BLOCK_TOLERANCE, near, np.ceil(n))


def survival(mean, cv, dist, t) -> np.ndarray:
    """``P(U > t)`` for a line's usage U (arrays broadcast; cv = 0: the mean itself)."""
    mean, cv, dist, t = (np.asarray(v, float) for v in np.broadcast_arrays(mean, cv, dist, t))
    out = np.where(mean > t, 1.0, 0.0)
    with np.errstate(under="ignore"):
        c2 = cv * cv
    spread = (c2 > NARROW_CV2) & (mean > 0) & np.isfinite(t)
    pos = t > 0
    for code in (LOGNORMAL, GAMMA):
        cells = spread & (dist == code)
        if not cells.any():
            continue
        m, x, c2_ = mean[cells], t[cells], c2[cells]
        with np.errstate(divide="ignore", over="ignore", under="ignore"):  # the limits: P → 0 or 1
            if code == LOGNORMAL:
                s = np.sqrt(np.log1p(c2_))
                z = (np.log(np.where(x > 0, x, 1.0) / m) + s * s / 2) / s
                value = 1.0 - ndtr(z)
            else:
                value = gammaincc(1.0 / c2_, np.where(x > 0, x, 0.0) / (m * c2_))
        out[cells] = np.where(pos[cells], value, 1.0)
    return out


def capped_excess(mean, cv, dist, allowance, limit) -> np.ndarray:
    """``E[min(max(0, U − allowance), limit)]`` elementwise (``limit`` +inf: no cap)."""
    mean, cv, dist, allowance, limit = np.broadcast_arrays(*(np.asarray(v, float) for v in
                                                             (mean, cv, dist, allowance, limit)))
    beyond = np.where(np.isfinite(limit), allowance + np.where(np.isfinite(limit), limit, 0.0), np.inf)
    return np.maximum(expected_excess(mean, cv, dist, allowance) - expected_excess(mean, cv, dist, beyond), 0.0)


def expected_blocks(mean, cv, dist, allowance, block) -> np.ndarray:
    """``E[ceil(max(0, U − allowance) / block)]`` elementwise, block > 0: ``Σ_{n≥0} P(X > n·b)``
    summed until the tail bound ``E[max(0, X − (n−1)·b)] / b`` is under 1e-12 (a fixed usage:
    ``whole_blocks`` of its excess; an unlimited allowance: 0)."""
    mean, cv, dist, allowance, block = (np.array(v, float) for v in np.broadcast_arrays(
        *(np.asarray(v, float) for v in (mean, cv, dist, allowance, block))))
    shape = mean.shape
    mean, cv, dist, allowance, block = (np.atleast_1d(v).ravel() for v in (mean, cv, dist, allowance, block))
    with np.errstate(under="ignore"):
        spread = (cv * cv > NARROW_CV2) & (mean > 0) & np.isfinite(allowance)
    out = np.where(np.isfinite(allowance), whole_blocks(np.maximum(0.0, mean - np.where(
        np.isfinite(allowance), allowance, 0.0)), block), 0.0)
    cells = np.flatnonzero(spread)
    if len(cells):
        total = np.zeros(len(cells))
        m, c, d, a, b = mean[cells], cv[cells], dist[cells], allowance[cells], block[cells]
        active = np.arange(len(cells))
        n0 = 0
        while len(active):
            n = n0 + np.arange(_SERIES_CHUNK)[None, :]
            ma, ca, da, aa, ba = (v[active][:, None] for v in (m, c, d, a, b))
            total[active] += survival(ma, ca, da, aa + n * ba).sum(axis=1)
            n0 += _SERIES_CHUNK
            tail = expected_excess(m[active], c[active], d[active], a[active] + (n0 - 1) * b[active]) / b[active]
            active = active[tail > SERIES_TOLERANCE]
        out[cells] = total
    return out.reshape(shape)


def billed_units(mean, cv, dist, allowance, block, limit) -> np.ndarray:
    """A line's expected billed units beyond ``allowance``: blocks where ``block`` > 0 (the rate
    is then the block's price), else the excess capped at ``limit`` (cap / rate, +inf: none)."""
    mean, cv, dist, allowance, block, limit = np.broadcast_arrays(*(np.asarray(v, float) for v in
                                                                    (mean, cv, dist, allowance, block, limit)))
    out = capped_excess(mean, cv, dist, allowance, limit)
    blocks = block > 0
    if blocks.any():
        out = np.array(out)
        out[blocks] = expected_blocks(mean[blocks], cv[blocks], dist[blocks], allowance[blocks], block[blocks])
    return out


def line_billed(excess: np.ndarray, block: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """Billed units of measured lines, exact per line-month: ``whole_blocks(excess, block)``
    where ``block`` > 0, else ``min(excess, limit)`` (arrays broadcast; excess ≥ 0)."""
    capped = np.minimum(excess, limit)
    return np.where(block > 0, whole_blocks(excess, np.where(block > 0, block, 1.0)), capped)
