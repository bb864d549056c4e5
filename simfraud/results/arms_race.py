"""The arms-race diagnostic: do defences answer tools, vector by vector, month by month?

Tool quality and defence strength can both trend upwards without answering each other
(two independent ratchets). The diagnostic correlates their **monthly changes per
vector**: for each replicate and vector, crews' mean tool quality (``tool_quality_*``) and
the user-weighted first-layer defence strength (``defence_*``) are averaged per 30-day
month and changed to month-on-month log changes; the first months (the warm-up, see
``warm_up_months``) are dropped; each vector's changes are centred on their own mean; and
the changes of all vectors are pooled into one correlation at lags of -6 to 6 months
(defence change ``lag`` months after the tool change; at a negative lag the tool change
follows the defence change by ``-lag`` months). Platforms that answer the vector whose
tools improved give positive correlations at short positive lags; crews that answer the
defence that strengthened give non-zero correlations at short negative lags, whose sign
depends on what couples the two sides (with problemistic search both read the crews'
revenue, the platforms' loss, and the correlation is negative); independent ratchets
show correlations near zero; detectors that age against new tools before investment
catches up pull lag 0 down.

Why per vector and not an index of all vectors: an arithmetic mean of levels weights each
vector by its level (the strength against photo replay is ten times the others), and any
mean over vectors cannot see where R&D and investment go, only how much there is of them.
Why the warm-up is dropped: every run starts from a state that is not its steady state.
Fraud builds up for most of the first year (stolen faces accumulate, crews learn what
pays) and platforms' Gordon-Loeb investment follows it, so defences rise fast at first and
then slowly, while crews' R&D grows with their profits, slowly at first; two transients
of opposite curvature correlate negatively without either answering the other
(docs/decisions.md).

The computation is numpy's on arrays, its arithmetic our own: rows sorted by replicate
and day (their order in the frame does not matter), each month's days summed by
``np.add.reduceat`` in day order with NaN (days without crews) skipped and divided by
their count, and each (replicate, vector)'s changes centred on their ``ndarray.mean``. The
results equal the earlier per-vector pandas computation (``tests/arms_race_reference.py``)
up to rounding.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd

MONTH_DAYS = 30
MAX_LAG_MONTHS = 6
WARM_UP_MONTHS = 12
"""Monthly changes dropped at the start of a run, at most (a third of them in short runs)."""

_COLUMNS = ["replicate", "vector", "month", "tools", "defence"]


def warm_up_months(changes: int) -> int:
    """Monthly changes dropped as warm-up: ``WARM_UP_MONTHS``, at most a third of them."""
    return min(WARM_UP_MONTHS, changes // 3)


def _starts(*keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal (sorted) keys begins, in one or more key arrays."""
    changed = np.zeros(len(keys[0]), bool)
    changed[:1] = True
    for key in keys:
        changed[1:] |= key[1:] != key[:-1]
    return np.flatnonzero(changed)


def _changes(timeseries: pd.DataFrame) -> dict[str, np.ndarray]:
    """``monthly_changes``' columns as arrays (an empty dict without any change)."""
    tool_columns = list(timeseries.filter(like="tool_quality_").columns)
    if not tool_columns or timeseries.empty:
        return {}
    vectors = np.array([c.removeprefix("tool_quality_") for c in tool_columns], dtype=object)
    columns = tool_columns + [f"defence_{vector}" for vector in vectors]
    replicate, day = timeseries["replicate"].to_numpy(), timeseries["day"].to_numpy()
    order = np.lexsort((day, replicate))
    replicate, month = replicate[order], day[order] // MONTH_DAYS
    values = timeseries[columns].to_numpy(np.float64)[order]

    # Monthly means, NaN (a day without crews) skipped: each month's days summed in day order.
    starts = _starts(replicate, month)
    replicate, month = replicate[starts], month[starts]
    missing = np.isnan(values)
    with np.errstate(invalid="ignore"):  # a month of NaN only: 0 / 0, NaN
        means = (np.add.reduceat(np.where(missing, 0.0, values), starts)
                 / np.add.reduceat(~missing, starts, dtype=np.intp))
    levels = np.log(np.where(means > 0, means, np.nan))  # no defence (warnings off): no change

    changes = np.full_like(levels, np.nan)
    changes[1:] = levels[1:] - levels[:-1]
    first = _starts(replicate)
    changes[first] = np.nan  # a replicate's first month has no change
    tools, defence = np.split(changes, 2, axis=1)
    present = ~np.isnan(tools) & ~np.isnan(defence)

    # A replicate's warm-up counts the months with a change on any vector from the first.
    any_vector = present.any(axis=1)
    months = np.add.reduceat(any_vector, first, dtype=np.intp)
    earliest = np.minimum.reduceat(np.where(any_vector, month, month.max()), first)
    warm_up = np.array([warm_up_months(n) for n in months.tolist()], dtype=month.dtype)
    after = month >= np.repeat(earliest + warm_up, np.diff(first, append=len(month)))

    column, row = np.nonzero((present & after[:, None]).T)  # by vector, replicate, month
    if not len(row):
        return {}
    out = {"replicate": replicate[row], "vector": vectors[column], "month": month[row],
           "tools": tools[row, column], "defence": defence[row, column]}
    bounds = np.append(_starts(column, out["replicate"]), len(row))
    for start, stop in pairwise(bounds):  # centre each (replicate, vector) on its mean
        for x in (out["tools"][start:stop], out["defence"][start:stop]):
            x -= x.mean()
    return out


