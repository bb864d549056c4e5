"""A Mesa ``DataCollector`` over the daily metrics, for Mesa's own tools.

``FraudModel.datacollector`` holds every ``TIMESERIES`` metric of the days run so far,
so row ``k`` of its model-vars frame is day ``k`` and ``mesa.batch_run(FraudModel, ...)``
(which reports step ``model.steps - 1``, the last day) and Mesa's visualisation read the
model like any other Mesa model. Its ``model_vars`` are a view of ``model.metrics``, read
when asked for: nothing is copied day by day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

import mesa
import pandas as pd

from simfraud.core.metrics import TIMESERIES
from simfraud.outputs.recorder import MetricsRecorder


def _reporter(name: str) -> Callable[[mesa.Model], float | int]:
    def report(model) -> float | int:
        return model.metrics.series[name][model.day - 1].item()

    report.__name__ = name
    return report


class RecordedSeries(Mapping):
    """Each metric's values of the days recorded so far, as a list (Mesa's ``model_vars``)."""

    def __init__(self, metrics: MetricsRecorder):
        self.metrics = metrics

    def __getitem__(self, name: str) -> list[float | int]:
        return self.metrics.series[name][:self.metrics.recorded].tolist()

    def __iter__(self) -> Iterator[str]:
        return iter(self.metrics.series)

    def __len__(self) -> int:
        return len(self.metrics.series)


class MetricsCollector(mesa.DataCollector):
    """Mesa's collector of the daily metrics, reading them from the model's recorder."""

    def __init__(self, metrics: MetricsRecorder):
        super().__init__(model_reporters={m.name: _reporter(m.name) for m in TIMESERIES})
        self.model_vars = RecordedSeries(metrics)

    def collect(self, model: mesa.Model) -> None:
        """Nothing to do: the recorder stores each day as it is run (``model_vars``)."""

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        """One column per metric, one row per day recorded (row ``k``: day ``k``)."""
        return pd.DataFrame(dict(self.model_vars))


def data_collector(metrics: MetricsRecorder) -> MetricsCollector:
    """A collector with one model reporter per daily metric (same names and units).

    Args:
        metrics: The model's recorder, whose recorded days the collector reports.
    """
    return MetricsCollector(metrics)
