"""The user day: payments, authentication, attacks, refunds and behaviour of users.

``users_day`` is the one place user behaviour is written. The columnar engine calls it
for every chunk of users in parallel (``run_day``); the agent engine calls it once per
``UserAgent`` on that agent's own length-1 columns. Every draw has a fixed slot
(``D_*``) so a change in one mechanism never shifts another's random numbers.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from simfraud.core.rng import STREAM_USER, entity_key, uniform
from simfraud.core.vectors import ACCOUNT_TAKEOVER, N_BIOMETRIC, N_VECTORS, SOCIAL_ENGINEERING
from simfraud.users.columns import (
    BARRED_FROM_FACE,
    CREDENTIALS_COMPROMISED,
    FACE_COMPROMISED,
    FACEPAY,
)
from simfraud.users.kernels import layout as L
from simfraud.users.kernels.attacks import SUCCESS, exponential_amount, resolve_layers
from simfraud.users.kernels.behaviour import (
    choose_platform,
    facepay_utility,
    update_risk,
    update_trust,
    update_vigilance,
)
from simfraud.users.kernels.network import contacts_defrauded, victims_near, wrap
from simfraud.users.kernels.refunds import refund_split
from simfraud.users.kernels.transactions import (
    AUTH_FACE,
    AUTH_OTHER,
    AUTH_STEP_UP,
    GENUINE,
    record,
)

# Draw slots of the user stream.
D_PAY = 0
D_PAY_AMOUNT = 1
D_FALSE_REJECT = 2
D_ABANDON = 3
D_ATTACK = 4  # five per vector: attacked, amount, primary, step-up, monitoring
D_PER_VECTOR = 5
D_CLAIM = D_ATTACK + D_PER_VECTOR * N_VECTORS  # one per vector
D_NOTICE = D_CLAIM + N_VECTORS
D_FACE_HARVEST = D_NOTICE + 1
D_CREDENTIAL_HARVEST = D_NOTICE + 2
D_FACE_BREACH = D_NOTICE + 3
D_CREDENTIAL_BREACH = D_NOTICE + 4
D_ADOPT = D_NOTICE + 5
D_SWITCH = D_NOTICE + 6
D_SWITCH_TARGET = D_NOTICE + 7

HIGH_PRIVACY = 0.5
"""Privacy concern above which a user counts as high-privacy in the metrics."""

DayInputs = namedtuple(
    "DayInputs",
    [
        # randomness and network; the logged users (empty: no log)
        "key", "contacts_key", "n_contacts", "contact_window", "day", "sampled",
        # per segment
        "seg_pay_probability", "seg_mean_payment", "seg_literacy", "seg_vigilance",
        # per platform
        "bpcer", "step_up_threshold", "step_up_block", "sim_swap", "voluntary_cap",
        "face_breach", "credential_breach", "move_exposed", "switch_cumulative",
        # per platform x vector
        "attack_probability", "primary_pass", "detect", "voluntary_policy",
        # per vector
        "fraud_mean", "mandated",
        # mandate
        "mandate_cap", "mandate_excess", "mandate_receiving_bps", "negligence",
        "recovery_bps",
        # harvesting
        "face_harvest", "credential_harvest",
        # behaviour
        "face_allowed", "push", "adoption_rate", "adoption_threshold", "drop_rate",
        "risk_weight", "background_risk",
        "friction_weight", "risk_decay", "victim_shock", "word_of_mouth", "media",
        "trust_recovery", "trust_hit_unrefunded", "trust_hit_false_reject",
        "switch_threshold", "switch_rate", "vigilance_learning", "vigilance_decay",
        "friction_decay", "abandon_probability", "notice_probability", "initial_trust",
    ],
)
"""Everything the user day reads besides the user's own columns (built by the model)."""


@njit(cache=True, inline="always")
def attack_draw(ek: np.uint64, v: np.int64, probability: float) -> np.int64:
    """``1 << v`` when vector ``v`` attacks the user today, else 0."""
    if probability > 0.0 and uniform(ek, D_ATTACK + D_PER_VECTOR * v) < probability:
        return np.int64(1) << v
    return np.int64(0)


