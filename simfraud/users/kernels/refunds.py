"""Who pays for a successful fraud: mandated and voluntary refunds, split by provider."""

from __future__ import annotations

import numpy as np
from numba import njit

POLICY_NONE = 0
POLICY_FULL = 1
POLICY_CAPPED = 2
POLICY_CODES = {"none": POLICY_NONE, "voluntary_full": POLICY_FULL, "capped": POLICY_CAPPED}
BPS = 10_000


@njit(cache=True, inline="always")
def refund_split(amount: np.int64, mandated: bool, cap: np.int64, excess: np.int64,
                 receiving_bps: np.int64, claim_refused: bool, voluntary_policy: np.int64,
                 voluntary_cap: np.int64) -> tuple[np.int64, np.int64]:
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
        voluntary_policy: ``POLICY_NONE``, ``POLICY_FULL`` or ``POLICY_CAPPED``.
        voluntary_cap: Ceiling of the capped voluntary policy.

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
    total = max(mandatory, voluntary)
    receiving = mandatory * receiving_bps // BPS
    return total - receiving, receiving
