"""Compromise: faces and credentials harvested, breached, noticed and reset.

Parameters: ``attackers.face_harvest_rate`` and ``credential_harvest_rate`` (per active
crew), ``behaviour.credential_notice_probability``, ``notice_literacy_offset`` and
``phishing_literacy_ceiling`` with segments' ``digital_literacy``,
breach events of the timeline (``share`` per platform), the data-protection rule
(``regulator.instruments.data_protection``), ``platforms[].move_exposed_off_face`` and
``platforms[].face_attack_response``. A face, once compromised, stays compromised and
usable on every platform; credentials are reset when the user notices or is taken over.
What a face attack (stopped or not) does to the user is the platform's choice
(``face_response``): nothing, notify (the user's perceived risk gets the victim's
shock), step_up (every later payment needs step-up), move_off (off face pay; the user
may re-enrol) or bar (off face pay for good). Stage of the user day: ``compromise``.
Metrics fed: ``faces_compromised``, ``credentials_compromised`` (through the census).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

from simfraud.core.vectors import TARGET, TARGET_CREDENTIALS, TARGET_FACE

# Responses to a face attack, in order of severity (each includes notifying the user).
FACE_RESPONSES = ("nothing", "notify", "step_up", "move_off", "bar")
RESPONSE_NOTIFY, RESPONSE_STEP_UP, RESPONSE_MOVE_OFF, RESPONSE_BAR = 1, 2, 3, 4

CompromiseInputs = namedtuple("CompromiseInputs", [
    "seg_notice",          # per segment: daily probability of noticing stolen credentials
    "seg_phishing",        # per segment: phishing success relative to credential_harvest
    "face_harvest",        # probability a face of exposure 1 is harvested today
    "credential_harvest",  # daily probability credentials are phished (x seg_phishing)
    "face_breach",         # per platform: share of face data breached today
    "credential_breach",   # per platform: share of credentials breached today
    "move_exposed",        # per platform: 1 when breached users are moved off face pay
    "face_response",       # per platform: response to a face attack (FACE_RESPONSES index)
])


def face_harvest_share(success: np.ndarray, value: np.ndarray, users, facepay_users) -> float:
    """Share of crews' harvesting effort that goes to faces (``harvesting: follows_value``).

    A harvested face is worth, on platform k, the best biometric attack's first-layer pass
    probability times crews' learned value of a success, if its owner uses face pay; a
    harvested credential, account takeover's. Crews split their effort in proportion to
    the market's user-weighted worth of each (an even split when neither is worth
    anything).

    Args:
        success: First-layer pass probability per (platform, vector) of crews' tools
            against the defences (not the pooled pass of attempts: that is 0 where no
            one can be attacked yet).
        value: Crews' learned revenue per first-layer success per (platform, vector).
        users: Users per platform.
        facepay_users: Face-pay users per platform.
    """
    worth = success * value
    face = worth[:, TARGET == TARGET_FACE].max(axis=1) @ np.asarray(facepay_users, float)
    credential = worth[:, TARGET == TARGET_CREDENTIALS].max(axis=1) @ np.asarray(users, float)
    if face + credential <= 0.0:
        return 0.5
    return float(face / (face + credential))


def compromise_constants(scenario, platforms) -> CompromiseInputs:
    """The compromise inputs that depend on the scenario alone (the others are None).

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order.
    """
    beh, segments = scenario.behaviour, scenario.population.segments
    return CompromiseInputs(
        seg_notice=np.array([
            beh.credential_notice_probability * (beh.notice_literacy_offset + s.digital_literacy)
            for s in segments]),
        seg_phishing=np.array([beh.phishing_literacy_ceiling - s.digital_literacy
                               for s in segments]),
        face_harvest=None,
        credential_harvest=None,
        face_breach=None,
        credential_breach=None,
        move_exposed=np.array([p.config.move_exposed_off_face for p in platforms], dtype=np.uint8),
        face_response=np.array([FACE_RESPONSES.index(p.config.face_attack_response)
                                for p in platforms], dtype=np.int64),
    )


def compromise_inputs(scenario, platforms, rules, events, n_crews: int,
                      face_share: float = 0.5,
                      constants: CompromiseInputs | None = None) -> CompromiseInputs:
    """The compromise stage's inputs.

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order.
        rules: The regulator's instruments in force (``harvest_factor``, ``breach_factor``).
        events: Today's timeline events (breaches).
        n_crews: Active crews (harvesting effort, each ``crew_size`` of a standard crew).
        face_share: Share of the effort on faces (``face_harvest_share``; 0.5 keeps the
            rates as given, the ``fixed`` rule).
        constants: ``compromise_constants`` of this scenario (built when None).
    """
    att = scenario.attackers
    if constants is None:
        constants = compromise_constants(scenario, platforms)
    return constants._replace(
        face_harvest=min(1.0, att.face_harvest_rate * n_crews * att.crew_size
                         * rules.harvest_factor * 2.0 * face_share),
        credential_harvest=min(1.0, att.credential_harvest_rate * n_crews
                               * att.crew_size * rules.harvest_factor
                               * 2.0 * (1.0 - face_share)),
        face_breach=events.face_breach * rules.breach_factor,
        credential_breach=events.credential_breach * rules.breach_factor,
    )
