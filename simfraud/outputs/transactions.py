"""The labelled transaction log as a table."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from simfraud.core.vectors import VECTORS
from simfraud.users import transactions as tx

AUTH_METHODS = ("password", "face", "password+one-time code", "face+one-time code")


def transactions_frame(days: list[np.ndarray], replicate: int, start: dt.date,
                       platforms: list[str]) -> pd.DataFrame:
    """One row per logged payment attempt, genuine or fraudulent.

    Rows are ordered by day and then by the random transaction id, so the order within a
    day says nothing about the label.

    Args:
        days: Each day's records (``kernels.transactions`` layout).
        replicate: Replicate number.
        start: Calendar date of day 0.
        platforms: Platform names by index.

    Returns:
        Columns ``replicate``, ``day``, ``date``, ``transaction_id``, ``user``,
        ``platform``, ``amount`` (minor units), ``auth_method``, ``attack_vector`` (a
        vector or ``none``), ``is_fraud``, ``stopped_by`` (the layer that stopped it, or
        how a genuine payment ended), ``refunded`` (minor units).
    """
    records = (np.concatenate(days) if days
               else np.zeros((0, tx.N_FIELDS), dtype=np.int64))
    records = records[np.lexsort((records[:, tx.F_KEY], records[:, tx.F_DAY]))]
    vector = records[:, tx.F_VECTOR]
    labels = np.array(["none", *VECTORS])
    frame = pd.DataFrame({
        "replicate": np.full(len(records), replicate, dtype=np.int32),
        "day": records[:, tx.F_DAY].astype(np.int32),
        "transaction_id": records[:, tx.F_KEY],
        "user": records[:, tx.F_USER],
        "platform": pd.Categorical.from_codes(records[:, tx.F_PLATFORM], platforms),
        "amount": records[:, tx.F_AMOUNT],
        "auth_method": pd.Categorical.from_codes(records[:, tx.F_AUTH], AUTH_METHODS),
        "attack_vector": pd.Categorical(labels[vector + 1], categories=labels),
        "is_fraud": vector != tx.GENUINE,
        "stopped_by": pd.Categorical.from_codes(records[:, tx.F_OUTCOME], tx.OUTCOMES),
        "refunded": records[:, tx.F_REFUNDED],
    })
    frame.insert(2, "date", pd.to_datetime(start) + pd.to_timedelta(frame["day"], unit="D"))
    return frame
