"""Crew size: the same market split into more, smaller crews (``attackers.crew_size``)."""

import numpy as np
import pytest

from simfraud.model import FraudModel
from simfraud.scenario.capacity import worst_case_money
from simfraud.scenario.schema import Attackers
from simfraud.users.compromise import compromise_inputs
from tests.support import scenario_with


def test_the_default_is_a_market_of_quarter_crews():
    assert Attackers().crew_size == 0.25
    assert Attackers().initial_crews == 4 * Attackers().initial


def test_standard_crews_are_the_blocks_own_figures():
    att = Attackers(crew_size=1.0)
    assert (att.initial_crews, att.max_crews) == (att.initial, att.max)
    assert att.crew_budget == att.initial_budget and isinstance(att.crew_budget, int)
    assert att.entries_per_day == att.entry_probability


def test_quarter_crews_are_four_times_as_many_with_a_quarter_of_each_figure():
    att = Attackers(crew_size=0.25)
    assert (att.initial_crews, att.max_crews) == (120, 400)
    assert att.crew_budget == 125_000
    assert att.entries_per_day == pytest.approx(0.4)
    model = FraudModel(scenario_with({"attackers": {"crew_size": 0.25}}, users=300, days=2))
    assert len(model.crew_book) == 120
    assert (model.crew_book.budget == 125_000).all()


@pytest.mark.parametrize("size", [0.5, 0.25, 0.1])
def test_smaller_identical_crews_make_the_same_market(size):
    whole = FraudModel(scenario_with({"attackers": {"crew_size": 1.0, "skill_spread": 0.0}},
                                     users=2_000, days=3))
    split = FraudModel(scenario_with({"attackers": {"crew_size": size, "skill_spread": 0.0}},
                                     users=2_000, days=3))
    whole.step()
    split.step()
    np.testing.assert_allclose(split.plan.attempts, whole.plan.attempts, rtol=1e-9)
    # each crew earns and spends `size` of a standard crew and its tools gain as much
    np.testing.assert_allclose(split.crew_book.tools[0], whole.crew_book.tools[0], rtol=1e-9)
    np.testing.assert_allclose(split.crew_book.budget[0], size * whole.crew_book.budget[0],
                               rtol=1e-4)


def test_rd_of_a_smaller_crew_buys_the_same_gain_from_its_share_of_revenue():
    gains = {}
    for size in (1.0, 0.25):
        model = FraudModel(scenario_with({"attackers": {"crew_size": size}}, users=300, days=2))
        book = model.crew_book
        book.rd_return[:] = 1.0
        book.cost_today[:] = 0
        before = book.tools.copy()
        book.settle(np.full(book.attempts.shape, 1e6 * size))
        gains[size] = (book.tools / before)[:30]
    np.testing.assert_allclose(gains[0.25], gains[1.0], rtol=1e-12)
    assert (gains[1.0] > 1).all()


@pytest.mark.parametrize(("size", "probability", "entering"), [(1.0, 1.0, 1), (0.05, 0.1, 2)])
def test_entry_brings_entry_probability_over_crew_size_crews_a_day(size, probability, entering):
    model = FraudModel(scenario_with({"attackers": {
        "crew_size": size, "initial": 1, "max": 10, "entry_probability": probability,
        "entry_profit": 0}}, users=300, days=2))
    book = model.crew_book
    before = len(book)
    book.profit_ema[:] = 1.0
    model._entry_and_exit()
    assert len(book) == before + entering


def test_entry_stops_at_max_crews():
    model = FraudModel(scenario_with({"attackers": {
        "crew_size": 0.05, "initial": 1, "max": 1, "entry_profit": 0}}, users=300, days=2))
    model.crew_book.profit_ema[:] = 1.0
    model._entry_and_exit()
    assert len(model.crew_book) == 20


def test_entry_threshold_compares_mean_profit_with_entry_profit_times_crew_size():
    model = FraudModel(scenario_with({"attackers": {
        "crew_size": 0.1, "initial": 1, "max": 10, "entry_probability": 1.0,
        "entry_profit": 1_000}}, users=300, days=2))
    book = model.crew_book
    book.profit_ema[:] = 100.0  # a tenth of entry_profit: at the threshold, nobody enters
    model._entry_and_exit()
    assert len(book) == 10
    book.profit_ema[:] = 101.0
    model._entry_and_exit()
    assert len(book) == 20


def test_harvest_per_crew_scales_with_crew_size():
    rates = {}
    for size in (1.0, 0.25):
        model = FraudModel(scenario_with({"attackers": {"crew_size": size}}, users=300, days=2))
        model.step()
        inputs = compromise_inputs(model.scenario, model.platforms, model.rules, model.events,
                                   40, 0.5)
        rates[size] = (inputs.face_harvest, inputs.credential_harvest)
    np.testing.assert_allclose(rates[0.25], np.array(rates[1.0]) * 0.25, rtol=1e-12)


def test_worst_case_money_counts_the_crews_and_budgets_of_their_size():
    whole = scenario_with({"attackers": {"crew_size": 1.0}}, users=1_000, days=100)
    split = scenario_with({"attackers": {"crew_size": 0.05}}, users=1_000, days=100)
    budgets = 1_000 / whole.population.reference_users * whole.attackers.initial_budget
    # 600 crews of a 20th on day 0, 2 a day at most: (30 + 100 x 2 / 20) standard budgets
    assert worst_case_money(split) - worst_case_money(whole) == pytest.approx(
        budgets * ((30 + 100 * 2 / 20) - (30 + 100)))
