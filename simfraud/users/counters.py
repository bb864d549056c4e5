"""Layout of the per-chunk accumulators the user kernel fills.

Each chunk of users owns one row of an ``int64`` and one of a ``float64`` accumulator;
rows are summed in chunk order afterwards, so totals are bit-identical whatever the
number of threads. Integer slots are laid out as

* per (platform, vector): ``pv(p, v, PV.name)``,
* per platform: ``pp(n_platforms, p, P.name)``,
* global: ``gl(n_platforms, G.name)``.

A metric the registry marks ``counted`` (``core/metrics.py``) gets its slot here by name
and its daily value from ``outputs/day_values.py`` without further code: adding one is a
registry line plus the kernel line that counts it.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np
from numba import njit

from simfraud.core.metrics import GLOBAL, PER_PLATFORM, PER_PLATFORM_VECTOR, counted_metrics
from simfraud.core.vectors import N_VECTORS


def slot_numbers(kind: str, names: tuple[str, ...]):
    """Slot numbers by name: ``slot_numbers("P", ("a", "b")).b == 1``.

    A namedtuple instance, so numba kernels read its fields as compile-time constants.
    """
    return namedtuple(f"{kind}Slots", names)(*range(len(names)))


PV = slot_numbers("PV", (
    *counted_metrics(PER_PLATFORM_VECTOR),
    "loss", "expected_loss", "refund_sending", "refund_receiving", "recovered",
    "attempted_amount", "claimed_loss", "eligible_next"))
"""Per (platform, vector): the counted metrics of that scope (attempts, successes, the
four stops, claims), then what settlement, the platforms and the crews read (loss, the
successes' expected amounts, refunds by payer, recoveries, amounts attempted, the loss
of claimed frauds, users eligible tomorrow)."""
N_PV = len(PV)

P = slot_numbers("P", (*counted_metrics(PER_PLATFORM), "users_next", "user_loss",
                      "user_refund"))
"""Per platform: the counted metrics of that scope, then tomorrow's users and, summed per
user, the victims' loss net of refunds and the refunds they received."""
N_P = len(P)

G = slot_numbers("G", counted_metrics(GLOBAL))
"""Global: the counted metrics of that scope."""
N_G = len(G)

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
