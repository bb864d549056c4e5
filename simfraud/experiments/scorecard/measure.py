"""What the model says about a published series: one value per replicate, per point.

A metric's kind (``simfraud.core.metrics``) says how a period aggregates it: a ``flow``
is summed over the period's days, a ``stock`` is its level on the period's last day and a
``ratio`` is averaged over the days. Money (minor units) is shown in major units of the
scenario's currency (divided by 100). A share divides the numerator's per-replicate
value by the denominator's (``per``, over the same vectors and platforms, or over all of
them with ``per_all``) or by the simulated users (``per_user``); a
``national`` value is multiplied by ``population.weight``; a point with a ``base`` is the
growth ratio of its period over the base period. Replicates stay separate until the end,
so the band is a spread over replicates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simfraud.core.metrics import FLOW, METRICS, STOCK, VECTOR_METRICS, Metric
from simfraud.experiments.scorecard.cases import Apcer, Measure
from simfraud.scenario.overrides import get_path
from simfraud.scenario.schema import Scenario
from simfraud.users.contest import tullock

MINOR_PER_MAJOR = 100
"""Minor units in one major unit of every currency the scenarios use (GBP, EUR, USD)."""


def registry(measure: Measure) -> dict[str, Metric]:
    """The metric registry of the measure's table."""
    return METRICS if measure.table == "timeseries" else VECTOR_METRICS


def unit_of(measure: Measure, currency: str) -> str:
    """The unit of the simulated value (a money metric in the currency's major units)."""
    metric = registry(measure)[measure.numerator[0]]
    unit = currency if metric.is_money else metric.unit
    if measure.per:
        other = registry(measure)[measure.per[0]]
        other_unit = currency if other.is_money else other.unit
        return "share" if other_unit == unit else f"{unit} per {other_unit}"
    if measure.per_user:
        return "share of users" if unit == "users" else f"{unit} per user"
    return unit


def selected(measure: Measure, frame: pd.DataFrame) -> pd.DataFrame:
    """The measure's rows of a table: its vectors and platforms (all when not named)."""
    if measure.vectors is not None:
        frame = frame[frame["vector"].isin(measure.vectors)]
    if measure.platforms is not None:
        frame = frame[frame["platform"].isin(measure.platforms)]
    return frame


def period_totals(frame: pd.DataFrame, names: list[str], metric: Metric,
                  days: tuple[int, int], replicates: list[int]) -> pd.Series:
    """The sum of ``names`` over a period, aggregated by ``metric``'s kind, per replicate."""
    first, last = days
    part = frame[(frame["day"] >= first) & (frame["day"] <= last)]
    daily = part.groupby(["replicate", "day"])[names].sum().sum(axis=1)
    if metric.kind == FLOW:
        values = daily.groupby(level="replicate").sum()
    elif metric.kind == STOCK:
        values = daily.xs(last, level="day") if len(daily) else daily
    else:
        values = daily.groupby(level="replicate").mean()
    if metric.is_money:
        values = values / MINOR_PER_MAJOR
    return values.reindex(replicates, fill_value=0.0).astype(float)


def measure_period(measure: Measure, frame: pd.DataFrame, days: tuple[int, int],
                   scenario: Scenario, replicates: list[int]) -> np.ndarray:
    """The measure over one period: one value per replicate (NaN where a share is 0/0)."""
    table = registry(measure)
    whole, frame = frame, selected(measure, frame)
    value = period_totals(frame, measure.numerator, table[measure.numerator[0]], days,
                          replicates)
    if measure.minus:
        value = value - period_totals(frame, measure.minus, table[measure.minus[0]], days,
                                      replicates)
    if measure.per:
        below = period_totals(whole if measure.per_all else frame, measure.per,
                              table[measure.per[0]], days, replicates)
        value = value / below.where(below != 0)
    elif measure.per_user:
        value = value / scenario.population.users
    elif measure.national:
        value = value * scenario.population.weight
    return value.to_numpy(dtype=float)


def measure_point(measure: Measure, frame: pd.DataFrame, periods: dict[str, list[int]],
                  period: str, base: str | None, scenario: Scenario) -> np.ndarray:
    """A published point's simulated values, one per replicate (a ratio with a base)."""
    replicates = sorted(frame["replicate"].unique().tolist())
    value = measure_period(measure, frame, tuple(periods[period]), scenario, replicates)
    if base is None:
        return value
    before = measure_period(measure, frame, tuple(periods[base]), scenario, replicates)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(before != 0, value / np.where(before != 0, before, 1.0), np.nan)


def parameter_value(scenario: Scenario, path: str) -> float:
    """A number of the resolved scenario at a dotted path (a switch: 1 on, 0 off).

    Raises:
        OverrideError: When the path leads nowhere.
        ValueError: When it leads to something else than a number or a switch.
    """
    value = get_path(scenario.model_dump(mode="json"), path)
    if not isinstance(value, int | float):
        raise ValueError(f"parameter {path!r} is not a number or a switch (true/false)")
    return float(value)


def apcer_value(scenario: Scenario, check: Apcer) -> float:
    """Attack success of a tool at day-0 quality against a liveness level's strength.

    The model's contest (``simfraud.users.contest.tullock``, docs/model.md) at the crews'
    ``attackers.initial_tool_quality`` of the vector (crew skill 1).
    """
    quality = float(getattr(scenario.attackers.initial_tool_quality, check.vector))
    strength = float(getattr(getattr(scenario.defences.liveness, check.level), check.vector))
    return float(tullock(quality, strength, scenario.defences.contest_decisiveness))
