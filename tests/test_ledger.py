"""Money invariants: checked every day by the ledger, over long and random runs."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simfraud.core.vectors import LIVENESS_LEVELS, VECTORS
from simfraud.model import FraudModel
from simfraud.model.ledger import DaySettlement, Ledger, LedgerError, receiving_liability
from tests.support import scenario_with

LONG = {
    "platforms": [
        {"name": "a", "market_share": 0.5, "reimbursement": {"policy": "capped", "cap": 30_000}},
        {"name": "b", "market_share": 0.5, "liveness": {"level": "none"},
         "security": {"upgrade_rule": "gordon_loeb"}},
    ],
    "regulator": {"stance": "reactive", "threshold": 0.5, "legislative_lag_days": 100,
                  "instruments": {"mandatory_reimbursement": {"enabled": True,
                                                              "vectors": list(VECTORS)}}},
    "attackers": {"attempts_per_day": 2000, "exploitation": 0.2, "face_harvest_rate": 2e-5},
    "timeline": [
        {"type": "breach", "day": 100, "data": "face", "share": 0.2},
        {"type": "breach", "day": 400, "data": "credentials", "share": 0.2, "platform": "b"},
        {"type": "tool_release", "day": 200, "vector": "deepfake_injection", "quality": 3},
        {"type": "attacker_cost_drop", "day": 300, "factor": 0.2},
    ],
}


def test_five_years_keep_the_ledger_whole():
    scenario = scenario_with(LONG, users=3_000, days=1825)
    model = FraudModel(scenario)
    model.run()  # the ledger checks its invariants every day and raises if one fails
    ts = model.metrics.timeseries(0, scenario.start_date)
    assert (ts["gross_loss"] == ts["refunded"] + ts["user_loss"]).all()
    assert (ts["refunded"] == ts["refunded_sending"] + ts["refunded_receiving"]).all()
    assert (ts["gross_loss"] == ts["attacker_revenue"] + ts["recovered"]).all()
    for daily, cumulative in (("gross_loss", "cum_gross_loss"), ("refunded", "cum_refunded"),
                              ("user_loss", "cum_user_loss")):
        assert (ts[daily].cumsum() == ts[cumulative]).all()
    columns = model.users.columns()
    assert int(columns.loss.sum()) == ts["gross_loss"].sum() > 0
    assert int(columns.refunded.sum()) == ts["refunded"].sum() > 0
    assert ts["regulation_in_force"].iloc[-1] == 1


def settlement(**changes):
    values = {
        "loss": np.array([[1_000, 500]]), "refunded_sending": np.array([[300, 0]]),
        "refunded_receiving": np.array([[200, 0]]), "recovered": np.array([[50, 25]]),
        "user_loss": 1_000, "user_refunds": 500,
    }
    values.update(changes)
    return DaySettlement(**values)


def test_consistent_day_settles():
    ledger = Ledger()
    ledger.settle(0, settlement(), [np.array([[950, 475]])], 1_500, 500)
    assert (ledger.gross_loss, ledger.refunded, ledger.user_loss) == (1_500, 500, 1_000)


@pytest.mark.parametrize("changes, crew, population, rule", [
    ({"user_loss": 999}, [[950, 475]], (1_500, 500), "stolen = refunded + borne by users"),
    ({"user_refunds": 400, "user_loss": 1_100}, [[950, 475]], (1_500, 400),
     "refunded = sending provider share"),
    ({}, [[950, 474]], (1_500, 500), "stolen = paid to crews + recovered"),
    ({}, [[950, 475]], (1_499, 500), "cumulative stolen = sum of users' cumulative losses"),
    ({"refunded_sending": np.array([[900, 0]]), "user_refunds": 1_100, "user_loss": 400},
     [[950, 475]], (1_500, 1_100), "no refund exceeds the loss"),
])
def test_a_broken_invariant_stops_the_run_naming_day_and_amounts(changes, crew, population,
                                                                  rule):
    with pytest.raises(LedgerError) as err:
        Ledger().settle(17, settlement(**changes), [np.array(crew)], *population)
    message = str(err.value)
    assert "day 17" in message and rule in message and "=" in message


@pytest.mark.parametrize("seed", range(5))
def test_one_pass_totals_equal_the_array_sums(seed):
    rng = np.random.default_rng(seed)
    flows = rng.integers(0, 10**9, (5, 3, 6))
    flows[1:3] //= 3
    if seed % 2:
        flows[1, 2, 4] = flows[0, 2, 4] + 1  # one refund above its loss
    pvs = np.moveaxis(flows, 0, -1)  # the kernel's layout: strided views, as in the model
    s = DaySettlement(pvs[..., 0], pvs[..., 1], pvs[..., 2], pvs[..., 3], 0, 0)
    assert (s.stolen, s.sending, s.receiving, s.recovered_total) == tuple(
        int(a.sum()) for a in flows[:4])
    assert s.refunds_within_loss == bool(np.all(flows[1] + flows[2] <= flows[0]))


def liability_by_array_operations(refunded_receiving, users):
    """``receiving_liability`` written with numpy (what the compiled loop does)."""
    per_vector = refunded_receiving.sum(axis=0)
    total = users.sum()
    share = users / total if total > 0 else np.full(len(users), 1.0 / len(users))
    parts = np.floor(share[:, None] * per_vector[None, :]).astype(np.int64)
    parts[int(np.argmax(share))] += per_vector - parts.sum(axis=0)
    return parts


@pytest.mark.parametrize("seed", range(6))
def test_receiving_liability_equals_the_array_formula(seed):
    rng = np.random.default_rng(seed)
    n = 1 + seed % 4
    receiving = rng.integers(0, 10**10, (n, 6))
    users = rng.integers(0, 10**6, n) if seed else np.zeros(n, dtype=np.int64)
    parts = receiving_liability(receiving, users)
    assert np.array_equal(parts, liability_by_array_operations(receiving, users))
    assert np.array_equal(parts.sum(axis=0), receiving.sum(axis=0))


platform = st.fixed_dictionaries({
    "liveness": st.fixed_dictionaries({"level": st.sampled_from(LIVENESS_LEVELS),
                                       "injection_detection": st.booleans()}),
    "reimbursement": st.fixed_dictionaries({
        "policy": st.sampled_from(["none", "voluntary_full", "capped"]),
        "cap": st.integers(0, 500_000),
        "vectors": st.lists(st.sampled_from(VECTORS), unique=True)}),
    "security": st.fixed_dictionaries({
        "upgrade_rule": st.sampled_from(["none", "reactive", "gordon_loeb", "scheduled"]),
        "deployment_lag_days": st.integers(0, 30), "scheduled_days": st.just([5, 15])}),
    "step_up": st.fixed_dictionaries({"enabled": st.booleans(),
                                      "amount_threshold": st.integers(0, 50_000)}),
    "move_exposed_off_face": st.booleans(),
})
events = st.one_of(
    st.fixed_dictionaries({"type": st.just("breach"), "day": st.integers(0, 29),
                           "data": st.sampled_from(["face", "credentials"]),
                           "share": st.floats(0, 1)}),
    st.fixed_dictionaries({"type": st.just("tool_release"), "day": st.integers(0, 29),
                           "vector": st.sampled_from(VECTORS), "quality": st.floats(0, 10)}),
    st.fixed_dictionaries({"type": st.just("attacker_cost_drop"), "day": st.integers(0, 29),
                           "factor": st.floats(0.01, 1)}),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(platforms=st.lists(platform, min_size=1, max_size=3),
       stance=st.sampled_from(["laissez_faire", "reactive", "proactive"]),
       mandate=st.fixed_dictionaries({
           "enabled": st.booleans(), "cap": st.integers(0, 10_000_000),
           "excess": st.integers(0, 50_000), "receiving_share": st.floats(0, 1),
           "gross_negligence_share": st.floats(0, 1),
           "vectors": st.lists(st.sampled_from(VECTORS), unique=True)}),
       face_rule=st.sampled_from(["none", "ban", "consent_with_alternative"]),
       timeline=st.lists(events, max_size=4),
       seed=st.integers(0, 2**40))
def test_random_valid_scenarios_keep_the_ledger_whole(platforms, stance, mandate, face_rule,
                                                      timeline, seed):
    share = 1.0 / len(platforms)
    named = [{**p, "name": f"p{i}", "market_share": share} for i, p in enumerate(platforms)]
    named[-1]["market_share"] = 1.0 - share * (len(platforms) - 1)
    scenario = scenario_with({
        "seed": seed, "platforms": named, "timeline": timeline,
        "attackers": {"attempts_per_day": 5000, "exploitation": 0.2,
                      "face_harvest_rate": 1e-4, "credential_harvest_rate": 1e-4},
        "regulator": {"stance": stance, "effective_day": 3, "threshold": 0.0,
                      "persistence_days": 1, "observation_lag_days": 0,
                      "instruments": {"mandatory_reimbursement": mandate,
                                      "face_recognition": {"rule": face_rule}}},
    }, users=400, days=30)
    model = FraudModel(scenario)
    model.run()
    ts = model.metrics.timeseries(0, scenario.start_date)
    assert (ts["gross_loss"] == ts["refunded"] + ts["user_loss"]).all()
    assert (ts["refunded"] <= ts["gross_loss"]).all()
