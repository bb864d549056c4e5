"""Holding risky authorised payments (platforms[].step_up.scam_hold_stop)."""

import numpy as np
import pandas as pd

from simfraud.model.replicates import run_replicates
from tests.support import scenario_with

SCAMS = "social_engineering"


def scam_counts(hold: float, threshold: int = 0, enabled: bool = True) -> pd.Series:
    """Scam attempts, first-layer passes stopped at step-up and successes, one run."""
    scenario = scenario_with({
        "attackers": {"attempts_per_day": 2_000.0},  # many scam contacts, no warnings
        "platforms": [{"name": "bank",
                       "monitoring": {"enabled": False},
                       "payee_warnings": {"enabled": False},
                       "step_up": {"enabled": enabled, "amount_threshold": threshold,
                                   "scam_hold_stop": hold}}],
    }, users=3_000, days=90)
    vectors = run_replicates(scenario, 1).vectors
    scams = vectors[vectors["vector"] == SCAMS]
    return scams[["attempts", "stopped_step_up", "successes", "loss"]].sum()


def test_a_certain_hold_on_every_payment_stops_every_scam_that_fools_the_payer():
    held = scam_counts(1.0)
    assert held["stopped_step_up"] > 20  # not vacuous: payers were fooled and held
    assert held["successes"] == 0 and held["loss"] == 0


def test_a_hold_stops_scams_at_its_probability():
    held = scam_counts(0.5)
    fooled = held["stopped_step_up"] + held["successes"]  # no monitoring behind the hold
    assert fooled > 40
    share = held["stopped_step_up"] / fooled
    half_width = 3 * np.sqrt(0.25 / fooled)  # three standard errors of a binomial share
    assert abs(share - 0.5) < half_width


def test_no_hold_without_step_up_or_below_the_threshold():
    assert scam_counts(1.0, enabled=False)["stopped_step_up"] == 0
    assert scam_counts(0.0)["stopped_step_up"] == 0
    # A threshold above every amount holds nothing and leaves the run as it was.
    unreachable = scam_counts(1.0, threshold=10_000_000_000)
    assert unreachable["stopped_step_up"] == 0
    assert unreachable.equals(scam_counts(0.0, threshold=10_000_000_000))
