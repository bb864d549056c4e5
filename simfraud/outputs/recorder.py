"""Daily metrics in preallocated arrays, turned into DataFrames at the end of a run."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simfraud.core.metrics import TIMESERIES, VECTOR_STATS
from simfraud.core.vectors import N_VECTORS, VECTORS


class MetricsRecorder:
    """Preallocated daily series for one replicate.

    The series of one dtype are the columns of one ``(days, metrics)`` table, so a day is
    stored as one row per dtype; ``series`` gives each metric's column.
    """

    def __init__(self, days: int, platform_names: list[str]):
        self.days = days
        self.recorded = 0
        """Days recorded so far (a partly run model reports only these)."""
        self.platform_names = list(platform_names)
        by_dtype: dict[np.dtype, list[str]] = {}
        for metric in TIMESERIES:
            by_dtype.setdefault(np.dtype(metric.dtype), []).append(metric.name)
        self.tables = [(tuple(names), np.zeros((days, len(names)), dtype=dtype))
                       for dtype, names in by_dtype.items()]
        """Per dtype: the metrics' names and their ``(days, metrics)`` table."""
        self.series = {name: table[:, k] for names, table in self.tables
                       for k, name in enumerate(names)}
        """Each metric's daily column (a view of its table)."""
        self.vectors = np.zeros((days, len(platform_names), N_VECTORS, len(VECTOR_STATS)),
                                dtype=np.int64)

    def record(self, day: int, values: dict[str, float], vector_stats: np.ndarray) -> None:
        """Store one day.

        Args:
            day: Day index.
            values: A value for every ``TIMESERIES`` metric.
            vector_stats: ``(n_platforms, n_vectors, len(VECTOR_STATS))`` integers.
        """
        for names, table in self.tables:
            table[day] = [values[name] for name in names]
        self.vectors[day] = vector_stats
        self.recorded = max(self.recorded, day + 1)

    def day_values(self, day: int) -> dict[str, int | float]:
        """One recorded day, every metric as a Python number."""
        return {name: value for names, table in self.tables
                for name, value in zip(names, table[day].tolist(), strict=True)}

    def timeseries(self, replicate: int, start: dt.date) -> pd.DataFrame:
        """The daily series as a DataFrame, one row per day recorded so far."""
        n = self.recorded
        days = np.arange(n, dtype=np.int32)
        frame = pd.DataFrame({
            "replicate": np.full(n, replicate, dtype=np.int32),
            "day": days,
            "date": pd.to_datetime(start) + pd.to_timedelta(days, unit="D"),
        })
        series = {name: array[:n] for name, array in self.series.items()}
        return pd.concat([frame, pd.DataFrame(series)], axis=1)

    def vector_table(self, replicate: int) -> pd.DataFrame:
        """Per (day, platform, vector) statistics in long form, for the days recorded."""
        _, n_platforms, n_vectors, _ = self.vectors.shape
        days = self.recorded
        index = pd.MultiIndex.from_product(
            [range(days), range(n_platforms), range(n_vectors)], names=["day", "p", "v"]
        )
        flat = self.vectors[:days].reshape(-1, len(VECTOR_STATS))
        frame = pd.DataFrame(flat, columns=list(VECTOR_STATS), index=index).reset_index()
        frame.insert(0, "replicate", np.int32(replicate))
        frame["day"] = frame["day"].astype(np.int32)
        frame.insert(2, "platform", pd.Categorical.from_codes(frame.pop("p"),
                                                              self.platform_names))
        frame.insert(3, "vector", pd.Categorical.from_codes(frame.pop("v"), list(VECTORS)))
        return frame
