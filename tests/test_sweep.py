"""Sweeps: local worker processes and a real Dask cluster agree; kill and resume."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numba
import pandas as pd
import pytest
from distributed import Client, LocalCluster

from simfraud.cli import main
from simfraud.experiments.dispatch import (
    LOCAL_CLUSTER_CONFIG,
    dask_client,
    numba_threads_per_run,
)
from simfraud.experiments.sweep import resolve_sweep, run_sweep
from tests.support import finished_runs, scenario_with

ROOT = Path(__file__).resolve().parents[1]
GRID = ["platforms.0.liveness.level=passive_2d,depth_3d", "attackers.attempts_per_day=10,40"]
METRICS = ["gross_loss", "refunded", "user_loss", "social_cost", "attempts", "successes",
           "final_facepay_users", "final_faces_compromised"]


@pytest.fixture
def tiny_scenario(tmp_path):
    path = tmp_path / "tiny.yaml"
    path.write_text("name: tiny\ndays: 30\npopulation: {users: 2000}\n"
                    "regulator: {stance: proactive, instruments: "
                    "{mandatory_reimbursement: {enabled: true}}}\n")
    return path


def test_local_processes_and_a_dask_cluster_give_identical_results(tmp_path):
    scenario = scenario_with(users=2_000, days=30)
    sweep = resolve_sweep(scenario, GRID, 2)
    local = run_sweep(scenario, sweep, tmp_path / "local", workers=2, quiet=True)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster:
        remote = run_sweep(scenario, sweep, tmp_path / "cluster",
                           scheduler=cluster.scheduler_address, quiet=True)
    assert len(local) == 8 and (local["status"] == "ok").all()
    pd.testing.assert_frame_equal(local[["run_id", "seed", *METRICS]],
                                  remote[["run_id", "seed", *METRICS]])
    on_disk = pd.read_parquet(tmp_path / "local" / "index.parquet")
    pd.testing.assert_frame_equal(on_disk[METRICS], local[METRICS])
    # Replicate r of every grid point shares its seed (common random numbers).
    assert local.groupby("replicate")["seed"].nunique().eq(1).all()
    assert local["seed"].nunique() == 2
    # Each run folder is a complete `simfraud run` result.
    run = tmp_path / "local" / "runs" / "p0003-r001"
    assert {p.name for p in run.iterdir()} == {
        "manifest.json", "scenario.yaml", "summary.json", "timeseries.parquet",
        "vectors.parquet"}
    assert "level: depth_3d" in (run / "scenario.yaml").read_text()
    # On both, each run's kernels share the host's cores with the other worker's runs.
    for folder in ("local", "cluster"):
        manifest = json.loads((tmp_path / folder / "runs" / "p0000-r000" / "manifest.json")
                              .read_text())
        assert manifest["numba_threads"] == min(max(1, len(os.sched_getaffinity(0)) // 2),
                                                numba.config.NUMBA_NUM_THREADS)


class _FakeClient:
    """What ``numba_threads_per_run`` asks a cluster: its workers, and each one's machine."""

    def __init__(self, workers: dict[str, tuple[int, tuple[str, int] | None]]):
        self.workers = workers  # address -> (task threads, (host, cores) or None: no answer)

    def scheduler_info(self):
        return {"workers": {address: {"nthreads": threads, "host": "10.0.0.9"}
                            for address, (threads, _) in self.workers.items()}}

    def run(self, function, workers, on_error):
        assert on_error == "ignore" and set(workers) == set(self.workers)
        return {address: answer for address, (_, answer) in self.workers.items()
                if answer is not None}


@pytest.mark.parametrize(("workers", "expected"), [
    # Two single-threaded workers on a 2-core machine: one thread each, not numba's 2.
    ({"a": (1, ("m1", 2)), "b": (1, ("m1", 2))}, 1),
    # One worker of 2 task threads on 8 cores: 4 each.
    ({"a": (2, ("m1", 8))}, 4),
    # Machines told apart by name (both workers report the same address's host above):
    # 8 cores for 2 threads and 4 cores for 4 threads: the fewest, 1.
    ({"a": (2, ("m1", 8)), "b": (4, ("m2", 4))}, 1),
    ({"a": (1, ("m1", 16)), "b": (1, ("m2", 8))}, 8),
    # A worker that does not answer is left out, it does not make its machine 1 core.
    ({"a": (1, ("m1", 6)), "b": (1, None)}, 6),
    # No worker yet (or none answering): numba's own count.
    ({}, None),
    ({"a": (1, None)}, None),
])
def test_each_run_gets_its_machines_cores_over_the_runs_it_holds(workers, expected):
    assert numba_threads_per_run(_FakeClient(workers)) == expected


