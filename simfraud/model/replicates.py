"""Run replicates of a scenario, in batches stepped together, and gather their results."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterator

import pandas as pd

from simfraud.core.batches import default_batch
from simfraud.model.fraud_model import FraudModel
from simfraud.outputs.run import RunResult
from simfraud.outputs.transactions import transactions_frame
from simfraud.scenario.schema import Scenario


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
        first_replicate: Number of the first replicate (an experiment task's first run's).
        transaction_share: Share of users whose payments are logged (0: no log).
        batch: Replicates stepped together (None: ``default_batch``; 1: one after another).

    Returns:
        Concatenated daily series of every replicate and the time spent per phase.
    """
    results = list(replicate_runs(scenario, replicates, engine, on_day, first_replicate,
                                  transaction_share, batch))
    phases: dict[str, float] = defaultdict(float)
    for result in results:
        for name, seconds in result.phase_seconds.items():
            phases[name] += seconds
    logs = [r.transactions for r in results if r.transactions is not None]
    return RunResult(
        timeseries=pd.concat([r.timeseries for r in results], ignore_index=True),
        vectors=pd.concat([r.vectors for r in results], ignore_index=True),
        transactions=pd.concat(logs, ignore_index=True) if logs else None,
        phase_seconds=dict(phases),
        setup_seconds=sum(r.setup_seconds for r in results),
        simulate_seconds=sum(r.simulate_seconds for r in results),
    )


def replicate_runs(scenario: Scenario, replicates: int = 1, engine: str = "columnar",
                   on_day: Callable[[], None] | None = None, first_replicate: int = 0,
                   transaction_share: float = 0.0,
                   batch: int | None = None) -> Iterator[RunResult]:
    """Each replicate's own results, in replicate order, simulated in batches.

    A replicate's ``simulate_seconds`` is its batch's simulation time shared equally
    among the batch; its ``setup_seconds`` are its own. A batch's models are let go
    (``FraudModel.release``) once their results are taken.

    Args:
        scenario: The validated scenario.
        replicates: Number of replicates (>= 1).
        engine: ``columnar`` or ``agents``.
        on_day: Called after every simulated day of every replicate (progress).
        first_replicate: Number of the first replicate.
        transaction_share: Share of users whose payments are logged (0: no log).
        batch: Replicates stepped together (None: ``default_batch``; 1: one after another).

    Yields:
        One ``RunResult`` per replicate, as ``run_replicates`` of that replicate alone
        would return it.

    Raises:
        ValueError: When ``batch`` is not a whole number of at least 1.
    """
    if batch is not None and (isinstance(batch, bool) or not isinstance(batch, int)
                              or batch < 1):
        raise ValueError(f"batch must be a whole number of at least 1, got {batch!r}")
    size = batch or default_batch(scenario.population.users, replicates, engine)
    last = first_replicate + replicates
    names = [p.name for p in scenario.platforms]
    for first in range(first_replicate, last, size):
        numbers = range(first, min(first + size, last))
        models, built, simulated = _simulate_batch(scenario, numbers, engine,
                                                   transaction_share, on_day)
        results = [RunResult(
            timeseries=model.metrics.timeseries(replicate, scenario.start_date),
            vectors=model.metrics.vector_table(replicate),
            transactions=transactions_frame(model.transaction_days, replicate,
                                            scenario.start_date, names)
            if transaction_share > 0 else None,
            phase_seconds=dict(model.phase_seconds),
            setup_seconds=setup,
            simulate_seconds=simulated / len(models),
        ) for replicate, model, setup in zip(numbers, models, built, strict=True)]
        for model in models:
            model.release()
        del models
        yield from results


def _simulate_batch(scenario: Scenario, numbers: range, engine: str, transaction_share: float,
                    on_day: Callable[[], None] | None
                    ) -> tuple[list[FraudModel], list[float], float]:
    """Build the replicates ``numbers`` and step them together to the scenario's horizon.

    Returns:
        The models, the seconds spent building each, and the seconds spent simulating them.
    """
    models, built = [], []
    for replicate in numbers:
        start = time.perf_counter()
        models.append(FraudModel(scenario, replicate=replicate, engine=engine,
                                 transaction_share=transaction_share))
        built.append(time.perf_counter() - start)
    start = time.perf_counter()
    for _ in range(scenario.days):
        FraudModel.step_together(models)
        if on_day is not None:
            for _ in models:
                on_day()
    return models, built, time.perf_counter() - start
