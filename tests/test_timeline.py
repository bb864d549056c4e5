"""Timeline events as the model applies them."""

from simfraud.model import FraudModel
from tests.support import scenario_with


def test_a_rule_change_keeps_upgrades_and_applies_new_tables():
    scenario = scenario_with({
        "platforms": [{"name": "p", "security": {"upgrade_rule": "scheduled",
                                                 "scheduled_days": [2],
                                                 "deployment_lag_days": 0}}],
        "timeline": [
            {"type": "rule_change", "day": 10, "set": {"regulator.stance": "reactive"}},
            {"type": "rule_change", "day": 12,
             "set": {"defences.liveness.active.bpcer": 0.5}},
            {"type": "rule_change", "day": 14,
             "set": {"platforms.0.liveness.level": "depth_3d"}},
            {"type": "rule_change", "day": 15,
             "set": {"platforms.0.liveness.level": "passive_2d"}},
        ],
    }, users=500, days=17)
    model = FraudModel(scenario)
    model.run(11)
    platform = model.platforms[0]
    assert platform.liveness.level == 2  # passive_2d upgraded to active on day 2, kept on day 10
    model.run(2)
    assert platform.liveness.bpcer(platform.defences) == 0.5  # the changed table is used at once
    model.run(2)
    assert platform.liveness.level == 3  # a liveness level the change sets replaces the live one
    model.run(1)
    assert platform.liveness.level == 1  # even when it equals the scenario's original level


def test_a_laissez_faire_turn_repeals_rules_and_a_proactive_one_sets_their_day():
    scenario = scenario_with({
        "regulator": {"stance": "proactive", "effective_day": 5},
        "timeline": [
            {"type": "rule_change", "day": 8, "set": {"regulator.stance": "laissez_faire"}},
            {"type": "rule_change", "day": 12, "set": {"regulator.stance": "proactive",
                                                       "regulator.effective_day": 15}},
        ],
    }, users=500, days=20)
    model = FraudModel(scenario)
    model.run()
    in_force = model.metrics.series["regulation_in_force"].tolist()
    assert in_force == [0] * 5 + [1] * 3 + [0] * 7 + [1] * 5
