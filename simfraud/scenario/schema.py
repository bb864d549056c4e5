"""The scenario schema: the one source of truth for every parameter.

Every field carries its default, unit, allowed range, a one-line description and,
where a public figure backs the default, its source. ``scenarios/baseline.yaml`` (every
parameter with its documentation) is generated from these models.

Money is in integer minor units (pence, cents, fen) throughout.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import Enum, StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, field_validator, model_validator
from pydantic import Strict as StrictMode

from simfraud.core.vectors import BIOMETRIC_VECTORS, LIVENESS_LEVELS, VECTORS
from simfraud.scenario import detection_tests
from simfraud.scenario.capacity import money_capacity_problem

MAX_USERS = 100_000_000
"""Most simulated users: about 5.5 GB of user columns (55 bytes per user, measured)."""
MAX_DAYS = 3_650
"""Longest horizon (ten years): 1e8 users x 3,650 days is about two hours of kernel time."""
MAX_AMOUNT = 10_000_000_000
"""Largest amount, cost, cap or budget (minor units): 100 million major units. With the
exponential draw's 45x ceiling and 10,000 basis points it keeps every single product in
the kernels within int64; the run's totals are bounded by the money-capacity rule."""
MAX_STRENGTH = 1_000.0
"""Largest defence strength or tool quality (50x the strongest default)."""
MAX_REPLICATES = 1_000
"""Most replicates of one run or grid point (each keeps its daily tables in memory)."""
MAX_EXPERIMENT_RUNS = 100_000
"""Most runs of one sweep (grid points x replicates): each is a result folder on disk and
a row of the index, and the run list is built before the first run starts."""
MAX_REFERENCE_USERS = 10_000_000_000
"""Largest reference population (more people than live on Earth)."""


class FieldRuleError(ValueError):
    """A whole-scenario rule broken by one field; ``path`` locates the message there."""

    def __init__(self, message: str, path: tuple[str | int, ...]):
        super().__init__(message)
        self.path = path


Vector = Enum("Vector", {name: name for name in VECTORS}, type=str)
LivenessLevel = Enum("LivenessLevel", {name: name for name in LIVENESS_LEVELS}, type=str)
VectorName = Annotated[Vector, StrictMode(False)]
"""An attack vector given by its name (named values are text in scenario files)."""


ASSUMED = "model assumption (not calibrated; see docs/decisions.md)"
"""Source of a parameter that no published figure backs."""


def param(
    default: Any,
    unit: str,
    description: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    source: str | None = None,
) -> Any:
    """Declare one scenario parameter.

    Args:
        default: Default value.
        unit: Unit of measure (``"minor units"``, ``"probability/day"``, ``"1"``...).
        description: One line saying what the parameter does.
        ge: Inclusive lower bound.
        le: Inclusive upper bound.
        gt: Exclusive lower bound.
        source: Public figure backing the default, when there is one.

    Returns:
        A pydantic ``Field`` carrying the metadata.
    """
    extra: dict[str, Any] = {"unit": unit}
    if source:
        extra["source"] = source
    return Field(default, description=description, ge=ge, le=le, gt=gt, json_schema_extra=extra)


class Strict(BaseModel):
    """Base for every schema block: unknown keys are errors, values are validated on set.

    Types are strict: an integer field takes only integers, a number field integers or
    numbers (never ``true`` or ``"365"``), a text field only text, a true/false field
    only ``true`` or ``false``. Numbers must be finite. Named values (enumerations) are
    given as text.
    """

    model_config = ConfigDict(
        extra="forbid", validate_assignment=True, use_enum_values=True, validate_default=True,
        strict=True, allow_inf_nan=False,
    )


def vector_table(
    class_name: str, defaults: dict[str, float], unit: str, what: str, *, integer: bool,
    sources: dict[str, str] | None = None, bounds: dict[str, float] | None = None,
) -> type[Strict]:
    """Build a block with one field per attack vector, each with its own default.

    Args:
        class_name: Name of the generated model.
        defaults: Default per vector name.
        unit: Unit of every field.
        what: What the numbers are (used in each field's description).
        integer: Whether values are integers (money) rather than floats.
        sources: Public figure backing the default, per vector name.
        bounds: ``ge``, ``le`` or ``gt`` of every field, when not 0 to ``MAX_AMOUNT``
            (integers) or ``MAX_STRENGTH`` (floats).

    Returns:
        A strict pydantic model class; leaving a vector out keeps its default.
    """
    kind = int if integer else float
    sources = sources or {}
    bounds = bounds or {"ge": 0, "le": MAX_AMOUNT if integer else MAX_STRENGTH}
    fields = {
        vector: (kind, param(kind(defaults[vector]), unit, f"{what}: {vector}.",
                             source=sources.get(vector), **bounds))
        for vector in VECTORS
    }
    model = create_model(class_name, __base__=Strict, **fields)
    model.__doc__ = f"{what}, per attack vector."
    return model


AttemptCost = vector_table(
    "AttemptCost",
    {"photo_replay": 50, "mask_3d": 5_000, "deepfake_presentation": 800,
     "deepfake_injection": 1_500, "account_takeover": 300, "social_engineering": 200},
    "minor units", "Cost of one attempt", integer=True,
    sources={
        v: "Kaspersky: deepfake video $300-$20,000 per minute (2023), about $50 per video "
        "(~2025)" for v in ("deepfake_presentation", "deepfake_injection")
    },
)
FraudAmount = vector_table(
    "FraudAmount",
    {"photo_replay": 20_000, "mask_3d": 60_000, "deepfake_presentation": 40_000,
     "deepfake_injection": 50_000, "account_takeover": 80_000, "social_engineering": 198_000},
    "minor units", "Mean amount stolen per successful fraud (lognormal body, Pareto tail: "
    "fraud_amount_shape)",
    integer=True,
    sources={"social_engineering": "UK Finance 2023: APP losses 459.7m GBP over 232,429 cases"},
)
_SINGAPORE_FIT = ("Singapore Police Force 2024: S$1.1bn over 51,501 cases, median S$1,389, "
                  "top four cases S$237.9m; fitted by benchmarks/fraud_amounts.py")
_SHAPE_SOURCES = {**{v: ASSUMED for v in VECTORS}, "social_engineering": _SINGAPORE_FIT}


def _scam_or_other(scam: float, other: float | dict[str, float]) -> dict[str, float]:
    """Per-vector defaults: ``scam`` for social engineering, ``other`` for the rest."""
    return {v: scam if v == "social_engineering" else
            (other[v] if isinstance(other, dict) else other) for v in VECTORS}


FraudBodySigma = vector_table(
    "FraudBodySigma", _scam_or_other(2.012, 1.0), "log(minor units)",
    "Log standard deviation of the lognormal body of fraud amounts", integer=False,
    sources=_SHAPE_SOURCES, bounds={"gt": 0, "le": 5},
)
FraudTailShare = vector_table(
    "FraudTailShare", _scam_or_other(0.06077, 0.05), "probability",
    "Probability a fraud amount comes from the Pareto tail (the body's top quantile)",
    integer=False, sources=_SHAPE_SOURCES, bounds={"ge": 0, "le": 0.5},
)
FraudTailAlpha = vector_table(
    "FraudTailAlpha", _scam_or_other(0.984, 2.5), "1",
    "Pareto index of the tail of fraud amounts (smaller is heavier)", integer=False,
    sources=_SHAPE_SOURCES, bounds={"ge": 0.1, "le": 10},
)
FraudCap = vector_table(
    "FraudCap",
    _scam_or_other(2_205_000_000, {
        "photo_replay": 2_000_000, "mask_3d": 6_000_000, "deepfake_presentation": 4_000_000,
        "deepfake_injection": 5_000_000, "account_takeover": 8_000_000}),
    "minor units", "Largest single fraud amount (bounds the run's money, see capacity)",
    integer=True, bounds={"ge": 1, "le": MAX_AMOUNT},
    sources={**{v: ASSUMED + ": 100x the mean" for v in VECTORS},
             "social_engineering": "S$237.9m (Singapore's four largest 2024 cases together) "
             "scaled to the UK Finance mean, as the fit (benchmarks/fraud_amounts.py)"},
)


