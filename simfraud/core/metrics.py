"""The metric registry: every daily series a run reports, with dtype, unit and kind.

``TIMESERIES`` declares every column of ``timeseries.parquet`` (name, dtype, unit, kind,
meaning); ``VECTOR_STATS`` the per (platform, vector) columns of ``vectors.parquet``.
Consumers (summaries, comparisons, the dashboard) take units and aggregation from here:
a ``flow`` is summed over a period, a ``stock`` (a level at the end of the day) and a
``ratio`` (a mean or an index) are averaged over a period or taken at its end.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from simfraud.core.vectors import VECTORS

FLOW, STOCK, RATIO = "flow", "stock", "ratio"
"""Kinds of metric: amounts per day, levels at the end of a day, means and indices."""
KINDS = (FLOW, STOCK, RATIO)
PER_PLATFORM_VECTOR, PER_PLATFORM, GLOBAL = "platform_vector", "platform", "global"
"""Scopes of a kernel counter: the user kernel counts a *counted* metric in one
accumulator slot per (platform, vector), per platform or once, and its daily value is that
slot summed (``users/counters.py`` lays the slots out from this registry)."""
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
        counted: Scope of the user kernel's counter for this metric (``PER_PLATFORM``,
            ``GLOBAL``, ``PER_PLATFORM_VECTOR``), or ``""`` when the metric is computed
            from the model's state (``outputs/day_values.py``).
    """

    name: str
    dtype: type
    unit: str
    kind: str
    description: str
    counted: str = ""

    @property
    def is_money(self) -> bool:
        """Whether the values are money (minor units of the scenario currency)."""
        return self.unit == MINOR_UNITS


def _money(name: str, description: str, kind: str = FLOW, counted: str = "") -> Metric:
    return Metric(name, np.int64, MINOR_UNITS, kind, description, counted)


def _count(name: str, description: str, unit: str = "events", kind: str = FLOW,
           counted: str = "") -> Metric:
    return Metric(name, np.int64, unit, kind, description, counted)


def _census(name: str, description: str, counted: str = GLOBAL) -> Metric:
    """Users counted by the kernel's census at the end of the day (a stock)."""
    return _count(name, description, "users", STOCK, counted)


TIMESERIES: tuple[Metric, ...] = (
    _count("attempts", "attack attempts", "attempts", counted=PER_PLATFORM_VECTOR),
    _count("successes", "successful frauds", "frauds", counted=PER_PLATFORM_VECTOR),
    _count("claims", "successful frauds whose victims claimed a refund (only claimed frauds "
           "are refunded)", "frauds", counted=PER_PLATFORM_VECTOR),
    _count("refunded_claims", "claims that got a refund (of any size)", "frauds",
           counted=PER_PLATFORM_VECTOR),
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
           "attempts", counted=PER_PLATFORM_VECTOR),
    _count("stopped_step_up", "attempts stopped by step-up verification", "attempts",
           counted=PER_PLATFORM_VECTOR),
    _count("stopped_monitoring", "attempts stopped by transaction monitoring", "attempts",
           counted=PER_PLATFORM_VECTOR),
    _count("stopped_payee", "scam payments stopped on the payee side (confirmation of payee, "
           "receiving providers' inbound hold)", "attempts", counted=PER_PLATFORM_VECTOR),
    _count("victims", "users defrauded", "users", counted=PER_PLATFORM),
    _count("payments", "genuine payments completed", "payments", counted=PER_PLATFORM),
    _money("payment_volume", "value of genuine payments", counted=PER_PLATFORM),
    _count("face_checks", "face authentications of genuine payments", "checks",
           counted=PER_PLATFORM),
    _count("false_rejects", "genuine face-pay users falsely rejected", "rejects",
           counted=PER_PLATFORM),
    _count("step_ups", "genuine payments that needed step-up", "payments", counted=PER_PLATFORM),
    _count("abandoned", "payments abandoned after a false reject", "payments",
           counted=PER_PLATFORM),
    _count("switched_platform", "users who switched platform", "users", counted=PER_PLATFORM),
    _census("facepay_users", "users using face pay (end of day)", PER_PLATFORM),
    _census("facepay_high_privacy", "face-pay users with privacy concern > 0.5"),
    _census("facepay_low_privacy", "face-pay users with privacy concern <= 0.5"),
    _census("users_high_privacy", "users with privacy concern > 0.5"),
    _census("faces_compromised", "users whose face is compromised (permanent)"),
    _census("credentials_compromised", "users with compromised credentials"),
    _count("active_attackers", "active crews", "crews", STOCK),
    _money("security_spend", "platforms' security spend"),
    _money("platform_fees", "fees platforms earn on genuine payments"),
    _money("platform_net_income",
           "fees - refunds paid as sending and receiving provider - security spend - fines"),
    _money("fines", "regulatory fines on non-compliant platforms (a transfer: not in "
           "social_cost)"),
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
def counted_metrics(scope: str) -> tuple[str, ...]:
    """Names of the metrics the user kernel counts in slots of ``scope``, in registry order."""
    return tuple(m.name for m in TIMESERIES if m.counted == scope)


MONEY_METRICS: tuple[str, ...] = tuple(m.name for m in TIMESERIES if m.is_money)
"""Names of the money columns of ``timeseries.parquet``."""

VECTOR_STATS: tuple[str, ...] = (
    "attempts", "successes", "loss", "stopped_primary", "stopped_step_up",
    "stopped_monitoring", "stopped_payee", "refunded", "refunded_sending",
    "refunded_receiving", "claims", "refunded_claims", "expected_loss",
)
"""Columns of ``vectors.parquet`` after ``replicate``, ``day``, ``platform``, ``vector``."""
VECTOR_METRICS: dict[str, Metric] = {
    **{name: replace(METRICS["gross_loss" if name == "loss" else name], name=name)
       for name in VECTOR_STATS if name != "expected_loss"},
    "expected_loss": _money("expected_loss", "the successes' expected amounts (minor units; "
                            "a low-variance estimate of loss's expectation)"),
}
"""``VECTOR_STATS`` with the unit and kind of the daily metric each one splits by
(platform, vector): ``loss`` splits ``gross_loss``, the others their namesakes;
``expected_loss`` (what crews book, ``users.attacks.expected_amount``) has no daily
metric of its own."""


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
