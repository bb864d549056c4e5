"""How many replicates are stepped together: in one process, and in one experiment task.

Replicates of a small population run faster in a batch whose models take each phase of a
day in turn (``FraudModel.step_together``): the interpreter's code and data for that phase
stay warm. Nothing else is shared and no result depends on the batch (tested). This module
imports nothing of the model, so an experiment's command can plan its tasks without
loading numba.
"""

from __future__ import annotations

BATCH_USERS = 100_000
"""Users simulated together at most: by default replicates of a smaller population are
stepped in batches of ``BATCH_USERS // users``, at most ``BATCH_REPLICATES``. Batching
saves the interpreter's warm-up of each phase, 5% to 9% of a 10,000-user replicate, little
where the users' kernel dominates, and holds a batch's models in memory together
(docs/performance.md, "Replicates in batches")."""
BATCH_REPLICATES = 8
"""Replicates stepped together at most by default: measured at 4,000 users, batches of 4
and 8 saved 11% and batches of 25 about 1% (their state no longer stays in the caches)."""
MIN_TASK_BATCH = 4
"""Smallest batch an experiment makes into one task: batches of 2 saved nothing
measurable, and a task of several runs is a coarser unit of work to share out."""
TASKS_PER_SLOT = 4
"""An experiment batches its runs only while every task slot of its cluster still gets
this many tasks, so that the last tasks, which leave slots idle, stay small."""


def default_batch(users: int, replicates: int, engine: str = "columnar") -> int:
    """Replicates stepped together unless told otherwise.

    As many as fit ``BATCH_USERS``, at most ``BATCH_REPLICATES``, on the columnar engine;
    one at a time on the agents engine, whose day is the users' own Python and gains
    nothing from it.

    Args:
        users: Simulated users per replicate.
        replicates: Replicates to run.
        engine: ``columnar`` or ``agents``.

    Returns:
        The batch size, at least 1.
    """
    if engine != "columnar":
        return 1
    return max(1, min(replicates, BATCH_REPLICATES, BATCH_USERS // users))


def task_batch(users: int, runs: int, slots: int) -> int:
    """Runs of one variant an experiment puts in one task.

    Args:
        users: The variant's simulated users.
        runs: Runs the experiment has left to do.
        slots: Runs its cluster can hold at once (workers' threads).

    Returns:
        ``default_batch`` of the population, at most ``runs / (slots * TASKS_PER_SLOT)``;
        1 when that is below ``MIN_TASK_BATCH`` or no slot is known yet (a ``--scheduler``
        cluster whose workers have not joined).
    """
    if slots < 1:
        return 1
    size = min(default_batch(users, BATCH_REPLICATES), runs // (slots * TASKS_PER_SLOT))
    return size if size >= MIN_TASK_BATCH else 1
