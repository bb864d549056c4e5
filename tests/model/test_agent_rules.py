"""The platform's and the regulator's own rules, each agent on its own (no model run)."""

import mesa
import numpy as np
import pytest

from simfraud.core.vectors import (
    AUTHORISED,
    INJECTION,
    LIVENESS,
    LIVENESS_LEVELS,
    N_BIOMETRIC,
    N_VECTORS,
    PAYEE_WARNINGS,
    VECTORS,
)
from simfraud.model.investment import gordon_loeb_investment
from simfraud.model.ledger import receiving_liability
from simfraud.model.platform import PlatformAgent, PlatformDay
from simfraud.model.regulator import RegulatorAgent
from simfraud.scenario.schema import Scenario
from simfraud.users.authentication import (
    STOPPED_MONITORING,
    STOPPED_PAYEE,
    SUCCESS,
    payee_stop,
    resolve_layers,
)
from simfraud.users.refunds import refund_prospect, user_weighted_share


def scenario(**changes) -> Scenario:
    data = Scenario().model_dump(mode="json")
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split(".")
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        node[leaf] = value
    return Scenario.model_validate(data)


QUALITY = np.ones(N_VECTORS)
REACTIVE = {"platforms.0.security.upgrade_rule": "reactive"}


def platform(s: Scenario, users: int = 10_000) -> PlatformAgent:
    agent = PlatformAgent(mesa.Model(rng=1), 0, s.platforms[0], s.defences, QUALITY)
    agent.users = users
    return agent


def day(loss_by_vector, attempts_by_vector=None, users=10_000, sending=None,
        liability=None) -> PlatformDay:
    loss = np.array(loss_by_vector, dtype=np.int64)
    attempts = np.array(attempts_by_vector if attempts_by_vector is not None
                        else [10] * N_VECTORS, dtype=np.int64)
    zeros = np.zeros(N_VECTORS, dtype=np.int64)
    return PlatformDay(users=users, face_checks=1_000, volume=10**8, attempts=attempts,
                       successes=(loss > 0).astype(np.int64), stopped_by_monitoring=zeros,
                       loss=loss, attempted_amount=loss * 2,
                       refunded_sending=zeros if sending is None else np.asarray(sending),
                       refunded_receiving=zeros,
                       receiving_liability=zeros if liability is None else np.asarray(liability))


def test_reactive_platform_strengthens_the_control_behind_its_cost():
    s = scenario(**{"platforms.0.liveness.level": "passive_2d", **REACTIVE,
                    "platforms.0.security.loss_threshold": 0.1,
                    "platforms.0.security.deployment_lag_days": 5})
    p = platform(s)
    biometric_loss = [10**7 if v < N_BIOMETRIC else 0 for v in range(N_VECTORS)]
    for d in range(20):  # two liveness steps; controls only once liveness is exhausted
        p.observe(day(biometric_loss))
        p.adapt(d, None, False, QUALITY)
    assert p.liveness.level > LIVENESS_LEVELS.index("passive_2d")
    assert p.control_upgrades.sum() == 0


def test_reactive_platform_adds_injection_detection_when_injection_dominates():
    s = scenario(**{"platforms.0.liveness.level": "passive_2d",
                    "platforms.0.liveness.injection_detection": False, **REACTIVE,
                    "platforms.0.security.loss_threshold": 0.1,
                    "platforms.0.security.deployment_lag_days": 3})
    p = platform(s)
    attempts = [0] * N_VECTORS
    attempts[INJECTION] = 100
    loss = [10**7 if v == INJECTION else 0 for v in range(N_VECTORS)]
    for d in range(60):
        p.observe(day(loss, attempts))
        p.adapt(d, None, False, QUALITY)
    assert p.liveness.injection_detection
    assert p.liveness.injection_share > s.platforms[0].security.injection_switch_share


def test_scam_losses_strengthen_payee_warnings():
    s = scenario(**{"platforms.0.security.loss_threshold": 0.1, **REACTIVE,
                    "platforms.0.security.deployment_lag_days": 2})
    p = platform(s)
    before = p.primary_strength()[VECTORS.index("social_engineering")]
    loss = [10**7 if v == VECTORS.index("social_engineering") else 0 for v in range(N_VECTORS)]
    for d in range(40):
        p.observe(day(loss))
        p.adapt(d, None, False, QUALITY)
    assert p.control_upgrades[PAYEE_WARNINGS] >= 1
    assert p.control_upgrades[LIVENESS] == 0
    assert p.primary_strength()[VECTORS.index("social_engineering")] > before


