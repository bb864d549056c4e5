"""Every dashboard page in headless Chromium, ending with a clean browser console."""

import time
from pathlib import Path

import psutil
import pytest

from dashboards.app import create_app
from simfraud.cli import main

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("results")
    for name, extra in (("weak", []), ("strong", ["--set", "platforms.0.liveness.level=depth_3d"])):
        assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                     str(folder / name), "--users", "3000", "--days", "90", "--replicates",
                     "3", "--quiet", *extra]) == 0
    return folder


@pytest.fixture
def app(results):
    return create_app(results, ROOT / "scenarios", cache=results.parent / "cache")


def wait_for_plot(dash_duo, graph_id):
    dash_duo.wait_for_element(f"#{graph_id} .main-svg", timeout=20)


def no_errors(dash_duo):
    logs = [entry for entry in dash_duo.get_logs() or []
            if "favicon" not in entry.get("message", "")]
    assert logs == []


def test_losses_page_loads_results_and_follows_controls(dash_duo, app):
    dash_duo.start_server(app)
    wait_for_plot(dash_duo, "losses-graph")
    dash_duo.wait_for_contains_text("#losses-info", "replicate", timeout=20)
    assert "Gross fraud losses" in dash_duo.find_element("#losses-graph").text
    dash_duo.find_element("#losses-breakdown input[value='vector']").click()
    dash_duo.wait_for_contains_text("#losses-graph", "social_engineering", timeout=20)
    dash_duo.find_element("#losses-cumulative input").click()
    dash_duo.wait_for_contains_text("#losses-graph", "cumulative", timeout=20)
    no_errors(dash_duo)


