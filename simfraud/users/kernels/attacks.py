"""One attack attempt met layer by layer: primary defence, step-up, monitoring."""

from __future__ import annotations

import numpy as np
from numba import njit

from simfraud.core.rng import exponential

SUCCESS = 0
STOPPED_PRIMARY = 1
STOPPED_STEP_UP = 2
STOPPED_MONITORING = 3


@njit(cache=True, inline="always")
def resolve_layers(u_primary: float, pass_primary: float, needs_step_up: bool,
                   u_step_up: float, block_step_up: float, u_monitoring: float,
                   detect: float) -> np.int64:
    """Outcome of one attempt.

    Args:
        u_primary: Uniform draw for the primary layer.
        pass_primary: Probability the attempt passes the primary layer (liveness contest,
            device binding, or the victim's vigilance and payee warnings).
        needs_step_up: Whether the amount triggers step-up verification.
        u_step_up: Uniform draw for step-up.
        block_step_up: Probability step-up stops the attempt.
        u_monitoring: Uniform draw for monitoring.
        detect: Probability monitoring stops the attempt.

    Returns:
        ``SUCCESS`` or the layer that stopped the attempt.
    """
    if u_primary >= pass_primary:
        return STOPPED_PRIMARY
    if needs_step_up and u_step_up < block_step_up:
        return STOPPED_STEP_UP
    if u_monitoring < detect:
        return STOPPED_MONITORING
    return SUCCESS


@njit(cache=True, inline="always")
def exponential_amount(mean: float, ekey: np.uint64, draw: np.int64) -> np.int64:
    """An exponentially distributed amount in minor units (at least 1).

    Args:
        mean: Mean amount.
        ekey: Entity key of the user's day.
        draw: Draw slot of this amount.

    Returns:
        ``max(1, round(mean * E))`` with ``E`` the standard exponential of the slot
        (``rng.exponential``, a ziggurat: no logarithm in 99% of cases).
    """
    return max(np.int64(1), np.int64(np.round(mean * exponential(ekey, draw))))
