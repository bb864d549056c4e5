"""Refunds and liability: who pays for a successful fraud, split by provider.

Parameters: ``platforms[].reimbursement`` (voluntary policy, cap, vectors),
``behaviour.claim_without_refund`` (whether a victim claims, with the refund prospect),
``regulator.instruments.mandatory_reimbursement`` (when in force: cap, excess,
receiving share, gross-negligence share, claim window, vectors),
``behaviour.mean_claim_delay_days`` and ``attackers.mule_recovery_share``.
Stage of the user day (``users_day``): ``claim_probability`` and ``refund_split`` for
each successful fraud. Metrics fed: ``claims``, ``refunded``, ``refunded_sending``,
``refunded_receiving``, ``user_loss``, ``recovered``.
"""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np
from numba import njit

from simfraud.core.amounts import limited_mean
from simfraud.core.vectors import VECTORS
from simfraud.users.attacks import amount_shapes

POLICY_NONE = 0
POLICY_FULL = 1
POLICY_CAPPED = 2
POLICY_SHARE = 3
POLICY_ASSESSED = 4
POLICY_CODES = {"none": POLICY_NONE, "voluntary_full": POLICY_FULL, "capped": POLICY_CAPPED,
                "share": POLICY_SHARE, "assessed": POLICY_ASSESSED}
BPS = 10_000

RefundInputs = namedtuple("RefundInputs", [
    "voluntary_policy",       # per (platform, vector): POLICY_* of the sending provider
    "voluntary_cap",          # per platform: ceiling of the capped voluntary policy
    "voluntary_share_bps",    # per platform: share refunded under the share policy
    "voluntary_grant",        # per platform: share of claims granted under the assessed policy
    "mandated",               # per vector: 1 when a mandate in force covers it
    "mandate_cap",            # mandated refund ceiling
    "mandate_excess",         # amount the victim bears under the mandate
    "mandate_receiving_bps",  # receiving provider's share of a mandated refund
    "refused",                # share of mandated claims refused: negligence or too late
    "recovery_bps",           # share of stolen money frozen at mule accounts
    "prospect",               # per (platform, vector): expected refunded share of a fraud
    "claim_base",             # chance a victim who expects nothing back claims
])


def refund_constants(scenario, platforms) -> RefundInputs:
    """The refund inputs that depend on the scenario alone (the others are None).

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order (their reimbursement blocks).
    """
    mandate = scenario.regulator.instruments.mandatory_reimbursement
    voluntary = np.array([
        [POLICY_CODES[p.config.reimbursement.policy] if v in p.config.reimbursement.vectors
         else 0 for v in VECTORS]
        for p in platforms
    ], dtype=np.int64)
    return RefundInputs(
        voluntary_policy=voluntary,
        voluntary_cap=np.array([p.config.reimbursement.cap for p in platforms], dtype=np.int64),
        voluntary_share_bps=np.array([round(p.config.reimbursement.share * BPS)
                                      for p in platforms], dtype=np.int64),
        voluntary_grant=np.array([p.config.reimbursement.grant_share for p in platforms],
                                 dtype=np.float64),
        prospect=None,
        claim_base=float(scenario.behaviour.claim_without_refund),
        mandated=None,
        mandate_cap=np.int64(mandate.cap),
        mandate_excess=np.int64(mandate.excess),
        mandate_receiving_bps=np.int64(round(mandate.receiving_share * BPS)),
        refused=refused_share(mandate, scenario.behaviour),
        recovery_bps=None,
    )


def refund_inputs(scenario, platforms, mandated: np.ndarray,
                  constants: RefundInputs | None = None,
                  prospect: np.ndarray | None = None) -> RefundInputs:
    """The refund stage's inputs.

    The share of stolen money frozen at mule accounts is the market's
    (``user_weighted_share``; ``model.inbound_controls``): what each platform's mule-account
    detection freezes, weighted by its users.

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order (their reimbursement blocks).
        mandated: Per vector, 1 when a mandate in force covers it (``Rules.mandated``).
        constants: ``refund_constants`` of this scenario (built when None).
        prospect: ``refund_prospect`` of this scenario and ``mandated`` (built when None).
    """
    if constants is None:
        constants = refund_constants(scenario, platforms)
    if prospect is None:
        prospect = refund_prospect(scenario, platforms, mandated)
    return constants._replace(
        prospect=prospect,
        mandated=mandated,
        recovery_bps=np.int64(round(user_weighted_share(
            [p.mule_recovery_share(scenario.attackers.mule_recovery_share) for p in platforms],
            [p.users for p in platforms]) * BPS)),
    )


