"""FraudModel: the day's phases, in order."""

from __future__ import annotations

import time
from collections import defaultdict

import mesa
import numpy as np

from simfraud.core.rng import (
    STREAM_ATTACKER,
    STREAM_ENTRY,
    day_key,
    replicate_seed,
    uniform_at,
    uniforms,
)
from simfraud.core.vectors import (
    ACCOUNT_TAKEOVER,
    N_BIOMETRIC,
    N_VECTORS,
    SOCIAL_ENGINEERING,
    VECTORS,
)
from simfraud.model.attacker import (
    AttackerAgent,
    MarketIntel,
    Release,
    initial_tools,
    plan_crews,
    pool_attempts,
    share_revenue,
)
from simfraud.model.inputs import CONTACT_WINDOW, compose, rules_today
from simfraud.model.ledger import DaySettlement, Ledger
from simfraud.model.platform import PlatformAgent, PlatformDay
from simfraud.model.regulator import RegulatorAgent
from simfraud.outputs.day_values import day_values, vector_stats
from simfraud.outputs.recorder import MetricsRecorder
from simfraud.scenario.loader import apply_changes
from simfraud.scenario.schema import Scenario
from simfraud.scenario.timeline import Timeline
from simfraud.users.build import POPULATION_DAY, build_population
from simfraud.users.columns import CREDENTIALS_COMPROMISED, FACE_COMPROMISED, FACEPAY
from simfraud.users.engines import AgentUsers, ColumnarUsers
from simfraud.users.kernels import layout as L
from simfraud.users.kernels.transactions import sample_users

ENGINES = ("columnar", "agents")
CONTACTS_DAY = 1 << 42
"""Pseudo-day of the contact network's key."""
CREW_DAY = 1 << 43
"""Pseudo-day of the draws that give a new crew its specialisation."""
PRIOR_VICTIM_FOOLED = 0.4
"""Crews' prior share of scam targets who fall for a script that beats the warnings."""
INJECTION = VECTORS.index("deepfake_injection")
MIX_SMOOTHING = 1.0 / 30.0


