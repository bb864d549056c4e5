"""Crews earn the expected proceeds of their successes, not the sample's amounts.

The kernel adds each success's expected amount (given the step-up threshold and block
that decided it) to ``PV.expected_loss``; crews' books and ``MarketIntel`` take it
less the frozen share; the ledger still pays out the drawn amounts.
"""

from __future__ import annotations

import numpy as np

from simfraud.core.vectors import STEP_UP, STEP_UP_OTP, VECTORS
from simfraud.model.attacker import CrewBook, expected_proceeds
from simfraud.model.fraud_model import FraudModel
from simfraud.users import counters as K
from simfraud.users.attacks import BELOW_SHARE, BELOW_SUM, expected_amounts
from tests.support import scenario_with


def _run_counting(scenario, days: int):
    """Successes, drawn loss and expected loss per (platform, vector), summed over days."""
    model = FraudModel(scenario)
    sums = np.zeros((len(scenario.platforms), len(VECTORS), 3), dtype=np.int64)
    for _ in range(days):
        model.step()
        pvs = model.totals.pvs
        sums += np.stack([pvs[..., K.PV.successes], pvs[..., K.PV.loss],
                          pvs[..., K.PV.expected_loss]], axis=-1)
    return model, sums


def test_without_step_up_every_success_is_worth_the_mean():
    s = scenario_with({"platforms": [{"name": "p", "step_up": {"enabled": False}}]},
                      users=3_000, days=40)
    _, sums = _run_counting(s, 40)
    means = np.array([getattr(s.attackers.mean_fraud_amount, v) for v in VECTORS])
    assert sums[..., 0].sum() > 20  # not vacuous
    np.testing.assert_array_equal(sums[..., 2], sums[..., 0] * means[None, :])
    assert not np.array_equal(sums[..., 1], sums[..., 2])  # the drawn amounts differ


def test_successes_that_step_up_always_stops_above_the_threshold_are_worth_the_mean_below():
    step_up = {"enabled": True, "amount_threshold": 30_000, "block_probability": 1.0,
               "sim_swap_success": 0.0}
    s = scenario_with({"platforms": [{"name": "p", "step_up": step_up}]}, users=3_000,
                      days=40)
    _, sums = _run_counting(s, 40)
    table = expected_amounts(s.attackers, np.array([30_000]))[0]
    below = table[:, BELOW_SUM] / table[:, BELOW_SHARE]  # the mean amount below 30,000
    stopped = STEP_UP == STEP_UP_OTP  # every vector but social engineering
    successes, drawn, expected = (sums[0, stopped, k] for k in range(3))
    assert successes.sum() > 10  # not vacuous (18 with these settings)
    np.testing.assert_array_equal(expected, successes * np.round(below[stopped]))
    assert (drawn <= successes * 30_000).all()  # only amounts below the threshold got through


def test_expected_proceeds_less_the_frozen_share_rounded_down():
    loss = np.array([[0, 10_001, 3]], dtype=np.int64)
    np.testing.assert_array_equal(expected_proceeds(loss, 2_500), [[0, 7_501, 3]])


def test_crews_book_the_expected_proceeds_and_the_ledger_the_drawn_ones(monkeypatch):
    booked = []
    settle = CrewBook.settle

    def spy(book, revenue):
        booked.append(revenue.sum())
        settle(book, revenue)

    monkeypatch.setattr(CrewBook, "settle", spy)
    model = FraudModel(scenario_with(users=3_000, days=30))
    earned, drawn = [], []
    for _ in range(30):
        model.step()
        earned.append(expected_proceeds(model.totals.pvs[..., K.PV.expected_loss],
                                        model.day_inputs.refunds.recovery_bps).sum())
        drawn.append(model.settlement.stolen - model.settlement.recovered_total)
    np.testing.assert_allclose(np.array(booked) * model.crew_scale, earned, rtol=1e-9)
    assert sum(earned) > 0 and earned != drawn
    assert model.ledger.attacker_revenue == sum(drawn)
