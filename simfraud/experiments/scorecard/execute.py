"""``simfraud scorecard``: run the cases on the experiment runner and write the scorecard.

Every replicate of every case is one run of the experiment runner (local worker
processes or a Dask cluster; finished runs are kept in ``OUT/runs/`` for ``--resume``).
Under the output folder's lock the scorecard is then written atomically as
``scorecard.csv``, ``scorecard.parquet`` and a self-contained ``scorecard.html``; when a
run failed nothing of the scorecard is written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from simfraud.experiments.compare import run_frames
from simfraud.experiments.dispatch import RunsFailedError, Task, locked, run_all
from simfraud.experiments.plan import RunSpec
from simfraud.experiments.scorecard.case_files import LoadedCase
from simfraud.experiments.scorecard.report import write_html
from simfraud.experiments.scorecard.score import case_rows, scorecard_frame
from simfraud.results.atomic import write_csv_atomic, write_parquet_atomic


def case_tasks(cases: list[LoadedCase]) -> list[Task]:
    """The replicates of every case that simulates something; each case its own seeds."""
    tasks = []
    for point, loaded in enumerate(cases):
        if loaded.size is None:
            continue
        base = loaded.scenario.model_dump(mode="json")
        for replicate in range(loaded.size.replicates):
            spec = RunSpec(f"{loaded.name}-r{replicate:03d}", point, replicate, {},
                           loaded.name)
            tasks.append(Task(base, spec, spec.seed(loaded.scenario)))
    return tasks


def run_scorecard(cases: list[LoadedCase], out: Path, *, workers: int | None = None,
                  scheduler: str | None = None, resume: bool = False, quiet: bool = False,
                  command_line: str = "") -> pd.DataFrame:
    """Run the cases and write ``scorecard.csv``, ``scorecard.parquet`` and the page.

    Args:
        cases: Checked cases (``load_cases``).
        out: Output folder.
        workers: Local worker processes (default: one per core).
        scheduler: Address of a Dask scheduler to run on instead.
        resume: Continue a scorecard already in ``out``.
        quiet: No progress display.
        command_line: How the scorecard was asked for (recorded in experiment.json).

    Returns:
        The scorecard, one row per published point.

    Raises:
        ExperimentError: When the folder or the scheduler cannot be used.
        RunsFailedError: When a run failed (nothing of the scorecard is written).
    """
    tasks = case_tasks(cases)
    with locked(out):
        index = run_all(tasks, out, kind="scorecard", workers=workers, scheduler=scheduler,
                        resume=resume, quiet=quiet, command_line=command_line,
                        sources=[str(c.path) for c in cases if c.size is not None])
        if len(index) and (index["status"] != "ok").any():
            raise RunsFailedError(index)
        rows = []
        for loaded in cases:
            frames = (None, None) if loaded.size is None else (
                run_frames(out, index, loaded.name, "timeseries.parquet"),
                run_frames(out, index, loaded.name, "vectors.parquet"))
            rows.extend(case_rows(loaded, *frames))
        card = scorecard_frame(rows)
        write_csv_atomic(card, out / "scorecard.csv")
        write_parquet_atomic(card, out / "scorecard.parquet")
        write_html(out / "scorecard.html", card, cases)
    return card
