"""``simfraud calibrate``: fit free parameters to published figures with Optuna.

A calibration spec (YAML) names a scenario, a target CSV (``metric,period,value,weight``)
and the free parameters with their bounds. Each trial runs the scenario with the trial's
values (the same seeds every trial, so trials differ by their parameters, not by noise),
sums each metric over each period (a year ``2021`` or a month ``2021-03``), scales money
and counts to the real population, and scores the weighted sum of squared relative
errors. Shares (``refunded_share``) are refunded / gross loss within the period. A metric
``VECTOR.STAT`` (e.g. ``social_engineering.loss``, ``social_engineering.refunded_share``)
reads the per-vector table, so published figures about one kind of fraud (APP scams)
are compared with that vector only.
"""

from __future__ import annotations

import csv
import difflib
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simfraud.core.metrics import METRICS, MINOR_UNITS, VECTOR_METRICS, VECTOR_STATS
from simfraud.core.progress import progress
from simfraud.core.vectors import VECTORS
from simfraud.results.atomic import write_csv_atomic, write_parquet_atomic, write_text_atomic
from simfraud.results.lock import FolderLock
from simfraud.results.units import in_currency
from simfraud.scenario.loader import apply_changes, load_scenario, value_problems
from simfraud.scenario.messages import locate_errors
from simfraud.scenario.overrides import OverrideError, get_path
from simfraud.scenario.problems import Located, Problem, ScenarioError, dotted
from simfraud.scenario.reference import parameter_unit
from simfraud.scenario.schema import MAX_REFERENCE_USERS, MAX_USERS, Bounds, Scenario
from simfraud.scenario.yaml12 import dump_yaml, read_yaml_file, unreadable_file

SHARES = {"refunded_share": ("refunded", "gross_loss"),
          "user_loss_share": ("user_loss", "gross_loss")}
VECTOR_SHARES = {"refunded_share": ("refunded", "loss")}
"""Target metrics that are ratios of two daily metrics within a period."""


