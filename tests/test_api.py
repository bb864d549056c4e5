"""The Python API, Mesa's batch_run on FraudModel, a partly run model, the notebook."""

from pathlib import Path

import mesa
import pandas as pd
import pytest

import simfraud
from simfraud.cli import main
from simfraud.experiments.api import with_changes
from simfraud.model import FraudModel
from simfraud.results.units import read_units
from simfraud.scenario.loader import ScenarioError
from tests.support import scenario_with

ROOT = Path(__file__).resolve().parents[1]


def test_run_returns_the_same_numbers_as_the_command(tmp_path):
    results = simfraud.run(ROOT / "scenarios" / "baseline.yaml", replicates=2, users=1500,
                           days=15, platforms__0__liveness__level="depth_3d")
    assert results.scenario.platforms[0].liveness.level == "depth_3d"
    assert main(["run", str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                 str(tmp_path / "r"), "--users", "1500", "--days", "15", "--replicates", "2",
                 "--quiet", "--set", "platforms.0.liveness.level=depth_3d"]) == 0
    on_disk = pd.read_parquet(tmp_path / "r" / "timeseries.parquet")
    pd.testing.assert_frame_equal(results.timeseries, on_disk)
    for table in ("timeseries", "vectors"):  # the same units in memory as on disk
        assert getattr(results, table).attrs["units"] == read_units(
            tmp_path / "r" / f"{table}.parquet")
    assert results.timeseries.attrs["currency"] == "GBP"
    summary = results.summary.set_index("metric")
    assert summary.loc["gross_loss", "mean"] == pytest.approx(
        on_disk.groupby("replicate")["gross_loss"].sum().mean())
    assert summary.loc["gross_loss", "unit"] == "GBP minor units"
    assert summary.loc["facepay_users", "over"] == "last day"
    weight = results.scenario.population.weight
    assert summary.loc["gross_loss", "national_mean"] == pytest.approx(
        summary.loc["gross_loss", "mean"] * weight)
    assert set(results.vectors["replicate"]) == {0, 1}


def test_overrides_are_checked():
    scenario = scenario_with(users=1000, days=5)
    with pytest.raises(ValueError, match="level"):
        simfraud.run(scenario, platforms__0__liveness__level="depth_4d")
    assert simfraud.load_scenario(ROOT / "scenarios" / "baseline.yaml",
                                  changes={"attackers.initial": 3}, seed=9).seed == 9


def test_a_partly_run_model_reports_only_the_days_run():
    model = FraudModel(scenario_with(users=1000, days=30))
    model.run(days=7)
    ts = model.metrics.timeseries(0, model.scenario.start_date)
    assert list(ts["day"]) == list(range(7))
    assert ts["gross_loss"].sum() == model.ledger.gross_loss
    vectors = model.metrics.vector_table(0)
    assert vectors["day"].max() == 6 and len(vectors) == 7 * len(model.platforms) * 6
    frame = model.datacollector.get_model_vars_dataframe()  # row k: day k
    assert list(frame["gross_loss"]) == list(ts["gross_loss"])
    assert list(frame["facepay_users"]) == list(ts["facepay_users"])
    assert model.running
    model.run(days=23)
    assert not model.running


def test_mesa_batch_run_runs_the_model():
    scenario = scenario_with(users=800, days=12)
    rows = mesa.batch_run(FraudModel, {"scenario": [scenario], "replicate": [0, 1]},
                          display_progress=False, max_steps=100)
    assert sorted(r["replicate"] for r in rows) == [0, 1]
    for row in rows:
        assert row["Step"] == 11  # Mesa reports steps - 1: the model stopped after day 12
        alone = FraudModel(scenario, replicate=row["replicate"])
        alone.run()
        assert row["gross_loss"] == int(alone.metrics.series["gross_loss"][-1])
        assert row["active_attackers"] == int(alone.metrics.series["active_attackers"][-1])


def test_compare_and_sweep_return_experiments(tmp_path):
    base = scenario_with(users=1000, days=10)
    strict = base.model_copy(update={"name": "strict"})
    strict = with_changes(strict, platforms__0__liveness__level="depth_3d")
    experiment = simfraud.compare({"base": base, "strict": strict}, replicates=2,
                                  out=tmp_path / "c", workers=2)
    assert list(experiment.arms["arm"]) == ["base", "strict"]
    assert experiment.record["command_line"].startswith("simfraud.compare")
    grid = simfraud.sweep(base, {"attackers.initial": [5, 10]}, replicates=1,
                          out=tmp_path / "s", workers=2)
    assert list(grid.arms["grid.attackers.initial"]) == [5, 10]
    assert len(grid.timeseries) == 2 * 10
    with pytest.raises(ScenarioError):
        simfraud.sweep(base, {"attackers.initial": [-3]}, out=tmp_path / "bad")


def test_the_notebook_runs(tmp_path):
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(ROOT / "examples" / "python-api.ipynb", as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "examples")}}).execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code"
               for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "national_mean" in text and "no mandate" in text and "depth_3d" in text
