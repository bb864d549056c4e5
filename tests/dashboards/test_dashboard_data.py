"""Dashboard data access and figures, without a browser."""

import numpy as np
import pandas as pd
import pytest

from dashboards import figures
from dashboards.data import UnsafePathError, catalog, inside, load_result
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
    table = figures.difference_table(series).set_index("metric")
    totals_a = a.timeseries.groupby("replicate")["gross_loss"].sum().to_numpy()
    totals_b = b.timeseries.groupby("replicate")["gross_loss"].sum().to_numpy()
    expected = paired_difference(totals_a, totals_b)
    assert table.loc["gross_loss", "difference"] == pytest.approx(expected.mean / 100)
    assert table.loc["gross_loss", "95% low"] == pytest.approx(expected.low / 100)
    social = figures.social_cost_table(series)
    assert list(social["result"]) == ["a", "b"]
    parts = social[["fraud (net of recoveries)", "friction", "security spend", "compliance"]]
    assert np.allclose(parts.sum(axis=1), social["social cost"])
    fig = figures.compare_figure(series, "facepay_users", "monthly", "GBP")
    assert [t.name for t in fig.data if t.name] == ["a", "b"]
    arms = figures.arms_race_figure(a.timeseries, 2000, [])
    assert len(arms.data) == 2 * 6 + 7


def test_dashboard_command_refuses_a_file_as_results(tmp_path):
    not_a_folder = tmp_path / "f"
    not_a_folder.write_text("x")
    assert main(["dashboard", "--results", str(not_a_folder)]) == 2
