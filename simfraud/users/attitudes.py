"""Attitudes: vigilance, perceived risk, trust, face-pay adoption and platform switching.

Parameters: the ``behaviour`` block, segments' ``vigilance``, ``population.initial_trust``,
platforms' ``market_share`` (where switchers go), the regulator's face-recognition rule
(a ban; consent removes the platforms' push), its pre-launch security assessment (no face
pay on a platform whose live liveness has not passed it) and the backlash index and publicity events
(media). Stage of the user day: ``attitudes``. Metrics fed: ``mean_trust``,
``mean_perceived_risk``, ``facepay_users`` and the privacy groups, ``switched_platform``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

AttitudeInputs = namedtuple("AttitudeInputs", [
    "seg_vigilance", "vigilance_learning", "vigilance_decay", "moral_hazard",
    "risk_decay", "background_risk", "victim_shock", "word_of_mouth", "media",
    "trust_recovery", "trust_hit_unrefunded", "trust_hit_false_reject", "friction_decay",
    "face_allowed", "push", "adoption_rate", "adoption_threshold", "drop_rate",
    "risk_weight", "friction_weight",
    "switch_threshold", "switch_rate", "switch_cumulative", "initial_trust",
])
"""The ``behaviour`` block's values (same names, ``victim_risk_shock`` as
``victim_shock``), segment vigilance, today's media pressure, the face rule (``face_allowed``:
1 or 0 per platform), switching."""


def attitude_constants(scenario) -> AttitudeInputs:
    """The attitude inputs that depend on the scenario alone (the others are None).

    Args:
        scenario: The scenario in force.
    """
    beh, pop = scenario.behaviour, scenario.population
    return AttitudeInputs(
        seg_vigilance=np.array([s.vigilance for s in pop.segments]),
        vigilance_learning=beh.vigilance_learning,
        vigilance_decay=beh.vigilance_decay,
        moral_hazard=beh.moral_hazard,
        risk_decay=beh.risk_decay,
        background_risk=beh.background_risk,
        victim_shock=beh.victim_risk_shock,
        word_of_mouth=beh.word_of_mouth,
        media=None,
        trust_recovery=beh.trust_recovery,
        trust_hit_unrefunded=beh.trust_hit_unrefunded,
        trust_hit_false_reject=beh.trust_hit_false_reject,
        friction_decay=beh.friction_decay,
        face_allowed=None,
        push=None,
        adoption_rate=beh.adoption_rate,
        adoption_threshold=beh.adoption_threshold,
        drop_rate=beh.drop_rate,
        risk_weight=beh.risk_weight,
        friction_weight=beh.friction_weight,
        switch_threshold=beh.switch_threshold,
        switch_rate=beh.switch_rate,
        switch_cumulative=np.cumsum([p.market_share for p in scenario.platforms]),
        initial_trust=np.float32(pop.initial_trust),
    )


def attitude_inputs(scenario, rules, events, backlash: float, platforms,
                    constants: AttitudeInputs | None = None) -> AttitudeInputs:
    """The attitude stage's inputs.

    Args:
        scenario: The scenario in force.
        rules: The regulator's instruments in force (``face_pay_permitted``,
            ``consent_required``).
        events: Today's timeline events (publicity).
        backlash: The regulator's backlash index.
        platforms: The platform agents (their live liveness level and injection detection).
        constants: ``attitude_constants`` of this scenario (built when None).
    """
    beh = scenario.behaviour
    if constants is None:
        constants = attitude_constants(scenario)
    return constants._replace(
        media=beh.media_gain * backlash + events.publicity,
        face_allowed=np.array([rules.face_pay_permitted(p.liveness) for p in platforms],
                              dtype=np.int64),
        push=0.0 if rules.consent_required else beh.platform_push,
    )


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
