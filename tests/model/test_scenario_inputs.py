"""Daily inputs built once per scenario follow a rule change that replaces the scenario."""

import numpy as np
import pytest

from simfraud.core.vectors import N_VECTORS, VECTORS
from simfraud.model import FraudModel
from simfraud.users.attacks import AttackInputs, attack_inputs
from simfraud.users.attitudes import attitude_inputs
from simfraud.users.authentication import authentication_inputs
from simfraud.users.compromise import compromise_inputs
from simfraud.users.network import network_inputs
from simfraud.users.payment import payment_inputs
from simfraud.users.refunds import refund_inputs
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


class _CheckedModel(FraudModel):
    """Checks every day that the inputs built from cached parts equal a fresh build."""

    checked_days = 0

    def _day_inputs(self):
        inputs = super()._day_inputs()
        s, platforms, rules, events = self.scenario, self.platforms, self.rules, self.events
        authentication = authentication_inputs(s, platforms, self.plan.success)
        fresh = {
            "authentication": authentication,
            "attacks": attack_inputs(s, self.plan.attempts, self.eligible,
                                     authentication.step_up_threshold),
            "refunds": refund_inputs(s, platforms, rules.mandated),
            "compromise": compromise_inputs(s, platforms, rules, events, len(self.crew_book),
                                            self._face_harvest_share()),
            "attitudes": attitude_inputs(s, rules, events, self.regulator.backlash, platforms),
        }
        for group, expected in fresh.items():
            built = getattr(inputs, group)
            for field, value in zip(expected._fields, expected, strict=True):
                got = getattr(built, field)
                assert type(got) is type(value), (self.day, group, field)
                assert np.array_equal(got, value), (self.day, group, field, got, value)
        self.checked_days += 1
        return inputs


def test_inputs_from_cached_parts_equal_a_fresh_build_through_changes():
    mandate = {"enabled": True, "vectors": ["social_engineering"], "receiving_share": 0.5}
    change = {"platforms.0.step_up.amount_threshold": 5_000,
              "platforms.0.reimbursement.policy": "capped",
              "behaviour.claim_without_refund": 0.4,
              "behaviour.platform_push": 0.3,
              "attackers.fraud_amount_shape.tail_share.social_engineering": 0.2,
              "population.segments.0.digital_literacy": 0.9}
    scenario = scenario_with({
        "regulator": {"stance": "proactive", "effective_day": 3,
                      "instruments": {"mandatory_reimbursement": mandate}},
        "timeline": [{"type": "rule_change", "day": 5, "set": change}],
    }, users=300, days=8)
    model = _CheckedModel(scenario)
    model.run()
    assert model.checked_days == 8
    assert model.day_inputs.refunds.mandated.any()  # the mandate came into force
    assert model.day_inputs.authentication.step_up_threshold[0] == 5_000
    assert len(model._scenario_inputs()["prospects"]) == 1  # built again after the change


@pytest.mark.parametrize("seed", range(4))
def test_attack_probability_equals_the_array_formula_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    attempts = rng.uniform(0.0, 50.0, (3, N_VECTORS)) * rng.integers(0, 2, (3, N_VECTORS))
    eligible = rng.integers(0, 40, (3, N_VECTORS)).astype(np.float64)
    expected = np.minimum(1.0, np.divide(attempts, eligible, out=np.zeros_like(attempts),
                                         where=eligible > 0))
    got = attack_inputs(None, attempts, eligible, None, AttackInputs(None, None, None))
    assert np.array_equal(got.attack_probability, expected)
