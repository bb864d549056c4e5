"""Run many experiment runs on local worker processes or a Dask cluster, results on disk.

Each run writes its own folder under ``OUT/runs/`` (the ``simfraud run`` layout) as it
finishes; ``OUT/index.parquet`` is rewritten atomically after every run with one row per
run. ``OUT/experiment.json`` fingerprints the run list, so ``--resume`` continues the
same experiment: finished runs (a folder with ``manifest.json``) are skipped, everything
else (failed, interrupted, never started) runs again. No run is lost or done twice.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from tqdm import tqdm

from simfraud import prefer_openmp
from simfraud.experiments.plan import RunSpec
from simfraud.experiments.tasks import RunOutcome, execute_run, headline
from simfraud.results.writer import MANIFEST, write_parquet_atomic

EXPERIMENT = "experiment.json"
INDEX = "index.parquet"


class ExperimentError(Exception):
    """An experiment cannot start (bad output folder, mismatched resume, no scheduler)."""


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
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as exc:
            raise ExperimentError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        try:
            yield client
        finally:
            client.close()
        return
    cluster = LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                           processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    client.run(prefer_openmp)  # spawned workers never fork: OpenMP is safe there
    try:
        yield client
    finally:
        client.close()
        cluster.close()


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


def prepare(out: Path, kind: str, fingerprint: str, total: int, resume: bool) -> None:
    """Check or create ``OUT/experiment.json`` and clear what interrupted runs left."""
    if out.exists() and not out.is_dir():
        raise ExperimentError(f"--out {out}: exists and is not a folder")
    marker = out / EXPERIMENT
    if marker.exists():
        previous = json.loads(marker.read_text())
        if not resume:
            raise ExperimentError(
                f"--out {out}: already holds a {previous.get('kind', 'sweep')}; pass --resume "
                "to continue it or choose another folder")
        if previous.get("fingerprint") != fingerprint:
            raise ExperimentError(
                f"--out {out}: holds a different experiment (its scenario or grid differ), "
                "so it cannot be resumed with these arguments")
    try:
        (out / "runs").mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps({"kind": kind, "fingerprint": fingerprint,
                                      "runs": total}, indent=2) + "\n")
    except OSError as exc:
        raise ExperimentError(f"--out {out}: cannot write here ({exc.strerror})") from None
    for stale in (out / "runs").glob(".*.partial-*"):
        shutil.rmtree(stale, ignore_errors=True)


def finished(runs_dir: Path, spec: RunSpec) -> RunOutcome | None:
    """The outcome of a run already complete on disk, if it is."""
    folder = runs_dir / spec.run_id
    if not (folder / MANIFEST).exists():
        return None
    summary = json.loads((folder / "summary.json").read_text())
    manifest = json.loads((folder / MANIFEST).read_text())
    seconds = manifest.get("timings", {}).get("simulate_seconds", 0.0)
    return RunOutcome(spec.run_id, "ok", seconds, headline(summary))


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


def run_all(tasks: list[Task], out: Path, *, kind: str, workers: int | None = None,
            scheduler: str | None = None, resume: bool = False,
            quiet: bool = False) -> pd.DataFrame:
    """Run every task not finished yet; keep the index on disk up to date.

    Args:
        tasks: Runs of the experiment, in index order.
        out: Experiment folder.
        kind: ``sweep``, ``compare`` or ``sensitivity`` (recorded in experiment.json).
        workers: Local worker processes (default: one per core).
        scheduler: Address of a Dask scheduler to use instead.
        resume: Continue an experiment already in ``out``.
        quiet: No progress bar.

    Returns:
        The final index.

    Raises:
        ExperimentError: When the folder or the scheduler cannot be used.
    """
    prepare(out, kind, fingerprint(tasks), len(tasks), resume)
    runs_dir = out / "runs"
    outcomes: dict[str, RunOutcome] = {}
    for task in tasks:
        done = finished(runs_dir, task.spec)
        if done is not None:
            outcomes[task.spec.run_id] = done
    todo = [task for task in tasks if task.spec.run_id not in outcomes]
    write_parquet_atomic(index_frame(tasks, outcomes), out / INDEX)
    if not todo:
        return index_frame(tasks, outcomes)
    local_threads = None
    if not scheduler:
        local_threads = max(1, (os.cpu_count() or 1) // (workers or os.cpu_count() or 1))
    show = not quiet and sys.stderr.isatty()
    failures = 0
    with dask_client(workers, scheduler) as client, tqdm(
        total=len(tasks), initial=len(outcomes), unit="run", disable=not show,
        desc=kind, file=sys.stderr, dynamic_ncols=True,
    ) as bar:
        from distributed import as_completed

        futures = [client.submit(execute_run, task.base, task.spec, str(runs_dir),
                                 local_threads, pure=False, key=f"{kind}-{task.spec.run_id}")
                   for task in todo]
        for future in as_completed(futures):
            outcome = future.result()
            outcomes[outcome.run_id] = outcome
            failures += outcome.status != "ok"
            write_parquet_atomic(index_frame(tasks, outcomes), out / INDEX)
            bar.set_postfix(failed=failures, refresh=False)
            bar.update()
    return index_frame(tasks, outcomes)

