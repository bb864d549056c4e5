"""Killed and interrupted processes: SIGKILL inside publishing, SIGKILL mid-run, Ctrl-C.

A killed writer never leaves a folder that looks complete, its leftovers are removed by
the next writer and never listed by the dashboard, and Ctrl-C ends every command with
one line and exit status 130.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from dashboards.data import catalog
from simfraud.cli import main
from simfraud.results.manifest import verified
from tests.support import finished_trial_count

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--users", "600", "--days", "15", "--quiet"]

KILL_AT_REPLACE = """
import os, signal, sys
from simfraud.cli import main
calls, kill_at = [0], int(sys.argv[1])
real = os.replace
def replace(src, dst):
    calls[0] += 1
    if calls[0] == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(src, dst)
os.replace = replace
sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: tiny\ndays: 15\npopulation: {users: 600}\n")
    return path


@pytest.mark.parametrize("kill_at", [1, 3, 4, 5])
def test_a_run_killed_while_publishing_never_looks_complete(scenario, tmp_path, kill_at):
    """Publishing moves 4 files, then renames the manifest in: kill before any of them."""
    out = tmp_path / "results" / "out"
    assert main(["run", str(scenario), "--out", str(out), *TINY]) == 0  # an earlier result
    killed = subprocess.run([sys.executable, "-c", KILL_AT_REPLACE, str(kill_at), "run",
                             str(scenario), "--out", str(out), *TINY, "--seed", "5"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert killed.returncode == -signal.SIGKILL
    assert not (out / "manifest.json").exists()
    assert [info.problem for info in catalog(tmp_path / "results")] == []  # nothing listed
    leftovers = [p.name for p in (tmp_path / "results").iterdir() if p.name.startswith(".")]
    assert leftovers  # the staging folder and the lock of the killed writer
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--seed", "5"]) == 0
    verified(out)
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["out"]
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def start(command: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "simfraud.cli", *command], cwd=cwd,
                            start_new_session=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def finished_runs(out: Path) -> int:
    try:
        return int((pd.read_parquet(out / "index.parquet")["status"] == "ok").sum())
    except (OSError, ValueError, KeyError):
        return 0


def complete_trials(out: Path) -> int:
    """Finished trials of a running calibration (0 while its study is being created).

    A Ctrl-C while spawned local workers start is ignored by design
    (``worker_server.interrupts_ignored``), so the test waits for a trial to finish.
    """
    return finished_trial_count(out)


def wait_for(condition, seconds: float = 120) -> None:
    deadline = time.time() + seconds
    while not condition():
        assert time.time() < deadline, "timed out"
        time.sleep(0.1)


def test_a_run_killed_mid_simulation_leaves_nothing_listed_and_is_cleaned(scenario,
                                                                          tmp_path):
    results = tmp_path / "results"
    run = start(["run", str(scenario), "--out", str(results / "big"), "--users", "20000",
                 "--days", "3000", "--quiet"], ROOT)
    wait_for(lambda: list(results.glob(".big.partial-*")))
    time.sleep(1)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    assert catalog(results) == []
    assert main(["run", str(scenario), "--out", str(results / "big"), *TINY]) == 0
    assert sorted(p.name for p in results.iterdir()) == ["big"]


LONG = "name: long\ndays: 3000\npopulation: {users: 20000}\n"
SHORT = "extends: long.yaml\nname: short\ndays: 30\n"
CASE = """title: a long case
about: long enough to be interrupted
scenario: long.yaml
run: {users: 20000, replicates: 200, days: 100, quick: {users: 20000, replicates: 1}}
periods: {all: [0, 99]}
series:
  - metric: losses
    measured: gross losses
    unit: GBP
    source: {citation: a test}
    points: [{period: all, value: 1000}]
    simulated: {metrics: [gross_loss]}
    tolerance: {relative: 0.5}
"""
CALIBRATION = """scenario: short.yaml
targets: targets.csv
parameters: {attackers.attempts_per_day: {low: 4, high: 40}}
real_population: 1000000
users: 20000
trials: 50
"""


def command_line(command: str, tmp_path: Path) -> list[str]:
    (tmp_path / "long.yaml").write_text(LONG + "sensitivity:\n  parameters:\n"
                                        "    days: {low: 20, high: 3000}\n"
                                        "  trajectories: 4\n")
    (tmp_path / "short.yaml").write_text(SHORT)
    (tmp_path / "spec.yaml").write_text(CALIBRATION)
    (tmp_path / "case.yaml").write_text(CASE)
    (tmp_path / "targets.csv").write_text("metric,period,value,weight\ngross_loss,2024,1e9,1\n")
    out = ["--out", str(tmp_path / "out")]
    return {
        "run": ["run", "long.yaml", *out],
        "sweep": ["sweep", "long.yaml", *out, "--grid", "days=30,3000,3001,3002",
                  "--workers", "2"],
        "compare": ["compare", "short.yaml", "long.yaml", *out, "--replicates", "2",
                    "--workers", "2"],
        "sensitivity": ["sensitivity", "long.yaml", *out, "--workers", "2"],
        "calibrate": ["calibrate", "spec.yaml", *out],
        "scorecard": ["scorecard", "case.yaml", *out, "--scenarios", str(tmp_path),
                      "--workers", "2"],
    }[command]


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "sensitivity", "calibrate",
                                     "scorecard"])
def test_ctrl_c_ends_every_command_with_one_line_and_130(tmp_path, command):
    process = start([*command_line(command, tmp_path), "--quiet"], tmp_path)
    if command == "run":
        wait_for(lambda: list(tmp_path.glob(".out.*")))  # staging folder or lock: started
        time.sleep(2)
    elif command == "calibrate":  # once a trial has finished: the workers run the next ones
        wait_for(lambda: complete_trials(tmp_path / "out") >= 1, 300)
    else:  # once a run has finished, so the workers are up and running the next ones
        wait_for(lambda: finished_runs(tmp_path / "out") >= 1, 300)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal's Ctrl-C does
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    assert stderr.strip() == "simfraud: interrupted"
    assert not list(tmp_path.glob(".out.*"))  # staging and lock removed
