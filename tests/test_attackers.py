"""Crews' day: the crew book's array operations give, bit for bit, what each crew's own
formula gives, written out plainly crew by crew."""

import numpy as np
import pytest

from simfraud.core.draws import D_DIFFUSE, D_PEER, D_RELEASE, STREAM_ATTACKER
from simfraud.core.rng import uniforms
from simfraud.model import FraudModel
from simfraud.model.attacker import (
    _ROWS,
    AttackerAgent,
    MarketIntel,
    Release,
    _Row,
    initial_tools,
    plan_crews,
    pool_attempts,
    share_revenue,
)
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


def plan_all(book, reach, cost, strength, decisiveness, value):
    """Every crew's plan as numpy array operations (what the compiled ``plan_crews`` replaced).

    Returns:
        ``(success, attempts, cost_today, rd_return)``.
    """
    cfg = book.config
    quality = (book.tools * book.skill)[:, None, :]
    budget = np.maximum(book.budget, 0).astype(np.float64)
    success = tullock(quality, strength[None], decisiveness)
    profit = reach[None] * (success * value[None] - cost[None, None, :])
    cells = (1, 2)
    scale = np.maximum(np.abs(profit).max(axis=cells, keepdims=True), 1.0)
    weights = np.exp(cfg.choice_sharpness * (profit - profit.max(axis=cells, keepdims=True))
                     / scale)
    weights = ((1.0 - cfg.exploration) * weights / weights.sum(axis=cells, keepdims=True)
               + cfg.exploration / reach.size)
    attempts = reach[None] * weights
    spend = (attempts * cost[None, None, :]).sum(axis=cells)
    over = spend > budget
    if over.any():
        attempts[over] *= (budget[over] / spend[over])[:, None, None]
    cost_today = np.floor((attempts * cost[None, None, :]).sum(axis=cells)).astype(np.int64)
    rd_return = (reach[None] * value[None] * decisiveness * success * (1.0 - success)).sum(axis=1)
    return success, attempts, cost_today, rd_return


def settle_one(crew: dict, revenue, cfg) -> None:
    """One crew's books and R&D (the per-crew formula ``CrewBook.settle`` batches)."""
    profit = round(float(revenue.sum())) - crew["cost_today"]
    crew["budget"] += profit
    crew["profit_ema"] += 1.0 / cfg.profit_smoothing_days * (profit - crew["profit_ema"])
    crew["losing_days"] = crew["losing_days"] + 1 if crew["profit_ema"] < 0 else 0
    crew["revenue_ema"] += 1.0 / cfg.profit_smoothing_days * (revenue.sum(axis=0)
                                                              - crew["revenue_ema"])
    crew["aspiration"] += 1.0 / cfg.aspiration_days * (crew["revenue_ema"] - crew["aspiration"])
    search = cfg.search_share * np.maximum(crew["aspiration"] - crew["revenue_ema"], 0.0)
    if cfg.adaptive and (profit > 0 or search.sum() > 0):
        invest = np.zeros_like(search)
        if profit > 0:
            rd_return = crew["rd_return"]
            by_vector = rd_return if rd_return.sum() > 0 else crew["attempts"].sum(axis=0)
            share = by_vector / by_vector.sum() if by_vector.sum() > 0 else by_vector
            invest = cfg.rd_share * profit * share
        available = crew["budget"] - np.floor(invest.sum()) - max(crew["cost_today"], 1)
        if search.sum() > available:
            search *= max(available, 0.0) / search.sum()
        invest = invest + search
        crew["budget"] -= int(np.floor(invest.sum()))
        gain = cfg.rd_step * invest / cfg.rd_cost
        reference = initial_tools(cfg)
        ahead = (reference > 0) & (crew["tools"] > reference)
        if cfg.rd_diminishing > 0:
            gain[ahead] *= (crew["tools"][ahead] / reference[ahead]) ** -cfg.rd_diminishing
        crew["tools"] *= 1.0 + gain


def diffuse_one(crew: dict, crews: list[dict], day, releases, seed, cfg, spread_factor):
    """One crew's copying and adoption (the loop ``CrewBook.diffuse`` compiles)."""
    u = uniforms(np.uint64(seed), STREAM_ATTACKER, day, crew["id"], D_RELEASE + len(releases))
    if cfg.adaptive and len(crews) > 1 and u[D_DIFFUSE] < cfg.diffusion_rate:
        peer = crews[int(u[D_PEER] * len(crews))]
        np.maximum(crew["tools"], peer["tools"], out=crew["tools"])
    active = {c["id"] for c in crews}
    for k, release in enumerate(releases):
        if crew["id"] in release.adopters:
            continue
        hazard = release.innovation + release.imitation * len(release.adopters & active) / max(
            len(crews), 1)
        if u[D_RELEASE + k] < spread_factor * hazard:
            release.adopters.add(crew["id"])
            crew["tools"][release.vector] = max(crew["tools"][release.vector], release.quality)


