"""Calibration targets: published figures, and the model's value of each.

A targets file (CSV) holds ``metric,period,value,weight`` rows. A target's simulated value
sums its metric over its period (a year ``2021`` or a month ``2021-03``), scales money
and counts to the real population, and averages over replicates. Shares
(``refunded_share``) are refunded / gross loss within the period, totalled over the
replicates. A metric
``VECTOR.STAT`` (e.g. ``social_engineering.loss``) reads the per-vector table.
"""

from __future__ import annotations

import csv
import difflib
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from simfraud.core.metrics import METRICS, VECTOR_METRICS, VECTOR_STATS
from simfraud.core.vectors import VECTORS
from simfraud.results.units import in_currency
from simfraud.scenario.yaml12 import unreadable_file

PERIOD = re.compile(r"\d{4}(-\d{2})?")
"""A target's period: a year or a month."""

SHARES = {"refunded_share": ("refunded", "gross_loss"),
          "user_loss_share": ("user_loss", "gross_loss")}
VECTOR_SHARES = {"refunded_share": ("refunded", "loss")}
"""Target metrics that are ratios of two daily metrics within a period."""



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
    if not PERIOD.fullmatch(target.period):
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


def measured(timeseries: pd.DataFrame, vectors: pd.DataFrame, target: Target,
             scale: float) -> tuple[float, float]:
    """The parts of a target's simulated value in some replicates: ``(numerator, weight)``.

    For a sum, the scaled total over the period and the replicates, and the number of
    replicates; for a share, the totals of its two metrics. ``pooled`` turns the parts of
    any set of replicates into the value.

    Raises:
        ValueError: When the period holds no simulated day.
    """
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
    if metric in shares:
        numerator, denominator = shares[metric]
        return float(part[numerator].sum()), float(part[denominator].sum())
    if metric not in part:
        raise ValueError(f"target {target.metric}: unknown metric {metric!r}")
    return float(part[metric].sum()) * scale, float(part["replicate"].nunique())


def pooled(parts: list[tuple[float, float]]) -> float:
    """A target's value over replicates from their ``measured`` parts.

    A sum's mean over the replicates; a share's ratio of the totals over the replicates
    (0 when nothing was lost in any), so a replicate with no loss counts for nothing
    rather than for a share of 0.
    """
    numerator = sum(part[0] for part in parts)
    weight = sum(part[1] for part in parts)
    return numerator / weight if weight > 0 else 0.0


def loss(fits: list[tuple[Target, float]]) -> float:
    """Weighted sum of squared relative errors."""
    return sum(t.weight * ((value - t.value) / t.value) ** 2 for t, value in fits)


def target_unit(metric: str, currency: str) -> str:
    """Unit of a target's value: ``share``, or the metric's unit at the real population."""
    stat = metric.split(".", 1)[-1]
    if stat in (VECTOR_SHARES if "." in metric else SHARES):
        return "share"
    unit = (VECTOR_METRICS[stat] if "." in metric else METRICS[metric]).unit
    return in_currency(unit, currency)
