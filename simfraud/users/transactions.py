"""The labelled transaction log: the payments of a sample of users, for fraud-detector work.

Each sampled user's genuine payment and every attack on them become one record of
``N_FIELDS`` integers in their chunk's buffer (filled in user order, read in chunk
order, so the log is the same whatever the thread count). ``key`` is a random 62-bit
transaction id, so neither ids nor the order of rows sorted by it carry the label.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from simfraud.core.draws import KEY_SLOTS, P_SAMPLED, STREAM_POPULATION
from simfraud.core.rng import entity_key, uniform

F_DAY, F_USER, F_PLATFORM, F_AMOUNT, F_VECTOR, F_AUTH, F_OUTCOME, F_REFUNDED, F_KEY = range(9)
N_FIELDS = 9
MAX_EVENTS = 7
"""Records one user can add in a day: one genuine payment and one attack per vector."""

GENUINE = -1
"""``vector`` of a genuine payment."""
AUTH_OTHER, AUTH_FACE = 0, 1
"""``auth`` bit 0: face authentication; bit 1 (``AUTH_STEP_UP``): a one-time code."""
AUTH_STEP_UP = 2
OUTCOMES = ("completed", "stopped_primary", "stopped_step_up", "stopped_monitoring",
            "abandoned_after_false_reject", "completed_after_false_reject", "stopped_payee")
"""``outcome`` codes: index into this tuple (1-3 and 6 follow ``authentication.STOPPED_*``)."""


@njit(cache=True, inline="always")
def record(log, count, day, user, platform, amount, vector, auth, outcome, refunded, key,
           slot):
    """Append one record to a chunk's buffer."""
    k = count[0]
    log[k, F_DAY] = day
    log[k, F_USER] = user
    log[k, F_PLATFORM] = platform
    log[k, F_AMOUNT] = amount
    log[k, F_VECTOR] = vector
    log[k, F_AUTH] = auth
    log[k, F_OUTCOME] = outcome
    log[k, F_REFUNDED] = refunded
    log[k, F_KEY] = np.int64(uniform(key, KEY_SLOTS + slot) * 4611686018427387904.0)
    count[0] = k + 1


@njit(cache=True, parallel=True)
def sample_users(key: np.uint64, n: np.int64, share: float) -> np.ndarray:
    """1 for the users whose payments are logged (a fixed random ``share`` of them)."""
    out = np.zeros(n, dtype=np.uint8)
    for i in prange(n):
        out[i] = uniform(entity_key(key, STREAM_POPULATION, i), P_SAMPLED) < share
    return out
