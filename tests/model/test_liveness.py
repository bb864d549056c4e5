"""Liveness on its own (``model/liveness.py``): levels, upgrades, costs, no platform."""

import numpy as np

from simfraud.core.vectors import INJECTION, LIVENESS_LEVELS, N_BIOMETRIC, N_VECTORS
from simfraud.model.liveness import Liveness
from simfraud.scenario.schema import Defences
from simfraud.scenario.schema import Liveness as LivenessConfig

DEFENCES = Defences()
ACTIVE = LIVENESS_LEVELS.index("active")
TOP = len(LIVENESS_LEVELS) - 1


def check(level: str = "passive_2d", injection: bool = False) -> Liveness:
    return Liveness(LivenessConfig(level=level, injection_detection=injection))


def test_strength_and_costs_follow_the_live_level():
    passive, depth = check(), check("depth_3d")
    assert (depth.strength(DEFENCES) >= passive.strength(DEFENCES)).all()
    assert (depth.strength(DEFENCES) > passive.strength(DEFENCES)).any()
    assert depth.bpcer(DEFENCES) == DEFENCES.liveness.depth_3d.bpcer
    with_detection = check(injection=True)
    assert (with_detection.cost_per_check(DEFENCES) - passive.cost_per_check(DEFENCES)
            == DEFENCES.injection_detection_cost_per_check)


def test_injection_detection_guards_injection_only_and_never_weakens_it():
    strength = np.full(N_VECTORS, 0.5)
    check(injection=True).guard_injection(strength, 2.0, DEFENCES)
    assert strength[INJECTION] == max(0.5, 2.0 * DEFENCES.injection_detection_strength)
    assert (np.delete(strength, INJECTION) == 0.5).all()
    untouched = np.full(N_VECTORS, 0.5)
    check().guard_injection(untouched, 2.0, DEFENCES)
    assert (untouched == 0.5).all()


def test_the_day_zero_level_is_charged_once():
    live = check("depth_3d")
    cost = DEFENCES.liveness.depth_3d.upgrade_cost_per_user * 1_000
    assert cost > 0
    assert live.charge_deployment(DEFENCES, 1_000) == cost
    assert live.charge_deployment(DEFENCES, 1_000) == 0


def test_an_upgrade_goes_live_on_its_day_and_charges_its_level():
    live = check()
    live.schedule(10, ACTIVE, False)
    assert live.go_live(9, DEFENCES, 100) is None and live.level < ACTIVE
    assert live.go_live(10, DEFENCES, 100) == DEFENCES.liveness.active.upgrade_cost_per_user * 100
    assert live.level == ACTIVE and live.pending is None


def test_schedules_merge_into_the_stronger_upgrade():
    live = check()
    live.schedule(10, ACTIVE, False)
    live.schedule(20, ACTIVE - 1, True)  # weaker level, but adds detection
    assert live.pending.level == ACTIVE and live.pending.injection_detection
    assert live.pending.ready_day == 20
    live.schedule(30, ACTIVE, False)  # nothing new: the pipeline is kept
    assert live.pending.ready_day == 20


def test_next_step_order_level_then_detection_and_injections_first_when_they_dominate():
    live = check()
    assert live.next_step(5, switch_share=0.5) and live.pending.level == live.level + 1
    top = check(LIVENESS_LEVELS[TOP])
    assert top.next_step(5, 0.5) and top.pending.injection_detection
    assert not check(LIVENESS_LEVELS[TOP], injection=True).next_step(5, 0.5)
    flooded = check()
    attempts = np.zeros(N_VECTORS)
    attempts[INJECTION] = 9.0
    attempts[0] = 1.0
    assert 0 < INJECTION < N_BIOMETRIC
    flooded.learn(attempts, smoothing_days=1.0)
    assert flooded.injection_share == 0.9
    assert flooded.next_step(5, 0.5)
    assert flooded.pending.level == flooded.level and flooded.pending.injection_detection


def test_a_rule_change_replaces_the_level_cancels_the_pipeline_and_charges_a_rise():
    live = check()
    live.charge_deployment(DEFENCES, 1)
    live.schedule(10, ACTIVE, False)
    live.configure(LivenessConfig(level="depth_3d"), set_level=True, set_injection=False)
    assert live.level == LIVENESS_LEVELS.index("depth_3d") and live.pending is None
    assert live.deployment_due == live.level
    live.charge_deployment(DEFENCES, 1)
    live.configure(LivenessConfig(level="none"), set_level=True, set_injection=False)
    assert live.level == 0 and live.deployment_due is None  # a lower level costs nothing


def test_comply_schedules_only_what_the_rule_requires():
    live = check("depth_3d")
    live.comply(7, LIVENESS_LEVELS.index("active"), require_injection=False)
    assert live.pending is None
    live.comply(7, LIVENESS_LEVELS.index("active"), require_injection=True)
    assert live.pending.level == live.level and live.pending.injection_detection


def test_meets_asks_for_the_level_and_the_detection_required():
    assert check("active").meets(ACTIVE, False)
    assert not check("active").meets(ACTIVE, True)
    assert check("active", injection=True).meets(ACTIVE - 1, True)
    assert not check("passive_2d", injection=True).meets(ACTIVE, False)
