"""Fraud crews: allocation by realised returns, tool R&D and diffusion, entry and exit.

Crews are mesa agents (``AttackerAgent``) whose state lives in one ``CrewBook``: arrays
with a row per active crew, in id order, so that the day's work on crews (diffusion,
planning, pooling, sharing revenue, books and R&D, exit) is a few array operations or one
compiled loop instead of a Python loop over crews. Each day a crew spreads its attempts
over (platform, vector) by expected profit (its own tool quality against the defence,
times what the market has learned a success is worth, ``MarketIntel``); the model pools
the attempts of all crews (``pool_attempts``), the user kernel resolves them, and the
revenue of each (platform, vector) returns to crews in proportion to their expected
successes (``share_revenue``): the ledger pays out the sample's proceeds, while crews'
books and ``MarketIntel`` take the successes' expected proceeds (``expected_proceeds``),
as a national market of crews earns the expectation of heavy-tailed amounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np
from numba import njit

from simfraud.core.draws import D_DIFFUSE, D_PEER, D_RELEASE, STREAM_ATTACKER
from simfraud.core.rng import uniforms
from simfraud.core.sums import numpy_sum
from simfraud.core.vectors import VECTORS
from simfraud.scenario.schema import Attackers


@dataclass
class Release:
    """A public tool spreading through the crews (Bass diffusion)."""

    vector: int
    quality: float
    innovation: float
    imitation: float
    adopters: set[int]


class MarketIntel:
    """What crews know of each (platform, vector): revenue per expected first-layer success.

    Crews share what works (fraud forums, tool vendors). The estimate is a ratio of
    exponential moving averages of revenue (the successes' expected proceeds,
    ``expected_proceeds``) and of expected first-layer successes, so it folds in
    everything after the first layer (step-up, monitoring, the pool of targets, amounts)
    and stays stable when single frauds are rare and large.
    """

    def __init__(self, prior: np.ndarray, learning_rate: float):
        self.learning_rate = learning_rate
        self.revenue = prior.astype(np.float64).copy()
        self.expected = np.ones_like(self.revenue)

    def value(self) -> np.ndarray:
        """Revenue per expected first-layer success, per (platform, vector)."""
        return self.revenue / self.expected

    def learn(self, revenue: np.ndarray, expected_successes: np.ndarray) -> None:
        """Update with one day's revenue and expected first-layer successes.

        Args:
            revenue: Revenue per (platform, vector), reference-population units.
            expected_successes: Sum over crews of attempts x first-layer success.
        """
        _learn_value(self.revenue, self.expected, revenue, expected_successes,
                     self.learning_rate)


@njit(cache=True)
def _learn_value(revenue: np.ndarray, expected: np.ndarray, day_revenue: np.ndarray,
                 day_expected: np.ndarray, rate: float) -> None:
    """``MarketIntel.learn`` cell by cell, in place (``np.maximum``'s floor: NaN stays NaN)."""
    for p in range(revenue.shape[0]):
        for v in range(revenue.shape[1]):
            revenue[p, v] += rate * (day_revenue[p, v] - revenue[p, v])
            expected[p, v] += rate * (day_expected[p, v] - expected[p, v])
            if expected[p, v] < 1e-9:
                expected[p, v] = 1e-9


_ROWS = ("ids", "budget", "tools", "skill", "attempts", "success", "rd_return", "profit_ema",
         "losing_days", "cost_today", "revenue_ema", "aspiration")
"""The ``CrewBook`` arrays with one row per crew."""


class CrewBook:
    """Every active crew's state, one row per crew in id (entry) order.

    Attributes:
        config: The ``attackers`` block in force (every crew follows it).
        agents: The crews' mesa agents, in row order.
        ids: Each crew's ``crew_id``: its number in order of entry (its random-number
            entity; unlike ``unique_id`` it does not depend on how many other agents exist).
        budget: Money available for attempts (int64, minor units at the reference
            population).
        tools: ``(crews, vectors)`` quality of each crew's tools: raised by R&D, copied from
            other crews, replaced by better public releases.
        skill: ``(crews, vectors)`` each crew's own skill (fixed): crews specialise.
        attempts: ``(crews, platforms, vectors)`` today's attempts at the reference
            population.
        success: ``(crews, platforms, vectors)`` today's first-layer success probability.
        rd_return: ``(crews, vectors)`` marginal revenue of better tools (where R&D goes).
        reference: Tool quality per vector on day 0 (``initial_tool_quality`` when the
            book was made): R&D beyond it meets diminishing returns.
        profit_ema: Smoothed daily profit.
        losing_days: Consecutive days with ``profit_ema`` below 0.
        cost_today: Today's spend on attempts (int64).
        revenue_ema: ``(crews, vectors)`` smoothed daily revenue per vector (window
            ``profit_smoothing_days``).
        aspiration: ``(crews, vectors)`` the revenue a crew aspires to per vector: a slow
            moving average of ``revenue_ema`` (window ``aspiration_days``).
    """

    def __init__(self, config: Attackers, shape: tuple[int, int]):
        n_vectors = shape[1]
        self.config = config
        self.reference = initial_tools(config)
        self.agents: list[AttackerAgent] = []
        self.ids = np.zeros(0, dtype=np.int64)
        self.budget = np.zeros(0, dtype=np.int64)
        self.tools = np.zeros((0, n_vectors))
        self.skill = np.zeros((0, n_vectors))
        self.attempts = np.zeros((0, *shape))
        self.success = np.zeros((0, *shape))
        self.rd_return = np.zeros((0, n_vectors))
        self.profit_ema = np.zeros(0)
        self.losing_days = np.zeros(0, dtype=np.int64)
        self.cost_today = np.zeros(0, dtype=np.int64)
        self.revenue_ema = np.zeros((0, n_vectors))
        self.aspiration = np.zeros((0, n_vectors))

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, model: mesa.Model, crew_ids: range, tools: np.ndarray,
            skill: np.ndarray) -> None:
        """New crews, each with its budget (``crew_budget``), tools and skill, and no history.

        The book's arrays grow once for all of them (a crew at a time, the 120 initial crews
        of a 10,000-user run took 7 ms of its 9 ms of set-up).

        Args:
            model: The model the crews' agents belong to.
            crew_ids: The crews' numbers in order of entry (larger than any in the book).
            tools: ``(vectors,)`` tool quality of every new crew.
            skill: ``(len(crew_ids), vectors)`` skill of each.
        """
        count = len(crew_ids)
        new = {"ids": np.asarray(crew_ids), "budget": self.config.crew_budget,
               "tools": tools, "skill": skill, "attempts": 0.0, "success": 0.0,
               "rd_return": 0.0, "profit_ema": 0.0, "losing_days": 0, "cost_today": 0,
               "revenue_ema": 0.0, "aspiration": 0.0}
        for name, value in new.items():
            rows = getattr(self, name)
            block = np.empty((count, *rows.shape[1:]), dtype=rows.dtype)
            block[...] = value
            setattr(self, name, np.concatenate([rows, block]))
        self.agents += [AttackerAgent(model, self, crew_id) for crew_id in crew_ids]

    def remove(self, leaving: np.ndarray) -> None:
        """Take the crews marked in ``leaving`` (one flag per row) out of the book and model."""
        if not np.count_nonzero(leaving):
            return
        for agent, gone in zip(self.agents, leaving.tolist(), strict=True):
            if gone:
                agent.remove()
        self.agents = [a for a, gone in zip(self.agents, leaving.tolist(), strict=True)
                       if not gone]
        staying = ~leaving
        for name in _ROWS:
            setattr(self, name, getattr(self, name)[staying])

    def row(self, crew_id: int) -> int:
        """The row of an active crew."""
        row = int(np.searchsorted(self.ids, crew_id))
        if row == len(self.ids) or self.ids[row] != crew_id:
            raise LookupError(f"crew {crew_id} is not active")
        return row

    def quality(self) -> np.ndarray:
        """Effective quality per (crew, vector) in the contest: tools times skill."""
        return self.tools * self.skill

    def mean_quality(self) -> np.ndarray:
        """Mean effective tool quality per vector over active crews (NaN when there are none)."""
        if not len(self):
            return np.full(len(VECTORS), np.nan)
        return _mean_quality(self.tools, self.skill)

    def mean_profit(self, default: float) -> float:
        """Mean ``profit_ema`` over active crews (``default`` when there are none)."""
        return _mean(self.profit_ema) if len(self) else default

    def leaving(self) -> np.ndarray:
        """Per crew, whether it leaves (adaptive crews only): broke, or losing money too long."""
        if not self.config.adaptive:
            return np.zeros(len(self), dtype=bool)
        return (self.budget <= 0) | (self.losing_days >= self.config.exit_patience_days)

    def settle(self, revenue: np.ndarray) -> None:
        """Book today's revenue and invest part of a profit in tools.

        R&D goes where it pays most at the margin (``rd_return``: the defence that binds),
        not where the crew already attacks; with no return anywhere, in proportion to
        today's attempts. With ``search_share`` above 0 a crew also searches where it
        falls short: it spends that share of the revenue it misses on each vector (its
        ``aspiration`` there minus its ``revenue_ema``) on that vector's tool, on days
        with or without profit, from the budget beyond a reserve of today's attempt cost
        (at least 1), so a crew never searches itself out of business. A tool ahead of
        its vector's day-0 quality (``reference``) gains less per unit of R&D
        (``rd_diminishing``); the factor is numpy's power, taken before the compiled books
        (a compiled loop's could differ in the last bit), which change each tool only
        after its own factor is used. Every crew's books follow the same operations in the
        same order as one crew's alone would (the sums are per row), so the bits do not
        depend on how many crews there are.

        Args:
            revenue: ``(crews, platforms, vectors)`` revenue credited to each crew, in
                minor units at the reference population (the crews' books are scale-free).
        """
        cfg = self.config
        slowed = np.ones_like(self.tools)
        if cfg.rd_diminishing > 0:
            ahead = (self.reference > 0) & (self.tools > self.reference)
            lead = self.tools / np.where(self.reference > 0, self.reference, 1.0)
            slowed[ahead] = np.power(lead[ahead], -cfg.rd_diminishing)
        _books(np.ascontiguousarray(revenue, dtype=np.float64), self.cost_today, self.budget,
               self.profit_ema, self.losing_days, self.rd_return, self.attempts, self.tools,
               self.revenue_ema, self.aspiration, 1.0 / cfg.profit_smoothing_days,
               1.0 / cfg.aspiration_days, cfg.adaptive, cfg.rd_share, cfg.search_share,
               cfg.rd_step, cfg.rd_cost * cfg.crew_size, slowed)

    def diffuse(self, day: int, releases: list[Release], seed: int,
                spread_factor: float = 1.0) -> None:
        """Crews, one by one in id order, copy a peer's better tools and adopt releases.

        Peers are copied by adaptive crews only (skill is the crew's own and is not
        copied); a crew may copy a peer that already updated today. Adoptions are added to
        each release's ``adopters``.

        Args:
            day: Current day.
            releases: Public tool releases so far.
            seed: Replicate seed.
            spread_factor: Multiplier of the releases' innovation and imitation (content
                moderation in force: 1 - its reduction).
        """
        if not len(self):
            return
        ids = self.ids.tolist()
        adopted = np.zeros((len(ids), len(releases)), dtype=np.bool_)
        for k, release in enumerate(releases):
            adopted[:, k] = [i in release.adopters for i in ids]
        bass = np.array([[r.quality, r.innovation, r.imitation] for r in releases],
                        dtype=np.float64).reshape(len(releases), 3)
        vector = np.array([r.vector for r in releases], dtype=np.int64)
        _diffuse(np.uint64(seed), np.int64(day), self.ids, self.tools, adopted, vector, bass,
                 self.config.adaptive and len(ids) > 1, self.config.diffusion_rate,
                 spread_factor)
        for k, release in enumerate(releases):
            release.adopters.update(self.ids[adopted[:, k]].tolist())


