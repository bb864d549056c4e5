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
    """Mesa's collector of the daily metrics, filled a day at a time.

    ``collect`` appends what each reporter reports, read in one go from the day's rows of
    ``model.metrics`` (plain numbers, so without the per-reporter dispatch and deep copy
    of Mesa's own ``collect``).
    """

    def collect(self, model: mesa.Model) -> None:
        """Append the day just run to every metric's list."""
        for name, value in model.metrics.day_values(model.day - 1).items():
            self.model_vars[name].append(value)


def data_collector() -> MetricsCollector:
    """A collector with one model reporter per daily metric (same names and units)."""
    return MetricsCollector(model_reporters={m.name: _reporter(m.name) for m in TIMESERIES})
