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

The computation works on arrays: pandas group-bys take the monthly means (one for the
vectors whose tools and defence hold no NaN, one for the others) and numpy the changes,
the warm-up, the centring and the lags. Every sum is the one a per-vector pandas
computation takes (``tests/arms_race_reference.py``, which the results equal bit for bit):
pandas sums a month by ``np.add.reduceat`` or by a compensated sum, depending on NaN and
row order (``_monthly_means``), and a centring mean pairwise or value after value,
depending on the memory layout of the frames it is given (``_centre``).
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

import numpy as np
import pandas as pd

MONTH_DAYS = 30
MAX_LAG_MONTHS = 6
WARM_UP_MONTHS = 12
"""Monthly changes dropped at the start of a run, at most (a third of them in short runs)."""

_COLUMNS = ["replicate", "vector", "month", "tools", "defence"]


class _VectorChanges(NamedTuple):
    """One vector's centred monthly changes after the warm-up, in (replicate, month) order.

    ``kept`` has one flag per change of the vector before the warm-up is dropped (whether
    it is past the warm-up): ``monthly_changes`` numbers its rows by those changes.
    """

    vector: str
    kept: np.ndarray
    replicate: np.ndarray
    month: np.ndarray
    tools: np.ndarray
    defence: np.ndarray


