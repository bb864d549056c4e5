"""The benchmark suite runs end to end in its tiny configuration (no timing asserts)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_suite_runs(tmp_path):
    out = tmp_path / "bench.json"
    result = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--repeats", "1",
                             "--json", str(out)], capture_output=True, text=True, cwd=ROOT,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    report = json.loads(out.read_text())
    for key in ("columnar", "floor", "agents", "ratio", "bytes_per_user", "cold_start",
                "warm_start", "whole_runs", "cli_start", "experiments", "replicates"):
        assert key in report
    # A marginal figure is a difference of two timings, clipped at 0: on a loaded machine
    # a quick-size one can be 0, so only its presence and range are checked.
    for engine in ("columnar", "floor"):  # the floor's figure is a marginal one too
        assert {"20000", "50000"} <= set(report[engine])
        assert all(0 <= value < 1e6 for value in report[engine].values())
    assert sorted(report["whole_runs"]["runs"]) == ["2000", "5000"]
    assert report["whole_runs"]["marginal"] == report["columnar"]["50000"]
    assert len(report["cli_start"]) == 5
    assert all(s["wall"] > 0 and s["cpu"] > 0 for s in report["cli_start"].values())
    experiment = report["experiments"]
    assert experiment["runs"] == 4 and experiment["wall"] > 0
    assert 0 < experiment["efficiency"] <= experiment["busy"]
    ways = report["replicates"]["ways"]
    assert (ways["run"]["replicates"], ways["workers"]["replicates"]) == (4, 4)
    assert all(way["per_minute"] == way["replicates"] / way["wall"] * 60 for way in ways.values())
    for table in ("| engine | users |", "| whole run (fresh process) |", "| `simfraud --help` |",
                  "| compare (fresh process) |", "| replicates of 1,000 users x 10 days"):
        assert table in result.stdout
    assert report["repeats"] == 1
    again = subprocess.run([sys.executable, "-m", "benchmarks", "--from-json", str(out)],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() in result.stdout  # the same table from the saved figures


def test_whole_run_ns_of_a_small_run():
    from benchmarks.whole_runs import whole_run_ns

    run = whole_run_ns(500, 2, 2)
    assert (run["users"], run["days"]) == (500, 2)
    assert run["setup_and_simulate"] > run["simulate"] > 0 and run["setup_seconds"] > 0
    assert run["warm"] > 0  # a second replicate, set-up and days, in the same process


def test_compare_efficiency_counts_every_run():
    from benchmarks.experiments import compare_efficiency

    run = compare_efficiency(300, 3, 2, 1)
    assert run["runs"] == 4 and run["workers"] == 1
    assert run["simulate"] > 0 and run["setup"] > 0
    assert run["efficiency"] == pytest.approx(run["simulate"] / run["wall"])
    steps = list(run["milestones"].values())  # in the order a compare reaches them
    assert steps == sorted(steps) and steps[-1] == run["wall"]


def test_compare_efficiency_on_a_running_cluster_uses_its_workers():
    from distributed import LocalCluster

    from benchmarks.experiments import compare_efficiency

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        before = cluster.scheduler.transition_counter
        run = compare_efficiency(300, 3, 1, 2, cluster.scheduler_address)
        ran_there = cluster.scheduler.transition_counter - before
    assert run["runs"] == 2 and run["simulate"] > 0
    assert ran_there >= 2 * 3  # each run went through the cluster's states
    assert run["efficiency"] == pytest.approx(
        run["simulate"] / 2 / run["wall"])


def test_cli_start_times_a_command_and_names_one_that_fails():
    from benchmarks.cli_start import COMMANDS, command_seconds

    seconds = command_seconds(COMMANDS["simfraud --help"], 1)
    assert seconds["wall"] > 0 and seconds["cpu"] > 0
    with pytest.raises(RuntimeError, match="exited 2"):
        command_seconds(["validate", "missing.yaml"], 1)


def test_only_runs_known_sections_and_never_writes_part_of_the_docs():
    for options, message in ((["--only", "engines,bogus"], "unknown section(s) bogus"),
                             (["--only", "cli", "--write"], "run the whole suite")):
        result = subprocess.run([sys.executable, "-m", "benchmarks", *options],
                                capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert result.returncode == 2 and message in result.stderr


def test_profile_prints_time_per_phase(tmp_path):
    result = subprocess.run([sys.executable, "-m", "simfraud.cli", "run",
                             str(ROOT / "scenarios" / "baseline.yaml"), "--out",
                             str(tmp_path / "o"), "--users", "2000", "--days", "5", "--quiet",
                             "--profile"], capture_output=True, text=True, cwd=ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    for phase in ("1 timeline", "4 attackers", "5 users", "6 ledger", "7 metrics"):
        assert phase in result.stdout


def test_replicates_needed_is_the_smallest_n_whose_interval_excludes_zero():
    import numpy as np
    from scipy import stats

    from benchmarks.effects import replicates_needed

    values = np.array([1.0, 2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0])
    n = replicates_needed(values)
    mean, spread = values.mean(), values.std(ddof=1)
    assert stats.t.ppf(0.975, n - 1) * spread / np.sqrt(n) < mean
    assert stats.t.ppf(0.975, n - 2) * spread / np.sqrt(n - 1) >= mean
    assert replicates_needed(np.array([0.1, -0.1, 0.2, -0.2]), most=500) == 500


def test_checkouts_benchmark_compares_a_checkout_with_itself():
    # 2 rounds of 200 days each per model: past the baseline's 365-day horizon.
    result = subprocess.run([sys.executable, "-m", "benchmarks.checkouts", str(ROOT),
                             "--users", "100", "--days", "200", "--rounds", "2",
                             "--scenario", "scenarios/eu-psd3-impersonation.yaml"],
                            capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "eu-psd3-impersonation.yaml" in result.stdout
    ns, fixed = (float(part.split()[0]) for part in result.stdout.split("this / other")[1:])
    assert ns > 0 and fixed > 0 and "us of fixed work per day" in result.stdout
    bad = subprocess.run([sys.executable, "-m", "benchmarks.checkouts", "/nonexistent"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert bad.returncode == 2 and "not a simfraud checkout" in bad.stderr
    too_long = subprocess.run([sys.executable, "-m", "benchmarks.checkouts", str(ROOT),
                               "--days", "1000", "--rounds", "4"],
                              capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert too_long.returncode == 2 and "at most 3648" in too_long.stderr


def test_noise_sums_scam_losses_per_replicate_and_year():
    import pandas as pd

    from benchmarks.noise import yearly

    vectors = pd.DataFrame({"replicate": [0, 0, 0, 1, 1], "day": [0, 364, 365, 10, 400],
                            "vector": ["social_engineering"] * 4 + ["mask_3d"],
                            "loss": [1, 2, 4, 8, 16]})
    table = yearly(vectors, "loss")
    assert table.loc[0].tolist() == [3, 4]
    assert table.loc[1, 0] == 8 and pd.isna(table.loc[1, 1])  # other vectors left out


def test_noise_applies_overrides_and_prints_each_series_spread(capsys):
    from benchmarks.noise import main

    main(["--users", "500", "--replicates", "2", "--set", "days=400",
          "--set", "attackers.crew_size=0.5"])
    out = capsys.readouterr().out
    assert "2 replicates, days=400, attackers.crew_size=0.5" in out
    assert "year 2 over 1: loss mean" in out and "; expected loss mean" in out
    assert "year 3" not in out  # 400 days: two years, one change
    for name in ("loss", "expected loss", "cases"):
        line = next(row for row in out.splitlines() if row.startswith(f"whole-run {name}:"))
        assert len(line.split("per replicate ")[1].split()) == 2


def test_batched_benchmark_times_both_ways_and_checks_their_tables(capsys):
    from benchmarks.batched import compare_ways, main

    result = compare_ways(users=300, days=5, replicates=3, rounds=2)
    assert result["identical"] is True
    assert result["one_by_one"] > 0 and result["batched"] > 0
    assert result["ratio"] > 0
    main(["--users", "300", "--days", "4", "--replicates", "2", "--rounds", "1"])
    assert "same daily tables bit for bit: yes" in capsys.readouterr().out
