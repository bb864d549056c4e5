"""The results of a scenario's replicates, in memory."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd


@dataclass
class RunResult:
    """Results of all replicates of one scenario."""

    timeseries: pd.DataFrame
    vectors: pd.DataFrame
    transactions: pd.DataFrame | None = None
    phase_seconds: dict[str, float] = field(default_factory=dict)
    setup_seconds: float = 0.0
    simulate_seconds: float = 0.0
