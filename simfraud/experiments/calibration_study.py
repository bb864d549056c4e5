"""The calibration's Optuna study: kept on disk, its trials simulated in parallel batches.

The study is an SQLite file, ``OUT/study.db``, that only the calling process opens: the
workers (local processes or the machines of a Dask cluster) simulate replicates and
return numbers, so they need no access to the output folder. Each batch asks the sampler
for ``parallel`` trials, simulates every replicate of every trial side by side, and
tells the results back in trial order. The sampler of a batch is seeded with the spec's
seed plus the number of trials already complete, so the search depends on the seed and
the batch size only, not on the number of workers or the order in which they finish, and
a calibration resumed after a kill between batches proposes what it would have proposed
without the kill. Trials that were running when the process died are marked failed when
the study is opened again; the sampler ignores them and the calibration runs complete
trials until it has the number asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simfraud.experiments.calibration_targets import Target, measured
from simfraud.experiments.dispatch import dask_client, numba_threads_per_run
from simfraud.experiments.worker import limit_threads
from simfraud.results.lock import shown

STUDY_FILE = "study.db"
STUDY_NAME = "calibration"

Parts = list[list[tuple[float, float]]]
"""Per replicate, per target: the ``measured`` parts of the target's value."""
Simulate = Callable[[list[dict[str, Any]], range], list[Parts]]
"""Scenarios (``model_dump``) and replicates -> the parts, per scenario."""


class CalibrationError(Exception):
    """A calibration cannot start (its folder holds another one, a study file is broken)."""


def replicate_parts(scenario: dict[str, Any], replicate: int, targets: list[Target],
                    scale: float, numba_threads: int | None = None
                    ) -> list[tuple[float, float]]:
    """Simulate one replicate of a trial's scenario; each target's ``measured`` parts.

    Runs on a worker (a local process or a Dask worker); everything it needs is in its
    arguments.

    Raises:
        ValueError: When a target has no simulated data (its period is not simulated).
    """
    from simfraud.model.replicates import run_replicates
    from simfraud.scenario.schema import Scenario

    limit_threads(numba_threads)
    result = run_replicates(Scenario.model_validate(scenario), 1, first_replicate=replicate)
    return [measured(result.timeseries, result.vectors, target, scale) for target in targets]


@contextmanager
def simulator(targets: list[Target], scale: float, workers: int | None,
              scheduler: str | None) -> Iterator[Simulate]:
    """A function simulating the replicates of several scenarios, here or on workers.

    Args:
        targets: The targets every replicate is measured on.
        scale: Real population over simulated users.
        workers: Local worker processes; 1 (without a scheduler) simulates in this process.
        scheduler: Address of a Dask scheduler to simulate on instead.

    Yields:
        ``simulate(scenarios, replicates)``: per scenario, per replicate, per target, the
        target's ``measured`` parts.

    Raises:
        ExperimentError: When the scheduler cannot be reached.
    """
    if workers == 1 and not scheduler:
        yield lambda scenarios, replicates: [
            [replicate_parts(s, r, targets, scale) for r in replicates] for s in scenarios]
        return
    with dask_client(workers, scheduler) as client:
        threads = numba_threads_per_run(client)

        def simulate(scenarios: list[dict[str, Any]], replicates: range):
            futures = [[client.submit(replicate_parts, s, r, targets, scale, threads,
                                      pure=False) for r in replicates] for s in scenarios]
            try:
                return [client.gather(row) for row in futures]
            finally:
                client.cancel([f for row in futures for f in row])
        yield simulate


def refuse_unless_resumed(out: Path, resume: bool) -> None:
    """Refuse a folder that holds a study unless the calibration is resumed.

    Raises:
        CalibrationError: When ``out`` holds ``study.db`` and ``resume`` is not set.
    """
    if (out / STUDY_FILE).exists() and not resume:
        raise CalibrationError(f"--out {shown(out)}: already holds a calibration "
                               f"({STUDY_FILE}); pass --resume to continue it or choose "
                               "another folder")