@njit(cache=True)
def _mean_quality(tools: np.ndarray, skill: np.ndarray) -> np.ndarray:
    """``(tools * skill).mean(axis=0)`` as numpy takes it: crew after crew, over the count."""
    n_crews, n_vectors = tools.shape
    total = tools[0] * skill[0]
    for c in range(1, n_crews):
        for v in range(n_vectors):
            total[v] += tools[c, v] * skill[c, v]
    return total / n_crews


@njit(cache=True)
def _mean(values: np.ndarray) -> float:
    """``values.sum() / len(values)`` (numpy's pairwise sum) of a non-empty array."""
    return numpy_sum(values) / values.shape[0]


@njit(cache=True)
def _books(revenue: np.ndarray, cost_today: np.ndarray, budget: np.ndarray,
           profit_ema: np.ndarray, losing_days: np.ndarray, rd_return: np.ndarray,
           attempts: np.ndarray, tools: np.ndarray, revenue_ema: np.ndarray,
           aspiration: np.ndarray, smoothing: float, aspiring: float, adaptive: bool,
           rd_share: float, search_share: float, rd_step: float, rd_cost: float,
           slowed: np.ndarray) -> None:
    """``CrewBook.settle`` crew by crew: the book's arrays are updated in place.

    ``smoothing`` is ``1 / profit_smoothing_days``, ``aspiring`` ``1 / aspiration_days``;
    sums are numpy's (over a crew's cells or vectors pairwise, over platforms one after
    the other). ``slowed`` is the share of the full R&D step each ``(crew, vector)`` gains
    (1 unless diminishing returns apply).
    """
    n_crews, n_platforms, n_vectors = revenue.shape
    by_vector = np.empty(n_vectors)
    search = np.empty(n_vectors)
    for c in range(n_crews):
        profit = np.int64(np.rint(numpy_sum(revenue[c].ravel()))) - cost_today[c]
        budget[c] += profit
        profit_ema[c] += smoothing * (profit - profit_ema[c])
        losing_days[c] = losing_days[c] + 1 if profit_ema[c] < 0 else 0
        for v in range(n_vectors):
            earned = revenue[c, 0, v]
            for p in range(1, n_platforms):
                earned += revenue[c, p, v]
            revenue_ema[c, v] += smoothing * (earned - revenue_ema[c, v])
            aspiration[c, v] += aspiring * (revenue_ema[c, v] - aspiration[c, v])
            search[v] = search_share * max(aspiration[c, v] - revenue_ema[c, v], 0.0)
        searching = numpy_sum(search)
        if not adaptive or (profit <= 0 and searching <= 0):
            continue
        if profit > 0:
            _rd_split(c, rd_return, attempts, by_vector)
            invest = rd_share * profit * by_vector
        else:
            invest = np.zeros(n_vectors)
        if searching > 0:  # within the budget, keeping today's attempt cost (at least 1)
            available = budget[c] - np.floor(numpy_sum(invest)) - max(cost_today[c], 1)
            if searching > available:
                search *= max(available, 0.0) / searching
            invest += search
        _invest(invest, c, budget, tools, rd_step, rd_cost, slowed)


