"""Compose the ``DayInputs`` the user kernel reads from the agents' decisions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simfraud.core.vectors import LIVENESS_LEVELS, VECTORS
from simfraud.model.platform import PlatformAgent
from simfraud.model.regulator import RegulatorAgent
from simfraud.scenario.schema import Scenario
from simfraud.scenario.timeline import DayEvents
from simfraud.users.kernels.day import DayInputs
from simfraud.users.kernels.refunds import BPS, POLICY_CODES

NO_THRESHOLD = np.int64(2**62)
"""Step-up threshold used when step-up is off (no amount reaches it)."""
CONTACT_WINDOW = 1024
"""Contacts are drawn among the users within this many positions."""


@dataclass
class Rules:
    """Which regulatory instruments apply today."""

    in_force: bool
    mandated: np.ndarray
    minimum_level: int | None
    require_injection: bool
    face_allowed: bool
    consent_required: bool
    harvest_factor: float
    breach_factor: float


def rules_today(scenario: Scenario, regulator: RegulatorAgent, day: int) -> Rules:
    """The instruments in force on ``day``."""
    inst = scenario.regulator.instruments
    on = regulator.in_force(day)
    mandate = inst.mandatory_reimbursement
    mandated = np.array(
        [on and mandate.enabled and v in mandate.vectors for v in VECTORS], dtype=np.uint8
    )
    minimum = inst.minimum_liveness
    data = inst.data_protection
    face_rule = inst.face_recognition.rule if on else "none"
    return Rules(
        in_force=on,
        mandated=mandated,
        minimum_level=LIVENESS_LEVELS.index(minimum.level) if on and minimum.enabled else None,
        require_injection=bool(on and minimum.enabled and minimum.injection_detection),
        face_allowed=face_rule != "ban",
        consent_required=face_rule == "consent_with_alternative",
        harvest_factor=1.0 - data.harvest_reduction if on and data.enabled else 1.0,
        breach_factor=1.0 - data.breach_reduction if on and data.enabled else 1.0,
    )


def compose(scenario: Scenario, platforms: list[PlatformAgent], rules: Rules,
            events: DayEvents, attempts: np.ndarray, success: np.ndarray,
            eligible: np.ndarray, n_crews: int, backlash: float, key: int,
            contacts_key: int, day: int, sampled: np.ndarray) -> DayInputs:
    """Everything the user kernel needs for one day.

    Args:
        scenario: The scenario in force today.
        platforms: Platform agents in index order.
        rules: Instruments in force.
        events: Today's timeline events.
        attempts: Pooled attempts per (platform, vector).
        success: Pooled first-layer success probability per (platform, vector).
        eligible: Users each (platform, vector) can target (from yesterday's census).
        n_crews: Active crews (harvesting effort).
        backlash: Regulator's backlash index.
        key: Day key of the replicate's random numbers.
        contacts_key: Key of the (static) contact network.
        day: The day (for the transaction log).
        sampled: 1 for users whose transactions are logged (empty: no log).

    Returns:
        The day's ``DayInputs``.
    """
    pop, beh, att = scenario.population, scenario.behaviour, scenario.attackers
    mandate = scenario.regulator.instruments.mandatory_reimbursement
    segments = pop.segments
    attack_probability = np.minimum(
        1.0, np.divide(attempts, eligible, out=np.zeros_like(attempts), where=eligible > 0)
    )
    voluntary = np.array([
        [POLICY_CODES[p.config.reimbursement.policy] if v in p.config.reimbursement.vectors
         else 0 for v in VECTORS]
        for p in platforms
    ], dtype=np.int64)
    step_up = [p.config.step_up for p in platforms]
    return DayInputs(
        key=np.uint64(key),
        contacts_key=np.uint64(contacts_key),
        n_contacts=np.int64(pop.contacts),
        contact_window=np.int64(CONTACT_WINDOW),
        day=np.int64(day),
        sampled=sampled,
        seg_pay_probability=np.array([s.pay_probability for s in segments]),
        seg_mean_payment=np.array([float(s.mean_payment) for s in segments]),
        seg_literacy=np.array([s.digital_literacy for s in segments]),
        seg_vigilance=np.array([s.vigilance for s in segments]),
        bpcer=np.array([p.bpcer() for p in platforms]),
        step_up_threshold=np.array(
            [s.amount_threshold if s.enabled else NO_THRESHOLD for s in step_up], dtype=np.int64
        ),
        step_up_block=np.array([s.block_probability if s.enabled else 0.0 for s in step_up]),
        sim_swap=np.array([s.sim_swap_success for s in step_up]),
        voluntary_cap=np.array([p.config.reimbursement.cap for p in platforms], dtype=np.int64),
        face_breach=events.face_breach * rules.breach_factor,
        credential_breach=events.credential_breach * rules.breach_factor,
        move_exposed=np.array([p.config.move_exposed_off_face for p in platforms], dtype=np.uint8),
        switch_cumulative=np.cumsum([p.market_share for p in scenario.platforms]),
        attack_probability=attack_probability,
        primary_pass=success,
        detect=np.stack([p.detect_probability() for p in platforms]),
        voluntary_policy=voluntary,
        fraud_mean=np.array([float(getattr(att.mean_fraud_amount, v)) for v in VECTORS]),
        mandated=rules.mandated,
        mandate_cap=np.int64(mandate.cap),
        mandate_excess=np.int64(mandate.excess),
        mandate_receiving_bps=np.int64(round(mandate.receiving_share * BPS)),
        negligence=float(mandate.gross_negligence_share),
        recovery_bps=np.int64(round(att.mule_recovery_share * BPS)),
        face_harvest=min(1.0, att.face_harvest_rate * n_crews * rules.harvest_factor),
        credential_harvest=min(1.0, att.credential_harvest_rate * n_crews * rules.harvest_factor),
        face_allowed=np.int64(rules.face_allowed),
        push=0.0 if rules.consent_required else beh.platform_push,
        adoption_rate=beh.adoption_rate,
        adoption_threshold=beh.adoption_threshold,
        background_risk=beh.background_risk,
        drop_rate=beh.drop_rate,
        risk_weight=beh.risk_weight,
        friction_weight=beh.friction_weight,
        risk_decay=beh.risk_decay,
        victim_shock=beh.victim_risk_shock,
        word_of_mouth=beh.word_of_mouth,
        media=beh.media_gain * backlash + events.publicity,
        trust_recovery=beh.trust_recovery,
        trust_hit_unrefunded=beh.trust_hit_unrefunded,
        trust_hit_false_reject=beh.trust_hit_false_reject,
        switch_threshold=beh.switch_threshold,
        switch_rate=beh.switch_rate,
        vigilance_learning=beh.vigilance_learning,
        vigilance_decay=beh.vigilance_decay,
        friction_decay=beh.friction_decay,
        abandon_probability=beh.abandon_probability,
        notice_probability=beh.credential_notice_probability,
        initial_trust=np.float32(pop.initial_trust),
    )