def warm_up_months(changes: int) -> int:
    """Monthly changes dropped as warm-up: ``WARM_UP_MONTHS``, at most a third of them."""
    return min(WARM_UP_MONTHS, changes // 3)


def _starts(keys: np.ndarray) -> np.ndarray:
    """Positions where a run of equal (sorted) ``keys`` begins (none in an empty array)."""
    return np.flatnonzero(np.r_[len(keys) > 0, keys[1:] != keys[:-1]])


def _monthly_means(timeseries: pd.DataFrame, tool_columns: list[str],
                   defence_columns: list[str]) -> tuple[pd.MultiIndex, np.ndarray, np.ndarray,
                                                        np.ndarray]:
    """Monthly means of each vector's tools and defence, per replicate, as pandas takes them.

    pandas' group mean sums a block of columns with ``np.add.reduceat`` when the rows are
    sorted by replicate and day and the block holds no NaN, and with a compensated sum
    otherwise; either sum takes each column on its own. A vector's means are taken in the
    block of the vectors whose tools and defence are, like its own, free of NaN or not:
    summed as they would be in a block of its two columns.

    Args:
        timeseries: Daily series (one or more replicates, at least one day).
        tool_columns: The ``tool_quality_*`` columns.
        defence_columns: The ``defence_*`` columns, vector by vector.

    Returns:
        The (replicate, month) index; the means of tools and of defence (a row per month
        of a replicate, a column per vector); per vector, whether pandas summed its
        means with ``np.add.reduceat``.
    """
    # The keys as columns: pandas tries arrays given as keys as column labels first and
    # prints each into an error message it drops.
    keys = {"replicate": timeseries["replicate"].to_numpy(),
            "month": timeseries["day"].to_numpy() // MONTH_DAYS}
    values = {c: timeseries[c].to_numpy() for c in tool_columns + defence_columns}
    with_nan = np.array([np.isnan(values[t]).any() or np.isnan(values[d]).any()
                         for t, d in zip(tool_columns, defence_columns, strict=True)], bool)
    grouped = pd.DataFrame({**keys, **values}).groupby(list(keys), sort=True)
    blocks = [block for block in (np.flatnonzero(~with_nan), np.flatnonzero(with_nan))
              if len(block)]
    tools, defence = np.empty((2, grouped.ngroups, len(tool_columns)))
    for block in blocks:
        columns = [tool_columns[j] for j in block] + [defence_columns[j] for j in block]
        monthly = (grouped[columns] if len(blocks) > 1 else grouped).mean()
        tools[:, block], defence[:, block] = np.split(monthly.to_numpy(), 2, axis=1)
    replicate, month = keys["replicate"], keys["month"]
    ordered = bool(np.all((replicate[1:] > replicate[:-1])
                          | ((replicate[1:] == replicate[:-1]) & (month[1:] >= month[:-1]))))
    return monthly.index, tools, defence, ~with_nan & ordered


def _pairwise_means(tools: np.ndarray, defence: np.ndarray) -> np.ndarray:
    """Means of a group's tools and defence changes, each a pairwise sum (``Series.mean``)."""
    return np.array([tools.sum(), defence.sum()]) / len(tools)


def _sequential_means(tools: np.ndarray, defence: np.ndarray) -> np.ndarray:
    """Means of a group's changes as ``DataFrame.mean`` takes them from a column-major block.

    numpy sums a row of a column-major block value after value, not pairwise.
    """
    return np.asfortranarray([tools, defence]).sum(axis=1) / len(tools)


def _centre(groups: list[tuple[np.ndarray, np.ndarray]], column_major: bool) -> None:
    """Centre each (replicate, vector)'s tools and defence changes on their mean, in place.

    As pandas' ``transform(lambda c: c - c.mean())`` over the groups does it: the first
    group column by column (``Series.mean``), and the other groups a frame at a time
    (``DataFrame.mean``) if that gives the first group the same result, else column by
    column too. A frame's mean sums pairwise like a column's, unless the frame's values
    are held column-major.

    Args:
        groups: Each group's tools and defence changes, groups sorted by replicate and
            vector.
        column_major: Whether the group frames pandas hands the function are column-major.
    """
    frame_means = _sequential_means if column_major else _pairwise_means
    by_frame = len(groups) > 1
    if by_frame:
        first = np.array(groups[0])
        by_frame = np.array_equal(first - frame_means(*first)[:, None],
                                  first - _pairwise_means(*first)[:, None], equal_nan=True)
    for k, (tools, defence) in enumerate(groups):
        means = (frame_means if by_frame and k else _pairwise_means)(tools, defence)
        tools -= means[0]
        defence -= means[1]


def _vector_changes(timeseries: pd.DataFrame) -> list[_VectorChanges]:
    """Each vector's centred monthly changes after the warm-up (``monthly_changes``).

    Args:
        timeseries: Daily series (one or more replicates).

    Returns:
        One entry per ``tool_quality_*`` column, in column order (none without days).
    """
    tool_columns = [c for c in timeseries.columns if "tool_quality_" in str(c)]
    if not tool_columns or timeseries.empty:
        return []
    vectors = [c.removeprefix("tool_quality_") for c in tool_columns]
    defence_columns = [f"defence_{vector}" for vector in vectors]
    index, tool_means, defence_means, reduceat = _monthly_means(timeseries, tool_columns,
                                                                defence_columns)
    replicate = index.get_level_values("replicate").to_numpy()
    month = index.get_level_values("month").to_numpy()
    starts = _starts(replicate)
    tools, defence = (np.log(np.where(means > 0, means, np.nan))
                      for means in (tool_means, defence_means))
    for levels in (tools, defence):  # no defence (strength 0: warnings off): no change
        levels[1:] = levels[1:] - levels[:-1]
        levels[starts] = np.nan  # a replicate's first month has no change
    present = ~np.isnan(tools) & ~np.isnan(defence)

    # Each replicate's warm-up counts its months with a change on any vector.
    any_vector = present.any(axis=1)
    months = np.add.reduceat(any_vector.astype(np.int64), starts)
    earliest = np.minimum.reduceat(np.where(any_vector, month, month.max()), starts)
    warm_up = np.array([warm_up_months(n) for n in months.tolist()], dtype=np.int64)
    after = month >= np.repeat(earliest + warm_up, np.diff(starts, append=len(month)))
    kept = present & after[:, None]

    out, groups = [], []
    for j, vector in enumerate(vectors):
        rows = np.flatnonzero(kept[:, j])
        changes = _VectorChanges(vector, kept[present[:, j], j], replicate[rows], month[rows],
                                 tools[rows, j], defence[rows, j])
        bounds = np.append(_starts(changes.replicate), len(rows))
        groups += [((changes.replicate[start], vector), changes.tools[start:stop],
                    changes.defence[start:stop])
                   for start, stop in pairwise(bounds)]
        out.append(changes)
    # A per-vector pandas computation holds a vector's changes column-major after a
    # compensated sum, row-major after np.add.reduceat; numpy concatenates the vectors'
    # blocks column-major only if every block of two or more rows is and none is empty
    # (C order wins a conflict; an empty block's strides are 0; one row fits either order).
    counts = present.sum(axis=0)
    column_major = bool((counts >= 2).any() and not (counts == 0).any()
                        and not ((counts >= 2) & reduceat).any())
    groups.sort(key=lambda group: group[0])
    _centre([(tools, defence) for _, tools, defence in groups], column_major)
    return out


def monthly_changes(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Month-on-month log changes of tool quality and defence, per replicate and vector.

    Months of the warm-up (``warm_up_months``) are dropped; each (replicate, vector)'s
    changes are centred on their mean, so that vectors whose tools and defences trend at
    different rates do not correlate through their trends. A month without crews or with
    no defence on a vector (strength 0: payee warnings off) gives that vector no change.

    Args:
        timeseries: Daily series (one or more replicates).

    Returns:
        Columns ``replicate``, ``vector``, ``month``, ``tools``, ``defence``; rows by
        vector (in column order), replicate and month, numbered among the changes
        before the warm-up is dropped.
    """
    changes = _vector_changes(timeseries)
    if not any(c.kept.any() for c in changes):
        return pd.DataFrame(columns=_COLUMNS)
    kept = np.concatenate([c.kept for c in changes])
    vectors = np.array([c.vector for c in changes], dtype=object)
    return pd.DataFrame(
        {"replicate": np.concatenate([c.replicate for c in changes]),
         "vector": np.repeat(vectors, [len(c.month) for c in changes]),
         "month": np.concatenate([c.month for c in changes]),
         "tools": np.concatenate([c.tools for c in changes]),
         "defence": np.concatenate([c.defence for c in changes])},
        index=pd.RangeIndex(len(kept))[kept])


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
    names, codes = np.unique(changes["vector"].to_numpy(), return_inverse=True)
    month = changes["month"].to_numpy()
    tools, defence = changes["tools"].to_numpy(), changes["defence"].to_numpy()
    series = []
    for code in range(len(names)):
        rows = np.flatnonzero(codes == code)
        rows = rows[month[rows].argsort(kind="quicksort")]  # as DataFrame.sort_values
        series.append((tools[rows], defence[rows]))
    return _correlation(series, lag)


def cross_correlation(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Pooled per-vector correlation of monthly changes at lags -6 to 6 months, per replicate.

    Returns:
        Columns ``replicate``, ``lag_months``, ``correlation``.
    """
    changes = sorted(_vector_changes(timeseries), key=lambda c: c.vector)
    replicates = sorted(set().union(*(np.unique(c.replicate).tolist() for c in changes)))
    bounds = [(np.searchsorted(c.replicate, replicates, side="left"),
               np.searchsorted(c.replicate, replicates, side="right")) for c in changes]
    rows = []
    for k, replicate in enumerate(replicates):
        series = [(c.tools[low[k]:high[k]], c.defence[low[k]:high[k]])
                  for c, (low, high) in zip(changes, bounds, strict=True) if high[k] > low[k]]
        rows += [(replicate, lag, _correlation(series, lag))
                 for lag in range(-MAX_LAG_MONTHS, MAX_LAG_MONTHS + 1)]
    return pd.DataFrame(rows, columns=["replicate", "lag_months", "correlation"])
