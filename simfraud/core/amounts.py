"""Heavy-tailed amounts: a lognormal body spliced to a capped Pareto tail.

An amount ``X`` has the lognormal distribution ``LN(mu, sigma)`` (median ``e^mu``) up
to the body's quantile ``q = 1 - tail_share``, at ``t = e^(mu + sigma z_q)``; above
``t`` the remaining probability ``tail_share`` follows a Pareto law with index
``alpha`` and scale ``t``, truncated at ``cap``::

    F(x) = Phi((ln x - mu) / sigma)                                  x <= t
    F(x) = q + (1 - q) (1 - (t/x)^alpha) / (1 - (t/cap)^alpha)       t < x <= cap

The CDF is continuous at ``t`` and reaches 1 at ``cap``; a body that passes ``cap``
(``t >= cap``) is clipped there. A draw is the inverse CDF of one uniform
(:func:`spliced_quantile`), so it stays a pure function of its draw coordinates; the
inverse normal CDF is Wichura's algorithm AS 241 (PPND16, Applied Statistics 37(3),
1988, 477-484), accurate to about 1e-16.

Scenarios give each vector's mean amount and the shape (``sigma``, ``tail_share``,
``alpha``, ``cap``); :func:`body_median` finds the body's median that gives that mean
(:func:`spliced_mean` is the analytic mean of the clipped distribution). The fits and the
normal quantiles a run needs are kept on disk (``core.stored_fits``), and scipy is
imported only to compute one not kept yet, so a run of a scenario run before imports no
scipy.optimize or scipy.special.
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
from numba import njit

from simfraud.core.stored_fits import stored

_A = np.array([3.3871328727963666080e0, 1.3314166789178437745e2, 1.9715909503065514427e3,
               1.3731693765509461125e4, 4.5921953931549871457e4, 6.7265770927008700853e4,
               3.3430575583588128105e4, 2.5090809287301226727e3])
_B = np.array([1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
               2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
               5.2264952788528545610e3])
_C = np.array([1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
               3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
               2.27238449892691845833e-2, 7.74545014278341407640e-4])
_D = np.array([1.0, 2.05319162663775882187e0, 1.67638483018380384940e0,
               6.89767334985100004550e-1, 1.48103976427480074590e-1, 1.51986665636164571966e-2,
               5.47593808499534494600e-4, 1.05075007164441684324e-9])
_E = np.array([6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
               2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
               2.71155556874348757815e-5, 2.01033439929228813265e-7])
_F = np.array([1.0, 5.99832206555887937690e-1, 1.36929880922735805310e-1,
               1.48753612908506148525e-2, 7.86869131145613259100e-4, 1.84631831751005468180e-5,
               1.42151175831644588870e-7, 2.04426310338993978564e-15])

LOG_MEDIAN, SIGMA, BODY_QUANTILE, THRESHOLD, ALPHA, CAP, TAIL_SPAN = range(7)
"""Columns of a row of :func:`amount_parameters` (what the kernel reads per vector)."""
N_PARAMETERS = 7
HALF_STEP = 2.0**-54
"""Added to a 53-bit uniform in [0, 1) so the inverse CDF never sees 0."""


@njit(cache=True, inline="always")
def _polynomial(coefficients: np.ndarray, x: float) -> float:
    total = 0.0
    for k in range(coefficients.size - 1, -1, -1):
        total = total * x + coefficients[k]
    return total


@njit(cache=True)
def inverse_normal(p: float) -> float:
    """Standard normal quantile of ``p`` in (0, 1) (Wichura 1988, AS 241 PPND16)."""
    q = p - 0.5
    if abs(q) <= 0.425:
        r = 0.180625 - q * q
        return q * _polynomial(_A, r) / _polynomial(_B, r)
    r = math.sqrt(-math.log(min(p, 1.0 - p)))
    if r <= 5.0:
        r -= 1.6
        value = _polynomial(_C, r) / _polynomial(_D, r)
    else:
        r -= 5.0
        value = _polynomial(_E, r) / _polynomial(_F, r)
    return -value if q < 0.0 else value


@njit(cache=True)
def spliced_quantile(u: float, row: np.ndarray) -> float:
    """The amount at probability ``u`` in (0, 1) of one row of :func:`amount_parameters`."""
    if u < row[BODY_QUANTILE]:
        x = math.exp(row[LOG_MEDIAN] + row[SIGMA] * inverse_normal(u))
    else:
        share = (u - row[BODY_QUANTILE]) / (1.0 - row[BODY_QUANTILE])
        x = row[THRESHOLD] * (1.0 - share * row[TAIL_SPAN]) ** (-1.0 / row[ALPHA])
    return min(x, row[CAP])


@njit(cache=True)
def spliced_quantiles(us: np.ndarray, row: np.ndarray) -> np.ndarray:
    """:func:`spliced_quantile` of each of ``us`` (for fits and tests)."""
    out = np.empty(us.size)
    for i in range(us.size):
        out[i] = spliced_quantile(us[i], row)
    return out


def amount_parameters(median: float, sigma: float, tail_share: float, alpha: float,
                      cap: float) -> np.ndarray:
    """The kernel's row of parameters of one spliced distribution.

    Args:
        median: Median of the lognormal body (minor units; 0 gives amounts of 0).
        sigma: Log standard deviation of the body.
        tail_share: Probability an amount comes from the Pareto tail, in [0, 1).
        alpha: Pareto tail index (> 0).
        cap: Largest amount (minor units).

    Returns:
        A float array indexed by ``LOG_MEDIAN`` .. ``TAIL_SPAN``.
    """
    row = np.zeros(N_PARAMETERS)
    row[LOG_MEDIAN] = math.log(median) if median > 0 else -math.inf
    row[SIGMA], row[ALPHA], row[CAP] = sigma, alpha, cap
    row[BODY_QUANTILE] = 1.0 - tail_share
    if tail_share > 0 and median > 0:
        row[THRESHOLD] = math.exp(row[LOG_MEDIAN] + sigma * normal_quantile(1.0 - tail_share))
    row[TAIL_SPAN] = max(0.0, 1.0 - (row[THRESHOLD] / cap) ** alpha)
    return row


@lru_cache(maxsize=256)
@stored
def normal_quantile(p: float) -> float:
    """The standard normal quantile of ``p`` in (0, 1) (``scipy.special.ndtri``)."""
    from scipy.special import ndtri

    return float(ndtri(p))


def _pareto_partial(threshold: float, alpha: float, cap: float, level: float) -> float:
    """``E[P; P <= level]`` of a Pareto law of scale ``threshold`` truncated at ``cap``.

    ``threshold < level <= cap``; at ``level = cap`` it is the truncated law's mean.
    """
    ratio = level / threshold
    if abs(alpha - 1.0) < 1e-9:
        integral = math.log(ratio)
    else:
        integral = (ratio ** (1.0 - alpha) - 1.0) / (1.0 - alpha)
    return threshold * alpha * integral / (1.0 - (cap / threshold) ** -alpha)


def partial_expectation(level: float, median: float, sigma: float, tail_share: float,
                        alpha: float, cap: float) -> float:
    """``E[X; X <= level]`` of the spliced, capped distribution (minor units).

    The other arguments are those of :func:`amount_parameters`; at ``level >= cap`` it is
    the mean (:func:`spliced_mean`).
    """
    from scipy.special import ndtr, ndtri

    if median <= 0 or level <= 0:
        return 0.0
    mu, q = math.log(median), 1.0 - tail_share
    body_end = math.inf if tail_share == 0 else math.exp(mu + sigma * float(ndtri(q)))
    top = min(body_end, cap, level)
    # Lognormal partial expectation E[X; X <= top].
    total = math.exp(mu + sigma**2 / 2) * float(ndtr((math.log(top) - mu) / sigma - sigma))
    if level >= cap:  # what sits at the cap: the body past it, the tail if it starts there
        if body_end > cap:
            total += cap * (q - float(ndtr((math.log(cap) - mu) / sigma)))
        if tail_share > 0 and body_end >= cap:
            total += tail_share * cap
    if tail_share > 0 and body_end < min(level, cap):
        total += tail_share * _pareto_partial(body_end, alpha, cap, min(level, cap))
    return total


def spliced_mean(median: float, sigma: float, tail_share: float, alpha: float,
                 cap: float) -> float:
    """Analytic mean of the spliced, capped distribution.

    Arguments are those of :func:`amount_parameters`.
    """
    return partial_expectation(cap, median, sigma, tail_share, alpha, cap)


@lru_cache(maxsize=1024)
@stored
def limited_mean(level: float, median: float, sigma: float, tail_share: float, alpha: float,
                 cap: float) -> float:
    """``E[min(X, level)]`` (the limited expected value; refunds use differences of it).

    A refund of ``min(max(X - excess, 0), ceiling)`` has the mean
    ``limited_mean(excess + ceiling) - limited_mean(excess)``. The other arguments are
    those of :func:`amount_parameters`.
    """
    if level <= 0 or median <= 0:
        return 0.0
    above = 1.0 - float(spliced_cdf(np.array([level]), median, sigma, tail_share, alpha,
                                    cap)[0])
    return partial_expectation(level, median, sigma, tail_share, alpha, cap) + level * above


@lru_cache(maxsize=1024)
@stored
def threshold_split(threshold: float, median: float, sigma: float, tail_share: float,
                    alpha: float, cap: float) -> tuple[float, float]:
    """Probability of an amount at or below ``threshold`` and its partial expectation.

    The other arguments are those of :func:`amount_parameters`.

    Returns:
        ``(P(X <= threshold), E[X; X <= threshold])`` (the second in minor units).
    """
    if threshold <= 0:
        return 0.0, 0.0
    below = float(spliced_cdf(np.array([threshold]), median, sigma, tail_share, alpha, cap)[0])
    return below, partial_expectation(threshold, median, sigma, tail_share, alpha, cap)


def spliced_cdf(x: np.ndarray, median: float, sigma: float, tail_share: float, alpha: float,
                cap: float) -> np.ndarray:
    """CDF of the spliced, capped distribution at ``x``.

    The other arguments are those of :func:`amount_parameters`.
    """
    from scipy.special import ndtr

    row = amount_parameters(median, sigma, tail_share, alpha, cap)
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        body = ndtr((np.log(x) - row[LOG_MEDIAN]) / sigma)
        tail = row[BODY_QUANTILE] + tail_share * (1.0 - (row[THRESHOLD] / x) ** alpha) / max(
            row[TAIL_SPAN], 1e-300)
    cdf = np.where(x <= row[THRESHOLD], body, tail) if tail_share > 0 else body
    return np.where(x >= cap, 1.0, np.clip(cdf, 0.0, 1.0))


@lru_cache(maxsize=256)
@stored
def body_median(mean: float, sigma: float, tail_share: float, alpha: float,
                cap: float) -> float:
    """The body's median that gives the spliced, capped distribution this mean.

    Args:
        mean: Target mean (minor units), below ``cap``; 0 gives 0.
        sigma: Log standard deviation of the body.
        tail_share: Probability an amount comes from the tail.
        alpha: Pareto tail index.
        cap: Largest amount (minor units).

    Returns:
        The median (minor units); the mean rises with it from 0 towards ``cap``.
    """
    from scipy.optimize import brentq

    if mean <= 0:
        return 0.0

    def gap(log_median: float) -> float:
        return math.log(spliced_mean(math.exp(log_median), sigma, tail_share, alpha, cap)
                        / mean)

    low, high = math.log(mean) - 10.0 * (1.0 + sigma**2), math.log(cap) + 40.0
    return math.exp(brentq(gap, low, high, xtol=1e-12, rtol=1e-13))
