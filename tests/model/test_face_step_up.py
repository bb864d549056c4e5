"""A face check as step-up (platforms[].step_up.method: face)."""

import pytest

from simfraud.core.vectors import INJECTION, STEP_UP, TARGET, VECTORS
from simfraud.model.replicates import run_replicates
from simfraud.users.authentication import face_step_up_block
from tests.support import scenario_with

TAKEOVER = VECTORS.index("account_takeover")
SCAMS = VECTORS.index("social_engineering")


@pytest.mark.parametrize(("vector", "compromised", "expected"), [
    (INJECTION, True, 1 - 0.3),      # a face attack meets the face check again
    (TAKEOVER, False, 1.0),          # no face to fake: the takeover is stopped
    (TAKEOVER, True, 1 - 0.6),       # the better deepfake passes
    (SCAMS, True, 0.0),              # the real user authorises: no stop
])
def test_face_step_up_stops_with_the_face_attack_success_rates(vector, compromised, expected):
    block = face_step_up_block(STEP_UP[vector], TARGET[vector], 0.3, 0.6, compromised)
    assert block == pytest.approx(expected)


def takeovers(method: str, face_harvest_rate: float) -> int:
    scenario = scenario_with({
        "population": {"initial_facepay_share": 1.0},
        "attackers": {"face_harvest_rate": face_harvest_rate,
                      "credential_harvest_rate": 1e-4},
        "platforms": [{"name": "wallet", "liveness": {"level": "none"},
                       "step_up": {"amount_threshold": 0, "method": method}}],
    }, users=3_000, days=60)
    vectors = run_replicates(scenario, 1).vectors
    return int(vectors.loc[vectors["vector"] == "account_takeover", "successes"].sum())


def test_face_step_up_stops_takeovers_unless_the_face_is_stolen_and_faked():
    by_code = takeovers("otp", 0.0)
    assert by_code > 0  # SIM swaps beat the one-time code
    assert takeovers("face", 0.0) < by_code / 5  # no stolen faces: only drop-outs remain
    # Faces stolen and no liveness: deepfakes beat the face check.
    assert takeovers("face", 1e-3) > takeovers("face", 0.0)
