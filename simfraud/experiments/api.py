"""The Python API for notebooks and scripts: load, run, compare and sweep in a few calls.

    import simfraud

    scenario = simfraud.load_scenario("scenarios/uk-2024-psr.yaml", users=5_000)
    results = simfraud.run(scenario, replicates=3, days=120)
    results.timeseries          # one row per replicate and day
    results.summary             # headline figures with their spread and units

    experiment = simfraud.compare({"no mandate": base, "mandate": mandated}, replicates=5)
    experiment.timeseries       # with an ``arm`` column

Overrides are keyword arguments: ``users``, ``days`` and ``seed`` are shortcuts; any
other parameter is its dotted path with ``__`` for the dots
(``platforms__0__liveness__level="depth_3d"``) or a ``changes={"path": value}`` mapping.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from simfraud.core.metrics import METRICS
from simfraud.experiments.load import Experiment, load_experiment
from simfraud.results.summary import FINAL, TOTALS, summarise
from simfraud.results.units import label_units, timeseries_units, vectors_units
from simfraud.scenario.schema import Scenario

SHORTCUTS = {"users": "population.users", "days": "days", "seed": "seed"}


def _changes(overrides: Mapping[str, Any], explicit: Mapping[str, Any] | None) -> dict:
    changes = {SHORTCUTS.get(key, key.replace("__", ".")): value
               for key, value in overrides.items()}
    changes.update(explicit or {})
    return changes


def with_changes(scenario: Scenario, changes: Mapping[str, Any] | None = None,
                 **overrides: Any) -> Scenario:
    """A copy of ``scenario`` with overrides applied and validated.

    Args:
        scenario: The scenario (left unchanged).
        changes: Dotted paths and values, e.g. ``{"platforms.0.liveness.level": "depth_3d"}``.
        **overrides: ``users``, ``days``, ``seed`` or a dotted path with ``__`` for dots.

    Returns:
        The changed scenario.

    Raises:
        ValueError: When a path leads nowhere or a value is not allowed (the message
            names the field and what is allowed).
    """
    from simfraud.scenario.loader import apply_changes
    from simfraud.scenario.overrides import OverrideError

    paths = _changes(overrides, changes)
    if not paths:
        return scenario
    try:
        return apply_changes(scenario, paths)
    except OverrideError as exc:
        raise ValueError(str(exc)) from None


def load_scenario(path: str | Path, changes: Mapping[str, Any] | None = None,
                  **overrides: Any) -> Scenario:
    """Load and validate a scenario file, with overrides.

    Args:
        path: Scenario YAML file (``extends:`` is followed).
        changes: Dotted paths and values to change.
        **overrides: ``users``, ``days``, ``seed`` or a dotted path with ``__`` for dots.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: When the file is not a valid scenario (located messages).
        ValueError: When an override is not allowed.
    """
    from simfraud.scenario.loader import load_scenario as load

    return with_changes(load(path), changes, **overrides)


@dataclass
class Results:
    """The results of ``run``, in memory.

    Attributes:
        scenario: The scenario that ran (overrides applied).
        timeseries: Daily metrics, one row per replicate and day (money in minor units).
        vectors: Per (replicate, day, platform, attack vector) statistics.
            Both carry ``attrs["units"]`` (column -> unit, from the metric registry) and
            ``attrs["currency"]``, as the files ``simfraud run`` writes.
        summary: One row per headline metric: ``metric``, ``unit``, ``over`` (horizon
            total or last day), ``mean``, ``std``, ``p10``, ``median``, ``p90``, ``min``,
            ``max`` over replicates, and ``national_mean`` (mean x ``population.weight``).
    """

    scenario: Scenario
    timeseries: pd.DataFrame
    vectors: pd.DataFrame
    summary: pd.DataFrame = field(repr=False)


def summary_frame(timeseries: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The headline totals and last-day states of a run as a DataFrame with units."""
    summary = summarise(timeseries, scenario.population.weight, scenario.currency)
    rows = []
    for group, names, over in (("totals", TOTALS, "horizon total"),
                               ("final_day", FINAL, "last day")):
        for name in names:
            unit = METRICS[name].unit.replace("minor units", f"{scenario.currency} minor units")
            spread = summary[group][name]
            national = summary["national_totals_mean"].get(name, spread["mean"]
                                                           * scenario.population.weight)
            rows.append({"metric": name, "unit": unit, "over": over, **spread,
                         "national_mean": national})
    return pd.DataFrame(rows)