@njit(cache=True, inline="always")
def _rd_split(c: int, rd_return: np.ndarray, attempts: np.ndarray,
              by_vector: np.ndarray) -> None:
    """Crew ``c``'s R&D shares per vector, written into ``by_vector``.

    By marginal return, else by today's attempts (all 0 when the crew has neither).
    """
    n_platforms, n_vectors = attempts.shape[1:]
    if numpy_sum(rd_return[c]) > 0:
        by_vector[:] = rd_return[c]
    else:
        for v in range(n_vectors):
            by_vector[v] = attempts[c, 0, v]
            for p in range(1, n_platforms):
                by_vector[v] += attempts[c, p, v]
    total = numpy_sum(by_vector)
    if total > 0:
        by_vector /= total


@njit(cache=True, inline="always")
def _invest(invest: np.ndarray, c: int, budget: np.ndarray, tools: np.ndarray,
            rd_step: float, rd_cost: float, slowed: np.ndarray) -> None:
    """Crew ``c`` spends ``invest`` (per vector) on R&D: its budget pays, its tools gain."""
    budget[c] -= np.int64(np.floor(numpy_sum(invest)))
    for v in range(invest.shape[0]):
        gain = rd_step * invest[v] / rd_cost
        if slowed[c, v] != 1.0:
            gain *= slowed[c, v]
        tools[c, v] *= 1.0 + gain


