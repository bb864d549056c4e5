"""``simfraud sensitivity``: Morris elementary-effects screening with SALib.

The parameters and their ranges come from the scenario's ``sensitivity:`` block. Every
point of the Morris design is one run (replicate 0, so all points share their random
numbers); the ranking orders parameters by ``mu_star``, the mean absolute elementary
effect on the chosen metric.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

from simfraud.core.metrics import FLOW, METRICS
from simfraud.experiments.dispatch import Task, locked, run_all
from simfraud.experiments.plan import RunSpec
from simfraud.results.atomic import write_csv_atomic, write_parquet_atomic
from simfraud.results.units import in_currency
from simfraud.scenario.schema import Scenario, Sensitivity


class SensitivityError(ValueError):
    """The scenario does not declare what to analyse."""


def _value_at(data: dict, path: str):
    node = data
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


def design(scenario: Scenario, spec: Sensitivity) -> tuple[dict, np.ndarray, list[RunSpec]]:
    """The Morris problem, its sample and one run per sample row.

    Values of integer parameters are rounded, so every run is a valid scenario.
    """
    names = list(spec.parameters)
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[b.low, b.high] for b in spec.parameters.values()]}
    sample = morris_sample.sample(problem, N=spec.trajectories, num_levels=spec.levels,
                                  seed=scenario.seed % 2**32)
    base = scenario.model_dump(mode="json")
    integer = [isinstance(_value_at(base, name), int) and not isinstance(
        _value_at(base, name), bool) for name in names]
    runs = []
    for row, values in enumerate(sample):
        changes = {name: round(v) if whole else float(v)
                   for name, v, whole in zip(names, values, integer, strict=True)}
        runs.append(RunSpec(f"m{row:05d}", row, 0, changes, f"point {row}"))
    return problem, sample, runs


def run_sensitivity(scenario: Scenario, out: Path, *, metric: str | None = None,
                    workers: int | None = None, scheduler: str | None = None,
                    resume: bool = False, quiet: bool = False) -> pd.DataFrame:
    """Run the Morris design and rank the parameters by influence on the metric.

    Args:
        scenario: Scenario with a ``sensitivity:`` block.
        out: Experiment folder (``runs/``, ``index.parquet``, ``sensitivity.csv``).
        metric: Total over the horizon to analyse (default: the block's ``metric``).
        workers: Local worker processes (default: one per core).
        scheduler: Address of a Dask scheduler to run on instead.
        resume: Continue the analysis already in ``out``.
        quiet: No progress bar.

    Returns:
        One row per parameter: ``mu_star``, its confidence, ``mu`` and ``sigma``, ranked.

    Raises:
        SensitivityError: When there is nothing to analyse or a run failed.
    """
    spec = scenario.sensitivity
    if spec is None or not spec.parameters:
        raise SensitivityError("the scenario has no sensitivity: block with parameters "
                               "(see scenarios/baseline.yaml for an example)")
    if metric is not None:
        spec = spec.model_copy(update={"metric": metric})
    problem, sample, runs = design(scenario, spec)
    base = scenario.model_dump(mode="json")
    tasks = [Task(base, run, run.seed(scenario)) for run in runs]
    with locked(out):
        index = run_all(tasks, out, kind="sensitivity", workers=workers, scheduler=scheduler,
                        resume=resume, quiet=quiet)
        return _rank(problem, sample, index, out, spec, scenario)


def total_unit(metric: str, currency: str) -> str:
    """Unit of a metric's daily values summed over the horizon (``mu_star``'s unit)."""
    entry = METRICS[metric]
    unit = in_currency(entry.unit, currency)
    return unit if entry.kind == FLOW else f"{unit} x days (daily {entry.kind} summed)"


def _rank(problem: dict, sample: np.ndarray, index: pd.DataFrame, out: Path,
          spec: Sensitivity, scenario: Scenario) -> pd.DataFrame:
    """Analyse the finished design and write the ranking (CSV and Parquet)."""
    failed = index[index["status"] != "ok"]
    if len(failed):
        raise SensitivityError(f"{len(failed)} run(s) failed, e.g. {failed['run_id'].iloc[0]}:"
                               f" {failed['error'].iloc[0]}; fix and rerun with --resume")
    outputs = _metric_values(out, index, spec.metric)
    result = morris_analyze.analyze(problem, sample, outputs, num_levels=spec.levels,
                                    seed=scenario.seed % 2**32)
    ranking = pd.DataFrame({
        "parameter": problem["names"], "mu_star": result["mu_star"],
        "mu_star_conf": result["mu_star_conf"], "mu": result["mu"],
        "sigma": result["sigma"],
    }).sort_values("mu_star", ascending=False, kind="stable").reset_index(drop=True)
    ranking.insert(0, "rank", np.arange(1, len(ranking) + 1))
    ranking["metric"] = spec.metric
    ranking["unit"] = total_unit(spec.metric, scenario.currency)
    write_csv_atomic(ranking, out / "sensitivity.csv")
    write_parquet_atomic(ranking, out / "sensitivity.parquet")
    return ranking


def _metric_values(out: Path, index: pd.DataFrame, metric: str) -> np.ndarray:
    """Total of ``metric`` over the horizon for each run, in design order."""
    if metric in index.columns:
        return index[metric].to_numpy(dtype=float)
    totals = [pd.read_parquet(out / "runs" / run / "timeseries.parquet", columns=[metric])
              [metric].sum() for run in index["run_id"]]
    return np.asarray(totals, dtype=float)
