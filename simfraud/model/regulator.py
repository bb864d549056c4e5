"""The regulator: observes lagged fraud statistics, brings rules into force, says which apply."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from simfraud.core.vectors import LIVENESS_LEVELS, VECTORS
from simfraud.scenario.schema import Regulator

if TYPE_CHECKING:
    from simfraud.model.liveness import Liveness

BACKLASH_SCALE = 100_000
"""The backlash index counts face-pay frauds per this many users (smoothed)."""


@dataclass(frozen=True)
class Rules:
    """Which regulatory instruments apply today (what phase 2 hands to the others).

    Attributes:
        in_force: Whether the regulator's rules apply.
        mandated: Per vector, 1 when mandatory reimbursement covers it.
        minimum_level: Liveness level index platforms must reach (None: no rule).
        require_injection: Whether platforms must run injection detection.
        face_allowed: Whether face pay is allowed (no ban).
        consent_required: Face pay needs consent and a non-biometric alternative.
        harvest_factor: Multiplier of face and credential harvesting (data protection).
        breach_factor: Multiplier of breach sizes (data protection).
        spread_factor: Multiplier of public tool releases' Bass innovation and imitation
            (content moderation).
        assessed_level: Liveness level index below which a platform may not offer face
            pay (pre-launch security assessment; None: no assessment).
        assessed_injection: Whether the assessment also requires injection detection.
        review_days: Days the assessment adds to a liveness upgrade's deployment lag.
        fine_per_user_day: Fine per user and day on a platform below the minimum
            liveness rule past its compliance deadline (0 before the deadline).
        fine_loss_share: Fine as a share of such a platform's gross fraud loss of the day.
    """

    in_force: bool
    mandated: np.ndarray
    minimum_level: int | None
    require_injection: bool
    face_allowed: bool
    consent_required: bool
    harvest_factor: float
    breach_factor: float
    spread_factor: float = 1.0
    assessed_level: int | None = None
    assessed_injection: bool = False
    review_days: int = 0
    fine_per_user_day: float = 0.0
    fine_loss_share: float = 0.0

    @property
    def required_level(self) -> int | None:
        """Liveness level platforms upgrade to: the higher of the rule's and the assessment's."""
        levels = [x for x in (self.minimum_level, self.assessed_level) if x is not None]
        return max(levels) if levels else None

    @property
    def required_injection(self) -> bool:
        """Whether platforms must add injection detection (rule or assessment)."""
        return self.require_injection or self.assessed_injection

    def face_pay_permitted(self, liveness: Liveness) -> bool:
        """Whether a platform with this live liveness check may offer face pay today."""
        if not self.face_allowed:
            return False
        return self.assessed_level is None or liveness.meets(self.assessed_level,
                                                             self.assessed_injection)

    def non_compliant(self, liveness: Liveness) -> bool:
        """Whether a platform breaks the minimum liveness rule past its deadline (fined)."""
        if self.minimum_level is None or not (self.fine_per_user_day or self.fine_loss_share):
            return False
        return not liveness.meets(self.minimum_level, self.require_injection)


class RegulatorAgent(mesa.Agent):
    """One jurisdiction's regulator.

    Attributes:
        config: The regulator's scenario block.
        in_force_day: Day the rules come (or came) into force; None while undecided.
        decided_day: Day a reactive regulator decided to act.
        backlash: Public backlash index against face pay (smoothed successful biometric
            frauds per 100,000 users).
    """

    def __init__(self, model: mesa.Model, config: Regulator):
        super().__init__(model)
        self.config = config
        self.decided_day: int | None = None
        self.days_above = 0
        self.backlash = 0.0
        self.in_force_day: int | None = (
            config.effective_day if config.stance == "proactive" else None
        )
        self._rules: Rules | None = None  # the last day's rules, and what they were built from
        self._rules_key: tuple = ()

    def configure(self, config: Regulator, day: int) -> None:
        """Adopt a changed scenario block (a rule change on ``day``).

        Laissez-faire repeals rules in force; a proactive stance (re)sets the day rules
        come into force unless they already are; a reactive one keeps what it observed.
        """
        if config.stance == "laissez_faire":
            self.in_force_day = None
            self.decided_day = None
            self.days_above = 0
        elif config.stance == "proactive" and not self.in_force(day):
            self.in_force_day = config.effective_day
        self.config = config

    def observe(self, day: int, daily_loss_per_user: list[float]) -> None:
        """Look at lagged statistics and decide whether to legislate.

        Args:
            day: Current day.
            daily_loss_per_user: Gross fraud loss per user for every past day.
        """
        cfg = self.config
        if cfg.stance != "reactive" or self.decided_day is not None:
            return
        end = day - cfg.observation_lag_days
        window_days = cfg.indicator_window_days
        if end < window_days:
            return
        window = daily_loss_per_user[end - window_days:end]
        indicator = sum(window) / window_days
        self.days_above = self.days_above + 1 if indicator > cfg.threshold else 0
        if self.days_above >= cfg.persistence_days:
            self.decided_day = day
            self.in_force_day = day + cfg.legislative_lag_days

    def record_face_frauds(self, frauds: int, users: int) -> None:
        """Update the backlash index with today's successful face (biometric) frauds."""
        rate = frauds / max(users, 1) * BACKLASH_SCALE
        self.backlash += 1.0 / self.config.backlash_smoothing_days * (rate - self.backlash)

    def rules(self, day: int) -> Rules:
        """The instruments in force on ``day`` (from the regulator's scenario block).

        They change only when the rules come into force, fines start or the block is
        replaced, so the last day's ``Rules`` is handed out again until then.
        """
        on = self.in_force(day)
        fines = self.config.instruments.fines
        fined = on and fines.enabled and day >= self.in_force_day + fines.grace_days
        key = (self.config, on, fined)
        if self._rules is None or any(a is not b for a, b in zip(key, self._rules_key,
                                                                   strict=True)):
            self._rules, self._rules_key = self._build_rules(on, fined), key
        return self._rules

    def _build_rules(self, on: bool, fined: bool) -> Rules:
        """The instruments of the regulator's block, with rules in force (``on``) or not."""
        inst = self.config.instruments
        mandate = inst.mandatory_reimbursement
        mandated = np.array(
            [on and mandate.enabled and v in mandate.vectors for v in VECTORS], dtype=np.uint8
        )
        minimum = inst.minimum_liveness
        data = inst.data_protection
        face_rule = inst.face_recognition.rule if on else "none"
        moderation, assessment = inst.content_moderation, inst.security_assessment
        assessed = on and assessment.enabled
        fines = inst.fines
        return Rules(
            in_force=on,
            mandated=mandated,
            minimum_level=LIVENESS_LEVELS.index(minimum.level) if on and minimum.enabled
            else None,
            require_injection=bool(on and minimum.enabled and minimum.injection_detection),
            face_allowed=face_rule != "ban",
            consent_required=face_rule == "consent_with_alternative",
            harvest_factor=1.0 - data.harvest_reduction if on and data.enabled else 1.0,
            breach_factor=1.0 - data.breach_reduction if on and data.enabled else 1.0,
            spread_factor=1.0 - moderation.spread_reduction if on and moderation.enabled
            else 1.0,
            assessed_level=LIVENESS_LEVELS.index(assessment.level) if assessed else None,
            assessed_injection=bool(assessed and assessment.injection_detection),
            review_days=assessment.review_days if assessed else 0,
            fine_per_user_day=fines.per_user_day if fined else 0.0,
            fine_loss_share=fines.loss_share if fined else 0.0,
        )

    def in_force(self, day: int) -> bool:
        """Whether the regulator's rules apply on ``day``."""
        return self.in_force_day is not None and day >= self.in_force_day
