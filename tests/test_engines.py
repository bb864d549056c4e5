"""The columnar and agent engines give identical outputs for one scenario and seed."""

import pandas as pd
import pytest

from simfraud.model import FraudModel
from tests.support import deep_merge, scenario_with

CASES = {
    "default": {},
    "two_platforms_mandate": {
        "platforms": [
            {"name": "a", "market_share": 0.6, "liveness": {"level": "depth_3d"},
             "reimbursement": {"policy": "voluntary_full"},
             "confirmation_of_payee": {"enabled": True, "stop": 0.3}},
            {"name": "b", "market_share": 0.4, "liveness": {"level": "none"},
             "security": {"upgrade_rule": "gordon_loeb", "inbound_hold": True,
                          "deployment_lag_days": 2}},
        ],
        "regulator": {"stance": "proactive", "effective_day": 5,
                      "instruments": {"mandatory_reimbursement": {"enabled": True}}},
        "behaviour": {"switch_threshold": 0.65, "switch_rate": 0.2},
    },
    "breach_and_release": {
        "attackers": {"initial": 40},
        "timeline": [
            {"type": "breach", "day": 3, "data": "face", "share": 0.3},
            {"type": "breach", "day": 4, "data": "credentials", "share": 0.3},
            {"type": "tool_release", "day": 5, "vector": "deepfake_injection", "quality": 4},
            {"type": "rule_change", "day": 20,
             "set": {"platforms.0.liveness.injection_detection": True}},
        ],
    },
}


def run(scenario, engine):
    model = FraudModel(scenario, replicate=1, engine=engine)
    model.run()
    return (model.metrics.timeseries(1, scenario.start_date),
            model.metrics.vector_table(1), model.users.columns())


@pytest.mark.parametrize("name", sorted(CASES))
def test_engines_agree(name):
    busy = {"population": {"contacts": 4},
            "attackers": {"attempts_per_day": 20000, "initial_budget": 10**10,
                          "exploitation": 0.3, "face_harvest_rate": 1e-4,
                          "credential_harvest_rate": 1e-4}}
    scenario = scenario_with(deep_merge(busy, CASES[name]), users=600, days=45)
    columnar = run(scenario, "columnar")
    agents = run(scenario, "agents")
    pd.testing.assert_frame_equal(columnar[0], agents[0], check_exact=True)
    pd.testing.assert_frame_equal(columnar[1], agents[1], check_exact=True)
    for a, b in zip(columnar[2], agents[2], strict=True):
        assert (a == b).all()
    vectors = columnar[1]
    active = vectors[vectors["successes"] > 0]["vector"].nunique()
    assert active >= 3  # several mechanisms were exercised


@pytest.mark.parametrize("contacts", [0, 6])
def test_engines_agree_across_chunks_and_the_contact_window(contacts):
    # 9,000 users: three chunks of the columnar kernel and more users than the contact
    # window (1,024 either side), so its running count of nearby victims wraps around the
    # population and restarts per chunk; the agent engine counts each user's contacts
    # directly. Victims are rare enough that most users have none nearby.
    settings = {"population": {"contacts": contacts},
                "attackers": {"attempts_per_day": 5000, "initial_budget": 10**10}}
    scenario = scenario_with(settings, users=9_000, days=12)
    columnar = run(scenario, "columnar")
    agents = run(scenario, "agents")
    pd.testing.assert_frame_equal(columnar[0], agents[0], check_exact=True)
    for a, b in zip(columnar[2], agents[2], strict=True):
        assert (a == b).all()
    victims = columnar[0]["victims"]
    assert victims.sum() >= 20 and victims.max() < 9_000 * 0.05


@pytest.mark.parametrize("users, useful", [(100, 1), (4_096, 1), (12_288, 1), (16_384, 2),
                                           (40_000, 5)])
def test_kernel_threads_are_capped_by_chunks_and_restored(users, useful, monkeypatch):
    """A thread gets at least two chunks; the process's own count is left as it was."""
    import numba

    from simfraud.users import engines

    model = FraudModel(scenario_with({"population": {"users": users}, "days": 2}))
    assert model.users.useful_threads == useful
    seen = []
    kernel = engines.run_day
    monkeypatch.setattr(engines, "run_day",
                        lambda *args: (seen.append(numba.get_num_threads()), kernel(*args)))
    before = numba.config.NUMBA_NUM_THREADS  # whatever an earlier test left
    numba.set_num_threads(before)
    try:
        model.step()
    finally:
        after = numba.get_num_threads()
        numba.set_num_threads(before)
    assert seen == [min(before, useful)]
    assert after == before
