"""summary.json's headline figures: each replicate's totals and last day, and their spread."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simfraud.model.replicates import run_replicates
from simfraud.results import summary as summary_module
from simfraud.results.summary import FINAL, TOTALS, summarise
from simfraud.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def timeseries() -> pd.DataFrame:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                             ["population.users=1500", "days=90"])
    return run_replicates(scenario, 5).timeseries


def _spread_by_pandas(values: pd.Series) -> dict[str, float]:
    """The spread as written before the numpy version: one numpy call per figure."""
    array = values.to_numpy()
    return {"mean": float(np.mean(array)),
            "std": float(np.std(array, ddof=1)) if len(array) > 1 else 0.0,
            "p10": float(np.percentile(array, 10)), "median": float(np.median(array)),
            "p90": float(np.percentile(array, 90)), "min": float(np.min(array)),
            "max": float(np.max(array))}


@pytest.mark.parametrize("replicates", [[3, 0, 4, 1, 2], [2]])
def test_totals_and_final_day_are_pandas_group_bys_to_the_bit(timeseries, replicates):
    # Replicates in any order (here shuffled blocks), one replicate or several.
    frame = pd.concat([timeseries[timeseries["replicate"] == r] for r in replicates],
                      ignore_index=True)
    summary = summarise(frame, weight=2.5, currency="GBP")
    by_replicate = frame.groupby("replicate")
    totals, final = by_replicate[list(TOTALS)].sum(), by_replicate[list(FINAL)].last()
    assert summary["replicates"] == len(replicates)
    assert totals["gross_loss"].nunique() == len(replicates)  # figures that differ
    for name in TOTALS:
        assert summary["totals"][name] == _spread_by_pandas(totals[name]), name
        assert summary["national_totals_mean"][name] == float(totals[name].mean() * 2.5)
    for name in FINAL:
        assert summary["final_day"][name] == _spread_by_pandas(final[name]), name
    share = (totals["refunded"] / totals["gross_loss"].where(totals["gross_loss"] > 0)
             ).fillna(0.0)
    assert summary["refunded_share"] == _spread_by_pandas(share)


def test_one_replicate_spreads_are_its_value(timeseries):
    summary = summarise(timeseries[timeseries["replicate"] == 1], weight=1.0, currency="GBP")
    gross = summary["totals"]["gross_loss"]
    assert gross["std"] == 0.0
    assert len({gross[k] for k in ("mean", "p10", "median", "p90", "min", "max")}) == 1
    assert gross["mean"] == float(
        timeseries.loc[timeseries["replicate"] == 1, "gross_loss"].sum())


def test_arms_race_spreads_are_pandas_group_bys_of_the_correlations(timeseries, monkeypatch):
    # Correlations of 4 replicates at 13 lags, some missing, in the order the table has.
    rng = np.random.default_rng(7)
    table = pd.DataFrame([(r, lag, rng.normal() if rng.random() > 0.2 else np.nan)
                          for r in range(4) for lag in range(-6, 7)],
                         columns=["replicate", "lag_months", "correlation"])
    table.loc[table["lag_months"] == 3, "correlation"] = np.nan  # a lag with none at all
    monkeypatch.setattr(summary_module, "cross_correlation", lambda _: table)
    arms_race = summarise(timeseries, weight=1.0, currency="GBP")["arms_race"]
    expected = {int(lag): group["correlation"].dropna()
                for lag, group in table.groupby("lag_months")}
    assert arms_race["lag_months"] == sorted(expected)
    for lag, spread in zip(arms_race["lag_months"], arms_race["correlation"], strict=True):
        values = expected[lag]
        assert spread == (_spread_by_pandas(values) if len(values) else None), lag


def test_totals_that_are_not_integers_are_refused(timeseries):
    with pytest.raises(TypeError, match="totals must be integer columns"):
        summarise(timeseries.astype({"gross_loss": float}), weight=1.0, currency="GBP")
