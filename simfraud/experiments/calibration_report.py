"""What a calibration reports: its trials, the spread of its good fits, fit and holdout.

``trials.csv`` lists the complete trials; ``good_fits.csv``/``.parquet`` gives each free
parameter's range over the best ``good_share`` of them; ``fit.csv``/``.parquet`` compares
every target (fitted or held out) with the best parameters, on the replicates the search
used and on fresh ones; ``calibrated.yaml`` is the scenario with the best parameters.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from simfraud.experiments.calibration_targets import Target, pooled, target_unit
from simfraud.results.atomic import write_csv_atomic, write_parquet_atomic, write_text_atomic
from simfraud.results.units import in_currency
from simfraud.scenario.reference import parameter_unit
from simfraud.scenario.schema import Scenario
from simfraud.scenario.yaml12 import dump_yaml


def trials_frame(trials: list, parameters: list[str]) -> pd.DataFrame:
    """One row per complete trial: ``number``, ``loss``, ``holdout_loss``, ``params_PATH``."""
    return pd.DataFrame([{"number": t.number, "loss": t.value,
                          "holdout_loss": t.user_attrs.get("holdout_loss", float("nan")),
                          **{f"params_{name}": t.params[name] for name in parameters}}
                         for t in trials],
                        columns=["number", "loss", "holdout_loss",
                                 *(f"params_{name}" for name in parameters)])


def good_fits(trials: pd.DataFrame, parameters: list[str], share: float) -> pd.DataFrame:
    """Each parameter's best value and its range over the best ``share`` of the trials.

    Returns:
        One row per parameter: ``parameter``, ``best``, ``low``, ``high``, ``good_trials``
        (how many trials the range covers, at least one) and ``loss_cutoff`` (the
        largest loss among them).
    """
    ranked = trials.sort_values(["loss", "number"])
    good = ranked.head(max(1, math.ceil(share * len(ranked))))
    return pd.DataFrame([{"parameter": name, "best": good[f"params_{name}"].iloc[0],
                          "low": good[f"params_{name}"].min(),
                          "high": good[f"params_{name}"].max(),
                          "good_trials": len(good), "loss_cutoff": good["loss"].max()}
                         for name in parameters])


def fit_frame(targets: list[Target], held: list[bool], searched: list[float],
              fresh: list[list[tuple[float, float]]], currency: str) -> pd.DataFrame:
    """Every target against the best parameters' values.

    Args:
        targets: The targets.
        held: Whether each target is held out of the fit.
        searched: The best trial's value of each target (over the search's replicates).
        fresh: The best parameters' ``measured`` parts on fresh replicates, per replicate,
            per target.
        currency: Currency of the scenario (the unit of money targets).

    Returns:
        One row per target: ``metric``, ``period``, ``set`` (fit or holdout), ``target``,
        ``weight``, ``simulated`` and ``relative_error`` (search replicates), ``fresh``
        and ``fresh_error`` (over the fresh replicates, ``pooled``), ``fresh_min`` and
        ``fresh_max`` (the extremes of single fresh replicates; a share leaves out those
        with no loss) and ``unit`` (``share``, or the metric's unit at the real
        population).
    """
    rows = []
    for k, (t, out, value) in enumerate(zip(targets, held, searched, strict=True)):
        parts = [replicate[k] for replicate in fresh]
        single = pd.Series([n / w if w > 0 else np.nan for n, w in parts], dtype=float)
        mean = pooled(parts)
        rows.append({"metric": t.metric, "period": t.period,
                     "set": "holdout" if out else "fit", "target": t.value,
                     "weight": t.weight, "simulated": value,
                     "relative_error": (value - t.value) / t.value, "fresh": mean,
                     "fresh_error": (mean - t.value) / t.value, "fresh_min": single.min(),
                     "fresh_max": single.max(), "unit": target_unit(t.metric, currency)})
    return pd.DataFrame(rows)


def set_losses(fit: pd.DataFrame, column: str) -> dict[str, float]:
    """The weighted sum of squared relative errors of ``column``, per set (fit, holdout)."""
    squared = fit["weight"] * fit[column] ** 2
    return {name: float(squared[fit["set"] == name].sum()) for name in ("fit", "holdout")
            if (fit["set"] == name).any()}


def trial_header(column: str, currency: str) -> str:
    """A ``trials.csv`` header with its unit: ``loss [1]``, ``params_PATH [UNIT]``.

    The losses are dimensionless (``1``, as in the schema); a free parameter has its unit
    from the schema, money in minor units of the scenario currency.
    """
    if column in ("loss", "holdout_loss"):
        return f"{column} [1]"
    if column.startswith("params_"):
        unit = parameter_unit(column.removeprefix("params_")) or "as in the scenario"
        return f"{column} [{in_currency(unit, currency)}]"
    return column


def write_report(out: Path, trials: pd.DataFrame, good: pd.DataFrame, fit: pd.DataFrame,
                 calibrated: Scenario, header: str) -> None:
    """Write the trials, good fits, fit tables and ``calibrated.yaml``, each atomically."""
    write_csv_atomic(trials.rename(columns=lambda name: trial_header(
        name, calibrated.currency)), out / "trials.csv")
    for name, frame in (("good_fits", good), ("fit", fit)):
        write_csv_atomic(frame, out / f"{name}.csv")
        write_parquet_atomic(frame, out / f"{name}.parquet")
    write_text_atomic(out / "calibrated.yaml", header + dump_yaml(_without_experiments(
        calibrated)))


def _without_experiments(scenario: Scenario) -> dict[str, Any]:
    data = scenario.model_dump(mode="json")
    data.pop("sweep", None)
    data.pop("sensitivity", None)
    return data
