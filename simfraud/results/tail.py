"""Tail risk over replicates: VaR and expected shortfall with bootstrap 95% intervals.

One value per replicate (e.g. its annual loss); the bootstrap resamples replicates with
a fixed seed, so the same values always give the same bytes. A ``run`` with several
replicates and every arm of a ``compare`` report it.
"""

from __future__ import annotations

import math

import numpy as np

from simfraud.core.metrics import MINOR_UNITS

BOOTSTRAP_SAMPLES = 2_000
BOOTSTRAP_SEED = 20_240_101
TAIL_LEVELS = (95, 99)
TAIL_MIN_IN_TAIL = 2
"""Replicates that must lie beyond a quantile for its tail mean to be more than one value."""


def needed_replicates(level: int) -> int:
    """Replicates needed for ``TAIL_MIN_IN_TAIL`` of them to lie beyond the level."""
    return math.ceil(TAIL_MIN_IN_TAIL / (1 - level / 100) - 1e-9)


def _tail_values(values: np.ndarray, level: int) -> tuple[float, float]:
    var = float(np.percentile(values, level))
    return var, float(values[values >= var].mean())


def _bootstrap_tails(samples: np.ndarray, level: int) -> tuple[np.ndarray, np.ndarray]:
    """VaR and expected shortfall at ``level`` of each bootstrap sample (one per row)."""
    var = np.percentile(samples, level, axis=1)
    beyond = samples >= var[:, None]
    return var, np.where(beyond, samples, 0.0).sum(axis=1) / beyond.sum(axis=1)


def tail_row(values: np.ndarray, currency: str) -> dict:
    """Mean, VaR and expected shortfall at each level with bootstrap 95% intervals.

    With fewer than ``needed_replicates(level)`` replicates the expected shortfall is the
    mean of at most one replicate (the largest); ``warning`` says so.
    """
    values = np.asarray(values, dtype=float)
    n = len(values)
    row: dict = {"mean": float(values.mean()), "replicates": n,
                 "unit": f"{currency} {MINOR_UNITS} per year"}
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    samples = values[rng.integers(0, n, size=(BOOTSTRAP_SAMPLES, n))] if n > 1 else None
    short = []
    for level in TAIL_LEVELS:
        var, es = _tail_values(values, level)
        row[f"var_{level}"], row[f"es_{level}"] = var, es
        boots = _bootstrap_tails(samples, level) if samples is not None else (None, None)
        for name, boot in zip(("var", "es"), boots, strict=True):
            low = high = math.nan
            if boot is not None:
                low, high = (float(x) for x in np.percentile(boot, [2.5, 97.5]))
            row[f"{name}_{level}_low"], row[f"{name}_{level}_high"] = low, high
        if n < needed_replicates(level):
            short.append(f"{level}% needs {needed_replicates(level)}")
    row["warning"] = (f"too few replicates ({n}) for the tail: " + ", ".join(short)
                      + "; es is then the mean of the largest replicate(s)") if short else ""
    return row
