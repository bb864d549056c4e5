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
from simfraud.scenario.schema import Defences, Platform


@dataclass
class PlatformDay:
    """What a platform learns about its own users at the end of a day (arrays per vector)."""

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



def gordon_loeb_investment(vulnerability: float, potential_loss: float, alpha: float,
                           beta: float) -> float:
    """Optimal security investment for ``S(z, v) = v / (alpha z + 1)^beta``.

    Maximises ``(v - S(z, v)) L - z``; Gordon and Loeb (2002) show the optimum never
    exceeds ``v L / e``.

    Args:
        vulnerability: ``v``, probability an attack succeeds without the investment.
        potential_loss: ``L``, loss if an attack succeeds (per day).
        alpha: Efficiency of investment.
        beta: Exponent of the breach function.

    Returns:
        The optimal investment ``z* >= 0`` per day.
    """
    if vulnerability <= 0.0 or potential_loss <= 0.0:
        return 0.0
    z = ((alpha * beta * vulnerability * potential_loss) ** (1.0 / (beta + 1.0)) - 1.0) / alpha
    return max(z, 0.0)


class PlatformAgent(mesa.Agent):
    """A payment provider that adapts its defences to the fraud it sees.

    Attributes:
        index: Position of the platform in the scenario (array index).
        config: The platform's scenario block (replaced by rule changes).
        level: Current liveness level index.
        injection_detection: Whether injection detection is live.
        detection: Monitoring detection probability per vector (before investment).
        investment: Gordon-Loeb security investment of the day (minor units).
        fees: Fees earned on the day's genuine payments.
        net_income: Fees minus refunds paid as sending provider and security spend
            (compliance costs are reported separately).
    """

    def __init__(self, model: mesa.Model, index: int, config: Platform, defences: Defences):
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
        self.potential_loss_ema = 0.0
        self.vulnerability_ema = 0.0
        self.investment = 0.0
        self.security_spend = 0
        self.upgrade_spend = 0
        self.fees = 0
        self.net_income = 0
        self.users = 0
        self.config = config
        self.level = LIVENESS_LEVELS.index(config.liveness.level)
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
            self.level = LIVENESS_LEVELS.index(config.liveness.level)
        if set_injection:
            self.injection_detection = config.liveness.injection_detection
        if set_level or set_injection:
            self.pending = None
        self.config = config
        self.defences = defences

    # -- defences -------------------------------------------------------------------
    def liveness_strength(self) -> np.ndarray:
        """Strength of the live liveness level against each biometric vector."""
        table = getattr(self.defences.liveness, LIVENESS_LEVELS[self.level])
        strength = np.array([getattr(table, v) for v in BIOMETRIC_VECTORS])
        if self.injection_detection:
            strength[INJECTION] = max(strength[INJECTION],
                                      self.defences.injection_detection_strength)
        return strength

    def primary_strength(self) -> np.ndarray:
        """Strength of the first layer each vector meets (the contest's ``d``).

        Each vector meets the control that guards it (``core.vectors.CONTROL``):
        liveness, device binding or payee warnings, each with its upgrades.
        """
        warnings = self.config.payee_warnings
        by_control = np.array([
            0.0,
            self.config.step_up.device_binding_strength * self.control_boost[DEVICE_BINDING],
            warnings.strength * self.control_boost[PAYEE_WARNINGS] if warnings.enabled else 0.0,
        ])
        strength = by_control[CONTROL]
        strength[:N_BIOMETRIC] = self.liveness_strength()
        return strength

    def detect_probability(self) -> np.ndarray:
        """Monitoring detection per vector, including the Gordon-Loeb investment's effect."""
        mon = self.config.monitoring
        if not mon.enabled:
            base = np.zeros(N_VECTORS)
        else:
            base = self.detection.copy()
            base[AUTHORISED] *= mon.social_engineering_factor  # the payer authorises
        sec = self.config.security
        residual = (sec.gl_alpha * self.investment + 1.0) ** (-sec.gl_beta)
        return 1.0 - (1.0 - base) * residual

    def bpcer(self) -> float:
        """False-reject rate of genuine face-pay users."""
        return getattr(self.defences.liveness, LIVENESS_LEVELS[self.level]).bpcer

    # -- the platform's phase of the day --------------------------------------------
    def adapt(self, day: int, minimum_level: int | None, require_injection: bool) -> None:
        """Go live with finished upgrades, comply with rules and decide new upgrades.

        Args:
            day: Current day.
            minimum_level: Liveness level a rule in force requires (None: no rule).
            require_injection: Whether a rule in force requires injection detection.
        """
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
        if rule == "gordon_loeb":
            sec = self.config.security
            self.investment = gordon_loeb_investment(
                self.vulnerability_ema, self.potential_loss_ema, sec.gl_alpha, sec.gl_beta
            )
        else:
            self.investment = 0.0

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
        self.pending = Upgrade(day + self.config.security.deployment_lag_days, level, injection)

    def _go_live(self, upgrade: Upgrade) -> None:
        if upgrade.level > self.level:
            table = getattr(self.defences.liveness, LIVENESS_LEVELS[upgrade.level])
            self.upgrade_spend += table.upgrade_cost_per_user * self.users
        self.level = max(self.level, upgrade.level)
        self.injection_detection = self.injection_detection or upgrade.injection_detection

    # -- end of day -----------------------------------------------------------------
    def observe(self, seen: PlatformDay) -> None:
        """Learn from the day: monitoring learns from fraud seen, costs feed decisions.

        Args:
            seen: The platform's outcomes of the day.
        """
        self.users = seen.users
        mon = self.config.monitoring
        frauds_seen = seen.successes + seen.stopped_by_monitoring
        signal = frauds_seen / (frauds_seen + mon.signal_half_saturation)
        self.detection += mon.learning_rate * signal * (mon.max_detection - self.detection)
        self.detection -= mon.drift * (self.detection - mon.base_detection)
        weight = 1.0 / self.config.security.smoothing_days
        rep = self.config.security.reputation_weight
        user_loss = seen.loss - seen.refunded_sending - seen.refunded_receiving
        own_by_vector = seen.refunded_sending + rep * user_loss
        own_cost = float(own_by_vector.sum())
        self.own_cost_ema += weight * (own_cost - self.own_cost_ema)
        by_control = np.bincount(CONTROL, weights=own_by_vector, minlength=len(CONTROLS))
        self.own_cost_by_control += weight * (by_control - self.own_cost_by_control)
        loss = float(seen.loss.sum())
        own_share = own_cost / loss if loss > 0 else rep
        attempts = float(seen.attempts.sum())
        if attempts > 0:
            self.vulnerability_ema += weight * (seen.successes.sum() / attempts
                                                - self.vulnerability_ema)
        potential = float(seen.attempted_amount.sum()) * own_share
        self.potential_loss_ema += weight * (potential - self.potential_loss_ema)
        biometric = seen.attempts[:N_BIOMETRIC].sum()
        if biometric > 0:
            mix = seen.attempts[INJECTION] / biometric
            self.injection_share += (1.0 / self.config.security.injection_smoothing_days
                                     * (mix - self.injection_share))
        self.security_spend = self._running_cost(seen)
        self.fees = seen.volume * self.config.fee_bps // 10_000
        self.net_income = self.fees - int(seen.refunded_sending.sum()) - self.security_spend

    def _running_cost(self, seen: PlatformDay) -> int:
        table = getattr(self.defences.liveness, LIVENESS_LEVELS[self.level])
        per_check = table.cost_per_check
        if self.injection_detection:
            per_check += self.defences.injection_detection_cost_per_check
        monitoring = self.config.monitoring
        running = seen.face_checks * per_check
        if monitoring.enabled:
            running += monitoring.cost_per_user_day * seen.users
        return math.floor(running + self.investment) + self.upgrade_spend
