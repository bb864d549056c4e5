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


def data_collector() -> mesa.DataCollector:
    """A collector with one model reporter per daily metric (same names and units)."""
    return mesa.DataCollector(model_reporters={m.name: _reporter(m.name) for m in TIMESERIES})
