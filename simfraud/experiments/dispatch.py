"""Run many experiment runs on local worker processes or a Dask cluster, results on disk.

Each run writes its own folder under ``OUT/runs/`` (the ``simfraud run`` layout) as it
finishes; ``OUT/index.parquet`` (one row per run) is rewritten atomically as runs finish,
at most once a second, and when the last one has. ``OUT/experiment.json`` fingerprints
the run list, so ``--resume`` continues the same experiment: finished runs (a folder
whose manifest and files verify) are skipped, everything else (failed, interrupted,
never started, corrupt) runs again. No run is lost or done twice. The caller holds the
folder's lock (``FolderLock``) throughout.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import os
import shutil
import socket
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from simfraud.core.batches import task_batch
from simfraud.core.progress import progress
from simfraud.experiments.plan import RunSpec
from simfraud.experiments.record import experiment_record, write_scenarios
from simfraud.experiments.worker import RunOutcome, execute_runs, headline
from simfraud.experiments.worker_server import (
    START_METHOD,
    interrupts_ignored,
    prepare_worker,
    sources_digest,
    start_worker_server,
)
from simfraud.results.atomic import remove_partials, write_parquet_atomic, write_text_atomic
from simfraud.results.lock import FolderLock, OutputError, output_folder, shown
from simfraud.results.manifest import MANIFEST, ResultFolderError, record_bytes, verified
from simfraud.results.units import index_units, with_units
from simfraud.scenario.overrides import set_path

EXPERIMENT = "experiment.json"
INDEX = "index.parquet"
INDEX_SECONDS = 1.0
"""Least time between two writes of the index while runs finish (each write takes about
10 ms, which a thousand short runs would take from the workers' cores). The run folders,
not the index, say which runs finished: a resume reads them."""
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "200ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.worker.multiprocessing-method": START_METHOD,
}
"""Dask settings of the local cluster a command starts (not of a ``--scheduler``'s).

Nothing reads the workers' statistical profiler (there is no dashboard), yet it samples
the running run's stack 100 times a second and competes with it for the interpreter;
the event loops' ticks (every 20 ms by default), system monitors (500 ms) and memory
monitors (100 ms) wake every process of the cluster. Sampled with py-spy over a 2 x 50
compare at 10,000 users x 365 days, the threads beside the runs took about 17 s of CPU
in the workers and 17 s in the command with dask's defaults, 13 s and 11 s with these
(docs/performance.md). Memory is still watched, once a second. Workers are forked from
a server that has imported what a run needs (``worker_server``).
"""
RUN_FILES = ("timeseries.parquet", "vectors.parquet", "summary.json", "scenario.yaml")
"""Files every finished run's manifest must record."""


class ExperimentError(Exception):
    """An experiment cannot start (bad output folder, mismatched resume, no scheduler)."""


class RunsFailedError(Exception):
    """Some runs of an experiment failed (their rows in ``index`` say why)."""

    def __init__(self, index: pd.DataFrame):
        super().__init__(f"{int((index['status'] != 'ok').sum())} run(s) failed")
        self.index = index


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """Hold the experiment folder's lock (``FolderLock``) for the block.

    Raises:
        ExperimentError: When another process writes into ``out`` or it cannot be used.
    """
    try:
        lock = FolderLock(out)
        lock.acquire()
    except OutputError as exc:
        raise ExperimentError(f"--out {exc}") from None
    try:
        yield
    finally:
        lock.release()


@dataclass(frozen=True)
class Task:
    """A run and the scenario it varies."""

    base: dict[str, Any]
    spec: RunSpec
    seed: int


@contextmanager
def dask_client(workers: int | None, scheduler: str | None) -> Iterator[Any]:
    """A Dask client: on the cluster at ``scheduler``, else on local worker processes.

    Args:
        workers: Local worker processes (default: one per core). Ignored with a scheduler.
        scheduler: Address of an existing dask.distributed scheduler (``tcp://host:port``).

    Yields:
        A connected ``distributed.Client``.

    Raises:
        ExperimentError: When the scheduler cannot be reached.
    """
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ExperimentError(f"--scheduler {shown(scheduler)}: cannot connect "
                                  f"({_first_line(exc)})") from None
        with _quiet_on_interrupt():
            try:
                yield client
            finally:
                client.close()
        return
    start_worker_server()
    spawned = START_METHOD == "spawn"  # a spawned worker ignores SIGINT if started so
    with (interrupts_ignored() if spawned else nullcontext()), dask.config.set(
            LOCAL_CLUSTER_CONFIG):  # workers inherit the settings
        cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                               processes=True, dashboard_address=":0",
                               silence_logs=logging.CRITICAL)  # a run's error is in the index
    with _quiet_on_interrupt():
        try:
            client = Client(cluster)
            try:
                _check_sources(client.run(prepare_worker))
                yield client
            finally:
                client.close()
        finally:
            _close_behind(cluster)


def _check_sources(digests: dict[str, str]) -> None:
    """Refuse local workers whose simfraud sources are not this process's.

    Raises:
        ExperimentError: When a worker's sources differ: the server they are forked from
            imports another copy of simfraud, or the sources changed between this
            process's first look at them and the server's start.
    """
    own = sources_digest()
    if any(digest != own for digest in digests.values()):
        raise ExperimentError(
            "local workers run other simfraud sources than this process (the server they "
            "are forked from started before the sources changed, or imports another "
            "copy): start a new Python process")


def numba_threads_per_run(client: Any) -> int | None:
    """Numba threads for each run: a machine's cores shared among the runs it holds at once.

    Each dask worker runs ``nthreads`` runs at a time, and numba would give each of them
    every core of its machine; so a run gets the cores of a machine (those its processes
    may use) divided by the task threads of all the workers there, the fewest over the
    machines (a run does not know in advance where it goes; results do not depend on the
    count). Machines are told apart by host name, not by the address a worker listens on.
    The count is taken once, when the experiment starts: a worker that joins later is not
    counted, and a worker that does not answer is left out.

    Args:
        client: A client connected to the cluster the runs go to.

    Returns:
        The threads, at least 1; None (numba's own count) when no worker answers, such as a
        cluster whose workers have not joined yet.
    """
    workers = client.scheduler_info()["workers"]
    if not workers:
        return None
    answers = client.run(_machine_cores, workers=list(workers), on_error="ignore")
    task_threads: dict[str, int] = defaultdict(int)
    cores: dict[str, int] = {}
    for address, (machine, machine_cores_seen) in answers.items():
        task_threads[machine] += workers[address]["nthreads"]
        cores[machine] = max(cores.get(machine, 1), machine_cores_seen)
    shares = [max(1, cores[machine] // threads) for machine, threads in task_threads.items()]
    return min(shares) if shares else None


def _machine_cores() -> tuple[str, int]:
    """This machine's host name and the cores this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return socket.gethostname(), cores


def _close_behind(cluster: Any) -> None:
    """Close a local cluster in a thread, so the command writes its tables meanwhile.

    Stopping the workers takes from 0.7 s to a few seconds (each process exits). The
    thread is not a daemon: the interpreter waits for it before it exits, so no worker
    outlives the command.
    """
    threading.Thread(target=cluster.close, name="simfraud-close-workers").start()


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [repr(exc)])[0]


@contextmanager
def _quiet_on_interrupt() -> Iterator[None]:
    """Silence distributed's logs while a Ctrl-C tears the cluster down."""
    try:
        yield
    except KeyboardInterrupt:
        logging.getLogger("distributed").setLevel(logging.CRITICAL + 1)
        raise


def fingerprint(tasks: list[Task]) -> str:
    """Identity of an experiment: its scenarios and runs (a resume must match it)."""
    digest = hashlib.sha256()
    bases: dict[int, str] = {}
    for task in tasks:
        key = id(task.base)
        if key not in bases:
            bases[key] = json.dumps(task.base, sort_keys=True, default=str)
        digest.update(json.dumps([bases[key], task.spec.run_id, task.spec.changes],
                                 sort_keys=True, default=str).encode())
    return digest.hexdigest()


def prepare(out: Path, kind: str, fingerprint: str, total: int, resume: bool,
            record: dict[str, Any] | None = None) -> None:
    """Check or create ``OUT/experiment.json`` and clear what interrupted runs left.

    A resumed experiment keeps the record written when it started.

    Raises:
        ExperimentError: When ``out`` cannot be used, holds another experiment (or this
            one without ``resume``) or has a corrupt ``experiment.json``.
    """
    try:
        output_folder(out)
    except OutputError as exc:
        raise ExperimentError(f"--out {exc}") from None
    marker = out / EXPERIMENT
    if marker.exists():
        previous = _read_marker(out, marker)
        if not resume:
            raise ExperimentError(
                f"--out {shown(out)}: already holds a {previous.get('kind', 'sweep')}; pass "
                "--resume to continue it or choose another folder")
        if previous.get("fingerprint") != fingerprint:
            raise ExperimentError(
                f"--out {shown(out)}: holds a different experiment (its scenario or grid "
                "differ), so it cannot be resumed with these arguments")
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
        remove_partials(out)
        if not marker.exists():
            content = {"kind": kind, "fingerprint": fingerprint, "runs": total,
                       **(record or {})}
            write_text_atomic(marker, json.dumps(content, indent=2) + "\n")
    except OSError as exc:
        raise ExperimentError(f"--out {shown(out)}: cannot write here ({exc.strerror})"
                              ) from None
    for stale in (out / "runs").glob(".*"):  # staging folders and locks of killed runs
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)


def _read_marker(out: Path, marker: Path) -> dict[str, Any]:
    """The contents of ``experiment.json``, or an ``ExperimentError`` saying why not."""
    try:
        data = json.loads(record_bytes(marker))
        problem = None if isinstance(data, dict) else f"a JSON {type(data).__name__}"
    except OSError as exc:
        problem = f"cannot be read: {exc.strerror}"
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        problem = f"not valid JSON: {exc}"
    if problem is None:
        return data
    raise ExperimentError(
        f"--out {shown(out)}: {EXPERIMENT} is corrupt ({problem}), so the experiment in it "
        f"cannot be identified; choose another folder, or delete {shown(marker)} if the "
        "folder holds this same experiment")


def finished(runs_dir: Path, spec: RunSpec) -> RunOutcome | None:
    """The outcome of a run already complete on disk, or None if it never finished.

    Raises:
        ResultFolderError: When the run's folder has a manifest but does not verify
            (unreadable manifest, a recorded file missing, truncated or changed).
    """
    folder = runs_dir / spec.run_id
    if not (folder / MANIFEST).exists():
        return None
    manifest = verified(folder, RUN_FILES)
    try:
        summary = json.loads(record_bytes(folder / "summary.json"))
        metrics = headline(summary)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ResultFolderError(f"{folder / 'summary.json'}: unusable ({exc!r})") from None
    timings = (manifest.model_extra or {}).get("timings")
    seconds = timings.get("simulate_seconds") if isinstance(timings, dict) else None
    if not isinstance(seconds, int | float):
        seconds = float("nan")
    return RunOutcome(spec.run_id, "ok", float(seconds), metrics)


def index_frame(tasks: list[Task], outcomes: dict[str, RunOutcome]) -> pd.DataFrame:
    """One row per run: identity, grid values, status and headline metrics."""
    rows = []
    for task in tasks:
        spec = task.spec
        outcome = outcomes.get(spec.run_id)
        row: dict[str, Any] = {
            "run_id": spec.run_id, "point": spec.point, "label": spec.label,
            "replicate": spec.replicate, "seed": str(task.seed),
            "status": outcome.status if outcome else "pending",
            "error": outcome.error if outcome else "",
            "seconds": outcome.seconds if outcome else float("nan"),
        }
        row.update({f"grid.{path}": value for path, value in spec.changes.items()})
        if outcome is not None:
            row.update(outcome.metrics)
        rows.append(row)
    frame = pd.DataFrame(rows)
    for column in [c for c in frame.columns if c.startswith("grid.")]:
        if frame[column].map(type).nunique() > 1:
            frame[column] = frame[column].astype(str)
    return frame


def write_index(tasks: list[Task], outcomes: dict[str, RunOutcome], out: Path) -> None:
    """Write ``OUT/index.parquet`` atomically, each numeric column with its unit and kind."""
    frame = index_frame(tasks, outcomes)
    currency = str(tasks[0].base.get("currency", "")) if tasks else ""
    write_parquet_atomic(with_units(frame, index_units(list(frame.columns), currency),
                                    currency), out / INDEX)


def _outcomes(future: Any, batch: list[Task], runs_dir: Path) -> list[RunOutcome]:
    """A finished task's outcomes.

    A worker lost on the way (``KilledWorker``) fails the task's runs that did not write
    a complete folder before it was lost; those that did keep their outcome from disk.
    """
    try:
        return future.result()
    except Exception as exc:  # e.g. KilledWorker: the runs failed, the others go on
        error = f"{type(exc).__name__}: {_first_line(exc)}"[:300]
        outcomes = []
        for task in batch:
            try:
                done = finished(runs_dir, task.spec)
            except ResultFolderError:
                done = None
            outcomes.append(done or RunOutcome(task.spec.run_id, "failed", float("nan"),
                                               error=error))
        return outcomes


def _task_key(kind: str, batch: list[Task]) -> str:
    """The task's name on the cluster: its runs, first to last."""
    last = f"..{batch[-1].spec.run_id}" if len(batch) > 1 else ""
    return f"{kind}-{batch[0].spec.run_id}{last}"


def batched(todo: list[Task], slots: int) -> list[list[Task]]:
    """The runs to do as tasks: consecutive replicates of one variant stepped together.

    A task holds runs of one base scenario and changes whose replicates follow each other,
    as many as ``core.batches.task_batch`` gives for the variant's population (one when
    there are too few runs to share out in batches, or no worker is known yet).

    Args:
        todo: The runs left, in index order.
        slots: Runs the cluster holds at once.

    Returns:
        The tasks, each a list of runs, in index order.
    """
    tasks: list[list[Task]] = []
    users: dict[tuple[int, int], int] = {}
    for task in todo:
        point = (id(task.base), task.spec.point)
        if point not in users:
            users[point] = _simulated_users(task)
        size = task_batch(users[point], len(todo), slots)
        last = tasks[-1][-1] if tasks else None
        if (last is not None and len(tasks[-1]) < size
                and last.spec.replicate + 1 == task.spec.replicate
                and last.spec.changes == task.spec.changes
                and (last.base is task.base or last.base == task.base)):
            tasks[-1].append(task)
        else:
            tasks.append([task])
    return tasks


def _simulated_users(task: Task) -> int:
    """The run's simulated users: its base's, unless its changes set the population's."""
    data = {"population": copy.deepcopy(task.base["population"])}
    for path, value in task.spec.changes.items():
        if path == "population" or path.startswith("population."):
            set_path(data, path, copy.deepcopy(value))
    population = data["population"]
    users = population.get("users") if isinstance(population, dict) else None
    return int(users) if isinstance(users, int) else int(task.base["population"]["users"])


def _finished_runs(tasks: list[Task], runs_dir: Path, kind: str) -> dict[str, RunOutcome]:
    """Outcomes of the runs that verify on disk; one line on stderr per run that does not."""
    outcomes: dict[str, RunOutcome] = {}
    for task in tasks:
        try:
            done = finished(runs_dir, task.spec)
        except ResultFolderError as exc:
            print(f"simfraud {kind}: run {task.spec.run_id} does not verify and runs again: "
                  f"{exc}", file=sys.stderr)
            continue
        if done is not None:
            outcomes[task.spec.run_id] = done
    return outcomes


def run_all(tasks: list[Task], out: Path, *, kind: str, workers: int | None = None,
            scheduler: str | None = None, resume: bool = False,
            quiet: bool = False, command_line: str = "", sources: list[str] | None = None,
            grid: dict[str, list[Any]] | None = None) -> pd.DataFrame:
    """Run every task not finished yet; keep the index on disk up to date.

    Args:
        tasks: Runs of the experiment, in index order.
        out: Experiment folder.
        kind: ``sweep``, ``compare`` or ``sensitivity`` (recorded in experiment.json).
        workers: Local worker processes (default: one per core).
        scheduler: Address of a Dask scheduler to use instead.
        resume: Continue an experiment already in ``out``.
        quiet: No progress bar.
        command_line: How the experiment was asked for (recorded in experiment.json).
        sources: Scenario files as given, one per distinct base scenario (recorded).
        grid: The sweep's grid (recorded).

    Returns:
        The final index.

    Raises:
        ExperimentError: When the folder or the scheduler cannot be used.
    """
    record, bases = experiment_record(tasks, kind=kind, command_line=command_line,
                                      sources=sources, grid=grid)
    prepare(out, kind, fingerprint(tasks), len(tasks), resume, record)
    write_scenarios(out, record, bases)
    runs_dir = out / "runs"
    outcomes = _finished_runs(tasks, runs_dir, kind)
    todo = [task for task in tasks if task.spec.run_id not in outcomes]
    write_index(tasks, outcomes, out)
    if not todo:
        return index_frame(tasks, outcomes)
    failures = 0
    with dask_client(workers, scheduler) as client, progress(
        len(tasks), initial=len(outcomes), unit="run", desc=kind, quiet=quiet,
    ) as bar:
        from distributed import as_completed

        threads = numba_threads_per_run(client)
        slots = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        futures = {client.submit(execute_runs, batch[0].base, [t.spec for t in batch],
                                 str(runs_dir), threads, pure=False, key=_task_key(kind, batch)):
                   batch for batch in batched(todo, slots)}
        written = time.monotonic()
        for future in as_completed(futures):
            for outcome in _outcomes(future, futures[future], runs_dir):
                outcomes[outcome.run_id] = outcome
                failures += outcome.status != "ok"
                bar.set_postfix(failed=failures, refresh=False)
                bar.update()
            if time.monotonic() - written >= INDEX_SECONDS:
                write_index(tasks, outcomes, out)
                written = time.monotonic()
    write_index(tasks, outcomes, out)
    return index_frame(tasks, outcomes)

