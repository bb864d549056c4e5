"""Run replicates of a scenario, in batches stepped together, and gather their results."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

import pandas as pd

from simfraud.model.fraud_model import FraudModel
from simfraud.outputs.run import RunResult
from simfraud.outputs.transactions import transactions_frame
from simfraud.scenario.schema import Scenario

BATCH_USERS = 100_000
"""Users simulated together at most: by default replicates of a smaller population are
stepped in batches of ``BATCH_USERS // users``, at most ``BATCH_REPLICATES``. Batching
saves the interpreter's warm-up of each phase, 5% to 9% of a 10,000-user replicate, little
where the users' kernel dominates, and holds a batch's models in memory together
(docs/performance.md, "Replicates in batches")."""
BATCH_REPLICATES = 8
"""Replicates stepped together at most by default: measured at 4,000 users, batches of 4
and 8 saved 11% and batches of 25 about 1% (their state no longer stays in the caches)."""


def default_batch(users: int, replicates: int, engine: str = "columnar") -> int:
    """Replicates stepped together unless told otherwise.

    As many as fit ``BATCH_USERS``, at most ``BATCH_REPLICATES``, on the columnar engine;
    one at a time on the agents engine, whose day is the users' own Python and gains
    nothing from it.
    """
    if engine != "columnar":
        return 1
    return max(1, min(replicates, BATCH_REPLICATES, BATCH_USERS // users))


def run_replicates(scenario: Scenario, replicates: int = 1, engine: str = "columnar",
                   on_day: Callable[[], None] | None = None,
                   first_replicate: int = 0, transaction_share: float = 0.0,
                   batch: int | None = None) -> RunResult:
    """Simulate ``replicates`` independent replicates, in batches stepped together.

    Replicate ``r`` draws its random numbers from ``replicate_seed(scenario.seed, r)``,
    so replicate 0 of two scenarios with one seed share their random numbers. The models of
    a batch advance day by day, each phase of a day run for all of them before the next
    (``FraudModel.step_together``); each keeps its own random numbers, so the results do
    not depend on the batch size.

    Args:
        scenario: The validated scenario.
        replicates: Number of replicates (>= 1).
        engine: ``columnar`` or ``agents``.
        on_day: Called after every simulated day of every replicate (progress).
        first_replicate: Number of the first replicate (a sweep runs replicates one by one).
        transaction_share: Share of users whose payments are logged (0: no log).
        batch: Replicates stepped together (None: ``default_batch``; 1: one after another).

    Returns:
        Concatenated daily series of every replicate and the time spent per phase.
    """
    if batch is not None and batch < 1:
        raise ValueError(f"batch must be at least 1, got {batch}")
    series, vectors, logs = [], [], []
    phases: dict[str, float] = defaultdict(float)
    setup = simulate = 0.0
    size = batch or default_batch(scenario.population.users, replicates, engine)
    last = first_replicate + replicates
    for first in range(first_replicate, last, size):
        numbers = range(first, min(first + size, last))
        models, built, simulated = _simulate_batch(scenario, numbers, engine,
                                                   transaction_share, on_day)
        setup += built
        simulate += simulated
        for replicate, model in zip(numbers, models, strict=True):
            for name, seconds in model.phase_seconds.items():
                phases[name] += seconds
            series.append(model.metrics.timeseries(replicate, scenario.start_date))
            vectors.append(model.metrics.vector_table(replicate))
            if transaction_share > 0:
                logs.append(transactions_frame(model.transaction_days, replicate,
                                               scenario.start_date,
                                               [p.name for p in scenario.platforms]))
    return RunResult(
        timeseries=pd.concat(series, ignore_index=True),
        vectors=pd.concat(vectors, ignore_index=True),
        transactions=pd.concat(logs, ignore_index=True) if logs else None,
        phase_seconds=dict(phases),
        setup_seconds=setup,
        simulate_seconds=simulate,
    )


def _simulate_batch(scenario: Scenario, numbers: range, engine: str, transaction_share: float,
                    on_day: Callable[[], None] | None) -> tuple[list[FraudModel], float, float]:
    """Build the replicates ``numbers`` and step them together to the scenario's horizon.

    Returns:
        The models, and the seconds spent building them and simulating them.
    """
    start = time.perf_counter()
    models = [FraudModel(scenario, replicate=replicate, engine=engine,
                         transaction_share=transaction_share) for replicate in numbers]
    built = time.perf_counter()
    for _ in range(scenario.days):
        FraudModel.step_together(models)
        if on_day is not None:
            for _ in models:
                on_day()
    return models, built - start, time.perf_counter() - built