class CalibrationSpec(BaseModel):
    """What to fit, to what, within which bounds."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    scenario: str = Field(description="Scenario file, relative to the spec.")
    targets: str = Field(description="CSV of targets (metric, period, value, weight).")
    parameters: dict[str, Bounds] = Field(description="Free parameters and their bounds.")
    integer: list[str] = Field(default_factory=list,
                               description="Parameters that take whole numbers.")
    real_population: float = Field(gt=0, le=MAX_REFERENCE_USERS,
                                   description="People the targets are about.")
    users: int = Field(20_000, ge=100, le=MAX_USERS, description="Simulated users per trial.")
    replicates: int = Field(1, ge=1, le=20, description="Replicates averaged per trial.")
    trials: int = Field(40, ge=1, le=10_000, description="Optuna trials.")
    seed: int = Field(1, ge=0, le=2**32 - 1, description="Seed of the Optuna sampler.")


@dataclass(frozen=True)
class Target:
    """One published figure to fit."""

    metric: str
    period: str
    value: float
    weight: float


def read_targets(path: Path) -> list[Target]:
    """Read ``metric,period,value,weight`` rows.

    Raises:
        ValueError: With the file, line and what is wrong (also when it is not a regular
            file of at most 1 MB, or cannot be read).
    """
    try:
        problem = unreadable_file(path, "a CSV file")
    except (OSError, ValueError) as exc:
        problem = f"cannot read: {getattr(exc, 'strerror', None) or exc}"
    if problem:
        raise ValueError(f"{path}:1: {problem}")
    targets = []
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"metric", "period", "value", "weight"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}:1: missing columns {sorted(missing)} "
                             "(allowed: metric, period, value, weight)")
        for line, row in enumerate(reader, start=2):
            try:
                target = Target(row["metric"].strip(), row["period"].strip(),
                                float(row["value"]), float(row["weight"]))
            except (TypeError, ValueError, AttributeError):
                raise ValueError(f"{path}:{line}: value and weight must be numbers "
                                 f"(got {row['value']!r}, {row['weight']!r})") from None
            problem = _target_problem(target)
            if problem:
                raise ValueError(f"{path}:{line}: {problem}")
            targets.append(target)
    return targets


def _target_problem(target: Target) -> str | None:
    """What is wrong with a target, or None."""
    if not re.fullmatch(r"\d{4}(-\d{2})?", target.period):
        return f"period {target.period!r} (allowed: a year YYYY or a month YYYY-MM)"
    if target.value == 0:
        return "value 0 (allowed: a non-zero value: errors are relative to it)"
    if target.weight < 0:
        return f"weight {target.weight:g} (allowed: >= 0)"
    if "." in target.metric:
        vector, stat = target.metric.split(".", 1)
        if vector not in VECTORS:
            return f"unknown vector {vector!r} (allowed: {', '.join(VECTORS)})"
        if stat not in VECTOR_STATS and stat not in VECTOR_SHARES:
            return (f"unknown statistic {stat!r} of a vector (allowed: "
                    f"{', '.join([*VECTOR_STATS, *VECTOR_SHARES])})")
    elif target.metric not in METRICS and target.metric not in SHARES:
        close = difflib.get_close_matches(target.metric, [*METRICS, *SHARES], n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return (f"unknown metric {target.metric!r}{hint} (allowed: a column of "
                f"timeseries.parquet, {', '.join(SHARES)} or VECTOR.STAT)")
    return None


def simulated(timeseries: pd.DataFrame, vectors: pd.DataFrame, target: Target,
              scale: float) -> float:
    """The model's value of a target's metric over its period (mean over replicates)."""
    frame, metric, shares = timeseries, target.metric, SHARES
    if "." in target.metric:
        vector, metric = target.metric.split(".", 1)
        start = timeseries["date"].min()
        frame = vectors[vectors["vector"] == vector]
        frame = frame.assign(date=start + pd.to_timedelta(frame["day"], unit="D"))
        shares = VECTOR_SHARES
    in_period = frame["date"].dt.strftime("%Y-%m-%d").str.startswith(target.period)
    part = frame[in_period]
    if part.empty:
        raise ValueError(f"target {target.metric} {target.period}: no simulated data "
                         "(period outside the horizon, or unknown vector)")
    totals = part.groupby("replicate").sum(numeric_only=True)
    if metric in shares:
        numerator, denominator = shares[metric]
        return float((totals[numerator] / totals[denominator].where(
            totals[denominator] > 0)).fillna(0.0).mean())
    if metric not in totals:
        raise ValueError(f"target {target.metric}: unknown metric {metric!r}")
    return float(totals[metric].mean()) * scale


def target_unit(metric: str, currency: str) -> str:
    """Unit of a target's value: ``share``, or the metric's unit at the real population."""
    stat = metric.split(".", 1)[-1]
    if stat in (VECTOR_SHARES if "." in metric else SHARES):
        return "share"
    unit = (VECTOR_METRICS[stat] if "." in metric else METRICS[metric]).unit
    return unit.replace(MINOR_UNITS, f"{currency} {MINOR_UNITS}")


def trial_header(column: str, currency: str) -> str:
    """A ``trials.csv`` header with its unit: ``value [1]``, ``params_PATH [UNIT]``.

    The loss (``value``) is dimensionless (``1``, as in the schema); a free parameter has
    its unit from the schema, money in minor units of the scenario currency.
    """
    if column == "value":
        return "value [1]"
    if column.startswith("params_"):
        unit = parameter_unit(column.removeprefix("params_")) or "as in the scenario"
        return f"{column} [{in_currency(unit, currency)}]"
    return column


def loss(fits: list[tuple[Target, float]]) -> float:
    """Weighted sum of squared relative errors."""
    return sum(t.weight * ((value - t.value) / t.value) ** 2 for t, value in fits)


def read_spec(path: Path) -> tuple[CalibrationSpec, Located]:
    """Read a calibration spec with the scenario files' YAML limits and located messages.

    Returns:
        The spec and the positions of its keys.

    Raises:
        ScenarioError: One located line per problem.
    """
    located = read_yaml_file(path, "calibration fields")
    try:
        return CalibrationSpec.model_validate(located.data), located
    except ValidationError as exc:
        raise ScenarioError(locate_errors(exc, located, (str(path), 1, 1),
                                          CalibrationSpec)) from None


def check_spec(spec: CalibrationSpec, located: Located, base: Scenario) -> set[str]:
    """Check the free parameters against the scenario before any trial runs.

    Both ends of every range must make a valid scenario (so the path exists and the
    bounds are within the parameter's own range), every ``integer`` entry must name a
    free parameter, and a whole-number range must hold a whole number.

    Returns:
        The parameters that take whole numbers.

    Raises:
        ScenarioError: One located line per problem (file, line, field path, what is
            wrong, what is allowed).
    """
    fallback = located.positions[()]
    problems = [Problem(*located.where(("integer", k), fallback), f"integer.{k}",
                        f"{name!r} is not a free parameter (allowed: "
                        f"{', '.join(spec.parameters) or 'none'})")
                for k, name in enumerate(spec.integer) if name not in spec.parameters]
    data = base.model_dump(mode="json")
    whole = set(spec.integer) | {name for name in spec.parameters
                                 if _is_integer(_current(data, name))}
    trials = []
    for name, bounds in spec.parameters.items():
        where = ("parameters", name)
        current = _current(data, name)
        low, high = _range(bounds, name in whole)
        if current is not None and not _is_number(current):
            problems.append(Problem(*located.where(where, fallback), dotted(where),
                                    f"the scenario's value is {_shown(current)}, not a number "
                                    "(allowed: a numeric parameter, e.g. attackers.initial)"))
            continue
        if low > high:
            problems.append(Problem(*located.where(where, fallback), dotted(where),
                                    f"no whole number from {bounds.low:g} to {bounds.high:g} "
                                    "(allowed: a range holding a whole number)"))
        trials += [(where, name, low), (where, name, high)]
    problems += value_problems(data, trials, located, fallback)
    if problems:
        raise ScenarioError(problems)
    return whole


def calibrate(spec_path: Path, out: Path, trials: int | None = None,
              users: int | None = None, quiet: bool = False) -> dict[str, Any]:
    """Run the calibration and write ``trials.csv``, ``fit.csv`` and ``calibrated.yaml``.

    Args:
        spec_path: The calibration spec.
        out: Output folder.
        trials: Override the spec's number of trials.
        users: Override the spec's simulated users.
        quiet: Show no progress.

    Returns:
        The best parameters, their loss and the fit table.
    """
    import optuna

    from simfraud.model.replicates import run_replicates

    spec, located = read_spec(spec_path)
    base = load_scenario(spec_path.parent / spec.scenario,
                         [f"population.users={users or spec.users}"])
    whole = check_spec(spec, located, base)
    targets = read_targets(spec_path.parent / spec.targets)
    scale = spec.real_population / base.population.users

    def evaluate(values: dict[str, Any]) -> tuple[float, list[tuple[Target, float]]]:
        scenario = apply_changes(base, values)
        result = run_replicates(scenario, spec.replicates)
        fits = [(t, simulated(result.timeseries, result.vectors, t, scale)) for t in targets]
        return loss(fits), fits

    def objective(trial: optuna.Trial) -> float:
        return evaluate(_suggest(trial, spec.parameters, whole))[0]

    with FolderLock(out):
        out.mkdir(exist_ok=True)
        study = _optimize(objective, spec.seed, trials or spec.trials, quiet)
        best = study.best_params
        best_loss, fits = evaluate(best)
        fit = _write_outputs(out, study, fits, apply_changes(base, best).model_copy(
            update={"name": f"{base.name}-calibrated"}),
            f"# {base.name} calibrated by simfraud calibrate {spec_path.name}: loss "
            f"{best_loss:.4f} after {len(study.trials)} trials\n")
    return {"best": best, "loss": best_loss, "fit": fit, "trials": len(study.trials)}


def _range(bounds: Bounds, whole: bool) -> tuple[float, float]:
    """The values a trial may take: whole numbers inside the bounds, or the bounds."""
    if whole:
        return math.ceil(bounds.low), math.floor(bounds.high)
    return bounds.low, bounds.high


def _suggest(trial, parameters: dict[str, Bounds], whole: set[str]) -> dict[str, Any]:
    """One trial's values of the free parameters, as Optuna's sampler suggests them."""
    values = {}
    for name, bounds in parameters.items():
        low, high = _range(bounds, name in whole)
        suggest = trial.suggest_int if name in whole else trial.suggest_float
        values[name] = suggest(name, low, high)
    return values


def _current(data: dict[str, Any], path: str) -> Any:
    """The scenario's value at ``path``, or None where the path leads nowhere."""
    try:
        return get_path(data, path)
    except OverrideError:
        return None


def _optimize(objective, seed: int, trials: int, quiet: bool):
    """Run the Optuna study.

    A Ctrl-C, or a trial that cannot be computed (a target the model does not produce, a
    value that does not make a valid scenario), stops the study and is raised again,
    without Optuna logging a traceback.
    """
    import optuna

    stopped: list[BaseException] = []

    def guarded(trial: optuna.Trial) -> float:
        try:
            return objective(trial)
        except (KeyboardInterrupt, ValueError) as exc:  # Optuna would log a traceback
            stopped.append(exc)
            trial.study.stop()
            raise optuna.TrialPruned() from None

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=seed))
    with progress(trials, desc="calibrate", unit="trial", quiet=quiet) as bar:
        study.optimize(guarded, n_trials=trials, callbacks=[lambda *_: bar.update()])
    if stopped:
        raise stopped[0]
    return study