class FraudAmountShape(Strict):
    """Shape of fraud amounts per vector.

    A lognormal body spliced to a capped Pareto tail (``simfraud.core.amounts``); the
    body's median follows from ``mean_fraud_amount``.
    """

    body_sigma: FraudBodySigma = Field(
        default_factory=FraudBodySigma, description="Log-sd of the lognormal body per vector."
    )
    tail_share: FraudTailShare = Field(
        default_factory=FraudTailShare, description="Share of amounts in the tail per vector."
    )
    tail_alpha: FraudTailAlpha = Field(
        default_factory=FraudTailAlpha, description="Pareto tail index per vector."
    )
    cap: FraudCap = Field(
        default_factory=FraudCap, description="Largest single fraud amount per vector."
    )


ToolQuality = vector_table(
    "ToolQuality",
    {"photo_replay": 1.0, "mask_3d": 0.8, "deepfake_presentation": 0.6,
     "deepfake_injection": 0.4, "account_takeover": 0.8, "social_engineering": 0.2},
    "strength", "Tool quality on day 0", integer=False,
)


class Segment(Strict):
    """A user segment with its own spending and attitudes."""

    name: str = Field(description="Segment name, e.g. young, adult, elderly_vulnerable.")
    share: float = param(
        0.5, "share of users", "Share of the population in this segment.", ge=0, le=1
    )
    pay_probability: float = param(
        0.6, "probability/day", "Chance a user makes a payment on a given day.", ge=0, le=1
    )
    mean_payment: int = param(
        2500, "minor units", "Mean payment amount (exponentially distributed).", ge=1,
        le=MAX_AMOUNT,
    )
    vigilance: float = param(
        0.6, "1", "Baseline resistance to social engineering (0 none, 1 never fooled).", ge=0, le=1
    )
    privacy_concern: float = param(
        0.5, "1", "How much perceived risk to their face data weighs against face pay.", ge=0, le=1
    )
    digital_literacy: float = param(
        0.7, "1", "Lowers credential phishing success and speeds noticing compromise.", ge=0, le=1
    )
    face_exposure: float = param(
        0.4, "1", "Public imagery of the face (social media): scales face harvesting.", ge=0, le=1
    )
    convenience: float = param(
        0.5, "1", "Preference for the convenience of face pay.", ge=0, le=1
    )


def _default_segments() -> list[Segment]:
    return [
        Segment(name="young", share=0.3, pay_probability=0.7, mean_payment=1800, vigilance=0.6,
                privacy_concern=0.3, digital_literacy=0.9, face_exposure=0.7, convenience=0.7),
        Segment(name="adult", share=0.5, pay_probability=0.6, mean_payment=3000, vigilance=0.65,
                privacy_concern=0.5, digital_literacy=0.7, face_exposure=0.4, convenience=0.5),
        Segment(name="elderly_vulnerable", share=0.2, pay_probability=0.4, mean_payment=2500,
                vigilance=0.45, privacy_concern=0.7, digital_literacy=0.4, face_exposure=0.2,
                convenience=0.35),
    ]


class Population(Strict):
    """The simulated users."""

    users: int = param(10_000, "users", "Number of simulated users.", ge=1, le=MAX_USERS)
    weight: float = param(
        1.0, "people/user", "Real people each simulated user stands for (national totals).",
        gt=0, le=MAX_REFERENCE_USERS,
    )
    reference_users: int = param(
        1_000_000, "users",
        "Population at which attacker capacities are stated; capacity scales with users/this.",
        ge=1, le=MAX_REFERENCE_USERS,
    )
    initial_facepay_share: float = param(
        0.3, "share of users", "Share of users using face pay on day 0.", ge=0, le=1
    )
    initial_trust: float = param(0.7, "1", "Trust in the platform on day 0.", ge=0, le=1)
    contacts: int = param(
        6, "contacts/user", "Contacts per user in the word-of-mouth network.", ge=0, le=64
    )
    contact_window: int = param(
        1024, "users", "Contacts are drawn among the users within this many positions "
        "(positions carry no meaning: a local window is a random network that stays in cache).",
        ge=1, le=1_000_000, source=ASSUMED,
    )
    attribute_spread: float = param(
        0.3, "1", "Width of the uniform spread of individual vigilance, privacy concern, "
        "convenience and face exposure around their segment's value.", ge=0, le=2,
        source=ASSUMED,
    )
    segments: list[Segment] = Field(
        default_factory=_default_segments, min_length=1, max_length=16,
        description="User segments; shares must sum to 1.",
    )

    @model_validator(mode="after")
    def _shares_sum_to_one(self) -> Population:
        total = sum(s.share for s in self.segments)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"segment shares must sum to 1 (they sum to {total:g})")
        names = [s.name for s in self.segments]
        if len(set(names)) != len(names):
            raise ValueError(f"segment names must be unique (got {names})")
        return self


