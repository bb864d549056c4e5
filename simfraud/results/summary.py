"""Headline totals of a run, with their spread over replicates."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from simfraud.results.arms_race import cross_correlation
from simfraud.results.tail import TAIL_LEVELS, tail_row

TOTALS = (
    "gross_loss", "refunded", "refunded_sending", "refunded_receiving", "user_loss",
    "recovered", "attempts", "successes", "victims", "false_rejects", "abandoned",
    "security_spend", "compliance_cost", "fines", "friction_cost", "social_cost",
)
"""Metrics summed over the horizon of each replicate."""
FINAL = ("facepay_users", "faces_compromised", "credentials_compromised", "active_attackers",
         "mean_trust")
"""Metrics taken on the last day of each replicate."""


def _spread(values: np.ndarray) -> dict[str, float]:
    if len(values) == 1:  # an experiment's run: each figure is the value (the same bits)
        only = float(values[0])
        return {"mean": only, "std": 0.0, "p10": only, "median": only, "p90": only,
                "min": only, "max": only}
    p10, p90 = np.percentile(values, (10, 90))
    return {
        "mean": float(np.mean(values)),
        "std": float(np.std(values, ddof=1)),
        "p10": float(p10),
        "median": float(np.median(values)),
        "p90": float(p90),
        "min": float(np.min(values)),
        "max": float(np.max(values)),
    }


def _per_replicate(timeseries: pd.DataFrame) -> tuple[dict[str, np.ndarray],
                                                      dict[str, np.ndarray]]:
    """Each replicate's sums of ``TOTALS`` and last day's ``FINAL``, in replicate order.

    The sums are of integers (exact in any order); the recorder writes every day of every
    replicate, so the last row of a replicate is its last day.
    """
    keys = timeseries["replicate"].to_numpy()
    order = np.argsort(keys, kind="stable")
    replicate = keys[order]
    starts = np.flatnonzero(np.r_[True, replicate[1:] != replicate[:-1]])
    ends = np.r_[starts[1:], len(replicate)] - 1
    counted = timeseries[list(TOTALS)]
    if not all(dtype.kind in "iu" for dtype in counted.dtypes):  # else sums would depend on order
        raise TypeError(f"totals must be integer columns, got {dict(counted.dtypes)}")
    sums = np.add.reduceat(counted.to_numpy(dtype=np.int64)[order], starts, axis=0)
    totals = {name: np.ascontiguousarray(sums[:, i]) for i, name in enumerate(TOTALS)}
    final = {name: timeseries[name].to_numpy()[order][ends] for name in FINAL}
    return totals, final


def summarise(timeseries: pd.DataFrame, weight: float, currency: str) -> dict[str, Any]:
    """Headline totals and final states, each as mean, std, p10, median, p90, min, max.

    Args:
        timeseries: Daily series of every replicate.
        weight: Real people per simulated user (national totals = totals x weight).
        currency: Currency of the minor units.

    Returns:
        A JSON-ready dict.
    """
    totals, final = _per_replicate(timeseries)
    gross, refunded = totals["gross_loss"], totals["refunded"]
    refunded_share = np.divide(refunded, gross, out=np.zeros(len(gross)), where=gross > 0)
    return {
        "replicates": len(gross),
        "days": int(timeseries["day"].nunique()),
        "currency": currency,
        "money_unit": "minor units (e.g. pence); national totals multiply by weight",
        "weight": weight,
        "totals": {name: _spread(totals[name]) for name in TOTALS},
        "final_day": {name: _spread(final[name]) for name in FINAL},
        "refunded_share": _spread(refunded_share),
        "national_totals_mean": {
            name: float(np.mean(totals[name]) * weight) for name in TOTALS
        },
        "arms_race": _arms_race(timeseries),
        "tail": _tail(gross * 365.0 / timeseries["day"].nunique(), currency),
    }


def _tail(annual_loss: np.ndarray, currency: str) -> dict[str, Any] | None:
    """VaR and expected shortfall of the annual gross loss over replicates (``results.tail``).

    None for one replicate (no spread to speak of); a figure without an interval is None.
    """
    if len(annual_loss) < 2:
        return None
    row = tail_row(annual_loss, currency)
    return {"measure": "gross loss per replicate, scaled to 365 days", **{
        key: None if isinstance(value, float) and math.isnan(value) else value
        for key, value in row.items()}}


def _arms_race(timeseries: pd.DataFrame) -> dict[str, Any]:
    """Cross-correlation of monthly tool and defence changes (``results.arms_race``)."""
    table = cross_correlation(timeseries)
    lags, correlation = table["lag_months"].to_numpy(), table["correlation"].to_numpy()
    by_lag = {int(lag): correlation[(lags == lag) & ~np.isnan(correlation)]
              for lag in np.unique(lags)}
    return {
        "measure": "correlation of month-on-month log changes of tool quality and defence "
                   "strength, per vector (centred) and pooled, after dropping the first 12 "
                   "monthly changes (a third of them in a shorter run), defence lagging by "
                   "lag_months (at a negative lag, tools lagging defence)",
        "lag_months": sorted(by_lag),
        "correlation": [_spread(values) if len(values) else None
                        for _, values in sorted(by_lag.items())],
    }


def summary_table(summary: dict[str, Any]) -> str:
    """A readable table of the headline figures (major currency units)."""
    currency = summary["currency"]
    rows = [
        ("Fraud losses (gross)", "gross_loss", True),
        ("  refunded to victims", "refunded", True),
        ("  borne by victims", "user_loss", True),
        ("  recovered at mules", "recovered", True),
        ("Frauds", "successes", False),
        ("Attempts", "attempts", False),
        ("False rejects", "false_rejects", False),
        ("Security spend", "security_spend", True),
        ("Compliance cost", "compliance_cost", True),
        ("Fines (a transfer)", "fines", True),
        ("Friction cost", "friction_cost", True),
        ("Social cost", "social_cost", True),
    ]
    if not summary["totals"]["fines"]["mean"]:
        rows.remove(("Fines (a transfer)", "fines", True))  # shown when rules fine anyone
    header = f"{'':28}{'mean':>16}{'p10':>16}{'p90':>16}"
    lines = [f"{summary['replicates']} replicate(s) x {summary['days']} days; "
             f"money in {currency} (simulated users)", header, "-" * len(header)]
    for label, key, money in rows:
        spread = summary["totals"][key]
        scale = 100.0 if money else 1.0
        cells = "".join(f"{spread[k] / scale:>16,.0f}" for k in ("mean", "p10", "p90"))
        lines.append(f"{label:28}{cells}")
    share = summary["refunded_share"]
    lines.append(f"{'Refunded share':28}{share['mean']:>16.1%}{share['p10']:>16.1%}"
                 f"{share['p90']:>16.1%}")
    for key, label in (("facepay_users", "Face-pay users (last day)"),
                       ("faces_compromised", "Faces compromised (last day)"),
                       ("active_attackers", "Active crews (last day)")):
        spread = summary["final_day"][key]
        cells = "".join(f"{spread[k]:>16,.0f}" for k in ("mean", "p10", "p90"))
        lines.append(f"{label:28}{cells}")
    return "\n".join(lines + _tail_lines(summary.get("tail")))


def _tail_lines(tail: dict[str, Any] | None) -> list[str]:
    """The tail of the annual loss, in major units with its 95% intervals."""
    if not tail:
        return []

    def money(key: str) -> str:
        value, low, high = (tail[key], tail[f"{key}_low"], tail[f"{key}_high"])
        interval = f" [{low / 100:,.0f}, {high / 100:,.0f}]" if low is not None else ""
        return f"{value / 100:,.0f}{interval}"

    lines = [f"Tail of the annual gross loss over {tail['replicates']} replicates "
             "(value [95% bootstrap interval]):"]
    for level in TAIL_LEVELS:
        lines.append(f"  {level}%: value at risk {money(f'var_{level}')}; "
                     f"expected shortfall {money(f'es_{level}')}")
    if tail["warning"]:
        lines.append(f"  {tail['warning']}")
    return lines
