"""The command-line contract of ``simfraud run``, ``validate`` and ``info``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simfraud.cli import main
from simfraud.core.metrics import TIMESERIES

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--users", "1500", "--days", "25"]
REQUIRED = ["replicate", "day", "attempts", "successes", "gross_loss", "refunded", "user_loss",
            "false_rejects", "facepay_users", "faces_compromised", "credentials_compromised",
            "active_attackers"]
MONEY = ["gross_loss", "refunded", "user_loss", "refunded_sending", "refunded_receiving"]


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: tiny\nregulator:\n  stance: proactive\n  instruments:\n"
                    "    mandatory_reimbursement: {enabled: true}\n"
                    "platforms:\n  - name: bank\n    reimbursement: {policy: capped, cap: 5000}\n")
    return path


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "simfraud.cli", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)


def test_run_writes_the_contracted_files(scenario, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--replicates", "3",
                 "--seed", "11", "--set", "attackers.initial=60"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "manifest.json", "scenario.yaml", "summary.json", "timeseries.parquet", "vectors.parquet"]
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(REQUIRED) <= set(ts.columns)
    assert len(ts) == 3 * 25 and sorted(ts["replicate"].unique()) == [0, 1, 2]
    for column in MONEY:
        assert ts[column].dtype == "int64"
    assert [m.name for m in TIMESERIES] == list(ts.columns[3:])
    vec = pd.read_parquet(out / "vectors.parquet")
    assert {"replicate", "day", "platform", "vector", "attempts", "successes", "loss"} <= set(
        vec.columns)
    by_day = vec.groupby(["replicate", "day"], observed=True)["loss"].sum().to_numpy()
    assert (by_day == ts.sort_values(["replicate", "day"])["gross_loss"].to_numpy()).all()
    assert ts["gross_loss"].sum() > 0 and ts["refunded"].sum() > 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replicates"] == 3
    assert set(summary["totals"]["gross_loss"]) >= {"mean", "std", "p10", "p90"}
    manifest = json.loads((out / "manifest.json").read_text())
    for key in ("simfraud_version", "seed", "scenario_sha256", "engine", "command_line",
                "timings"):
        assert key in manifest
    assert manifest["seed"] == 11 and manifest["engine"] == "columnar"
    resolved = (out / "scenario.yaml").read_text()
    assert "initial: 60" in resolved and "users: 1500" in resolved
    assert "Fraud losses" in capsys.readouterr().out


def test_quiet_prints_nothing(scenario, tmp_path, capsys):
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), *TINY, "--quiet"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_same_seed_same_bits_across_threads_layers_and_runs(scenario, tmp_path):
    outputs = []
    for threads, layer in (("1", "workqueue"), ("2", "workqueue"), ("2", "workqueue"),
                           ("2", "omp")):
        out = tmp_path / f"t{threads}-{layer}-{len(outputs)}"
        env = {**os.environ, "NUMBA_NUM_THREADS": threads, "NUMBA_THREADING_LAYER": layer}
        result = cli("run", scenario, "--out", out, "--users", "40000", "--days", "20",
                     "--quiet", env=env)
        assert result.returncode == 0, result.stderr
        outputs.append(out)
    for name in ("timeseries.parquet", "vectors.parquet"):
        blobs = {(o / name).read_bytes() for o in outputs}
        assert len(blobs) == 1, name


@pytest.mark.parametrize("args, fragment", [
    (["run", "missing.yaml", "--out", "o"], "missing.yaml:1:1: (file): file not found"),
    (["run", "{scenario}", "--out", "o", "--users", "0"], "must be 1 to 100,000,000"),
    (["run", "{scenario}", "--out", "o", "--users", "many"], "expected a whole number"),
    (["run", "{scenario}", "--out", "o", "--engine", "gpu"], "invalid choice"),
    (["run", "{scenario}", "--out", "o", "--set", "platforms.4.fee_bps=3"],
     "index 4 is out of range"),
    (["run", "{scenario}", "--out", "o", "--set", "regulator.stanse=reactive"],
     "did you mean 'stance'"),
    (["run", "{scenario}", "--out", "o", "--set", "noequals"], "expected PATH=VALUE"),
    (["run", "{scenario}", "--out", "{scenario}"], "exists and is not a folder"),
    (["run", "{scenario}"], "the following arguments are required: --out"),
    (["validate", "{scenario}", "missing.yaml"], "file not found"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_exits_2_with_a_message_and_no_traceback(args, fragment, scenario, tmp_path):
    args = [a.replace("{scenario}", str(scenario)) for a in args]
    args = [str(tmp_path / a) if a == "o" else a for a in args]
    result = cli(*args)
    assert result.returncode == 2
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_validate_and_info(scenario):
    ok = cli("validate", scenario)
    assert ok.returncode == 0 and "ok" in ok.stdout
    info = cli("info")
    assert info.returncode == 0
    data = json.loads(info.stdout)
    assert data["numba_threads"] >= 1 and "numba_cache" in data and "mesa" in data["versions"]


def test_failed_run_leaves_nothing_that_looks_complete(scenario, tmp_path, monkeypatch):
    import simfraud.model.replicates

    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--quiet"]) == 0
    assert (out / "manifest.json").exists()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(simfraud.model.replicates, "run_replicates", interrupted)
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--quiet"]) == 130
    # The earlier complete result is untouched and no staging folder is left behind.
    assert (out / "manifest.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["s.yaml", "out"] or sorted(
        p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]

    from simfraud.results import writer as writer_module

    def broken_publish(self, manifest):
        (self.out / "manifest.json").unlink(missing_ok=True)
        raise OSError(28, "No space left on device")

    monkeypatch.undo()
    monkeypatch.setattr(writer_module.ResultWriter, "publish", broken_publish)
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--quiet"]) == 2
    assert not (out / "manifest.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]


def test_a_run_without_a_transaction_log_removes_an_old_one(scenario, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--quiet",
                 "--transactions", "0.5"]) == 0
    assert (out / "transactions.parquet").exists()
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--quiet"]) == 0
    assert not (out / "transactions.parquet").exists()


def test_the_command_runs_kernels_on_openmp_and_python_keeps_workqueue(scenario, tmp_path):
    from ctypes.util import find_library

    out = tmp_path / "cmd"
    result = cli("run", scenario, "--out", out, *TINY, "--quiet")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    expected = "omp" if find_library("gomp") else "workqueue"
    assert manifest["numba_threading_layer"] == expected
    inside = tmp_path / "inside"
    assert main(["run", str(scenario), "--out", str(inside), *TINY, "--quiet"]) == 0
    manifest = json.loads((inside / "manifest.json").read_text())
    assert manifest["numba_threading_layer"] == "workqueue"


@pytest.mark.parametrize("command, prefers", [("run", True), ("sweep", True),
                                              ("dashboard", False)])
def test_entry_prefers_openmp_except_for_the_dashboard(monkeypatch, command, prefers):
    import simfraud.cli as cli_module

    calls = []
    monkeypatch.setattr(cli_module.signal, "signal", lambda *args: None)
    monkeypatch.setattr(cli_module, "prefer_openmp", lambda: calls.append("omp"))
    monkeypatch.setattr(cli_module, "main", lambda: 0)
    monkeypatch.setattr(sys, "argv", ["simfraud", command, "x"])
    with pytest.raises(SystemExit) as exit_info:
        cli_module.entry()
    assert exit_info.value.code == 0
    assert calls == (["omp"] if prefers else [])


def test_a_run_of_several_replicates_reports_the_tail_of_its_annual_loss(scenario, tmp_path,
                                                                         capsys):
    out = tmp_path / "tail"
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--replicates", "4",
                 "--set", "attackers.initial=60"]) == 0
    printed = capsys.readouterr().out
    summary = json.loads((out / "summary.json").read_text())
    tail = summary["tail"]
    annual = (pd.read_parquet(out / "timeseries.parquet").groupby("replicate")["gross_loss"]
              .sum() * 365 / 25)
    assert annual.max() > annual.min()  # the replicates differ, so the tail is not vacuous
    assert tail["replicates"] == 4 and tail["mean"] == pytest.approx(annual.mean())
    assert tail["var_95"] <= tail["es_95"] == pytest.approx(annual.max())  # 4 < 40 needed
    assert tail["var_95_low"] <= tail["var_95"] <= tail["var_95_high"]
    assert "95% needs 40" in tail["warning"]
    assert "Tail of the annual gross loss over 4 replicates" in printed
    assert tail["warning"] in printed
    one = tmp_path / "one"
    assert main(["run", str(scenario), "--out", str(one), *TINY, "--quiet"]) == 0
    assert json.loads((one / "summary.json").read_text())["tail"] is None
