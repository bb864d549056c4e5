"""Units of the wide Parquet tables, stored in the files themselves.

A wide table (``timeseries.parquet``, ``vectors.parquet``, an experiment's
``index.parquet``) has one column per metric, so a ``unit`` column cannot say what each
column is measured in. Each numeric column's Parquet field metadata holds it instead:
``unit`` (money as ``GBP minor units``: the currency's minor unit) and ``kind`` (``flow``,
``stock``, ``ratio`` from the metric registry; ``key`` for identifiers such as ``day``;
``timing`` for seconds of wall time), and the file's schema metadata holds ``currency``.
``pyarrow.parquet.read_schema(path).field(name).metadata`` reads them without the data;
``read_units`` returns them all. The table's data (and pandas' own metadata) is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simfraud.core.metrics import MINOR_UNITS, TIMESERIES, VECTOR_METRICS, Metric
from simfraud.scenario.reference import parameter_unit

UNIT, KIND, CURRENCY = b"unit", b"kind", b"currency"
"""Keys of a field's unit and kind, and of the file's currency, in the Parquet metadata."""
KEY, TIMING = "key", "timing"
"""Kinds of the columns that are not metrics: identifiers and wall-clock seconds."""
ColumnUnits = dict[str, tuple[str, str]]
"""Column name -> (unit, kind)."""
KEYS: ColumnUnits = {"replicate": ("replicate number", KEY), "day": ("day index", KEY),
                     "point": ("grid point number", KEY)}
"""Identifier columns shared by the tables."""


def in_currency(unit: str, currency: str) -> str:
    """A registry unit with money named by currency (``GBP minor units``)."""
    return unit.replace(MINOR_UNITS, f"{currency} {MINOR_UNITS}")


def _metric_units(metrics: list[Metric], currency: str) -> ColumnUnits:
    return {m.name: (in_currency(m.unit, currency), m.kind) for m in metrics}


def timeseries_units(currency: str) -> ColumnUnits:
    """Units of ``timeseries.parquet``'s numeric columns (from ``TIMESERIES``)."""
    return {**KEYS, **_metric_units(list(TIMESERIES), currency)}


def vectors_units(currency: str) -> ColumnUnits:
    """Units of ``vectors.parquet``'s numeric columns (from ``VECTOR_METRICS``)."""
    return {**KEYS, **_metric_units(list(VECTOR_METRICS.values()), currency)}


def index_units(columns: list[str], currency: str) -> ColumnUnits:
    """Units of an experiment index's columns: headline totals, last-day levels, grid values.

    A total over the run keeps its metric's unit and kind (a ``flow`` summed over the
    horizon); ``final_NAME`` is a stock's last-day level; ``grid.PATH`` has the scenario
    parameter's unit from the schema.
    """
    registry = {m.name: m for m in TIMESERIES}
    units: ColumnUnits = {**KEYS, "seconds": ("s", TIMING), "days": ("days", KEY),
                          "refunded_share": ("share of gross loss", "ratio")}
    for column in columns:
        metric = registry.get(column.removeprefix("final_"))
        if metric is not None:
            units[column] = (in_currency(metric.unit, currency), metric.kind)
        elif column.startswith("grid."):
            unit = parameter_unit(column.removeprefix("grid."))
            units[column] = (in_currency(unit, currency) if unit else "as in the scenario",
                             "parameter")
    return units


def with_units(frame: pd.DataFrame, units: ColumnUnits, currency: str) -> pa.Table:
    """``frame`` as an Arrow table whose numeric columns carry their unit and kind.

    Raises:
        ValueError: When a numeric column has no unit (the registry lacks it).
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    fields = []
    missing = []
    for field in table.schema:
        numeric = pa.types.is_integer(field.type) or pa.types.is_floating(field.type)
        if field.name in units:
            unit, kind = units[field.name]
            field = field.with_metadata({UNIT: unit.encode(), KIND: kind.encode()})
        elif numeric:
            missing.append(field.name)
        fields.append(field)
    if missing:
        raise ValueError(f"columns without a unit: {', '.join(missing)}")
    metadata = {**(table.schema.metadata or {}), CURRENCY: currency.encode()}
    return table.cast(pa.schema(fields, metadata=metadata))


def read_units(path: str | Path) -> dict[str, str]:
    """Column name -> unit of a Parquet file written with units (reads only its schema)."""
    schema = pq.read_schema(path)
    return {field.name: field.metadata[UNIT].decode() for field in schema
            if field.metadata and UNIT in field.metadata}


def read_currency(path: str | Path) -> str | None:
    """The currency a Parquet file's money columns are in (None when it does not say)."""
    metadata = pq.read_schema(path).metadata or {}
    return metadata[CURRENCY].decode() if CURRENCY in metadata else None


def label_units(frame: pd.DataFrame, units: dict[str, str], currency: str | None
                ) -> pd.DataFrame:
    """Set ``frame.attrs["units"]`` (column -> unit, for its columns) and ``["currency"]``.

    Returns:
        The same frame, labelled in place.
    """
    frame.attrs["units"] = {name: unit for name, unit in units.items() if name in frame}
    frame.attrs["currency"] = currency
    return frame


def label_from_file(frame: pd.DataFrame, path: str | Path) -> pd.DataFrame:
    """Label ``frame`` with the units and currency stored in the Parquet file ``path``."""
    return label_units(frame, read_units(path), read_currency(path))
