"""Decision tables of a comparison: cost-effectiveness, payers, units.

Money stays in minor units of the scenario currency; every table names its unit in a
``unit`` column. Intervals over replicates are paired (replicate r of every arm shares
its random numbers): t intervals for differences, a paired bootstrap for ratios (a fixed
seed, so a rerun writes the same bytes). Tail risk is ``results.tail``'s.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from simfraud.core.metrics import METRICS, MINOR_UNITS
from simfraud.experiments.stats import paired_difference
from simfraud.results.tail import BOOTSTRAP_SAMPLES, BOOTSTRAP_SEED
from simfraud.results.units import in_currency

SPEND = ("security_spend", "compliance_cost")
"""What a control or rule adds to spend (friction, borne by users, is reported apart)."""


def unit_of(metric: str, currency: str) -> str:
    """The unit of a headline column (``GBP minor units``, ``users``, ``share``...)."""
    if metric == "refunded_share":
        return "share of gross loss"
    if metric in ("net_fraud",) or metric.startswith(("var_", "es_")):
        return f"{currency} {MINOR_UNITS}"
    unit = METRICS[metric.removeprefix("final_")].unit
    return in_currency(unit, currency)


def _bootstrap_ratio(avoided: np.ndarray, spent: np.ndarray) -> tuple[float, float]:
    n = len(avoided)
    if n < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    picks = rng.integers(0, n, size=(BOOTSTRAP_SAMPLES, n))
    spent_means = spent[picks].mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = avoided[picks].mean(axis=1) / spent_means
    ratios = ratios[np.isfinite(ratios)]
    if len(ratios) < BOOTSTRAP_SAMPLES * 0.9:
        return math.nan, math.nan  # spend added is too often zero to bound the ratio
    low, high = np.percentile(ratios, [2.5, 97.5])
    return float(low), float(high)


def cost_effectiveness(ref: pd.DataFrame, other: pd.DataFrame, arm: str, versus: str,
                       currency: str, weight: float) -> list[dict]:
    """Loss avoided, spend added and loss avoided per unit spent, arm against reference.

    Args:
        ref: The reference arm's runs, indexed by replicate (headline columns).
        other: The arm's runs, same replicates in the same order.
        arm: The arm's name.
        versus: The reference's name.
        currency: Currency of the minor units.
        weight: Real people per simulated user (national totals).

    Returns:
        Rows: ``measure`` (``loss_avoided``: net fraud of the reference minus the arm's;
        ``spend_added``: security spend + compliance cost of the arm minus the
        reference's; ``friction_added``; ``avoided_per_unit_spent``: ratio of the mean
        loss avoided to the mean spend added), ``mean``, ``ci95_low``, ``ci95_high``,
        ``unit``, ``national_mean`` and ``replicates``.
    """
    avoided = (ref["net_fraud"] - other["net_fraud"]).to_numpy(float)
    spent = (other[list(SPEND)].sum(axis=1) - ref[list(SPEND)].sum(axis=1)).to_numpy(float)
    friction = (other["friction_cost"] - ref["friction_cost"]).to_numpy(float)
    money = f"{currency} {MINOR_UNITS}"
    rows = []
    for measure, values in (("loss_avoided", avoided), ("spend_added", spent),
                            ("friction_added", friction)):
        interval = paired_difference(np.zeros_like(values), values)
        rows.append({"scenario": arm, "versus": versus, "measure": measure,
                     "mean": interval.mean, "ci95_low": interval.low,
                     "ci95_high": interval.high, "unit": money,
                     "national_mean": interval.mean * weight, "replicates": interval.n})
    ratio = avoided.mean() / spent.mean() if len(spent) and spent.mean() != 0 else math.nan
    low, high = _bootstrap_ratio(avoided, spent)
    rows.append({"scenario": arm, "versus": versus, "measure": "avoided_per_unit_spent",
                 "mean": ratio, "ci95_low": low, "ci95_high": high,
                 "unit": "loss avoided per unit of spend added", "national_mean": ratio,
                 "replicates": len(avoided)})
    return rows


def payers_by_platform(vectors: dict[str, pd.DataFrame], currency: str) -> pd.DataFrame:
    """Who bears each platform's fraud loss, per arm and role (mean over replicates).

    Args:
        vectors: Each arm's ``vectors.parquet`` rows of all its replicates.
        currency: Currency of the minor units.

    Returns:
        Rows ``scenario``, ``platform`` (the victims' platform), ``payer`` (``users``:
        loss not refunded; ``sending provider``: refunds by that platform;
        ``receiving provider``: refunds by the providers that received the money),
        ``amount``, ``share`` of the platform's loss and ``unit``.
    """
    roles = {"users": None, "sending provider": "refunded_sending",
             "receiving provider": "refunded_receiving"}
    rows = []
    for name, frame in vectors.items():
        per = frame.groupby(["replicate", "platform"], observed=True)[
            ["loss", "refunded_sending", "refunded_receiving"]].sum()
        mean = per.groupby(level="platform", observed=True).mean()
        for platform, values in mean.iterrows():
            loss = values["loss"]
            refunded = values["refunded_sending"] + values["refunded_receiving"]
            for payer, column in roles.items():
                amount = loss - refunded if column is None else values[column]
                rows.append({"scenario": name, "platform": str(platform), "payer": payer,
                             "amount": float(amount),
                             "share": float(amount / loss) if loss else math.nan,
                             "unit": f"{currency} {MINOR_UNITS}"})
    return pd.DataFrame(rows)
