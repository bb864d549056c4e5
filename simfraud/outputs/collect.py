"""A Mesa ``DataCollector`` over the daily metrics, for Mesa's own tools.

``FraudModel.datacollector`` collects at the end of every step (day) every
``TIMESERIES`` metric of the day just run, so row ``k`` of its model-vars frame is day
``k`` and ``mesa.batch_run(FraudModel, ...)`` (which reports step ``model.steps - 1``,
the last day) and Mesa's visualisation read the model like any other Mesa model. The
values are those of ``model.metrics``; the collector only reads them.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa

from simfraud.core.metrics import TIMESERIES


def _reporter(name: str) -> Callable[[mesa.Model], float | int]:
    def report(model) -> float | int:
        return model.metrics.series[name][model.day - 1].item()

    report.__name__ = name
    return report


class MetricsCollector(mesa.DataCollector):
    """Mesa's collector of the daily metrics, without Mesa's generic per-reporter work.

    ``collect`` calls each reporter and appends its value, as Mesa's does, but skips the
    type dispatch and the deep copy Mesa makes of every value: the values are plain
    numbers read from ``model.metrics``.
    """

    def collect(self, model: mesa.Model) -> None:
        """Append the day just run to every metric's list."""
        for name, report in self.model_reporters.items():
            self.model_vars[name].append(report(model))


def data_collector() -> MetricsCollector:
    """A collector with one model reporter per daily metric (same names and units)."""
    return MetricsCollector(model_reporters={m.name: _reporter(m.name) for m in TIMESERIES})