@njit(cache=True)
def _diffuse(seed: np.uint64, day: np.int64, ids: np.ndarray, tools: np.ndarray,
             adopted: np.ndarray, vector: np.ndarray, bass: np.ndarray, copies: bool,
             diffusion_rate: float, spread_factor: float) -> None:
    """``CrewBook.diffuse`` crew by crew: ``tools`` and ``adopted`` are updated in place.

    ``adopted`` is ``(crews, releases)``; ``bass`` holds each release's quality,
    innovation and imitation. A release's adopted share counts active crews only.
    """
    n_crews, n_releases = adopted.shape
    n = max(n_crews, 1)
    adopters = np.zeros(n_releases, dtype=np.int64)
    for c in range(n_crews):
        for k in range(n_releases):
            adopters[k] += adopted[c, k]
    for c in range(n_crews):
        u = uniforms(seed, STREAM_ATTACKER, day, ids[c], D_RELEASE + n_releases)
        if copies and u[D_DIFFUSE] < diffusion_rate:
            peer = int(u[D_PEER] * n_crews)
            for v in range(tools.shape[1]):
                tools[c, v] = max(tools[c, v], tools[peer, v])
        for k in range(n_releases):
            if adopted[c, k]:
                continue
            hazard = bass[k, 1] + bass[k, 2] * (adopters[k] / n)
            if u[D_RELEASE + k] < spread_factor * hazard:
                adopted[c, k] = True
                adopters[k] += 1
                tools[c, vector[k]] = max(tools[c, vector[k]], bass[k, 0])


