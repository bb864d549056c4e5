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
    D_AMOUNT,
    D_ATTACK,
    D_ATTACKED,
    D_CLAIM,
    D_MONITORING,
    D_PER_VECTOR,
    D_PRIMARY,
    D_STEP_UP,
)
from simfraud.core.rng import exponential, uniform
from simfraud.core.vectors import (
    AUTHORISED,
    N_VECTORS,
    TARGET,
    TARGET_ANYONE,
    TARGET_CREDENTIALS,
    TARGET_FACE,
    VECTORS,
)
from simfraud.users import counters as K
from simfraud.users.authentication import SUCCESS, resolve_layers, step_up_block
from simfraud.users.refunds import refund_split
from simfraud.users.transactions import AUTH_FACE, AUTH_OTHER, AUTH_STEP_UP, record

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


@njit(cache=True, inline="always")
def attack_user(t, auth, refunds, ai, ek: np.uint64, p: np.int64, vigilance: float,
                face_target: bool, credentials_compromised: bool, logged: bool, log,
                log_count, day: np.int64, user: np.int64):
    """Today's attacks on one user, resolved layer by layer and settled.

    Most users are attacked by nothing, so the reachable vectors are drawn first and the
    attempts resolved in a second loop that most users skip.

    Args:
        t: ``AttackInputs``.
        auth: ``AuthenticationInputs``.
        refunds: ``RefundInputs``.
        ai: Integer accumulator row.
        ek: Entity key of the user's day.
        p: The user's platform.
        vigilance: The user's vigilance (a layer against authorised fraud).
        face_target: The user pays by face and their face is compromised.
        credentials_compromised: The user's credentials are compromised.
        logged: The user's transactions are logged.
        log: The chunk's transaction-log buffer.
        log_count: One-element array: records in ``log`` so far.
        day: The day (for the log).
        user: The user's index (for the log).

    Returns:
        ``(loss, refund, fooled, taken_over, face_attempted)``: amount stolen and refunded
        today, whether an authorised fraud succeeded, whether a credentials vector
        succeeded, and whether any biometric attempt was made.
    """
    attacked = np.int64(0)
    for v in range(N_VECTORS):
        if reachable(v, face_target, credentials_compromised):
            attacked |= attack_draw(ek, v, t.attack_probability[p, v])
    loss = np.int64(0)
    refund = np.int64(0)
    fooled = False
    taken_over = False
    face_attempted = False
    for v in range(N_VECTORS if attacked else 0):
        if not (attacked >> v) & 1:
            continue
        base = D_ATTACK + D_PER_VECTOR * v
        amount = exponential_amount(t.fraud_mean[v], ek, base + D_AMOUNT)
        ai[K.pv(p, v, K.PV_ATTEMPTS)] += 1
        ai[K.pv(p, v, K.PV_ATTEMPTED_AMOUNT)] += amount
        biometric = TARGET[v] == TARGET_FACE
        face_attempted = face_attempted or biometric
        pass_primary = auth.primary_pass[p, v]
        if AUTHORISED[v]:
            pass_primary *= 1.0 - vigilance
        block = step_up_block(auth, p, v, credentials_compromised)
        needs_step_up = amount > auth.step_up_threshold[p]
        outcome = resolve_layers(
            uniform(ek, base + D_PRIMARY), pass_primary, needs_step_up,
            uniform(ek, base + D_STEP_UP), block, uniform(ek, base + D_MONITORING),
            auth.detect[p, v],
        )
        method = 0
        if logged:
            method = (AUTH_FACE if biometric else AUTH_OTHER) + (
                AUTH_STEP_UP if needs_step_up and block > 0.0 else 0)
        if outcome != SUCCESS:
            ai[K.pv(p, v, K.PV_STOP_PRIMARY + outcome - 1)] += 1
            if logged:
                record(log, log_count, day, user, p, amount, v, method, outcome, 0, ek, 1 + v)
            continue
        sending, receiving = refund_split(
            amount, refunds.mandated[v] != 0, refunds.mandate_cap, refunds.mandate_excess,
            refunds.mandate_receiving_bps, uniform(ek, D_CLAIM + v) < refunds.negligence,
            refunds.voluntary_policy[p, v], refunds.voluntary_cap[p],
        )
        ai[K.pv(p, v, K.PV_SUCCESSES)] += 1
        ai[K.pv(p, v, K.PV_LOSS)] += amount
        ai[K.pv(p, v, K.PV_REFUND_SENDING)] += sending
        ai[K.pv(p, v, K.PV_REFUND_RECEIVING)] += receiving
        ai[K.pv(p, v, K.PV_RECOVERED)] += amount * refunds.recovery_bps // 10_000
        loss += amount
        refund += sending + receiving
        if logged:
            record(log, log_count, day, user, p, amount, v, method, SUCCESS,
                   sending + receiving, ek, 1 + v)
        fooled = fooled or AUTHORISED[v]
        taken_over = taken_over or TARGET[v] == TARGET_CREDENTIALS
    return loss, refund, fooled, taken_over, face_attempted
