"""Daily inputs built once per scenario follow a rule change that replaces the scenario."""

import numpy as np

from simfraud.core.vectors import VECTORS
from simfraud.model import FraudModel
from simfraud.users.network import network_inputs
from simfraud.users.payment import payment_inputs
from tests.support import scenario_with


def test_inputs_built_once_per_scenario_follow_a_rule_change():
    change = {"attackers.attempt_cost." + VECTORS[0]: 777,
              "population.segments.0.pay_probability": 0.05,
              "population.contacts": 3}
    scenario = scenario_with({"timeline": [{"type": "rule_change", "day": 2, "set": change}]},
                             users=300, days=4)
    model = FraudModel(scenario)
    for day in range(4):
        model.step()
        now = model.scenario
        assert (now is scenario) == (day < 2)
        expected = payment_inputs(now)
        for field, value in zip(expected._fields, expected, strict=True):
            assert np.array_equal(getattr(model.day_inputs.payment, field), value)
        assert model.day_inputs.context.n_contacts == network_inputs(
            now, model.contacts_key)["n_contacts"]
        costs = np.array([getattr(now.attackers.attempt_cost, v) for v in VECTORS])
        assert np.array_equal(model._attempt_cost(), costs * model.cost_multiplier)
    assert model._attempt_cost()[0] == 777.0 * model.cost_multiplier[0]
    assert model.day_inputs.payment.seg_pay_probability[0] == 0.05
    assert model.day_inputs.context.n_contacts == 3 != scenario.population.contacts
