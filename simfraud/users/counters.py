"""Layout of the per-chunk accumulators the user kernel fills.

Each chunk of users owns one row of an ``int64`` and one of a ``float64`` accumulator;
rows are summed in chunk order afterwards, so totals are bit-identical whatever the
number of threads. Integer slots are laid out as

* per (platform, vector): ``pv(p, v, k)`` for the ``PV_*`` stats,
* per platform: ``pp(n_platforms, p, k)`` for the ``P_*`` stats,
* global: ``gl(n_platforms, k)`` for the ``G_*`` stats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from simfraud.core.vectors import N_VECTORS

# Per (platform, vector).
PV_ATTEMPTS = 0
PV_SUCCESSES = 1
PV_LOSS = 2
PV_STOP_PRIMARY = 3
PV_STOP_STEP_UP = 4
PV_STOP_MONITORING = 5
PV_REFUND_SENDING = 6
PV_REFUND_RECEIVING = 7
PV_RECOVERED = 8
PV_ATTEMPTED_AMOUNT = 9
PV_ELIGIBLE_NEXT = 10
N_PV = 11

# Per platform.
P_USERS_NEXT = 0
P_FACEPAY_NEXT = 1
P_PAYMENTS = 2
P_VOLUME = 3
P_FACE_CHECKS = 4
P_FALSE_REJECTS = 5
P_STEP_UPS = 6
P_ABANDONED = 7
P_VICTIMS = 8
P_SWITCHED_OUT = 9
P_USER_LOSS = 10  # summed per user: loss minus refund (independent of the PV sums)
P_USER_REFUND = 11  # summed per user: refunds received
N_P = 12

# Global.
G_FACES_COMPROMISED = 0
G_CREDENTIALS_COMPROMISED = 1
G_FACEPAY_HIGH_PRIVACY = 2
G_FACEPAY_LOW_PRIVACY = 3
G_USERS_HIGH_PRIVACY = 4
N_G = 5

# Floats: per platform trust sum, then global perceived-risk sum.
F_TRUST = 0
N_FP = 1
F_RISK = 0
N_FG = 1


@njit(cache=True, inline="always")
def pv(p: int, v: int, k: int) -> int:
    """Slot of stat ``k`` for platform ``p`` and vector ``v``."""
    return (p * N_VECTORS + v) * N_PV + k


@njit(cache=True, inline="always")
def pp(n_platforms: int, p: int, k: int) -> int:
    """Slot of stat ``k`` for platform ``p``."""
    return n_platforms * N_VECTORS * N_PV + p * N_P + k


@njit(cache=True, inline="always")
def gl(n_platforms: int, k: int) -> int:
    """Slot of global stat ``k``."""
    return n_platforms * (N_VECTORS * N_PV + N_P) + k


def n_int_slots(n_platforms: int) -> int:
    """Integer accumulator width for ``n_platforms`` platforms."""
    return n_platforms * (N_VECTORS * N_PV + N_P) + N_G


def n_float_slots(n_platforms: int) -> int:
    """Float accumulator width: trust per platform, then perceived risk."""
    return n_platforms * N_FP + N_FG


@dataclass(frozen=True)
class UserTotals:
    """The day's kernel totals (what the users' phase hands to the ledger and metrics).

    Attributes:
        pvs: ``(n_platforms, n_vectors, N_PV)`` integer totals per (platform, vector).
        per_platform: ``(n_platforms, N_P)`` integer totals per platform.
        glob: ``(N_G,)`` global integer totals.
        trust_sum: Sum of users' trust (end of day).
        risk_sum: Sum of users' perceived risk (end of day).
    """

    pvs: np.ndarray
    per_platform: np.ndarray
    glob: np.ndarray
    trust_sum: float
    risk_sum: float

    @classmethod
    def of(cls, totals_int: np.ndarray, totals_float: np.ndarray,
           n_platforms: int) -> UserTotals:
        """Views of the summed accumulator rows."""
        n_pv = n_platforms * N_VECTORS * N_PV
        return cls(
            pvs=totals_int[:n_pv].reshape(n_platforms, N_VECTORS, N_PV),
            per_platform=totals_int[n_pv:n_pv + n_platforms * N_P].reshape(n_platforms, N_P),
            glob=totals_int[n_pv + n_platforms * N_P:],
            trust_sum=float(totals_float[: n_platforms * N_FP].sum()),
            risk_sum=float(totals_float[n_platforms * N_FP + F_RISK]),
        )
