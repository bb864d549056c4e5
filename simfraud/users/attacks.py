"""Attacks on users: which vectors attack whom today, and each attempt met layer by layer.

Parameters: ``attackers.mean_fraud_amount`` and ``attackers.fraud_amount_shape`` (per
vector: a lognormal body spliced to a capped Pareto tail, ``core.amounts``) and the crews'
pooled plan
(attempts per (platform, vector), turned into a per-user probability against the
targets each vector can reach, ``core.vectors.TARGET``). Stage of the user day:
``attack_user``. Metrics fed: ``attempts``, ``successes``, ``gross_loss``, the
``stopped_*`` counts and, through ``refunds``, the refund and recovery columns.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simfraud.core.amounts import HALF_STEP, amount_parameters, body_median, spliced_quantile
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

AttackInputs = namedtuple("AttackInputs", ["attack_probability", "fraud_amount"])
"""Per (platform, vector): probability a reachable user is attacked today; per vector:
the parameters of its fraud amounts' distribution (``core.amounts.amount_parameters``)."""


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
        fraud_amount=fraud_amount_parameters(att),
    )


def fraud_amount_parameters(attackers) -> np.ndarray:
    """Per vector, the kernel's parameters of its fraud amounts (one row each).

    Args:
        attackers: The scenario's ``attackers`` block (means and shapes).

    Returns:
        ``(N_VECTORS, core.amounts.N_PARAMETERS)`` floats; each row's distribution has
        the vector's ``mean_fraud_amount`` as its mean.
    """
    shape = attackers.fraud_amount_shape
    rows = []
    for v in VECTORS:
        sigma, share = getattr(shape.body_sigma, v), getattr(shape.tail_share, v)
        alpha, cap = getattr(shape.tail_alpha, v), getattr(shape.cap, v)
        median = body_median(float(getattr(attackers.mean_fraud_amount, v)), sigma, share,
                             alpha, float(cap))
        rows.append(amount_parameters(median, sigma, share, alpha, float(cap)))
    return np.array(rows)


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
def fraud_amount(row: np.ndarray, ekey: np.uint64, draw: np.int64) -> np.int64:
    """A heavy-tailed fraud amount in minor units, from 1 to the row's cap.

    Args:
        row: The vector's row of ``AttackInputs.fraud_amount``.
        ekey: Entity key of the user's day.
        draw: Draw slot of this amount.

    Returns:
        ``max(1, round(Q(u)))`` with ``Q`` the spliced inverse CDF
        (``core.amounts.spliced_quantile``) and ``u`` the slot's uniform, moved off 0.
    """
    return max(np.int64(1), np.int64(np.round(spliced_quantile(uniform(ekey, draw) + HALF_STEP,
                                                               row))))


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
