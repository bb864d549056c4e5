"""The user column registry: every per-user column, its dtype and its meaning.

The columnar engine holds one array per column; the agent engine gives each
``UserAgent`` its own length-1 arrays of the same columns, so the numba behaviour code
is shared between engines. Flags are bits of one ``uint8`` column.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import dataclass

import numpy as np

# Bits of the ``flags`` column.
FACEPAY = np.uint8(1)
"""Uses face authentication."""
FACE_COMPROMISED = np.uint8(2)
"""The face is in attackers' hands: permanent, a face cannot be reset."""
CREDENTIALS_COMPROMISED = np.uint8(4)
"""Credentials phished or breached: cleared when the user notices and resets them."""
BARRED_FROM_FACE = np.uint8(8)
"""Moved off face-only authentication after a breach; may not re-enrol."""
ALWAYS_STEP_UP = np.uint8(16)
"""After a face attack, every payment of the user needs step-up (``step_up`` response)."""


@dataclass(frozen=True)
class Column:
    """One per-user column."""

    name: str
    dtype: type
    description: str


COLUMNS: tuple[Column, ...] = (
    Column("platform", np.int8, "index of the user's payment platform"),
    Column("segment", np.int8, "index of the user's segment"),
    Column("flags", np.uint8, "bit flags: face pay, face/credential compromise, barred, step-up"),
    Column("victim_prev", np.uint8, "1 when defrauded the previous day (read by contacts)"),
    Column("victim_now", np.uint8, "1 when defrauded today (becomes victim_prev tomorrow)"),
    Column("face_exposure", np.float32, "public imagery of the face, scales harvesting"),
    Column("vigilance", np.float32, "resistance to social engineering"),
    Column("privacy_concern", np.float32, "weight of face-data risk against face pay"),
    Column("convenience", np.float32, "preference for face-pay convenience"),
    Column("trust", np.float32, "trust in the current platform"),
    Column("perceived_risk", np.float32, "perceived risk of face pay"),
    Column("friction", np.float32, "remembered false rejects (decaying)"),
    Column("loss", np.int64, "cumulative amount stolen from the user (minor units)"),
    Column("refunded", np.int64, "cumulative amount refunded to the user (minor units)"),
    Column("false_rejects", np.int32, "false rejects suffered"),
)
"""All user columns, in the order of :class:`UserColumns`."""

UserColumns = namedtuple("UserColumns", [c.name for c in COLUMNS])
"""Arrays of every user column (numba-friendly)."""


def allocate(n: int) -> UserColumns:
    """Allocate zeroed columns for ``n`` users.

    Args:
        n: Number of users.

    Returns:
        A :class:`UserColumns` of length-``n`` arrays.
    """
    return UserColumns(*(np.zeros(n, dtype=c.dtype) for c in COLUMNS))


def row(columns: UserColumns, index: int) -> UserColumns:
    """Copy one user's row into length-1 arrays (the agent engine's per-agent state).

    Args:
        columns: Population columns.
        index: User index.

    Returns:
        A :class:`UserColumns` of length-1 arrays owned by the caller.
    """
    return UserColumns(*(array[index : index + 1].copy() for array in columns))