class _Row:
    """A crew's attribute that is its row of one of the ``CrewBook`` arrays."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, crew: AttackerAgent | None, owner: type | None = None):
        if crew is None:
            return self
        value = getattr(crew.book, self.name)[crew.book.row(crew.crew_id)]
        return value.item() if np.ndim(value) == 0 else value

    def __set__(self, crew: AttackerAgent, value) -> None:
        getattr(crew.book, self.name)[crew.book.row(crew.crew_id)] = value


class AttackerAgent(mesa.Agent):
    """A fraud crew: a mesa agent whose state is its row of the model's ``CrewBook``.

    Attributes:
        book: The book holding the crew's state.
        crew_id: Number of the crew in order of entry (its random-number entity).
        budget: Money available for attempts (minor units at the reference population).
        tools: Quality of the crew's tools per vector.
        skill: The crew's own skill per vector (fixed).
        attempts: Today's attempts per (platform, vector) at the reference population.
        success: Today's first-layer success probability per (platform, vector).
        rd_return: Marginal revenue of better tools per vector (where R&D goes).
        profit_ema: Smoothed daily profit.
        losing_days: Consecutive days with ``profit_ema`` below 0.
        cost_today: Today's spend on attempts.
        revenue_ema: Smoothed daily revenue per vector.
        aspiration: The revenue the crew aspires to per vector (problemistic search).
    """

    budget = _Row()
    tools = _Row()
    skill = _Row()
    attempts = _Row()
    success = _Row()
    rd_return = _Row()
    profit_ema = _Row()
    losing_days = _Row()
    cost_today = _Row()
    revenue_ema = _Row()
    aspiration = _Row()

    def __init__(self, model: mesa.Model, book: CrewBook, crew_id: int):
        super().__init__(model)
        self.book = book
        self.crew_id = crew_id

    @property
    def config(self) -> Attackers:
        """The ``attackers`` block in force."""
        return self.book.config

    @property
    def quality(self) -> np.ndarray:
        """Effective quality per vector in the contest: tools times skill."""
        return self.tools * self.skill


def initial_tools(config: Attackers) -> np.ndarray:
    """Tool quality per vector on day 0, from the scenario."""
    return np.array([getattr(config.initial_tool_quality, v) for v in VECTORS])


def plan_crews(crews: CrewBook, reach: np.ndarray, cost: np.ndarray,
               strength: np.ndarray, decisiveness: float, value: np.ndarray) -> None:
    """Each crew spreads today's effort over (platform, vector) by expected profit.

    ``reach`` is how many attempts a crew makes on a (platform, vector) if it puts all
    its effort there: a fixed number of scam contacts for social engineering, a share of
    the stolen faces or credentials available for the other vectors (so a breach raises
    what crews can do). Expected revenue of an attempt is the crew's own first-layer
    success (its tool against the defence) times what the market has learned a success
    is worth. Attempts, costs and budgets are stated at the reference population; the
    model scales pooled attempts to the simulated one. All crews are planned in one set
    of array operations (crew x platform x vector): the book's ``attempts``,
    ``success``, ``rd_return`` and ``cost_today`` are set.

    ``rd_return`` is the marginal revenue of a better tool per vector: reach times value
    times ``d success / d log quality = r s (1 - s)`` (Tullock), summed over platforms. It
    is largest against the defence that binds: one strong enough to stop many attempts
    but not so strong that better tools barely help.

    Args:
        crews: The active crews.
        reach: Attempts per (platform, vector) at full effort.
        cost: Cost of one attempt per vector.
        strength: First-layer defence strength per (platform, vector).
        decisiveness: Contest decisiveness.
        value: Market revenue per first-layer success per (platform, vector).
    """
    if not len(crews):
        return
    cfg = crews.config
    # numpy's power and exp (a compiled loop's could differ in the last bit) around two
    # compiled passes over (crew, platform, vector) that sum in numpy's order
    success, exponent = _contest(np.power(crews.quality(), decisiveness),
                                 np.power(strength, decisiveness), strength, reach, value,
                                 cost, cfg.choice_sharpness)
    crews.attempts, crews.cost_today, crews.rd_return = _allocate(
        np.exp(exponent), success, reach, value, cost,
        np.maximum(crews.budget, 0).astype(np.float64), decisiveness,
        1.0 - cfg.exploration, cfg.exploration / reach.size)
    crews.success = success


@njit(cache=True)
def _contest(quality_r: np.ndarray, strength_r: np.ndarray, strength: np.ndarray,
             reach: np.ndarray, value: np.ndarray, cost: np.ndarray,
             sharpness: float) -> tuple[np.ndarray, np.ndarray]:
    """``plan_crews`` up to its choice weights: each crew's success and weights' exponent.

    Success is ``tullock`` from the powers ``q^r`` (``quality_r``, per crew and vector)
    and ``d^r`` (``strength_r``); the exponent is ``sharpness (profit - max profit) /
    scale`` per crew, ``scale`` its largest absolute profit (at least 1).
    """
    n_crews, n_vectors = quality_r.shape
    n_platforms = strength.shape[0]
    success = np.empty((n_crews, n_platforms, n_vectors))
    exponent = np.empty((n_crews, n_platforms, n_vectors))
    for c in range(n_crews):
        top, largest = -np.inf, 0.0
        for p in range(n_platforms):
            for v in range(n_vectors):
                total = quality_r[c, v] + strength_r[p, v]
                s = 1.0 if strength[p, v] <= 0 else (quality_r[c, v] / total if total > 0
                                                      else 0.0)
                profit = reach[p, v] * (s * value[p, v] - cost[v])
                success[c, p, v] = s
                exponent[c, p, v] = profit
                top = max(top, profit)
                largest = max(largest, abs(profit))
        scale = max(largest, 1.0)
        for p in range(n_platforms):
            for v in range(n_vectors):
                exponent[c, p, v] = sharpness * (exponent[c, p, v] - top) / scale
    return success, exponent


@njit(cache=True)
def _allocate(weights: np.ndarray, success: np.ndarray, reach: np.ndarray, value: np.ndarray,
              cost: np.ndarray, budget: np.ndarray, decisiveness: float, keep: float,
              explore: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``plan_crews`` from the choice weights (``exp`` of ``_contest``'s exponent).

    Each crew's weights are normalised and mixed with exploration (``keep`` = 1 -
    exploration, ``explore`` = exploration per cell), its attempts scaled down to its
    budget; its day's cost is rounded down; R&D's return is summed over platforms.

    Returns:
        ``(attempts, cost_today, rd_return)``.
    """
    n_crews, n_platforms, n_vectors = weights.shape
    attempts = np.empty_like(weights)
    cost_today = np.empty(n_crews, dtype=np.int64)
    rd_return = np.zeros((n_crews, n_vectors))
    spent = np.empty((n_platforms, n_vectors))  # one crew's attempts x cost, cell by cell
    for c in range(n_crews):
        total = numpy_sum(weights[c].ravel())
        for p in range(n_platforms):
            for v in range(n_vectors):
                attempts[c, p, v] = reach[p, v] * (keep * weights[c, p, v] / total + explore)
                spent[p, v] = attempts[c, p, v] * cost[v]
        spend = numpy_sum(spent.ravel())
        if spend > budget[c]:
            ratio = budget[c] / spend
            for p in range(n_platforms):
                for v in range(n_vectors):
                    attempts[c, p, v] *= ratio
                    spent[p, v] = attempts[c, p, v] * cost[v]
            spend = numpy_sum(spent.ravel())
        cost_today[c] = np.int64(np.floor(spend))
        for p in range(n_platforms):  # numpy's sum over platforms: one after the other
            for v in range(n_vectors):
                s = success[c, p, v]
                term = reach[p, v] * value[p, v] * decisiveness * s * (1.0 - s)
                rd_return[c, v] = term if p == 0 else rd_return[c, v] + term
    return attempts, cost_today, rd_return


