"""The contest between an attack tool and a defence (Tullock contest function)."""

from __future__ import annotations

import numpy as np


def tullock(quality: np.ndarray | float, strength: np.ndarray | float,
            decisiveness: float) -> np.ndarray:
    """Probability that a tool of ``quality`` beats a defence of ``strength``.

    ``q^r / (q^r + d^r)``: even odds when quality equals strength, certain success
    against no defence, certain failure with no tool.

    Args:
        quality: Tool quality (>= 0), scalar or array.
        strength: Defence strength (>= 0), broadcastable against ``quality``.
        decisiveness: Tullock exponent ``r`` (> 0); larger means sharper contests.

    Returns:
        Success probabilities in [0, 1], broadcast shape of the inputs.
    """
    q = np.asarray(quality, dtype=np.float64)
    d = np.asarray(strength, dtype=np.float64)
    qr = np.power(q, decisiveness)
    dr = np.power(d, decisiveness)
    total = qr + dr
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(total > 0, qr / np.where(total > 0, total, 1.0), 0.0)
    return np.where(d <= 0, 1.0, out)
