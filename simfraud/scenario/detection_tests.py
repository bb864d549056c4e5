"""Published detection tests behind the liveness and injection-detection strengths.

A detection test reports an attack presentation classification error rate (APCER): the
share of attack presentations a check accepted, at the attack instruments it was tested
with. The model resolves an attack as a Tullock contest (docs/model.md, section 3.3): a
tool of quality ``q`` beats a defence of strength ``d`` with probability
``q^r / (q^r + d^r)``. Inverted at a reference tool quality, a test's APCER gives the
strength at which a tool of that quality passes as often as the test's instruments did::

    d = q_ref * ((1 - APCER) / APCER) ** (1 / r)

The reference quality of a vector is the crews' day-0 tool of that vector
(``attackers.initial_tool_quality``): the tests' instruments are the commodity tools of
their time (printed photos, screen replays, masks up to 300 USD), the kind a crew holds on
day 0. ``r`` is the default ``defences.contest_decisiveness``. Both are repeated here
(the schema imports this module) and a test keeps them equal to the schema's defaults.

Every (liveness level, vector) pair and injection detection is either derived from a
test's APCER or, where no published test reports one, an argued value whose source says
so. No frequency statistic (how often an attack is seen) stands in for a detection rate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from simfraud.core.vectors import BIOMETRIC_VECTORS

DECISIVENESS = 2.0
"""Tullock decisiveness ``r`` the strengths are derived at (the schema's default)."""
REFERENCE_QUALITY: dict[str, float] = {
    "photo_replay": 1.0, "mask_3d": 0.8, "deepfake_presentation": 0.6,
    "deepfake_injection": 0.4,
}
"""Tool quality a test's instruments stand for, per biometric vector: the day-0 tools."""
CONFIDENCE = 0.95
"""One-sided confidence of the upper bound on a rate from a test with no success."""


def zero_success_bound(attempts: int, confidence: float = CONFIDENCE) -> float:
    """Largest true APCER still consistent with no accepted attack in ``attempts`` tries.

    The exact (Clopper-Pearson) one-sided bound ``1 - (1 - confidence)^(1/n)``: 1.98% for
    150 attempts at 95% (the rule of three gives 2%).
    """
    return 1.0 - (1.0 - confidence) ** (1.0 / attempts)


def attempts_for(apcer: float, confidence: float = CONFIDENCE) -> int:
    """Fewest attack attempts, all rejected, that bound the true APCER below ``apcer``."""
    return math.ceil(math.log(1.0 - confidence) / math.log(1.0 - apcer))


def strength_for(apcer: float, quality: float, decisiveness: float = DECISIVENESS) -> float:
    """Strength at which a tool of ``quality`` passes with probability ``apcer``.

    The inverse of the contest ``q^r / (q^r + d^r)`` in ``d``.
    """
    if not 0.0 < apcer < 1.0:
        raise ValueError(f"an APCER strictly between 0 and 1 is needed, got {apcer}")
    return quality * ((1.0 - apcer) / apcer) ** (1.0 / decisiveness)


def apcer_at(strength: float, quality: float, decisiveness: float = DECISIVENESS) -> float:
    """Share of attacks with a tool of ``quality`` that a check of ``strength`` accepts."""
    q, d = quality ** decisiveness, strength ** decisiveness
    return q / (q + d)


@dataclass(frozen=True)
class DetectionTest:
    """One published detection test or certification criterion.

    Attributes:
        name: Short name (``"iBeta PAD level 1"``).
        measured: What was measured, against which instruments, and the result.
        citation: Where it is published.
        apcer: The attack error rate the result supports, or None when the test
            publishes no rate that a strength could be derived from.
    """

    name: str
    measured: str
    citation: str
    apcer: float | None


IBETA_ATTEMPTS_PER_SPECIES = 150
"""Attacks per presentation attack instrument species in an iBeta test."""

IBETA_LEVEL_1 = DetectionTest(
    "iBeta PAD level 1",
    "ISO/IEC 30107-3 conformance: 150 attacks per species (printed photos, photos and "
    "videos on screens; materials up to 30 USD, 8 hours per species), 0 accepted allowed; "
    "0 of 150 bounds the APCER at 1.98% (exact 95% bound)",
    "iBeta Quality Assurance, ISO/IEC 30107-3 PAD confirmation letters, test levels "
    "(ibeta.com/iso-30107-3-presentation-attack-detection-confirmation-letters)",
    zero_success_bound(IBETA_ATTEMPTS_PER_SPECIES),
)
IBETA_LEVEL_2 = DetectionTest(
    "iBeta PAD level 2",
    "ISO/IEC 30107-3 conformance: 150 attacks per species (3D masks, latex and silicone "
    "masks, 3D prints; materials up to 300 USD, 2-4 days per species), APCER at most 1%",
    "iBeta Quality Assurance, ISO/IEC 30107-3 PAD confirmation letters, test levels "
    "(ibeta.com/iso-30107-3-presentation-attack-detection-confirmation-letters)",
    0.01,
)
MASK_DETECTORS_2020 = DetectionTest(
    "3D-mask detectors 2020",
    "APCER against 3D face masks of six detectors: 97.2%, 73.6% and 48.6% for the three "
    "working on colour camera images (MTA, CTA and T-PAD), 8.3%, 41.7% and 4.2% with "
    "multispectral, light-field and plenoptic sensors (BPCER 1.1% to 8.9%); the median of "
    "the colour-image detectors, 73.6%, is used",
    "IEEE Access 8 (2020) 59007-59014, doi:10.1109/access.2020.2980755, Table 1 "
    "(docs/brief.md: 'academic survey, 2020')",
    0.736,
)
RIVR_2026 = DetectionTest(
    "DHS RIVR 2026",
    "field test of remote liveness (Maryland Test Facility, phase 3): of 12 passive "
    "systems 1 met the APCER threshold, of 6 active systems 2 met it and 1 more met the "
    "goal; the threshold's value and the systems' APCERs are not in the published summary",
    "DHS S&T Remote Identity Validation Rally, phase 3 results, via BiometricUpdate, "
    "11 Mar 2026",
    None,
)
FATE_PAD_2023 = DetectionTest(
    "NIST FATE PAD",
    "82 passive, software-only PAD algorithms of 45 developers on 2D images of "
    "presentation attack instruments (impersonation and evasion); injection and hardware "
    "(depth) PAD are outside its scope; no APCER figure could be found in the sources "
    "consulted",
    "NIST IR 8491 (2023), Face Analysis Technology Evaluation part 10",
    None,
)
INJECTION_2025 = DetectionTest(
    "CEN/TS 18099 injection attack detection",
    "CEN/TS 18099:2024 defines how injection attack detection is tested (no pass "
    "threshold); the one published evaluation found (iProov, CEN/TS 18099 High and "
    "Ingenium level 4, 2025) accepted no injection over 40 days with at least 3 injection "
    "methods and 15 instruments at BPCER 1.3%, but does not publish the number of attempts, "
    "so it bounds no rate",
    "CEN/TS 18099:2024 Biometric data injection attack detection; iProov infosheet "
    "'Injection Attack Resilience in Liveness: Proven, Not Assumed' (2025)",
    None,
)

TESTS: tuple[DetectionTest, ...] = (IBETA_LEVEL_1, IBETA_LEVEL_2, MASK_DETECTORS_2020,
                                    RIVR_2026, FATE_PAD_2023, INJECTION_2025)
"""Every test the strengths cite (docs/model.md lists them)."""

DERIVED: dict[tuple[str, str], DetectionTest] = {
    ("passive_2d", "photo_replay"): IBETA_LEVEL_1,
    ("passive_2d", "mask_3d"): MASK_DETECTORS_2020,
    ("depth_3d", "mask_3d"): IBETA_LEVEL_2,
}
"""(level, vector) pairs whose strength a test's APCER gives."""

_NO_INJECTION_TEST = ("presentation attack tests (ISO/IEC 30107-3, iBeta, NIST FATE PAD) "
                      "exclude injection by scope, and no test of liveness alone against "
                      "injection was found")
ARGUED: dict[tuple[str, str], tuple[float, str]] = {
    ("passive_2d", "deepfake_presentation"): (
        0.6, "no published APCER of passive liveness against face swaps shown to the "
        "camera; DHS RIVR 2026 (11 of 12 passive systems above the APCER threshold) "
        "requires only that day-0 face swaps pass often"),
    ("passive_2d", "deepfake_injection"): (0.3, _NO_INJECTION_TEST),
    ("active", "photo_replay"): (
        12.0, "no level-specific APCER; above the iBeta level-1 strength of passive "
        "liveness because DHS RIVR 2026 found active systems better (3 of 6 at the APCER "
        "threshold or goal against 1 of 12 passive)"),
    ("active", "mask_3d"): (
        1.5, "no published APCER of challenge-response liveness against 3D masks (a mask "
        "wearer can blink and turn); between the colour-image detectors and iBeta level 2"),
    ("active", "deepfake_presentation"): (
        2.0, "no published APCER; a face swap can follow a challenge, so active liveness "
        "gains less against it than against photos"),
    ("active", "deepfake_injection"): (0.8, _NO_INJECTION_TEST),
    ("depth_3d", "photo_replay"): (
        20.0, "no separate APCER; a flat photo has no depth, so above the iBeta level-1 "
        "and level-2 strengths"),
    ("depth_3d", "deepfake_presentation"): (
        5.0, "no published APCER of depth liveness against face swaps on a screen; a "
        "flat screen has no depth, so near what iBeta level 2's 1% would give"),
    ("depth_3d", "deepfake_injection"): (1.5, _NO_INJECTION_TEST),
}
"""(level, vector) pairs without a published APCER: the value and why it is what it is."""

INJECTION_DETECTION_ARGUED = 5.0
"""Strength of injection detection: no published test reports an APCER (see
``INJECTION_2025``)."""

NO_CONTROL_TEST = ("no published detection test: one-time codes and device binding are not "
                   "tested for an attack error rate as liveness is (ISO/IEC 30107-3) and "
                   "injection detection is (CEN/TS 18099)")
"""Source of the step-up strengths (argued values)."""


def derived_strength(level: str, vector: str) -> float:
    """Strength of ``level`` against ``vector`` from its test's APCER.

    The exact inverse of the contest at the vector's reference quality, rounded up to four
    significant digits (so the day-0 tool passes at most as often as in the test).
    """
    apcer = DERIVED[(level, vector)].apcer
    assert apcer is not None, "a derived pair needs a test that publishes a rate"
    exact = strength_for(apcer, REFERENCE_QUALITY[vector])
    scale = 10.0 ** (3 - math.floor(math.log10(exact)))
    return math.ceil(exact * scale) / scale


def liveness_strength(level: str, vector: str) -> float:
    """Default strength of a liveness level against a biometric vector."""
    if level == "none":
        return 0.0
    if (level, vector) in DERIVED:
        return derived_strength(level, vector)
    return ARGUED[(level, vector)][0]


def liveness_source(level: str, vector: str) -> str | None:
    """What backs the default strength of a level against a vector (the schema's source)."""
    if level == "none":
        return None
    if (level, vector) in DERIVED:
        test = DERIVED[(level, vector)]
        return (f"{test.name}: {test.measured}. Derived: a day-0 {vector} tool (quality "
                f"{REFERENCE_QUALITY[vector]:g}) passes at APCER {test.apcer:.2%} with "
                f"r = {DECISIVENESS:g} ({test.citation})")
    value, why = ARGUED[(level, vector)]
    passes = apcer_at(value, REFERENCE_QUALITY[vector])
    return f"argued, no detection test: {why} (a day-0 tool passes {passes:.1%})"


def level_strengths(level: str) -> dict[str, float]:
    """Default strength of ``level`` against each biometric vector."""
    return {vector: liveness_strength(level, vector) for vector in BIOMETRIC_VECTORS}


def injection_detection_source() -> str:
    """What backs the default strength of injection detection."""
    passes = apcer_at(INJECTION_DETECTION_ARGUED, REFERENCE_QUALITY["deepfake_injection"])
    return (f"argued, no published APCER: {INJECTION_2025.measured}. At the day-0 injection "
            f"tool (quality {REFERENCE_QUALITY['deepfake_injection']:g}) this strength "
            f"passes {passes:.2%}, which that zero-acceptance result supports if it spans "
            f"{attempts_for(passes):,} attempts or more ({INJECTION_2025.citation})")

