"""Run replicates of a scenario, one after another, and gather their results."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable

import pandas as pd

from simfraud.model.fraud_model import FraudModel
from simfraud.outputs.run import RunResult
from simfraud.outputs.transactions import transactions_frame
from simfraud.scenario.schema import Scenario


def run_replicates(scenario: Scenario, replicates: int = 1, engine: str = "columnar",
                   on_day: Callable[[], None] | None = None,
                   first_replicate: int = 0, transaction_share: float = 0.0) -> RunResult:
    """Simulate ``replicates`` independent replicates, one after another.

    Replicate ``r`` draws its random numbers from ``replicate_seed(scenario.seed, r)``,
    so replicate 0 of two scenarios with one seed share their random numbers.

    Args:
        scenario: The validated scenario.
        replicates: Number of replicates (>= 1).
        engine: ``columnar`` or ``agents``.
        on_day: Called after every simulated day (progress).
        first_replicate: Number of the first replicate (a sweep runs replicates one by one).
        transaction_share: Share of users whose payments are logged (0: no log).

    Returns:
        Concatenated daily series of every replicate and the time spent per phase.
    """
    series, vectors, logs = [], [], []
    phases: dict[str, float] = defaultdict(float)
    setup = simulate = 0.0
    for replicate in range(first_replicate, first_replicate + replicates):
        start = time.perf_counter()
        model = FraudModel(scenario, replicate=replicate, engine=engine,
                           transaction_share=transaction_share)
        built = time.perf_counter()
        model.run(on_day=on_day)
        done = time.perf_counter()
        setup += built - start
        simulate += done - built
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
