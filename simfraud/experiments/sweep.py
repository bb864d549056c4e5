"""``simfraud sweep``: a parameter grid times replicates."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from simfraud.experiments.dispatch import Task, locked, run_all
from simfraud.experiments.plan import check_run_count, grid_runs, parse_grid
from simfraud.scenario.loader import Located, check_experiment_paths
from simfraud.scenario.schema import Scenario, Sweep


def resolve_sweep(scenario: Scenario, grid_items: list[str], replicates: int | None) -> Sweep:
    """The sweep to run: ``--grid`` and ``--replicates`` replace what the file declares.

    Args:
        scenario: The base scenario (its ``sweep`` block, if any, is the default).
        grid_items: ``--grid PATH=V1,V2`` options.
        replicates: ``--replicates``, or None.

    Returns:
        The sweep.

    Raises:
        OverrideError: When a ``--grid`` option is malformed or the sweep has too many
            runs.
        ScenarioError: When a grid value does not make a valid scenario.
    """
    declared = scenario.sweep or Sweep()
    grid = parse_grid(grid_items) if grid_items else declared.grid
    check_run_count([len(values) for values in grid.values()],
                    replicates or declared.replicates)
    sweep = Sweep(grid=grid, replicates=replicates or declared.replicates)
    if grid_items:
        check_experiment_paths(scenario.model_copy(update={"sweep": sweep}), Located({}, {}),
                               ("--grid", 1, 1))
    return sweep


def sweep_tasks(scenario: Scenario, sweep: Sweep) -> list[Task]:
    """Every grid point x replicate; a point is named by the scenario and its grid values."""
    base = scenario.model_dump(mode="json")
    return [Task(base, replace(spec, label=f"{scenario.name} [{spec.label}]"),
                 spec.seed(scenario))
            for spec in grid_runs(sweep.grid, sweep.replicates)]


def run_sweep(scenario: Scenario, sweep: Sweep, out: Path, *, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False,
              quiet: bool = False, command_line: str = "",
              source: str = "") -> pd.DataFrame:
    """Run every grid point x replicate; replicate r of every point shares its seed.

    Args:
        scenario: The base scenario.
        sweep: Grid and replicates.
        out: Experiment folder (``runs/``, ``index.parquet``).
        workers: Local worker processes (default: one per core).
        scheduler: Address of a Dask scheduler to run on instead.
        resume: Continue the sweep already in ``out``.
        quiet: No progress bar.
        command_line: How the sweep was asked for (recorded in experiment.json).
        source: The scenario file as given (recorded).

    Returns:
        The index, one row per run.
    """
    with locked(out):
        return run_all(sweep_tasks(scenario, sweep), out, kind="sweep", workers=workers,
                       scheduler=scheduler, resume=resume, quiet=quiet,
                       command_line=command_line, sources=[source], grid=sweep.grid)
