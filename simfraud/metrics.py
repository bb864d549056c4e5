"""Daily metrics in preallocated arrays, turned into DataFrames at the end of a run.

``TIMESERIES`` declares every column of ``timeseries.parquet`` (name, dtype, unit, kind,
meaning); ``VECTOR_STATS`` the per (platform, vector) columns of ``vectors.parquet``.
Consumers (summaries, comparisons, the dashboard) take units and aggregation from here:
a ``flow`` is summed over a period, a ``stock`` (a level at the end of the day) and a
``ratio`` (a mean or an index) are averaged over a period or taken at its end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from simfraud.vectors import N_VECTORS, VECTORS

FLOW, STOCK, RATIO = "flow", "stock", "ratio"
"""Kinds of metric: amounts per day, levels at the end of a day, means and indices."""
KINDS = (FLOW, STOCK, RATIO)
MINOR_UNITS = "minor units"
"""Unit of money: the scenario currency's minor unit (pence, cents, fen)."""


@dataclass(frozen=True)
class Metric:
    """One daily series.

    Attributes:
        name: Column name.
        dtype: numpy dtype of the column.
        unit: Unit of a value (``MINOR_UNITS`` for money).
        kind: ``flow`` (summed over periods), ``stock`` or ``ratio`` (averaged).
        description: What is measured.
    """

    name: str
    dtype: type
    unit: str
    kind: str
    description: str

    @property
    def is_money(self) -> bool:
        """Whether the values are money (minor units of the scenario currency)."""
        return self.unit == MINOR_UNITS


def _money(name: str, description: str, kind: str = FLOW) -> Metric:
    return Metric(name, np.int64, MINOR_UNITS, kind, description)


def _count(name: str, description: str, unit: str = "events", kind: str = FLOW) -> Metric:
    return Metric(name, np.int64, unit, kind, description)

TIMESERIES: tuple[Metric, ...] = (
    _count("attempts", "attack attempts", "attempts"),
    _count("successes", "successful frauds", "frauds"),
    _money("gross_loss", "amount stolen (minor units)"),
    _money("refunded", "amount refunded to victims"),
    _money("refunded_sending", "refunds paid by the victims' (sending) providers"),
    _money("refunded_receiving", "refunds paid by receiving providers"),
    _money("user_loss", "loss borne by victims (gross_loss - refunded)"),
    _money("recovered", "stolen money frozen at mule accounts"),
    _money("attacker_revenue", "gross_loss - recovered"),
    _money("attack_cost", "crews' spend on attempts"),
    _money("cum_gross_loss", "cumulative gross_loss", STOCK),
    _money("cum_refunded", "cumulative refunded", STOCK),
    _money("cum_user_loss", "cumulative user_loss", STOCK),
    _count("stopped_primary", "attempts stopped by liveness / device binding / vigilance",
           "attempts"),
    _count("stopped_step_up", "attempts stopped by step-up verification", "attempts"),
    _count("stopped_monitoring", "attempts stopped by transaction monitoring", "attempts"),
    _count("victims", "users defrauded", "users"),
    _count("payments", "genuine payments completed", "payments"),
    _money("payment_volume", "value of genuine payments"),
    _count("face_checks", "face authentications of genuine payments", "checks"),
    _count("false_rejects", "genuine face-pay users falsely rejected", "rejects"),
    _count("step_ups", "genuine payments that needed step-up", "payments"),
    _count("abandoned", "payments abandoned after a false reject", "payments"),
    _count("switched_platform", "users who switched platform", "users"),
    _count("facepay_users", "users using face pay (end of day)", "users", STOCK),
    _count("facepay_high_privacy", "face-pay users with privacy concern > 0.5", "users", STOCK),
    _count("facepay_low_privacy", "face-pay users with privacy concern <= 0.5", "users", STOCK),
    _count("users_high_privacy", "users with privacy concern > 0.5", "users", STOCK),
    _count("faces_compromised", "users whose face is compromised (permanent)", "users", STOCK),
    _count("credentials_compromised", "users with compromised credentials", "users", STOCK),
    _count("active_attackers", "active crews", "crews", STOCK),
    _money("security_spend", "platforms' security spend"),
    _money("platform_fees", "fees platforms earn on genuine payments"),
    _money("platform_net_income", "fees - refunds paid as sending provider - security spend"),
    _money("compliance_cost", "platforms' compliance cost"),
    _money("friction_cost", "cost of false rejects, step-ups and abandoned payments"),
    _money("social_cost", "fraud net of recoveries + friction + security spend + compliance"),
    Metric("regulation_in_force", np.int8, "flag", STOCK, "1 when the regulator's rules apply"),
    Metric("attacker_profit", np.float64, f"{MINOR_UNITS} per crew per day", RATIO,
           "mean smoothed daily profit per crew (at the reference population)"),
    Metric("mean_trust", np.float64, "index 0-1", RATIO, "mean trust in platforms"),
    Metric("mean_perceived_risk", np.float64, "index 0-1", RATIO,
           "mean perceived risk of face pay"),
    Metric("backlash_index", np.float64, "frauds per 100,000 users", RATIO,
           "smoothed face-pay frauds per 100,000 users"),
    Metric("mean_liveness_level", np.float64, "level 0-3", RATIO,
           "user-weighted liveness level (0 none, 3 depth_3d)"),
    *(Metric(f"tool_quality_{v}", np.float64, "quality", RATIO,
             f"mean crew quality (tools x skill): {v}") for v in VECTORS),
    *(Metric(f"defence_{v}", np.float64, "strength", RATIO,
             f"user-weighted first-layer defence strength: {v}") for v in VECTORS),
)
"""Columns of ``timeseries.parquet`` after ``replicate``, ``day`` and ``date``."""

METRICS: dict[str, Metric] = {m.name: m for m in TIMESERIES}
"""``TIMESERIES`` by name."""
MONEY_METRICS: tuple[str, ...] = tuple(m.name for m in TIMESERIES if m.is_money)
"""Names of the money columns of ``timeseries.parquet``."""

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


def metrics_table() -> str:
    """The Markdown table of ``timeseries.parquet``'s columns (docs/cli.md holds it)."""
    rows = [("replicate", "int32", "", "", "replicate number, from 0"),
            ("day", "int32", "", "", "day index, from 0"),
            ("date", "timestamp[us]", "", "", "calendar date: start_date + day")]
    rows += [(m.name, np.dtype(m.dtype).name, m.unit, m.kind, m.description)
             for m in TIMESERIES]
    lines = ["| column | dtype | unit | kind | meaning |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| `{name}` | {dtype} | {unit} | {kind} | {text} |"
              for name, dtype, unit, kind, text in rows]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(metrics_table(), end="")
