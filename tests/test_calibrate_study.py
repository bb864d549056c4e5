"""Calibration on disk: resume after an interruption or a kill, a Dask cluster, dated
parameters, the holdout split and the spread of the good fits."""

import os
import signal
import subprocess
import sys
import time

import optuna
import pandas as pd
import pytest

from simfraud.cli import main
from simfraud.experiments import calibration_study
from simfraud.experiments.calibration_report import good_fits
from simfraud.scenario.yaml12 import dump_yaml, parse_yaml
from tests.support import finished_trial_count, study_trials

SCENARIO = """\
name: tiny
days: 40
start_date: 2021-12-02
timeline:
  - {type: rule_change, day: 30, set: {platforms.0.reimbursement.cap: 5000}}
platforms:
  - name: bank
    reimbursement: {policy: capped, cap: 20000, vectors: [social_engineering]}
"""
TARGETS = ("metric,period,value,weight\n"
           "social_engineering.attempts,2021,900,1\n"
           "social_engineering.refunded_share,2021,0.5,1\n"
           "social_engineering.attempts,2022,700,1\n"
           "social_engineering.refunded_share,2022,0.2,1\n")


def write_spec(folder, **fields):
    (folder / "s.yaml").write_text(SCENARIO)
    (folder / "t.csv").write_text(TARGETS)
    spec = {"scenario": "s.yaml", "targets": "t.csv", "real_population": 10000,
            "users": 200, "replicates": 1, "trials": 4, "parallel": 2, "seed": 3,
            "holdout": [2022],
            "parameters": {"attackers.attempts_per_day": {"low": 5, "high": 50},
                           "platforms.0.reimbursement.cap": {"low": 1000, "high": 90000},
                           "timeline.0.set.platforms.0.reimbursement.cap":
                               {"low": 1000, "high": 90000}}}
    spec.update(fields)
    (folder / "spec.yaml").write_text(dump_yaml(spec))
    return folder / "spec.yaml"


