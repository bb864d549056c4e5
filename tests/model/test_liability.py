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


def mandated_refund_share(mean_claim_delay_days: float) -> float:
    mandate = {"enabled": True, "vectors": ["social_engineering"], "excess": 0,
               "cap": 10**10, "gross_negligence_share": 0.0, "claim_window_days": 30}
    scenario = scenario_with({
        "platforms": [{"name": "bank", "payee_warnings": {"enabled": False}}],
        "behaviour": {"mean_claim_delay_days": mean_claim_delay_days},
        "regulator": {"stance": "proactive", "effective_day": 0,
                      "instruments": {"mandatory_reimbursement": mandate}},
    }, users=4_000, days=90)
    vectors = run_replicates(scenario, 1).vectors
    scams = vectors[vectors["vector"] == "social_engineering"]
    assert scams["successes"].sum() > 50  # not vacuous
    return scams["refunded"].sum() / scams["loss"].sum()


def test_claims_after_the_window_are_refused():
    from simfraud.users.refunds import refused_share

    scenario = scenario_with()
    mandate = scenario.regulator.instruments.mandatory_reimbursement
    assert refused_share(mandate, scenario.behaviour) == mandate.gross_negligence_share
    scenario.behaviour.mean_claim_delay_days = mandate.claim_window_days / np.log(2)
    late_half = 1 - (1 - mandate.gross_negligence_share) * 0.5
    assert refused_share(mandate, scenario.behaviour) == pytest.approx(late_half)
    assert mandated_refund_share(0.0) == 1.0  # everyone claims in time
    # a mean delay of 30 / ln 2 days puts half the claims past a 30-day window
    assert mandated_refund_share(30 / np.log(2)) == pytest.approx(0.5, abs=0.1)
