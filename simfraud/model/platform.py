"""Payment platforms: their controls composed, monitoring, reimbursement and security spend.

Liveness (``model/liveness.py``), the first-line controls' investment
(``model/investment.py``) and the inbound controls, mule-account detection and an inbound
hold (``model/inbound_controls.py``), are mechanisms of their own; a platform holds one of
each and combines them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mesa
import numpy as np
from numba import njit

from simfraud.core.sums import numpy_sum
from simfraud.core.vectors import (
    AUTHORISED,
    CONTROL,
    CONTROLS,
    DEVICE_BINDING,
    LIVENESS,
    N_BIOMETRIC,
    N_VECTORS,
    PAYEE_WARNINGS,
)
from simfraud.model.inbound_controls import InboundControl
from simfraud.model.investment import ControlInvestment
from simfraud.model.liveness import Liveness
from simfraud.scenario.schema import Defences, Platform, UpgradeRule


@dataclass
class PlatformDay:
    """What a platform learns at the end of a day (arrays per vector).

    ``refunded_sending`` and ``refunded_receiving`` are the two shares of refunds to the
    platform's own users; ``receiving_liability`` is what the platform pays as the
    receiving provider of frauds anywhere (mule accounts it holds). ``claims`` and
    ``claimed_loss`` are the successful frauds its users reported and their loss (None:
    every one, as when ``behaviour.claim_without_refund`` is 1); a platform learns of a
    successful fraud only when it is claimed (``PlatformAgent.observe``).
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
    claims: np.ndarray | None = None
    claimed_loss: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.claims is None:
            self.claims = self.successes
        if self.claimed_loss is None:
            self.claimed_loss = self.loss


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
        liveness: The face check: live level, upgrades, costs (``model/liveness.py``).
        detection: Monitoring detection probability per vector.
        controls: Per-control Gordon-Loeb spend, live capability and detector training.
        mules: Mule-account detection, an inbound control (as receiving provider).
        hold: The inbound hold of risky incoming payments, the other inbound control.
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
        self.pending_control: ControlUpgrade | None = None
        self.cooldown_until = -1
        self.own_cost_ema = 0.0
        self.own_cost_by_control = np.zeros(len(CONTROLS))
        self.control_upgrades = np.zeros(len(CONTROLS), dtype=np.int64)
        self.control_boost = np.ones(len(CONTROLS))
        self.controls = ControlInvestment(initial_quality, config.security.reputation_weight)
        self.mules = InboundControl()
        self.hold = InboundControl()
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
        self.liveness = Liveness(config.liveness)
        self.detection = np.full(N_VECTORS, self.config.monitoring.base_detection)
        self._seen_by_monitoring = _seen_by_monitoring(config)

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
        self.liveness.configure(config.liveness, set_level, set_injection)
        self.config = config
        self._seen_by_monitoring = _seen_by_monitoring(config)
        self.defences = defences
        self.controls.default_share = config.security.reputation_weight

    # -- defences -------------------------------------------------------------------
    def primary_strength(self) -> np.ndarray:
        """Strength of the first layer each vector meets (the contest's ``d``).

        Each vector meets the control that guards it (``core.vectors.CONTROL``):
        liveness, device binding or payee warnings, each with its upgrades, times the
        boost of the control's live capability and the ageing of its detector against
        today's tools (``model.investment``). Injection detection checks the capture
        path (virtual cameras, emulators), not the face, so it does not age with the
        quality of face swaps: against injection a platform with it takes the stronger of
        its aged liveness and its (boosted) injection detection
        (``Liveness.guard_injection``).
        """
        warnings = self.config.payee_warnings
        by_control = np.array([
            0.0,
            self.config.step_up.device_binding_strength * self.control_boost[DEVICE_BINDING],
            warnings.strength * self.control_boost[PAYEE_WARNINGS] if warnings.enabled else 0.0,
        ])
        strength = by_control[CONTROL]
        strength[:N_BIOMETRIC] = self.liveness.strength(self.defences)
        sec = self.config.security
        boost = self.controls.boost(sec.gl_alpha, sec.gl_beta, self.defences.contest_decisiveness)
        factor = boost[CONTROL] * self.controls.ageing(self.market_quality, sec.detector_ageing)
        if sec.detector_tracking != 0.0:  # else tracking is 1: a product by 1 is exact
            factor *= self.controls.tracking(sec.detector_tracking)
        strength *= factor
        self.liveness.guard_injection(strength, boost[LIVENESS], self.defences)
        return strength

    def detect_probability(self) -> np.ndarray:
        """Monitoring detection per vector."""
        if not self.config.monitoring.enabled:
            return np.zeros(N_VECTORS)
        return self.detection * self._seen_by_monitoring

    def mule_recovery_share(self, base: float) -> float:
        """Share of the stolen money reaching this platform's mule accounts that is frozen.

        Args:
            base: The share frozen without mule-account detection.
        """
        sec = self.config.security
        return self.mules.share(base, sec.gl_alpha, sec.gl_beta)

    def held_share(self) -> float:
        """Share of the scam payments reaching this platform's accounts that its hold stops."""
        sec = self.config.security
        return self.hold.share(0.0, sec.gl_alpha, sec.gl_beta)

    def name_check_stop(self) -> float:
        """Chance its confirmation of payee stops a scam payment its user makes (0: off)."""
        check = self.config.confirmation_of_payee
        return check.stop if check.enabled else 0.0

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
        for control, base, on in ((self.mules, mule_base, sec.mule_detection),
                                  (self.hold, 0.0, sec.inbound_hold)):
            if sec.upgrade_rule == UpgradeRule.gordon_loeb and on:
                control.invest(base, sec.gl_alpha, sec.gl_beta, sec.deployment_lag_days)
            else:  # switched off (or never on): nothing spent, nothing live
                control.stop()
        self.upgrade_spend = 0
        deployed = self.liveness.go_live(day, self.defences, self.users)
        if deployed is not None:
            self.upgrade_spend += deployed
            self.cooldown_until = day + self.config.security.deployment_lag_days
        if self.pending_control is not None and day >= self.pending_control.ready_day:
            control = self.pending_control.control
            self.control_upgrades[control] += 1
            self.control_boost[control] *= self.config.security.control_upgrade_factor
            self.upgrade_spend += self.config.security.control_upgrade_cost_per_user * self.users
            self.pending_control = None
            self.cooldown_until = day + self.config.security.deployment_lag_days
        self.liveness.comply(self._ready_day(day), minimum_level, require_injection)
        rule = self.config.security.upgrade_rule
        idle = self.liveness.pending is None and self.pending_control is None
        if rule == "reactive" and idle and day >= self.cooldown_until:
            per_user = self.own_cost_ema / max(self.users, 1)
            if per_user > self.config.security.loss_threshold:
                self._schedule_next_step(day)
        elif rule == "scheduled" and day in self.config.security.scheduled_days:
            self._schedule_next_step(day)

    def _schedule_next_step(self, day: int) -> None:
        """Strengthen the control behind most of the platform's own fraud cost."""
        for control in np.argsort(-self.own_cost_by_control, kind="stable"):
            if control == LIVENESS and self.liveness.next_step(
                    self._ready_day(day), self.config.security.injection_switch_share):
                return
            if control != LIVENESS and self._control_step(day, int(control)):
                return

    def _control_step(self, day: int, control: int) -> bool:
        sec = self.config.security
        usable = control == DEVICE_BINDING or self.config.payee_warnings.enabled
        busy = self.liveness.pending is not None or self.pending_control is not None
        if busy or not usable or self.control_upgrades[control] >= sec.max_control_upgrades:
            return False
        self.pending_control = ControlUpgrade(day + sec.deployment_lag_days, control)
        return True

    def _ready_day(self, day: int) -> int:
        """Go-live day of a liveness upgrade scheduled today (a review adds to the lag)."""
        return day + self.config.security.deployment_lag_days + self.review_days

    # -- end of day -----------------------------------------------------------------
    def observe(self, seen: PlatformDay, rules=None) -> None:
        """Learn from the day: monitoring learns from fraud seen, costs feed decisions.

        What the platform sees: every attempt its controls or monitoring stopped, and the
        successful frauds its users claimed (an unclaimed one is invisible to it, so its
        rates, losses and monitoring learn from claimed frauds only).

        Args:
            seen: The platform's outcomes of the day.
            rules: The regulator's ``Rules`` in force (fines); None: no fines.
        """
        self.users = seen.users
        self.facepay_users = seen.facepay_users
        self._learn_monitoring(seen)
        sec = self.config.security
        weight = 1.0 / sec.smoothing_days
        learned, own_cost, liability, liability_authorised, sending = _own_view(
            seen.attempts, seen.successes, seen.claims, seen.attempted_amount, seen.loss,
            seen.claimed_loss, seen.refunded_sending, seen.refunded_receiving,
            seen.receiving_liability, sec.reputation_weight, CONTROL, AUTHORISED,
            self.own_cost_by_control, weight)
        self.mules.learn(liability, seen.users, sec.smoothing_days)
        # the hold stops only payments the payer authorised: it weighs their liability
        self.hold.learn(liability_authorised, seen.users, sec.smoothing_days)
        self.own_cost_ema += weight * (own_cost - self.own_cost_ema)
        self.controls.learn(learned, seen.users, sec.smoothing_days)
        self.liveness.learn(seen.attempts, sec.injection_smoothing_days)
        self.upgrade_spend += self.liveness.charge_deployment(self.defences, seen.users)
        self.security_spend = self._running_cost(seen)
        self.fees = seen.volume * self.config.fee_bps // 10_000
        self.fine = self._fine(seen, rules)
        self.net_income = self.fees - sending - liability - self.security_spend - self.fine

    def _fine(self, seen: PlatformDay, rules) -> int:
        """Today's fine: per user and as a share of gross fraud loss, when non-compliant."""
        if rules is None or not rules.non_compliant(self.liveness):
            return 0
        return (math.floor(rules.fine_per_user_day * seen.users)
                + math.floor(rules.fine_loss_share * int(seen.loss.sum())))

    def _learn_monitoring(self, seen: PlatformDay) -> None:
        """Detection learns from the rate of fraud seen per 100,000 users, and drifts back."""
        mon = self.config.monitoring
        _learn_detection(self.detection, seen.claims, seen.stopped_by_monitoring,
                         100_000 / max(seen.users, 1), mon.signal_half_saturation,
                         mon.learning_rate, mon.max_detection, mon.drift, mon.base_detection)

    def _running_cost(self, seen: PlatformDay) -> int:
        monitoring = self.config.monitoring
        running = seen.face_checks * self.liveness.cost_per_check(self.defences)
        if monitoring.enabled:
            running += monitoring.cost_per_user_day * seen.users
        return (math.floor(running) + self.controls.daily_cost(seen.users)
                + self.mules.daily_cost(seen.users) + self.hold.daily_cost(seen.users)
                + self.upgrade_spend)