def test_on_a_real_cluster_a_run_gets_the_cores_over_the_workers():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster, Client(
            cluster) as client:
        assert numba_threads_per_run(client) == max(1, len(os.sched_getaffinity(0)) // 2)


def _profiling(dask_worker):
    return "profile" in dask_worker.periodic_callbacks


def _dask_settings(keys):
    import dask

    return {key: dask.config.get(key) for key in keys}


def test_the_local_cluster_workers_run_without_the_profiler_and_with_slower_ticks():
    with dask_client(2, None) as client:
        seen = client.run(_dask_settings, list(LOCAL_CLUSTER_CONFIG))
        profiling = client.run(_profiling)
    assert len(seen) == 2
    assert all(settings == LOCAL_CLUSTER_CONFIG for settings in seen.values())
    assert list(profiling.values()) == [False, False]  # no sampling callback in any worker
    assert _dask_settings(["distributed.worker.profile.enabled"]) == {
        "distributed.worker.profile.enabled": True}  # the command's own settings are as were


def test_a_failed_run_is_recorded_and_the_others_go_on(tiny_scenario, tmp_path, capsys):
    out = tmp_path / "sw"
    (out / "runs").mkdir(parents=True)
    (out / "runs" / "p0001-r000").write_text("in the way")  # this run cannot write
    args = ["sweep", str(tiny_scenario), "--out", str(out), "--grid",
            "attackers.initial=5,10,20", "--workers", "2", "--quiet"]
    assert main(args) == 1
    index = pd.read_parquet(out / "index.parquet").set_index("run_id")
    assert index.loc["p0001-r000", "status"] == "failed"
    assert "exists and is not a folder" in index.loc["p0001-r000", "error"]
    assert (index.drop("p0001-r000")["status"] == "ok").all()
    assert "run p0001-r000 failed" in capsys.readouterr().err
    (out / "runs" / "p0001-r000").unlink()
    assert main([*args, "--resume"]) == 0
    assert (pd.read_parquet(out / "index.parquet")["status"] == "ok").all()


def test_an_existing_sweep_needs_resume_and_the_same_grid(tiny_scenario, tmp_path):
    def sweep(grid, *extra):
        return main(["sweep", str(tiny_scenario), "--out", str(tmp_path / "sw"), "--grid",
                     grid, "--workers", "1", "--quiet", *extra])

    assert sweep("attackers.initial=5,10") == 0
    assert sweep("attackers.initial=5,10") == 2  # already there: --resume or another --out
    assert sweep("attackers.initial=5,11", "--resume") == 2  # a different grid
    assert sweep("attackers.initial=5,10", "--resume") == 0  # nothing left to do


def test_the_grid_declared_in_the_file_and_bad_grid_values(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("days: 20\npopulation: {users: 1500}\n"
                    "sweep: {grid: {attackers.initial: [5, 15]}, replicates: 2}\n")
    out = tmp_path / "sw"
    assert main(["sweep", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert len(pd.read_parquet(out / "index.parquet")) == 4
    result = subprocess.run(
        [sys.executable, "-m", "simfraud.cli", "sweep", str(path), "--out",
         str(tmp_path / "bad"), "--grid", "attackers.initial=5,-3"],
        capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--grid:1:1: sweep.grid.attackers.initial: value -3" in result.stderr


def test_a_killed_sweep_resumes_without_losing_or_repeating_a_run(tiny_scenario, tmp_path):
    out = tmp_path / "sw"
    command = [sys.executable, "-m", "simfraud.cli", "sweep", str(tiny_scenario), "--out",
               str(out), "--grid", "attackers.initial=5,10,15,20,25,30", "--replicates", "3",
               "--workers", "2", "--quiet", "--days", "90"]
    sweep = subprocess.Popen(command, cwd=ROOT, start_new_session=True,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and len(finished_runs(out)) < 4:
        time.sleep(0.05)
    os.killpg(sweep.pid, signal.SIGKILL)
    sweep.wait()
    done_before = finished_runs(out)
    assert 4 <= len(done_before) < 18, "the sweep must be killed midway"
    stamps = {run: json.loads((out / "runs" / run / "manifest.json").read_text())["created_utc"]
              for run in done_before}
    mtimes = {run: (out / "runs" / run / "manifest.json").stat().st_mtime_ns
              for run in done_before}

    resumed = subprocess.run([*command, "--resume"], cwd=ROOT, capture_output=True,
                             text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    index = pd.read_parquet(out / "index.parquet")
    assert len(index) == 18 and index["run_id"].is_unique
    assert (index["status"] == "ok").all()
    folders = sorted(p.name for p in (out / "runs").iterdir())
    assert folders == sorted(index["run_id"])  # no partial folders, no duplicates
    for run in done_before:  # finished runs were not done again
        manifest = out / "runs" / run / "manifest.json"
        assert manifest.stat().st_mtime_ns == mtimes[run]
        assert json.loads(manifest.read_text())["created_utc"] == stamps[run]