def _write_outputs(out: Path, study, fits: list[tuple[Target, float]],
                   calibrated: Scenario, header: str) -> pd.DataFrame:
    """Write ``trials.csv``, ``fit.csv``, ``fit.parquet`` and ``calibrated.yaml`` atomically."""
    history = study.trials_dataframe(attrs=("number", "value", "params"))
    write_csv_atomic(history.rename(columns=lambda name: trial_header(
        name, calibrated.currency)), out / "trials.csv")
    fit = pd.DataFrame([{"metric": t.metric, "period": t.period, "target": t.value,
                         "simulated": value, "relative_error": (value - t.value) / t.value,
                         "weight": t.weight, "unit": target_unit(t.metric, calibrated.currency)}
                        for t, value in fits])
    write_csv_atomic(fit, out / "fit.csv")
    write_parquet_atomic(fit, out / "fit.parquet")
    write_text_atomic(out / "calibrated.yaml",
                      header + dump_yaml(_without_experiments(calibrated)))
    return fit


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A scenario value for a message: a block by its kind, a value cut to 40 characters."""
    if isinstance(value, dict | list):
        return f"a {'block' if isinstance(value, dict) else 'list'}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _without_experiments(scenario: Scenario) -> dict[str, Any]:
    data = scenario.model_dump(mode="json")
    data.pop("sweep", None)
    data.pop("sensitivity", None)
    return data
