"""Calibration: a tiny fit runs, writes its files and reports located input errors."""

import os
import re

import pandas as pd
import pytest

from simfraud.cli import main
from simfraud.scenario.yaml12 import dump_yaml, parse_yaml


def test_a_small_calibration_writes_the_fit_and_a_valid_scenario(tmp_path):
    (tmp_path / "s.yaml").write_text("name: tiny\ndays: 60\nstart_date: 2021-11-01\n")
    (tmp_path / "t.csv").write_text("metric,period,value,weight\n"
                                    "gross_loss,2021,2000000,1\n"
                                    "successes,2021-12,40,0.5\n"
                                    "social_engineering.attempts,2021,900,1\n")
    (tmp_path / "spec.yaml").write_text(dump_yaml({
        "scenario": "s.yaml", "targets": "t.csv", "real_population": 10000, "users": 2000,
        "trials": 3, "seed": 3,
        "parameters": {"attackers.attempts_per_day": {"low": 5, "high": 50},
                       "attackers.initial": {"low": 10, "high": 40}},
        "integer": ["attackers.initial"]}))
    out = tmp_path / "cal"
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(out)]) == 0
    fit = pd.read_csv(out / "fit.csv")
    assert list(fit["period"].astype(str)) == ["2021", "2021-12", "2021"]
    assert (fit["simulated"] > 0).all()
    assert list(fit["unit"]) == ["GBP minor units", "frauds", "attempts"]
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 3
    assert list(trials.columns) == ["number", "loss [1]", "holdout_loss [1]",
                                    "params_attackers.attempts_per_day [attempts/crew/day]",
                                    "params_attackers.initial [crews]"]
    calibrated = out / "calibrated.yaml"
    assert main(["validate", str(calibrated)]) == 0
    initial = parse_yaml(calibrated.read_text(), "calibrated").data["attackers"]["initial"]
    assert isinstance(initial, int) and 10 <= initial <= 40


def test_bad_targets_are_reported_with_their_line(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text("days: 10\n")
    (tmp_path / "t.csv").write_text("metric,period,value,weight\ngross_loss,2024,lots,1\n")
    (tmp_path / "spec.yaml").write_text(
        "scenario: s.yaml\ntargets: t.csv\nreal_population: 100\n"
        "parameters: {attackers.initial: {low: 1, high: 5}}\n")
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "t.csv:2: value and weight must be numbers" in capsys.readouterr().err


def test_targets_are_checked_before_anything_runs(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text("days: 10\n")
    (tmp_path / "spec.yaml").write_text(
        "scenario: s.yaml\ntargets: t.csv\nreal_population: 100\n"
        "parameters: {attackers.initial: {low: 1, high: 5}}\n")
    for row, message in (("gross_loss,2021-1,5,1", "period '2021-1'"),
                         ("gross_loss,2021,0,1", "value 0"),
                         ("voice_clone.loss,2021,5,1", "unknown vector 'voice_clone'")):
        (tmp_path / "t.csv").write_text(f"metric,period,value,weight\n{row}\n")
        assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out",
                     str(tmp_path / "o")]) == 2
        assert f"t.csv:2: {message}" in capsys.readouterr().err


@pytest.mark.parametrize(("targets", "message"), [
    ("/dev/zero", "/dev/zero:1: not a regular file (allowed: a CSV file"),
    ("fifo.csv", "fifo.csv:1: not a regular file"),
    ("big.csv", "big.csv:1: file is 1000001 bytes (allowed: up to 1000000)"),
    ("missing.csv", "missing.csv:1: cannot read: No such file or directory"),
])
def test_a_targets_file_must_be_a_small_regular_file(tmp_path, capsys, targets, message):
    """A FIFO blocked for ever and /dev/zero grew past 1.6 GB in 30 s before."""
    os.mkfifo(tmp_path / "fifo.csv")
    (tmp_path / "big.csv").write_text("x" * 1_000_001)
    (tmp_path / "s.yaml").write_text("days: 10\n")
    (tmp_path / "spec.yaml").write_text(
        f"scenario: s.yaml\ntargets: {targets}\nreal_population: 100\n"
        "parameters: {attackers.initial: {low: 1, high: 5}}\n")
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


LOCATED = re.compile(r"^spec\.yaml:(\d+):\d+: [\w.]+: .+allowed: .+\)$")
SPEC_HEAD = "scenario: s.yaml\ntargets: t.csv\nreal_population: 1000\nusers: 200\n"


