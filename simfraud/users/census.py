"""The census: the user's state written back, and counted for tomorrow.

Crews read tomorrow's targets per (platform, vector) (``PV.eligible_next``, from
``core.vectors.TARGET``); the metrics read users, face-pay users, compromised users
and the privacy groups. Metrics fed: ``facepay_users``, ``facepay_high_privacy``,
``facepay_low_privacy``, ``users_high_privacy``, ``faces_compromised``,
``credentials_compromised``, ``mean_trust``, ``mean_perceived_risk``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simfraud.users.columns import (
    ALWAYS_STEP_UP,
    BARRED_FROM_FACE,
    CREDENTIALS_COMPROMISED,
    FACE_COMPROMISED,
    FACEPAY,
)

HIGH_PRIVACY = 0.5
"""Privacy concern above which a user counts as high-privacy in the metrics (a reporting
threshold: it changes no behaviour)."""


@njit(cache=True, inline="always")
def unpack(flags: np.uint8) -> tuple[bool, bool, bool, bool, bool]:
    """``(facepay, face_compromised, credentials_compromised, barred, always_step_up)``."""
    return ((flags & FACEPAY) != 0, (flags & FACE_COMPROMISED) != 0,
            (flags & CREDENTIALS_COMPROMISED) != 0, (flags & BARRED_FROM_FACE) != 0,
            (flags & ALWAYS_STEP_UP) != 0)


@njit(cache=True, inline="always")
def pack(facepay: bool, face_compromised: bool, credentials_compromised: bool,
         barred: bool, always_step_up: bool) -> np.uint8:
    """The flags byte of a user's state."""
    flags = np.uint8(0)
    if facepay:
        flags |= FACEPAY
    if face_compromised:
        flags |= FACE_COMPROMISED
    if credentials_compromised:
        flags |= CREDENTIALS_COMPROMISED
    if barred:
        flags |= BARRED_FROM_FACE
    if always_step_up:
        flags |= ALWAYS_STEP_UP
    return flags
