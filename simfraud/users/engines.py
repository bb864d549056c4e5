"""The two ways users are held: columns (fast) or one mesa agent each (reference).

Both expose the same interface to the model: ``run_day`` fills the per-chunk
accumulators, ``population_totals`` sums the users' cumulative money columns, and
``columns`` gives the population state as columns.
"""

from __future__ import annotations

import numba
import numpy as np

from simfraud.core.sums import integer_sum
from simfraud.users import counters as layout
from simfraud.users.agent import UserAgent
from simfraud.users.columns import COLUMNS, UserColumns, row
from simfraud.users.day import DayInputs, run_day
from simfraud.users.network import contact_list
from simfraud.users.transactions import MAX_EVENTS, N_FIELDS

CHUNK = 4_096
"""Users per accumulator chunk. Part of the result: sums are taken chunk by chunk."""
CHUNKS_PER_THREAD = 2
"""Fewest chunks a kernel thread is given: below that, waking a thread costs more than it
saves (measured on 2 cores, docs/performance.md). Does not change results: each chunk
fills its own accumulator row whichever thread runs it."""


class ColumnarUsers:
    """Users as columns, advanced by the parallel numba kernel."""

    name = "columnar"

    def __init__(self, columns: UserColumns, n_platforms: int, sampled: np.ndarray):
        self.columns_ = columns
        self.chunk = CHUNK
        n_chunks = max(1, -(-len(columns.platform) // CHUNK))
        self.acc_int = np.zeros((n_chunks, layout.n_int_slots(n_platforms)), dtype=np.int64)
        self.acc_float = np.zeros((n_chunks, layout.n_float_slots(n_platforms)))
        per_chunk = np.add.reduceat(sampled, np.arange(0, len(sampled), CHUNK)) if len(
            sampled) else np.zeros(1, dtype=np.int64)
        capacity = int(per_chunk.max()) * MAX_EVENTS
        self.log = np.zeros((n_chunks, capacity, N_FIELDS), dtype=np.int64)
        self.log_count = np.zeros(n_chunks, dtype=np.int64)
        self.useful_threads = max(1, n_chunks // CHUNKS_PER_THREAD)

    def day_log(self) -> np.ndarray:
        """Today's transaction records, chunk after chunk."""
        return np.concatenate([self.log[k, :n] for k, n in enumerate(self.log_count)])

    def run_day(self, inputs: DayInputs) -> None:
        """Advance every user by one day, on at most ``useful_threads`` of numba's threads."""
        threads = numba.get_num_threads()
        numba.set_num_threads(min(threads, self.useful_threads))
        try:
            run_day(self.columns_, *inputs, self.acc_int, self.acc_float, self.log,
                    self.log_count, self.chunk)
        finally:
            numba.set_num_threads(threads)
        c = self.columns_
        self.columns_ = c._replace(victim_prev=c.victim_now, victim_now=c.victim_prev)

    def population_totals(self) -> tuple[int, int]:
        """Sum of users' cumulative losses and refunds."""
        return integer_sum(self.columns_.loss), integer_sum(self.columns_.refunded)

    def columns(self) -> UserColumns:
        """The population's state."""
        return self.columns_


class AgentUsers(ColumnarUsers):
    """Users as one ``UserAgent`` each, stepped in index order (the reference engine)."""

    name = "agents"

    def __init__(self, model, columns: UserColumns, n_platforms: int, sampled: np.ndarray,
                 contacts_key: int, n_contacts: int, window: int):
        super().__init__(columns, n_platforms, sampled)
        n = len(columns.platform)
        self.agents = [UserAgent(model, i, row(columns, i)) for i in range(n)]
        self.columns_ = None
        for agent in self.agents:
            agent.contacts = [
                self.agents[j]
                for j in contact_list(np.uint64(contacts_key), agent.index, n_contacts, n, window)
            ]
        self.model = model

    def run_day(self, inputs: DayInputs) -> None:
        """Every agent lives its day, then today's fraud becomes yesterday's."""
        self.acc_int[:] = 0
        self.acc_float[:] = 0.0
        self.log_count[:] = 0
        users = self.model.agents_by_type[UserAgent]
        users.do("act")
        users.do("end_day")

    def population_totals(self) -> tuple[int, int]:
        """Sum of users' cumulative losses and refunds."""
        loss = sum(int(a.columns.loss[0]) for a in self.agents)
        refunds = sum(int(a.columns.refunded[0]) for a in self.agents)
        return loss, refunds

    def columns(self) -> UserColumns:
        """The population's state, gathered from the agents."""
        return UserColumns(*(
            np.concatenate([getattr(a.columns, c.name) for a in self.agents])
            for c in COLUMNS
        ))
