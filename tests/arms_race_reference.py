"""The arms-race diagnostic as it was before it was vectorised (a reference for tests).

A verbatim copy of ``simfraud/results/arms_race.py`` at commit 31b6070 (pandas group-bys
per vector and per lag); ``tests/test_arms_race.py`` checks that the array-based functions
give the same results up to rounding. Not to be changed except to follow a deliberate
change of the diagnostic's definition.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTH_DAYS = 30
MAX_LAG_MONTHS = 6
WARM_UP_MONTHS = 12
"""Monthly changes dropped at the start of a run, at most (a third of them in short runs)."""


def warm_up_months(changes: int) -> int:
    """Monthly changes dropped as warm-up: ``WARM_UP_MONTHS``, at most a third of them."""
    return min(WARM_UP_MONTHS, changes // 3)


def monthly_changes(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Month-on-month log changes of tool quality and defence, per replicate and vector.

    Months of the warm-up (``warm_up_months``) are dropped; each (replicate, vector)'s
    changes are centred on their mean, so that vectors whose tools and defences trend at
    different rates do not correlate through their trends. A month without crews or with
    no defence on a vector (strength 0: payee warnings off) gives that vector no change.

    Args:
        timeseries: Daily series (one or more replicates).

    Returns:
        Columns ``replicate``, ``vector``, ``month``, ``tools``, ``defence``.
    """
    tools = timeseries.filter(like="tool_quality_")
    vectors = [c.removeprefix("tool_quality_") for c in tools.columns]
    # The keys as columns: pandas tries arrays given as keys as column labels first and
    # prints each into an error message it drops (a third of this function's time).
    keys = {"replicate": timeseries["replicate"].to_numpy(),
            "month": timeseries["day"].to_numpy() // MONTH_DAYS}
    frames = []
    for vector in vectors:
        frame = pd.DataFrame({**keys, "tools": timeseries[f"tool_quality_{vector}"].to_numpy(),
                              "defence": timeseries[f"defence_{vector}"].to_numpy()})
        monthly = frame.groupby(list(keys), sort=True).mean()
        monthly = np.log(monthly.where(monthly > 0))  # no defence (warnings off): no change
        changes = monthly.groupby(level="replicate").diff().dropna()
        frames.append(changes.assign(vector=vector).reset_index())
    columns = ["replicate", "vector", "month", "tools", "defence"]
    changes = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if changes.empty:
        return pd.DataFrame(columns=columns)
    first = changes.groupby("replicate")["month"].transform("min")
    months = changes.groupby("replicate")["month"].transform("nunique")
    changes = changes[changes["month"] >= first + months.map(warm_up_months)]
    if changes.empty:
        return pd.DataFrame(columns=columns)
    centred = changes.groupby(["replicate", "vector"])[["tools", "defence"]].transform(
        lambda c: c - c.mean())
    return changes.assign(**centred)[columns]


def lagged_correlation(changes: pd.DataFrame, lag: int) -> float:
    """Pooled correlation of ``tools[t]`` with ``defence[t + lag]`` within each vector.

    Args:
        changes: One replicate's ``monthly_changes``.
        lag: Months the defence change follows the tool change (negative: months the
            tool change follows the defence change).

    Returns:
        The correlation (NaN when fewer than 3 pairs per vector remain, or no variation).
    """
    tools, defence = [], []
    for _, group in changes.groupby("vector", sort=True):
        group = group.sort_values("month")
        if abs(lag) >= len(group) - 2:
            return float("nan")
        early, late = max(-lag, 0), max(lag, 0)  # leading months of tools, of defence
        tools.append(group["tools"].to_numpy()[early:len(group) - late])
        defence.append(group["defence"].to_numpy()[late:len(group) - early])
    if not tools:
        return float("nan")
    x, y = np.concatenate(tools), np.concatenate(defence)
    if np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def cross_correlation(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Pooled per-vector correlation of monthly changes at lags -6 to 6 months, per replicate.

    Returns:
        Columns ``replicate``, ``lag_months``, ``correlation``.
    """
    rows = []
    for replicate, group in monthly_changes(timeseries).groupby("replicate"):
        rows += [(replicate, lag, lagged_correlation(group, lag))
                 for lag in range(-MAX_LAG_MONTHS, MAX_LAG_MONTHS + 1)]
    return pd.DataFrame(rows, columns=["replicate", "lag_months", "correlation"])
