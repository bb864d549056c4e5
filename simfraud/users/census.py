"""The census: the user's state written back, and counted for tomorrow.

Crews read tomorrow's targets per (platform, vector) (``PV_ELIGIBLE_NEXT``, from
``core.vectors.TARGET``); the metrics read users, face-pay users, compromised users
and the privacy groups. Metrics fed: ``facepay_users``, ``facepay_high_privacy``,
``facepay_low_privacy``, ``users_high_privacy``, ``faces_compromised``,
``credentials_compromised``, ``mean_trust``, ``mean_perceived_risk``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simfraud.core.vectors import N_VECTORS
from simfraud.users import counters as K
from simfraud.users.attacks import reachable
from simfraud.users.columns import (
    BARRED_FROM_FACE,
    CREDENTIALS_COMPROMISED,
    FACE_COMPROMISED,
    FACEPAY,
)

HIGH_PRIVACY = 0.5
"""Privacy concern above which a user counts as high-privacy in the metrics (a reporting
threshold: it changes no behaviour)."""


@njit(cache=True, inline="always")
def unpack(flags: np.uint8) -> tuple[bool, bool, bool, bool]:
    """``(facepay, face_compromised, credentials_compromised, barred)`` from the flags."""
    return ((flags & FACEPAY) != 0, (flags & FACE_COMPROMISED) != 0,
            (flags & CREDENTIALS_COMPROMISED) != 0, (flags & BARRED_FROM_FACE) != 0)


@njit(cache=True, inline="always")
def pack(facepay: bool, face_compromised: bool, credentials_compromised: bool,
         barred: bool) -> np.uint8:
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
    return flags


@njit(cache=True, inline="always")
def count_tomorrow(c, r: np.int64, ai, af, n_platforms: np.int64, p: np.int64,
                   facepay: bool, face_compromised: bool,
                   credentials_compromised: bool) -> None:
    """Count the user's end-of-day state, without branches on the (unpredictable) flags."""
    on_face = np.int64(facepay)
    high_privacy = np.int64(c.privacy_concern[r] > HIGH_PRIVACY)
    ai[K.pp(n_platforms, p, K.P_USERS_NEXT)] += 1
    ai[K.pp(n_platforms, p, K.P_FACEPAY_NEXT)] += on_face
    face_target = facepay and face_compromised
    for v in range(N_VECTORS):
        ai[K.pv(p, v, K.PV_ELIGIBLE_NEXT)] += np.int64(
            reachable(v, face_target, credentials_compromised))
    ai[K.gl(n_platforms, K.G_CREDENTIALS_COMPROMISED)] += np.int64(credentials_compromised)
    ai[K.gl(n_platforms, K.G_FACES_COMPROMISED)] += np.int64(face_compromised)
    ai[K.gl(n_platforms, K.G_USERS_HIGH_PRIVACY)] += high_privacy
    ai[K.gl(n_platforms, K.G_FACEPAY_HIGH_PRIVACY)] += on_face & high_privacy
    ai[K.gl(n_platforms, K.G_FACEPAY_LOW_PRIVACY)] += on_face & (1 - high_privacy)
    af[p * K.N_FP + K.F_TRUST] += np.float64(c.trust[r])
    af[n_platforms * K.N_FP + K.F_RISK] += np.float64(c.perceived_risk[r])