@contextmanager
def study_in(out: Path, fingerprint: str, resume: bool,
             start: list[dict[str, float]] = ()) -> Iterator[Any]:
    """The study of ``out`` (``open_study``) for the block.

    A new study first runs the ``start`` trials (the spec's: parameter values to try
    before the sampler's own); a resumed one already holds them.

    A study this block created is removed again when the block fails before any trial
    is complete (a target with no simulated data, Ctrl-C in the first batch), so the
    folder can be used again without ``--resume``.
    """
    created = not (out / STUDY_FILE).exists()
    study = open_study(out, fingerprint, resume)
    if created:
        for point in start:
            study.enqueue_trial(point)
    try:
        yield study
    except BaseException:
        if created and not complete_trials(study):
            (out / STUDY_FILE).unlink(missing_ok=True)
        raise


def open_study(out: Path, fingerprint: str, resume: bool):
    """Create ``OUT/study.db``, or open it to resume the same calibration.

    Trials left running by a killed process are marked failed.

    Raises:
        CalibrationError: When the folder holds a study and ``resume`` is not set, holds
            another calibration's study, or its study file cannot be read.
    """
    import optuna
    import sqlalchemy.exc

    path = out / STUDY_FILE
    refuse_unless_resumed(out, resume)
    out.mkdir(exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            storage=optuna.storages.RDBStorage(f"sqlite:///{path.resolve()}"),
            study_name=STUDY_NAME, direction="minimize", load_if_exists=True)
    except (sqlalchemy.exc.SQLAlchemyError, ValueError, KeyError) as exc:
        first = (str(exc).splitlines() or [repr(exc)])[0]
        raise CalibrationError(f"--out {shown(out)}: {STUDY_FILE} cannot be read ({first}); "
                               "choose another folder") from None
    recorded = study.user_attrs.get("fingerprint")
    if recorded is None:
        study.set_user_attr("fingerprint", fingerprint)
    elif recorded != fingerprint:
        raise CalibrationError(f"--out {shown(out)}: holds a different calibration (its "
                               "spec, scenario, targets or users differ), so it cannot be "
                               "resumed with these arguments")
    for trial in study.get_trials(deepcopy=False, states=(
            optuna.trial.TrialState.RUNNING,)):
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL)
    return study


@dataclass(frozen=True)
class Measured:
    """What one trial measured: its loss and what it records beside it."""

    loss: float
    attributes: dict[str, Any]


def complete_trials(study) -> list:
    """The study's complete trials, in trial order."""
    import optuna

    return study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))


def run_batches(study, total: int, batch: int, seed: int,
                suggest: Callable[[Any], dict[str, Any]],
                measure: Callable[[list[dict[str, Any]]], list[Measured]],
                on_trial: Callable[[], None]) -> None:
    """Run batches of trials until the study holds ``total`` complete trials.

    Args:
        study: The Optuna study (``open_study``).
        total: Complete trials wanted.
        batch: Trials asked for together and measured side by side.
        seed: Seed of the sampler (plus the number of trials complete at each batch).
        suggest: A trial's parameter values, drawn from the sampler.
        measure: The measurements of a batch's parameter values.
        on_trial: Called after every trial told.

    Raises:
        Whatever ``suggest`` or ``measure`` raise; the batch's trials are then failed.
    """
    import optuna

    while (done := len(complete_trials(study))) < total:
        study.sampler = optuna.samplers.TPESampler(seed=(seed + done) % 2**32)
        trials = []
        try:
            values = []
            for _ in range(min(batch, total - done)):
                trials.append(study.ask())
                values.append(suggest(trials[-1]))
            results = measure(values)
        except BaseException:
            for trial in trials:
                study.tell(trial, state=optuna.trial.TrialState.FAIL)
            raise
        for trial, result in zip(trials, results, strict=True):
            for key, value in result.attributes.items():
                trial.set_user_attr(key, value)
            study.tell(trial, result.loss)
            on_trial()
