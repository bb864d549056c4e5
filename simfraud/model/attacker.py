"""Fraud crews: allocation by realised returns, tool R&D and diffusion, entry and exit.

Crews are mesa agents. Each day a crew spreads its attempts over (platform, vector) by
expected profit (its own tool quality against the defence, times what the market has
learned a success is worth, ``MarketIntel``); the model pools the attempts of all crews
(``pool_attempts``), the user kernel resolves them, and the revenue of each (platform,
vector) returns to crews in proportion to their expected successes (``share_revenue``).
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from simfraud.core.draws import D_DIFFUSE, D_PEER, D_RELEASE, STREAM_ATTACKER
from simfraud.core.rng import uniforms
from simfraud.core.vectors import VECTORS
from simfraud.scenario.schema import Attackers
from simfraud.users.contest import tullock


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
    exponential moving averages of realised revenue and of expected first-layer successes,
    so it folds in everything after the first layer (step-up, monitoring, the pool of
    targets, amounts) and stays stable when single frauds are rare and large.
    """

    def __init__(self, prior: np.ndarray, learning_rate: float):
        self.learning_rate = learning_rate
        self.revenue = prior.astype(np.float64).copy()
        self.expected = np.ones_like(self.revenue)

    def value(self) -> np.ndarray:
        """Revenue per expected first-layer success, per (platform, vector)."""
        return self.revenue / self.expected

    def learn(self, revenue: np.ndarray, expected_successes: np.ndarray) -> None:
        """Update with one day's realised revenue and expected first-layer successes.

        Args:
            revenue: Realised revenue per (platform, vector), reference-population units.
            expected_successes: Sum over crews of attempts x first-layer success.
        """
        rate = self.learning_rate
        self.revenue += rate * (revenue - self.revenue)
        self.expected += rate * (expected_successes - self.expected)
        np.maximum(self.expected, 1e-9, out=self.expected)


class AttackerAgent(mesa.Agent):
    """A fraud crew.

    Attributes:
        crew_id: Number of the crew in order of entry (its random-number entity; unlike
            ``unique_id`` it does not depend on how many other agents exist).
        budget: Money available for attempts (minor units at the reference population).
        tools: Quality of the crew's tools per vector: raised by R&D, copied from other
            crews, replaced by better public releases.
        skill: The crew's own skill per vector (fixed): crews specialise.
        attempts: Today's attempts per (platform, vector) at the reference population.
        success: Today's first-layer success probability per (platform, vector).
        rd_return: Marginal revenue of better tools per vector (where R&D goes).
        profit_ema: Smoothed daily profit.
    """

    def __init__(self, model: mesa.Model, crew_id: int, config: Attackers,
                 tools: np.ndarray, skill: np.ndarray, shape: tuple[int, int]):
        super().__init__(model)
        self.crew_id = crew_id
        self.config = config
        self.budget = int(config.initial_budget)
        self.tools = tools.astype(np.float64).copy()
        self.skill = skill.astype(np.float64).copy()
        self.attempts = np.zeros(shape)
        self.success = np.zeros(shape)
        self.rd_return = np.zeros(shape[1])
        self.profit_ema = 0.0
        self.losing_days = 0
        self.cost_today = 0

    @property
    def quality(self) -> np.ndarray:
        """Effective quality per vector in the contest: tools times skill."""
        return self.tools * self.skill

    def settle(self, revenue: np.ndarray) -> None:
        """Book today's revenue and invest part of a profit in tools.

        R&D goes where it pays most at the margin (``rd_return``: the defence that binds),
        not where the crew already attacks; with no return anywhere, in proportion to
        today's attempts.

        Args:
            revenue: Revenue per (platform, vector) credited to this crew, in minor units at
                the reference population (the crew's own books are scale-free).
        """
        cfg = self.config
        profit = round(float(revenue.sum())) - self.cost_today
        self.budget += profit
        self.profit_ema += 1.0 / cfg.profit_smoothing_days * (profit - self.profit_ema)
        self.losing_days = self.losing_days + 1 if self.profit_ema < 0 else 0
        if cfg.adaptive and profit > 0:
            by_vector = self.rd_return if self.rd_return.sum() > 0 else self.attempts.sum(axis=0)
            share = by_vector / by_vector.sum() if by_vector.sum() > 0 else by_vector
            invest = cfg.rd_share * profit * share
            self.budget -= int(np.floor(invest.sum()))
            self.tools *= 1.0 + cfg.rd_step * invest / cfg.rd_cost

    def diffuse(self, day: int, crews: list[AttackerAgent], releases: list[Release],
                seed: int, spread_factor: float = 1.0) -> None:
        """Copy a peer's better tools (adaptive crews only) and adopt public releases.

        Skill is the crew's own and is not copied.

        Args:
            day: Current day.
            crews: Active crews (in id order).
            releases: Public tool releases so far.
            seed: Replicate seed.
            spread_factor: Multiplier of the releases' innovation and imitation (content
                moderation in force: 1 - its reduction).
        """
        u = uniforms(np.uint64(seed), STREAM_ATTACKER, day, self.crew_id,
                     D_RELEASE + len(releases))
        copies = self.config.adaptive and len(crews) > 1
        if copies and u[D_DIFFUSE] < self.config.diffusion_rate:
            peer = crews[int(u[D_PEER] * len(crews))]
            np.maximum(self.tools, peer.tools, out=self.tools)
        active = {crew.crew_id for crew in crews}
        n = max(len(crews), 1)
        for k, release in enumerate(releases):
            if self.crew_id in release.adopters:
                continue
            adopted_share = len(release.adopters & active) / n
            hazard = release.innovation + release.imitation * adopted_share
            if u[D_RELEASE + k] < spread_factor * hazard:
                release.adopters.add(self.crew_id)
                self.tools[release.vector] = max(self.tools[release.vector], release.quality)

    def should_exit(self) -> bool:
        """Whether the crew leaves the market (broke, or losing money for too long)."""
        if not self.config.adaptive:
            return False
        return self.budget <= 0 or self.losing_days >= self.config.exit_patience_days