def monthly_changes(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Month-on-month log changes of tool quality and defence, per replicate and vector.

    Months of the warm-up (``warm_up_months``) are dropped; each (replicate, vector)'s
    changes are centred on their mean, so that vectors whose tools and defences trend at
    different rates do not correlate through their trends. A month without crews or with
    no defence on a vector (strength 0: payee warnings off) gives that vector no change.

    Args:
        timeseries: Daily series (one or more replicates, rows in any order).

    Returns:
        Columns ``replicate``, ``vector``, ``month``, ``tools``, ``defence``; rows by
        vector (in column order), replicate and month, numbered from 0.
    """
    changes = _changes(timeseries)
    return pd.DataFrame(changes, columns=_COLUMNS) if changes else pd.DataFrame(columns=_COLUMNS)


def _series(vector: np.ndarray, month: np.ndarray, tools: np.ndarray,
            defence: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each vector's tools and defence changes in month order, vectors sorted by name."""
    names, codes = np.unique(vector, return_inverse=True)
    order = np.lexsort((month, codes))  # stable: rows of the same month keep their order
    bounds = np.searchsorted(codes[order], np.arange(1, len(names)))
    return list(zip(np.split(tools[order], bounds), np.split(defence[order], bounds),
                    strict=True))


def _correlation(series: list[tuple[np.ndarray, np.ndarray]], lag: int) -> float:
    """Pooled correlation of ``tools[t]`` with ``defence[t + lag]`` (``lagged_correlation``).

    Args:
        series: Each vector's (tools, defence) changes in month order, vectors by name.
        lag: Months the defence change follows the tool change.

    Returns:
        The correlation (NaN when fewer than 3 pairs per vector remain, or no variation).
    """
    if not series or any(abs(lag) >= len(tools) - 2 for tools, _ in series):
        return float("nan")
    early, late = max(-lag, 0), max(lag, 0)  # leading months of tools, of defence
    x = np.concatenate([tools[early:len(tools) - late] for tools, _ in series])
    y = np.concatenate([defence[late:len(defence) - early] for _, defence in series])
    if np.std(x) == 0 or np.std(y) == 0:
        return float("nan")
    return float(np.corrcoef(x, y)[0, 1])


def lagged_correlation(changes: pd.DataFrame, lag: int) -> float:
    """Pooled correlation of ``tools[t]`` with ``defence[t + lag]`` within each vector.

    Args:
        changes: One replicate's ``monthly_changes``.
        lag: Months the defence change follows the tool change (negative: months the
            tool change follows the defence change).

    Returns:
        The correlation (NaN when fewer than 3 pairs per vector remain, or no variation).
    """
    return _correlation(_series(*(changes[c].to_numpy() for c in _COLUMNS[1:])), lag)


def cross_correlation(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Pooled per-vector correlation of monthly changes at lags -6 to 6 months, per replicate.

    Returns:
        Columns ``replicate``, ``lag_months``, ``correlation``.
    """
    changes = _changes(timeseries)
    rows = []
    for replicate in np.unique(changes["replicate"]).tolist() if changes else []:
        mine = changes["replicate"] == replicate
        series = _series(*(changes[c][mine] for c in _COLUMNS[1:]))
        rows += [(replicate, lag, _correlation(series, lag))
                 for lag in range(-MAX_LAG_MONTHS, MAX_LAG_MONTHS + 1)]
    return pd.DataFrame(rows, columns=["replicate", "lag_months", "correlation"])
