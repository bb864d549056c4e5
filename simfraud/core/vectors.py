"""The attack-vector and liveness-level registries every layer reads.

A vector is declared once, in ``VECTOR_SPECS``: whom it can target, which control is
its first line of defence, how step-up verification meets it and what a success
reveals. The schema, the platforms, the crews, the user kernel and the metrics derive
everything from this table, so a new vector is one new line here (plus its defaults in
the schema's per-vector tables). The order of the table is the index used in arrays
and kernels: append, never reorder.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Whom a vector can target.
TARGET_FACE = 0
"""A face-pay user whose face is compromised (the biometric vectors)."""
TARGET_CREDENTIALS = 1
"""A user whose credentials are compromised (a success reveals the takeover)."""
TARGET_ANYONE = 2
"""Anyone: the user is deceived into paying (authorised push payment)."""

# The control that is a vector's first line of defence (platforms strengthen it).
LIVENESS, DEVICE_BINDING, PAYEE_WARNINGS = 0, 1, 2
CONTROLS: tuple[str, ...] = ("liveness", "device_binding", "payee_warnings")

# How step-up verification (a one-time code) meets a vector's attempts.
STEP_UP_OTP = 0
"""The code stops the attempt with the step-up block probability, unless the crew holds
the user's credentials and swaps the SIM (``sim_swap_success``)."""
STEP_UP_HOLD = 1
"""The real user authorises the payment and would enter the code: a code cannot stop it.
A platform that holds risky payments (``step_up.scam_hold_stop``) holds it instead and
questions the payer, which stops it with that probability."""


@dataclass(frozen=True)
class VectorSpec:
    """One attack vector.

    Attributes:
        name: Identifier used in scenario files and results.
        target: ``TARGET_FACE``, ``TARGET_CREDENTIALS`` or ``TARGET_ANYONE``.
        control: The control that guards it (index into ``CONTROLS``).
        step_up: ``STEP_UP_OTP`` or ``STEP_UP_HOLD``.
        authorised: The victim is deceived into paying: their vigilance is a layer, and
            being fooled teaches them.
        description: What the attack is.
    """

    name: str
    target: int
    control: int
    step_up: int
    authorised: bool
    description: str


VECTOR_SPECS: tuple[VectorSpec, ...] = (
    VectorSpec("photo_replay", TARGET_FACE, LIVENESS, STEP_UP_OTP, False,
               "a photo or screen replay of the victim's face"),
    VectorSpec("mask_3d", TARGET_FACE, LIVENESS, STEP_UP_OTP, False,
               "a 3D mask of the victim's face"),
    VectorSpec("deepfake_presentation", TARGET_FACE, LIVENESS, STEP_UP_OTP, False,
               "a face swap shown to the camera"),
    VectorSpec("deepfake_injection", TARGET_FACE, LIVENESS, STEP_UP_OTP, False,
               "a face swap injected through a virtual camera or emulator"),
    VectorSpec("account_takeover", TARGET_CREDENTIALS, DEVICE_BINDING, STEP_UP_OTP, False,
               "stolen credentials with a one-time code or a SIM swap"),
    VectorSpec("social_engineering", TARGET_ANYONE, PAYEE_WARNINGS, STEP_UP_HOLD, True,
               "the real user is deceived into paying (authorised push payment)"),
)
"""Attack vectors, in array order."""

VECTORS: tuple[str, ...] = tuple(v.name for v in VECTOR_SPECS)
"""Vector names, in array order."""
N_VECTORS = len(VECTORS)
BIOMETRIC_VECTORS: tuple[str, ...] = tuple(v.name for v in VECTOR_SPECS
                                           if v.target == TARGET_FACE)
"""Vectors that need a compromised face and a face-pay user (the first in array order)."""
N_BIOMETRIC = len(BIOMETRIC_VECTORS)
INJECTION = VECTORS.index("deepfake_injection")
"""The vector only injection detection stops."""
PRESENTATION = VECTORS.index("deepfake_presentation")
"""The face swap shown to the camera (with injection, the deepfakes that beat a face
check as step-up in an account takeover)."""

# Per-vector arrays for the kernels (numba reads global arrays as constants).
TARGET = np.array([v.target for v in VECTOR_SPECS], dtype=np.int64)
CONTROL = np.array([v.control for v in VECTOR_SPECS], dtype=np.int64)
STEP_UP = np.array([v.step_up for v in VECTOR_SPECS], dtype=np.int64)
AUTHORISED = np.array([v.authorised for v in VECTOR_SPECS], dtype=np.bool_)

LIVENESS_LEVELS: tuple[str, ...] = ("none", "passive_2d", "active", "depth_3d")
"""Liveness levels from weakest to strongest; injection detection is a separate switch."""

assert VECTORS[:N_BIOMETRIC] == BIOMETRIC_VECTORS, "biometric vectors come first"
