"""Same seed, same draws: a policy change moves only what it touches."""

import pandas as pd

from simfraud.model import FraudModel
from tests.support import scenario_with

BUSY = {"attackers": {"attempts_per_day": 3000, "exploitation": 0.2,
                      "face_harvest_rate": 5e-5, "credential_harvest_rate": 5e-5}}


def daily(changes, days=40, replicate=0):
    scenario = scenario_with({**BUSY, **changes}, users=5_000, days=days)
    model = FraudModel(scenario, replicate=replicate)
    model.run()
    return (model.metrics.timeseries(replicate, scenario.start_date),
            model.metrics.vector_table(replicate))


def test_a_refund_mandate_changes_refunds_and_nothing_else_on_its_first_day():
    mandate = {"regulator": {"stance": "proactive", "effective_day": 10, "instruments": {
        "mandatory_reimbursement": {"enabled": True, "vectors": ["social_engineering"]}}}}
    base_ts, base_vec = daily({})
    policy_ts, policy_vec = daily(mandate)
    # Before the rule, and on its first day except for who pays, everything is identical.
    pd.testing.assert_frame_equal(base_ts[base_ts.day < 10], policy_ts[policy_ts.day < 10])
    unchanged = ["attempts", "successes", "gross_loss", "payments", "false_rejects",
                 "facepay_users", "faces_compromised", "credentials_compromised"]
    day10 = base_ts.day == 10
    assert (base_ts.loc[day10, unchanged].to_numpy()
            == policy_ts.loc[day10, unchanged].to_numpy()).all()
    assert policy_ts.loc[day10, "refunded"].item() > base_ts.loc[day10, "refunded"].item()
    on_day = base_vec.day == 10
    pd.testing.assert_series_equal(base_vec.loc[on_day, "loss"], policy_vec.loc[on_day, "loss"])


def test_one_extra_event_leads_to_one_extra_outcome():
    breach = {"timeline": [{"type": "breach", "day": 20, "data": "credentials",
                            "share": 0.05}]}
    base_ts, _ = daily({})
    event_ts, _ = daily(breach)
    pd.testing.assert_frame_equal(base_ts[base_ts.day < 20], event_ts[event_ts.day < 20])
    extra = (event_ts.loc[event_ts.day == 20, "credentials_compromised"].item()
             - base_ts.loc[base_ts.day == 20, "credentials_compromised"].item())
    assert 150 <= extra <= 350  # about 5% of 5,000 users, and nothing else moved that day
    same = ["attempts", "successes", "gross_loss", "payments", "facepay_users",
            "faces_compromised"]
    assert (base_ts.loc[base_ts.day == 20, same].to_numpy()
            == event_ts.loc[event_ts.day == 20, same].to_numpy()).all()


def test_replicates_differ():
    first, _ = daily({}, days=20, replicate=0)
    second, _ = daily({}, days=20, replicate=1)
    assert (first["payments"].to_numpy() != second["payments"].to_numpy()).any()
