"""Refunds and liability: who pays for a successful fraud, split by provider.

Parameters: ``platforms[].reimbursement`` (voluntary policy, cap, vectors),
``regulator.instruments.mandatory_reimbursement`` (when in force: cap, excess,
receiving share, gross-negligence share, vectors) and ``attackers.mule_recovery_share``.
Stage of the user day: ``refund_split`` for each successful fraud (called by
``attacks.attack_user``). Metrics fed: ``refunded``, ``refunded_sending``,
``refunded_receiving``, ``user_loss``, ``recovered``.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simfraud.core.vectors import VECTORS

POLICY_NONE = 0
POLICY_FULL = 1
POLICY_CAPPED = 2
POLICY_SHARE = 3
POLICY_CODES = {"none": POLICY_NONE, "voluntary_full": POLICY_FULL, "capped": POLICY_CAPPED,
                "share": POLICY_SHARE}
BPS = 10_000

RefundInputs = namedtuple("RefundInputs", [
    "voluntary_policy",       # per (platform, vector): POLICY_* of the sending provider
    "voluntary_cap",          # per platform: ceiling of the capped voluntary policy
    "voluntary_share_bps",    # per platform: share refunded under the share policy
    "mandated",               # per vector: 1 when a mandate in force covers it
    "mandate_cap",            # mandated refund ceiling
    "mandate_excess",         # amount the victim bears under the mandate
    "mandate_receiving_bps",  # receiving provider's share of a mandated refund
    "negligence",             # share of claims refused for gross negligence
    "recovery_bps",           # share of stolen money frozen at mule accounts
])


def refund_inputs(scenario, platforms, mandated: np.ndarray) -> RefundInputs:
    """The refund stage's inputs.

    Args:
        scenario: The scenario in force.
        platforms: Platform agents in index order (their reimbursement blocks).
        mandated: Per vector, 1 when a mandate in force covers it (``Rules.mandated``).
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
        mandated=mandated,
        mandate_cap=np.int64(mandate.cap),
        mandate_excess=np.int64(mandate.excess),
        mandate_receiving_bps=np.int64(round(mandate.receiving_share * BPS)),
        negligence=float(mandate.gross_negligence_share),
        recovery_bps=np.int64(round(scenario.attackers.mule_recovery_share * BPS)),
    )


@njit(cache=True, inline="always")
def refund_split(amount: np.int64, mandated: bool, cap: np.int64, excess: np.int64,
                 receiving_bps: np.int64, claim_refused: bool, voluntary_policy: np.int64,
                 voluntary_cap: np.int64, voluntary_share_bps: np.int64
                 ) -> tuple[np.int64, np.int64]:
    """Refund of one fraud, split between the sending and receiving provider.

    The mandated refund is ``min(max(amount - excess, 0), cap)`` unless the claim is
    refused (gross negligence); the receiving provider pays ``receiving_bps`` of it,
    rounded down. A more generous voluntary policy of the sending provider tops it up.

    Args:
        amount: Amount stolen (minor units).
        mandated: Whether a refund mandate covers this fraud.
        cap: Mandated refund ceiling.
        excess: Amount the victim bears under the mandate.
        receiving_bps: Receiving provider's share of the mandated refund, basis points.
        claim_refused: The claim falls under the gross-negligence exception.
        voluntary_policy: ``POLICY_NONE``, ``POLICY_FULL``, ``POLICY_CAPPED`` or
            ``POLICY_SHARE``.
        voluntary_cap: Ceiling of the capped voluntary policy.
        voluntary_share_bps: Share refunded under the share policy, basis points.

    Returns:
        ``(sending, receiving)`` refunds in minor units; their sum never exceeds amount.
    """
    mandatory = np.int64(0)
    if mandated and not claim_refused:
        mandatory = min(max(amount - excess, np.int64(0)), cap)
    voluntary = np.int64(0)
    if voluntary_policy == POLICY_FULL:
        voluntary = amount
    elif voluntary_policy == POLICY_CAPPED:
        voluntary = min(amount, voluntary_cap)
    elif voluntary_policy == POLICY_SHARE:
        voluntary = amount * voluntary_share_bps // BPS
    total = max(mandatory, voluntary)
    receiving = mandatory * receiving_bps // BPS
    return total - receiving, receiving