def calibrate(spec, out, *options):
    return main(["calibrate", str(spec), "--out", str(out), "--quiet", *options])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted calibration in this process: its trials and fit."""
    folder = tmp_path_factory.mktemp("reference")
    assert calibrate(write_spec(folder), folder / "out", "--workers", "1") == 0
    return folder / "out"


def params(trials: pd.DataFrame) -> pd.DataFrame:
    return trials.drop(columns="number").reset_index(drop=True)


def test_dated_values_are_fitted_and_the_holdout_is_scored_apart(reference):
    fit = pd.read_csv(reference / "fit.csv")
    assert list(fit["set"]) == ["fit", "fit", "holdout", "holdout"]
    trials = pd.read_csv(reference / "trials.csv")
    best = trials.loc[trials["loss [1]"].idxmin()]
    fitted = fit[fit["set"] == "fit"]
    assert best["loss [1]"] == pytest.approx((fitted["weight"] * fitted["relative_error"] ** 2)
                                         .sum())
    held = fit[fit["set"] == "holdout"]
    assert best["holdout_loss [1]"] == pytest.approx((held["weight"] * held["relative_error"] ** 2)
                                                 .sum())
    spread = fit["fresh_min"] <= fit["fresh_max"]
    assert fit["fresh"].notna().all() and (spread | fit["fresh_min"].isna()).all()
    assert spread[fit["metric"] == "social_engineering.attempts"].all()
    data = parse_yaml((reference / "calibrated.yaml").read_text(), "c").data
    dated = data["timeline"][0]["set"]["platforms.0.reimbursement.cap"]
    [cap] = [c for c in trials.columns
             if c.startswith("params_timeline.0.set.platforms.0.reimbursement.cap [")]
    assert cap.endswith("minor units]")  # the unit of the path the rule change sets
    assert dated == best[cap] != 5000
    assert main(["validate", str(reference / "calibrated.yaml")]) == 0
    good = pd.read_csv(reference / "good_fits.csv")
    assert list(good["parameter"]) == [c.removeprefix("params_").split(" [")[0]
                                          for c in trials.columns[3:]]


def test_an_interrupted_calibration_resumes_to_the_same_trials(reference, tmp_path,
                                                               monkeypatch):
    spec = write_spec(tmp_path)
    real, calls = calibration_study.replicate_parts, []

    def interrupted_in_the_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(calibration_study, "replicate_parts", interrupted_in_the_second_batch)
    assert calibrate(spec, tmp_path / "out", "--workers", "1") == 130
    assert len(study_trials(tmp_path / "out", optuna.trial.TrialState.COMPLETE)) == 2
    assert calibrate(spec, tmp_path / "out", "--workers", "1") == 2  # needs --resume
    monkeypatch.setattr(calibration_study, "replicate_parts", real)
    assert calibrate(spec, tmp_path / "out", "--workers", "1", "--resume") == 0
    resumed = pd.read_csv(tmp_path / "out" / "trials.csv")
    assert resumed["number"].is_unique and len(resumed) == 4
    pd.testing.assert_frame_equal(params(resumed), params(pd.read_csv(reference /
                                                                      "trials.csv")))
    assert len(study_trials(tmp_path / "out", optuna.trial.TrialState.FAIL)) == 2


def test_a_killed_calibration_resumes_without_redoing_finished_trials(tmp_path,
                                                                      monkeypatch):
    spec = write_spec(tmp_path, trials=40, parallel=1)  # too many to finish before the kill
    out = tmp_path / "out"
    child = subprocess.Popen([sys.executable, "-m", "simfraud.cli", "calibrate", str(spec),
                              "--out", str(out), "--workers", "1", "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while (finished_trial_count(out) < 2 and child.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.05)
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
    kept = study_trials(out, optuna.trial.TrialState.COMPLETE)
    assert 2 <= len(kept) < 40, "the calibration was not killed part-way"
    real, calls = calibration_study.replicate_parts, []
    monkeypatch.setattr(calibration_study, "replicate_parts",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    assert calibrate(spec, out, "--workers", "1", "--resume") == 0
    assert len(calls) == 40 - len(kept) + 1  # the missing trials and 1 fresh replicate
    trials = pd.read_csv(out / "trials.csv")
    assert len(trials) == 40 and trials["number"].is_unique
    before = pd.DataFrame([{"number": t.number, "loss [1]": t.value} for t in kept])
    pd.testing.assert_frame_equal(trials[["number", "loss [1]"]].head(len(kept)), before)


def test_a_calibration_runs_on_a_dask_cluster_as_in_one_process(reference, tmp_path):
    from distributed import LocalCluster

    spec = write_spec(tmp_path)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, host="127.0.0.1") as cluster:
        assert calibrate(spec, tmp_path / "out", "--scheduler",
                         cluster.scheduler_address) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "out" / "trials.csv"),
                                  pd.read_csv(reference / "trials.csv"))
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "out" / "fit.csv"),
                                  pd.read_csv(reference / "fit.csv"))


def test_good_fits_are_the_ranges_over_the_best_share_of_trials():
    trials = pd.DataFrame({"number": range(20), "loss": [float(k) for k in range(20)],
                           "holdout_loss": 0.0, "params_a": [20.0 - k for k in range(20)]})
    [row] = good_fits(trials, ["a"], 0.15).to_dict("records")
    assert row == {"parameter": "a", "best": 20.0, "low": 18.0, "high": 20.0,
                   "good_trials": 3, "loss_cutoff": 2.0}


@pytest.mark.parametrize(("change", "fragment"), [
    ({"parameters": {"timeline.3.set.platforms.0.reimbursement.cap": {"low": 1, "high": 5}}},
     "timeline.3 is no event, not a rule_change (allowed: timeline.K.set.PATH for a rule "
     "change K that sets PATH: timeline.0)"),
    ({"parameters": {"timeline.0.set.attackers.initial": {"low": 1, "high": 5}}},
     "rule change timeline.0 (day 30) sets no 'attackers.initial' (allowed: a path it sets: "
     "platforms.0.reimbursement.cap)"),
    ({"parameters": {"timeline.0.set.platforms.0.reimbursement.cap": {"low": -9, "high": 5}}},
     "value -9: timeline.0.set.platforms.0.reimbursement.cap: Input should be greater than"),
    ({"holdout": [2023]}, "holdout.0: no target in 2023 (allowed: periods of the targets: "
     "2021, 2022)"),
    ({"holdout": [2021, 2022]}, "holdout: every target is held out"),
])
def test_bad_dated_parameters_and_holdouts_are_located(change, fragment, tmp_path, capsys):
    spec = write_spec(tmp_path, **change)
    assert calibrate(spec, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{spec}:") and fragment in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "out").exists()


def test_a_share_pools_the_replicates_and_a_sum_averages_them():
    from simfraud.experiments.calibration_targets import pooled

    assert pooled([(0.0, 0.0), (50.0, 100.0), (10.0, 100.0)]) == 0.3  # no loss: no say
    assert pooled([(10.0, 1.0), (30.0, 1.0)]) == 20.0
    assert pooled([(0.0, 0.0)]) == 0.0


def test_a_calibration_that_fails_before_a_trial_leaves_no_study(tmp_path, capsys):
    spec = write_spec(tmp_path)
    (tmp_path / "t.csv").write_text(TARGETS + "social_engineering.loss,2024,5,1\n")
    assert calibrate(spec, tmp_path / "out", "--workers", "1") == 2
    assert "target social_engineering.loss 2024: no simulated data" in capsys.readouterr().err
    assert not (tmp_path / "out" / "study.db").exists()
    assert calibrate(spec, tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9") == 2
    assert "--scheduler tcp://127.0.0.1:9: cannot connect" in capsys.readouterr().err
    assert not (tmp_path / "out" / "study.db").exists()


def test_a_log_parameter_is_sampled_on_a_log_scale(tmp_path):
    spec = write_spec(tmp_path, trials=2, log=["attackers.attempts_per_day"])
    assert calibrate(spec, tmp_path / "out", "--workers", "1") == 0
    for trial in study_trials(tmp_path / "out", optuna.trial.TrialState.COMPLETE):
        assert trial.distributions["attackers.attempts_per_day"].log
        assert not trial.distributions["platforms.0.reimbursement.cap"].log


def test_start_trials_run_first_and_the_sampler_draws_the_rest(tmp_path):
    start = [{"attackers.attempts_per_day": 12.5, "platforms.0.reimbursement.cap": 40000},
             {"attackers.attempts_per_day": 7.0}]
    spec = write_spec(tmp_path, trials=4, start=start)
    assert calibrate(spec, tmp_path / "out", "--workers", "1") == 0
    trials = study_trials(tmp_path / "out", optuna.trial.TrialState.COMPLETE)
    assert len(trials) == 4
    for trial, point in zip(trials, start, strict=False):
        assert {name: trial.params[name] for name in point} == point
    assert trials[1].params["platforms.0.reimbursement.cap"] != 40000  # drawn
    assert "timeline.0.set.platforms.0.reimbursement.cap" in trials[0].params
