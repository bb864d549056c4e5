"""The regulator's instruments content moderation, pre-launch assessment and fines.

Each effect is measured over paired runs (common random numbers: the same seed with and
without the instrument) of small populations.
"""

from __future__ import annotations

import mesa
import numpy as np
import pandas as pd
import pytest

from simfraud.core.vectors import LIVENESS_LEVELS
from simfraud.model.fraud_model import FraudModel
from simfraud.model.liveness import Liveness
from simfraud.model.regulator import RegulatorAgent
from simfraud.results.summary import summarise, summary_table
from simfraud.scenario.schema import Liveness as LivenessConfig
from simfraud.users import counters as K
from tests.support import scenario_with

INSTRUMENTS = "regulator.instruments"


def _proactive(day: int, instruments: dict, **changes) -> dict:
    regulator = {"stance": "proactive", "effective_day": day, "instruments": instruments}
    return {"regulator": regulator, **changes}


def _adopted_share(scenario, replicate: int) -> float:
    model = FraudModel(scenario, replicate=replicate)
    model.run()
    return len(model.releases[0].adopters) / model.crews_entered


def test_content_moderation_slows_a_release_among_crews():
    release = {"type": "tool_release", "day": 2, "vector": "deepfake_presentation",
               "quality": 3.0, "innovation": 0.05, "imitation": 0.3}
    moderated = {"content_moderation": {"enabled": True, "spread_reduction": 0.8}}
    base = scenario_with(_proactive(0, {}, timeline=[release]), users=500, days=12)
    slowed = scenario_with(_proactive(0, moderated, timeline=[release]), users=500, days=12)
    without = [_adopted_share(base, r) for r in range(4)]
    with_moderation = [_adopted_share(slowed, r) for r in range(4)]
    # Same draws: each crew's adoption test is u < factor x hazard, so moderation can only
    # delay adoption; by day 12 it cuts the adopted share in every replicate.
    assert all(m < w for m, w in zip(with_moderation, without, strict=True)), (
        with_moderation, without)
    assert np.mean(with_moderation) < 0.6 * np.mean(without)


def test_moderation_only_while_in_force():
    moderated = {"content_moderation": {"enabled": True, "spread_reduction": 0.8}}
    s = scenario_with(_proactive(10, moderated))
    r = RegulatorAgent(mesa.Model(rng=1), s.regulator)
    assert r.rules(9).spread_factor == 1.0
    assert r.rules(10).spread_factor == pytest.approx(0.2)


TWO_PLATFORMS = [
    {"name": "below", "market_share": 0.5, "liveness": {"level": "passive_2d"},
     "security": {"deployment_lag_days": 20}},
    {"name": "passes", "market_share": 0.5, "liveness": {"level": "active"},
     "security": {"deployment_lag_days": 20}},
]


def _facepay_per_platform(scenario) -> tuple[FraudModel, np.ndarray]:
    """The model after its run and its face-pay users per day and platform."""
    model = FraudModel(scenario)
    users = []
    for _ in range(scenario.days):
        model.step()
        users.append(model.totals.per_platform[:, K.P.facepay_users].copy())
    return model, np.array(users)


def test_pre_launch_assessment_keeps_face_pay_off_a_platform_below_the_level():
    assessed = {"security_assessment": {"enabled": True, "level": "active",
                                        "review_days": 15}}
    with_rule = scenario_with(_proactive(5, assessed, platforms=TWO_PLATFORMS), users=2_000,
                              days=50)
    without = scenario_with(_proactive(5, {}, platforms=TWO_PLATFORMS), users=2_000, days=50)
    model, facepay = _facepay_per_platform(with_rule)
    _, facepay_without = _facepay_per_platform(without)
    below, passes = 0, 1
    assert facepay[4, below] > 0 and facepay_without[5:, below].min() > 0
    # In force on day 5: face pay is off on the platform below the level until its
    # upgrade, scheduled that day, goes live after 20 days' lag and 15 days' review.
    assert facepay[5:40, below].max() == 0
    assert facepay[5:, passes].min() > 0
    assert model.platforms[below].liveness.level == LIVENESS_LEVELS.index("active")
    assert facepay[-1, below] > 0  # it passed: users adopt face pay again


def test_assessment_review_delays_the_upgrade():
    assessed = {"security_assessment": {"enabled": True, "level": "active",
                                        "review_days": 15}}
    s = scenario_with(_proactive(0, assessed, platforms=TWO_PLATFORMS))
    rules = RegulatorAgent(mesa.Model(rng=1), s.regulator).rules(0)
    assert rules.required_level == LIVENESS_LEVELS.index("active") and rules.review_days == 15
    assert not rules.face_pay_permitted(Liveness(LivenessConfig(level="passive_2d",
                                                                injection_detection=True)))
    assert rules.face_pay_permitted(Liveness(LivenessConfig(level="active")))


FINED = {"minimum_liveness": {"enabled": True, "level": "active"},
         "fines": {"enabled": True, "grace_days": 5, "per_user_day": 2.0, "loss_share": 0.5}}


def test_fines_appear_in_the_metric_and_lower_net_income_exactly_by_the_fine():
    unfined = {**FINED, "fines": {**FINED["fines"], "enabled": False}}
    platforms = [{"name": "p", "security": {"deployment_lag_days": 20}}]
    fined_model = FraudModel(scenario_with(_proactive(3, FINED, platforms=platforms),
                                           users=1_000, days=40))
    plain_model = FraudModel(scenario_with(_proactive(3, unfined, platforms=platforms),
                                           users=1_000, days=40))
    fined_model.run()
    plain_model.run()
    fines = fined_model.metrics.series["fines"]
    fined, plain = fined_model.metrics.series, plain_model.metrics.series
    # Rules in force on day 3, deadline day 8, the upgrade live on day 23: fined in between.
    assert (fines[:8] == 0).all() and (fines[23:] == 0).all()
    assert (fines[8:23] >= 2 * 1_000 - 50).all()  # at least 2 per user (users move little)
    assert (plain["fines"] == 0).all()
    np.testing.assert_array_equal(plain["platform_net_income"] - fined["platform_net_income"],
                                  fines)
    for name in ("gross_loss", "security_spend", "social_cost", "facepay_users"):
        np.testing.assert_array_equal(fined[name], plain[name])
    tables = {}
    for label, series in (("fined", fined), ("plain", plain)):
        frame = pd.DataFrame({name: np.asarray(values) for name, values in series.items()})
        summary = summarise(frame.assign(replicate=0, day=np.arange(len(frame))), weight=1.0,
                            currency="GBP")
        tables[label] = summary_table(summary)
        assert summary["totals"]["fines"]["mean"] == float(np.sum(series["fines"]))
    assert "Fines (a transfer)" in tables["fined"]
    assert "Fines" not in tables["plain"]  # shown only when rules fine someone


def test_rules_are_handed_out_again_until_they_change():
    fines = {"fines": {"enabled": True, "grace_days": 3, "per_user_day": 0.01}}
    s = scenario_with(_proactive(5, fines))
    r = RegulatorAgent(mesa.Model(rng=1), s.regulator)
    days = [r.rules(day) for day in range(12)]
    assert days[0] is days[4] and not days[4].in_force
    assert days[5] is days[7] is not days[4] and days[7].fine_per_user_day == 0.0
    assert days[8] is days[11] is not days[7] and days[8].fine_per_user_day == 0.01
    r.configure(s.regulator.model_copy(), 12)  # a rule change replaces the block
    assert r.rules(12) is not days[11] and r.rules(12).fine_per_user_day == 0.01