def mean_quality(crews: list[AttackerAgent]) -> np.ndarray:
    """Mean effective tool quality per vector over active crews (NaN when there are none)."""
    if not crews:
        return np.full(len(VECTORS), np.nan)
    return np.mean([crew.quality for crew in crews], axis=0)


def initial_tools(config: Attackers) -> np.ndarray:
    """Tool quality per vector on day 0, from the scenario."""
    return np.array([getattr(config.initial_tool_quality, v) for v in VECTORS])


def plan_crews(crews: list[AttackerAgent], reach: np.ndarray, cost: np.ndarray,
               strength: np.ndarray, decisiveness: float, value: np.ndarray) -> None:
    """Each crew spreads today's effort over (platform, vector) by expected profit.

    ``reach`` is how many attempts a crew makes on a (platform, vector) if it puts all
    its effort there: a fixed number of scam contacts for social engineering, a share of
    the stolen faces or credentials available for the other vectors (so a breach raises
    what crews can do). Expected revenue of an attempt is the crew's own first-layer
    success (its tool against the defence) times what the market has learned a success
    is worth. Attempts, costs and budgets are stated at the reference population; the
    model scales pooled attempts to the simulated one. All crews are planned in one set
    of array operations (crew x platform x vector); each crew's ``attempts``,
    ``success``, ``rd_return`` and ``cost_today`` are set.

    ``rd_return`` is the marginal revenue of a better tool per vector: reach times value
    times ``d success / d log quality = r s (1 - s)`` (Tullock), summed over platforms. It
    is largest against the defence that binds: one strong enough to stop many attempts
    but not so strong that better tools barely help.

    Args:
        crews: Active crews.
        reach: Attempts per (platform, vector) at full effort.
        cost: Cost of one attempt per vector.
        strength: First-layer defence strength per (platform, vector).
        decisiveness: Contest decisiveness.
        value: Market revenue per first-layer success per (platform, vector).
    """
    if not crews:
        return
    cfg = crews[0].config
    quality = np.stack([crew.quality for crew in crews])[:, None, :]
    budget = np.array([max(crew.budget, 0) for crew in crews], dtype=np.float64)
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
    attempts[over] *= (budget[over] / spend[over])[:, None, None]
    cost_today = np.floor((attempts * cost[None, None, :]).sum(axis=cells))
    rd_return = (reach[None] * value[None] * decisiveness * success * (1.0 - success)).sum(axis=1)
    for k, crew in enumerate(crews):
        crew.success = success[k]
        crew.attempts = attempts[k]
        crew.rd_return = rd_return[k]
        crew.cost_today = int(cost_today[k])


def pool_attempts(crews: list[AttackerAgent], shape: tuple[int, int]) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    """Total attempts and attempt-weighted first-layer success per (platform, vector).

    Args:
        crews: Active crews.
        shape: ``(n_platforms, n_vectors)``.

    Returns:
        ``(attempts, success)``: pooled attempts and their mean success probability.
    """
    attempts = np.zeros(shape)
    expected = np.zeros(shape)
    for crew in crews:
        attempts += crew.attempts
        expected += crew.attempts * crew.success
    success = np.divide(expected, attempts, out=np.zeros(shape), where=attempts > 0)
    return attempts, success


def share_revenue(crews: list[AttackerAgent], revenue: np.ndarray) -> list[np.ndarray]:
    """Split pooled revenue per (platform, vector) among crews, exactly, in integers.

    Each crew gets its share of expected successes, rounded down; the remainder of each
    cell goes to the crew with the largest share (lowest id on ties), so the parts add up
    to ``revenue`` exactly.

    Args:
        crews: Active crews, in id order.
        revenue: Pooled integer revenue per (platform, vector).

    Returns:
        One integer array per crew.
    """
    if not crews:
        return []
    weight = np.stack([c.attempts * c.success for c in crews])
    total = weight.sum(axis=0)
    share = np.divide(weight, total[None], out=np.zeros_like(weight), where=total[None] > 0)
    parts = np.floor(share * revenue[None]).astype(np.int64)
    remainder = revenue - parts.sum(axis=0)
    top = np.argmax(weight, axis=0)
    rows, cols = np.indices(revenue.shape)
    parts[top, rows, cols] += remainder
    return list(parts)

