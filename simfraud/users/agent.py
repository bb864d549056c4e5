"""The reference engine's user: one ``mesa.Agent`` per user.

A ``UserAgent`` owns its state as length-1 columns and lives its day through the same
``users_day`` function as the columnar engine, so both engines share one statement of
user behaviour. Contacts are other agents, read through the model.
"""

from __future__ import annotations

import mesa
import numpy as np

from simfraud.users.columns import UserColumns
from simfraud.users.day import users_day


class UserAgent(mesa.Agent):
    """One payment user.

    Attributes:
        index: Position in the population (the random-number entity).
        columns: The user's own state as length-1 columns.
        contacts: Agents whose fraud this user hears about.
    """

    def __init__(self, model: mesa.Model, index: int, columns: UserColumns):
        super().__init__(model)
        self.index = index
        self.columns = columns
        self.contacts: list[UserAgent] = []
        self._defrauded = np.zeros(1, dtype=np.int64)

    def act(self) -> None:
        """Live one day (phase 5 of the model's day)."""
        self._defrauded[0] = sum(int(other.columns.victim_prev[0]) for other in self.contacts)
        engine = self.model.users
        chunk = self.index // engine.chunk
        users_day(self.columns, *self.model.day_inputs, 0, 1, self.index, self._defrauded,
                  engine.acc_int[chunk], engine.acc_float[chunk], engine.log[chunk],
                  engine.log_count[chunk:chunk + 1])

    def end_day(self) -> None:
        """Today's fraud becomes what contacts hear about tomorrow."""
        self.columns = self.columns._replace(victim_prev=self.columns.victim_now,
                                             victim_now=self.columns.victim_prev)
