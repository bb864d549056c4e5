"""The rows of the scorecard: each published point beside the model's value and band."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from simfraud.experiments.scorecard.case_files import LoadedCase
from simfraud.experiments.scorecard.cases import Point, Series
from simfraud.experiments.scorecard.measure import apcer_value, measure_point, parameter_value

COLUMNS = ("case", "metric", "period", "unit", "published", "simulated_mean",
           "simulated_p10", "simulated_p90", "within_tolerance", "tolerance", "check",
           "replicates", "measured", "source", "note")
"""Columns of ``scorecard.csv`` and ``scorecard.parquet``, in order."""


def case_rows(loaded: LoadedCase, timeseries: pd.DataFrame | None,
              vectors: pd.DataFrame | None) -> list[dict[str, Any]]:
    """One row per published point of a case.

    Args:
        loaded: The case and its scenario.
        timeseries: Its runs' ``timeseries.parquet`` tables concatenated (None when the
            case simulates nothing).
        vectors: Its runs' ``vectors.parquet`` tables concatenated.
    """
    rows = []
    for series in loaded.case.series:
        for point in series.points:
            values, check, note = _values(loaded, series, point, timeseries, vectors)
            rows.append(_row(loaded.name, series, point, values, check, note))
    return rows


def _values(loaded: LoadedCase, series: Series, point: Point,
            timeseries: pd.DataFrame | None,
            vectors: pd.DataFrame | None) -> tuple[np.ndarray, str, str]:
    """The simulated values of a point (one per replicate), the kind of check and a note."""
    scenario = loaded.scenario
    if series.not_simulated is not None:
        return np.array([]), "not simulated", series.not_simulated
    if series.parameter is not None:
        return (np.array([parameter_value(scenario, series.parameter)]), "parameter",
                f"scenario value {series.parameter}")
    if series.apcer is not None:
        check = series.apcer
        return (np.array([apcer_value(scenario, check)]), "liveness table",
                f"attack success of day-0 {check.vector} tools against {check.level}")
    measure = series.simulated
    frame = timeseries if measure.table == "timeseries" else vectors
    values = measure_point(measure, frame, loaded.case.periods, point.period, point.base,
                           scenario)
    first, last = loaded.case.periods[point.period]
    note = f"simulated days {first}-{last}"
    if point.base is not None:
        base_first, base_last = loaded.case.periods[point.base]
        note += f" over days {base_first}-{base_last}"
    return values, "run", note


def _row(case: str, series: Series, point: Point, values: np.ndarray, check: str,
         note: str) -> dict[str, Any]:
    finite = values[np.isfinite(values)]
    mean = float(finite.mean()) if len(finite) else math.nan
    within = None
    if series.tolerance is not None and not math.isnan(mean):
        within = series.tolerance.holds(mean, point.value)
    period = point.period if point.base is None else f"{point.period}/{point.base}"
    return {
        "case": case, "metric": series.metric, "period": period, "unit": series.unit,
        "published": point.value, "simulated_mean": mean,
        "simulated_p10": float(np.quantile(finite, 0.1)) if len(finite) else math.nan,
        "simulated_p90": float(np.quantile(finite, 0.9)) if len(finite) else math.nan,
        "within_tolerance": within,
        "tolerance": series.tolerance.describe() if series.tolerance else "",
        "check": check, "replicates": len(finite) if check == "run" else 0,
        "measured": series.measured,
        "source": series.source.citation + (f" <{series.source.url}>"
                                            if series.source.url else ""),
        "note": note,
    }


def scorecard_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The rows as the scorecard table (``within_tolerance`` a nullable boolean)."""
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    frame["within_tolerance"] = frame["within_tolerance"].astype("boolean")
    frame["replicates"] = frame["replicates"].astype("int64")
    return frame
