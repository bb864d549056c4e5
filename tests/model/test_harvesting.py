"""Crews' harvesting as an investment (attackers.harvesting: follows_value)."""

import numpy as np
import pytest

from simfraud.core.vectors import N_VECTORS, VECTORS
from simfraud.model.replicates import run_replicates
from simfraud.users.compromise import face_harvest_share
from tests.support import scenario_with

TAKEOVER = VECTORS.index("account_takeover")


def test_effort_follows_what_a_face_and_a_credential_are_worth():
    success = np.full((2, N_VECTORS), 0.5)
    value = np.ones((2, N_VECTORS))
    # Face pay on half the users: a face is worth half a credential.
    assert face_harvest_share(success, value, [100, 100], [50, 50]) == pytest.approx(1 / 3)
    value[:, :TAKEOVER] = 4.0  # the best biometric attack pays 4x
    assert face_harvest_share(success, value, [100, 100], [50, 50]) == pytest.approx(2 / 3)
    success[:, :TAKEOVER] = 0.0  # liveness stops every face attack
    assert face_harvest_share(success, value, [100, 100], [50, 50]) == 0.0
    assert face_harvest_share(success * 0, value, [100, 100], [50, 50]) == 0.5


def harvest(level: str) -> tuple[int, int]:
    """Faces compromised at the end, and account-takeover attempts (credentials used)."""
    scenario = scenario_with({"attackers": {"harvesting": "follows_value"},
                              "platforms": [{"name": "wallet", "liveness": {"level": level}}]},
                             users=10_000, days=250)
    result = run_replicates(scenario, 1)
    vectors = result.vectors
    takeovers = vectors.loc[vectors["vector"] == "account_takeover", "attempts"].sum()
    return int(result.timeseries.iloc[-1]["faces_compromised"]), int(takeovers)


def test_stronger_liveness_moves_harvesting_from_faces_to_credentials():
    faces_weak, takeovers_weak = harvest("passive_2d")
    faces_strong, takeovers_strong = harvest("depth_3d")
    assert 0 < faces_strong < 0.5 * faces_weak  # 11 against 97 when written
    assert takeovers_strong > takeovers_weak  # 1,580 against 982 when written
