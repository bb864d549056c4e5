"""Payment: whether a user pays today and how much (parameters under ``population.segments``).

Stage of the user day: ``genuine_payment`` draws the payment; ``count_payment`` books the
completed ones. Metrics fed: ``payments``, ``payment_volume`` (``P.payments``,
``P.payment_volume``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

PaymentInputs = namedtuple("PaymentInputs", ["seg_pay_probability", "seg_mean_payment"])
"""Per segment: daily probability of a payment and its mean amount (minor units)."""


def payment_inputs(scenario) -> PaymentInputs:
    """The payment stage's inputs from ``population.segments``."""
    segments = scenario.population.segments
    return PaymentInputs(
        seg_pay_probability=np.array([s.pay_probability for s in segments]),
        seg_mean_payment=np.array([float(s.mean_payment) for s in segments]),
    )
