"""The arms-race diagnostic (``simfraud.results.arms_race``) on series with a known answer,
and against its per-vector pandas reference (``tests/arms_race_reference.py``) to rounding."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simfraud.model.replicates import run_replicates
from simfraud.results.arms_race import (
    MAX_LAG_MONTHS,
    MONTH_DAYS,
    WARM_UP_MONTHS,
    cross_correlation,
    lagged_correlation,
    monthly_changes,
    warm_up_months,
)
from simfraud.scenario.loader import load_scenario
from tests import arms_race_reference as reference

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LAGS = range(-MAX_LAG_MONTHS, MAX_LAG_MONTHS + 1)

VECTORS = ("a", "b", "c")


def series(months: int, replicate: int, respond_lag: int, ramp: float = 0.0) -> pd.DataFrame:
    """Daily tools that take random monthly steps per vector; defences follow them.

    The defence of each vector copies its tools' log change ``respond_lag`` months later.
    ``ramp`` adds a falling trend to tools and a rising one to defences over the first
    ``WARM_UP_MONTHS`` (a warm-up transient that answers nothing).
    """
    rng = np.random.default_rng(replicate)
    days = np.arange(months * MONTH_DAYS)
    month = days // MONTH_DAYS
    frame = {"replicate": replicate, "day": days}
    for vector in VECTORS:
        steps = rng.normal(0.0, 0.02, months)
        tools = np.cumsum(steps)
        defence = np.concatenate([np.zeros(respond_lag), tools[:months - respond_lag]])
        warm = np.minimum(np.arange(months), WARM_UP_MONTHS)
        frame[f"tool_quality_{vector}"] = np.exp(tools - ramp * warm)[month]
        frame[f"defence_{vector}"] = np.exp(defence + 3 * ramp * warm)[month]
    return pd.DataFrame(frame)


def test_defences_that_answer_a_month_later_correlate_at_lag_one_only():
    ts = pd.concat([series(48, r, respond_lag=1) for r in range(2)], ignore_index=True)
    table = cross_correlation(ts).set_index(["replicate", "lag_months"])["correlation"]
    for replicate in range(2):
        assert table[replicate, 1] > 0.99
        assert abs(table[replicate, 0]) < 0.5 and abs(table[replicate, 3]) < 0.5


def test_tools_that_answer_defences_two_months_later_correlate_at_lag_minus_two_only():
    ts = pd.concat([series(48, r, respond_lag=2) for r in range(2)], ignore_index=True)
    swapped = ts.rename(columns=lambda c: c.replace("tool_quality_", "x_")
                        .replace("defence_", "tool_quality_").replace("x_", "defence_"))
    table = cross_correlation(swapped).set_index(["replicate", "lag_months"])["correlation"]
    assert sorted(set(table.index.get_level_values("lag_months"))) == list(range(-6, 7))
    for replicate in range(2):
        assert table[replicate, -2] > 0.99
        assert max(abs(table[replicate, lag]) for lag in (-1, 0, 1, 2, -4)) < 0.5


def test_the_warm_up_is_dropped_so_its_transients_do_not_count():
    ts = series(48, 0, respond_lag=1, ramp=0.05)
    changes = monthly_changes(ts)
    assert changes["month"].min() == 1 + WARM_UP_MONTHS
    assert lagged_correlation(changes, 1) > 0.99
    kept = ts.groupby(ts["day"] // MONTH_DAYS).mean()
    tools = np.log(kept.filter(like="tool_quality_")).diff().dropna().to_numpy().ravel()
    defence = np.log(kept.filter(like="defence_")).diff().dropna().to_numpy().ravel()
    assert np.corrcoef(tools, defence)[0, 1] < -0.5  # kept in, the opposite ramps dominate
    assert warm_up_months(47) == WARM_UP_MONTHS and warm_up_months(11) == 3


def test_each_vector_is_centred_so_different_trends_do_not_correlate():
    ts = series(48, 0, respond_lag=0)
    ts["tool_quality_a"] *= np.exp(0.1 * ts["day"] // MONTH_DAYS)  # a steady climb in a only
    ts["defence_a"] *= np.exp(0.1 * ts["day"] // MONTH_DAYS)
    changes = monthly_changes(ts)
    means = changes.groupby("vector")[["tools", "defence"]].mean().abs()
    assert (means < 1e-12).all().all()
    assert lagged_correlation(changes, 0) > 0.99


def test_a_run_too_short_for_a_lag_gives_nan():
    ts = series(6, 0, respond_lag=1)
    table = cross_correlation(ts)
    long = table["lag_months"].abs() == 6
    assert np.isnan(table.loc[long, "correlation"]).all()  # both directions
    assert np.isfinite(table.loc[table["lag_months"].abs() <= 1, "correlation"]).all()


def test_a_run_without_a_monthly_change_gives_an_empty_table():
    assert cross_correlation(series(1, 0, respond_lag=0)).empty
    one_change = cross_correlation(series(2, 0, respond_lag=0))
    assert len(one_change) == 13 and one_change["correlation"].isna().all()


def test_a_vector_without_a_defence_is_left_out():
    ts = series(48, 0, respond_lag=1)
    with_c = lagged_correlation(monthly_changes(ts), 1)
    ts["defence_c"] = 0.0  # payee warnings switched off
    changes = monthly_changes(ts)
    assert set(changes["vector"]) == {"a", "b"}
    assert lagged_correlation(changes, 1) > 0.99 and with_c > 0.99


KEYS = ["replicate", "vector", "month"]


def assert_as_reference(ts: pd.DataFrame) -> None:
    """``monthly_changes``, ``cross_correlation`` and ``lagged_correlation`` as the reference.

    The same rows (keys in the same order, the index aside) and columns; values equal to
    rounding, since the sums are numpy's rather than the reference's pandas ones; NaN
    correlations at the same places.
    """
    expected = reference.monthly_changes(ts).reset_index(drop=True)
    actual = monthly_changes(ts)
    pd.testing.assert_frame_equal(actual[KEYS], expected[KEYS], check_exact=True)
    pd.testing.assert_frame_equal(actual, expected, check_exact=False, rtol=1e-12, atol=1e-15)
    old, new = reference.cross_correlation(ts), cross_correlation(ts)
    pd.testing.assert_frame_equal(new.drop(columns="correlation"),
                                  old.drop(columns="correlation"), check_exact=True)
    assert_close(new["correlation"], old["correlation"])
    # One replicate at a time, as documented: with several, a vector's months repeat, and
    # the reference orders them by an unstable sort.
    for _, changes in expected.groupby("replicate"):
        assert_close([lagged_correlation(changes, lag) for lag in LAGS],
                     [reference.lagged_correlation(changes, lag) for lag in LAGS])


def assert_close(actual, expected) -> None:
    """Correlations equal to rounding, NaN at the same places."""
    actual, expected = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
    assert np.array_equal(np.isnan(actual), np.isnan(expected))
    assert np.allclose(actual, expected, rtol=1e-10, atol=1e-13, equal_nan=True)


RUNS = [
    ("baseline.yaml", ()),
    ("baseline.yaml", ("platforms.0.payee_warnings.enabled=false",)),  # a defence of 0
    ("baseline.yaml", ("attackers.search_share=1",)),
    ("baseline.yaml", ("days=60",)),  # one monthly change, no warm-up
    ("baseline.yaml", ("days=200",)),  # the warm-up a third of 6 changes
    ("baseline.yaml", ("days=1110",)),  # the full warm-up of 12 changes
    ("uk-2024-psr.yaml", ()),
    ("eu-psd3-impersonation.yaml", ()),  # days without crews (tool quality NaN)
    ("eu-psd3-impersonation.yaml", tuple(f"platforms.{k}.payee_warnings.enabled=false"
                                         for k in range(3))),
    ("stress-injection-wave.yaml", ()),
]


@pytest.mark.parametrize(("name", "overrides"), RUNS,
                         ids=[" ".join((name, *overrides)) for name, overrides in RUNS])
def test_model_series_give_the_references_results(name, overrides):
    scenario = load_scenario(SCENARIOS / name, ["population.users=2000", "days=400", *overrides])
    ts = run_replicates(scenario, 1 if scenario.days > 400 else 2).timeseries
    if any("payee_warnings" in override for override in overrides):
        assert (ts["defence_social_engineering"] == 0).all()
        assert "social_engineering" not in set(monthly_changes(ts)["vector"])
    assert_as_reference(ts)


def ragged(seed: int) -> pd.DataFrame:
    """Replicates of uneven lengths with gaps, NaN days and months, zero and constant series.

    Vectors come in an unsorted column order; daily values vary within a month (the
    monthly means are sums of many different floats); some replicates lose a month, or
    all their days, of one vector (a run where crews are absent for a while); some rows
    are shuffled.
    """
    rng = np.random.default_rng(seed)
    vectors = list(rng.permutation(["zeta", "alpha", "mid", "beta", "x"])[:rng.integers(1, 6)])
    frames = []
    for replicate in rng.choice(10, size=rng.integers(1, 4), replace=False):
        days = np.arange(rng.integers(1, 50) * MONTH_DAYS + rng.integers(0, MONTH_DAYS))
        if rng.random() < 0.3:  # a month without any day
            days = days[days // MONTH_DAYS != rng.integers(0, days[-1] // MONTH_DAYS + 1)]
        frame = {"replicate": np.full(len(days), replicate, np.int32), "day": days}
        for vector in vectors:
            for column in (f"tool_quality_{vector}", f"defence_{vector}"):
                steps = rng.normal(0.0, rng.choice([0.02, 1e-9]), days[-1] // MONTH_DAYS + 1)
                level = np.exp(np.cumsum(steps))[days // MONTH_DAYS]
                values = level * rng.lognormal(0.0, 0.01, len(days))
                draw = rng.random()
                if draw < 0.1:
                    values = np.full(len(days), 0.3)  # constant
                elif draw < 0.2:
                    values[rng.random(len(days)) < 0.2] = np.nan  # days without crews
                elif draw < 0.3:
                    values[days // MONTH_DAYS == rng.integers(0, 8)] = np.nan  # a month
                elif draw < 0.35:
                    values[:] = 0.0  # payee warnings off
                elif draw < 0.45:
                    values[days // MONTH_DAYS == rng.integers(0, 8)] *= -rng.random()
                elif draw < 0.5:
                    values[days // MONTH_DAYS >= rng.integers(0, 20)] = np.nan  # crews left
                frame[column] = values
        frames.append(pd.DataFrame(frame))
    ts = pd.concat(frames, ignore_index=True)
    if rng.random() < 0.3:
        ts = ts.sample(frac=1.0, random_state=seed)
    return ts


@pytest.mark.parametrize("seed", range(60))
def test_ragged_series_give_the_references_results(seed):
    assert_as_reference(ragged(seed))


def test_constant_and_short_series_give_the_references_nans():
    ts = pd.concat([series(48, r, respond_lag=1) for r in range(3)], ignore_index=True)
    flat = ts.assign(**{c: 0.5 for c in ts.columns if c.startswith("tool_quality_")})
    assert cross_correlation(flat)["correlation"].isna().all()  # no variation in tools
    assert_as_reference(flat)
    for months in (1, 2, 3, 6, 8):
        assert_as_reference(series(months, 0, respond_lag=0))
    assert_as_reference(ts.iloc[:0])
    assert_as_reference(ts.drop(columns=[c for c in ts.columns if "tool_quality_" in c]))


@pytest.mark.parametrize("seed", range(3))
def test_days_without_crews_and_short_or_empty_vectors_give_the_references_results(seed):
    rng = np.random.default_rng(seed)
    ts = pd.concat([series(48, r, respond_lag=1) for r in range(3)], ignore_index=True)
    columns = [c for c in ts.columns if c.startswith(("tool_quality_", "defence_"))]
    ts[columns] *= rng.lognormal(0.0, 0.01, size=(len(ts), len(columns)))
    tools = [c for c in ts.columns if c.startswith("tool_quality_")]
    ts.loc[ts["day"] % 7 == 3, tools] = np.nan  # days without crews
    assert_as_reference(ts)
    short = ts.copy()  # replicate 0's vector a: 6 changes, the others 35
    short.loc[(ts["replicate"] == 0) & (ts["day"] >= 19 * MONTH_DAYS), "tool_quality_a"] = np.nan
    assert_as_reference(short)
    assert_as_reference(short.assign(defence_c=0.0))  # a vector without any change
    without_nan = short.assign(tool_quality_b=short["tool_quality_b"].fillna(1.0))
    assert_as_reference(without_nan)
    assert_as_reference(without_nan.sample(frac=1.0, random_state=seed))  # rows in no order
    one_change = short[(short["replicate"] != 1) | (short["day"] < 2 * MONTH_DAYS)]
    assert_as_reference(one_change.assign(defence_c=one_change["defence_c"].where(
        one_change["replicate"] == 1)))  # vector c: a single change (replicate 1's)


def test_the_order_of_the_rows_does_not_matter():
    scenario = load_scenario(SCENARIOS / "eu-psd3-impersonation.yaml",
                             ["population.users=2000", "days=400"])
    ts = run_replicates(scenario, 2).timeseries
    shuffled = ts.sample(frac=1.0, random_state=0)
    assert not shuffled.index.is_monotonic_increasing
    pd.testing.assert_frame_equal(monthly_changes(shuffled), monthly_changes(ts),
                                  check_exact=True)
    pd.testing.assert_frame_equal(cross_correlation(shuffled), cross_correlation(ts),
                                  check_exact=True)