@njit(cache=True)
def users_day(c, t, start, stop, first_user, defrauded_given, ai, af, log, log_count):
    """Simulate one day of the users in rows ``start .. stop-1`` of ``c``, in row order.

    This is the one statement of user behaviour. The columnar engine calls it once per
    chunk of the population; the agent engine once per ``UserAgent``, on that agent's
    own length-1 columns. The loop over users lives here, not in a caller, so the
    arrays of ``c`` and ``t`` are reference-counted once per call instead of once per
    user (an inlined per-user function costs about 40 atomic operations per user).

    Args:
        c: ``UserColumns`` holding the users.
        t: ``DayInputs`` of the day.
        start: First row.
        stop: Row after the last.
        first_user: Population index of row 0 (the random-number entity of row ``r``
            is ``first_user + r``).
        defrauded_given: Contacts defrauded the previous day, per row; empty to count
            them from ``c.victim_prev`` and the contact network (the whole population
            must then be in ``c`` and ``first_user`` be 0).
        ai: Integer accumulator row (see ``layout``).
        af: Float accumulator row.
        log: The chunk's transaction-log buffer (see ``kernels.transactions``).
        log_count: One-element array: records in ``log`` so far.
    """
    n_platforms = t.bpcer.shape[0]
    n_rows = c.platform.shape[0]
    near = np.int64(0)  # victims within the contact window (columnar calls)
    for r in range(start, stop):
        user = first_user + r
        if defrauded_given.shape[0] > 0:
            defrauded_contacts = np.int64(defrauded_given[r])
        elif t.n_contacts == 0:
            defrauded_contacts = np.int64(0)
        else:
            if r == start:
                near = victims_near(c.victim_prev, user, n_rows, t.contact_window)
            else:
                near += (np.int64(c.victim_prev[wrap(user + t.contact_window, n_rows)])
                         - np.int64(c.victim_prev[wrap(user - t.contact_window - 1, n_rows)]))
            defrauded_contacts = np.int64(0)
            if near > 0:
                defrauded_contacts = contacts_defrauded(
                    c.victim_prev, user, n_rows, t.contacts_key, t.n_contacts, t.contact_window)
        logged = t.sampled.shape[0] > 0 and t.sampled[user] != 0
        ek = entity_key(t.key, STREAM_USER, user)
        p = np.int64(c.platform[r])
        s = np.int64(c.segment[r])
        flags = c.flags[r]
        facepay = (flags & FACEPAY) != 0
        face_compromised = (flags & FACE_COMPROMISED) != 0
        credentials_compromised = (flags & CREDENTIALS_COMPROMISED) != 0
        barred = (flags & BARRED_FROM_FACE) != 0

        # 1. A genuine payment, with face authentication for face-pay users. The draws are
        # made whether or not they are used and the counts are added as 0 or 1: a random
        # branch costs more than a draw (each draw has its own slot, so nothing shifts).
        pays = np.int64(uniform(ek, D_PAY) < t.seg_pay_probability[s])
        amount = exponential_amount(t.seg_mean_payment[s], ek, D_PAY_AMOUNT)
        face_check = pays & np.int64(facepay)
        false_rejects = face_check & np.int64(uniform(ek, D_FALSE_REJECT) < t.bpcer[p])
        abandoned = np.int64(0)
        if false_rejects:
            ai[L.pp(n_platforms, p, L.P_FALSE_REJECTS)] += 1
            if uniform(ek, D_ABANDON) < t.abandon_probability:
                abandoned = np.int64(1)
                ai[L.pp(n_platforms, p, L.P_ABANDONED)] += 1
        completed = pays & (1 - abandoned)
        stepped_up = np.int64(amount > t.step_up_threshold[p])
        ai[L.pp(n_platforms, p, L.P_FACE_CHECKS)] += face_check
        ai[L.pp(n_platforms, p, L.P_STEP_UPS)] += completed & stepped_up
        ai[L.pp(n_platforms, p, L.P_PAYMENTS)] += completed
        ai[L.pp(n_platforms, p, L.P_VOLUME)] += completed * amount
        if logged and pays:
            auth = (AUTH_FACE if facepay else AUTH_OTHER) + (AUTH_STEP_UP if stepped_up else 0)
            outcome = (4 if abandoned else 5) if false_rejects else 0
            record(log, log_count, t.day, user, p, amount, GENUINE, auth, outcome, 0, ek, 0)

        # 2. Attacks, one possible attempt per vector, resolved layer by layer.
        loss_today = np.int64(0)
        refund_today = np.int64(0)
        scammed = False
        taken_over = False
        face_alarm = False
        # Which vectors attack today: everyone can be scammed (and hit by any vector other
        # than account takeover and the biometric ones), only a user with stolen
        # credentials taken over, only a face-pay user with a stolen face spoofed. Most
        # users are attacked by nothing, so the eligible vectors are tried first and the
        # attempts resolved in a second loop that most users skip.
        attacked = np.int64(0)
        for v in range(N_BIOMETRIC, N_VECTORS):
            if v != ACCOUNT_TAKEOVER or credentials_compromised:
                attacked |= attack_draw(ek, v, t.attack_probability[p, v])
        if facepay and face_compromised:
            for v in range(N_BIOMETRIC):
                attacked |= attack_draw(ek, v, t.attack_probability[p, v])
        for v in range(N_VECTORS if attacked else 0):
            if not (attacked >> v) & 1:
                continue
            base = D_ATTACK + D_PER_VECTOR * v
            amount = exponential_amount(t.fraud_mean[v], ek, base + 1)
            ai[L.pv(p, v, L.PV_ATTEMPTS)] += 1
            ai[L.pv(p, v, L.PV_ATTEMPTED_AMOUNT)] += amount
            face_alarm = face_alarm or v < N_BIOMETRIC
            pass_primary = t.primary_pass[p, v]
            block = 0.0
            if v < N_BIOMETRIC:
                block = t.step_up_block[p] * (1.0 - t.sim_swap[p] * credentials_compromised)
            elif v == ACCOUNT_TAKEOVER:
                block = t.step_up_block[p] * (1.0 - t.sim_swap[p])
            else:
                pass_primary *= 1.0 - c.vigilance[r]
            outcome = resolve_layers(
                uniform(ek, base + 2), pass_primary, amount > t.step_up_threshold[p],
                uniform(ek, base + 3), block, uniform(ek, base + 4), t.detect[p, v],
            )
            auth = 0
            if logged:
                auth = (AUTH_FACE if v < N_BIOMETRIC else AUTH_OTHER) + (
                    AUTH_STEP_UP if amount > t.step_up_threshold[p] and block > 0.0 else 0)
            if outcome != SUCCESS:
                ai[L.pv(p, v, L.PV_STOP_PRIMARY + outcome - 1)] += 1
                if logged:
                    record(log, log_count, t.day, user, p, amount, v, auth, outcome, 0, ek, 1 + v)
                continue
            sending, receiving = refund_split(
                amount, t.mandated[v] != 0, t.mandate_cap, t.mandate_excess,
                t.mandate_receiving_bps, uniform(ek, D_CLAIM + v) < t.negligence,
                t.voluntary_policy[p, v], t.voluntary_cap[p],
            )
            ai[L.pv(p, v, L.PV_SUCCESSES)] += 1
            ai[L.pv(p, v, L.PV_LOSS)] += amount
            ai[L.pv(p, v, L.PV_REFUND_SENDING)] += sending
            ai[L.pv(p, v, L.PV_REFUND_RECEIVING)] += receiving
            ai[L.pv(p, v, L.PV_RECOVERED)] += amount * t.recovery_bps // 10_000
            loss_today += amount
            refund_today += sending + receiving
            if logged:
                record(log, log_count, t.day, user, p, amount, v, auth, SUCCESS,
                       sending + receiving, ek, 1 + v)
            scammed = scammed or v == SOCIAL_ENGINEERING
            taken_over = taken_over or v == ACCOUNT_TAKEOVER
        victim = loss_today > 0
        if victim:
            ai[L.pp(n_platforms, p, L.P_VICTIMS)] += 1
            ai[L.pp(n_platforms, p, L.P_USER_LOSS)] += loss_today - refund_today
            ai[L.pp(n_platforms, p, L.P_USER_REFUND)] += refund_today
            c.loss[r] += loss_today
            c.refunded[r] += refund_today
        c.victim_now[r] = 1 if victim else 0
        if false_rejects:  # rare: no read-modify-write of the column for everyone
            c.false_rejects[r] += 1

        # 3. Compromise: resets, harvesting, breaches.
        literacy = t.seg_literacy[s]
        if credentials_compromised and (
            taken_over or uniform(ek, D_NOTICE) < t.notice_probability * (0.5 + literacy)
        ):
            credentials_compromised = False
        if not face_compromised and (
            uniform(ek, D_FACE_HARVEST) < t.face_harvest * c.face_exposure[r]
        ):
            face_compromised = True
        if not credentials_compromised and (
            uniform(ek, D_CREDENTIAL_HARVEST) < t.credential_harvest * (1.2 - literacy)
        ):
            credentials_compromised = True
        if t.face_breach[p] > 0.0 and uniform(ek, D_FACE_BREACH) < t.face_breach[p]:
            face_compromised = True
            if t.move_exposed[p] != 0:
                facepay = False
                barred = True
        breach = t.credential_breach[p]
        if breach > 0.0 and uniform(ek, D_CREDENTIAL_BREACH) < breach:
            credentials_compromised = True

        # 4. Attitudes, face-pay adoption and platform switching.
        vigilance = update_vigilance(c.vigilance[r], t.seg_vigilance[s], t.vigilance_decay,
                                     t.vigilance_learning, scammed)
        friction = c.friction[r] * (1.0 - t.friction_decay) + false_rejects
        risk = update_risk(c.perceived_risk[r], t.risk_decay, t.background_risk, t.victim_shock,
                           victim, t.word_of_mouth, defrauded_contacts, t.media)
        unrefunded = (loss_today - refund_today) / loss_today if victim else 0.0
        trust = update_trust(c.trust[r], t.trust_recovery, t.trust_hit_unrefunded, unrefunded,
                             t.trust_hit_false_reject, false_rejects)
        privacy = c.privacy_concern[r]
        utility = facepay_utility(c.convenience[r], t.push, t.risk_weight, privacy, risk,
                                  t.friction_weight, friction)
        # A spoof attempt, stopped or not, is reported (by the platform's checks or by the
        # victim) and face pay is suspended until the user re-enrols. (``&`` and ``|``, not
        # ``and``/``or``: the conditions are unpredictable, so no branches.)
        u_adopt = uniform(ek, D_ADOPT)
        allowed = t.face_allowed != 0
        keeps = not (face_alarm | (not allowed) | ((utility < 0.0) & (u_adopt < t.drop_rate)))
        adopts = (allowed & (not barred) & (utility > t.adoption_threshold)
                  & (u_adopt < t.adoption_rate))
        facepay = (facepay & keeps) | ((not facepay) & adopts)
        if (n_platforms > 1 and trust < t.switch_threshold
                and uniform(ek, D_SWITCH) < t.switch_rate):
            ai[L.pp(n_platforms, p, L.P_SWITCHED_OUT)] += 1
            p = choose_platform(uniform(ek, D_SWITCH_TARGET), t.switch_cumulative, p)
            trust = t.initial_trust
            facepay = False
            credentials_compromised = False

        # 5. Write back and count tomorrow's state.
        flags = np.uint8(0)
        if facepay:
            flags |= FACEPAY
        if face_compromised:
            flags |= FACE_COMPROMISED
        if credentials_compromised:
            flags |= CREDENTIALS_COMPROMISED
        if barred:
            flags |= BARRED_FROM_FACE
        c.flags[r] = flags
        c.platform[r] = p
        c.vigilance[r] = vigilance
        c.friction[r] = friction
        c.perceived_risk[r] = risk
        c.trust[r] = trust

        # Census for tomorrow, without branches on the flags (they are unpredictable).
        on_face = np.int64(facepay)
        high_privacy = np.int64(privacy > HIGH_PRIVACY)
        ai[L.pp(n_platforms, p, L.P_USERS_NEXT)] += 1
        ai[L.pp(n_platforms, p, L.P_FACEPAY_NEXT)] += on_face
        ai[L.pv(p, SOCIAL_ENGINEERING, L.PV_ELIGIBLE_NEXT)] += 1
        ai[L.pv(p, ACCOUNT_TAKEOVER, L.PV_ELIGIBLE_NEXT)] += np.int64(credentials_compromised)
        ai[L.gl(n_platforms, L.G_CREDENTIALS_COMPROMISED)] += np.int64(credentials_compromised)
        ai[L.gl(n_platforms, L.G_FACES_COMPROMISED)] += np.int64(face_compromised)
        ai[L.gl(n_platforms, L.G_USERS_HIGH_PRIVACY)] += high_privacy
        ai[L.gl(n_platforms, L.G_FACEPAY_HIGH_PRIVACY)] += on_face & high_privacy
        ai[L.gl(n_platforms, L.G_FACEPAY_LOW_PRIVACY)] += on_face & (1 - high_privacy)
        if facepay and face_compromised:
            for v in range(N_BIOMETRIC):
                ai[L.pv(p, v, L.PV_ELIGIBLE_NEXT)] += 1
        af[p * L.N_FP + L.F_TRUST] += np.float64(c.trust[r])
        af[n_platforms * L.N_FP + L.F_RISK] += np.float64(c.perceived_risk[r])


@njit(cache=True, parallel=True)
def run_day(c, t, acc_int: np.ndarray, acc_float: np.ndarray, log: np.ndarray,
            log_count: np.ndarray, chunk: np.int64) -> None:
    """Simulate one day of every user, in fixed chunks run in parallel.

    Each chunk fills its own accumulator rows, so the totals (summed in chunk order by
    the caller) do not depend on the number of threads. The prange body writes nothing
    of ``c`` itself, it calls ``users_day``: numba (0.68) loses writes to a namedtuple's
    arrays made directly in a prange body, including code inlined there (the ledger
    catches it at once).

    Args:
        c: ``UserColumns`` of the whole population (updated in place).
        t: ``DayInputs`` of the day.
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
        users_day(c, t, k * chunk, min(n, (k + 1) * chunk), 0, from_network, acc_int[k],
                  acc_float[k], log[k], log_count[k:k + 1])
