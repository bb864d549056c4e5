"""Progress off a terminal: plain lines with runs done, elapsed and time left."""

import io
import os
import subprocess
import sys
from pathlib import Path

from simfraud.cli import main
from simfraud.core.progress import LineProgress, progress

ROOT = Path(__file__).resolve().parents[1]


def test_off_a_terminal_progress_is_one_line_per_update(monkeypatch):
    monkeypatch.setenv("SIMFRAUD_PROGRESS_SECONDS", "0")
    out = io.StringIO()
    with progress(3, desc="compare", unit="run", stream=out) as bar:
        assert isinstance(bar, LineProgress)
        for _ in range(3):
            bar.update()
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert lines[0].startswith("compare: 0/3 runs done, elapsed 00:00")
    assert lines[-1].startswith("compare: 3/3 runs done") and "left" in lines[-1]
    assert len(lines) == 4  # the start, three runs; closing repeats nothing


def test_lines_are_spaced_by_the_interval(monkeypatch):
    monkeypatch.setenv("SIMFRAUD_PROGRESS_SECONDS", "3600")
    out = io.StringIO()
    with progress(100, desc="run", unit="day", stream=out) as bar:
        for _ in range(100):
            bar.update()
    assert [line.split(",")[0] for line in out.getvalue().splitlines()] == [
        "run: 0/100 days done", "run: 100/100 days done"]  # start and end only


def test_quiet_shows_nothing():
    out = io.StringIO()
    with progress(5, desc="x", unit="run", quiet=True, stream=out) as bar:
        bar.update(5)
    assert out.getvalue() == ""


def test_a_run_and_its_rerun_into_a_pipe_report_progress(tmp_path):
    env = {**os.environ, "SIMFRAUD_PROGRESS_SECONDS": "0"}
    done = subprocess.run(
        [sys.executable, "-m", "simfraud.cli", "run", str(ROOT / "scenarios" / "baseline.yaml"),
         "--out", str(tmp_path / "r"), "--users", "800", "--days", "6"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if "days done" in line]
    assert lines[-1].startswith("baseline: 6/6 days done, elapsed ")
    assert len(lines) >= 3 and "\r" not in done.stderr
    again = subprocess.run(
        [sys.executable, "-m", "simfraud.cli", "rerun", str(tmp_path / "r"), "--out",
         str(tmp_path / "again")], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=600)
    assert again.returncode == 0, again.stderr
    assert "baseline: 6/6 days done, elapsed " in again.stderr and "\r" not in again.stderr


def test_an_experiment_into_a_pipe_reports_runs(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SIMFRAUD_PROGRESS_SECONDS", "0")
    assert main(["sweep", str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                 str(tmp_path / "s"), "--grid", "attackers.initial=5,10", "--users", "800",
                 "--days", "5", "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "sweep: 0/2 runs done" in err and "sweep: 2/2 runs done" in err
    assert "failed=0" in err