def run(scenario: Scenario | str | Path, replicates: int = 1, *, engine: str = "columnar",
        on_day: Callable[[], None] | None = None,
        changes: Mapping[str, Any] | None = None, batch: int | None = None,
        **overrides: Any) -> Results:
    """Run replicates of a scenario in this process; results stay in memory.

    Args:
        scenario: A scenario or the path of a scenario file.
        replicates: Independent replicates (replicate ``r`` uses the seed spawned for
            ``r``, as ``simfraud run``).
        engine: ``columnar`` (fast) or ``agents`` (one Mesa agent per user).
        on_day: Called after every simulated day (progress).
        changes: Dotted paths and values to change.
        batch: Replicates stepped together, phase by phase (None: batches of up to 8
            replicates and 100,000 users on the columnar engine, as ``simfraud run``; 1:
            one after another). The results do not depend on it.
        **overrides: ``users``, ``days``, ``seed`` or a dotted path with ``__`` for dots.

    Returns:
        The results (the same numbers ``simfraud run`` writes to disk).
    """
    from simfraud.model.replicates import run_replicates

    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    scenario = with_changes(scenario, changes, **overrides)
    result = run_replicates(scenario, replicates, engine, on_day=on_day, batch=batch)
    currency = scenario.currency
    for frame, units in ((result.timeseries, timeseries_units(currency)),
                         (result.vectors, vectors_units(currency))):
        label_units(frame, {name: unit for name, (unit, _) in units.items()}, currency)
    return Results(scenario, result.timeseries, result.vectors,
                   summary_frame(result.timeseries, scenario))


def _folder(out: str | Path | None, kind: str) -> Path:
    return Path(out) if out is not None else Path(tempfile.mkdtemp(prefix=f"simfraud-{kind}-"))


def compare(scenarios: Mapping[str, Scenario] | list[Scenario], *, replicates: int = 10,
            out: str | Path | None = None, workers: int | None = None,
            quiet: bool = True) -> Experiment:
    """Compare scenarios with common random numbers (as ``simfraud compare``).

    Every scenario runs the same replicates with the first one's seed; tables, the
    report and the runs are written to ``out``.

    Args:
        scenarios: Arms by name (the first is the reference), or a list (named by each
            scenario's ``name``).
        replicates: Replicates per arm.
        out: Experiment folder (default: a new temporary folder, kept).
        workers: Local worker processes (default: one per core).
        quiet: No progress output.

    Returns:
        The experiment, read back by arm (``arms``, ``timeseries``, ``totals``,
        ``table("differences")``...).
    """
    from simfraud.experiments.compare import run_compare

    if isinstance(scenarios, Mapping):
        names, arms = list(scenarios), list(scenarios.values())
    else:
        names, arms = [s.name for s in scenarios], list(scenarios)
    folder = _folder(out, "compare")
    run_compare(arms, names, folder, replicates, workers=workers, quiet=quiet,
                command_line="simfraud.compare(...) (Python API)")
    return load_experiment(folder)


def sweep(scenario: Scenario, grid: Mapping[str, list[Any]], *, replicates: int = 1,
          out: str | Path | None = None, workers: int | None = None,
          quiet: bool = True) -> Experiment:
    """Run every combination of grid values times replicates (as ``simfraud sweep``).

    Args:
        scenario: The base scenario.
        grid: Dotted paths and the values each takes.
        replicates: Replicates per grid point.
        out: Experiment folder (default: a new temporary folder, kept).
        workers: Local worker processes (default: one per core).
        quiet: No progress output.

    Returns:
        The experiment, one arm per grid point (named by the scenario and grid values).

    Raises:
        ScenarioError: When a grid value does not make a valid scenario.
    """
    from simfraud.experiments.sweep import run_sweep
    from simfraud.scenario.loader import Located, check_experiment_paths
    from simfraud.scenario.schema import Sweep

    plan = Sweep(grid=dict(grid), replicates=replicates)
    check_experiment_paths(scenario.model_copy(update={"sweep": plan}), Located({}, {}),
                           ("sweep(grid=...)", 1, 1))
    folder = _folder(out, "sweep")
    run_sweep(scenario, plan, folder,
              workers=workers, quiet=quiet, command_line="simfraud.sweep(...) (Python API)")
    return load_experiment(folder)
