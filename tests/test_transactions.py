"""The labelled transaction log: complete, consistent with the totals, label-blind ids."""

import pandas as pd
import pytest
from scipy import stats

from simfraud.cli import main
from simfraud.model.replicates import run_replicates
from tests.support import scenario_with

BUSY = {"attackers": {"attempts_per_day": 3000, "exploitation": 0.3,
                      "face_harvest_rate": 5e-5, "credential_harvest_rate": 5e-5},
        "regulator": {"stance": "proactive", "instruments": {
            "mandatory_reimbursement": {"enabled": True,
                                        "vectors": ["social_engineering",
                                                    "account_takeover"]}}},
        "platforms": [{"name": "bank",
                       "confirmation_of_payee": {"enabled": True, "stop": 0.3}}]}


@pytest.fixture(scope="module")
def logged():
    scenario = scenario_with(BUSY, users=4_000, days=60)
    return run_replicates(scenario, 2, transaction_share=1.0)


def test_a_full_log_adds_up_to_the_daily_totals(logged):
    tx, ts = logged.transactions, logged.timeseries
    genuine = tx[~tx["is_fraud"]]
    completed = genuine["stopped_by"].isin(["completed", "completed_after_false_reject"])
    frauds = tx[tx["is_fraud"]]
    success = frauds["stopped_by"] == "completed"
    by_day = lambda f: f.groupby(["replicate", "day"]).size().reindex(  # noqa: E731
        pd.MultiIndex.from_frame(ts[["replicate", "day"]]), fill_value=0).to_numpy()
    assert (by_day(genuine[completed]) == ts["payments"].to_numpy()).all()
    assert (by_day(frauds) == ts["attempts"].to_numpy()).all()
    assert (by_day(frauds[success]) == ts["successes"].to_numpy()).all()
    assert frauds.loc[success, "amount"].sum() == ts["gross_loss"].sum()
    assert frauds["refunded"].sum() == ts["refunded"].sum() > 0
    assert (genuine["stopped_by"] == "abandoned_after_false_reject").sum() == ts[
        "abandoned"].sum()
    for stop in ("stopped_primary", "stopped_step_up", "stopped_monitoring", "stopped_payee"):
        assert (frauds["stopped_by"] == stop).sum() == ts[stop].sum(), stop
    assert ts["stopped_payee"].sum() > 0


def auc(score, label):
    """Area under the ROC curve of ``score`` for a binary label (0.5: no information)."""
    u = stats.mannwhitneyu(score[label], score[~label]).statistic
    return u / (label.sum() * (~label).sum())


def test_the_label_cannot_be_read_off_identifiers_or_row_order(logged):
    tx = logged.transactions
    label = tx["is_fraud"].to_numpy()
    assert label.sum() > 300
    position_in_day = tx.groupby(["replicate", "day"]).cumcount().to_numpy()
    # Rows of one run's log (replicates differ in how much fraud they have: with heavy-tailed
    # amounts all crews of one replicate may go broke in the first days, so a row number
    # across the concatenated replicates would read the replicate, not the log's order).
    row_in_run = tx.groupby("replicate").cumcount().to_numpy()
    for name, score in (("transaction_id", tx["transaction_id"].to_numpy()),
                        ("row", row_in_run),
                        ("position within the day", position_in_day),
                        ("user", tx["user"].to_numpy())):
        assert abs(auc(score, label) - 0.5) < 0.05, name
    assert tx["transaction_id"].is_unique


def test_sampling_a_share_of_users(tmp_path):
    out = tmp_path / "o"
    assert main(["run", "scenarios/baseline.yaml", "--out", str(out), "--users", "5000",
                 "--days", "20", "--transactions", "0.2", "--quiet"]) == 0
    tx = pd.read_parquet(out / "transactions.parquet")
    users = tx["user"].nunique()
    assert 700 < users < 1_300  # about 20% of 5,000 users
    assert set(tx.columns) >= {"day", "user", "platform", "amount", "auth_method",
                               "attack_vector", "stopped_by", "refunded", "is_fraud"}
    assert not (tmp_path / "none").exists()
