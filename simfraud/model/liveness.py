"""Liveness: a platform's face check, its upgrades and what it costs.

Parameters: ``platforms[].liveness`` (``level``, ``injection_detection``), the liveness
tables ``defences.liveness`` (per level: strength against each biometric vector, ``bpcer``,
``cost_per_check``, ``upgrade_cost_per_user``), ``defences.injection_detection_strength``
and ``defences.injection_detection_cost_per_check``, and from ``platforms[].security``:
``injection_switch_share``, ``injection_smoothing_days``.

State: the live level (an index into ``core.vectors.LIVENESS_LEVELS``, taken here and
nowhere else), whether injection detection is live, the upgrade in the pipeline, the share
of biometric attempts that are injections, and a deployment not yet charged.

What it hands on: the first-layer strength against each biometric vector (``strength``,
``guard_injection``) for the crews' contest, the false-reject rate (``bpcer``) for the
user kernel, its running and deployment costs for the platform's security spend.
Metric reported: ``mean_liveness_level`` (``outputs/day_values.arms_race``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simfraud.core.sums import integer_sum
from simfraud.core.vectors import BIOMETRIC_VECTORS, INJECTION, LIVENESS_LEVELS, N_BIOMETRIC
from simfraud.scenario.schema import Defences, LivenessDefence
from simfraud.scenario.schema import Liveness as LivenessConfig


@dataclass
class Upgrade:
    """A liveness upgrade on its way to production."""

    ready_day: int
    level: int
    injection_detection: bool


class Liveness:
    """One platform's liveness check: its live level, upgrades and costs.

    Attributes:
        level: Live level, an index into ``LIVENESS_LEVELS``.
        injection_detection: Whether injection detection is live.
        pending: The upgrade in the pipeline, if any.
        injection_share: Smoothed share of injections among biometric attempts.
        deployment_due: A level deployed without its cost charged yet (day 0, rule change).
    """

    def __init__(self, config: LivenessConfig):
        self.level = LIVENESS_LEVELS.index(config.level)
        self.injection_detection = config.injection_detection
        self.pending: Upgrade | None = None
        self.injection_share = 0.0
        self.deployment_due: int | None = self.level

    def configure(self, config: LivenessConfig, set_level: bool, set_injection: bool) -> None:
        """Adopt a rule change that sets the level or injection detection, at once.

        The set value replaces the live one and cancels an upgrade in the pipeline; a
        higher level is charged as a deployment.

        Args:
            config: The platform's new liveness block.
            set_level: The change sets the level.
            set_injection: The change sets injection detection.
        """
        if set_level:
            level = LIVENESS_LEVELS.index(config.level)
            if level > self.level:
                self.deployment_due = level
            self.level = level
        if set_injection:
            self.injection_detection = config.injection_detection
        if set_level or set_injection:
            self.pending = None

    # -- what the check does --------------------------------------------------------
    def table(self, defences: Defences, level: int | None = None) -> LivenessDefence:
        """The liveness table's row of the live level (or of ``level``)."""
        return getattr(defences.liveness, LIVENESS_LEVELS[self.level if level is None else level])

    def strength(self, defences: Defences) -> np.ndarray:
        """Strength of the live level against each biometric vector."""
        table = self.table(defences)
        return np.array([getattr(table, v) for v in BIOMETRIC_VECTORS])

    def guard_injection(self, strength: np.ndarray, boost: float, defences: Defences) -> None:
        """Against injection, take the stronger of the check and injection detection.

        Injection detection checks the capture path (virtual cameras, emulators), not the
        face, so it does not age with the quality of face swaps.

        Args:
            strength: First-layer strength per vector (changed in place).
            boost: The liveness control's capability boost.
            defences: The defence tables.
        """
        if self.injection_detection:
            strength[INJECTION] = max(strength[INJECTION],
                                      boost * defences.injection_detection_strength)

    def bpcer(self, defences: Defences) -> float:
        """False-reject rate of genuine face-pay users at the live level."""
        return self.table(defences).bpcer

    def cost_per_check(self, defences: Defences) -> float:
        """Running cost of one check (with injection detection when live)."""
        per_check = self.table(defences).cost_per_check
        if self.injection_detection:
            per_check += defences.injection_detection_cost_per_check
        return per_check

    def deployment_cost(self, defences: Defences, level: int, users: int) -> int:
        """One-off cost of deploying ``level`` to ``users`` users.

        Charged the same way whether the level is there on day 0 (charged on day 0), set
        by a rule change (charged that day) or reached by an upgrade (charged at go-live).
        """
        return self.table(defences, level).upgrade_cost_per_user * users

    def charge_deployment(self, defences: Defences, users: int) -> int:
        """The cost of a deployment not yet charged (0 when none), now charged."""
        if self.deployment_due is None:
            return 0
        cost = self.deployment_cost(defences, self.deployment_due, users)
        self.deployment_due = None
        return cost

    # -- upgrades -------------------------------------------------------------------
    def go_live(self, day: int, defences: Defences, users: int) -> int | None:
        """Put a finished upgrade live.

        Returns:
            The deployment's cost when an upgrade went live today, else None.
        """
        if self.pending is None or day < self.pending.ready_day:
            return None
        upgrade, self.pending = self.pending, None
        cost = 0
        if upgrade.level > self.level:
            cost = self.deployment_cost(defences, upgrade.level, users)
        self.level = max(self.level, upgrade.level)
        self.injection_detection = self.injection_detection or upgrade.injection_detection
        return cost

    def schedule(self, ready_day: int, level: int, injection: bool) -> None:
        """Put an upgrade in the pipeline (merged with one already there)."""
        if self.pending is not None:
            if self.pending.level >= level and self.pending.injection_detection >= injection:
                return
            level = max(level, self.pending.level)
            injection = injection or self.pending.injection_detection
        self.pending = Upgrade(ready_day, level, injection)

    def meets(self, level: int, injection_detection: bool) -> bool:
        """Whether the live check is at least ``level`` with the detection required.

        Args:
            level: The level required.
            injection_detection: Whether injection detection is required.
        """
        return self.level >= level and (self.injection_detection or not injection_detection)

    def comply(self, ready_day: int, minimum_level: int | None, require_injection: bool) -> None:
        """Schedule what a rule in force requires and the live check lacks."""
        if minimum_level is not None and not self.meets(minimum_level, require_injection):
            self.schedule(ready_day, max(self.level, minimum_level),
                          self.injection_detection or require_injection)

    def next_step(self, ready_day: int, switch_share: float) -> bool:
        """Schedule the next step up, if there is one.

        Injection detection comes first once injections pass ``switch_share`` of biometric
        attempts; otherwise the next level, then injection detection at the top level.

        Returns:
            Whether a step was scheduled (False at the top level with detection live).
        """
        if not self.injection_detection and self.injection_share > switch_share:
            self.schedule(ready_day, self.level, True)
        elif self.level < len(LIVENESS_LEVELS) - 1:
            self.schedule(ready_day, self.level + 1, self.injection_detection)
        elif not self.injection_detection:
            self.schedule(ready_day, self.level, True)
        else:
            return False
        return True

    def learn(self, attempts: np.ndarray, smoothing_days: float) -> None:
        """Follow the share of injections among the day's biometric attempts."""
        biometric = integer_sum(attempts[:N_BIOMETRIC])
        if biometric > 0:
            mix = attempts[INJECTION] / biometric
            self.injection_share += 1.0 / smoothing_days * (mix - self.injection_share)
