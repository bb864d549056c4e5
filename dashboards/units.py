"""Aggregation and labels of the dashboard's series, taken from the metric registry.

A flow (an amount per day) is summed over a period; a stock (a level at the end of a
day) and a ratio (a mean or an index) are averaged over it. Money is stored in minor
units and shown in major units of the result's currency; every other series is labelled
with its unit from ``simfraud.core.metrics``.
"""

from __future__ import annotations

import pandas as pd

from simfraud.core.metrics import FLOW, METRICS, MINOR_UNITS, VECTOR_METRICS, Metric

MINOR_PER_MAJOR = 100
"""Minor units per major unit of every currency the scenarios use (GBP, EUR, CNY, USD)."""


def metric(column: str) -> Metric:
    """The registry entry of a column of ``timeseries.parquet`` or ``vectors.parquet``.

    Raises:
        KeyError: When the column is not a known metric.
    """
    if column in METRICS:
        return METRICS[column]
    return VECTOR_METRICS[column]


def is_flow(column: str) -> bool:
    """Whether a column is summed over a period (otherwise it is averaged)."""
    return metric(column).kind == FLOW


def aggregation(column: str) -> str:
    """``sum`` for flows, ``mean`` for stocks and ratios."""
    return "sum" if is_flow(column) else "mean"


def scale(column: str) -> float:
    """Divisor that turns a stored value into the unit shown (minor to major money)."""
    return MINOR_PER_MAJOR if MINOR_UNITS in metric(column).unit else 1


def unit_label(column: str, currency: str) -> str:
    """The unit to show for a column: the currency for money, else the registry's unit."""
    unit = metric(column).unit
    if unit == MINOR_UNITS:
        return currency
    return unit.replace(MINOR_UNITS, currency)


def how(column: str, frequency: str) -> str:
    """How a period's value is made, for titles: ``weekly total`` or ``weekly mean``."""
    return f"{frequency} {'total' if is_flow(column) else 'mean'}"


def display(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """``frame`` with the given columns in the unit shown (money in major units)."""
    out = frame.copy()
    for column in columns:
        out[column] = out[column] / scale(column)
    return out


def labelled(frame: pd.DataFrame, currency: str) -> pd.DataFrame:
    """``frame`` with money in major units and every metric column named with its unit.

    ``gross_loss`` becomes ``gross_loss [EUR]``, ``facepay_users`` ``facepay_users [users]``;
    other columns (``replicate``, ``day``, ``date``, ``platform``...) keep their names.
    """
    known = [c for c in frame.columns if c in METRICS or c in VECTOR_METRICS]
    out = display(frame, known)
    return out.rename(columns={c: f"{c} [{unit_label(c, currency)}]" for c in known})
