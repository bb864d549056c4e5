"""Payment platforms: liveness, step-up, monitoring, reimbursement and security investment."""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np

from simfraud.core.vectors import (
    AUTHORISED,
    BIOMETRIC_VECTORS,
    CONTROL,
    CONTROLS,
    DEVICE_BINDING,
    INJECTION,
    LIVENESS,
    LIVENESS_LEVELS,
    N_BIOMETRIC,
    N_VECTORS,
    PAYEE_WARNINGS,
)
from simfraud.model.investment import ControlInvestment
from simfraud.model.mule_detection import MuleDetection
from simfraud.scenario.schema import Defences, Platform, UpgradeRule


@dataclass
class PlatformDay:
    """What a platform learns at the end of a day (arrays per vector).

    ``refunded_sending`` and ``refunded_receiving`` are the two shares of refunds to the
    platform's own users; ``receiving_liability`` is what the platform pays as the
    receiving provider of frauds anywhere (mule accounts it holds).
    """

    users: int
    face_checks: int
    volume: int
    attempts: np.ndarray
    successes: np.ndarray
    stopped_by_monitoring: np.ndarray
    loss: np.ndarray
    attempted_amount: np.ndarray
    refunded_sending: np.ndarray
    refunded_receiving: np.ndarray
    receiving_liability: np.ndarray
    facepay_users: int = 0


@dataclass
class Upgrade:
    """A liveness upgrade on its way to production."""

    ready_day: int
    level: int
    injection_detection: bool


@dataclass
class ControlUpgrade:
    """One step of device binding or payee warnings on its way to production."""

    ready_day: int
    control: int