def pool_attempts(crews: CrewBook, shape: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Total attempts and attempt-weighted first-layer success per (platform, vector).

    Args:
        crews: The active crews.
        shape: ``(n_platforms, n_vectors)``.

    Returns:
        ``(attempts, success)``: pooled attempts and their mean success probability.
    """
    if not len(crews):
        return np.zeros(shape), np.zeros(shape)
    return _pool(crews.attempts, crews.success)


@njit(cache=True)
def _pool(attempts: np.ndarray, success: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``pool_attempts`` over ``(crews, platforms, vectors)``: sums crew after crew."""
    n_crews, n_platforms, n_vectors = attempts.shape
    pooled = np.zeros((n_platforms, n_vectors))
    mean_success = np.zeros((n_platforms, n_vectors))
    for p in range(n_platforms):
        for v in range(n_vectors):
            expected = 0.0
            for c in range(n_crews):
                pooled[p, v] += attempts[c, p, v]
                expected += attempts[c, p, v] * success[c, p, v]
            if pooled[p, v] > 0:
                mean_success[p, v] = expected / pooled[p, v]
    return pooled, mean_success


def expected_proceeds(expected_loss: np.ndarray, recovery_bps: int) -> np.ndarray:
    """What crews earn in expectation per (platform, vector), in integer minor units.

    The successes' expected amounts (``users.attacks.expected_amount``) less the share
    frozen at mule accounts, rounded down as each fraud's frozen share is.

    Args:
        expected_loss: Sum of the day's successes' expected amounts per (platform, vector).
        recovery_bps: Share of proceeds frozen at mule accounts, basis points.
    """
    expected_loss = np.asarray(expected_loss, dtype=np.int64)
    return expected_loss - expected_loss * np.int64(recovery_bps) // 10_000


def share_revenue(crews: CrewBook, revenue: np.ndarray) -> np.ndarray:
    """Split pooled revenue per (platform, vector) among crews, exactly, in integers.

    Each crew gets its share of expected successes, rounded down; the remainder of each
    cell goes to the crew with the largest share (lowest id on ties), so the parts add up
    to ``revenue`` exactly.

    Args:
        crews: The active crews, in id order.
        revenue: Pooled integer revenue per (platform, vector).

    Returns:
        ``(crews, platforms, vectors)`` integer parts.
    """
    return _shares(crews.attempts, crews.success, np.asarray(revenue, dtype=np.int64))


@njit(cache=True)
def _shares(attempts: np.ndarray, success: np.ndarray, revenue: np.ndarray) -> np.ndarray:
    """``share_revenue`` with weights ``attempts x success``, summed crew after crew."""
    parts = np.zeros(attempts.shape, dtype=np.int64)
    n_crews, n_platforms, n_vectors = attempts.shape
    for p in range(n_platforms):
        for v in range(n_vectors):
            total = 0.0
            top = 0
            for c in range(n_crews):
                total += attempts[c, p, v] * success[c, p, v]
                if attempts[c, p, v] * success[c, p, v] > attempts[top, p, v] * success[top, p, v]:
                    top = c
            paid = 0
            for c in range(n_crews):
                if total > 0:
                    share = attempts[c, p, v] * success[c, p, v] / total
                    parts[c, p, v] = np.int64(np.floor(share * np.float64(revenue[p, v])))
                paid += parts[c, p, v]
            if n_crews:
                parts[top, p, v] += revenue[p, v] - paid
    return parts
