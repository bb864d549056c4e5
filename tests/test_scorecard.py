"""The validation scorecard: case files, the metric mapping and ``simfraud scorecard``."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simfraud.cli import main
from simfraud.experiments.scorecard.case_files import CHECKOUT, default_cases, load_case
from simfraud.experiments.scorecard.cases import Measure
from simfraud.experiments.scorecard.measure import measure_point
from simfraud.experiments.scorecard.score import COLUMNS
from simfraud.scenario.loader import load_scenario

SCENARIOS = CHECKOUT / "scenarios"
GOOD = """\
title: a small case
about: a few days of the baseline
scenario: baseline.yaml
run:
  users: 400
  replicates: 2
  days: 30
  quick: {users: 300, replicates: 1, days: 30}
periods:
  first: [0, 14]
  second: [15, 29]
series:
  - metric: losses
    measured: gross losses
    unit: GBP
    source: {citation: a test}
    points:
      - {period: first, value: 1000}
      - {period: second, value: 1000}
    simulated:
      metrics: [gross_loss]
    tolerance: {relative: 0.5}
"""
LOCATED = re.compile(r"^(?P<file>.+\.yaml):(?P<line>\d+):\d+: (?P<path>\S+): (?P<msg>.+)$")


def _write(folder: Path, text: str, name: str = "case.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


BAD = [
    ("unknown key", GOOD.replace("about:", "abuot: typo\nabout:"), 2, "abuot",
     "unknown key 'abuot'; did you mean 'about'?"),
    ("metric not in the registry", GOOD.replace("[gross_loss]", "[gross_lost]"), 21,
     "series.0.simulated.metrics.0", "'gross_lost' is not a metric of timeseries"),
    ("period not in periods", GOOD.replace("{period: second,", "{period: third,"), 19,
     "series.0.points.1.period", "'third' is not a period of this case (allowed: first, "
     "second)"),
    ("two tolerance rules", GOOD.replace("{relative: 0.5}", "{relative: 0.5, absolute: 1}"),
     22, "series.0.tolerance", "give exactly one rule, got 2"),
    ("wrong unit", GOOD.replace("unit: GBP", "unit: EUR"), 15, "series.0.unit",
     "'EUR' is not the simulated unit (allowed: GBP)"),
    ("scenario not shipped", GOOD.replace("baseline.yaml", "atlantis.yaml"), 3, "scenario",
     "'atlantis.yaml' not found in"),
    ("period after the horizon", GOOD.replace("[15, 29]", "[15, 30]").replace(
        "replicates: 1, days: 30", "replicates: 1, days: 31"), 11, "periods.second",
     "ends on day 30, after the run horizon of 30 days (allowed: days 0 to 29)"),
    ("vectors on the timeseries", GOOD.replace("metrics: [gross_loss]",
                                               "metrics: [gross_loss]\n      vectors: [mask_3d]"),
     22, "series.0.simulated.vectors", "only the vectors table is split by vector"),
    ("share of the whole without per", GOOD.replace(
        "metrics: [gross_loss]", "metrics: [gross_loss]\n      per_all: true"), 22,
     "series.0.simulated.per_all", "a share of the whole needs table: vectors and per"),
    ("share scaled to the nation", GOOD.replace(
        "metrics: [gross_loss]", "metrics: [refunded]\n      per: [gross_loss]\n"
        "      national: true"), 23, "series.0.simulated.national",
     "a share is not scaled to the nation"),
]


@pytest.mark.parametrize(("text", "line", "path", "message"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_a_bad_case_file_gets_exit_2_and_one_located_line(tmp_path, capsys, text, line,
                                                          path, message):
    case = _write(tmp_path, text)
    out = tmp_path / "out"
    assert main(["scorecard", str(case), "--out", str(out), "--scenarios",
                 str(SCENARIOS)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1, lines
    found = LOCATED.match(lines[0])
    assert found, lines[0]
    assert (found["file"], int(found["line"]), found["path"]) == (str(case), line, path)
    assert message in found["msg"]
    assert not out.exists()


def test_every_bad_file_is_reported_at_once(tmp_path, capsys):
    first = _write(tmp_path, GOOD.replace("title:", "titel:"), "a.yaml")
    second = _write(tmp_path, GOOD.replace("unit: GBP", "unit: EUR"), "b.yaml")
    assert main(["scorecard", str(first), str(second), "--out", str(tmp_path / "out"),
                 "--scenarios", str(SCENARIOS)]) == 2
    err = capsys.readouterr().err
    assert f"{first}:1:1: titel:" in err and f"{second}:15:" in err


def test_the_shipped_cases_are_valid():
    cases = default_cases()
    assert len(cases) >= 6
    for path in cases:
        assert load_case(path, SCENARIOS, quick=False).case.series


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """A 60-day baseline run of 2 replicates, as ``simfraud run`` writes it."""
    out = tmp_path_factory.mktemp("run")
    assert main(["run", str(SCENARIOS / "baseline.yaml"), "--out", str(out), "--users",
                 "3000", "--days", "60", "--replicates", "2", "--quiet"]) == 0
    scenario = load_scenario(SCENARIOS / "baseline.yaml",
                             ["population.users=3000", "days=60", "population.weight=250"])
    return (pd.read_parquet(out / "timeseries.parquet"), pd.read_parquet(out / "vectors.parquet"),
            scenario)


PERIODS = {"a": [0, 29], "b": [30, 59]}


def _point(measure: dict, frame: pd.DataFrame, scenario, period="b", base=None) -> np.ndarray:
    return measure_point(Measure.model_validate(measure), frame, PERIODS, period, base, scenario)


def test_a_flow_is_summed_over_the_period_and_scaled_by_the_weight(small_run):
    ts, vec, scenario = small_run
    vectors = ["social_engineering", "account_takeover"]
    got = _point({"table": "vectors", "vectors": vectors, "metrics": ["attempts"],
                  "national": True}, vec, scenario)
    part = vec[(vec["day"] >= 30) & vec["vector"].isin(vectors)]
    hand = [part[part["replicate"] == r]["attempts"].sum() * 250 for r in (0, 1)]
    assert got.tolist() == pytest.approx(hand)
    assert min(hand) > 0  # the check has something to compare
    money = _point({"metrics": ["payment_volume"], "national": True}, ts, scenario)
    hand = [ts[(ts["replicate"] == r) & (ts["day"] >= 30)]["payment_volume"].sum() / 100 * 250
            for r in (0, 1)]
    assert money.tolist() == pytest.approx(hand)


def test_a_share_divides_the_period_sums_per_replicate(small_run):
    ts, vec, scenario = small_run
    got = _point({"table": "vectors", "metrics": ["attempts"], "minus": ["stopped_primary"],
                  "per": ["attempts"]}, vec, scenario)
    part = vec[vec["day"] >= 30].groupby("replicate")[["attempts", "stopped_primary"]].sum()
    hand = ((part["attempts"] - part["stopped_primary"]) / part["attempts"]).tolist()
    assert got.tolist() == pytest.approx(hand)
    assert 0 < min(hand) < 1
    payers = _point({"payers": ["users", "sending provider"], "per": ["gross_loss"]}, ts,
                    scenario, "a")
    sums = ts[ts["day"] <= 29].groupby("replicate")[
        ["user_loss", "refunded_sending", "gross_loss"]].sum()
    hand = ((sums["user_loss"] + sums["refunded_sending"])
            / sums["gross_loss"].where(sums["gross_loss"] > 0)).tolist()
    assert payers.tolist() == pytest.approx(hand, nan_ok=True)


def test_a_share_of_the_whole_divides_by_every_vector(small_run):
    _, vec, scenario = small_run
    scams = ["social_engineering"]
    got = _point({"table": "vectors", "vectors": scams, "metrics": ["attempts"],
                  "per": ["attempts"], "per_all": True}, vec, scenario)
    part = vec[vec["day"] >= 30]
    hand = [part[(part["replicate"] == r) & part["vector"].isin(scams)]["attempts"].sum()
            / part[part["replicate"] == r]["attempts"].sum() for r in (0, 1)]
    assert got.tolist() == pytest.approx(hand)
    assert min(hand) > 0 and max(hand) < 1  # some attempts are on other vectors
    within = _point({"table": "vectors", "vectors": scams, "metrics": ["attempts"],
                     "per": ["attempts"]}, vec, scenario)
    assert within.tolist() == [1.0, 1.0]  # without per_all: a share of the selection


def test_a_switch_is_a_parameter_of_1_or_0():
    from simfraud.experiments.scorecard.measure import parameter_value

    scenario = load_scenario(SCENARIOS / "au-scams-prevention-framework.yaml")
    path = "regulator.instruments.mandatory_reimbursement.enabled"
    assert parameter_value(scenario, path) == 0.0
    with pytest.raises(ValueError, match="not a number or a switch"):
        parameter_value(scenario, "regulator.stance")


def test_a_stock_is_read_on_the_last_day_and_a_ratio_averaged(small_run):
    ts, _, scenario = small_run
    stock = _point({"metrics": ["facepay_users"], "per_user": True}, ts, scenario, "a")
    last = ts[ts["day"] == 29].set_index("replicate")["facepay_users"] / 3000
    assert stock.tolist() == pytest.approx(last.sort_index().tolist())
    ratio = _point({"metrics": ["mean_trust"]}, ts, scenario, "a")
    mean = ts[ts["day"] <= 29].groupby("replicate")["mean_trust"].mean()
    assert ratio.tolist() == pytest.approx(mean.tolist())


def test_a_growth_point_is_the_ratio_of_two_periods(small_run):
    ts, _, scenario = small_run
    got = _point({"metrics": ["attempts"]}, ts, scenario, "b", "a")
    sums = [ts[(ts["replicate"] == r) & (ts["day"] >= lo) & (ts["day"] <= hi)]["attempts"].sum()
            for r in (0, 1) for lo, hi in (PERIODS["a"], PERIODS["b"])]
    assert got.tolist() == pytest.approx([sums[1] / sums[0], sums[3] / sums[2]])


def _check_outputs(out: Path, points: int) -> pd.DataFrame:
    card = pd.read_parquet(out / "scorecard.parquet")
    assert list(card.columns) == list(COLUMNS)
    assert len(card) == points
    from_csv = pd.read_csv(out / "scorecard.csv")
    assert from_csv["published"].tolist() == pytest.approx(card["published"].tolist())
    page = (out / "scorecard.html").read_text()
    assert "<script src=" not in page and "plotly" in page.lower()
    return card


def test_quick_scorecard_of_the_shipped_cases_end_to_end(tmp_path, capsys):
    out = tmp_path / "card"
    assert main(["scorecard", "--quick", "--out", str(out), "--workers", "2"]) == 0
    printed = capsys.readouterr().out
    assert "scorecard.html" in printed
    points = sum(len(s.points) for p in default_cases()
                 for s in load_case(p, SCENARIOS, True).case.series)
    card = _check_outputs(out, points)
    zao = card[card["metric"] == "zao_release_day"].iloc[0]
    assert zao["simulated_mean"] == 241 and bool(zao["within_tolerance"])
    missing = card[card["check"] == "not simulated"]
    assert len(missing) >= 2 and missing["within_tolerance"].isna().all()
    runs = card[card["check"] == "run"]
    finite = runs[runs["simulated_mean"].notna()]
    undefined = runs[runs["simulated_mean"].isna()]
    assert (undefined["unit"] == "share").all()  # only a share of no loss (0/0) is undefined
    assert runs.groupby("case")["simulated_mean"].apply(lambda s: s.notna().any()).all()
    assert finite["replicates"].between(1, 2).all()  # replicates with a defined value
    assert (finite["simulated_p10"] <= finite["simulated_mean"]).all()
    assert (finite["simulated_mean"] <= finite["simulated_p90"]).all()
    facepay = card[card["metric"] == "facepay_users"].iloc[0]
    assert facepay["simulated_mean"] > 1e6  # 1,000 users stand for 621 million people
    page = (out / "scorecard.html").read_text()
    assert page.count("class=\"plotly-graph-div\"") >= 5


def test_scorecard_on_a_dask_cluster(tmp_path):
    from distributed import LocalCluster

    case = _write(tmp_path, GOOD)
    out = tmp_path / "card"
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        assert main(["scorecard", str(case), "--quick", "--out", str(out), "--scenarios",
                     str(SCENARIOS), "--scheduler", cluster.scheduler_address,
                     "--quiet"]) == 0
    card = _check_outputs(out, 2)
    assert (card["replicates"] == 1).all()
    assert card["simulated_mean"].notna().all()
