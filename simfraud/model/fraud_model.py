"""FraudModel: the day's phases, in order, and what each hands to the next."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import mesa
import numpy as np

from simfraud.core.draws import (
    CONTACTS_DAY,
    CREW_DAY,
    POPULATION_DAY,
    STREAM_ATTACKER,
    STREAM_ENTRY,
)
from simfraud.core.rng import day_key, uniform_at, uniforms
from simfraud.core.seeds import replicate_seed
from simfraud.core.sums import integer_sum
from simfraud.core.vectors import (
    AUTHORISED,
    N_BIOMETRIC,
    N_VECTORS,
    TARGET,
    TARGET_ANYONE,
    TARGET_CREDENTIALS,
    TARGET_FACE,
    VECTORS,
)
from simfraud.model.attacker import (
    AttackerAgent,
    CrewBook,
    MarketIntel,
    Release,
    expected_proceeds,
    initial_tools,
    plan_crews,
    pool_attempts,
    share_revenue,
)
from simfraud.model.ledger import DaySettlement, Ledger, receiving_liability
from simfraud.model.platform import PlatformAgent, PlatformDay
from simfraud.model.regulator import RegulatorAgent, Rules
from simfraud.outputs.collect import data_collector
from simfraud.outputs.day_values import day_values, vector_stats
from simfraud.outputs.recorder import MetricsRecorder
from simfraud.scenario.loader import apply_changes
from simfraud.scenario.schema import HarvestRule, Scenario
from simfraud.scenario.timeline import DayEvents, Timeline
from simfraud.users import counters as K
from simfraud.users.attacks import attack_constants, attack_inputs
from simfraud.users.attitudes import attitude_constants, attitude_inputs
from simfraud.users.authentication import authentication_constants, authentication_inputs
from simfraud.users.build import build_population
from simfraud.users.columns import CREDENTIALS_COMPROMISED, FACE_COMPROMISED, FACEPAY
from simfraud.users.compromise import (
    compromise_constants,
    compromise_inputs,
    face_harvest_share,
)
from simfraud.users.contest import tullock
from simfraud.users.day import DayContext, DayInputs
from simfraud.users.engines import AgentUsers, ColumnarUsers
from simfraud.users.network import network_inputs
from simfraud.users.payment import payment_inputs
from simfraud.users.refunds import refund_constants, refund_inputs, refund_prospect
from simfraud.users.transactions import sample_users

ENGINES = ("columnar", "agents")
_ANYONE = np.flatnonzero(TARGET == TARGET_ANYONE)
"""The vectors that can target anyone (a fixed number of scam contacts a day)."""


@dataclass(frozen=True)
class AttackPlan:
    """What the crews' phase hands to the users' phase, per (platform, vector).

    Attributes:
        attempts: Pooled attempts at the simulated population.
        success: Attempt-weighted first-layer success probability.
        expected_successes: Pooled attempts x success at the reference population.
        strength: First-layer defence strength per (platform, vector) the crews met (set
            by phase 3; the rest of the day does not change it).
    """

    attempts: np.ndarray
    success: np.ndarray
    expected_successes: np.ndarray
    strength: np.ndarray


class FraudModel(mesa.Model):
    """The payment-fraud arms race, one day per step.

    Phases hand over typed objects: ``events`` (``DayEvents``, phase 1), ``rules``
    (``Rules``, phase 2), ``plan`` and ``day_inputs`` (``AttackPlan``, ``DayInputs``,
    phase 4), ``totals`` (``UserTotals``, phase 5), ``settlement`` (``DaySettlement``,
    phase 6).

    Attributes:
        scenario: The scenario in force (rule changes replace it).
        day: Index of the next day to simulate.
        platforms: Platform agents in scenario order.
        regulator: The regulator agent.
        users: The user engine (columnar or agents).
        ledger: Cumulative money accounts.
        metrics: Daily series.
        phase_seconds: Wall time spent in each phase so far.
    """

    def __init__(self, scenario: Scenario, replicate: int = 0, engine: str = "columnar",
                 transaction_share: float = 0.0):
        if engine not in ENGINES:
            raise ValueError(f"unknown engine {engine!r} (allowed: {', '.join(ENGINES)})")
        self.seed_key = replicate_seed(scenario.seed, replicate)
        super().__init__(rng=self.seed_key)
        self.scenario = scenario
        self.replicate = replicate
        self.day = 0
        self.timeline = Timeline(scenario)
        self.phase_seconds: dict[str, float] = defaultdict(float)
        self.crews_entered = 0
        self.crew_book = CrewBook(scenario.attackers, (len(scenario.platforms), N_VECTORS))
        self._new_crews(scenario.attackers.initial_crews, initial_tools(scenario.attackers))
        self.market_quality = self._market_quality(initial_tools(scenario.attackers))
        self.platforms = [PlatformAgent(self, i, cfg, scenario.defences, self.market_quality)
                          for i, cfg in enumerate(scenario.platforms)]
        self.regulator = RegulatorAgent(self, scenario.regulator)
        self._build_users(scenario, engine, transaction_share)
        self.releases: list[Release] = []
        self.cost_multiplier = np.ones(N_VECTORS)
        self._inputs_scenario: Scenario | None = None  # what _scenario_inputs were built for
        self.daily_loss_per_user: list[float] = []
        self.crew_scale = self.n_users / scenario.population.reference_users
        self.market = MarketIntel(self._prior_value(), scenario.attackers.learning_rate)
        self.ledger = Ledger()
        self.metrics = MetricsRecorder(scenario.days, [p.name for p in scenario.platforms])
        self.datacollector = data_collector(self.metrics)  # for Mesa's tools (batch_run)

    def _build_users(self, scenario: Scenario, engine: str, transaction_share: float) -> None:
        """The initial population, its census, the contact network and the engine."""
        n_platforms = len(scenario.platforms)
        columns = build_population(scenario, self.seed_key)
        self.eligible = _census(columns, n_platforms)
        self.n_users = len(columns.platform)
        facepay = (columns.flags & FACEPAY) != 0
        for platform in self.platforms:
            platform.users = int(np.sum(columns.platform == platform.index))
            platform.facepay_users = int(np.sum(facepay & (columns.platform == platform.index)))
        self.contacts_key = int(day_key(np.uint64(self.seed_key), np.int64(CONTACTS_DAY)))
        self.sampled = np.zeros(0, dtype=np.uint8)
        if transaction_share > 0:
            population_key = np.uint64(day_key(np.uint64(self.seed_key), np.int64(POPULATION_DAY)))
            self.sampled = sample_users(population_key, self.n_users, transaction_share)
        self.transaction_days: list[np.ndarray] = []
        if engine == "columnar":
            self.users = ColumnarUsers(columns, n_platforms, self.sampled)
        else:
            self.users = AgentUsers(self, columns, n_platforms, self.sampled, self.contacts_key,
                                    scenario.population.contacts,
                                    scenario.population.contact_window)

    # -- the day ------------------------------------------------------------------------
    PHASES = (("1 timeline", "apply_timeline"), ("2 regulators", "regulate"),
              ("3 platforms", "adapt_platforms"), ("4 attackers", "plan_attacks"),
              ("5 users", "users_act"), ("6 ledger", "settle"), ("7 metrics", "record"))
    """The day's phases in order: the name their time is reported under, and the method."""

    def step(self) -> None:
        """One day, phase by phase (docs/brief.md, "One day, in order")."""
        _phases_together([self])

    @staticmethod
    def step_together(models: Sequence[FraudModel]) -> None:
        """One day of every model, each phase run for all of them before the next phase.

        Nothing is shared but the interpreter's warmth: each model keeps its own state and
        random numbers, so each ends the day as its own ``step`` would leave it, bit for bit
        (mesa's step counter included). Used to run replicates in batches
        (``model.replicates``).

        Args:
            models: Models on the same day.
        """
        for model in models:
            model.steps += 1  # what mesa's wrapper of ``step`` does before the day
        _phases_together(models)

    def _run_phase(self, name: str, phase: str) -> None:
        """Run one phase of today (a ``PHASES`` entry), adding its time to ``phase_seconds``."""
        start = time.perf_counter()
        getattr(self, phase)()
        self.phase_seconds[name] += time.perf_counter() - start

    def _end_day(self) -> None:
        """Close today once every phase has run."""
        self.day += 1
        self.running = self.day < self.scenario.days

    def apply_timeline(self) -> None:
        """Phase 1: scheduled events and policy changes."""
        self.events: DayEvents = self.timeline.events(self.day)
        for change in self.events.rule_changes:
            self.scenario = apply_changes(self.scenario, change.set)
            for platform, config in zip(self.platforms, self.scenario.platforms, strict=True):
                platform.configure(config, self.scenario.defences, changed=change.set)
            self.regulator.configure(self.scenario.regulator, self.day)
            self.market.learning_rate = self.scenario.attackers.learning_rate
            self.crew_book.config = self.scenario.attackers
        for release in self.events.releases:
            self.releases.append(Release(VECTORS.index(release.vector), release.quality,
                                         release.innovation, release.imitation, set()))
        for drop in self.events.cost_drops:
            for vector in drop.vectors:
                self.cost_multiplier[VECTORS.index(vector)] *= drop.factor

    def regulate(self) -> None:
        """Phase 2: the regulator looks at lagged indicators; rules come into force."""
        self.regulator.observe(self.day, self.daily_loss_per_user)
        self.rules: Rules = self.regulator.rules(self.day)

    def adapt_platforms(self) -> None:
        """Phase 3: upgrades go live, rules are complied with, investment decided."""
        self.market_quality = self._market_quality(self.market_quality)
        for platform in self.platforms:
            platform.adapt(self.day, self.rules.required_level, self.rules.required_injection,
                           self.market_quality, self.rules.review_days,
                           self.scenario.attackers.mule_recovery_share)

    def plan_attacks(self) -> None:
        """Phase 4: crews acquire tools and spread their attempts by expected profit."""
        att = self.scenario.attackers
        crews = self.crew_book
        crews.diffuse(self.day, self.releases, self.seed_key, self.rules.spread_factor)
        strength = np.array([p.primary_strength() for p in self.platforms])
        reach = att.exploitation * self.eligible / self.crew_scale
        reach[:, _ANYONE] = att.attempts_per_day
        reach *= att.crew_size
        plan_crews(crews, reach, self._attempt_cost(), strength,
                   self.scenario.defences.contest_decisiveness, self.market.value())
        attempts, success = pool_attempts(crews, strength.shape)
        self.plan = AttackPlan(attempts * self.crew_scale, success, attempts * success, strength)
        self.day_inputs = self._day_inputs()

    def _day_inputs(self) -> DayInputs:
        """Each stage of the user day gets its inputs from its own mechanism's builder.

        What depends on the scenario alone is built once per scenario
        (``_scenario_inputs``); the builders fill in the rest from today's state.
        """
        scenario, platforms, rules, events = self.scenario, self.platforms, self.rules, self.events
        built = self._scenario_inputs()
        authentication = authentication_inputs(scenario, platforms, self.plan.success,
                                               built["authentication"])
        return DayInputs(
            context=DayContext(
                key=np.uint64(day_key(np.uint64(self.seed_key), np.int64(self.day))),
                day=np.int64(self.day),
                sampled=self.sampled,
                **built["network"],
            ),
            payment=built["payment"],
            authentication=authentication,
            attacks=attack_inputs(scenario, self.plan.attempts, self.eligible,
                                  authentication.step_up_threshold, built["attacks"]),
            refunds=refund_inputs(scenario, platforms, rules.mandated, built["refunds"],
                                  self._refund_prospect(rules.mandated)),
            compromise=compromise_inputs(scenario, platforms, rules, events, len(self.crew_book),
                                         self._face_harvest_share(), built["compromise"]),
            attitudes=attitude_inputs(scenario, rules, events, self.regulator.backlash,
                                      platforms, built["attitudes"]),
        )

    def _refund_prospect(self, mandated: np.ndarray) -> np.ndarray:
        """``refund_prospect`` of the scenario in force, built once per mandate."""
        prospects = self._scenario_inputs()["prospects"]
        key = mandated.tobytes()
        if key not in prospects:
            prospects[key] = refund_prospect(self.scenario, self.platforms, mandated)
        return prospects[key]

    def _face_harvest_share(self) -> float:
        """Share of crews' harvesting effort on faces (``attackers.harvesting``).

        What a stolen face or credential would pass is the contest of crews' mean tools
        against today's defences, whether or not anyone can be attacked with it yet (the
        pooled pass of the plan is 0 where there are no targets).
        """
        if self.scenario.attackers.harvesting != HarvestRule.follows_value:
            return 0.5
        reachable = tullock(self.market_quality[None, :], self.plan.strength,
                            self.scenario.defences.contest_decisiveness)
        return face_harvest_share(reachable, self.market.value(),
                                  [p.users for p in self.platforms],
                                  [p.facepay_users for p in self.platforms])

    def users_act(self) -> None:
        """Phase 5: the user kernel (payments, attacks, refunds, behaviour)."""
        self.users.run_day(self.day_inputs)
        if len(self.sampled):
            self.transaction_days.append(self.users.day_log())
        self.totals = K.UserTotals.of(self.users.acc_int.sum(axis=0),
                                      self.users.acc_float.sum(axis=0), len(self.platforms))

    def settle(self) -> None:
        """Phase 6: split losses, pay crews, check the ledger; agents learn from the day."""
        pvs, per_platform = self.totals.pvs, self.totals.per_platform
        self.settlement = DaySettlement(
            loss=pvs[..., K.PV.loss],
            refunded_sending=pvs[..., K.PV.refund_sending],
            refunded_receiving=pvs[..., K.PV.refund_receiving],
            recovered=pvs[..., K.PV.recovered],
            user_loss=integer_sum(per_platform[:, K.P.user_loss]),
            user_refunds=integer_sum(per_platform[:, K.P.user_refund]),
        )
        shares = share_revenue(self.crew_book, self.settlement.loss - self.settlement.recovered)
        self.ledger.settle(self.day, self.settlement, shares, *self.users.population_totals())
        self.attack_cost = round(integer_sum(self.crew_book.cost_today) * self.crew_scale)
        # Crews book and learn what their successes are worth in expectation (a national
        # market's draws), not the sample's amounts (docs/decisions.md).
        earned = expected_proceeds(pvs[..., K.PV.expected_loss],
                                   self.day_inputs.refunds.recovery_bps)
        self.crew_book.settle(share_revenue(self.crew_book, earned) / self.crew_scale)
        if self.scenario.attackers.adaptive:
            self.market.learn(earned / self.crew_scale, self.plan.expected_successes)
        liability = receiving_liability(self.settlement.refunded_receiving,
                                        per_platform[:, K.P.users_next])
        for platform in self.platforms:
            platform.observe(_platform_day(pvs[platform.index], per_platform[platform.index],
                                           liability[platform.index]), self.rules)
        self.regulator.record_face_frauds(integer_sum(pvs[:, :N_BIOMETRIC, K.PV.successes]),
                                          self.n_users)
        self.daily_loss_per_user.append(float(self.settlement.stolen) / self.n_users)
        self.eligible = pvs[..., K.PV.eligible_next].astype(np.float64)
        self._entry_and_exit()

    def record(self) -> None:
        """Phase 7: store the day's metrics."""
        self.metrics.record(self.day, day_values(self), vector_stats(self.totals.pvs))

    # -- running --------------------------------------------------------------------------
    def run(self, days: int | None = None, on_day=None) -> None:
        """Simulate ``days`` days (default: the scenario's horizon).

        Args:
            days: Days to simulate.
            on_day: Optional callback called after each day (progress bars).
        """
        for _ in range(self.scenario.days if days is None else days):
            self.step()
            if on_day is not None:
                on_day()

    def release(self) -> None:
        """Let the model be garbage-collected once nothing else holds it.

        mesa 3.3 keeps every model that ever had an agent in ``mesa.Agent._ids`` for the
        life of the process (mesa issue 3179, fixed upstream after 3.3.1): about 1 MB per
        10,000-user year, so a worker running hundreds of runs kept them all. Call it
        when the model's results have been read; the model is not to be stepped again.
        """
        mesa.Agent._ids.pop(self, None)

    # -- helpers --------------------------------------------------------------------------
    @property
    def crews(self) -> list[AttackerAgent]:
        """Active crews in id order."""
        return list(self.crew_book.agents)

    def _market_quality(self, previous: np.ndarray) -> np.ndarray:
        """Crews' mean tool quality per vector (the previous value while no crew is active)."""
        return self.crew_book.mean_quality() if len(self.crew_book) else previous

    def _attempt_cost(self) -> np.ndarray:
        return self._scenario_inputs()["attempt_cost"] * self.cost_multiplier

    def _scenario_inputs(self) -> dict:
        """Daily inputs that depend on the scenario alone (rebuilt when a rule change replaces it).

        The platforms' blocks are the scenario's (``PlatformAgent.configure``).
        """
        if self._inputs_scenario is not self.scenario:
            scenario, platforms = self.scenario, self.platforms
            att = scenario.attackers
            authentication = authentication_constants(scenario, platforms)
            self._inputs = {
                "network": network_inputs(scenario, self.contacts_key),
                "payment": payment_inputs(scenario),
                "attempt_cost": np.array([getattr(att.attempt_cost, v) for v in VECTORS]),
                "authentication": authentication,
                "attacks": attack_constants(scenario, authentication.step_up_threshold),
                "refunds": refund_constants(scenario, platforms),
                "prospects": {},  # refund_prospect per mandate (Rules.mandated's bytes)
                "compromise": compromise_constants(scenario, platforms),
                "attitudes": attitude_constants(scenario),
            }
            self._inputs_scenario = scenario
        return self._inputs

    def _prior_value(self) -> np.ndarray:
        """What crews believe a first-layer success is worth before any experience."""
        att = self.scenario.attackers
        amounts = np.array([getattr(att.mean_fraud_amount, v) for v in VECTORS], dtype=float)
        detect = np.array([p.detect_probability() for p in self.platforms])
        prior = amounts[None, :] * (1.0 - detect) * (1.0 - att.mule_recovery_share)
        prior[:, AUTHORISED] *= att.prior_victim_fooled
        return prior

    def _new_crews(self, count: int, tools: np.ndarray) -> None:
        """``count`` crews enter with these tools, each with its skill from its own draws."""
        att = self.scenario.attackers
        ids = range(self.crews_entered, self.crews_entered + count)
        skill = np.zeros((count, N_VECTORS))
        for row, crew in enumerate(ids):  # one crew's draws at a time: the bits of one alone
            draws = uniforms(np.uint64(self.seed_key), STREAM_ATTACKER, CREW_DAY, crew, N_VECTORS)
            skill[row] = np.exp(att.skill_spread * np.sqrt(3.0) * (2.0 * draws - 1.0))
        self.crews_entered += count
        self.crew_book.add(self, ids, tools, skill)

    def _entry_and_exit(self) -> None:
        att = self.scenario.attackers
        if not att.adaptive:
            return
        crews = self.crew_book
        crews.remove(crews.leaving())
        if len(crews) >= att.max_crews:
            return
        threshold = att.entry_profit * att.crew_size
        mean_profit = crews.mean_profit(default=threshold + 1)
        if mean_profit <= threshold:
            return
        rate = att.entries_per_day  # whole crews for sure, one more with the remainder's chance
        whole = math.floor(rate)
        entering = whole + int(uniform_at(np.uint64(self.seed_key), STREAM_ENTRY, self.day, 0, 0)
                               < rate - whole)  # the day's draw (a pure function)
        if not entering:
            return
        tools = np.median(crews.tools, axis=0) if len(crews) else initial_tools(att)
        self._new_crews(min(entering, att.max_crews - len(crews)), tools)