class Behaviour(Strict):
    """How users learn, adopt face pay and switch platforms."""

    adoption_rate: float = param(
        0.01, "probability/day",
        "Chance a non-user whose face-pay utility exceeds the adoption threshold adopts it.",
        ge=0, le=1,
    )
    adoption_threshold: float = param(
        0.5, "utility", "Utility a non-user needs before adopting face pay (status-quo bias); "
        "users drop it when utility falls below 0.", ge=0, le=2,
    )
    background_risk: float = param(
        0.1, "1", "Perceived risk of face pay that users return to without news or fraud.",
        ge=0, le=1,
    )
    drop_rate: float = param(
        0.02, "probability/day", "Chance a user with negative face-pay utility drops it.",
        ge=0, le=1,
    )
    platform_push: float = param(
        0.1, "utility", "Nudge platforms give towards face pay (removed by consent rules).",
        ge=0, le=1,
    )
    risk_weight: float = param(
        1.5, "utility", "Weight of privacy concern x perceived risk in face-pay utility.", ge=0,
        le=100,
    )
    friction_weight: float = param(
        0.5, "utility", "Weight of recent false rejects in face-pay utility.", ge=0, le=100
    )
    risk_decay: float = param(
        0.02, "1/day", "Daily decay of perceived risk.", ge=0, le=1
    )
    victim_risk_shock: float = param(
        0.5, "1", "Perceived-risk jump when a user is defrauded.", ge=0, le=1
    )
    word_of_mouth: float = param(
        0.05, "1", "Perceived-risk rise per contact defrauded the previous day.", ge=0, le=1
    )
    media_gain: float = param(
        0.002, "1/(backlash point)", "Perceived-risk rise per day per point of backlash index.",
        ge=0, le=1,
    )
    trust_recovery: float = param(
        0.01, "1/day", "Daily recovery of trust towards 1.", ge=0, le=1
    )
    trust_hit_unrefunded: float = param(
        0.6, "1", "Trust lost after a fraud that is not refunded (scaled by unrefunded share).",
        ge=0, le=1,
    )
    trust_hit_false_reject: float = param(
        0.01, "1", "Trust lost per false reject.", ge=0, le=1
    )
    switch_threshold: float = param(
        0.3, "1", "Trust below which users consider switching platform.", ge=0, le=1
    )
    switch_rate: float = param(
        0.05, "probability/day", "Chance a user below the trust threshold switches.", ge=0, le=1
    )
    vigilance_learning: float = param(
        0.3, "1", "Share of the gap to full vigilance closed after a social-engineering loss.",
        ge=0, le=1,
    )
    vigilance_decay: float = param(
        0.005, "1/day", "Daily return of vigilance towards the segment baseline.", ge=0, le=1
    )
    claim_without_refund: float = param(
        1.0, "probability", "Chance a victim claims from (reports the fraud to) their provider "
        "when they expect nothing back; it rises linearly to 1 with the refund they expect "
        "(the expected refunded share). An unclaimed fraud is not refunded. 1: every victim "
        "claims.", ge=0, le=1,
        source="assumed: no published share of victims who claim from their provider; the "
        "CSEW (ONS, year ending March 2019) found 15% of fraud incidents reported to Action "
        "Fraud or the police, most often because they were reported to the bank instead. "
        "1 (everyone claims) by default; benchmarks.effects measures the mandate at 0.5",
    )
    mean_claim_delay_days: float = param(
        0.0, "days", "Mean time from a fraud to the victim's claim (exponential); a mandated "
        "claim later than regulator.instruments.mandatory_reimbursement.claim_window_days is "
        "refused. 0: every victim claims on the day of the fraud.", ge=0, le=MAX_DAYS,
        source="assumed: no published distribution of how long victims take to claim; 0 "
        "(no late claims) by default",
    )
    moral_hazard: float = param(
        0.0, "share", "Share of a user's vigilance against scams that lapses when a refund is "
        "certain: vigilance x (1 - this x the expected refunded share of a scam on the user's "
        "platform). 0: care does not depend on refunds.", ge=0, le=1,
        source="assumed: no published estimate of how much victims' care falls under "
        "refunds; the PSR kept an excess and the consumer standard of caution (PS23/3) to "
        "limit it. Off by default; benchmarks.effects measures it at 0.3",
    )
    friction_decay: float = param(
        0.1, "1/day", "Daily decay of remembered false rejects.", ge=0, le=1
    )
    abandon_probability: float = param(
        0.3, "probability", "Chance a falsely rejected payment is abandoned.", ge=0, le=1
    )
    credential_notice_probability: float = param(
        0.02, "probability/day", "Chance a user notices compromised credentials and resets them.",
        ge=0, le=1,
    )
    notice_literacy_offset: float = param(
        0.5, "1", "Noticing stolen credentials happens with probability "
        "credential_notice_probability x (this + digital literacy).", ge=0, le=2,
        source=ASSUMED,
    )
    phishing_literacy_ceiling: float = param(
        1.2, "1", "Phishing succeeds with probability credential harvest rate x (this - "
        "digital literacy); must exceed every segment's literacy.", ge=0, le=3,
        source=ASSUMED,
    )


class Costs(Strict):
    """Unit costs that turn friction into money for the social-cost account."""

    false_reject: int = param(
        30, "minor units", "Cost to a genuine user of one false reject (time, retry).", ge=0,
        le=MAX_AMOUNT,
    )
    step_up: int = param(10, "minor units", "Cost of one step-up verification.", ge=0,
                         le=MAX_AMOUNT)
    abandoned_payment: int = param(
        150, "minor units", "Cost of a payment abandoned after a false reject.", ge=0,
        le=MAX_AMOUNT,
    )


class LivenessDefence(Strict):
    """Detection strength of one liveness level, per biometric vector."""

    photo_replay: float = param(1.0, "strength", "Strength against photo/screen replay.", ge=0,
                                le=MAX_STRENGTH)
    mask_3d: float = param(0.0, "strength", "Strength against 3D masks.", ge=0, le=MAX_STRENGTH)
    deepfake_presentation: float = param(
        0.0, "strength", "Strength against a face swap shown to the camera.", ge=0,
        le=MAX_STRENGTH,
    )
    deepfake_injection: float = param(
        0.0, "strength", "Strength against injected video (virtual camera, emulator).", ge=0,
        le=MAX_STRENGTH,
    )
    bpcer: float = param(
        0.0, "probability", "Bona fide presentation classification error rate (false rejects).",
        ge=0, le=1, source="iBeta PAD levels 1 and 2 allow BPCER <= 15%",
    )
    cost_per_check: int = param(0, "minor units", "Running cost of one liveness check.", ge=0,
                                le=MAX_AMOUNT)
    upgrade_cost_per_user: int = param(
        0, "minor units", "One-off cost per user of deploying this level.", ge=0, le=MAX_AMOUNT
    )


_LEVEL_DEFAULTS: dict[str, dict[str, float]] = {
    # Strengths are on the tool-quality scale: a tool of quality q beats strength d with
    # probability q^r / (q^r + d^r) (Tullock contest, decisiveness r below). Each comes
    # from a published detection test's APCER or is argued where none exists
    # (simfraud/scenario/detection_tests.py; docs/model.md, first-layer strength).
    "none": {**detection_tests.level_strengths("none"), "bpcer": 0.0},
    "passive_2d": {**detection_tests.level_strengths("passive_2d"), "bpcer": 0.03,
                   "cost_per_check": 1, "upgrade_cost_per_user": 20},
    "active": {**detection_tests.level_strengths("active"), "bpcer": 0.06,
               "cost_per_check": 2, "upgrade_cost_per_user": 40},
    "depth_3d": {**detection_tests.level_strengths("depth_3d"), "bpcer": 0.02,
                 "cost_per_check": 4, "upgrade_cost_per_user": 150},
}


def _level_defence(level: str) -> type[LivenessDefence]:
    """``LivenessDefence`` whose strengths carry this level's defaults and their sources."""
    fields = {
        vector: (float, param(_LEVEL_DEFAULTS[level][vector], "strength",
                              LivenessDefence.model_fields[vector].description or "", ge=0,
                              le=MAX_STRENGTH,
                              source=detection_tests.liveness_source(level, vector)))
        for vector in BIOMETRIC_VECTORS
    }
    name = "LivenessDefence" + level.title().replace("_", "")
    model = create_model(name, __base__=LivenessDefence, **fields)
    model.__doc__ = f"Detection strength of {level} liveness, per biometric vector."
    return model


PassiveDefence = _level_defence("passive_2d")
ActiveDefence = _level_defence("active")
DepthDefence = _level_defence("depth_3d")


