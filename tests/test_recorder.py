"""The metrics recorder: a day stored as one row per dtype reads back value for value."""

import numpy as np
import pytest

from simfraud.core.metrics import TIMESERIES
from simfraud.outputs.recorder import MetricsRecorder


def one_day(rng: np.random.Generator) -> dict:
    """A value of the right kind for every metric, with integers past float precision."""
    values = {}
    for metric in TIMESERIES:
        if np.dtype(metric.dtype) == np.int64:
            values[metric.name] = int(rng.integers(-2**62, 2**62))
        elif np.dtype(metric.dtype).kind == "i":
            values[metric.name] = int(rng.integers(0, 2))
        else:
            values[metric.name] = float(rng.normal(0.0, 1e6))
    return values


@pytest.mark.parametrize("seed", range(3))
def test_recorded_days_read_back_exactly(seed):
    rng = np.random.default_rng(seed)
    recorder = MetricsRecorder(4, ["a", "b"])
    days = [one_day(rng) for _ in range(3)]
    for day, values in enumerate(days):
        recorder.record(day, values, rng.integers(0, 100, recorder.vectors.shape[1:]))
    for day, values in enumerate(days):
        assert recorder.day_values(day) == values
        for metric in TIMESERIES:
            assert recorder.series[metric.name][day] == values[metric.name]
            assert recorder.series[metric.name].dtype == metric.dtype
    frame = recorder.timeseries(0, np.datetime64("2026-01-01"))
    assert len(frame) == 3 and frame[TIMESERIES[0].name].tolist() == [
        d[TIMESERIES[0].name] for d in days]
