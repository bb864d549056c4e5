"""How one user's attitudes move each day: vigilance, perceived risk, trust, face pay."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, inline="always")
def update_vigilance(vigilance: float, baseline: float, decay: float, learning: float,
                     fooled: bool) -> float:
    """Vigilance drifts back to the segment baseline and jumps after being scammed."""
    vigilance += decay * (baseline - vigilance)
    if fooled:
        vigilance += learning * (1.0 - vigilance)
    return vigilance


@njit(cache=True, inline="always")
def update_risk(risk: float, decay: float, background: float, shock: float, victim: bool,
                word_of_mouth: float, contacts_defrauded: np.int64, media: float) -> float:
    """Perceived risk: back towards the background, up with fraud nearby and in the news."""
    risk += decay * (background - risk) + word_of_mouth * contacts_defrauded + media
    if victim:
        risk += shock
    return min(max(risk, 0.0), 1.0)


@njit(cache=True, inline="always")
def update_trust(trust: float, recovery: float, hit_unrefunded: float,
                 unrefunded_share: float, hit_false_reject: float,
                 false_rejects: np.int64) -> float:
    """Trust recovers towards 1 and falls after unrefunded fraud and false rejects."""
    trust += recovery * (1.0 - trust)
    trust -= hit_unrefunded * unrefunded_share + hit_false_reject * false_rejects
    return min(max(trust, 0.0), 1.0)


@njit(cache=True, inline="always")
def facepay_utility(convenience: float, push: float, risk_weight: float, privacy: float,
                    risk: float, friction_weight: float, friction: float) -> float:
    """Net appeal of face pay: convenience and platform push against privacy risk and friction."""
    return convenience + push - risk_weight * privacy * risk - friction_weight * friction


@njit(cache=True, inline="always")
def choose_platform(u: float, cumulative_share: np.ndarray, current: np.int64) -> np.int64:
    """Platform a switching user moves to: drawn by market share, never the current one.

    Args:
        u: Uniform draw.
        cumulative_share: Cumulative shares of the platforms (last entry 1).
        current: The user's platform.

    Returns:
        Index of the new platform (the next one when the draw lands on the current).
    """
    n = cumulative_share.shape[0]
    target = n - 1
    for k in range(n):
        if u < cumulative_share[k]:
            target = k
            break
    if target == current:
        target = (current + 1) % n
    return target
