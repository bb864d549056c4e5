"""Authentication and liveness: face checks of genuine payments and the layers an attack meets.

Parameters: the liveness tables (``defences.liveness``, per platform level), step-up
(``platforms[].step_up``), monitoring (``platforms[].monitoring``), the payee side
(``platforms[].confirmation_of_payee`` and the receiving providers' inbound hold) and
``behaviour.abandon_probability``; platforms supply their live values
(``Liveness.bpcer``, ``PlatformAgent.detect_probability``) and crews the first-layer pass
probability of their tools (``primary_pass``).

Stages of the user day: ``genuine_check`` (a face-pay user's payment is checked and may be
falsely rejected, then abandoned) and ``resolve_layers`` (an attempt meets the primary
layer, step-up, monitoring and, for a payment the payer authorises, the payee side).
Metrics fed: ``face_checks``, ``false_rejects``, ``abandoned``, ``step_ups`` and the
``stopped_*`` counts.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simfraud.core.vectors import AUTHORISED, STEP_UP_OTP, TARGET_FACE
from simfraud.users.refunds import user_weighted_share

NO_THRESHOLD = np.int64(2**62)
"""Step-up threshold used when step-up is off (no amount reaches it)."""

SUCCESS = 0
STOPPED_PRIMARY = 1
STOPPED_STEP_UP = 2
STOPPED_MONITORING = 3
STOPPED_PAYEE = 6
"""Stopped on the payee side (``users.transactions.OUTCOMES`` keeps 4 and 5 for genuine
payments)."""

AuthenticationInputs = namedtuple("AuthenticationInputs", [
    "bpcer",                # per platform: false-reject rate of the live liveness level
    "abandon_probability",  # a falsely rejected payment is abandoned
    "step_up_threshold",    # per platform: amount above which a one-time code is asked
    "step_up_block",        # per platform: probability the code stops an attacker
    "sim_swap",             # per platform: probability a SIM swap defeats the code
    "face_step_up",         # per platform: 1 when a face-pay user's step-up is a face check
    "scam_hold",            # per platform: probability holding an authorised payment stops it
    "primary_pass",         # per (platform, vector): attempt passes the first layer
    "detect",               # per (platform, vector): monitoring stops the attempt
    "payee_stop",           # per (platform, vector): the payee side stops the attempt
])


def authentication_constants(scenario, platforms) -> AuthenticationInputs:
    """The authentication inputs that depend on the scenario alone (the others are None).

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order (their step-up blocks).
    """
    step_up = [p.config.step_up for p in platforms]
    return AuthenticationInputs(
        bpcer=None,
        abandon_probability=scenario.behaviour.abandon_probability,
        step_up_threshold=np.array(
            [s.amount_threshold if s.enabled else NO_THRESHOLD for s in step_up], dtype=np.int64
        ),
        step_up_block=np.array([s.block_probability if s.enabled else 0.0 for s in step_up]),
        sim_swap=np.array([s.sim_swap_success for s in step_up]),
        face_step_up=np.array([s.method == "face" for s in step_up], dtype=np.int64),
        scam_hold=np.array([s.scam_hold_stop if s.enabled else 0.0 for s in step_up]),
        primary_pass=None,
        detect=None,
        payee_stop=None,
    )


def authentication_inputs(scenario, platforms, primary_pass: np.ndarray,
                          constants: AuthenticationInputs | None = None) -> AuthenticationInputs:
    """The authentication stage's inputs.

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order (their live levels and monitoring).
        primary_pass: Pooled first-layer success probability per (platform, vector).
        constants: ``authentication_constants`` of this scenario (built when None).
    """
    if constants is None:
        constants = authentication_constants(scenario, platforms)
    return constants._replace(
        bpcer=np.array([p.liveness.bpcer(p.defences) for p in platforms]),
        primary_pass=primary_pass,
        detect=np.array([p.detect_probability() for p in platforms]),
        payee_stop=payee_stop(platforms),
    )


def payee_stop(platforms) -> np.ndarray:
    """Chance the payee side stops a payment the payer authorised, per (platform, vector).

    The sending platform's confirmation of payee (``PlatformAgent.name_check_stop``), then
    the receiving providers' inbound hold: the money goes to mule accounts opened at the
    platforms in proportion to their users, so the held share is the user-weighted mean
    of the platforms' (``user_weighted_share``). Other vectors are not paid by their
    victims and meet neither (0).

    Args:
        platforms: Platform agents in index order.

    Returns:
        ``(platforms, vectors)`` probabilities, 0 for vectors the victim does not pay.
    """
    held = user_weighted_share([p.held_share() for p in platforms],
                               [p.users for p in platforms])
    stop = [1.0 - (1.0 - platform.name_check_stop()) * (1.0 - held) for platform in platforms]
    return np.where(AUTHORISED, np.array(stop)[:, None], 0.0)


@njit(cache=True, inline="always")
def step_up_block(rule: np.int64, block: float, sim_swap: float,
                  credentials_compromised: bool) -> float:
    """Probability that step-up stops an attempt (when the amount asks for it).

    Args:
        rule: The vector's step-up rule (``core.vectors.STEP_UP``).
        block: The platform's probability that a one-time code stops an attacker.
        sim_swap: The platform's probability that a SIM swap defeats the code.
        credentials_compromised: The crew holds the user's credentials (can swap the SIM).
    """
    if rule != STEP_UP_OTP:
        return 0.0
    return block * (1.0 - sim_swap * credentials_compromised)


@njit(cache=True, inline="always")
def face_step_up_block(rule: np.int64, target: np.int64, face_pass: float,
                       deepfake_pass: float, face_compromised: bool) -> float:
    """Probability that a face check as step-up stops an attempt.

    A face attack meets the face check again and passes it as it passed the first; an
    account takeover passes it only with a deepfake of a compromised face.

    Args:
        rule: The vector's step-up rule (``core.vectors.STEP_UP``): a payment the real
            user authorises is not stopped.
        target: The vector's target (``core.vectors.TARGET``).
        face_pass: The attempt's first-layer pass probability (its face attack).
        deepfake_pass: The better of the platform's deepfake presentation and injection
            pass probabilities.
        face_compromised: The user's face is compromised.
    """
    if rule != STEP_UP_OTP:
        return 0.0
    if target == TARGET_FACE:
        return 1.0 - face_pass
    return 1.0 - deepfake_pass if face_compromised else 1.0


@njit(cache=True, inline="always")
def resolve_layers(u_primary: float, pass_primary: float, needs_step_up: bool,
                   u_step_up: float, block_step_up: float, u_monitoring: float,
                   detect: float, payee_stop: float) -> np.int64:
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
        payee_stop: Probability the payee side stops an attempt monitoring let through.
            It shares monitoring's draw (the interval above ``detect``), so with 0 no
            outcome changes.

    Returns:
        ``SUCCESS`` or the layer that stopped the attempt.
    """
    if u_primary >= pass_primary:
        return STOPPED_PRIMARY
    if needs_step_up and u_step_up < block_step_up:
        return STOPPED_STEP_UP
    if u_monitoring < detect:
        return STOPPED_MONITORING
    if u_monitoring < detect + (1.0 - detect) * payee_stop:
        return STOPPED_PAYEE
    return SUCCESS