def test_minimum_liveness_rule_is_complied_with_after_the_deployment_lag():
    s = scenario(**{"platforms.0.liveness.level": "none",
                    "platforms.0.security.upgrade_rule": "none",
                    "platforms.0.security.deployment_lag_days": 10})
    p = platform(s)
    depth = LIVENESS_LEVELS.index("depth_3d")
    p.adapt(0, depth, True, QUALITY)
    assert p.liveness.level == 0 and p.liveness.pending is not None
    p.adapt(9, depth, True, QUALITY)
    assert p.liveness.level == 0
    p.adapt(10, depth, True, QUALITY)
    assert p.liveness.level == depth and p.liveness.injection_detection


def test_a_rule_change_of_the_level_replaces_the_live_level_and_cancels_upgrades():
    s = scenario(**{"platforms.0.liveness.level": "passive_2d"})
    p = platform(s)
    p.adapt(0, LIVENESS_LEVELS.index("active"), False, QUALITY)
    assert p.liveness.pending is not None
    changed = scenario(**{"platforms.0.liveness.level": "depth_3d"})
    p.configure(changed.platforms[0], changed.defences,
                changed={"platforms.0.liveness.level": "depth_3d"})
    assert p.liveness.level == LIVENESS_LEVELS.index("depth_3d") and p.liveness.pending is None
    p.configure(s.platforms[0], s.defences, changed={"platforms.0.fee_bps": 10})
    assert p.liveness.level == LIVENESS_LEVELS.index("depth_3d")  # other changes leave it alone


def test_a_liveness_level_costs_the_same_one_off_on_day_0_by_rule_change_or_upgrade():
    s = scenario(**{"platforms.0.liveness.level": "depth_3d",
                    "platforms.0.security.upgrade_rule": "none",
                    "platforms.0.monitoring.enabled": False})
    one_off = s.defences.liveness.depth_3d.upgrade_cost_per_user * 10_000
    running = 1_000 * s.defences.liveness.depth_3d.cost_per_check  # day(): 1,000 face checks
    starts_at_3d = platform(s)
    starts_at_3d.adapt(0, None, False, QUALITY)
    starts_at_3d.observe(day([0] * N_VECTORS))
    assert starts_at_3d.security_spend == one_off + running  # day 0 pays the deployment
    starts_at_3d.adapt(1, None, False, QUALITY)
    starts_at_3d.observe(day([0] * N_VECTORS))
    assert starts_at_3d.security_spend == running  # once

    none = scenario(**{"platforms.0.liveness.level": "none",
                       "platforms.0.security.upgrade_rule": "none",
                       "platforms.0.monitoring.enabled": False,
                       "platforms.0.security.deployment_lag_days": 1})
    by_rule_change, by_upgrade = platform(none), platform(none)
    for agent in (by_rule_change, by_upgrade):
        agent.adapt(0, None, False, QUALITY)
        agent.observe(day([0] * N_VECTORS))
        assert agent.security_spend == 0
    by_rule_change.configure(s.platforms[0], s.defences,
                             changed={"platforms.0.liveness.level": "depth_3d"})
    by_rule_change.adapt(1, None, False, QUALITY)
    by_rule_change.observe(day([0] * N_VECTORS))
    depth = LIVENESS_LEVELS.index("depth_3d")
    by_upgrade.adapt(1, depth, False, QUALITY)  # a minimum-level rule: scheduled, lag 1 day
    by_upgrade.observe(day([0] * N_VECTORS))
    by_upgrade.adapt(2, depth, False, QUALITY)
    by_upgrade.observe(day([0] * N_VECTORS))
    assert by_rule_change.security_spend == by_upgrade.security_spend == one_off + running


@pytest.mark.parametrize("loss", [1e3, 1e5, 1e7, 1e9])
@pytest.mark.parametrize("vulnerability", [0.05, 0.3, 0.9])
def test_gordon_loeb_investment_is_optimal_and_at_most_one_over_e(loss, vulnerability):
    alpha, beta = 10.0 / 10_000, 1.0
    z = gordon_loeb_investment(vulnerability, loss, alpha, beta)
    assert 0 <= z <= vulnerability * loss / np.e

    def net(x):
        return (vulnerability - vulnerability / (alpha * x + 1) ** beta) * loss - x

    for other in (z * 0.9, z * 1.1 + 1, 0.0):
        assert net(z) >= net(other) - 1e-6


