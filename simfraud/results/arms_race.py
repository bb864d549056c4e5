"""The arms-race diagnostic: do defences answer tools, month by month?

Tool quality and defence strength can both trend upwards without answering each other
(two independent ratchets). The diagnostic correlates their **monthly changes**: for each
replicate, the mean over vectors of crews' tool quality (``tool_quality_*``) and of the
user-weighted first-layer defence strength (``defence_*``) are averaged per 30-day month,
changed to month-on-month log changes, and correlated at lags of 0 to 6 months (defence
change ``lag`` months after the tool change). A coupled race shows positive correlations
at short lags; independent ratchets show correlations near zero.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTH_DAYS = 30
MAX_LAG_MONTHS = 6


def monthly_changes(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Month-on-month log changes of mean tool quality and defence, per replicate.

    Args:
        timeseries: Daily series (one or more replicates).

    Returns:
        Columns ``replicate``, ``month``, ``tools``, ``defence``.
    """
    frame = pd.DataFrame({
        "replicate": timeseries["replicate"].to_numpy(),
        "month": timeseries["day"].to_numpy() // MONTH_DAYS,
        "tools": timeseries.filter(like="tool_quality_").mean(axis=1).to_numpy(),
        "defence": timeseries.filter(like="defence_").mean(axis=1).to_numpy(),
    })
    monthly = frame.groupby(["replicate", "month"], sort=True).mean()
    changes = np.log(monthly).groupby(level="replicate").diff()
    return changes.dropna().reset_index()


def lagged_correlation(tools: np.ndarray, defence: np.ndarray, lag: int) -> float:
    """Correlation of ``tools[t]`` with ``defence[t + lag]`` (NaN when undefined)."""
    if lag >= len(tools) - 2:
        return float("nan")
    x, y = tools[:len(tools) - lag], defence[lag:]
    if np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def cross_correlation(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Correlation of monthly tool and defence changes at lags 0-6 months, per replicate.

    Returns:
        Columns ``replicate``, ``lag_months``, ``correlation``.
    """
    rows = []
    for replicate, group in monthly_changes(timeseries).groupby("replicate"):
        tools, defence = group["tools"].to_numpy(), group["defence"].to_numpy()
        rows += [(replicate, lag, lagged_correlation(tools, defence, lag))
                 for lag in range(MAX_LAG_MONTHS + 1)]
    return pd.DataFrame(rows, columns=["replicate", "lag_months", "correlation"])