@pytest.mark.parametrize(("body", "line", "fragment"), [
    ("parameters:\n  attackers.initial: {low: abc, high: 5}\n", 6,
     "parameters.attackers.initial.low: Input should be a valid number (got 'abc'"),
    ("parameters:\n  attackers.initial: {low: 1, high: 5}\ntrials: -1\n", 7,
     "trials: Input should be greater than or equal to 1 (got -1; allowed: 1 to 10_000)"),
    ("parameters:\n  attackers.intial: {low: 1, high: 5}\n", 6,
     "parameters.attackers.intial: unknown key 'intial'; did you mean 'initial'?"),
    ("parameters:\n  platforms.3.liveness.bpcer: {low: 0, high: 0.1}\n", 6,
     "platforms has 1 item(s): index 3 is out of range (allowed: 0 to 0)"),
    ("parameters:\n  days: {low: 10, high: 99999}\n", 6,
     "parameters.days: value 99999: Input should be less than or equal to 3650"),
    ("parameters:\n  platforms.0.liveness.level: {low: 1, high: 2}\n", 6,
     "the scenario's value is 'passive_2d', not a number"),
    ("parameters:\n  attackers.initial: {low: 1.2, high: 1.8}\n", 6,
     "no whole number from 1.2 to 1.8"),
    ("parameters:\n  attackers.initial: {low: 1, high: 5}\ninteger: [attackers.max]\n", 7,
     "integer.0: 'attackers.max' is not a free parameter (allowed: attackers.initial)"),
    ("parameters:\n  attackers.initial: {low: 1, high: 5}\nlog: [attackers.max]\n", 7,
     "log.0: 'attackers.max' is not a free parameter (allowed: attackers.initial)"),
    ("parameters:\n  attackers.attempts_per_day: {low: 0, high: 5}\n"
     "log: [attackers.attempts_per_day]\n", 6, "low 0 on a log scale (allowed: bounds above 0"),
    ("parameters:\n  attackers.initial: {low: 1, high: 5}\nstart:\n  - {attackers.initial: 9}\n",
     8, "start.0.attackers.initial: 9 (allowed: a whole number from 1 to 5)"),
    ("parameters:\n  attackers.initial: {low: 1, high: 5}\nstart:\n  - {attackers.max: 9}\n",
     8, "start.0.attackers.max: not a free parameter (allowed: attackers.initial)"),
])
def test_a_bad_spec_value_is_one_located_line_before_anything_runs(body, line, fragment,
                                                                   tmp_path, capsys,
                                                                   monkeypatch):
    (tmp_path / "s.yaml").write_text("days: 30\n")
    (tmp_path / "t.csv").write_text("metric,period,value,weight\ngross_loss,2024,100,1\n")
    (tmp_path / "spec.yaml").write_text(SPEC_HEAD + body)
    monkeypatch.chdir(tmp_path)
    assert main(["calibrate", "spec.yaml", "--out", "o"]) == 2
    err = capsys.readouterr().err
    [message] = err.strip().split("\n")
    match = LOCATED.match(message)
    assert match and int(match.group(1)) == line and fragment in message, err
    assert not (tmp_path / "o").exists()


def test_the_ends_of_several_bad_ranges_are_reported_together(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text("days: 30\n")
    (tmp_path / "t.csv").write_text("metric,period,value,weight\ngross_loss,2024,100,1\n")
    (tmp_path / "spec.yaml").write_text(
        SPEC_HEAD + "parameters:\n  attackers.nope: {low: 1, high: 5}\n"
        "  days: {low: -5, high: 99999}\n")
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "o")]) == 2
    lines = capsys.readouterr().err.strip().split("\n")
    assert [line.split(": ")[1] for line in lines] == [
        "parameters.attackers.nope", "parameters.days", "parameters.days"]
    assert "value -5" in lines[1] and "value 99999" in lines[2]


def test_an_unknown_target_metric_is_refused_before_anything_runs(tmp_path, capsys):
    (tmp_path / "s.yaml").write_text("days: 30\n")
    (tmp_path / "t.csv").write_text("metric,period,value,weight\ngross_losses,2024,100,1\n"
                                    "social_engineering.lost,2024,5,1\n")
    (tmp_path / "spec.yaml").write_text(
        SPEC_HEAD + "parameters:\n  attackers.initial: {low: 1, high: 5}\n")
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "t.csv:2: unknown metric 'gross_losses'; did you mean 'gross_loss'?" in err
    assert "Traceback" not in err and not (tmp_path / "o").exists()


def test_a_recheck_races_the_best_trials_on_replicates_of_their_own(tmp_path):
    """The calibrated parameters are the rechecked trial with the lowest recheck loss."""
    (tmp_path / "s.yaml").write_text("name: tiny\ndays: 40\nstart_date: 2021-11-01\n")
    (tmp_path / "t.csv").write_text("metric,period,value,weight\n"
                                    "social_engineering.attempts,2021,900,1\n")
    spec = {"scenario": "s.yaml", "targets": "t.csv", "real_population": 10000,
            "users": 1000, "trials": 4, "seed": 5, "fresh_replicates": 1,
            "parameters": {"attackers.attempts_per_day": {"low": 5, "high": 50}}}
    (tmp_path / "spec.yaml").write_text(dump_yaml(spec))
    out = tmp_path / "cal"
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(out)]) == 0
    assert not (out / "recheck.csv").exists()
    (tmp_path / "spec.yaml").write_text(dump_yaml({**spec, "recheck": 2,
                                                   "recheck_replicates": 2}))
    assert main(["calibrate", str(tmp_path / "spec.yaml"), "--out", str(out),
                 "--resume"]) == 0  # a recheck may be added to a finished study
    raced = pd.read_csv(out / "recheck.csv")
    trials = pd.read_csv(out / "trials.csv").sort_values(["loss [1]", "number"])
    assert list(raced["number"]) == list(trials["number"][:2])
    assert raced["chosen"].sum() == 1
    chosen = raced[raced["chosen"]].iloc[0]
    assert chosen["recheck_loss"] == raced["recheck_loss"].min()
    attempts = trials.set_index("number").loc[
        chosen["number"], "params_attackers.attempts_per_day [attempts/crew/day]"]
    calibrated = parse_yaml((out / "calibrated.yaml").read_text(), "calibrated").data
    assert calibrated["attackers"]["attempts_per_day"] == pytest.approx(attempts)
    assert f"trial {chosen['number']}" in (out / "calibrated.yaml").read_text()


def test_recheck_seeds_follow_every_seed_the_fresh_replicates_may_use():
    from simfraud.experiments.calibration_race import MAX_FRESH, recheck_replicates

    seeds = recheck_replicates(6, 10)
    assert seeds.start == 6 + MAX_FRESH and len(seeds) == 10
    assert not set(seeds) & set(range(6 + MAX_FRESH))