def random_book(seed: int, crews: int = 9, platforms: int = 2, **attackers):
    """A model whose crews have random state; ``rng`` to draw more."""
    rng = np.random.default_rng(seed)
    named = [{"name": f"p{i}", "market_share": 1.0 / platforms} for i in range(platforms)]
    model = FraudModel(scenario_with({"attackers": {"initial": crews, "crew_size": 1.0,
                                                    **attackers},
                                      "platforms": named}, users=300, days=2))
    book = model.crew_book
    shape = book.attempts.shape
    book.tools = rng.uniform(0.0, 3.0, book.tools.shape)
    book.budget = rng.choice([-1000, 0, 50, 10**6, 10**12], crews).astype(np.int64)
    book.attempts = rng.uniform(0.0, 50.0, shape) * (rng.uniform(size=shape) < 0.7)
    book.attempts[:, 0, 1] = 0.0  # a cell no crew attacks
    book.success = rng.uniform(0.0, 1.0, shape)
    book.rd_return = rng.uniform(0.0, 1e4, book.rd_return.shape) * (
        rng.uniform(size=(crews, 1)) < 0.6)
    book.profit_ema = rng.normal(0.0, 5e4, crews)
    book.losing_days = rng.integers(0, 40, crews)
    book.cost_today = rng.integers(0, 10**5, crews)
    book.revenue_ema = rng.uniform(0.0, 1e6, book.tools.shape)
    book.aspiration = book.revenue_ema * rng.uniform(0.5, 2.0, book.tools.shape)
    return model, book, rng


def rows(book) -> list[dict]:
    names = ("budget", "tools", "attempts", "rd_return", "profit_ema", "losing_days",
             "cost_today", "revenue_ema", "aspiration")
    return [{"id": int(book.ids[k]), **{n: getattr(book, n)[k].copy() for n in names}}
            for k in range(len(book))]


@pytest.mark.parametrize("seed", range(6))
def test_plan_crews_matches_each_crews_own_plan(seed):
    model, book, rng = random_book(seed, crews=7, platforms=1)
    shape = book.attempts.shape[1:]
    reach = rng.uniform(0.0, 500.0, shape)
    cost = rng.choice([0.0, 1.0, 40.0], shape[1])
    strength = rng.uniform(0.0, 2.0, shape)
    value = rng.uniform(0.0, 5_000.0, shape)
    expected = [plan_one(crew, reach, cost, strength, 1.7, value) for crew in model.crews]
    plan_crews(book, reach, cost, strength, 1.7, value)
    for crew, (success, attempts, cost_today) in zip(model.crews, expected, strict=True):
        np.testing.assert_allclose(crew.success, success, rtol=1e-12)
        np.testing.assert_allclose(crew.attempts, attempts, rtol=1e-12, atol=1e-9)
        assert abs(crew.cost_today - cost_today) <= 1


