"""The floor: the least a day can cost on this machine.

A kernel that only streams the population's hot columns (reads and writes them once,
in the same parallel chunks) and draws from the same counter-based generator as the
model, a handful of draws per user. The full model's time per user-day divided by this
one's says how far the model is from the memory-bandwidth (and RNG) limit.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from simfraud.core.draws import STREAM_USER
from simfraud.core.rng import entity_key, uniform
from simfraud.users.columns import UserColumns

DRAWS = 6
"""Draws per user: about what an ordinary user's day takes in the model."""


@njit(cache=True)
def _floor_chunk(c, key, acc, start, stop):
    total = 0.0
    for i in range(start, stop):
        ek = entity_key(key, STREAM_USER, i)
        u = 0.0
        for d in range(DRAWS):
            u += uniform(ek, d)
        c.flags[i] = c.flags[i] ^ np.uint8(u > 3.0)
        c.platform[i] = c.platform[i]
        c.vigilance[i] = np.float32(c.vigilance[i] * 0.999 + 0.001 * u)
        c.trust[i] = np.float32(c.trust[i] * 0.999)
        c.perceived_risk[i] = np.float32(c.perceived_risk[i] * 0.99)
        c.friction[i] = np.float32(c.friction[i] * 0.9)
        c.victim_now[i] = c.victim_prev[i]
        total += c.convenience[i] + c.privacy_concern[i] + c.face_exposure[i] + c.segment[i]
    acc[0] = total


@njit(cache=True, parallel=True)
def floor_day(c: UserColumns, key: np.uint64, acc: np.ndarray, chunk: np.int64) -> None:
    """Stream every hot column once, in parallel chunks, with ``DRAWS`` draws per user."""
    n = c.platform.shape[0]
    for k in prange(acc.shape[0]):
        _floor_chunk(c, key, acc[k], k * chunk, min(n, (k + 1) * chunk))
