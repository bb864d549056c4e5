"""A platform's end of day in compiled loops gives, bit for bit, the array formulas."""

import mesa
import numpy as np
import pytest

from simfraud.core.vectors import AUTHORISED, CONTROL, CONTROLS, N_VECTORS
from simfraud.model.investment import ControlInvestment, gordon_loeb_investment
from simfraud.model.platform import PlatformAgent, PlatformDay
from tests.support import scenario_with


def random_day(rng: np.random.Generator) -> PlatformDay:
    ints = lambda high: rng.integers(0, high, N_VECTORS)  # noqa: E731
    loss = ints(10**13)
    claimed = loss * rng.integers(0, 2, N_VECTORS)
    sending = claimed // rng.integers(1, 4, N_VECTORS)
    successes = ints(50)
    return PlatformDay(users=int(rng.integers(1, 10**6)), face_checks=1_000, volume=10**8,
                       attempts=successes + ints(10**4), successes=successes,
                       stopped_by_monitoring=ints(300), loss=loss,
                       attempted_amount=loss + ints(10**10), refunded_sending=sending,
                       refunded_receiving=(claimed - sending) // 2,
                       receiving_liability=ints(10**12),
                       claims=successes * (claimed > 0), claimed_loss=claimed)


def observed_by_formula(agent: PlatformAgent, seen: PlatformDay) -> dict:
    """What ``observe`` learns, as array operations (the formulas the loops replaced)."""
    mon, sec = agent.config.monitoring, agent.config.security
    rate = (seen.claims + seen.stopped_by_monitoring) * (100_000 / max(seen.users, 1))
    signal = rate / (rate + mon.signal_half_saturation)
    detection = agent.detection.copy()
    detection += mon.learning_rate * signal * (mon.max_detection - detection)
    detection -= mon.drift * (detection - mon.base_detection)
    weight = 1.0 / sec.smoothing_days
    user_loss = seen.claimed_loss - seen.refunded_sending - seen.refunded_receiving
    own = seen.refunded_sending + seen.receiving_liability + sec.reputation_weight * user_loss
    by_control = np.bincount(CONTROL, weights=own, minlength=len(CONTROLS))
    learned = np.stack([seen.attempts - (seen.successes - seen.claims), seen.claims,
                        seen.attempted_amount - (seen.loss - seen.claimed_loss),
                        seen.claimed_loss, own])
    controls = np.stack([np.bincount(CONTROL, weights=row, minlength=len(CONTROLS))
                         for row in learned])
    smoothed = agent.controls.smoothed + (controls / max(seen.users, 1)
                                          - agent.controls.smoothed) / sec.smoothing_days
    users = max(seen.users, 1)
    liability = int(seen.receiving_liability.sum())
    authorised = int(seen.receiving_liability[AUTHORISED].sum())
    return {"detection": detection,
            "mules": agent.mules.liability + (liability / users - agent.mules.liability)
            / sec.smoothing_days,
            "hold": agent.hold.liability + (authorised / users - agent.hold.liability)
            / sec.smoothing_days,
            "paid": int(seen.refunded_sending.sum()) + liability,
            "own_cost_ema": agent.own_cost_ema + weight * (float(own.sum()) - agent.own_cost_ema),
            "own_cost_by_control": agent.own_cost_by_control + weight * (
                by_control - agent.own_cost_by_control),
            "smoothed": smoothed}


@pytest.mark.parametrize("seed", range(6))
def test_observe_equals_the_array_formulas_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    s = scenario_with({"platforms": [{"name": "bank", "security": {
        "reputation_weight": float(rng.uniform(0.0, 1.0))}}]})
    agent = PlatformAgent(mesa.Model(rng=1), 0, s.platforms[0], s.defences, np.ones(N_VECTORS))
    for _ in range(20):
        seen = random_day(rng)
        expected = observed_by_formula(agent, seen)
        agent.observe(seen)
        got = {"detection": agent.detection, "own_cost_ema": agent.own_cost_ema,
               "own_cost_by_control": agent.own_cost_by_control,
               "smoothed": agent.controls.smoothed, "mules": agent.mules.liability,
               "hold": agent.hold.liability,
               "paid": agent.fees - agent.security_spend - agent.fine - agent.net_income}
        for name, value in expected.items():
            assert np.array_equal(got[name], value), name


@pytest.mark.parametrize("seed", range(6))
def test_investment_rates_equal_the_array_formulas_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    controls = ControlInvestment(np.ones(N_VECTORS), float(rng.uniform(0.0, 1.0)))
    for _ in range(20):
        controls.smoothed = rng.uniform(0.0, 10.0, (5, len(CONTROLS))) * rng.integers(
            0, 2, (5, len(CONTROLS)))  # zeros: no attempts, no loss
        attempts, successes = controls.smoothed[0], controls.smoothed[1]
        loss, own = controls.smoothed[3], controls.smoothed[4]
        vulnerability = np.divide(successes, attempts, out=np.zeros_like(attempts),
                                  where=attempts > 0)
        share = np.divide(own, loss, out=np.full_like(loss, controls.default_share),
                          where=loss > 0)
        assert np.array_equal(controls.vulnerability, vulnerability)
        assert np.array_equal(controls.potential_loss,
                              controls.smoothed[2] * np.minimum(share, 1.0))


@pytest.mark.parametrize("seed", range(6))
def test_retraining_and_ageing_equal_the_array_formulas_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    controls = ControlInvestment(rng.uniform(0.0, 2.0, N_VECTORS), 0.5)
    alpha, beta, days, exponent = rng.uniform(1e-4, 1e-2), rng.uniform(0.5, 2.0), 90, 0.7
    for _ in range(20):
        controls.capability = rng.uniform(0.0, 1e4, len(CONTROLS))
        quality = rng.uniform(0.0, 3.0, N_VECTORS) * rng.integers(0, 2, N_VECTORS)
        trained = controls.trained.copy()
        speed = (alpha * controls.capability[CONTROL] + 1.0) ** beta / days
        trained += np.minimum(speed, 1.0) * (quality - trained)
        controls.retrain(quality, alpha, beta, days)
        assert np.array_equal(controls.trained, trained)
        controls.trained[0] = 0.0
        ahead = np.maximum(quality, controls.trained)
        ratio = np.divide(controls.trained, ahead, out=np.ones_like(ahead), where=ahead > 0)
        assert np.array_equal(controls.ageing(quality, exponent), ratio ** exponent)


@pytest.mark.parametrize("seed", range(4))
def test_investment_equals_the_formula_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    controls = ControlInvestment(np.ones(N_VECTORS), 0.3)
    alpha, beta, lag = rng.uniform(1e-4, 1e-2), rng.uniform(0.5, 2.0), int(rng.integers(1, 60))
    for _ in range(20):
        controls.smoothed = rng.uniform(0.0, 1e3, (5, len(CONTROLS)))
        capability = controls.capability.copy()
        spend = np.array([gordon_loeb_investment(v, loss, alpha, beta) for v, loss in zip(
            controls.vulnerability, controls.potential_loss, strict=True)])
        capability += (spend - capability) / lag
        controls.invest(alpha, beta, lag)
        assert np.array_equal(controls.spend, spend)
        assert np.array_equal(controls.capability, capability)
