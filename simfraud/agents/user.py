"""The reference engine's user: one ``mesa.Agent`` per user.

A ``UserAgent`` owns its state as length-1 columns and lives its day through the same
``user_day`` function as the columnar engine, so both engines share one statement of
user behaviour. Contacts are other agents, read through the model.
"""

from __future__ import annotations

import mesa
import numpy as np
from numba import njit

from simfraud.kernels.day import contact, user_day
from simfraud.population.columns import UserColumns
from simfraud.rng import STREAM_CONTACTS, entity_key


@njit(cache=True)
def contact_list(contacts_key: np.uint64, user: np.int64, n_contacts: np.int64,
                 n_users: np.int64, window: np.int64) -> np.ndarray:
    """Indices of a user's contacts (as the columnar engine finds them; self excluded)."""
    out = np.empty(n_contacts, dtype=np.int64)
    kept = 0
    user_key = entity_key(contacts_key, STREAM_CONTACTS, user)
    for k in range(n_contacts):
        j = contact(user_key, user, k, n_users, window)
        if j != user:
            out[kept] = j
            kept += 1
    return out[:kept]


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

    def act(self) -> None:
        """Live one day (phase 5 of the model's day)."""
        defrauded = 0
        for other in self.contacts:
            defrauded += int(other.columns.victim_prev[0])
        engine = self.model.users
        chunk = self.index // engine.chunk
        user_day(0, self.index, self.columns, self.model.day_inputs, defrauded,
                 engine.acc_int[chunk], engine.acc_float[chunk], engine.log[chunk],
                 engine.log_count[chunk:chunk + 1])

    def end_day(self) -> None:
        """Today's fraud becomes what contacts hear about tomorrow."""
        self.columns = self.columns._replace(victim_prev=self.columns.victim_now,
                                             victim_now=self.columns.victim_prev)
