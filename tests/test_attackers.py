"""Crews' daily planning: all crews at once give what each crew's own formula gives."""

import numpy as np
import pytest

from simfraud.model import FraudModel
from simfraud.model.attacker import plan_crews
from simfraud.users.contest import tullock
from tests.support import scenario_with


def plan_one(crew, reach, cost, strength, decisiveness, value):
    """One crew's plan, written out plainly (the per-crew formula plan_crews batches)."""
    cfg = crew.config
    success = tullock(crew.tools * crew.skill, strength, decisiveness)
    profit = reach * (success * value - cost[None, :])
    scale = max(float(np.abs(profit).max()), 1.0)
    weights = np.exp(cfg.choice_sharpness * (profit - profit.max()) / scale)
    weights = (1.0 - cfg.exploration) * weights / weights.sum() + cfg.exploration / weights.size
    attempts = reach * weights
    spend = float((attempts * cost[None, :]).sum())
    if spend > crew.budget:
        attempts = attempts * (max(crew.budget, 0) / spend)
    return success, attempts, int(np.floor((attempts * cost[None, :]).sum()))


@pytest.mark.parametrize("seed", range(6))
def test_plan_crews_matches_each_crews_own_plan(seed):
    rng = np.random.default_rng(seed)
    model = FraudModel(scenario_with({"attackers": {"initial": 7}}, users=500, days=2))
    crews = model.crews
    shape = crews[0].attempts.shape
    for crew in crews:
        crew.tools = rng.uniform(0.0, 3.0, shape[1])
        crew.budget = int(rng.choice([-1000, 0, 50, 10**6, 10**12]))
    reach = rng.uniform(0.0, 500.0, shape)
    cost = rng.choice([0.0, 1.0, 40.0], shape[1])
    strength = rng.uniform(0.0, 2.0, shape)
    value = rng.uniform(0.0, 5_000.0, shape)
    expected = [plan_one(crew, reach, cost, strength, 1.7, value) for crew in crews]
    plan_crews(crews, reach, cost, strength, 1.7, value)
    for crew, (success, attempts, cost_today) in zip(crews, expected, strict=True):
        np.testing.assert_allclose(crew.success, success, rtol=1e-12)
        np.testing.assert_allclose(crew.attempts, attempts, rtol=1e-12, atol=1e-9)
        assert abs(crew.cost_today - cost_today) <= 1


def test_plan_crews_with_no_crews_does_nothing():
    plan_crews([], np.ones((1, 6)), np.ones(6), np.ones((1, 6)), 1.0, np.ones((1, 6)))
