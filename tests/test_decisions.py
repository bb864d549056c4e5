"""A 3-arm compare with per-arm overrides, checked by hand against its run folders."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simfraud.cli import main
from simfraud.experiments.plan import parse_arm
from simfraud.scenario.overrides import OverrideError
from simfraud.scenario.yaml12 import read_yaml_file

ROOT = Path(__file__).resolve().parents[1]
WEIGHT = 2500.0
REPLICATES = 3


@pytest.fixture(scope="module")
def three_arms(tmp_path_factory):
    out = tmp_path_factory.mktemp("arms") / "cmp"
    code = main(["compare", str(ROOT / "scenarios" / "uk-2024-psr.yaml"), "--out", str(out),
                 "--replicates", str(REPLICATES), "--users", "2000", "--days", "40",
                 "--workers", "2", "--set", f"population.weight={WEIGHT}",
                 "--set", "regulator.effective_day=0",
                 "--arm", "digital 3d:platforms.1.liveness.level=depth_3d",
                 "--arm", "refunds:platforms.1.reimbursement.policy=voluntary_full,"
                          "attackers.initial=40"])
    assert code == 0
    return out


def by_hand(out: Path, arm: int) -> pd.DataFrame:
    rows = []
    for r in range(REPLICATES):
        ts = pd.read_parquet(out / "runs" / f"s{arm}-r{r:03d}" / "timeseries.parquet")
        rows.append({"net": ts["gross_loss"].sum() - ts["recovered"].sum(),
                     "spend": ts["security_spend"].sum() + ts["compliance_cost"].sum(),
                     "gross": ts["gross_loss"].sum(),
                     "facepay": ts["facepay_users"].iloc[-1]})
    return pd.DataFrame(rows)


def test_arms_are_the_scenario_with_their_changes(three_arms):
    index = pd.read_parquet(three_arms / "index.parquet")
    assert list(dict.fromkeys(index["label"])) == ["uk-2024-psr", "digital 3d", "refunds"]
    ref, strict, refunds = (
        read_yaml_file(three_arms / "runs" / f"s{k}-r000" / "scenario.yaml", "scenario").data
        for k in range(3))
    assert ref["platforms"][1]["liveness"]["level"] == "active"
    assert strict["platforms"][1]["liveness"]["level"] == "depth_3d"
    assert strict["platforms"][0] == ref["platforms"][0]  # one control changed
    assert refunds["platforms"][1]["reimbursement"]["policy"] == "voluntary_full"
    assert refunds["attackers"]["initial"] == 40


def test_cost_effectiveness_matches_the_run_folders(three_arms):
    table = pd.read_parquet(three_arms / "cost_effectiveness.parquet")
    reference = by_hand(three_arms, 0)
    for arm, name in ((1, "digital 3d"), (2, "refunds")):
        other = by_hand(three_arms, arm)
        rows = table[table["scenario"] == name].set_index("measure")
        avoided = reference["net"] - other["net"]
        spent = other["spend"] - reference["spend"]
        assert rows.loc["loss_avoided", "mean"] == pytest.approx(avoided.mean())
        half = stats.t.ppf(0.975, REPLICATES - 1) * avoided.std(ddof=1) / np.sqrt(REPLICATES)
        assert rows.loc["loss_avoided", "ci95_low"] == pytest.approx(avoided.mean() - half)
        assert rows.loc["spend_added", "mean"] == pytest.approx(spent.mean())
        assert rows.loc["loss_avoided", "national_mean"] == pytest.approx(
            avoided.mean() * WEIGHT)
        ratio = rows.loc["avoided_per_unit_spent"]
        if spent.mean() != 0:
            assert ratio["mean"] == pytest.approx(avoided.mean() / spent.mean())
        assert set(rows["unit"]) == {"GBP minor units", "loss avoided per unit of spend added"}
    strict = table[table["scenario"] == "digital 3d"].set_index("measure")
    assert strict.loc["spend_added", "mean"] > 0  # 3D liveness costs money


def test_payers_per_platform_and_national_totals(three_arms):
    payers = pd.read_parquet(three_arms / "payers_by_platform.parquet")
    for arm, name in ((0, "uk-2024-psr"), (2, "refunds")):
        vectors = pd.concat([pd.read_parquet(three_arms / "runs" / f"s{arm}-r{r:03d}" /
                                             "vectors.parquet") for r in range(REPLICATES)])
        per = vectors.groupby(["replicate", "platform"], observed=True)[
            ["loss", "refunded", "refunded_sending", "refunded_receiving"]].sum().groupby(
            level="platform", observed=True).mean()
        mine = payers[payers["scenario"] == name].set_index(["platform", "payer"])["amount"]
        assert len(per) >= 2  # the scenario has several platforms
        for platform, values in per.iterrows():
            assert mine[(str(platform), "users")] == pytest.approx(
                values["loss"] - values["refunded"])
            assert mine[(str(platform), "sending provider")] == pytest.approx(
                values["refunded_sending"])
            assert mine[(str(platform), "receiving provider")] == pytest.approx(
                values["refunded_receiving"])
        assert (vectors["refunded_sending"] + vectors["refunded_receiving"]
                == vectors["refunded"]).all()
    summary = pd.read_parquet(three_arms / "summary.parquet").set_index(["scenario", "metric"])
    gross = by_hand(three_arms, 1)["gross"].mean()
    assert summary.loc[("digital 3d", "gross_loss"), "mean"] == pytest.approx(gross)
    assert summary.loc[("digital 3d", "gross_loss"), "national_mean"] == pytest.approx(
        gross * WEIGHT)
    assert summary.loc[("refunds", "final_facepay_users"), "mean"] == pytest.approx(
        by_hand(three_arms, 2)["facepay"].mean())


def test_every_table_has_units(three_arms):
    for name in ("summary", "differences", "cost_effectiveness", "payers",
                 "payers_by_platform", "social_cost", "tail"):
        for frame in (pd.read_csv(three_arms / f"{name}.csv"),
                      pd.read_parquet(three_arms / f"{name}.parquet")):
            assert frame["unit"].notna().all() and (frame["unit"] != "").all(), name
    summary = pd.read_parquet(three_arms / "summary.parquet").set_index(["scenario", "metric"])
    assert summary.loc[("refunds", "gross_loss"), "unit"] == "GBP minor units"
    assert summary.loc[("refunds", "final_facepay_users"), "unit"] == "users"
    tail = pd.read_parquet(three_arms / "tail.parquet")
    assert tail["warning"].str.contains("needs 40").all()  # 3 replicates are too few


def test_parse_arm():
    assert parse_arm("a b:x.y=1,z=[1, 2],w=q") == ("a b", ["x.y=1", "z=[1, 2]", "w=q"])
    for bad in ("noname", ":x=1", "a:", "a:x"):
        with pytest.raises(OverrideError):
            parse_arm(bad)


def test_bad_arms_are_refused(tmp_path, capsys):
    scenario = str(ROOT / "scenarios" / "baseline.yaml")
    assert main(["compare", scenario, "--out", str(tmp_path / "o"),
                 "--arm", "x:platforms.0.liveness.level=depth_9"]) == 2
    assert "depth_9" in capsys.readouterr().err
    assert main(["compare", scenario, "--out", str(tmp_path / "o"),
                 "--arm", "baseline:days=3"]) == 2
    assert "arm names must differ" in capsys.readouterr().err
    assert main(["compare", scenario, scenario, "--out", str(tmp_path / "o"),
                 "--arm", "x:days=3"]) == 2
    assert not (tmp_path / "o").exists()


def test_monitoring_has_a_running_price():
    """Turning monitoring off saves its cost per user and day, and nothing else that day."""
    import mesa

    from simfraud.core.vectors import N_VECTORS
    from simfraud.model.platform import PlatformAgent, PlatformDay
    from simfraud.scenario.schema import Scenario

    zeros = np.zeros(N_VECTORS, dtype=np.int64)
    seen = PlatformDay(users=10_000, face_checks=1_000, volume=10**8, attempts=zeros + 10,
                       successes=zeros, stopped_by_monitoring=zeros, loss=zeros,
                       attempted_amount=zeros, refunded_sending=zeros,
                       refunded_receiving=zeros, receiving_liability=zeros)
    spend = {}
    for enabled in (True, False):
        data = Scenario().model_dump(mode="json")
        data["platforms"][0]["monitoring"].update(enabled=enabled, cost_per_user_day=0.25)
        s = Scenario.model_validate(data)
        agent = PlatformAgent(mesa.Model(rng=1), 0, s.platforms[0], s.defences,
                              np.ones(N_VECTORS))
        agent.observe(seen)
        spend[enabled] = agent.security_spend
    assert spend[True] - spend[False] == 2_500  # 0.25 x 10,000 users
