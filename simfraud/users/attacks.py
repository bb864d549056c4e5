"""Attacks on users: which vectors attack whom today, and each attempt met layer by layer.

Parameters: ``attackers.mean_fraud_amount`` (per vector) and the crews' pooled plan
(attempts per (platform, vector), turned into a per-user probability against the
targets each vector can reach, ``core.vectors.TARGET``). Stage of the user day:
``attack_user``. Metrics fed: ``attempts``, ``successes``, ``gross_loss``, the
``stopped_*`` counts and, through ``refunds``, the refund and recovery columns.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simfraud.core.draws import (
    D_ATTACK,
    D_ATTACKED,
    D_PER_VECTOR,
)
from simfraud.core.rng import exponential, uniform
from simfraud.core.vectors import (
    TARGET,
    TARGET_ANYONE,
    TARGET_CREDENTIALS,
    TARGET_FACE,
    VECTORS,
)

AttackInputs = namedtuple("AttackInputs", ["attack_probability", "fraud_mean"])
"""Per (platform, vector): probability a reachable user is attacked today; per vector:
mean amount of a fraud (minor units)."""


def attack_inputs(scenario, attempts: np.ndarray, eligible: np.ndarray) -> AttackInputs:
    """The attack stage's inputs.

    Args:
        scenario: The scenario in force.
        attempts: Pooled attempts per (platform, vector), at the simulated population.
        eligible: Users each (platform, vector) can reach (yesterday's census).
    """
    att = scenario.attackers
    return AttackInputs(
        attack_probability=np.minimum(1.0, np.divide(
            attempts, eligible, out=np.zeros_like(attempts), where=eligible > 0)),
        fraud_mean=np.array([float(getattr(att.mean_fraud_amount, v)) for v in VECTORS]),
    )


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


@njit(cache=True, inline="always")
def reachable(v: np.int64, face_target: bool, credentials_compromised: bool) -> bool:
    """Whether vector ``v`` can target a user in this state (``core.vectors.TARGET``)."""
    target = TARGET[v]
    return (target == TARGET_ANYONE or (target == TARGET_CREDENTIALS and credentials_compromised)
            or (target == TARGET_FACE and face_target))


@njit(cache=True, inline="always")
def attack_draw(ek: np.uint64, v: np.int64, probability: float) -> np.int64:
    """``1 << v`` when vector ``v`` attacks the user today, else 0."""
    if probability > 0.0 and uniform(ek, D_ATTACK + D_PER_VECTOR * v + D_ATTACKED) < probability:
        return np.int64(1) << v
    return np.int64(0)