class PlatformAgent(mesa.Agent):
    """A payment provider that adapts its defences to the fraud it sees.

    Attributes:
        index: Position of the platform in the scenario (array index).
        config: The platform's scenario block (replaced by rule changes).
        level: Current liveness level index.
        injection_detection: Whether injection detection is live.
        detection: Monitoring detection probability per vector.
        controls: Per-control Gordon-Loeb spend, live capability and detector training.
        mules: Mule-account detection, the platform's control as receiving provider.
        market_quality: Mean crew tool quality per vector, as of today's adaptation.
        fees: Fees earned on the day's genuine payments.
        net_income: Fees minus refunds paid as sending and as receiving provider,
            security spend and fines (compliance costs are reported separately).
        fine: Today's regulatory fine (0 unless the platform breaks the minimum liveness
            rule past its compliance deadline).
        review_days: Days a pre-launch security assessment in force adds to a liveness
            upgrade's deployment lag.
    """

    def __init__(self, model: mesa.Model, index: int, config: Platform, defences: Defences,
                 initial_quality: np.ndarray):
        super().__init__(model)
        self.index = index
        self.defences = defences
        self.pending: Upgrade | None = None
        self.pending_control: ControlUpgrade | None = None
        self.cooldown_until = -1
        self.own_cost_ema = 0.0
        self.own_cost_by_control = np.zeros(len(CONTROLS))
        self.control_upgrades = np.zeros(len(CONTROLS), dtype=np.int64)
        self.control_boost = np.ones(len(CONTROLS))
        self.injection_share = 0.0
        self.controls = ControlInvestment(initial_quality, config.security.reputation_weight)
        self.mules = MuleDetection()
        self.market_quality = np.asarray(initial_quality, dtype=np.float64).copy()
        self.security_spend = 0
        self.upgrade_spend = 0
        self.fees = 0
        self.net_income = 0
        self.fine = 0
        self.review_days = 0
        self.users = 0
        self.facepay_users = 0
        self.config = config
        self.level = LIVENESS_LEVELS.index(config.liveness.level)
        self.deployment_due: int | None = self.level
        self.injection_detection = config.liveness.injection_detection
        self.detection = np.full(N_VECTORS, self.config.monitoring.base_detection)

    def configure(self, config: Platform, defences: Defences,
                  changed: dict[str, object] | None = None) -> None:
        """Adopt a changed scenario block (a rule change) at once.

        A change that sets this platform's liveness level (or injection detection)
        replaces the live one and cancels a liveness upgrade in the pipeline; other
        changes leave the live defences alone.

        Args:
            config: The platform's new scenario block.
            defences: The new defence tables.
            changed: The rule change's ``set`` (dotted path to value).
        """
        prefix = f"platforms.{self.index}.liveness"
        paths = changed or {}
        set_level = any(p in (prefix, f"{prefix}.level") for p in paths)
        set_injection = any(p in (prefix, f"{prefix}.injection_detection") for p in paths)
        if set_level:
            level = LIVENESS_LEVELS.index(config.liveness.level)
            if level > self.level:
                self.deployment_due = level
            self.level = level
        if set_injection:
            self.injection_detection = config.liveness.injection_detection
        if set_level or set_injection:
            self.pending = None
        self.config = config
        self.defences = defences
        self.controls.default_share = config.security.reputation_weight

    # -- defences -------------------------------------------------------------------
    def liveness_strength(self) -> np.ndarray:
        """Strength of the live liveness level against each biometric vector."""
        table = getattr(self.defences.liveness, LIVENESS_LEVELS[self.level])
        return np.array([getattr(table, v) for v in BIOMETRIC_VECTORS])

    def primary_strength(self) -> np.ndarray:
        """Strength of the first layer each vector meets (the contest's ``d``).

        Each vector meets the control that guards it (``core.vectors.CONTROL``):
        liveness, device binding or payee warnings, each with its upgrades, times the
        boost of the control's live capability and the ageing of its detector against
        today's tools (``model.investment``). Injection detection checks the capture
        path (virtual cameras, emulators), not the face, so it does not age with the
        quality of face swaps: against injection a platform with it takes the stronger of
        its aged liveness and its (boosted) injection detection.
        """
        warnings = self.config.payee_warnings
        by_control = np.array([
            0.0,
            self.config.step_up.device_binding_strength * self.control_boost[DEVICE_BINDING],
            warnings.strength * self.control_boost[PAYEE_WARNINGS] if warnings.enabled else 0.0,
        ])
        strength = by_control[CONTROL]
        strength[:N_BIOMETRIC] = self.liveness_strength()
        sec = self.config.security
        boost = self.controls.boost(sec.gl_alpha, sec.gl_beta, self.defences.contest_decisiveness)
        strength *= boost[CONTROL] * self.controls.ageing(self.market_quality,
                                                          sec.detector_ageing)
        if self.injection_detection:
            strength[INJECTION] = max(strength[INJECTION], boost[LIVENESS]
                                      * self.defences.injection_detection_strength)
        return strength

    def detect_probability(self) -> np.ndarray:
        """Monitoring detection per vector."""
        mon = self.config.monitoring
        if not mon.enabled:
            return np.zeros(N_VECTORS)
        detect = self.detection.copy()
        detect[AUTHORISED] *= mon.social_engineering_factor  # the payer authorises
        return detect

    def mule_recovery_share(self, base: float) -> float:
        """Share of the stolen money reaching this platform's mule accounts that is frozen.

        Args:
            base: The share frozen without mule-account detection.
        """
        sec = self.config.security
        return self.mules.recovery_share(base, sec.gl_alpha, sec.gl_beta)

    def bpcer(self) -> float:
        """False-reject rate of genuine face-pay users."""
        return getattr(self.defences.liveness, LIVENESS_LEVELS[self.level]).bpcer

    # -- the platform's phase of the day --------------------------------------------
    def adapt(self, day: int, minimum_level: int | None, require_injection: bool,
              market_quality: np.ndarray, review_days: int = 0,
              mule_base: float = 0.0) -> None:
        """Go live with finished upgrades, comply with rules and decide new upgrades.

        Args:
            day: Current day.
            minimum_level: Liveness level a rule in force requires (None: no rule).
            require_injection: Whether a rule in force requires injection detection.
            market_quality: Mean crew tool quality per vector (detectors age against it).
            review_days: Days a pre-launch security assessment adds to the deployment lag
                of liveness upgrades scheduled today.
            mule_base: Share of stolen money frozen at mule accounts without mule-account
                detection (``attackers.mule_recovery_share``).
        """
        self.review_days = review_days
        sec = self.config.security
        self.market_quality = np.asarray(market_quality, dtype=np.float64)
        self.controls.retrain(self.market_quality, sec.gl_alpha, sec.gl_beta, sec.retrain_days)
        if sec.upgrade_rule == UpgradeRule.gordon_loeb:
            self.controls.invest(sec.gl_alpha, sec.gl_beta, sec.deployment_lag_days)
        if sec.upgrade_rule == UpgradeRule.gordon_loeb and sec.mule_detection:
            self.mules.invest(mule_base, sec.gl_alpha, sec.gl_beta, sec.deployment_lag_days)
        else:  # switched off (or never on): nothing spent, nothing live
            self.mules.stop()
        self.upgrade_spend = 0
        if self.pending is not None and day >= self.pending.ready_day:
            self._go_live(self.pending)
            self.pending = None
            self.cooldown_until = day + self.config.security.deployment_lag_days
        if self.pending_control is not None and day >= self.pending_control.ready_day:
            control = self.pending_control.control
            self.control_upgrades[control] += 1
            self.control_boost[control] *= self.config.security.control_upgrade_factor
            self.upgrade_spend += self.config.security.control_upgrade_cost_per_user * self.users
            self.pending_control = None
            self.cooldown_until = day + self.config.security.deployment_lag_days
        if minimum_level is not None and (
            self.level < minimum_level or (require_injection and not self.injection_detection)
        ):
            self._schedule(day, max(self.level, minimum_level),
                           self.injection_detection or require_injection)
        rule = self.config.security.upgrade_rule
        idle = self.pending is None and self.pending_control is None
        if rule == "reactive" and idle and day >= self.cooldown_until:
            per_user = self.own_cost_ema / max(self.users, 1)
            if per_user > self.config.security.loss_threshold:
                self._schedule_next_step(day)
        elif rule == "scheduled" and day in self.config.security.scheduled_days:
            self._schedule_next_step(day)

    def _schedule_next_step(self, day: int) -> None:
        """Strengthen the control behind most of the platform's own fraud cost."""
        for control in np.argsort(-self.own_cost_by_control, kind="stable"):
            if control == LIVENESS and self._liveness_step(day):
                return
            if control != LIVENESS and self._control_step(day, int(control)):
                return

    def _liveness_step(self, day: int) -> bool:
        switch_share = self.config.security.injection_switch_share
        if not self.injection_detection and self.injection_share > switch_share:
            self._schedule(day, self.level, True)
        elif self.level < len(LIVENESS_LEVELS) - 1:
            self._schedule(day, self.level + 1, self.injection_detection)
        elif not self.injection_detection:
            self._schedule(day, self.level, True)
        else:
            return False
        return True

    def _control_step(self, day: int, control: int) -> bool:
        sec = self.config.security
        usable = control == DEVICE_BINDING or self.config.payee_warnings.enabled
        busy = self.pending is not None or self.pending_control is not None
        if busy or not usable or self.control_upgrades[control] >= sec.max_control_upgrades:
            return False
        self.pending_control = ControlUpgrade(day + sec.deployment_lag_days, control)
        return True

    def _schedule(self, day: int, level: int, injection: bool) -> None:
        if self.pending is not None:
            if self.pending.level >= level and self.pending.injection_detection >= injection:
                return
            level = max(level, self.pending.level)
            injection = injection or self.pending.injection_detection
        lag = self.config.security.deployment_lag_days + self.review_days
        self.pending = Upgrade(day + lag, level, injection)

    def _deployment_cost(self, level: int, users: int) -> int:
        """One-off cost of deploying liveness ``level`` to ``users`` users.

        Charged the same way whether the level is there on day 0 (charged on day 0), set
        by a rule change (charged that day) or reached by an upgrade (charged at go-live).
        """
        return getattr(self.defences.liveness, LIVENESS_LEVELS[level]).upgrade_cost_per_user * users

    def _go_live(self, upgrade: Upgrade) -> None:
        if upgrade.level > self.level:
            self.upgrade_spend += self._deployment_cost(upgrade.level, self.users)
        self.level = max(self.level, upgrade.level)
        self.injection_detection = self.injection_detection or upgrade.injection_detection

    # -- end of day -----------------------------------------------------------------
    def observe(self, seen: PlatformDay, rules=None) -> None:
        """Learn from the day: monitoring learns from fraud seen, costs feed decisions.

        Args:
            seen: The platform's outcomes of the day.
            rules: The regulator's ``Rules`` in force (fines); None: no fines.
        """
        self.users = seen.users
        self.facepay_users = seen.facepay_users
        self._learn_monitoring(seen)
        sec = self.config.security
        self.mules.learn(int(seen.receiving_liability.sum()), seen.users, sec.smoothing_days)
        weight = 1.0 / sec.smoothing_days
        user_loss = seen.loss - seen.refunded_sending - seen.refunded_receiving
        own_by_vector = (seen.refunded_sending + seen.receiving_liability
                         + sec.reputation_weight * user_loss)
        own_cost = float(own_by_vector.sum())
        self.own_cost_ema += weight * (own_cost - self.own_cost_ema)
        by_control = np.bincount(CONTROL, weights=own_by_vector, minlength=len(CONTROLS))
        self.own_cost_by_control += weight * (by_control - self.own_cost_by_control)
        self.controls.learn(np.stack([seen.attempts, seen.successes, seen.attempted_amount,
                                      seen.loss, own_by_vector]), seen.users, sec.smoothing_days)
        biometric = seen.attempts[:N_BIOMETRIC].sum()
        if biometric > 0:
            mix = seen.attempts[INJECTION] / biometric
            self.injection_share += (1.0 / sec.injection_smoothing_days
                                     * (mix - self.injection_share))
        if self.deployment_due is not None:
            self.upgrade_spend += self._deployment_cost(self.deployment_due, seen.users)
            self.deployment_due = None
        self.security_spend = self._running_cost(seen)
        self.fees = seen.volume * self.config.fee_bps // 10_000
        self.fine = self._fine(seen, rules)
        self.net_income = (self.fees - int(seen.refunded_sending.sum())
                           - int(seen.receiving_liability.sum()) - self.security_spend
                           - self.fine)

    def _fine(self, seen: PlatformDay, rules) -> int:
        """Today's fine: per user and as a share of gross fraud loss, when non-compliant."""
        if rules is None or not rules.non_compliant(self.level, self.injection_detection):
            return 0
        return (math.floor(rules.fine_per_user_day * seen.users)
                + math.floor(rules.fine_loss_share * int(seen.loss.sum())))

    def _learn_monitoring(self, seen: PlatformDay) -> None:
        """Detection learns from the rate of fraud seen per 100,000 users, and drifts back."""
        mon = self.config.monitoring
        frauds_seen = seen.successes + seen.stopped_by_monitoring
        rate = frauds_seen * (100_000 / max(seen.users, 1))
        signal = rate / (rate + mon.signal_half_saturation)
        self.detection += mon.learning_rate * signal * (mon.max_detection - self.detection)
        self.detection -= mon.drift * (self.detection - mon.base_detection)

    def _running_cost(self, seen: PlatformDay) -> int:
        table = getattr(self.defences.liveness, LIVENESS_LEVELS[self.level])
        per_check = table.cost_per_check
        if self.injection_detection:
            per_check += self.defences.injection_detection_cost_per_check
        monitoring = self.config.monitoring
        running = seen.face_checks * per_check
        if monitoring.enabled:
            running += monitoring.cost_per_user_day * seen.users
        return (math.floor(running) + self.controls.daily_cost(seen.users)
                + self.mules.daily_cost(seen.users)
                + self.upgrade_spend)
