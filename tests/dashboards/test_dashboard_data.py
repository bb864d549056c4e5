"""Dashboard data access and figures, without a browser."""

import json

import numpy as np
import pandas as pd
import pytest

from dashboards import figures
from dashboards.arms_race_figure import arms_race_figure, coupling_figure, log_axis_needed
from dashboards.data import (
    UnsafePathError,
    catalog,
    default_pair,
    inside,
    load_result,
    newest_first,
)
from simfraud.cli import main
from simfraud.experiments.stats import paired_difference


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    for name, level in (("a", "passive_2d"), ("b", "depth_3d")):
        assert main(["run", "scenarios/baseline.yaml", "--out", str(folder / "set" / name),
                     "--users", "2000", "--days", "40", "--replicates", "3", "--quiet",
                     "--set", f"platforms.0.liveness.level={level}",
                     "--set", "timeline=[{type: breach, day: 10, data: face, share: 0.1}]"]
                    ) == 0
    return folder


def test_paths_stay_inside_the_results_folder(results, tmp_path):
    assert inside(results, "set/a") == (results / "set" / "a").resolve()
    for escape in ("..", "../x", "/etc", "set/../../x"):
        with pytest.raises(UnsafePathError):
            inside(results, escape)
    (results / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError):
        inside(results, "link")
    with pytest.raises(UnsafePathError):
        load_result(results, "../../etc")


def test_catalog_lists_complete_results_only(results):
    (results / "set" / "half").mkdir()
    (results / "set" / "half" / "timeseries.parquet").write_text("")
    ids = [info.id for info in catalog(results)]
    assert ids == ["set/a", "set/b"]
    assert catalog(results / "missing") == []


def test_losses_figure_breakdowns(results):
    result = load_result(results, "set/a")
    start = pd.Timestamp(result.timeseries["date"].min())
    vectors = figures.vector_days(result.vectors, start)
    events = figures.timeline_events(result.scenario_yaml, start, result.timeseries)
    assert [label for _, label in events] == ["face breach"]
    total = figures.losses_figure(result.timeseries, vectors, "total", "weekly", False,
                                  events, "GBP")
    assert [t.name for t in total.data] == [None, "10-90%", "median"]
    weekly = result.timeseries.groupby(
        ["replicate", pd.Grouper(key="date", freq="W-MON")])["gross_loss"].sum()
    median = weekly.groupby(level=1).median().to_numpy() / 100
    assert np.allclose(total.data[2].y, median)
    payers = figures.losses_figure(result.timeseries, vectors, "payer", "monthly", True,
                                   events, "GBP")
    assert [t.name for t in payers.data] == ["users", "sending provider",
                                             "receiving provider"]
    assert all(np.all(np.diff(t.y) >= 0) for t in payers.data)  # cumulative
    by_vector = figures.losses_figure(result.timeseries, vectors, "vector", "daily", False,
                                      events, "GBP")
    assert {t.name for t in by_vector.data} <= set(result.vectors["vector"].astype(str))


def test_compare_tables_pair_replicates(results):
    a, b = load_result(results, "set/a"), load_result(results, "set/b")
    series = {"a": a.timeseries, "b": b.timeseries}
    table = figures.difference_table(series, "GBP").set_index("metric")
    totals_a = a.timeseries.groupby("replicate")["gross_loss"].sum().to_numpy()
    totals_b = b.timeseries.groupby("replicate")["gross_loss"].sum().to_numpy()
    expected = paired_difference(totals_a, totals_b)
    assert table.loc["gross_loss", "difference"] == pytest.approx(expected.mean / 100)
    assert table.loc["gross_loss", "95% low"] == pytest.approx(expected.low / 100)
    assert table.loc["gross_loss", "unit"] == "GBP"
    assert table.loc["successes", "unit"] == "frauds"
    social = figures.social_cost_table(series, "GBP")
    assert list(social["result"]) == ["a", "b"]
    parts = social[["fraud (net of recoveries)", "friction", "security spend", "compliance"]]
    assert np.allclose(parts.sum(axis=1), social["social cost"])
    fig = figures.compare_figure(series, "facepay_users", "monthly", "GBP")
    assert [t.name for t in fig.data if t.name] == ["a", "b"]
    assert fig.layout.yaxis.title.text == "users"
    arms = arms_race_figure(a.timeseries, 2000, [], "GBP")
    assert len(arms.data) == 2 * 6 + 7
    assert arms.layout.yaxis3.title.text == "GBP per crew per day"


