"""Calibration: a tiny fit runs, writes its files and reports located input errors."""

import pandas as pd

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
    assert len(pd.read_csv(out / "trials.csv")) == 3
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