class FraudModel(mesa.Model):
    """The payment-fraud arms race, one day per step.

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
        n_platforms = len(scenario.platforms)
        self.platforms = [
            PlatformAgent(self, i, cfg, scenario.defences)
            for i, cfg in enumerate(scenario.platforms)
        ]
        self.regulator = RegulatorAgent(self, scenario.regulator)
        columns = build_population(scenario, self.seed_key)
        self.eligible = _census(columns, n_platforms)
        self.n_users = len(columns.platform)
        for platform in self.platforms:
            platform.users = int(np.sum(columns.platform == platform.index))
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
                                    scenario.population.contacts, CONTACT_WINDOW)
        self.releases: list[Release] = []
        self.cost_multiplier = np.ones(N_VECTORS)
        self.recent_biometric_mix = np.zeros(n_platforms)
        self.daily_loss_per_user: list[float] = []
        self.crews_entered = 0
        self.crew_scale = self.n_users / scenario.population.reference_users
        self.market = MarketIntel(self._prior_value(), scenario.attackers.learning_rate)
        for _ in range(scenario.attackers.initial):
            self._new_crew(initial_tools(scenario.attackers))
        self.ledger = Ledger()
        self.metrics = MetricsRecorder(scenario.days, [p.name for p in scenario.platforms])

    # -- the day ------------------------------------------------------------------------
    def step(self) -> None:
        """One day, phase by phase (docs/brief.md, "One day, in order")."""
        self._timed("1 timeline", self.apply_timeline)
        self._timed("2 regulators", self.regulate)
        self._timed("3 platforms", self.adapt_platforms)
        self._timed("4 attackers", self.plan_attacks)
        self._timed("5 users", self.users_act)
        self._timed("6 ledger", self.settle)
        self._timed("7 metrics", self.record)
        self.day += 1

    def apply_timeline(self) -> None:
        """Phase 1: scheduled events and policy changes."""
        self.events = self.timeline.events(self.day)
        for change in self.events.rule_changes:
            self.scenario = apply_changes(self.scenario, change.set)
            for platform, config in zip(self.platforms, self.scenario.platforms, strict=True):
                prefix = f"platforms.{platform.index}.liveness"
                platform.configure(
                    config, self.scenario.defences,
                    set_level=any(p in (prefix, f"{prefix}.level") for p in change.set),
                    set_injection=any(p in (prefix, f"{prefix}.injection_detection")
                                      for p in change.set),
                )
            self.regulator.configure(self.scenario.regulator, self.day)
            self.market.learning_rate = self.scenario.attackers.learning_rate
            for crew in self.crews:
                crew.config = self.scenario.attackers
        for release in self.events.releases:
            self.releases.append(Release(VECTORS.index(release.vector), release.quality,
                                         release.innovation, release.imitation, set()))
        for drop in self.events.cost_drops:
            for vector in drop.vectors:
                self.cost_multiplier[VECTORS.index(vector)] *= drop.factor

    def regulate(self) -> None:
        """Phase 2: the regulator looks at lagged indicators; rules come into force."""
        self.regulator.observe(self.day, self.daily_loss_per_user)
        self.rules = rules_today(self.scenario, self.regulator, self.day)

    def adapt_platforms(self) -> None:
        """Phase 3: upgrades go live, rules are complied with, new upgrades decided."""
        for platform in self.platforms:
            platform.adapt(self.day, self.rules.minimum_level, self.rules.require_injection)

    def plan_attacks(self) -> None:
        """Phase 4: crews acquire tools and spread their attempts by expected profit."""
        att = self.scenario.attackers
        crews = self.crews
        for crew in crews:
            crew.diffuse(self.day, crews, self.releases, self.seed_key)
        strength = self._strength()
        cost = self._attempt_cost()
        value = self.market.value()
        reach = att.exploitation * self.eligible / self.crew_scale
        reach[:, SOCIAL_ENGINEERING] = att.attempts_per_day
        plan_crews(crews, reach, cost, strength, self.scenario.defences.contest_decisiveness,
                   value)
        attempts, success = pool_attempts(crews, strength.shape)
        self.expected_successes = attempts * success
        self.attempts = attempts * self.crew_scale
        self.day_inputs = compose(
            self.scenario, self.platforms, self.rules, self.events, self.attempts, success,
            self.eligible, len(crews), self.regulator.backlash,
            int(day_key(np.uint64(self.seed_key), np.int64(self.day))), self.contacts_key,
            self.day, self.sampled,
        )

    def users_act(self) -> None:
        """Phase 5: the user kernel (payments, attacks, refunds, behaviour)."""
        self.users.run_day(self.day_inputs)
        if len(self.sampled):
            self.transaction_days.append(self.users.day_log())
        self.totals_int = self.users.acc_int.sum(axis=0)
        self.totals_float = self.users.acc_float.sum(axis=0)

    def settle(self) -> None:
        """Phase 6: split losses, pay crews, check the ledger; agents learn from the day."""
        n_platforms = len(self.platforms)
        pvs, per_platform, glob = _split(self.totals_int, n_platforms)
        settlement = DaySettlement(
            loss=pvs[..., L.PV_LOSS],
            refunded_sending=pvs[..., L.PV_REFUND_SENDING],
            refunded_receiving=pvs[..., L.PV_REFUND_RECEIVING],
            recovered=pvs[..., L.PV_RECOVERED],
            user_loss=int(per_platform[:, L.P_USER_LOSS].sum()),
            user_refunds=int(per_platform[:, L.P_USER_REFUND].sum()),
        )
        crews = self.crews
        revenue = settlement.loss - settlement.recovered
        shares = share_revenue(crews, revenue)
        self.ledger.settle(self.day, settlement, shares, *self.users.population_totals())
        self.attack_cost = round(sum(crew.cost_today for crew in crews) * self.crew_scale)
        for crew, share in zip(crews, shares, strict=True):
            crew.settle(share / self.crew_scale)
        if self.scenario.attackers.adaptive:
            self.market.learn(revenue / self.crew_scale, self.expected_successes)
        for platform in self.platforms:
            k = platform.index
            stats = pvs[k]
            platform.observe(PlatformDay(
                users=int(per_platform[k, L.P_USERS_NEXT]),
                face_checks=int(per_platform[k, L.P_FACE_CHECKS]),
                volume=int(per_platform[k, L.P_VOLUME]),
                attempts=stats[:, L.PV_ATTEMPTS],
                successes=stats[:, L.PV_SUCCESSES],
                stopped_by_monitoring=stats[:, L.PV_STOP_MONITORING],
                loss=stats[:, L.PV_LOSS],
                attempted_amount=stats[:, L.PV_ATTEMPTED_AMOUNT],
                refunded_sending=stats[:, L.PV_REFUND_SENDING],
                refunded_receiving=stats[:, L.PV_REFUND_RECEIVING],
            ))
            biometric = stats[:N_BIOMETRIC, L.PV_ATTEMPTS].sum()
            if biometric > 0:
                mix = stats[INJECTION, L.PV_ATTEMPTS] / biometric
                self.recent_biometric_mix[k] += MIX_SMOOTHING * (mix - self.recent_biometric_mix[k])
        self.regulator.record_face_frauds(int(pvs[:, :N_BIOMETRIC, L.PV_SUCCESSES].sum()),
                                      self.n_users)
        self.daily_loss_per_user.append(float(settlement.loss.sum()) / self.n_users)
        self.eligible = pvs[..., L.PV_ELIGIBLE_NEXT].astype(np.float64)
        self._entry_and_exit()
        self.settlement = settlement
        self.glob = glob
        self.per_platform = per_platform
        self.pvs = pvs

    def record(self) -> None:
        """Phase 7: store the day's metrics."""
        self.metrics.record(self.day, day_values(self), vector_stats(self.pvs))

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

    # -- helpers --------------------------------------------------------------------------
    @property
    def crews(self) -> list[AttackerAgent]:
        """Active crews in id order."""
        return list(self.agents_by_type[AttackerAgent]) if AttackerAgent in self.agent_types \
            else []

    def _timed(self, name: str, phase) -> None:
        start = time.perf_counter()
        phase()
        self.phase_seconds[name] += time.perf_counter() - start

    def _strength(self) -> np.ndarray:
        return np.stack([p.primary_strength() for p in self.platforms])

    def _attempt_cost(self) -> np.ndarray:
        att = self.scenario.attackers
        return np.array([getattr(att.attempt_cost, v) for v in VECTORS]) * self.cost_multiplier

    def _prior_value(self) -> np.ndarray:
        """What crews believe a first-layer success is worth before any experience."""
        att = self.scenario.attackers
        amounts = np.array([getattr(att.mean_fraud_amount, v) for v in VECTORS], dtype=float)
        detect = np.stack([p.detect_probability() for p in self.platforms])
        prior = amounts[None, :] * (1.0 - detect) * (1.0 - att.mule_recovery_share)
        prior[:, SOCIAL_ENGINEERING] *= PRIOR_VICTIM_FOOLED
        return prior

    def _new_crew(self, tools: np.ndarray) -> AttackerAgent:
        att = self.scenario.attackers
        draws = uniforms(np.uint64(self.seed_key), STREAM_ATTACKER, CREW_DAY, self.crews_entered,
                         N_VECTORS)
        skill = np.exp(att.skill_spread * np.sqrt(3.0) * (2.0 * draws - 1.0))
        self.crews_entered += 1
        return AttackerAgent(self, self.crews_entered - 1, att, tools, skill,
                             (len(self.platforms), N_VECTORS))

    def _entry_and_exit(self) -> None:
        att = self.scenario.attackers
        if not att.adaptive:
            return
        for crew in self.crews:
            if crew.should_exit():
                crew.remove()
        crews = self.crews
        if len(crews) >= att.max:
            return
        mean_profit = np.mean([c.profit_ema for c in crews]) if crews else att.entry_profit + 1
        draw = uniform_at(np.uint64(self.seed_key), STREAM_ENTRY, self.day, 0, 0)
        if mean_profit > att.entry_profit and draw < att.entry_probability:
            tools = np.median([c.tools for c in crews], axis=0) if crews else initial_tools(att)
            self._new_crew(tools)


def _split(totals: np.ndarray, n_platforms: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per (platform, vector), per platform and global views of the integer totals."""
    n_pv = n_platforms * N_VECTORS * L.N_PV
    pvs = totals[:n_pv].reshape(n_platforms, N_VECTORS, L.N_PV)
    per_platform = totals[n_pv:n_pv + n_platforms * L.N_P].reshape(n_platforms, L.N_P)
    return pvs, per_platform, totals[n_pv + n_platforms * L.N_P:]


def _census(columns, n_platforms: int) -> np.ndarray:
    """Users each (platform, vector) can target, from the day-0 population."""
    eligible = np.zeros((n_platforms, N_VECTORS))
    facepay = (columns.flags & FACEPAY) != 0
    face = (columns.flags & FACE_COMPROMISED) != 0
    credentials = (columns.flags & CREDENTIALS_COMPROMISED) != 0
    for p in range(n_platforms):
        on = columns.platform == p
        eligible[p, :N_BIOMETRIC] = np.sum(on & facepay & face)
        eligible[p, ACCOUNT_TAKEOVER] = np.sum(on & credentials)
        eligible[p, SOCIAL_ENGINEERING] = np.sum(on)
    return eligible
