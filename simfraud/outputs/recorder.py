"""Daily metrics in preallocated arrays, turned into DataFrames at the end of a run."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simfraud.core.metrics import TIMESERIES, VECTOR_STATS
from simfraud.core.vectors import N_VECTORS, VECTORS


class MetricsRecorder:
    """Preallocated daily series for one replicate."""

    def __init__(self, days: int, platform_names: list[str]):
        self.days = days
        self.recorded = 0
        """Days recorded so far (a partly run model reports only these)."""
        self.platform_names = list(platform_names)
        self.series = {m.name: np.zeros(days, dtype=m.dtype) for m in TIMESERIES}
        self.vectors = np.zeros((days, len(platform_names), N_VECTORS, len(VECTOR_STATS)),
                                dtype=np.int64)

    def record(self, day: int, values: dict[str, float], vector_stats: np.ndarray) -> None:
        """Store one day.

        Args:
            day: Day index.
            values: A value for every ``TIMESERIES`` metric.
            vector_stats: ``(n_platforms, n_vectors, len(VECTOR_STATS))`` integers.
        """
        for name, array in self.series.items():
            array[day] = values[name]
        self.vectors[day] = vector_stats
        self.recorded = max(self.recorded, day + 1)

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
