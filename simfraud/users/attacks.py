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

from simfraud.core.amounts import (
    HALF_STEP,
    amount_parameters,
    body_median,
    spliced_quantile,
    threshold_split,
)
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

AttackInputs = namedtuple("AttackInputs", ["attack_probability", "fraud_amount",
                                           "expected_amount"])
"""Per (platform, vector): probability a reachable user is attacked today; per vector:
the parameters of its fraud amounts' distribution (``core.amounts.amount_parameters``);
per (platform, vector): the probability of an amount at or below the platform's step-up
threshold, the partial expectation there and the mean amount (``BELOW_SHARE``,
``BELOW_SUM``, ``MEAN``: what a success is worth to crews, ``expected_amount``)."""
BELOW_SHARE, BELOW_SUM, MEAN = range(3)


def attack_constants(scenario, step_up_threshold: np.ndarray) -> AttackInputs:
    """The attack inputs that depend on the scenario alone: the amounts' distributions.

    Args:
        scenario: The scenario in force.
        step_up_threshold: Per platform, the amount above which step-up is asked
            (``AuthenticationInputs.step_up_threshold``).

    Returns:
        ``AttackInputs`` without ``attack_probability`` (None).
    """
    att = scenario.attackers
    return AttackInputs(
        attack_probability=None,
        fraud_amount=fraud_amount_parameters(att),
        expected_amount=expected_amounts(att, step_up_threshold),
    )


def attack_inputs(scenario, attempts: np.ndarray, eligible: np.ndarray,
                  step_up_threshold: np.ndarray,
                  constants: AttackInputs | None = None) -> AttackInputs:
    """The attack stage's inputs.

    Args:
        scenario: The scenario in force.
        attempts: Pooled attempts per (platform, vector), at the simulated population.
        eligible: Users each (platform, vector) can reach (yesterday's census).
        step_up_threshold: Per platform, the amount above which step-up is asked
            (``AuthenticationInputs.step_up_threshold``).
        constants: ``attack_constants`` of this scenario (built when None).
    """
    if constants is None:
        constants = attack_constants(scenario, step_up_threshold)
    return constants._replace(attack_probability=_attack_probability(attempts, eligible))


@njit(cache=True)
def _attack_probability(attempts: np.ndarray, eligible: np.ndarray) -> np.ndarray:
    """Attempts per eligible user, at most 1, per (platform, vector).

    ``np.minimum``'s cap (NaN stays NaN); 0 where no user is eligible.
    """
    probability = np.zeros(attempts.shape)
    for p in range(attempts.shape[0]):
        for v in range(attempts.shape[1]):
            if eligible[p, v] > 0:
                ratio = attempts[p, v] / eligible[p, v]
                probability[p, v] = 1.0 if ratio > 1.0 else ratio
    return probability


def amount_shapes(attackers) -> list[tuple[float, float, float, float, float]]:
    """Per vector, its fraud amounts' ``(median, sigma, tail_share, alpha, cap)``.

    The arguments of ``core.amounts`` functions; the body's median gives the vector's
    ``mean_fraud_amount`` as the mean (``core.amounts.body_median``).
    """
    shape = attackers.fraud_amount_shape
    shapes = []
    for v in VECTORS:
        sigma, share = getattr(shape.body_sigma, v), getattr(shape.tail_share, v)
        alpha, cap = getattr(shape.tail_alpha, v), float(getattr(shape.cap, v))
        median = body_median(float(getattr(attackers.mean_fraud_amount, v)), sigma, share,
                             alpha, cap)
        shapes.append((median, sigma, share, alpha, cap))
    return shapes


def fraud_amount_parameters(attackers) -> np.ndarray:
    """Per vector, the kernel's parameters of its fraud amounts (one row each).

    Args:
        attackers: The scenario's ``attackers`` block (means and shapes).

    Returns:
        ``(N_VECTORS, core.amounts.N_PARAMETERS)`` floats; each row's distribution has
        the vector's ``mean_fraud_amount`` as its mean.
    """
    return np.array([amount_parameters(*shape) for shape in amount_shapes(attackers)])


def expected_amounts(attackers, step_up_threshold: np.ndarray) -> np.ndarray:
    """Per (platform, vector), what ``expected_amount`` reads of the amounts' distribution.

    Args:
        attackers: The scenario's ``attackers`` block (means and shapes).
        step_up_threshold: Per platform, the step-up threshold (minor units).

    Returns:
        ``(platforms, N_VECTORS, 3)`` floats indexed by ``BELOW_SHARE``, ``BELOW_SUM``,
        ``MEAN``: ``P(X <= threshold)``, ``E[X; X <= threshold]`` and ``E[X]``.
    """
    shapes = amount_shapes(attackers)
    table = np.empty((len(step_up_threshold), len(VECTORS), 3))
    for p, threshold in enumerate(step_up_threshold):
        for v, shape in enumerate(shapes):
            table[p, v, :2] = threshold_split(float(threshold), *shape)
            table[p, v, MEAN] = getattr(attackers.mean_fraud_amount, VECTORS[v])
    return table


@njit(cache=True, inline="always")
def expected_amount(threshold: np.int64, block: float, row: np.ndarray) -> np.int64:
    """The expected amount of a successful fraud, given what decided its success.

    Success depends on the amount only through step-up: above the user's ``threshold``
    step-up stops the attempt with probability ``block``. So a success's amount is worth
    ``(E[X; X <= t] + (1 - block) E[X; X > t]) / (P(X <= t) + (1 - block) P(X > t))``,
    the mean amount when step-up cannot stop it (``block`` 0, or asked at every amount:
    ``threshold`` 0, the overall mean). Its sum over successes has the expectation of the
    drawn amounts' sum, without the draws' variance (a Rao-Blackwell estimate).

    Args:
        threshold: The user's step-up threshold today (0 when asked at every amount).
        block: Probability step-up stops this attempt when asked.
        row: The (platform, vector) row of ``AttackInputs.expected_amount``.
    """
    mean = row[MEAN]
    if threshold <= 0 or block <= 0.0:
        return np.int64(np.round(mean))
    kept = 1.0 - block
    chance = row[BELOW_SHARE] + kept * (1.0 - row[BELOW_SHARE])
    if chance <= 0.0:  # no amount can succeed: never read
        return np.int64(np.round(mean))
    return np.int64(np.round((row[BELOW_SUM] + kept * (mean - row[BELOW_SUM])) / chance))


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
