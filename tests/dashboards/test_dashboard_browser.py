"""Every dashboard page in headless Chromium, ending with a clean browser console."""

import time
from pathlib import Path

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
    no_errors(dash_duo)


def test_a_run_beyond_the_limit_is_refused_as_busy(dash_duo, results, tmp_path):
    from dashboards.slots import RunSlots

    app = create_app(results, ROOT / "scenarios", cache=tmp_path / "cache", max_runs=1)
    dash_duo.start_server(app)
    dash_duo.find_element("#nav-run").click()
    dash_duo.wait_for_contains_text("#run-validation", "valid", timeout=20)
    with RunSlots(tmp_path / "cache" / "run-slots", 1).claim() as held:  # a run going on
        assert held
        dash_duo.find_element("#run-start").click()
        dash_duo.wait_for_contains_text("#run-busy", "Busy: 1 run(s) are already going",
                                        timeout=60)
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
