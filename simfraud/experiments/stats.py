"""Statistics over replicates: paired differences with t intervals."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import stdtrit  # the t quantile, without importing scipy.stats (2 s)


@dataclass(frozen=True)
class Interval:
    """A mean with its 95% confidence interval."""

    mean: float
    low: float
    high: float
    n: int


def paired_difference(reference: np.ndarray, other: np.ndarray,
                      confidence: float = 0.95) -> Interval:
    """Mean of ``other - reference`` over paired replicates, with a t interval.

    Replicate r of both arms shares its random numbers, so the difference measures the
    policy; the interval is ``mean +- t(n-1) * sd / sqrt(n)``.

    Args:
        reference: One value per replicate for the reference arm.
        other: One value per replicate for the compared arm (same order).
        confidence: Coverage of the interval.

    Returns:
        The mean difference and its interval; with fewer than two replicates there is no
        interval and its ends are NaN.
    """
    diff = np.asarray(other, dtype=float) - np.asarray(reference, dtype=float)
    n = len(diff)
    mean = float(diff.mean()) if n else float("nan")
    if n < 2:
        return Interval(mean, float("nan"), float("nan"), n)
    half = stdtrit(n - 1, 0.5 + confidence / 2) * diff.std(ddof=1) / np.sqrt(n)
    return Interval(mean, mean - half, mean + half, n)