def test_arms_race_page(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-arms_race").click()
    wait_for_plot(dash_duo, "arms-graph")
    dash_duo.wait_for_contains_text("#arms-graph", "Faces vs credentials compromised",
                                    timeout=20)
    no_errors(dash_duo)


def test_compare_page_shows_paired_differences(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-compare").click()
    wait_for_plot(dash_duo, "compare-graph")
    dash_duo.wait_for_contains_text("#compare-differences", "gross_loss", timeout=20)
    dash_duo.wait_for_contains_text("#compare-social", "social cost", timeout=20)
    no_errors(dash_duo)


def plotted(dash_duo, graph_id):
    """The traces drawn in a graph, as Plotly holds them in the page."""
    return dash_duo.driver.execute_script(
        f"return document.querySelector('#{graph_id} .js-plotly-plot')._fullData"
        ".map(t => ({name: t.name, legend: t.showlegend, y: Array.from(t.y)}));")


def test_compare_averages_stocks_and_sums_flows(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-compare").click()
    wait_for_plot(dash_duo, "compare-graph")
    dash_duo.select_dcc_dropdown("#compare-metric", value="facepay_users")
    dash_duo.wait_for_contains_text("#compare-graph", "weekly mean", timeout=20)
    lines = [t for t in plotted(dash_duo, "compare-graph") if t["legend"]]
    assert len(lines) == 2
    # A weekly value of a stock is the week's mean: never more than the 3,000 users.
    assert 0 < max(max(t["y"]) for t in lines) <= 3000
    assert "users" in dash_duo.find_element("#compare-graph").text
    dash_duo.select_dcc_dropdown("#compare-metric", value="successes")
    dash_duo.wait_for_contains_text("#compare-graph", "weekly total", timeout=20)
    no_errors(dash_duo)


@pytest.fixture(scope="module")
def euro_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("euro")
    for name, level in (("eu-a", "passive_2d"), ("eu-b", "depth_3d")):
        assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                     str(folder / name), "--users", "1000", "--days", "30", "--quiet",
                     "--set", "currency=EUR", "--set", f"platforms.0.liveness.level={level}"]
                    ) == 0
    return folder


def test_currency_labels_come_from_the_results(dash_duo, euro_results):
    dash_duo.start_server(create_app(euro_results, ROOT / "scenarios",
                                     cache=euro_results.parent / "cache-eur"))
    wait_for_plot(dash_duo, "losses-graph")
    dash_duo.wait_for_contains_text("#losses-graph", "loss (EUR)", timeout=20)
    assert "GBP" not in dash_duo.find_element("#losses-graph").text
    dash_duo.find_element("#nav-compare").click()
    dash_duo.wait_for_contains_text("#compare-differences", "EUR", timeout=20)
    # One replicate each: the interval is not available rather than a zero-width one.
    dash_duo.wait_for_contains_text("#compare-differences", "not available", timeout=20)
    dash_duo.find_element("#nav-arms_race").click()
    dash_duo.wait_for_contains_text("#arms-graph", "EUR per crew per day", timeout=20)
    no_errors(dash_duo)


def test_run_page_runs_a_changed_scenario_to_the_end(dash_duo, app, results):
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-run").click()
    dash_duo.wait_for_contains_text("#run-validation", "valid", timeout=20)
    dash_duo.select_dcc_dropdown("#run-liveness", value="depth_3d")
    for field, value in (("#run-users", "1000"), ("#run-days", "30"),
                         ("#run-replicates", "1")):
        box = dash_duo.find_element(field)
        box.clear()
        box.send_keys(value)
    dash_duo.find_element("#run-start").click()
    dash_duo.wait_for_contains_text("#run-finished", "Finished", timeout=120)
    saved = list((results / "dashboard").glob("*/manifest.json"))
    assert saved and "level: depth_3d" in (saved[0].parent / "scenario.yaml").read_text()
    new_id = f"dashboard/{saved[0].parent.name}"
    dash_duo.find_element("#run-open").click()  # the Losses link selects the new result
    dash_duo.wait_for_contains_text("#losses-result", new_id, timeout=20)
    dash_duo.wait_for_contains_text("#losses-info", "1 replicate(s), 1,000 users", timeout=20)
    no_errors(dash_duo)


def test_a_run_beyond_the_limit_waits_in_the_queue_and_starts_when_a_slot_frees(
        dash_duo, results, tmp_path):
    from dashboards.slots import RunSlots

    app = create_app(results, ROOT / "scenarios", cache=tmp_path / "cache", max_runs=1)
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-run").click()
    dash_duo.wait_for_contains_text("#run-validation", "valid", timeout=20)
    for field, value in (("#run-users", "1000"), ("#run-days", "20"),
                         ("#run-replicates", "1")):
        box = dash_duo.find_element(field)
        box.clear()
        box.send_keys(value)
    with RunSlots(tmp_path / "cache" / "run-slots", 1).claim() as held:  # a run going on
        assert held
        dash_duo.find_element("#run-start").click()
        dash_duo.wait_for_contains_text("#run-queued", "queued (position 1)", timeout=30)
        time.sleep(2)  # still waiting while the slot is held, and nothing forked for it
        assert "Finished" not in dash_duo.find_element("#run-status").text
        me = psutil.Process()
        assert [p for p in me.children() if p.cmdline() == me.cmdline()] == []
    dash_duo.wait_for_contains_text("#run-finished", "Finished", timeout=120)
    no_errors(dash_duo)


def test_an_invalid_upload_shows_located_messages(dash_duo, app, tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("extends: baseline.yaml\npopulaton:\n  users: 10\n")
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-run").click()
    dash_duo.wait_for_contains_text("#run-validation", "valid", timeout=20)
    dash_duo.find_element("#run-upload input[type='file']").send_keys(str(broken))
    dash_duo.wait_for_contains_text(
        "#run-errors", "broken.yaml:2:1: populaton: unknown key 'populaton'; did you mean "
        "'population'?", timeout=20)
    no_errors(dash_duo)


def test_export_page_offers_figures_tables_and_yaml(dash_duo, app):
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-export").click()
    wait_for_plot(dash_duo, "export-graph")
    dash_duo.find_element("#export-svg").click()
    dash_duo.wait_for_contains_text("#export-done", "SVG", timeout=20)
    dash_duo.find_element("#export-csv").click()
    dash_duo.find_element("#export-yaml").click()
    time.sleep(1)
    no_errors(dash_duo)


@pytest.fixture(scope="module")
def experiment_results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("experiments")
    assert main(["compare", str(ROOT / "scenarios" / "baseline.yaml"),
                 str(ROOT / "scenarios" / "stress-proactive-regulator.yaml"),
                 "--out", str(folder / "reg"), "--replicates", "2", "--users", "1000",
                 "--days", "30", "--workers", "2", "--quiet"]) == 0
    return folder


def test_an_experiment_arm_is_one_result_set_with_its_replicates(dash_duo, experiment_results):
    dash_duo.start_server(create_app(experiment_results, ROOT / "scenarios",
                                     cache=experiment_results.parent / "cache-exp"))
    dash_duo.wait_for_contains_text("#losses-info", "2 replicate(s)", timeout=20)
    dash_duo.find_element("#nav-compare").click()
    # Compare opens on the experiment's two arms, not on two runs of one arm.
    dash_duo.wait_for_contains_text("#compare-results", "reg::0000", timeout=20)
    dash_duo.wait_for_contains_text("#compare-results", "reg::0001", timeout=20)
    dash_duo.wait_for_contains_text("#compare-differences", "gross_loss", timeout=20)
    table = dash_duo.find_element("#compare-differences").text
    assert "reg::0001" in table and "runs/" not in table
    lines = [t for t in plotted(dash_duo, "compare-graph") if t["legend"]]
    assert len(lines) == 2
    no_errors(dash_duo)
