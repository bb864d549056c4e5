"""The attack vectors, liveness levels and layer names shared by every module.

The order of each tuple is the index used in arrays and kernels; append, never reorder.
"""

from __future__ import annotations

VECTORS: tuple[str, ...] = (
    "photo_replay",
    "mask_3d",
    "deepfake_presentation",
    "deepfake_injection",
    "account_takeover",
    "social_engineering",
)
"""Attack vectors, in array order."""

N_VECTORS = len(VECTORS)
BIOMETRIC_VECTORS: tuple[str, ...] = VECTORS[:4]
"""Vectors that need a compromised face and a face-pay user."""
ACCOUNT_TAKEOVER = VECTORS.index("account_takeover")
SOCIAL_ENGINEERING = VECTORS.index("social_engineering")
N_BIOMETRIC = len(BIOMETRIC_VECTORS)

LIVENESS_LEVELS: tuple[str, ...] = ("none", "passive_2d", "active", "depth_3d")
"""Liveness levels from weakest to strongest; injection detection is a separate switch."""