class LivenessTable(Strict):
    """Defence of each liveness level; a level given in part keeps its other defaults."""

    none: LivenessDefence = Field(
        default_factory=lambda: LivenessDefence(**_LEVEL_DEFAULTS["none"]),
        description="No liveness check.",
    )
    passive_2d: PassiveDefence = Field(
        default_factory=lambda: PassiveDefence(**_LEVEL_DEFAULTS["passive_2d"]),
        description="Passive single-image liveness.",
    )
    active: ActiveDefence = Field(
        default_factory=lambda: ActiveDefence(**_LEVEL_DEFAULTS["active"]),
        description="Active challenge (blink, turn).",
    )
    depth_3d: DepthDefence = Field(
        default_factory=lambda: DepthDefence(**_LEVEL_DEFAULTS["depth_3d"]),
        description="3D depth camera liveness.",
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_level_defaults(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        merged = dict(data)
        for level, given in data.items():
            if level in _LEVEL_DEFAULTS and isinstance(given, dict):
                merged[level] = {**_LEVEL_DEFAULTS[level], **given}
        return merged


class Defences(Strict):
    """Defence technology tables shared by all platforms."""

    liveness: LivenessTable = Field(
        default_factory=LivenessTable,
        description="Strength per vector, BPCER and costs of each liveness level.",
    )
    injection_detection_strength: float = param(
        detection_tests.INJECTION_DETECTION_ARGUED, "strength",
        "Strength of injection detection against deepfake injection.", ge=0,
        le=MAX_STRENGTH, source=detection_tests.injection_detection_source(),
    )
    injection_detection_cost_per_check: int = param(
        1, "minor units", "Running cost of injection detection per check.", ge=0,
        le=MAX_AMOUNT,
    )
    contest_decisiveness: float = param(
        2.0, "1", "Tullock decisiveness r of the tool-quality vs defence contest.", gt=0, le=20
    )


class Liveness(Strict):
    """A platform's liveness configuration."""

    level: LivenessLevel = Field(LivenessLevel.passive_2d, description="Liveness level in use.",
                                 strict=False)
    injection_detection: bool = Field(False, description="Detect injected (virtual) camera feeds.")


class StepUpMethod(StrEnum):
    """What step-up asks of a face-pay user."""

    otp = "otp"
    face = "face"


class StepUp(Strict):
    """Step-up verification of payments above a threshold."""

    enabled: bool = Field(True, description="Ask for step-up above the threshold.")
    method: StepUpMethod = Field(
        StepUpMethod.otp, strict=False, description="otp: a one-time code to the registered "
        "phone (block_probability, beaten by SIM swap). face: a face-pay user's step-up is a "
        "face check at the platform's live liveness level, which an attacker passes with "
        "the success rate of their face attack (of a deepfake for account takeover, only if "
        "the user's face is compromised); users without face pay still get the code.",
    )
    amount_threshold: int = param(
        10_000, "minor units", "Payments above this amount need step-up.", ge=0, le=MAX_AMOUNT
    )
    block_probability: float = param(
        0.9, "probability", "Chance step-up stops an attacker who lacks the user's phone.",
        ge=0, le=1, source=detection_tests.NO_CONTROL_TEST + "; " + ASSUMED,
    )
    sim_swap_success: float = param(
        0.4, "probability", "Chance an account-takeover crew beats step-up by SIM swap or OTP "
        "phishing.", ge=0, le=1,
    )
    scam_hold_stop: float = param(
        0.0, "probability", "Chance that holding a payment above the threshold which the "
        "payer authorised (a scam: social engineering) and questioning the payer stops it. "
        "0: no hold (a code cannot stop a payment its owner makes). The hold's friction on "
        "genuine payments is the step-up's.", ge=0, le=1,
        source="no published measure of the share of held scam payments that are stopped; "
        + ASSUMED,
    )
    device_binding_strength: float = param(
        3.0, "strength", "Strength of device binding against account takeover.", ge=0,
        le=MAX_STRENGTH, source=detection_tests.NO_CONTROL_TEST + "; " + ASSUMED,
    )


class Monitoring(Strict):
    """Transaction monitoring that learns from the fraud it sees."""

    enabled: bool = Field(True, description="Run transaction monitoring.")
    base_detection: float = param(
        0.15, "probability", "Detection probability before any learning.", ge=0, le=1
    )
    max_detection: float = param(
        0.6, "probability", "Ceiling of detection probability.", ge=0, le=1
    )
    learning_rate: float = param(
        0.02, "1", "Share of the gap to the ceiling closed per unit of fraud signal.", ge=0, le=1
    )
    signal_half_saturation: float = param(
        200.0, "frauds/100,000 users/day", "Frauds seen per 100,000 users per day at which "
        "the learning signal is half-strength (a rate, so learning does not depend on the "
        "simulated population).", gt=0, le=100_000, source=ASSUMED,
    )
    drift: float = param(
        0.002, "1/day", "Daily drift of detection back to its base (concept drift).", ge=0, le=1
    )
    social_engineering_factor: float = param(
        0.4, "1", "Detection against authorised push payments relative to other vectors.",
        ge=0, le=1,
    )
    cost_per_user_day: float = param(
        0.02, "minor units/user/day", "Running cost of monitoring.", ge=0, le=MAX_AMOUNT
    )


class PayeeWarnings(Strict):
    """Scam warnings against social engineering (the first layer a scam meets)."""

    enabled: bool = Field(True, description="Warn payers of scams before they pay.")
    strength: float = param(
        1.0, "strength", "Strength of warnings against social-engineering scripts.", ge=0,
        le=MAX_STRENGTH,
    )


class ConfirmationOfPayee(Strict):
    """A check of the payee's name against the receiving account, after the warnings."""

    enabled: bool = Field(
        False, description="Check payee names: a mismatch the payer heeds stops a scam "
        "payment on the payee side (docs/model.md, The payee side). Off: the payee warnings "
        "stand for it, as they did before it was a control of its own.",
    )
    stop: float = param(
        0.1, "probability", "Chance that a scam payment reaching the payee side (past the "
        "warnings, the payer's vigilance, a hold and monitoring) is stopped by a name "
        "mismatch the payer heeds (crews that open mule accounts in matching names are "
        "inside this share).", ge=0, le=1,
        source="no published share of scam payments stopped by a name check; " + ASSUMED,
    )


class ReimbursementPolicy(StrEnum):
    """A platform's voluntary reimbursement policy."""

    none = "none"
    voluntary_full = "voluntary_full"
    capped = "capped"
    share = "share"
    assessed = "assessed"


class Reimbursement(Strict):
    """What the platform refunds of its own accord (mandates come from the regulator)."""

    policy: ReimbursementPolicy = Field(
        ReimbursementPolicy.none,
        description="none, voluntary_full, capped (each fraud up to cap), share (the same "
        "share of every covered fraud) or assessed (a claim is granted in full with "
        "probability grant_share, else refused).", strict=False
    )
    cap: int = param(
        100_000, "minor units", "Refund ceiling per fraud under the capped policy.", ge=0,
        le=MAX_AMOUNT,
    )
    share: float = param(
        0.5, "share of loss", "Share of each covered fraud refunded under the share policy "
        "(rounded down to the minor unit).", ge=0, le=1,
        source="UK Finance Annual Fraud Reports 2022-2024: share of APP scam losses refunded "
        "under the voluntary CRM code, all signatories: 47% (2021), 59% (2022), 62% (2023). "
        "An aggregate share of losses, used here as the share of each case.",
    )
    grant_share: float = param(
        0.12, "share of claims", "Share of covered claims granted in full under the assessed "
        "policy; the others are refused and get nothing.", ge=0, le=1,
        source="US Senate Permanent Subcommittee on Investigations, Zelle report (Jul 2024, "
        "2023 data): JPMorgan Chase, Bank of America and Wells Fargo refunded about 12% of "
        "the scam (authorised) disputes they received, by number of disputes.",
    )
    vectors: list[VectorName] = Field(
        default_factory=lambda: list(VECTORS), description="Vectors the policy covers.",
        strict=False,
    )


class FaceAttackResponse(StrEnum):
    """What a platform does to a user whose face was used in an attack."""

    nothing = "nothing"
    notify = "notify"
    step_up = "step_up"
    move_off = "move_off"
    bar = "bar"


class UpgradeRule(StrEnum):
    """How a platform decides to invest in security."""

    none = "none"
    reactive = "reactive"
    scheduled = "scheduled"
    gordon_loeb = "gordon_loeb"


class Security(Strict):
    """A platform's security investment rule."""

    upgrade_rule: UpgradeRule = Field(
        UpgradeRule.gordon_loeb, description="none, reactive (a step when own fraud cost "
        "crosses a threshold), scheduled (steps on given days) or gordon_loeb (continuous "
        "investment per control, docs/model.md).", strict=False,
    )
    loss_threshold: float = param(
        0.5, "minor units/user/day",
        "Reactive rule: the platform's own fraud cost (30-day mean) that triggers an upgrade.",
        ge=0, le=MAX_AMOUNT,
    )
    mule_detection: bool = Field(
        True, description="Gordon-Loeb rule: also invest in mule-account detection, the "
        "platform's control as receiving provider, against its receiving-provider liability "
        "(docs/model.md, Mule recovery). Off: a platform freezes only "
        "attackers.mule_recovery_share.",
    )
    inbound_hold: bool = Field(
        False, description="Gordon-Loeb rule: also invest, as receiving provider, in holding "
        "risky incoming payments, against its receiving-provider liability like "
        "mule_detection; a held scam payment is returned before it lands (docs/model.md, "
        "The payee side). Off: nothing is held.",
    )
    reputation_weight: float = param(
        0.2, "share", "Share of users' unrefunded fraud losses the platform counts as its own "
        "cost (reputation, churn).", ge=0, le=1,
    )
    deployment_lag_days: int = param(
        90, "days", "Days from deciding an upgrade to it going live.", ge=0, le=3650
    )
    control_upgrade_factor: float = param(
        1.25, "1", "Reactive and scheduled rules: multiplier one upgrade applies to device "
        "binding or payee-warning strength.", ge=1, le=10,
    )
    control_upgrade_cost_per_user: int = param(
        30, "minor units", "One-off cost per user of one device-binding or payee-warning "
        "upgrade.", ge=0, le=MAX_AMOUNT,
    )
    max_control_upgrades: int = param(
        4, "upgrades", "Most upgrades of device binding, and of payee warnings, a platform "
        "makes.", ge=0, le=20,
    )
    scheduled_days: list[Annotated[int, Field(ge=0, le=MAX_DAYS)]] = Field(
        default_factory=list, description="Scheduled rule: days on which to upgrade one step.",
        json_schema_extra={"unit": "day"},
    )
    gl_alpha: float = param(
        10.0, "1/(minor units/user/day)", "Gordon-Loeb efficiency alpha of "
        "S(z,v)=v/(alpha z+1)^beta, z the spend per user per day on one control.",
        gt=0, le=1e6, source="functional form: Gordon and Loeb 2002; value: " + ASSUMED,
    )
    gl_beta: float = param(
        1.0, "1", "Gordon-Loeb exponent beta of the breach-probability function.", gt=0,
        le=100, source="Gordon and Loeb 2002",
    )
    smoothing_days: int = param(
        30, "days", "Window of the moving averages of own cost, loss and vulnerability the "
        "platform decides on.", ge=1, le=MAX_DAYS, source=ASSUMED,
    )
    retrain_days: int = param(
        180, "days", "Days a detector takes to catch up with better tools without "
        "investment (vendor updates); investment shortens it by (alpha K + 1)^beta.",
        ge=1, le=MAX_DAYS, source=ASSUMED,
    )
    detector_ageing: float = param(
        1.0, "1", "Exponent of a detector's loss of strength against tools better than those "
        "it was trained on: strength x (trained / quality)^this. 0: detectors never age.",
        ge=0, le=10, source=ASSUMED,
    )
    detector_tracking: float = param(
        0.0, "1", "Exponent of a retrained detector's gain as it keeps pace with better "
        "tools: strength x (trained / day-0 quality)^this. 1: a retrained detector passes "
        "better tools as often as its first version passed the first ones; 0: its strength "
        "stays fixed while tools improve.",
        ge=0, le=2, source=ASSUMED,
    )
    injection_smoothing_days: int = param(
        30, "days", "Window of the moving average of injection's share of biometric attempts.",
        ge=1, le=MAX_DAYS, source=ASSUMED,
    )
    injection_switch_share: float = param(
        0.5, "share", "Reactive rule: when injection is more than this share of biometric "
        "attempts, the next liveness step is injection detection.", ge=0, le=1,
        source=ASSUMED,
    )


class Platform(Strict):
    """A payment provider."""

    name: str = Field(description="Platform name (unique).")
    market_share: float = param(1.0, "share of users", "Share of users on day 0.", ge=0, le=1)
    fee_bps: int = param(
        30, "basis points", "Fee earned on genuine payment volume.", ge=0, le=10_000
    )
    liveness: Liveness = Field(default_factory=Liveness, description="Liveness configuration.")
    step_up: StepUp = Field(default_factory=StepUp, description="Step-up verification.")
    monitoring: Monitoring = Field(default_factory=Monitoring, description="Monitoring.")
    payee_warnings: PayeeWarnings = Field(
        default_factory=PayeeWarnings, description="Scam warnings."
    )
    confirmation_of_payee: ConfirmationOfPayee = Field(
        default_factory=ConfirmationOfPayee, description="Payee name checks."
    )
    reimbursement: Reimbursement = Field(
        default_factory=Reimbursement, description="Voluntary reimbursement policy."
    )
    security: Security = Field(default_factory=Security, description="Security investment.")
    move_exposed_off_face: bool = Field(
        False, description="After a face-data breach, switch exposed users off face-only "
        "authentication and bar them from re-enrolling.",
    )
    face_attack_response: FaceAttackResponse = Field(
        FaceAttackResponse.notify, strict=False, description="What a face attack on a user "
        "(stopped or not) makes the platform do: nothing; notify (the user's perceived risk "
        "rises as a victim's); step_up (every later payment of the user needs step-up); "
        "move_off (off face pay, may re-enrol); bar (off face pay for good).",
    )


class HarvestRule(StrEnum):
    """How crews divide their effort between harvesting faces and credentials."""

    fixed = "fixed"
    follows_value = "follows_value"


class Attackers(Strict):
    """Fraud crews and their tooling."""

    initial: int = param(30, "crews", "Crews active on day 0.", ge=0, le=100_000)
    max: int = param(100, "crews", "Most crews the market can hold.", ge=0, le=100_000)
    adaptive: bool = Field(
        True, description="Learn allocation from returns and invest in tools (off: fixed)."
    )
    crew_size: float = param(
        0.25, "share", "Size of one crew as a share of a standard crew, the unit of every "
        "per-crew figure in this block. The market is the same, split into 1/this as many "
        "crews: initial, max and the entry rate (entry_probability / this crews a day) are "
        "divided by it; initial_budget, attempts_per_day, exploitation, rd_cost, "
        "entry_profit and the harvest rates per crew are multiplied by it. 1: standard "
        "crews; the default 0.25 (a national market of many crews, each a quarter of a "
        "standard one, whose draws average out) removes most of the crews' share of the "
        "noise between replicates (docs/model.md, docs/decisions.md).", gt=0, le=1,
        source=ASSUMED,
    )
    attempts_per_day: float = param(
        20.0, "attempts/crew/day", "Scam contacts (social engineering) one crew makes per day "
        "at the reference population.",
        ge=0, le=1_000_000,
    )
    exploitation: float = param(
        0.02, "share/day", "Share of the stolen faces or credentials usable on a (platform, "
        "vector) that one crew working only there attacks per day.", ge=0, le=1,
    )
    initial_budget: int = param(
        500_000, "minor units", "Budget of a crew when it enters (at the reference population).",
        ge=0, le=MAX_AMOUNT,
    )
    attempt_cost: AttemptCost = Field(
        default_factory=AttemptCost,
        description="Cost of one attempt per vector (deepfake costs from Kaspersky).",
    )
    mean_fraud_amount: FraudAmount = Field(
        default_factory=FraudAmount,
        description="Mean amount stolen per fraud (social engineering from UK Finance).",
    )
    fraud_amount_shape: FraudAmountShape = Field(
        default_factory=FraudAmountShape,
        description="Shape of fraud amounts per vector (social engineering fitted to Singapore "
        "Police 2024).",
    )
    initial_tool_quality: ToolQuality = Field(
        default_factory=ToolQuality, description="Tool quality per vector on day 0."
    )
    learning_rate: float = param(
        0.05, "1", "Weight of a day's revenue (the expected proceeds of its successes) in "
        "what crews believe a success on a (platform, vector) is worth.", ge=0, le=1,
    )
    choice_sharpness: float = param(
        4.0, "1", "Softmax sharpness of allocation over (platform, vector) by expected profit.",
        ge=0, le=100,
    )
    exploration: float = param(
        0.05, "share", "Share of attempts spread uniformly to explore.", ge=0, le=1
    )
    rd_share: float = param(
        0.2, "share", "Share of positive daily profit invested in tool R&D.", ge=0, le=1
    )
    rd_cost: int = param(
        5_000_000, "minor units", "R&D spend that raises a tool's quality by 10%.", gt=0,
        le=MAX_AMOUNT,
    )
    rd_step: float = param(
        0.1, "share", "Relative tool-quality gain bought by rd_cost of R&D.", ge=0, le=10,
        source=ASSUMED,
    )
    rd_diminishing: float = param(
        0.0, "1", "Diminishing return of R&D beyond the day-0 state of the art: a tool at k "
        "times its vector's initial_tool_quality gains rd_step x k^-this per rd_cost. 0: "
        "every rd_cost buys the same relative gain (tools compound for ever); 1: the gain "
        "per rd_cost falls in proportion to how far the tool is ahead.", ge=0, le=5,
        source=ASSUMED,
    )
    search_share: float = param(
        0.0, "share", "Problemistic search: each day a crew spends this share of the revenue "
        "it misses on a vector (its aspiration for the vector minus its smoothed revenue "
        "there, when positive) on R&D for that vector's tool, out of its budget beyond a "
        "reserve of today's attempt cost. 0: R&D is only rd_share of profit. R&D then rises "
        "wherever revenue falls short, whatever cut it (a defence, crowding, fewer "
        "targets); measured in the baseline, it adds no answer to a defence step "
        "(docs/model.md).", ge=0, le=1,
        source="model assumption: the mechanism is the behavioural theory of the firm "
        "(Cyert and March 1963; Greve 2003, R&D intensity of Japanese shipbuilders rises "
        "when performance falls below aspiration), the value is not calibrated (docs/decisions.md)",
    )
    aspiration_days: int = param(
        180, "days", "Window of the slow moving average of a crew's smoothed revenue per "
        "vector that is its aspiration there (problemistic search, search_share); longer "
        "than profit_smoothing_days when search_share is above 0.", ge=1,
        le=MAX_DAYS, source=ASSUMED,
    )
    profit_smoothing_days: int = param(
        30, "days", "Window of the moving average of a crew's daily profit (entry and exit "
        "decisions).", ge=1, le=MAX_DAYS, source=ASSUMED,
    )
    prior_victim_fooled: float = param(
        0.4, "share", "Crews' prior share of scam targets who fall for a script that beats "
        "the warnings (before any experience).", ge=0, le=1, source=ASSUMED,
    )
    skill_spread: float = param(
        0.5, "1", "Spread (standard deviation of the log) of crews' own skill per vector, "
        "which multiplies tool quality: crews specialise.", ge=0, le=3,
    )
    diffusion_rate: float = param(
        0.01, "probability/day", "Chance a crew copies a better tool from another crew.",
        ge=0, le=1, source="Bass-style diffusion of attack tools",
    )
    face_harvest_rate: float = param(
        5e-6, "probability/day/crew", "Daily chance per crew and unit face exposure that a "
        "user's face is harvested.", ge=0, le=1,
    )
    harvesting: HarvestRule = Field(
        HarvestRule.fixed, strict=False, description="fixed (the default): every crew "
        "harvests faces and credentials at face_harvest_rate and credential_harvest_rate. "
        "follows_value: crews "
        "split the same total effort between faces and credentials in proportion to what a "
        "harvested face and a harvested credential are worth to them today (the best "
        "biometric attack's pass probability x learned value on face-pay users, against "
        "account takeover's): the rates hold at an even split (docs/model.md).",
    )
    credential_harvest_rate: float = param(
        3e-6, "probability/day/crew", "Daily chance per crew that a user's credentials are "
        "phished (scaled by 1.2 - digital literacy).", ge=0, le=1,
    )
    mule_recovery_share: float = param(
        0.05, "share", "Share of stolen money frozen at mule accounts without mule-account "
        "detection (platforms' security.mule_detection raises it); it lowers crews' revenue "
        "and is not returned to victims.", ge=0, le=1
    )
    entry_profit: int = param(
        200_000, "minor units/day", "Mean crew profit (at the reference population) above "
        "which new crews enter.", ge=0, le=MAX_AMOUNT,
    )
    entry_probability: float = param(
        0.1, "probability/day", "Chance a crew enters on a day when profit is above entry.",
        ge=0, le=1,
    )
    exit_patience_days: int = param(
        60, "days", "Days of negative smoothed profit before a crew leaves.", ge=1, le=MAX_DAYS
    )

    @property
    def initial_crews(self) -> int:
        """Crews active on day 0: ``initial`` standard crews' worth of ``crew_size``."""
        return round(self.initial / self.crew_size)

    @property
    def max_crews(self) -> int:
        """Most crews the market can hold: ``max`` standard crews' worth of ``crew_size``."""
        return round(self.max / self.crew_size)

    @property
    def crew_budget(self) -> int:
        """Budget of one entering crew: ``initial_budget`` times ``crew_size``."""
        return round(self.initial_budget * self.crew_size)

    @property
    def entries_per_day(self) -> float:
        """Expected crews entering on a day when profit is above entry."""
        return self.entry_probability / self.crew_size

    @model_validator(mode="after")
    def _initial_within_max(self) -> Attackers:
        if self.initial > self.max:
            raise ValueError(f"initial ({self.initial}) exceeds max ({self.max})")
        return self

    @model_validator(mode="after")
    def _aspiration_slower_than_revenue(self) -> Attackers:
        if self.search_share > 0 and self.aspiration_days <= self.profit_smoothing_days:
            raise FieldRuleError(
                f"{self.aspiration_days} is not longer than profit_smoothing_days "
                f"({self.profit_smoothing_days}): an aspiration that moves as fast as the "
                f"smoothed revenue leaves nothing to search for (allowed: more days than "
                f"profit_smoothing_days while search_share is above 0)", ("aspiration_days",))
        return self

    @model_validator(mode="after")
    def _mean_below_cap(self) -> Attackers:
        for vector in VECTORS:
            mean = getattr(self.mean_fraud_amount, vector)
            cap = getattr(self.fraud_amount_shape.cap, vector)
            if mean >= cap and mean > 0:
                raise FieldRuleError(
                    f"mean {mean:,} is not below the cap {cap:,} "
                    f"(fraud_amount_shape.cap.{vector}; allowed: a mean below the cap)",
                    ("mean_fraud_amount", vector))
        return self


class Stance(StrEnum):
    """Regulator stance."""

    laissez_faire = "laissez_faire"
    reactive = "reactive"
    proactive = "proactive"


class MandatoryReimbursement(Strict):
    """A refund mandate (e.g. UK PSR APP reimbursement)."""

    enabled: bool = Field(False, description="Mandate refunds when regulation is in force.")
    cap: int = param(
        8_500_000, "minor units", "Maximum refund per claim.", ge=0, le=MAX_AMOUNT,
        source="PSR PS23/4: 85,000 GBP cap from 7 Oct 2024",
    )
    excess: int = param(
        10_000, "minor units", "Excess the victim bears (deducted from the refund).", ge=0,
        le=MAX_AMOUNT,
        source="PSR PS23/4: optional excess up to 100 GBP",
    )
    receiving_share: float = param(
        0.5, "share", "Share of the mandated refund paid by the receiving provider.",
        ge=0, le=1, source="PSR PS23/4: 50:50 sending/receiving split",
    )
    vectors: list[VectorName] = Field(
        default_factory=lambda: ["social_engineering"],
        description="Vectors the mandate covers.", strict=False,
    )
    gross_negligence_share: float = param(
        0.05, "share", "Share of claims refused for gross negligence.", ge=0, le=1,
        source="PSR PS23/4 gross negligence exception",
    )
    claim_window_days: int = param(
        396, "days", "Days after a fraud within which a claim is covered; a later claim is "
        "refused (how late victims claim: behaviour.mean_claim_delay_days).", ge=1,
        le=MAX_DAYS, source="PSR PS23/4: claims within 13 months of the last payment "
        "(13 x 30.44 days)",
    )


class MinimumLiveness(Strict):
    """A minimum liveness standard."""

    enabled: bool = Field(False, description="Impose a minimum liveness level.")
    level: LivenessLevel = Field(LivenessLevel.active, description="Minimum level.",
                                 strict=False)
    injection_detection: bool = Field(False, description="Also require injection detection.")


class FaceRule(StrEnum):
    """Face-recognition restriction."""

    none = "none"
    ban = "ban"
    consent_with_alternative = "consent_with_alternative"


class FaceRecognition(Strict):
    """Face-recognition restrictions."""

    rule: FaceRule = Field(
        FaceRule.none, description="none, ban, or consent_with_alternative (CAC/MPS 2025).",
        strict=False,
    )


class DataProtection(Strict):
    """Data-protection rules that cut harvesting and breach size."""

    enabled: bool = Field(False, description="Apply data-protection rules.")
    harvest_reduction: float = param(
        0.3, "share", "Cut in face and credential harvesting.", ge=0, le=1
    )
    breach_reduction: float = param(0.5, "share", "Cut in the size of breaches.", ge=0, le=1)


class ContentModeration(Strict):
    """Content moderation that slows a public tool's spread (WeChat blocking Zao links)."""

    enabled: bool = Field(False, description="Moderate links to public attack tools.")
    spread_reduction: float = param(
        0.5, "share", "Cut in the Bass innovation and imitation of public tool releases "
        "among crews while in force.", ge=0, le=1,
        source="WeChat blocked Zao links within days of its 30 Aug 2019 release; the size "
        "of the cut is a " + ASSUMED,
    )


class SecurityAssessment(Strict):
    """Pre-launch security assessment of face pay (China's MIIT new-technology review)."""

    enabled: bool = Field(False, description="Face pay needs a passed security assessment.")
    level: LivenessLevel = Field(
        LivenessLevel.active, description="Lowest liveness level that passes the assessment "
        "(below it a platform may not offer face pay).", strict=False,
    )
    injection_detection: bool = Field(
        False, description="The assessment also requires injection detection."
    )
    review_days: int = param(
        60, "days", "Assessment review added to the deployment lag of a liveness upgrade "
        "while in force.", ge=0, le=MAX_DAYS,
        source="MIIT security assessment of new technologies and services; duration "
        + ASSUMED,
    )


class Fines(Strict):
    """Fines on platforms below the minimum liveness level past the compliance deadline."""

    enabled: bool = Field(False, description="Fine platforms that do not comply with the "
                          "minimum liveness rule.")
    grace_days: int = param(
        90, "days", "Days from the rules coming into force to the compliance deadline.",
        ge=0, le=MAX_DAYS, source=ASSUMED,
    )
    per_user_day: float = param(
        1.0, "minor units/user/day", "Fine per user of a non-compliant platform per day.",
        ge=0, le=MAX_AMOUNT, source=ASSUMED,
    )
    loss_share: float = param(
        0.0, "share", "Fine as a share of a non-compliant platform's gross fraud loss of "
        "the day.", ge=0, le=10, source=ASSUMED,
    )


class Instruments(Strict):
    """Regulatory instruments switched on when regulation is in force."""

    mandatory_reimbursement: MandatoryReimbursement = Field(
        default_factory=MandatoryReimbursement, description="Refund mandate."
    )
    minimum_liveness: MinimumLiveness = Field(
        default_factory=MinimumLiveness, description="Minimum liveness standard."
    )
    face_recognition: FaceRecognition = Field(
        default_factory=FaceRecognition, description="Face-recognition restrictions."
    )
    data_protection: DataProtection = Field(
        default_factory=DataProtection, description="Data-protection rules."
    )
    content_moderation: ContentModeration = Field(
        default_factory=ContentModeration, description="Moderation of attack tools' spread."
    )
    security_assessment: SecurityAssessment = Field(
        default_factory=SecurityAssessment, description="Pre-launch security assessment."
    )
    fines: Fines = Field(default_factory=Fines, description="Fines for non-compliance.")
    compliance_cost_per_user_year: float = param(
        50.0, "minor units/user/year", "Platforms' compliance cost while regulation is in force.",
        ge=0, le=MAX_AMOUNT,
    )


class Regulator(Strict):
    """The regulator of the jurisdiction."""

    stance: Stance = Field(
        Stance.laissez_faire, description="laissez_faire, reactive or proactive.", strict=False
    )
    effective_day: int = param(
        0, "day", "Proactive: day the rules come into force.", ge=0, le=MAX_DAYS
    )
    threshold: float = param(
        3.0, "minor units/user/day",
        "Reactive: 30-day mean gross fraud per user that counts as a problem.", ge=0,
        le=MAX_AMOUNT,
    )
    persistence_days: int = param(
        30, "days", "Reactive: days the indicator must stay above threshold.", ge=1,
        le=MAX_DAYS,
    )
    observation_lag_days: int = param(
        30, "days", "Lag of the statistics the regulator sees.", ge=0, le=MAX_DAYS
    )
    legislative_lag_days: int = param(
        270, "days", "Reactive: days from deciding to act to rules in force.", ge=0,
        le=MAX_DAYS,
    )
    indicator_window_days: int = param(
        30, "days", "Reactive: window of the mean gross fraud per user compared with the "
        "threshold.", ge=1, le=MAX_DAYS, source=ASSUMED,
    )
    backlash_smoothing_days: int = param(
        30, "days", "Window of the moving average of face-pay frauds behind the backlash "
        "index.", ge=1, le=MAX_DAYS, source=ASSUMED,
    )
    instruments: Instruments = Field(
        default_factory=Instruments, description="Instruments enacted."
    )


class ToolRelease(Strict):
    """A public attack tool appears (e.g. the Zao face-swap app)."""

    type: Literal["tool_release"]
    day: int = Field(description="Day of the event (0 is the first simulated day).", ge=0,
                     le=MAX_DAYS, json_schema_extra={"unit": "day"})
    vector: Vector = Field(description="Vector the tool serves.", strict=False)
    quality: float = param(1.0, "strength", "Quality of the released tool.", ge=0,
                           le=MAX_STRENGTH)
    innovation: float = param(
        0.05, "probability/day", "Bass innovation p: daily adoption chance of each crew.",
        ge=0, le=1,
    )
    imitation: float = param(
        0.3, "probability/day", "Bass imitation q: extra adoption chance x share adopted.",
        ge=0, le=1,
    )
    publicity: float = param(
        0.1, "1", "Perceived-risk jump across users when the release makes the news.", ge=0, le=1
    )


class Breach(Strict):
    """A biometric or credential database breach."""

    type: Literal["breach"]
    day: int = Field(description="Day of the event (0 is the first simulated day).", ge=0,
                     le=MAX_DAYS, json_schema_extra={"unit": "day"})
    data: Literal["face", "credentials"] = Field(description="face or credentials.")
    share: float = param(
        0.1, "share", "Share of the breached platform's users exposed (of every platform's "
        "users when no platform is named).", ge=0, le=1,
    )
    platform: str | None = Field(None, description="Platform breached (all when omitted).")


class RuleChange(Strict):
    """A scheduled change of scenario parameters (policy, platform or regulator)."""

    type: Literal["rule_change"]
    day: int = Field(description="Day of the event (0 is the first simulated day).", ge=0,
                     le=MAX_DAYS, json_schema_extra={"unit": "day"})
    set: dict[str, Any] = Field(
        description="Dotted paths and new values, e.g. platforms.0.liveness.level: depth_3d."
    )


class CostDrop(Strict):
    """Attack tooling gets cheaper."""

    type: Literal["attacker_cost_drop"]
    day: int = Field(description="Day of the event (0 is the first simulated day).", ge=0,
                     le=MAX_DAYS, json_schema_extra={"unit": "day"})
    vectors: list[VectorName] = Field(
        default_factory=lambda: list(BIOMETRIC_VECTORS), description="Vectors affected.",
        strict=False,
    )
    factor: float = param(0.1, "1", "Multiplier on attempt cost.", gt=0, le=1)


Event = Annotated[ToolRelease | Breach | RuleChange | CostDrop, Field(discriminator="type")]


class Sweep(Strict):
    """A parameter grid for ``simfraud sweep`` (ignored by ``simfraud run``)."""

    grid: dict[str, list[Any]] = Field(
        default_factory=dict,
        description="Dotted paths and the values each takes; runs cover every combination.",
    )
    replicates: int = param(1, "replicates", "Replicates of every grid point.", ge=1,
                            le=MAX_REPLICATES)

    @model_validator(mode="after")
    def _non_empty_values(self) -> Sweep:
        empty = [path for path, values in self.grid.items() if not values]
        if empty:
            raise ValueError(f"grid paths need at least one value: {', '.join(empty)}")
        runs = math.prod(len(values) for values in self.grid.values()) * self.replicates
        if runs > MAX_EXPERIMENT_RUNS:
            raise ValueError(f"the grid makes {runs:,} runs (grid points x {self.replicates} "
                             f"replicate(s)); allowed: up to {MAX_EXPERIMENT_RUNS:,}")
        return self


class Bounds(Strict):
    """Range of one parameter in a sensitivity analysis."""

    low: float = Field(description="Lowest value.", ge=-MAX_AMOUNT, le=MAX_AMOUNT)
    high: float = Field(description="Highest value.", ge=-MAX_AMOUNT, le=MAX_AMOUNT)

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Sensitivity(Strict):
    """A Morris screening for ``simfraud sensitivity`` (ignored by ``simfraud run``)."""

    parameters: dict[str, Bounds] = Field(
        default_factory=dict, description="Dotted paths and their ranges."
    )
    metric: str = Field("gross_loss", description="Total over the horizon to rank by.")
    trajectories: int = param(10, "trajectories", "Morris trajectories (r).", ge=2, le=1000)
    levels: int = param(4, "levels", "Morris grid levels (p).", ge=2, le=20)

    @model_validator(mode="after")
    def _known_metric(self) -> Sensitivity:
        from simfraud.core.metrics import TIMESERIES

        names = [m.name for m in TIMESERIES]
        if self.metric not in names:
            raise ValueError(f"unknown metric {self.metric!r} (allowed: {', '.join(names)})")
        runs = self.trajectories * (len(self.parameters) + 1)
        if runs > MAX_EXPERIMENT_RUNS:
            raise ValueError(f"the design makes {runs:,} runs ({self.trajectories} trajectories "
                             f"x {len(self.parameters) + 1}); allowed: up to "
                             f"{MAX_EXPERIMENT_RUNS:,}")
        return self


class Scenario(Strict):
    """A complete simfraud scenario."""

    name: str = Field("baseline", description="Scenario name.")
    description: str = Field("", description="What the scenario represents.")
    currency: str = Field("GBP", description="Currency of minor units (for reports).")
    seed: int = param(20240101, "1", "Base random seed.", ge=0, le=2**63 - 1)
    days: int = param(365, "days", "Days to simulate.", ge=1, le=MAX_DAYS)
    start_date: dt.date = Field(dt.date(2024, 1, 1),
                                description="Calendar date of day 0 (YYYY-MM-DD).")
    population: Population = Field(default_factory=Population, description="Users.")
    behaviour: Behaviour = Field(default_factory=Behaviour, description="User behaviour.")
    costs: Costs = Field(default_factory=Costs, description="Unit costs of friction.")
    defences: Defences = Field(default_factory=Defences, description="Defence technology.")
    platforms: list[Platform] = Field(
        default_factory=lambda: [Platform(name="platform")], min_length=1, max_length=10,
        description="Payment providers (one to ten).",
    )
    attackers: Attackers = Field(default_factory=Attackers, description="Fraud crews.")
    regulator: Regulator = Field(default_factory=Regulator, description="The regulator.")
    timeline: list[Event] = Field(
        default_factory=list, description="Dated events and policy changes."
    )
    sweep: Sweep | None = Field(None, description="Parameter grid for simfraud sweep.")
    sensitivity: Sensitivity | None = Field(
        None, description="Parameter ranges for simfraud sensitivity."
    )

    @field_validator("start_date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        """Dates come as YAML dates or ISO text (``2024-01-01``), never as numbers."""
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a date (allowed: YYYY-MM-DD)") from None
        return value

    @model_validator(mode="after")
    def _money_fits_int64(self) -> Scenario:
        problem = money_capacity_problem(self)
        if problem:
            raise FieldRuleError(problem, ("population", "users"))
        return self

    @model_validator(mode="after")
    def _consistent(self) -> Scenario:
        names = [p.name for p in self.platforms]
        if len(set(names)) != len(names):
            raise FieldRuleError(f"platform names must be unique (got {names})", ("platforms",))
        share = sum(p.market_share for p in self.platforms)
        if abs(share - 1.0) > 1e-6:
            raise FieldRuleError(f"platform market shares must sum to 1 (they sum to "
                                 f"{share:g})", ("platforms",))
        for index, event in enumerate(self.timeline):
            if isinstance(event, Breach) and event.platform and event.platform not in names:
                raise FieldRuleError(
                    f"breach on day {event.day} names unknown platform {event.platform!r} "
                    f"(allowed: {', '.join(names)})", ("timeline", index, "platform")
                )
        return self
