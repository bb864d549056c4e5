"""The arms-race diagnostic (``simfraud.results.arms_race``) on series with a known answer."""

import numpy as np
import pandas as pd

from simfraud.results.arms_race import (
    MONTH_DAYS,
    WARM_UP_MONTHS,
    cross_correlation,
    lagged_correlation,
    monthly_changes,
    warm_up_months,
)

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