@pytest.mark.parametrize("seed", range(8))
def test_plan_crews_equals_the_array_formula_bit_for_bit(seed):
    platforms = 1 + seed % 3  # 6, 12 and 18 cells: numpy's sums by one and by eight
    _, book, rng = random_book(seed, crews=int(1 + seed * 5), platforms=platforms,
                               choice_sharpness=1.0 + 3.0 * seed)
    shape = book.attempts.shape[1:]
    reach = rng.uniform(0.0, 500.0, shape)
    cost = rng.choice([0.0, 1.0, 40.0, 333.3], shape[1])
    strength = rng.uniform(0.0, 2.0, shape) * (rng.uniform(size=shape) < 0.8)
    value = rng.uniform(0.0, 5_000.0, shape)
    expected = plan_all(book, reach, cost, strength, 1.7, value)
    plan_crews(book, reach, cost, strength, 1.7, value)
    got = (book.success, book.attempts, book.cost_today, book.rd_return)
    for name, a, b in zip(("success", "attempts", "cost_today", "rd_return"), got, expected,
                          strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert (book.cost_today <= np.maximum(book.budget, 0)).all()  # cut to the budget


def test_plan_crews_with_no_crews_does_nothing():
    model = FraudModel(scenario_with({"attackers": {"initial": 0}}, users=100, days=1))
    plan_crews(model.crew_book, np.ones((1, 6)), np.ones(6), np.ones((1, 6)), 1.0,
               np.ones((1, 6)))
    assert len(model.crew_book) == 0


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize(("adaptive", "diminishing", "search"),
                         [(True, 0.0, 0.0), (False, 0.0, 0.0), (True, 1.5, 0.0), (True, 0.0, 0.3),
                          (True, 1.5, 1.0), (False, 0.0, 0.3)])
def test_books_equal_each_crews_own_books_bit_for_bit(seed, adaptive, diminishing, search):
    _, book, rng = random_book(seed, crews=int(1 + seed * 5), adaptive=adaptive,
                               rd_diminishing=diminishing, search_share=search)
    revenue = rng.integers(-10**6, 10**7, book.attempts.shape) / rng.uniform(0.01, 3.0)
    expected = rows(book)
    for crew, own in zip(expected, revenue, strict=True):
        settle_one(crew, own, book.config)
    book.settle(revenue)
    for crew, got in zip(expected, rows(book), strict=True):
        for name, value in crew.items():
            assert np.array_equal(value, got[name]), name


def test_diminishing_returns_slow_only_tools_ahead_of_the_day_0_state_of_the_art():
    gains = {}
    for diminishing in (0.0, 1.0):
        _, book, _ = random_book(0, crews=2, rd_diminishing=diminishing)
        reference = initial_tools(book.config)
        book.tools[:] = reference * np.array([[0.5], [4.0]])  # one behind, one 4x ahead
        book.rd_return[:] = 1.0
        book.cost_today[:] = 0
        before = book.tools.copy()
        book.settle(np.full(book.attempts.shape, 1e7))
        gains[diminishing] = book.tools / before - 1.0
    np.testing.assert_array_equal(gains[1.0][0], gains[0.0][0])  # behind: the full step
    assert (gains[0.0][1] > 0).all()
    np.testing.assert_allclose(gains[1.0][1], gains[0.0][1] / 4.0, rtol=1e-12)


@pytest.mark.parametrize("seed", range(8))
def test_diffusion_equals_the_crew_by_crew_loop_bit_for_bit(seed):
    _, book, _ = random_book(seed, crews=int(2 + seed * 4), diffusion_rate=0.5)
    ids = book.ids.tolist()

    def releases():
        local = np.random.default_rng(seed)
        return [Release(int(local.integers(0, 6)), float(local.uniform(0, 4)),
                        float(local.uniform(0, 0.3)), float(local.uniform(0, 1)),
                        {i for i in [*ids, 999] if local.uniform() < 0.3})
                for _ in range(seed % 4)]

    expected, theirs = rows(book), releases()
    for crew in expected:
        diffuse_one(crew, expected, 5, theirs, 1234, book.config, 0.7)
    ours = releases()
    book.diffuse(5, ours, 1234, 0.7)
    for crew, got in zip(expected, rows(book), strict=True):
        assert np.array_equal(crew["tools"], got["tools"])
    assert [r.adopters for r in ours] == [r.adopters for r in theirs]


@pytest.mark.parametrize("seed", range(6))
def test_pooling_and_sharing_equal_the_crew_by_crew_sums(seed):
    model, book, rng = random_book(seed, crews=int(1 + seed * 7))
    attempts, expected = np.zeros(book.attempts.shape[1:]), np.zeros(book.attempts.shape[1:])
    for crew in model.crews:
        attempts += crew.attempts
        expected += crew.attempts * crew.success
    pooled, success = pool_attempts(book, attempts.shape)
    assert np.array_equal(pooled, attempts)
    own = np.divide(expected, attempts, out=np.zeros_like(attempts), where=attempts > 0)
    assert np.array_equal(success, own)
    revenue = rng.integers(0, 10**7, attempts.shape)
    revenue[0, 0] = 0
    parts = share_revenue(book, revenue)
    assert parts.dtype == np.int64 and np.array_equal(parts.sum(axis=0), revenue)
    assert np.array_equal(parts, share_by_array_operations(model.crews, revenue))


def share_by_array_operations(crews, revenue):
    """The split of revenue among crews written with numpy (what the compiled loop does)."""
    weight = np.stack([c.attempts * c.success for c in crews])
    total = weight.sum(axis=0)
    share = np.divide(weight, total[None], out=np.zeros_like(weight), where=total[None] > 0)
    parts = np.floor(share * revenue[None]).astype(np.int64)
    rows, cols = np.indices(revenue.shape)
    parts[np.argmax(weight, axis=0), rows, cols] += revenue - parts.sum(axis=0)
    return parts


def test_every_book_row_but_the_id_is_an_attribute_of_the_crews_agent():
    model, book, _ = random_book(1, crews=3)
    crew = model.crews[1]
    for name in _ROWS:
        if name == "ids":
            continue
        assert isinstance(vars(AttackerAgent).get(name), _Row), name
        assert np.array_equal(getattr(crew, name), getattr(book, name)[1]), name


def test_leaving_crews_go_from_book_and_model_and_rows_follow_their_agents():
    model, book, _ = random_book(3, crews=6, exit_patience_days=10)
    book.budget = np.array([5, 0, 7, -3, 9, 11], dtype=np.int64)
    book.losing_days = np.array([0, 0, 12, 0, 0, 3], dtype=np.int64)
    staying = [crew for crew in model.crews if crew.crew_id in (0, 4, 5)]
    tools = {crew.crew_id: crew.tools.copy() for crew in staying}
    book.remove(book.leaving())
    assert book.ids.tolist() == [0, 4, 5] and model.crews == staying
    assert set(model.agents_by_type[type(staying[0])]) == set(staying)
    for crew in staying:
        assert np.array_equal(crew.tools, tools[crew.crew_id])
    staying[1].budget = 42
    assert book.budget.tolist() == [5, 42, 11]


def test_a_crew_short_of_its_aspiration_on_a_vector_searches_there_within_its_budget():
    """Problemistic search: revenue lost on one vector buys R&D for that vector's tool."""
    _, book, _ = random_book(0, crews=3, search_share=0.5, aspiration_days=1000)
    book.rd_return[:] = 0.0
    book.attempts[:] = 0.0  # no profit-funded R&D direction: only search moves tools
    book.cost_today[:] = 10**9  # a loss today: profit-funded R&D stops
    book.budget[:] = [10**12, 10**12, 1_000]
    book.revenue_ema[:] = 1e7
    book.aspiration[:] = 1e7
    book.aspiration[:, 5] = 3e7  # short by about 2e7 on social engineering
    before = book.tools.copy()
    book.settle(np.zeros(book.attempts.shape))
    gain = book.tools / before - 1.0
    # Every vector's revenue fell to 0 today (the smoothed revenue by 1/30): all search,
    # most where the shortfall is largest.
    assert (gain[:2] > 0).all() and (gain[:2, 5:] > 10 * gain[:2, :5]).all()
    shortfall = book.aspiration[0] - book.revenue_ema[0]
    np.testing.assert_allclose(gain[0], 0.5 * shortfall * book.config.rd_step
                               / book.config.rd_cost, rtol=1e-12)
    assert book.budget[2] < 0 and not gain[2].any()  # nothing left to search with
    _, idle, _ = random_book(0, crews=3, aspiration_days=1000)  # search_share 0: no search
    idle.rd_return[:] = 0.0
    idle.attempts[:] = 0.0
    idle.cost_today[:] = 10**9
    before = idle.tools.copy()
    idle.settle(np.zeros(idle.attempts.shape))
    np.testing.assert_array_equal(idle.tools, before)


@pytest.mark.parametrize("cost_today", [0, 5_000])
def test_search_capped_by_the_budget_keeps_todays_attempt_cost_so_the_crew_stays(cost_today):
    """A crew whose shortfall exceeds its budget searches with all but a reserve."""
    _, book, _ = random_book(0, crews=2, search_share=1.0, aspiration_days=1000)
    book.rd_return[:] = 0.0
    book.attempts[:] = 0.0
    book.cost_today[:] = cost_today
    book.budget[:] = [cost_today + 40_000, cost_today + 1]  # after today's revenue of 0
    book.budget += cost_today  # settle books today's cost first
    book.revenue_ema[:] = 1e7
    book.aspiration[:] = 1e9  # a shortfall of about 1e9 per vector: far over the budget
    before = book.tools.copy()
    book.settle(np.zeros(book.attempts.shape))
    reserve = max(cost_today, 1)
    # All the rest went into search (the floor of a float sum may leave one unit).
    assert ((book.budget >= reserve) & (book.budget <= reserve + 1)).all()
    assert (book.tools[0] > before[0]).all()  # the crew with money to spare searched
    assert not book.leaving().any()


@pytest.mark.parametrize("crews", [1, 2, 9, 40, 100])
def test_means_over_crews_equal_numpys_bit_for_bit(crews):
    _, book, rng = random_book(crews, crews=crews)
    book.skill = rng.uniform(0.5, 2.0, book.skill.shape)
    assert np.array_equal(book.mean_quality(), (book.tools * book.skill).mean(axis=0))
    assert book.mean_profit(default=0.0) == float(book.profit_ema.sum() / crews)


@pytest.mark.parametrize("seed", range(4))
def test_market_learning_equals_the_array_formula_bit_for_bit(seed):
    rng = np.random.default_rng(seed)
    market = MarketIntel(rng.uniform(0.0, 1e5, (2, 6)), float(rng.uniform(0.01, 0.5)))
    revenue, expected = market.revenue.copy(), market.expected.copy()
    for _ in range(10):
        day_revenue = rng.uniform(0.0, 1e5, (2, 6))
        day_expected = rng.uniform(0.0, 10.0, (2, 6)) * (rng.uniform(size=(2, 6)) < 0.5)
        revenue += market.learning_rate * (day_revenue - revenue)
        expected += market.learning_rate * (day_expected - expected)
        np.maximum(expected, 1e-9, out=expected)
        market.learn(day_revenue, day_expected)
        assert np.array_equal(market.revenue, revenue)
        assert np.array_equal(market.expected, expected)
