"""The user day: the mechanisms' stages, in order, for every user.

``users_day`` is the one place the stages are composed; each stage lives in its
mechanism's module with the inputs it reads (``DayInputs`` holds one group per stage,
built next to the stage) and the counters it fills:

1. ``network.hear``: contacts defrauded yesterday (word of mouth);
2. ``payment.genuine_payment`` and ``authentication.genuine_check``: a genuine payment,
   face-checked for face-pay users;
3. ``attacks.attack_user``: today's attempts, layer by layer, and their refunds
   (``refunds.refund_split``);
4. ``compromise.compromise``: credentials reset, faces and credentials harvested or
   breached;
5. ``attitudes.attitudes``: vigilance, friction, risk, trust, face pay, switching;
6. ``census``: the state written back and counted for tomorrow.

The columnar engine calls ``users_day`` for every chunk of users in parallel
(``run_day``); the agent engine once per ``UserAgent`` on that agent's own length-1
columns. Every draw has a fixed slot (``core.draws``) so a change in one mechanism never
shifts another's random numbers.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from simfraud.core.draws import STREAM_USER
from simfraud.core.rng import entity_key
from simfraud.users import counters as K
from simfraud.users.attacks import attack_user
from simfraud.users.attitudes import attitudes
from simfraud.users.authentication import genuine_check
from simfraud.users.census import count_tomorrow, pack, unpack
from simfraud.users.compromise import compromise
from simfraud.users.network import NETWORK_FIELDS, hear
from simfraud.users.payment import count_payment, genuine_payment
from simfraud.users.transactions import AUTH_FACE, AUTH_OTHER, AUTH_STEP_UP, GENUINE, record

DayContext = namedtuple("DayContext", [
    "key",             # day key of the replicate's random numbers
    "day",             # the day (for the transaction log)
    "sampled",         # 1 for users whose transactions are logged (empty: no log)
    *NETWORK_FIELDS,   # network.network_inputs
])
"""The day's random-number key, the transaction-log sample and the contact network."""

DayInputs = namedtuple("DayInputs", [
    "context",         # DayContext
    "payment",         # payment.PaymentInputs
    "authentication",  # authentication.AuthenticationInputs
    "attacks",         # attacks.AttackInputs
    "refunds",         # refunds.RefundInputs
    "compromise",      # compromise.CompromiseInputs
    "attitudes",       # attitudes.AttitudeInputs
])
"""Everything the user day reads besides the users' own columns, one group per stage.

The kernels take the groups as separate arguments (``users_day(c, *inputs, ...)``):
numba (0.6x) cannot pass a tuple nested in a tuple into a parallel loop."""