def _seen_by_monitoring(config: Platform) -> np.ndarray:
    """Per vector, the factor of monitoring's detection (a product by 1 is exact).

    The social-engineering factor where the payer authorises the payment, else 1.
    """
    return np.where(AUTHORISED, config.monitoring.social_engineering_factor, 1.0)


@njit(cache=True)
def _learn_detection(detection: np.ndarray, claims: np.ndarray, stopped: np.ndarray,
                     per_user: float, half_saturation: float, learning_rate: float,
                     max_detection: float, drift: float, base: float) -> None:
    """``PlatformAgent._learn_monitoring`` vector by vector (``detection`` in place).

    The rate of frauds seen (claimed or stopped by monitoring) per 100,000 users
    (``per_user`` = 100,000 / users) saturates into a signal detection learns from; it
    then drifts back to its base.
    """
    for v in range(detection.shape[0]):
        rate = (claims[v] + stopped[v]) * per_user
        signal = rate / (rate + half_saturation)
        detection[v] += learning_rate * signal * (max_detection - detection[v])
        detection[v] -= drift * (detection[v] - base)


@njit(cache=True)
def _own_view(attempts: np.ndarray, successes: np.ndarray, claims: np.ndarray,
              attempted: np.ndarray, loss: np.ndarray, claimed_loss: np.ndarray,
              sending: np.ndarray, receiving: np.ndarray, liability: np.ndarray,
              reputation_weight: float, control: np.ndarray, authorised: np.ndarray,
              own_cost_by_control: np.ndarray,
              weight: float) -> tuple[np.ndarray, float, int, int, int]:
    """What a platform learns of its day, per vector, and its own cost of the day.

    Successful frauds count only when claimed (the platform sees no other). The own cost
    per vector is what it refunds as sending provider, its liability as receiving
    provider and ``reputation_weight`` of its users' unrefunded (claimed) loss; its sum
    per control moves ``own_cost_by_control`` (in place) by ``weight`` towards it.

    Returns:
        ``(learned, own_cost, liability, liability_authorised, sending)``: the ``(5,
        vectors)`` rows of ``ControlInvestment.learn`` (attempts seen, claims, attempted
        amounts seen, claimed loss, own cost), the own cost summed over vectors, and the
        integer sums of the receiving liability (over every vector and over the vectors
        the payer authorises) and of the refunds as sending provider.
    """
    n_vectors = attempts.shape[0]
    learned = np.empty((5, n_vectors))
    by_control = np.zeros(own_cost_by_control.shape[0])
    total_liability, liability_authorised, total_sending = 0, 0, 0
    for v in range(n_vectors):
        own = (sending[v] + liability[v]
               + reputation_weight * (claimed_loss[v] - sending[v] - receiving[v]))
        learned[0, v] = attempts[v] - (successes[v] - claims[v])
        learned[1, v] = claims[v]
        learned[2, v] = attempted[v] - (loss[v] - claimed_loss[v])
        learned[3, v] = claimed_loss[v]
        learned[4, v] = own
        by_control[control[v]] += own
        total_liability += liability[v]
        liability_authorised += liability[v] if authorised[v] else 0
        total_sending += sending[v]
    for k in range(by_control.shape[0]):
        own_cost_by_control[k] += weight * (by_control[k] - own_cost_by_control[k])
    return (learned, numpy_sum(learned[4]), int(total_liability), int(liability_authorised),
            int(total_sending))