def _phases_together(models: Sequence[FraudModel]) -> None:
    """Each phase of the day for every model in turn, then the day closed for each."""
    for name, phase in FraudModel.PHASES:
        for model in models:
            model._run_phase(name, phase)
    for model in models:
        model._end_day()


def _platform_day(stats: np.ndarray, per_platform: np.ndarray,
                  liability: np.ndarray) -> PlatformDay:
    """What a platform sees of its users' day (its row of the totals) and its liability."""
    return PlatformDay(
        users=int(per_platform[K.P.users_next]),
        face_checks=int(per_platform[K.P.face_checks]),
        volume=int(per_platform[K.P.payment_volume]),
        attempts=stats[:, K.PV.attempts],
        successes=stats[:, K.PV.successes],
        stopped_by_monitoring=stats[:, K.PV.stopped_monitoring],
        loss=stats[:, K.PV.loss],
        attempted_amount=stats[:, K.PV.attempted_amount],
        refunded_sending=stats[:, K.PV.refund_sending],
        refunded_receiving=stats[:, K.PV.refund_receiving],
        receiving_liability=liability,
        facepay_users=int(per_platform[K.P.facepay_users]),
        claims=stats[:, K.PV.claims],
        claimed_loss=stats[:, K.PV.claimed_loss],
    )


def _census(columns, n_platforms: int) -> np.ndarray:
    """Users each (platform, vector) can target, from the day-0 population."""
    eligible = np.zeros((n_platforms, N_VECTORS))
    face_target = ((columns.flags & FACEPAY) != 0) & ((columns.flags & FACE_COMPROMISED) != 0)
    credentials = (columns.flags & CREDENTIALS_COMPROMISED) != 0
    reachable = {TARGET_FACE: face_target, TARGET_CREDENTIALS: credentials,
                 TARGET_ANYONE: np.ones_like(credentials)}
    for p in range(n_platforms):
        on = columns.platform == p
        for v in range(N_VECTORS):
            eligible[p, v] = np.sum(on & reachable[int(TARGET[v])])
    return eligible
