"""Experiments as result sets: the record, load_experiment, dashboard arms, byte-exact rerun."""

import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dashboards.data import UNAVAILABLE, catalog, load_result
from simfraud.cli import main
from simfraud.core.metrics import METRICS, VECTOR_METRICS
from simfraud.experiments.load import load_arm, load_experiment
from simfraud.results.units import read_units
from tests.support import finished_runs

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--users", "1500", "--days", "20", "--workers", "2", "--quiet"]


TIMED = {"manifest.json", "experiment.json", "index.parquet", "report.html"}
"""Files of an experiment that also hold times, checked apart from them."""


def data_files(folder: Path) -> dict[str, bytes]:
    """Every file of an experiment but those that hold times."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name not in TIMED}


def without_times(path: Path) -> dict:
    """A manifest or record without its times and how it was asked for."""
    return {key: value for key, value in json.loads(path.read_text()).items()
            if key not in ("created_utc", "timings", "command_line")}


def same_but_times(source: Path, again: Path) -> None:
    """The timed files of two experiments agree but for times (and Plotly's div ids)."""
    manifests = sorted(p.relative_to(source) for p in source.rglob("manifest.json"))
    assert manifests and manifests == sorted(p.relative_to(again)
                                             for p in again.rglob("manifest.json"))
    for name in [*manifests, Path("experiment.json")]:
        assert without_times(source / name) == without_times(again / name), name
    pd.testing.assert_frame_equal(
        pd.read_parquet(source / "index.parquet").drop(columns="seconds"),
        pd.read_parquet(again / "index.parquet").drop(columns="seconds"))
    if (source / "report.html").exists():
        uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        first, second = ((f / "report.html").read_text() for f in (source, again))
        assert uuid.sub("ID", first) == uuid.sub("ID", second)


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cmp")
    a = folder / "quo.yaml"
    a.write_text("name: quo\nseed: 5\n")
    b = folder / "strict.yaml"
    b.write_text("name: strict\nseed: 77\nplatforms:\n  - name: p\n    liveness: "
                 "{level: depth_3d}\n")
    out = folder / "results" / "cmp"
    assert main(["compare", str(a), str(b), "--out", str(out), "--replicates", "2",
                 *SMALL]) == 0
    return out


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    out = tmp_path_factory.mktemp("sw") / "grid"
    assert main(["sweep", str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(out),
                 "--grid", "attackers.initial=5,10", "--replicates", "2", *SMALL]) == 0
    return out


def test_the_record_says_how_to_reproduce_the_experiment(compared):
    record = json.loads((compared / "experiment.json").read_text())
    assert record["kind"] == "compare" and record["runs"] == 4
    assert record["command_line"].startswith("simfraud compare ")
    assert "--replicates 2" in record["command_line"]
    assert [s["name"] for s in record["scenarios"]] == ["quo", "strict"]
    assert record["scenarios"][1]["file"].endswith("strict.yaml")
    for entry in record["scenarios"]:
        stored = (compared / entry["stored"]).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == entry["sha256"]
        assert b"seed: 5\n" in stored  # every arm runs with the first scenario's seed
    assert record["replicates"] == 2 and [s["replicate"] for s in record["seeds"]] == [0, 1]
    assert {s["seed"] for s in record["seeds"]} == set(
        pd.read_parquet(compared / "index.parquet")["seed"])
    assert record["versions"]["mesa"] and record["simfraud_version"]
    assert [(a["label"], len(a["runs"])) for a in record["arms"]] == [("quo", 2),
                                                                     ("strict", 2)]


def test_a_sweep_records_its_grid_and_names_its_points_by_it(swept):
    record = json.loads((swept / "experiment.json").read_text())
    assert record["kind"] == "sweep" and record["grid"] == {"attackers.initial": [5, 10]}
    assert [a["changes"] for a in record["arms"]] == [{"attackers.initial": 5},
                                                      {"attackers.initial": 10}]
    assert [len(a["runs"]) for a in record["arms"]] == [2, 2]
    arms = load_experiment(swept).arms
    assert list(arms["arm"]) == ["baseline [attackers.initial=5]",
                                 "baseline [attackers.initial=10]"]
    assert list(arms["grid.attackers.initial"]) == [5, 10]


def test_load_experiment_gives_tidy_frames_by_arm(compared):
    experiment = load_experiment(compared)
    assert list(experiment.arms["arm"]) == ["quo", "strict"]
    assert list(experiment.arms["replicates"]) == [2, 2]
    ts = experiment.timeseries
    assert len(ts) == 2 * 2 * 20 and set(ts["arm"]) == {"quo", "strict"}
    totals = experiment.totals.set_index(["arm", "replicate"])
    run = pd.read_parquet(compared / "runs" / "s1-r001" / "timeseries.parquet")
    assert totals.loc[("strict", 1), "gross_loss"] == run["gross_loss"].sum()
    assert totals.loc[("strict", 1), "facepay_users"] == run["facepay_users"].iloc[-1]
    assert set(experiment.vectors["arm"]) == {"quo", "strict"}
    assert set(experiment.table("differences")["scenario"]) == {"strict"}
    with pytest.raises(FileNotFoundError):
        load_experiment(compared / "runs")


def test_the_dashboard_lists_arms_not_runs(compared, swept):
    results = compared.parent
    infos = {i.id: i for i in catalog(results)}
    assert set(infos) == {"cmp::0000", "cmp::0001"}  # not the four runs
    assert infos["cmp::0001"].name == "strict" and infos["cmp::0001"].replicates == 2
    arm = load_result(results, "cmp::0001")
    assert sorted(arm.timeseries["replicate"].unique()) == [0, 1]
    assert arm.manifest["replicates"] == 2 and arm.currency == "GBP"
    names = [i.name for i in catalog(swept.parent)]
    assert names == ["baseline [attackers.initial=5]", "baseline [attackers.initial=10]"]
    for bad in ("cmp::x", "cmp::0009", "nothing::0000"):
        with pytest.raises(UNAVAILABLE):
            load_result(results, bad)


def test_an_experiment_with_an_unreadable_index_is_listed_as_bad(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "experiment.json").write_text('{"kind": "compare"}')
    (broken / "index.parquet").write_bytes(b"not parquet")
    [info] = catalog(tmp_path)
    assert info.id == "broken" and "broken/index.parquet: unreadable" in info.problem


@pytest.mark.parametrize("experiment", ["compared", "swept"])
def test_rerun_reproduces_a_whole_experiment_byte_for_byte(experiment, request, tmp_path):
    source = request.getfixturevalue(experiment)
    again = tmp_path / "again"
    assert main(["rerun", str(source), "--out", str(again), "--workers", "2",
                 "--quiet"]) == 0
    before, after = data_files(source), data_files(again)
    assert len(before) >= 4 * 4 and before.keys() == after.keys()
    assert [name for name in before if before[name] != after[name]] == []
    same_but_times(source, again)
    first = json.loads((source / "experiment.json").read_text())
    second = json.loads((again / "experiment.json").read_text())
    assert second["fingerprint"] == first["fingerprint"]
    assert second["command_line"].startswith("simfraud rerun")


def test_rerun_refuses_what_it_cannot_reproduce(compared, tmp_path, capsys):
    copy = tmp_path / "old"
    copy.mkdir()
    (copy / "experiment.json").write_text('{"kind": "compare", "fingerprint": "x", "runs": 2}')
    assert main(["rerun", str(copy), "--out", str(tmp_path / "o")]) == 2
    assert "written before experiments recorded their runs" in capsys.readouterr().err
    (copy / "experiment.json").write_text('{"kind": "sensitivity"}')
    assert main(["rerun", str(copy), "--out", str(tmp_path / "o")]) == 2
    assert "allowed: compare, sweep" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def _scenario_of_days(record, folder):
    stored = folder / record["scenarios"][0]["stored"]
    stored.write_text(stored.read_text().replace("days: 20\n", "days: 99999\n"))
    record["scenarios"][0]["sha256"] = hashlib.sha256(stored.read_bytes()).hexdigest()


@pytest.mark.parametrize(("mutate", "fragment"), [
    (lambda r, f: r.update(replicates=5000),
     "experiment.json: replicates: Input should be less than or equal to 1000 (got 5000)"),
    (lambda r, f: r.update(replicates="2"),
     "experiment.json: replicates: Input should be a valid integer (got '2')"),
    (lambda r, f: r["arms"][0]["runs"][0].__setitem__(1, 1.5),
     "experiment.json: arms.0.runs.0.1: Input should be a valid integer (got 1.5)"),
    (lambda r, f: r["arms"][1].update(changes={"population.users": 10**9}),
     "experiment.json: arms.1.changes.population.users (arm 'strict'): value 1000000000: "
     "Input should be less than or equal to 100000000"),
    (lambda r, f: r["arms"][1].update(scenario=7), "scenario 7 (allowed: 0 to 1)"),
    (_scenario_of_days, "00.yaml:5:1: days: Input should be less than or equal to 3650"),
])
def test_rerun_refuses_a_record_past_the_bounds_before_any_run(compared, tmp_path, capsys,
                                                                mutate, fragment):
    copy = tmp_path / "old"
    (copy / "scenarios").mkdir(parents=True)
    for stored in (compared / "scenarios").iterdir():
        (copy / "scenarios" / stored.name).write_bytes(stored.read_bytes())
    record = json.loads((compared / "experiment.json").read_text())
    mutate(record, copy)
    (copy / "experiment.json").write_text(json.dumps(record))
    assert main(["rerun", str(copy), "--out", str(tmp_path / "o")]) == 2
    [line] = capsys.readouterr().err.strip().split("\n")
    assert line.startswith("simfraud rerun: ") and fragment in line, line
    assert not (tmp_path / "o").exists()


def test_a_killed_compare_with_arms_resumes_to_what_a_clean_run_writes(tmp_path):
    out = tmp_path / "cmp"
    command = [sys.executable, "-m", "simfraud.cli", "compare",
               str(ROOT / "scenarios" / "baseline.yaml"), "--out", str(out),
               "--arm", "strict:platforms.0.liveness.level=depth_3d",
               "--arm", "crowded:attackers.initial=40", "--replicates", "3",
               "--users", "2000", "--days", "60", "--workers", "2", "--quiet"]
    compare = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and len(finished_runs(out)) < 2:
        time.sleep(0.05)
    os.killpg(compare.pid, signal.SIGKILL)
    compare.wait()
    assert 2 <= len(finished_runs(out)) < 9, "the compare must be killed midway"
    assert not (out / "report.html").exists()
    assert main([*command[3:], "--resume"]) == 0
    index = pd.read_parquet(out / "index.parquet")
    assert len(index) == 9 and (index["status"] == "ok").all()
    assert main(["rerun", str(out), "--out", str(tmp_path / "clean"), "--workers", "2",
                 "--quiet"]) == 0
    resumed, clean = data_files(out), data_files(tmp_path / "clean")
    assert resumed.keys() == clean.keys() and "cost_effectiveness.parquet" in resumed
    assert [name for name in resumed if resumed[name] != clean[name]] == []
    same_but_times(out, tmp_path / "clean")


def _numeric(schema) -> list[str]:
    return [f.name for f in schema
            if pa.types.is_integer(f.type) or pa.types.is_floating(f.type)]


def test_every_numeric_column_of_the_wide_tables_has_its_registry_unit(compared, swept):
    for folder in (compared, swept):
        currency = json.loads(next(folder.rglob("manifest.json")).read_text())["currency"]
        for run in sorted((folder / "runs").iterdir()):
            for file, registry in (("timeseries.parquet", METRICS),
                                   ("vectors.parquet", VECTOR_METRICS)):
                schema = pq.read_schema(run / file)
                assert schema.metadata[b"currency"].decode() == currency
                for name in _numeric(schema):
                    meta = schema.field(name).metadata
                    assert meta and meta[b"unit"] and meta[b"kind"], (run, file, name)
                    if name in registry:
                        metric = registry[name]
                        assert meta[b"unit"].decode() == metric.unit.replace(
                            "minor units", f"{currency} minor units"), name
                        assert meta[b"kind"].decode() == metric.kind, name
                    else:
                        assert name in ("replicate", "day"), name
        index = pq.read_schema(folder / "index.parquet")
        assert index.metadata[b"currency"].decode() == currency
        units = read_units(folder / "index.parquet")
        assert set(_numeric(index)) <= set(units)
        assert units["gross_loss"] == f"{currency} minor units"
        assert units["final_facepay_users"] == METRICS["facepay_users"].unit
        assert units["seconds"] == "s"
    assert read_units(swept / "index.parquet")["grid.attackers.initial"] == "crews"


def test_load_experiment_exposes_the_units(compared):
    experiment = load_experiment(compared)
    for frame in (experiment.timeseries, experiment.vectors, experiment.index,
                  experiment.totals):
        assert frame.attrs["currency"] == "GBP"
        assert set(_numeric(pa.Schema.from_pandas(frame))) <= set(frame.attrs["units"])
    assert experiment.timeseries.attrs["units"]["gross_loss"] == "GBP minor units"
    assert experiment.vectors.attrs["units"]["loss"] == "GBP minor units"
    assert experiment.totals.attrs["units"]["mean_trust"] == "index 0-1"
    assert load_arm(compared, 1).timeseries.attrs["units"]["victims"] == "users"