def refund_prospect(scenario, platforms, mandated: np.ndarray) -> np.ndarray:
    """The refunded share a victim expects, per (platform, vector).

    The expected refund over the expected amount, for the vector's heavy-tailed amounts
    (``users.attacks.amount_shapes``, mean ``m``): the larger of the mandated share
    ``(L(excess + cap) - L(excess)) / m``, with ``L(x) = E[min(X, x)]``
    (``core.amounts.limited_mean``), times the chance the claim is not refused
    (``refused_share``: gross negligence, or too late), and the sending platform's
    voluntary share (1, the policy's share, the assessed policy's granted share of claims,
    or ``L(cap) / m`` when capped). Users know it
    (``behaviour.moral_hazard``, ``behaviour.claim_without_refund``).

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order (their reimbursement blocks).
        mandated: Per vector, 1 when a mandate in force covers it.
    """
    mandate = scenario.regulator.instruments.mandatory_reimbursement
    shapes = amount_shapes(scenario.attackers)
    mean = np.array([max(getattr(scenario.attackers.mean_fraud_amount, v), 1) for v in VECTORS],
                    dtype=np.float64)

    def capped_share(excess: int, cap: int) -> np.ndarray:
        return np.array([limited_mean(float(excess + cap), *shape)
                         - limited_mean(float(excess), *shape) for shape in shapes]) / mean

    mandated_share = (np.asarray(mandated, dtype=np.float64)
                      * capped_share(mandate.excess, mandate.cap)
                      * (1.0 - refused_share(mandate, scenario.behaviour)))
    prospect = np.zeros((len(platforms), len(VECTORS)))
    for k, platform in enumerate(platforms):
        policy = platform.config.reimbursement
        voluntary = {"none": 0.0, "voluntary_full": 1.0, "share": policy.share,
                     "assessed": policy.grant_share, "capped": 0.0}[policy.policy]
        if policy.policy == "capped":
            voluntary = capped_share(0, policy.cap)
        covered = np.array([v in policy.vectors for v in VECTORS], dtype=np.float64)
        prospect[k] = np.maximum(mandated_share, covered * voluntary)
    return prospect


def refused_share(mandate, behaviour) -> float:
    """Share of mandated claims refused: for gross negligence, or made after the window.

    A victim claims after an exponential delay of mean ``behaviour.mean_claim_delay_days``,
    so ``exp(-window / mean)`` of claims come too late; refusals for negligence and for
    lateness are independent. With no delay the share is the negligence share itself.

    Args:
        mandate: ``regulator.instruments.mandatory_reimbursement``.
        behaviour: The scenario's ``behaviour`` block.
    """
    negligence = float(mandate.gross_negligence_share)
    if behaviour.mean_claim_delay_days <= 0:
        return negligence
    late = math.exp(-mandate.claim_window_days / behaviour.mean_claim_delay_days)
    return 1.0 - (1.0 - negligence) * (1.0 - late)


def user_weighted_share(shares: list[float], users: list[int]) -> float:
    """The market's share of an inbound control (frozen or held) over the platforms.

    Mule accounts are opened at the platforms in proportion to their users, so a fraud's
    proceeds meet each platform's inbound controls with that weight.

    Args:
        shares: Each platform's share (frozen, or held).
        users: Each platform's users (mule accounts are opened in proportion).

    Returns:
        The user-weighted mean share (the plain mean before any user is counted).
    """
    total = sum(users)
    if total <= 0:
        return sum(shares) / len(shares)
    return sum(share * n for share, n in zip(shares, users, strict=True)) / total


@njit(cache=True, inline="always")
def claim_probability(claim_base: float, prospect: float) -> float:
    """Chance a victim claims a refund from (reports the fraud to) their provider.

    It is ``claim_base`` when they expect nothing back and rises linearly to 1 with the
    expected refunded share ``prospect``.
    """
    return claim_base + (1.0 - claim_base) * prospect


@njit(cache=True, inline="always")
def refund_split(amount: np.int64, mandated: bool, cap: np.int64, excess: np.int64,
                 receiving_bps: np.int64, assessment: float, refused: float,
                 voluntary_policy: np.int64, voluntary_cap: np.int64,
                 voluntary_share_bps: np.int64, voluntary_grant: float
                 ) -> tuple[np.int64, np.int64]:
    """Refund of one fraud, split between the sending and receiving provider.

    The claim's ``assessment`` is one uniform draw: the stronger the claim, the higher
    it is. The mandated refund is ``min(max(amount - excess, 0), cap)`` unless the claim
    is refused (``assessment < refused``: gross negligence, or claimed after the window);
    the receiving provider pays ``receiving_bps`` of it, rounded down. A more generous
    voluntary policy of the sending provider tops it up; the assessed policy grants the
    strongest ``voluntary_grant`` of claims in full (``assessment >= 1 - voluntary_grant``),
    so a claim the mandate refuses is granted voluntarily only when the bank's policy is
    more generous than the mandate's test.

    Args:
        amount: Amount stolen (minor units).
        mandated: Whether a refund mandate covers this fraud.
        cap: Mandated refund ceiling.
        excess: Amount the victim bears under the mandate.
        receiving_bps: Receiving provider's share of the mandated refund, basis points.
        assessment: The claim's assessment draw, uniform on [0, 1).
        refused: Share of mandated claims refused (gross negligence, or too late).
        voluntary_policy: ``POLICY_NONE``, ``POLICY_FULL``, ``POLICY_CAPPED``,
            ``POLICY_SHARE`` or ``POLICY_ASSESSED``.
        voluntary_cap: Ceiling of the capped voluntary policy.
        voluntary_share_bps: Share refunded under the share policy, basis points.
        voluntary_grant: Share of claims granted in full under the assessed policy.

    Returns:
        ``(sending, receiving)`` refunds in minor units; their sum never exceeds amount.
    """
    mandatory = np.int64(0)
    if mandated and not assessment < refused:
        mandatory = min(max(amount - excess, np.int64(0)), cap)
    voluntary = np.int64(0)
    if voluntary_policy == POLICY_FULL:
        voluntary = amount
    elif voluntary_policy == POLICY_CAPPED:
        voluntary = min(amount, voluntary_cap)
    elif voluntary_policy == POLICY_SHARE:
        voluntary = amount * voluntary_share_bps // BPS
    elif voluntary_policy == POLICY_ASSESSED and assessment >= 1.0 - voluntary_grant:
        voluntary = amount
    total = max(mandatory, voluntary)
    receiving = mandatory * receiving_bps // BPS
    return total - receiving, receiving
