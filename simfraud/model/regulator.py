"""The regulator: observes lagged fraud statistics and brings rules into force."""

from __future__ import annotations

import mesa

from simfraud.scenario.schema import Regulator

WINDOW_DAYS = 30
"""Window of the indicator the reactive regulator watches."""
BACKLASH_SMOOTHING = 1.0 / 30.0
BACKLASH_SCALE = 100_000
"""The backlash index counts face-pay frauds per this many users (smoothed)."""


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
        if end < WINDOW_DAYS:
            return
        window = daily_loss_per_user[end - WINDOW_DAYS:end]
        indicator = sum(window) / WINDOW_DAYS
        self.days_above = self.days_above + 1 if indicator > cfg.threshold else 0
        if self.days_above >= cfg.persistence_days:
            self.decided_day = day
            self.in_force_day = day + cfg.legislative_lag_days

    def record_face_frauds(self, frauds: int, users: int) -> None:
        """Update the backlash index with today's successful face (biometric) frauds."""
        rate = frauds / max(users, 1) * BACKLASH_SCALE
        self.backlash += BACKLASH_SMOOTHING * (rate - self.backlash)

    def in_force(self, day: int) -> bool:
        """Whether the regulator's rules apply on ``day``."""
        return self.in_force_day is not None and day >= self.in_force_day
