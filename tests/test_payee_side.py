"""The payee side in whole runs: confirmation of payee and the receiving providers' hold."""

import numpy as np

from simfraud.core.metrics import VECTOR_STATS
from simfraud.model import FraudModel
from tests.support import scenario_with

STOPS = [name for name in VECTOR_STATS if name.startswith("stopped_")]
SCAMS_PASS = {"attackers": {"attempts_per_day": 100}}
"""Many scam contacts, and (below) no warnings: enough scams reach the payee side."""


def bank(**blocks):
    """The one platform, without scam warnings, with these blocks."""
    return {"platforms": [{"name": "bank", "payee_warnings": {"enabled": False}, **blocks}]}


def vectors(changes, users=3_000, days=40):
    model = FraudModel(scenario_with({**SCAMS_PASS, **changes}, users=users, days=days),
                       replicate=0)
    model.run()
    return model.metrics.vector_table(0)


def test_a_name_check_that_always_stops_leaves_no_scam_and_touches_nothing_else():
    table = vectors(bank(confirmation_of_payee={"enabled": True, "stop": 1.0}))
    scams = table["vector"] == "social_engineering"
    assert table.loc[scams, "stopped_payee"].sum() > 0
    assert table.loc[scams, "successes"].sum() == 0
    assert table.loc[~scams, "stopped_payee"].sum() == 0
    assert table.loc[~scams, "attempts"].sum() > 0


def test_every_attempt_ends_in_a_success_or_exactly_one_stop():
    table = vectors(bank(confirmation_of_payee={"enabled": True, "stop": 0.4}))
    assert np.array_equal(table["attempts"], table["successes"] + table[STOPS].sum(axis=1))
    scams = table[table["vector"] == "social_engineering"]
    passed = scams["stopped_payee"].sum() + scams["successes"].sum()
    assert 0.3 < scams["stopped_payee"].sum() / passed < 0.5


def test_without_a_name_check_or_a_hold_nothing_is_stopped_on_the_payee_side():
    table = vectors(bank())
    assert table["stopped_payee"].sum() == 0 and table["successes"].sum() > 0


def test_a_mandate_with_receiving_liability_buys_a_hold_that_stops_scams():
    """The hold needs liability as receiving provider: the mandate's receiving share."""
    mandate = {"regulator": {"stance": "proactive", "effective_day": 0, "instruments": {
        "mandatory_reimbursement": {"enabled": True, "receiving_share": 0.5}}}}
    held = {}
    for on in (False, True):
        table = vectors({**mandate, **bank(security={"inbound_hold": on,
                                                     "deployment_lag_days": 5})}, days=90)
        held[on] = table.loc[table["vector"] == "social_engineering", "stopped_payee"].sum()
    assert held[False] == 0 and held[True] > 0
