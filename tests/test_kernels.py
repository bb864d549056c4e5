"""Each kernel mechanism against a plain-Python statement of the same rule."""

import numpy as np
import pytest

from simfraud.core.rng import entity_key, exponential
from simfraud.users.attacks import exponential_amount
from simfraud.users.attitudes import (
    choose_platform,
    facepay_utility,
    update_risk,
    update_trust,
    update_vigilance,
)
from simfraud.users.authentication import (
    STOPPED_MONITORING,
    STOPPED_PAYEE,
    STOPPED_PRIMARY,
    STOPPED_STEP_UP,
    SUCCESS,
    resolve_layers,
)
from simfraud.users.contest import tullock
from simfraud.users.refunds import (
    POLICY_ASSESSED,
    POLICY_CAPPED,
    POLICY_FULL,
    POLICY_NONE,
    POLICY_SHARE,
    refund_split,
)

rng = np.random.default_rng(0)


def refund_ref(amount, mandated, cap, excess, bps, assessment, refused, policy, vcap,
               share_bps, grant):
    mandatory = min(max(amount - excess, 0), cap) if mandated and assessment >= refused else 0
    voluntary = {POLICY_NONE: 0, POLICY_FULL: amount, POLICY_CAPPED: min(amount, vcap),
                 POLICY_SHARE: amount * share_bps // 10_000,
                 POLICY_ASSESSED: amount if assessment >= 1 - grant else 0}[policy]
    total = max(mandatory, voluntary)
    receiving = (mandatory * bps) // 10_000
    return total - receiving, receiving


@pytest.mark.parametrize("case", range(400))
def test_refund_split_matches_reference(case):
    amount = int(rng.integers(1, 10_000_000))
    args = (amount, bool(rng.integers(2)), int(rng.integers(0, 9_000_000)),
            int(rng.integers(0, 20_000)), int(rng.integers(0, 10_001)), rng.random(),
            rng.random(), int(rng.integers(5)), int(rng.integers(0, 500_000)),
            int(rng.integers(0, 10_001)), rng.random())
    sending, receiving = refund_split(np.int64(args[0]), *args[1:])
    assert (sending, receiving) == refund_ref(*args)
    assert 0 <= sending + receiving <= amount


def test_refund_split_uk_psr_example():
    # 85,000 GBP cap, 100 GBP excess, 50:50 split: a 2,000 GBP scam refunds 1,900 GBP.
    sending, receiving = refund_split(np.int64(200_000), True, 8_500_000, 10_000, 5_000,
                                      0.5, 0.05, POLICY_NONE, 0, 0, 0.0)
    assert (sending, receiving) == (95_000, 95_000)


def test_refund_split_share_policy_refunds_that_share_of_the_loss():
    # The CRM-code share of 2022 (59%): a 1,000.01 GBP scam refunds 590.00 GBP, rounded down.
    sending, receiving = refund_split(np.int64(100_001), False, 0, 0, 5_000, 0.5, 0.05,
                                      POLICY_SHARE, 0, 5_900, 0.0)
    assert (sending, receiving) == (59_000, 0)


@pytest.mark.parametrize(("assessment", "refunded"), [(0.87, 0), (0.88, 100_001), (0.99, 100_001)])
def test_refund_split_assessed_policy_grants_the_strongest_claims_in_full(assessment, refunded):
    # Reg E banks grant 12% of scam disputes: the claims whose assessment is in the top 12%.
    sending, receiving = refund_split(np.int64(100_001), False, 0, 0, 0, assessment, 0.05,
                                      POLICY_ASSESSED, 0, 0, 0.12)
    assert (sending, receiving) == (refunded, 0)


def layers_ref(u1, p1, step, u2, b, u3, d, payee):
    if not u1 < p1:
        return STOPPED_PRIMARY
    if step and u2 < b:
        return STOPPED_STEP_UP
    if u3 < d:
        return STOPPED_MONITORING
    if (u3 - d) / (1.0 - d) < payee:  # of what monitoring let through, the payee share
        return STOPPED_PAYEE
    return SUCCESS


def test_resolve_layers_matches_reference():
    for k in range(4000):
        args = (rng.random(), rng.random(), bool(rng.integers(2)), rng.random(), rng.random(),
                rng.random(), rng.random(), 0.0 if k % 2 else rng.random())
        got, expected = resolve_layers(*args), layers_ref(*args)
        u3, d, payee = args[5:]
        if abs((u3 - d) / (1.0 - d) - payee) > 1e-9:  # away from the boundary's rounding
            assert got == expected


def test_exponential_amount_rounds_the_slots_exponential_and_has_the_mean():
    key = np.uint64(entity_key(np.uint64(3), 1, 5))
    for draw in range(500):
        expected = max(1, round(2500.0 * exponential(key, draw)))
        assert exponential_amount(2500.0, key, draw) == expected
    amounts = np.array([exponential_amount(2500.0, np.uint64(entity_key(np.uint64(9), 1, i)), 1)
                        for i in range(50_000)])
    assert amounts.min() >= 1
    assert abs(amounts.mean() / 2500 - 1) < 0.03


def test_behaviour_rules_match_reference():
    for _ in range(1000):
        v, base, dec, learn = rng.random(4)
        fooled = bool(rng.integers(2))
        expected = v + dec * (base - v)
        expected += learn * (1 - expected) if fooled else 0
        assert update_vigilance(v, base, dec, learn, fooled) == pytest.approx(expected, abs=1e-12)

        r, decay, bg, shock, wom, media = rng.random(6) * [1, 0.1, 0.3, 1, 0.1, 0.05]
        victim, contacts = bool(rng.integers(2)), int(rng.integers(0, 7))
        expected = r + decay * (bg - r) + wom * contacts + media + (shock if victim else 0)
        assert update_risk(r, decay, bg, shock, victim, wom, contacts, media) == pytest.approx(
            min(max(expected, 0), 1), abs=1e-12)

        t, rec, hit, share, fr_hit = rng.random(5)
        fr = int(rng.integers(0, 2))
        expected = t + rec * (1 - t) - hit * share - fr_hit * fr
        assert update_trust(t, rec, hit, share, fr_hit, fr) == pytest.approx(
            min(max(expected, 0), 1), abs=1e-12)

        c, push, w, priv, risk, fw, fr2 = rng.random(7)
        assert facepay_utility(c, push, w, priv, risk, fw, fr2) == pytest.approx(
            c + push - w * priv * risk - fw * fr2, abs=1e-12)


def test_choose_platform_never_keeps_the_current_one_and_follows_shares():
    cumulative = np.cumsum([0.5, 0.3, 0.2])
    picks = [choose_platform(u, cumulative, 0) for u in rng.random(20_000)]
    assert 0 not in picks
    share_1 = picks.count(1) / len(picks)
    assert abs(share_1 - 0.8) < 0.02  # the current platform's share goes to the next one


def test_tullock_contest():
    assert tullock(1.0, 1.0, 2.0) == pytest.approx(0.5)
    assert tullock(2.0, 0.0, 2.0) == 1.0
    assert tullock(0.0, 1.0, 2.0) == 0.0
    q, d, r = rng.random(100) * 5, rng.random(100) * 5 + 0.01, 3.0
    assert np.allclose(tullock(q, d, r), q**r / (q**r + d**r))