def test_gordon_loeb_platform_invests_per_control_and_per_user():
    s = scenario(**{"platforms.0.security.deployment_lag_days": 1})
    scams = VECTORS.index("social_engineering")
    loss = [10**6 if v == scams else 0 for v in range(N_VECTORS)]
    spend = {}
    for users in (10_000, 40_000):
        p = platform(s, users)
        before = p.primary_strength()
        for d in range(60):  # the same fraud per user on both platforms
            p.observe(day([x * users // 10_000 for x in loss], users=users))
            p.adapt(d, None, False, QUALITY)
        spend[users] = p.controls.spend.copy()
        strength = p.primary_strength()
        assert strength[scams] > before[scams]  # payee warnings strengthened...
        assert (strength[:N_BIOMETRIC] == before[:N_BIOMETRIC]).all()  # ...nothing else
        bound = p.controls.vulnerability * p.controls.potential_loss / np.e
        assert (p.controls.spend <= bound + 1e-12).all() and spend[users][PAYEE_WARNINGS] > 0
    np.testing.assert_allclose(spend[10_000], spend[40_000])  # per user: scale-free


def test_a_platform_learns_only_of_the_frauds_its_users_claim():
    s = scenario(**{"platforms.0.security.deployment_lag_days": 1})
    scams = VECTORS.index("social_engineering")
    loss = np.array([10**6 if v == scams else 0 for v in range(N_VECTORS)], dtype=np.int64)
    learned = {}
    for claimed in (1, 0):  # every fraud claimed, or none
        p = platform(s)
        for d in range(60):
            seen = day(loss)
            seen.claims, seen.claimed_loss = seen.successes * claimed, loss * claimed
            p.observe(seen)
            p.adapt(d, None, False, QUALITY)
        learned[claimed] = p
    everything, nothing = learned[1], learned[0]
    assert everything.controls.spend[PAYEE_WARNINGS] > 0
    assert nothing.controls.spend[PAYEE_WARNINGS] == 0  # unreported fraud buys no defence
    assert nothing.controls.vulnerability[PAYEE_WARNINGS] == 0
    assert nothing.detection[scams] < everything.detection[scams]  # monitoring saw less


def test_liability_as_receiving_provider_raises_investment():
    s = scenario()
    scams = VECTORS.index("social_engineering")
    loss = [10**6 if v == scams else 0 for v in range(N_VECTORS)]
    spend = []
    for liability in (None, [x // 2 for x in loss]):
        p = platform(s)
        for d in range(60):
            p.observe(day(loss, liability=liability))
            p.adapt(d, None, False, QUALITY)
        spend.append(p.controls.spend[PAYEE_WARNINGS])
    assert spend[1] > spend[0] > 0


def test_receiving_liability_buys_mule_detection_that_freezes_more_per_user():
    """Liability as receiving provider, and only that, raises the share frozen; per user."""
    base = 0.05
    scams = VECTORS.index("social_engineering")
    frozen, spend = {}, {}
    for users, liable in ((10_000, False), (10_000, True), (40_000, True)):
        p = platform(scenario(**{"platforms.0.security.deployment_lag_days": 10}), users)
        liability = [2 * users if (v == scams and liable) else 0 for v in range(N_VECTORS)]
        for d in range(200):  # 2 minor units per user per day as receiving provider
            p.observe(day([10 * users if v == scams else 0 for v in range(N_VECTORS)],
                          users=users, liability=liability))
            p.adapt(d, None, False, QUALITY, mule_base=base)
        frozen[users, liable] = p.mule_recovery_share(base)
        spend[users, liable] = p.mules.spend
    assert frozen[10_000, False] == base and spend[10_000, False] == 0
    assert frozen[10_000, True] > base + 0.1
    assert spend[10_000, True] <= (1 - base) * 2 / np.e  # Gordon-Loeb bound, per user
    assert frozen[40_000, True] == pytest.approx(frozen[10_000, True])  # scale-free


def test_mule_detection_switched_off_by_a_rule_change_stops_spend_and_freezing():
    s = scenario(**{"platforms.0.security.deployment_lag_days": 10})
    p = platform(s)
    for d in range(100):
        p.observe(day([10**5] * N_VECTORS, liability=[10**5] * N_VECTORS))
        p.adapt(d, None, False, QUALITY, mule_base=0.05)
    assert p.mule_recovery_share(0.05) > 0.1 and p.mules.spend > 0
    off = scenario(**{"platforms.0.security.mule_detection": False})
    p.configure(off.platforms[0], off.defences, {"platforms.0.security.mule_detection": False})
    p.adapt(100, None, False, QUALITY, mule_base=0.05)
    assert p.mule_recovery_share(0.05) == 0.05 and p.mules.spend == 0


def test_mule_detection_switched_off_freezes_only_the_base_share():
    p = platform(scenario(**{"platforms.0.security.mule_detection": False}))
    for d in range(100):
        p.observe(day([10**5] * N_VECTORS, liability=[10**5] * N_VECTORS))
        p.adapt(d, None, False, QUALITY, mule_base=0.05)
    assert p.mule_recovery_share(0.05) == 0.05 and p.mules.spend == 0


def test_receiving_liability_buys_an_inbound_hold_only_when_switched_on():
    """The hold invests on the receiving liability like mule detection, per user."""
    scams = VECTORS.index("social_engineering")
    held, spend = {}, {}
    for users, on in ((10_000, False), (10_000, True), (40_000, True)):
        p = platform(scenario(**{"platforms.0.security.deployment_lag_days": 10,
                                 "platforms.0.security.inbound_hold": on}), users)
        liability = [2 * users if v == scams else 0 for v in range(N_VECTORS)]
        for d in range(200):
            p.observe(day([10 * users if v == scams else 0 for v in range(N_VECTORS)],
                          users=users, liability=liability))
            p.adapt(d, None, False, QUALITY, mule_base=0.05)
        held[users, on], spend[users, on] = p.held_share(), p.hold.spend
    assert held[10_000, False] == 0 and spend[10_000, False] == 0
    assert held[10_000, True] > 0.1
    assert spend[10_000, True] <= 2 / np.e  # Gordon-Loeb bound (v = 1), per user
    assert held[40_000, True] == pytest.approx(held[10_000, True])  # scale-free


@pytest.mark.parametrize("check", [False, True])
def test_the_payee_side_stops_only_authorised_payments(check):
    """Name check of the sending platform, then the user-weighted hold of the receivers."""
    s = scenario(**{"platforms.0.confirmation_of_payee.enabled": check,
                    "platforms.0.confirmation_of_payee.stop": 0.3})
    first, second = platform(s, users=3_000), platform(s, users=1_000)
    first.hold.capability, second.hold.capability = 0.0, 1.0  # only the second holds
    held = 1.0 - 1.0 / (s.platforms[0].security.gl_alpha + 1.0) ** s.platforms[0].security.gl_beta
    stop = payee_stop([first, second])
    market = held * 1_000 / 4_000
    scams = AUTHORISED.nonzero()[0]
    assert (np.delete(stop, scams, axis=1) == 0).all()
    expected = 1.0 - (1.0 - (0.3 if check else 0.0)) * (1.0 - market)
    np.testing.assert_allclose(stop[:, scams], expected, rtol=1e-12)


@pytest.mark.parametrize("detect", [0.0, 0.2, 0.9])
def test_the_payee_side_meets_only_what_monitoring_let_through(detect):
    draws = (np.arange(20_000) + 0.5) / 20_000
    outcomes = np.array([resolve_layers(0.0, 1.0, False, 0.5, 0.0, u, detect, 0.25)
                         for u in draws])
    assert (outcomes[draws < detect] == STOPPED_MONITORING).all()
    assert np.mean(outcomes == STOPPED_PAYEE) == pytest.approx((1 - detect) * 0.25, abs=1e-4)
    without = [resolve_layers(0.0, 1.0, False, 0.5, 0.0, u, detect, 0.0) for u in draws]
    assert set(without) <= {STOPPED_MONITORING, SUCCESS}


def test_market_frozen_share_weights_platforms_by_users():
    assert user_weighted_share([0.1, 0.3], [3, 1]) == pytest.approx(0.15)
    assert user_weighted_share([0.1, 0.3], [0, 0]) == pytest.approx(0.2)


def test_refund_prospect_is_the_expected_refunded_share_of_a_fraud():
    s = scenario(**{"platforms.0.reimbursement.policy": "share",
                    "platforms.0.reimbursement.share": 0.4,
                    "platforms.0.reimbursement.vectors": ["social_engineering"],
                    "regulator.instruments.mandatory_reimbursement.excess": 0,
                    "regulator.instruments.mandatory_reimbursement.gross_negligence_share":
                        0.1})
    scams, takeover = VECTORS.index("social_engineering"), VECTORS.index("account_takeover")
    mandated = np.zeros(N_VECTORS, dtype=np.int64)
    mandated[takeover] = 1
    prospect = refund_prospect(s, [platform(s)], mandated)[0]
    assert prospect[scams] == pytest.approx(0.4)  # voluntary share
    # The default cap (85,000 GBP) is 106 times the takeover mean and above its cap: the
    # whole amount comes back unless the claim is refused.
    assert prospect[takeover] == pytest.approx(0.9)
    assert (prospect[:N_BIOMETRIC] == 0).all()


def test_detectors_age_against_better_tools_and_catch_up():
    s = scenario(**{"platforms.0.security.upgrade_rule": "none",
                    "platforms.0.security.retrain_days": 50})
    p = platform(s)
    before = p.primary_strength()
    better = QUALITY * 2.0
    p.adapt(0, None, False, better)
    aged = p.primary_strength()
    np.testing.assert_allclose(aged, before * (1 + 1 / 50) / 2)  # trained 1 -> 1.02 of 2
    for d in range(1, 400):
        p.adapt(d, None, False, better)
    np.testing.assert_allclose(p.primary_strength(), before, rtol=1e-3)  # caught up


@pytest.mark.parametrize("tracking", [0.5, 1.0])
def test_retrained_detectors_keep_pace_with_better_tools(tracking):
    s = scenario(**{"platforms.0.security.upgrade_rule": "none",
                    "platforms.0.security.retrain_days": 50,
                    "platforms.0.security.detector_tracking": tracking})
    p = platform(s)
    before = p.primary_strength()
    better = QUALITY * 2.0
    p.adapt(0, None, False, better)
    # Trained 1 -> 1.02 of 2: aged by 1.02 / 2, kept pace by 1.02^tracking.
    np.testing.assert_allclose(p.primary_strength(),
                               before * (1 + 1 / 50) / 2 * (1 + 1 / 50) ** tracking)
    for d in range(1, 400):
        p.adapt(d, None, False, better)
    np.testing.assert_allclose(p.primary_strength(), before * 2.0 ** tracking, rtol=1e-3)


def test_receiving_liability_is_shared_by_users_exactly():
    receiving = np.array([[101, 0, 7], [0, 50, 0]], dtype=np.int64)
    parts = receiving_liability(receiving, np.array([3, 1]))
    np.testing.assert_array_equal(parts.sum(axis=0), receiving.sum(axis=0))
    np.testing.assert_array_equal(parts, [[76, 38, 6], [25, 12, 1]])


def test_reactive_regulator_acts_after_persistence_and_legislative_lag():
    s = scenario(**{"regulator.stance": "reactive", "regulator.threshold": 1.0,
                    "regulator.persistence_days": 5, "regulator.observation_lag_days": 3,
                    "regulator.legislative_lag_days": 20,
                    "regulator.indicator_window_days": 10})
    r = RegulatorAgent(mesa.Model(rng=1), s.regulator)
    losses = [0.0] * 20 + [5.0] * 100
    decided = None
    for d in range(len(losses)):
        r.observe(d, losses[:d])
        if r.decided_day is not None and decided is None:
            decided = d
    # On day d the regulator sees days d-13 .. d-4; their mean exceeds 1.0 once three days
    # of 5.0 are in it (from day 26 on), and must stay above for 5 days: day 30.
    assert decided == 30
    assert r.in_force_day == decided + 20
    assert not r.rules(decided + 19).in_force and r.rules(decided + 20).in_force


def test_rules_in_force_follow_the_instruments():
    s = scenario(**{
        "regulator.stance": "proactive", "regulator.effective_day": 10,
        "regulator.instruments.mandatory_reimbursement.enabled": True,
        "regulator.instruments.mandatory_reimbursement.vectors": ["social_engineering"],
        "regulator.instruments.face_recognition.rule": "ban",
        "regulator.instruments.data_protection.enabled": True,
        "regulator.instruments.data_protection.harvest_reduction": 0.25,
    })
    r = RegulatorAgent(mesa.Model(rng=1), s.regulator)
    before, after = r.rules(9), r.rules(10)
    assert not before.in_force and before.face_allowed and before.mandated.sum() == 0
    assert after.in_force and not after.face_allowed
    assert list(after.mandated) == [int(v == "social_engineering") for v in VECTORS]
    assert after.harvest_factor == pytest.approx(0.75)


def test_laissez_faire_rule_change_repeals_rules_in_force():
    s = scenario(**{"regulator.stance": "proactive", "regulator.effective_day": 0})
    r = RegulatorAgent(mesa.Model(rng=1), s.regulator)
    assert r.in_force(5)
    repeal = scenario(**{"regulator.stance": "laissez_faire"})
    r.configure(repeal.regulator, 5)
    assert not r.in_force(6)


def drawn_refunded_share(s: Scenario, vector: str, excess: int, cap: int,
                         voluntary_cap: int = 0) -> float:
    """Refunds of 200,000 amounts drawn as the kernel draws them, over the mean amount.

    A mandate of this excess and cap, or with ``voluntary_cap`` a capped voluntary policy
    and no mandate.
    """
    from simfraud.core.amounts import HALF_STEP, spliced_quantiles
    from simfraud.users.attacks import fraud_amount_parameters
    from simfraud.users.refunds import POLICY_CAPPED, POLICY_NONE, refund_split
    row = fraud_amount_parameters(s.attackers)[VECTORS.index(vector)]
    us = np.random.default_rng(7).random(200_000) + HALF_STEP
    amounts = np.maximum(1, np.round(spliced_quantiles(us, row))).astype(np.int64)
    policy = np.int64(POLICY_CAPPED if voluntary_cap else POLICY_NONE)
    refunds = [sum(refund_split(a, not voluntary_cap, np.int64(cap), np.int64(excess),
                                np.int64(0), 0.5, 0.0, policy, np.int64(voluntary_cap),
                                np.int64(0), 0.0))
               for a in amounts]
    return float(np.mean(refunds)) / getattr(s.attackers.mean_fraud_amount, vector)


@pytest.mark.parametrize(("vector", "excess", "cap"), [
    ("account_takeover", 3_000, 20_000),         # both the excess and the cap bind
    ("social_engineering", 10_000, 8_500_000),   # the PSR cap against the heavy tail
])
def test_refund_prospect_matches_refunds_of_drawn_amounts(vector, excess, cap):
    """Against refund_split on amounts drawn from the spliced, capped distribution.

    The mean refund of the draws over the vector's mean amount (the denominator is the
    distribution's mean, which the draws of a tail index near 1 estimate poorly).
    """
    s = scenario(**{"regulator.instruments.mandatory_reimbursement.excess": excess,
                    "regulator.instruments.mandatory_reimbursement.cap": cap,
                    "regulator.instruments.mandatory_reimbursement.gross_negligence_share": 0})
    mandated = np.zeros(N_VECTORS, dtype=np.int64)
    mandated[VECTORS.index(vector)] = 1
    expected = refund_prospect(s, [platform(s)], mandated)[0, VECTORS.index(vector)]
    assert 0.1 < expected < 0.9  # the excess or the cap matters at this mean
    assert drawn_refunded_share(s, vector, excess, cap) == pytest.approx(expected, rel=0.02)


def test_refund_prospect_of_an_assessed_policy_is_its_granted_share():
    from simfraud.users.refunds import POLICY_ASSESSED, refund_split
    s = scenario(**{"platforms.0.reimbursement.policy": "assessed",
                    "platforms.0.reimbursement.grant_share": 0.12,
                    "platforms.0.reimbursement.vectors": ["social_engineering"]})
    scams = VECTORS.index("social_engineering")
    prospect = refund_prospect(s, [platform(s)], np.zeros(N_VECTORS, dtype=np.int64))[0]
    assert prospect[scams] == pytest.approx(0.12)
    assert prospect.sum() == pytest.approx(0.12)  # only the covered vector
    draws = np.random.default_rng(3).random(20_000)
    granted = [sum(refund_split(np.int64(5_000), False, np.int64(0), np.int64(0), np.int64(0),
                                u, 0.05, np.int64(POLICY_ASSESSED), np.int64(0), np.int64(0),
                                0.12)) > 0 for u in draws]
    assert np.mean(granted) == pytest.approx(0.12, abs=3 * np.sqrt(0.12 * 0.88 / 20_000))


def test_refund_prospect_of_a_capped_voluntary_policy():
    s = scenario(**{"platforms.0.reimbursement.policy": "capped",
                    "platforms.0.reimbursement.cap": 50_000,
                    "platforms.0.reimbursement.vectors": ["social_engineering"]})
    scams = VECTORS.index("social_engineering")
    expected = refund_prospect(s, [platform(s)], np.zeros(N_VECTORS, dtype=np.int64))[0, scams]
    assert 0.1 < expected < 0.9
    assert drawn_refunded_share(s, "social_engineering", 0, 0, voluntary_cap=50_000) == (
        pytest.approx(expected, rel=0.02))
