"""Payment: whether a user pays today and how much (parameters under ``population.segments``).

Stage of the user day: ``genuine_payment`` draws the payment; ``count_payment`` books the
completed ones. Metrics fed: ``payments``, ``payment_volume`` (``P_PAYMENTS``,
``P_VOLUME``).
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit

from simfraud.core.draws import D_PAY, D_PAY_AMOUNT
from simfraud.core.rng import uniform
from simfraud.users import counters as K
from simfraud.users.attacks import exponential_amount

PaymentInputs = namedtuple("PaymentInputs", ["seg_pay_probability", "seg_mean_payment"])
"""Per segment: daily probability of a payment and its mean amount (minor units)."""


def payment_inputs(scenario) -> PaymentInputs:
    """The payment stage's inputs from ``population.segments``."""
    segments = scenario.population.segments
    return PaymentInputs(
        seg_pay_probability=np.array([s.pay_probability for s in segments]),
        seg_mean_payment=np.array([float(s.mean_payment) for s in segments]),
    )


@njit(cache=True, inline="always")
def genuine_payment(t, s: np.int64, ek: np.uint64) -> tuple[np.int64, np.int64]:
    """``(pays, amount)``: 1 when the user pays today, and the amount (drawn either way).

    Both draws are made whether or not they are used: a random branch costs more than
    a draw, and each draw has its own slot, so nothing shifts.
    """
    pays = np.int64(uniform(ek, D_PAY) < t.seg_pay_probability[s])
    amount = exponential_amount(t.seg_mean_payment[s], ek, D_PAY_AMOUNT)
    return pays, amount


@njit(cache=True, inline="always")
def count_payment(ai, n_platforms: np.int64, p: np.int64, completed: np.int64,
                  amount: np.int64) -> None:
    """Book a completed (1) or not completed (0) genuine payment."""
    ai[K.pp(n_platforms, p, K.P_PAYMENTS)] += completed
    ai[K.pp(n_platforms, p, K.P_VOLUME)] += completed * amount
