"""Daily metrics in preallocated arrays, turned into DataFrames at the end of a run.

``TIMESERIES`` declares every column of ``timeseries.parquet`` (name, dtype, meaning);
``VECTOR_STATS`` the per (platform, vector) columns of ``vectors.parquet``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simfraud.vectors import N_VECTORS, VECTORS


@dataclass(frozen=True)
class Metric:
    """One daily series."""

    name: str
    dtype: type
    description: str


_MONEY = np.int64
_COUNT = np.int64

TIMESERIES: tuple[Metric, ...] = (
    Metric("attempts", _COUNT, "attack attempts"),
    Metric("successes", _COUNT, "successful frauds"),
    Metric("gross_loss", _MONEY, "amount stolen (minor units)"),
    Metric("refunded", _MONEY, "amount refunded to victims"),
    Metric("refunded_sending", _MONEY, "refunds paid by the victims' (sending) providers"),
    Metric("refunded_receiving", _MONEY, "refunds paid by receiving providers"),
    Metric("user_loss", _MONEY, "loss borne by victims (gross_loss - refunded)"),
    Metric("recovered", _MONEY, "stolen money frozen at mule accounts"),
    Metric("attacker_revenue", _MONEY, "gross_loss - recovered"),
    Metric("attack_cost", _MONEY, "crews' spend on attempts"),
    Metric("cum_gross_loss", _MONEY, "cumulative gross_loss"),
    Metric("cum_refunded", _MONEY, "cumulative refunded"),
    Metric("cum_user_loss", _MONEY, "cumulative user_loss"),
    Metric("stopped_primary", _COUNT, "attempts stopped by liveness / device binding / vigilance"),
    Metric("stopped_step_up", _COUNT, "attempts stopped by step-up verification"),
    Metric("stopped_monitoring", _COUNT, "attempts stopped by transaction monitoring"),
    Metric("victims", _COUNT, "users defrauded"),
    Metric("payments", _COUNT, "genuine payments completed"),
    Metric("payment_volume", _MONEY, "value of genuine payments"),
    Metric("face_checks", _COUNT, "face authentications of genuine payments"),
    Metric("false_rejects", _COUNT, "genuine face-pay users falsely rejected"),
    Metric("step_ups", _COUNT, "genuine payments that needed step-up"),
    Metric("abandoned", _COUNT, "payments abandoned after a false reject"),
    Metric("switched_platform", _COUNT, "users who switched platform"),
    Metric("facepay_users", _COUNT, "users using face pay (end of day)"),
    Metric("facepay_high_privacy", _COUNT, "face-pay users with privacy concern > 0.5"),
    Metric("facepay_low_privacy", _COUNT, "face-pay users with privacy concern <= 0.5"),
    Metric("users_high_privacy", _COUNT, "users with privacy concern > 0.5"),
    Metric("faces_compromised", _COUNT, "users whose face is compromised (permanent)"),
    Metric("credentials_compromised", _COUNT, "users with compromised credentials"),
    Metric("active_attackers", _COUNT, "active crews"),
    Metric("security_spend", _MONEY, "platforms' security spend"),
    Metric("platform_fees", _MONEY, "fees platforms earn on genuine payments"),
    Metric("platform_net_income", _MONEY,
           "fees - refunds paid as sending provider - security spend"),
    Metric("compliance_cost", _MONEY, "platforms' compliance cost"),
    Metric("friction_cost", _MONEY, "cost of false rejects, step-ups and abandoned payments"),
    Metric("social_cost", _MONEY,
           "fraud net of recoveries + friction + security spend + compliance"),
    Metric("regulation_in_force", np.int8, "1 when the regulator's rules apply"),
    Metric("attacker_profit", np.float64,
           "mean smoothed daily profit per crew (minor units at the reference population)"),
    Metric("mean_trust", np.float64, "mean trust in platforms"),
    Metric("mean_perceived_risk", np.float64, "mean perceived risk of face pay"),
    Metric("backlash_index", np.float64, "smoothed face-pay frauds per 100,000 users"),
    Metric("mean_liveness_level", np.float64, "user-weighted liveness level (0 none, 3 depth_3d)"),
    *(Metric(f"tool_quality_{v}", np.float64, f"mean crew quality (tools x skill): {v}")
      for v in VECTORS),
    *(Metric(f"defence_{v}", np.float64, f"user-weighted first-layer defence strength: {v}")
      for v in VECTORS),
)
"""Columns of ``timeseries.parquet`` after ``replicate``, ``day`` and ``date``."""

VECTOR_STATS: tuple[str, ...] = (
    "attempts", "successes", "loss", "stopped_primary", "stopped_step_up",
    "stopped_monitoring", "refunded",
)
"""Columns of ``vectors.parquet`` after ``replicate``, ``day``, ``platform``, ``vector``."""


class MetricsRecorder:
    """Preallocated daily series for one replicate."""

    def __init__(self, days: int, platform_names: list[str]):
        self.days = days
        self.platform_names = list(platform_names)
        self.series = {m.name: np.zeros(days, dtype=m.dtype) for m in TIMESERIES}
        self.vectors = np.zeros((days, len(platform_names), N_VECTORS, len(VECTOR_STATS)),
                                dtype=np.int64)

    def record(self, day: int, values: dict[str, float], vector_stats: np.ndarray) -> None:
        """Store one day.

        Args:
            day: Day index.
            values: A value for every ``TIMESERIES`` metric.
            vector_stats: ``(n_platforms, n_vectors, len(VECTOR_STATS))`` integers.
        """
        for name, array in self.series.items():
            array[day] = values[name]
        self.vectors[day] = vector_stats

    def timeseries(self, replicate: int, start: dt.date) -> pd.DataFrame:
        """The daily series as a DataFrame, one row per day."""
        days = np.arange(self.days, dtype=np.int32)
        frame = pd.DataFrame({
            "replicate": np.full(self.days, replicate, dtype=np.int32),
            "day": days,
            "date": pd.to_datetime(start) + pd.to_timedelta(days, unit="D"),
        })
        return pd.concat([frame, pd.DataFrame(self.series)], axis=1)

    def vector_table(self, replicate: int) -> pd.DataFrame:
        """Per (day, platform, vector) statistics in long form."""
        days, n_platforms, n_vectors, _ = self.vectors.shape
        index = pd.MultiIndex.from_product(
            [range(days), range(n_platforms), range(n_vectors)], names=["day", "p", "v"]
        )
        flat = self.vectors.reshape(-1, len(VECTOR_STATS))
        frame = pd.DataFrame(flat, columns=list(VECTOR_STATS), index=index).reset_index()
        frame.insert(0, "replicate", np.int32(replicate))
        frame["day"] = frame["day"].astype(np.int32)
        frame.insert(2, "platform", pd.Categorical.from_codes(frame.pop("p"),
                                                              self.platform_names))
        frame.insert(3, "vector", pd.Categorical.from_codes(frame.pop("v"), list(VECTORS)))
        return frame
