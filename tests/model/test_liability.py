"""Liability that changes behaviour: victims' care under refunds, crews' cash-out under
mule-account detection (small runs; the effects at scale are in benchmarks.effects)."""

import numpy as np
import pytest

from simfraud.model.replicates import run_replicates
from tests.support import scenario_with

# Scams meet no payee warnings, so the victim's care is their only first layer.
FULL_SCAM_REFUNDS = {"platforms": [{"name": "bank", "payee_warnings": {"enabled": False},
                                    "reimbursement": {"policy": "voluntary_full",
                                                      "vectors": ["social_engineering"]}}]}


def scam_successes(scenario) -> np.ndarray:
    vectors = run_replicates(scenario, 1).vectors
    scams = vectors[vectors["vector"] == "social_engineering"]
    return scams.groupby("day", observed=True)["successes"].sum().to_numpy()


def with_care(moral_hazard: float, vigilance: float | None = None):
    scenario = scenario_with({**FULL_SCAM_REFUNDS, "behaviour": {"moral_hazard": moral_hazard}},
                             users=3_000, days=60)
    if vigilance is not None:
        for segment in scenario.population.segments:
            segment.vigilance = vigilance
    return scenario


def test_full_moral_hazard_under_certain_refunds_makes_care_irrelevant():
    careless = scam_successes(with_care(1.0))
    np.testing.assert_array_equal(careless, scam_successes(with_care(1.0, vigilance=0.0)))
    careful = scam_successes(with_care(0.0))
    assert careless.sum() > 1.2 * careful.sum() > 0  # care mattered without moral hazard


def frozen_share(mule_detection: bool) -> float:
    mandate = {"enabled": True, "vectors": ["social_engineering"], "receiving_share": 0.5}
    scenario = scenario_with({
        "platforms": [{"name": "bank", "payee_warnings": {"enabled": False},
                       "security": {"mule_detection": mule_detection}}],
        "regulator": {"stance": "proactive", "effective_day": 0,
                      "instruments": {"mandatory_reimbursement": mandate}},
    }, users=3_000, days=150)
    late = run_replicates(scenario, 1).timeseries.query("day >= 100")
    return late["recovered"].sum() / late["gross_loss"].sum()


def test_a_receiving_share_buys_mule_detection_that_freezes_more_of_the_proceeds():
    base = scenario_with().attackers.mule_recovery_share
    without = frozen_share(False)
    assert base - 0.005 < without <= base  # rounded down per fraud
    assert frozen_share(True) > base + 0.05


def scam_claims(claim_without_refund: float, reimbursement: dict) -> tuple[int, int, int, int]:
    scenario = scenario_with({
        "platforms": [{"name": "bank", "payee_warnings": {"enabled": False},
                       "reimbursement": reimbursement}],
        "behaviour": {"claim_without_refund": claim_without_refund}}, users=6_000, days=90)
    vectors = run_replicates(scenario, 1).vectors
    scams = vectors[vectors["vector"] == "social_engineering"]
    return (int(scams["successes"].sum()), int(scams["claims"].sum()),
            int(scams["loss"].sum()), int(scams["refunded"].sum()))


def test_victims_claim_with_their_refund_prospect_and_only_claims_are_refunded():
    share = {"policy": "share", "share": 0.4, "vectors": ["social_engineering"]}
    successes, claims, loss, refunded = scam_claims(1.0, share)
    assert claims == successes > 50 and refunded == pytest.approx(0.4 * loss, rel=0.01)
    successes, claims, _, refunded = scam_claims(0.5, share)
    assert claims / successes == pytest.approx(0.5 + 0.5 * 0.4, abs=0.1)  # 0.7
    assert scam_claims(0.0, {"policy": "none"})[1] == 0  # nothing to claim: nobody claims
    successes, claims, loss, refunded = scam_claims(0.0, {**share, "policy": "voluntary_full"})
    assert claims == successes and refunded == loss  # a certain refund is always claimed