@njit(cache=True)
def users_day(c, t, payment, authentication, attacks, refunds, compromise_inputs, attitude_inputs,
              start, stop, first_user, defrauded_given, ai, af, log, log_count):
    """Simulate one day of the users in rows ``start .. stop-1`` of ``c``, in row order.

    The loop over users lives here, not in a caller, so the arrays of ``c`` and ``t``
    are reference-counted once per call instead of once per user.

    Args:
        c: ``UserColumns`` holding the users.
        t: ``DayContext`` of the day.
        payment: ``PaymentInputs``.
        authentication: ``AuthenticationInputs``.
        attacks: ``AttackInputs``.
        refunds: ``RefundInputs``.
        compromise_inputs: ``CompromiseInputs``.
        attitude_inputs: ``AttitudeInputs``.
        start: First row.
        stop: Row after the last.
        first_user: Population index of row 0 (the random-number entity of row ``r``
            is ``first_user + r``).
        defrauded_given: Contacts defrauded the previous day, per row; empty to count
            them from ``c.victim_prev`` and the contact network (the whole population
            must then be in ``c`` and ``first_user`` be 0).
        ai: Integer accumulator row (see ``counters``).
        af: Float accumulator row.
        log: The chunk's transaction-log buffer (see ``transactions``).
        log_count: One-element array: records in ``log`` so far.
    """
    n_platforms = authentication.bpcer.shape[0]
    n_rows = c.platform.shape[0]
    near = np.int64(0)  # victims within the contact window (columnar calls)
    for r in range(start, stop):
        user = first_user + r
        near, defrauded_contacts = hear(t, c.victim_prev, r, start, user, n_rows,
                                        near, defrauded_given)
        logged = t.sampled.shape[0] > 0 and t.sampled[user] != 0
        ek = entity_key(t.key, STREAM_USER, user)
        p = np.int64(c.platform[r])
        s = np.int64(c.segment[r])
        facepay, face_compromised, credentials_compromised, barred = unpack(c.flags[r])

        # A genuine payment, face-checked for face-pay users (0/1 arithmetic: no branches).
        pays, amount = genuine_payment(payment, s, ek)
        false_rejects, abandoned = genuine_check(authentication, ai, n_platforms, p,
                                                 pays & np.int64(facepay), ek)
        completed = pays & (1 - abandoned)
        stepped_up = np.int64(amount > authentication.step_up_threshold[p])
        ai[K.pp(n_platforms, p, K.P_STEP_UPS)] += completed & stepped_up
        count_payment(ai, n_platforms, p, completed, amount)
        if logged and pays:
            method = (AUTH_FACE if facepay else AUTH_OTHER) + (AUTH_STEP_UP if stepped_up else 0)
            outcome = (4 if abandoned else 5) if false_rejects else 0
            record(log, log_count, t.day, user, p, amount, GENUINE, method, outcome, 0, ek, 0)

        # Attacks, layer by layer, and refunds.
        loss, refund, fooled, taken_over, face_attempted = attack_user(
            attacks, authentication, refunds, ai, ek, p, c.vigilance[r],
            facepay and face_compromised, credentials_compromised, logged, log, log_count,
            t.day, user)
        victim = loss > 0
        if victim:
            ai[K.pp(n_platforms, p, K.P_VICTIMS)] += 1
            ai[K.pp(n_platforms, p, K.P_USER_LOSS)] += loss - refund
            ai[K.pp(n_platforms, p, K.P_USER_REFUND)] += refund
            c.loss[r] += loss
            c.refunded[r] += refund
        c.victim_now[r] = 1 if victim else 0
        if false_rejects:  # rare: no read-modify-write of the column for everyone
            c.false_rejects[r] += 1

        face_compromised, credentials_compromised, facepay, barred = compromise(
            compromise_inputs, ek, s, p, c.face_exposure[r], face_compromised,
            credentials_compromised, taken_over, facepay, barred)

        unrefunded = (loss - refund) / loss if victim else 0.0
        vigilance, friction, risk, trust, facepay, p, credentials_compromised = attitudes(
            attitude_inputs, c, r, ek, ai, n_platforms, p, s, fooled, victim, unrefunded,
            false_rejects, defrauded_contacts, face_attempted, facepay, barred,
            credentials_compromised)

        c.flags[r] = pack(facepay, face_compromised, credentials_compromised, barred)
        c.platform[r] = p
        c.vigilance[r] = vigilance
        c.friction[r] = friction
        c.perceived_risk[r] = risk
        c.trust[r] = trust
        count_tomorrow(c, r, ai, af, n_platforms, p, facepay, face_compromised,
                       credentials_compromised)


@njit(cache=True, parallel=True)
def run_day(c, t, payment, authentication, attacks, refunds, compromise_inputs,
            attitude_inputs, acc_int: np.ndarray, acc_float: np.ndarray, log: np.ndarray,
            log_count: np.ndarray, chunk: np.int64) -> None:
    """Simulate one day of every user, in fixed chunks run in parallel.

    Each chunk fills its own accumulator rows, so the totals (summed in chunk order by
    the caller) do not depend on the number of threads. The prange body writes nothing
    of ``c`` itself, it calls ``users_day``: numba (0.68) loses writes to a namedtuple's
    arrays made directly in a prange body, including code inlined there (the ledger
    catches it at once).

    Args:
        c: ``UserColumns`` of the whole population (updated in place).
        t: ``DayContext`` of the day.
        payment: ``PaymentInputs``.
        authentication: ``AuthenticationInputs``.
        attacks: ``AttackInputs``.
        refunds: ``RefundInputs``.
        compromise_inputs: ``CompromiseInputs``.
        attitude_inputs: ``AttitudeInputs``.
        acc_int: ``(n_chunks, n_int_slots)`` integer accumulators (overwritten).
        acc_float: ``(n_chunks, n_float_slots)`` float accumulators (overwritten).
        log: ``(n_chunks, capacity, N_FIELDS)`` transaction-log buffers.
        log_count: ``(n_chunks,)`` records per buffer (overwritten).
        chunk: Users per chunk.
    """
    n = c.platform.shape[0]
    from_network = np.zeros(0, dtype=np.int64)  # count defrauded contacts from the network
    for k in prange(acc_int.shape[0]):
        acc_int[k, :] = 0
        acc_float[k, :] = 0.0
        log_count[k] = 0
        users_day(c, t, payment, authentication, attacks, refunds, compromise_inputs,
                  attitude_inputs, k * chunk, min(n, (k + 1) * chunk), 0, from_network,
                  acc_int[k], acc_float[k], log[k], log_count[k:k + 1])
