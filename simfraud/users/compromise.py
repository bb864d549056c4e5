"""Compromise: faces and credentials harvested, breached, noticed and reset.

Parameters: ``attackers.face_harvest_rate`` and ``credential_harvest_rate`` (per active
crew), ``behaviour.credential_notice_probability``, ``notice_literacy_offset`` and
``phishing_literacy_ceiling`` with segments' ``digital_literacy``,
breach events of the timeline (``share`` per platform), the data-protection rule
(``regulator.instruments.data_protection``) and ``platforms[].move_exposed_off_face``.
A face, once compromised, stays compromised; credentials are reset when the user
notices or is taken over. Stage of the user day: ``compromise``. Metrics fed:
``faces_compromised``, ``credentials_compromised`` (through the census).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simfraud.core.draws import (
    D_CREDENTIAL_BREACH,
    D_CREDENTIAL_HARVEST,
    D_FACE_BREACH,
    D_FACE_HARVEST,
    D_NOTICE,
)
from simfraud.core.rng import uniform

CompromiseInputs = namedtuple("CompromiseInputs", [
    "seg_notice",          # per segment: daily probability of noticing stolen credentials
    "seg_phishing",        # per segment: phishing success relative to credential_harvest
    "face_harvest",        # probability a face of exposure 1 is harvested today
    "credential_harvest",  # daily probability credentials are phished (x seg_phishing)
    "face_breach",         # per platform: share of face data breached today
    "credential_breach",   # per platform: share of credentials breached today
    "move_exposed",        # per platform: 1 when breached users are moved off face pay
])


def compromise_inputs(scenario, platforms, rules, events, n_crews: int) -> CompromiseInputs:
    """The compromise stage's inputs.

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order.
        rules: The regulator's instruments in force (``harvest_factor``, ``breach_factor``).
        events: Today's timeline events (breaches).
        n_crews: Active crews (harvesting effort).
    """
    att, beh, segments = scenario.attackers, scenario.behaviour, scenario.population.segments
    return CompromiseInputs(
        seg_notice=np.array([
            beh.credential_notice_probability * (beh.notice_literacy_offset + s.digital_literacy)
            for s in segments]),
        seg_phishing=np.array([beh.phishing_literacy_ceiling - s.digital_literacy
                               for s in segments]),
        face_harvest=min(1.0, att.face_harvest_rate * n_crews * rules.harvest_factor),
        credential_harvest=min(1.0, att.credential_harvest_rate * n_crews * rules.harvest_factor),
        face_breach=events.face_breach * rules.breach_factor,
        credential_breach=events.credential_breach * rules.breach_factor,
        move_exposed=np.array([p.config.move_exposed_off_face for p in platforms], dtype=np.uint8),
    )


@njit(cache=True, inline="always")
def compromise(t, ek: np.uint64, s: np.int64, p: np.int64, exposure: float,
               face_compromised: bool, credentials_compromised: bool, taken_over: bool,
               facepay: bool, barred: bool) -> tuple[bool, bool, bool, bool]:
    """Today's resets, harvesting and breaches for one user.

    Returns:
        ``(face_compromised, credentials_compromised, facepay, barred)`` after today.
    """
    if credentials_compromised and (taken_over or uniform(ek, D_NOTICE) < t.seg_notice[s]):
        credentials_compromised = False
    if not face_compromised and uniform(ek, D_FACE_HARVEST) < t.face_harvest * exposure:
        face_compromised = True
    if not credentials_compromised and (
        uniform(ek, D_CREDENTIAL_HARVEST) < t.credential_harvest * t.seg_phishing[s]
    ):
        credentials_compromised = True
    if t.face_breach[p] > 0.0 and uniform(ek, D_FACE_BREACH) < t.face_breach[p]:
        face_compromised = True
        if t.move_exposed[p] != 0:
            facepay = False
            barred = True
    breach = t.credential_breach[p]
    if breach > 0.0 and uniform(ek, D_CREDENTIAL_BREACH) < breach:
        credentials_compromised = True
    return face_compromised, credentials_compromised, facepay, barred