def test_one_replicate_gives_no_interval(results):
    a, b = load_result(results, "set/a"), load_result(results, "set/b")
    one = {"a": a.timeseries[a.timeseries["replicate"] == 0],
           "b": b.timeseries[b.timeseries["replicate"] == 0]}
    table = figures.difference_table(one, "GBP").set_index("metric")
    assert np.isnan(table.loc["gross_loss", "95% low"])
    assert table.loc["gross_loss", "95% interval"] == figures.NOT_AVAILABLE


def test_stocks_are_averaged_and_flows_summed_over_a_period(results):
    ts = load_result(results, "set/a").timeseries
    weekly = figures.period_totals(ts, ["facepay_users", "gross_loss"], "weekly")
    grouped = ts.groupby(["replicate", pd.Grouper(key="date", freq="W-MON")])
    assert np.allclose(weekly["facepay_users"], grouped["facepay_users"].mean().to_numpy())
    assert np.allclose(weekly["gross_loss"], grouped["gross_loss"].sum().to_numpy())
    assert weekly["facepay_users"].max() <= 2000  # never more users than the population
    table = figures.aggregate_table(ts, "weekly", "EUR")
    assert "gross_loss [EUR]" in table.columns
    assert "facepay_users [users, weekly mean]" in table.columns
    assert table["facepay_users [users, weekly mean]"].max() <= 2000


def test_currency_comes_from_the_result(results, tmp_path):
    assert main(["run", "scenarios/baseline.yaml", "--out", str(tmp_path / "eur"), "--users",
                 "500", "--days", "5", "--quiet", "--set", "currency=EUR"]) == 0
    result = load_result(tmp_path, "eur")
    assert result.manifest["currency"] == "EUR" and result.currency == "EUR"
    manifest = tmp_path / "eur" / "manifest.json"  # a folder written before the manifest
    meta = json.loads(manifest.read_text())       # held the currency
    del meta["currency"]
    manifest.write_text(json.dumps(meta))
    assert load_result(tmp_path, "eur").currency == "EUR"  # read from scenario.yaml
    losses = figures.losses_figure(result.timeseries, figures.vector_days(
        result.vectors, pd.Timestamp(result.timeseries["date"].min())), "total", "weekly",
        False, [], result.currency)
    assert losses.layout.yaxis.title.text == "loss (EUR)"


def test_defaults_are_the_newest_result_and_another_scenario(results):
    infos = catalog(results)
    newest = newest_first(infos)
    assert newest[0].created >= newest[-1].created
    pair = default_pair(infos)
    by_id = {i.id: i for i in infos}
    assert len(pair) == 2 and by_id[pair[0]].scenario_sha256 != by_id[pair[1]].scenario_sha256


def test_the_contest_axis_is_linear_when_values_are_close():
    assert not log_axis_needed(np.array([0.5, 0.8, 1.2, 2.0]))
    assert log_axis_needed(np.array([0.01, 0.5, 3.0]))
    assert not log_axis_needed(np.array([np.nan, 0.0]))


def test_dashboard_command_refuses_a_file_as_results(tmp_path):
    not_a_folder = tmp_path / "f"
    not_a_folder.write_text("x")
    assert main(["dashboard", "--results", str(not_a_folder)]) == 2


def test_the_coupling_figure_shows_both_directions_of_the_arms_race():
    rng = np.random.default_rng(0)
    days = np.arange(30 * 48)
    frame = {"replicate": 0, "day": days}
    for vector in ("a", "b"):
        steps = np.cumsum(rng.normal(0.0, 0.02, 48))
        frame[f"defence_{vector}"] = np.exp(steps)[days // 30]
        frame[f"tool_quality_{vector}"] = np.exp(np.concatenate([[0.0], steps[:-1]]))[days // 30]
    fig = coupling_figure(pd.DataFrame(frame))  # tools copy the defence a month later
    bars = dict(zip(fig.data[0].x, fig.data[0].y, strict=True))
    assert sorted(bars) == list(range(-6, 7))
    assert bars[-1] > 0.99 and abs(bars[1]) < 0.5
    assert tuple(fig.layout.xaxis.range) == (-6.5, 6.5)
