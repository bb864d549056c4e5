"""The metrics recorder: a day stored as one row per dtype reads back value for value."""

from types import SimpleNamespace

import numpy as np
import pytest

from simfraud.core.metrics import GLOBAL, PER_PLATFORM, PER_PLATFORM_VECTOR, TIMESERIES
from simfraud.core.vectors import N_VECTORS
from simfraud.outputs.day_values import kernel_counts
from simfraud.outputs.recorder import MetricsRecorder
from simfraud.users import counters as K


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


@pytest.mark.parametrize("platforms", [1, 3])
def test_counted_metrics_sum_their_kernel_slot_over_their_scope(platforms):
    rng = np.random.default_rng(platforms)
    n_pv, n_p, n_g = K.N_PV, K.N_P, K.N_G
    totals = K.UserTotals.of(rng.integers(-2**40, 2**40, platforms * (N_VECTORS * n_pv + n_p)
                                          + n_g), np.zeros(platforms * K.N_FP + 1), platforms)
    counts = kernel_counts(SimpleNamespace(totals=totals))
    scopes = {PER_PLATFORM_VECTOR: (totals.pvs, K.PV), PER_PLATFORM: (totals.per_platform, K.P),
              GLOBAL: (totals.glob, K.G)}
    counted = [m for m in TIMESERIES if m.counted]
    assert list(counts) == [m.name for scope in scopes for m in counted if m.counted == scope]
    for metric in counted:
        table, slots = scopes[metric.counted]
        expected = sum(int(x) for x in np.ravel(table[..., getattr(slots, metric.name)]))
        assert counts[metric.name] == expected and type(counts[metric.name]) is int
