"""The user day: the mechanisms' stages, in order, for every user.

``users_day`` is the one place the stages are composed, as labelled sections of one
loop: Network, Payment and authentication, Attacks (with Refunds), Compromise,
Attitudes, Census. Each mechanism's module holds the inputs its section reads
(``DayInputs`` holds one group per mechanism, built next to it), its scalar helpers and
the counters it fills. Sections, not stage functions: numba reference-counts every array
of a tuple passed to a function, even an inlined one, on every call, which made
per-stage functions 4 to 9 times slower (docs/architecture.md).

The columnar engine calls ``users_day`` for every chunk of users in parallel
(``run_day``); the agent engine once per ``UserAgent`` on that agent's own length-1
columns. Every draw has a fixed slot (``core.draws``) so a change in one mechanism never
shifts another's random numbers.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np
from numba import njit, prange

from simfraud.core.draws import (
    D_ABANDON,
    D_ADOPT,
    D_AMOUNT,
    D_ATTACK,
    D_CLAIM,
    D_CREDENTIAL_BREACH,
    D_CREDENTIAL_HARVEST,
    D_FACE_BREACH,
    D_FACE_HARVEST,
    D_FALSE_REJECT,
    D_MONITORING,
    D_NOTICE,
    D_PAY,
    D_PAY_AMOUNT,
    D_PER_VECTOR,
    D_PRIMARY,
    D_REPORT,
    D_STEP_UP,
    D_SWITCH,
    D_SWITCH_TARGET,
    STREAM_USER,
)
from simfraud.core.rng import entity_key, uniform
from simfraud.core.vectors import (
    AUTHORISED,
    INJECTION,
    N_VECTORS,
    PRESENTATION,
    STEP_UP,
    STEP_UP_HOLD,
    TARGET,
    TARGET_CREDENTIALS,
    TARGET_FACE,
)
from simfraud.users import counters as K
from simfraud.users.attacks import (
    attack_draw,
    expected_amount,
    exponential_amount,
    fraud_amount,
    reachable,
)
from simfraud.users.attitudes import (
    choose_platform,
    facepay_utility,
    update_risk,
    update_trust,
    update_vigilance,
)
from simfraud.users.authentication import (
    NO_THRESHOLD,
    STOPPED_PAYEE,
    SUCCESS,
    face_step_up_block,
    resolve_layers,
    step_up_block,
)
from simfraud.users.census import HIGH_PRIVACY, pack, unpack
from simfraud.users.compromise import (
    RESPONSE_BAR,
    RESPONSE_MOVE_OFF,
    RESPONSE_NOTIFY,
    RESPONSE_STEP_UP,
)
from simfraud.users.network import NETWORK_FIELDS, contacts_defrauded, victims_near, wrap
from simfraud.users.refunds import claim_probability, refund_split
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
        # Network: contacts defrauded yesterday (word of mouth), from a running count of
        # yesterday's victims within the window: contacts are drawn only when one is near.
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
        facepay, face_compromised, credentials_compromised, barred, always_step_up = unpack(
            c.flags[r])

        # Payment and authentication: a genuine payment, face-checked for face-pay users.
        # Draws are made whether or not they are used and counts added as 0 or 1: a random
        # branch costs more than a draw (each draw has its own slot, so nothing shifts).
        pays = np.int64(uniform(ek, D_PAY) < payment.seg_pay_probability[s])
        amount = exponential_amount(payment.seg_mean_payment[s], ek, D_PAY_AMOUNT)
        face_check = pays & np.int64(facepay)
        false_rejects = face_check & np.int64(
            uniform(ek, D_FALSE_REJECT) < authentication.bpcer[p])
        abandoned = np.int64(0)
        if false_rejects:
            ai[K.pp(n_platforms, p, K.P.false_rejects)] += 1
            if uniform(ek, D_ABANDON) < authentication.abandon_probability:
                abandoned = np.int64(1)
                ai[K.pp(n_platforms, p, K.P.abandoned)] += 1
        completed = pays & (1 - abandoned)
        threshold = authentication.step_up_threshold[p]
        if always_step_up and threshold < NO_THRESHOLD:
            threshold = np.int64(0)
        stepped_up = np.int64(amount > threshold)
        ai[K.pp(n_platforms, p, K.P.face_checks)] += face_check
        ai[K.pp(n_platforms, p, K.P.step_ups)] += completed & stepped_up
        ai[K.pp(n_platforms, p, K.P.payments)] += completed
        ai[K.pp(n_platforms, p, K.P.payment_volume)] += completed * amount
        if logged and pays:
            method = (AUTH_FACE if facepay else AUTH_OTHER) + (AUTH_STEP_UP if stepped_up else 0)
            outcome = (4 if abandoned else 5) if false_rejects else 0
            record(log, log_count, t.day, user, p, amount, GENUINE, method, outcome, 0, ek, 0)

        # Attacks: the reachable vectors are drawn first; most users are attacked by
        # nothing and skip the second loop, which resolves attempts layer by layer.
        face_target = facepay and face_compromised
        attacked = np.int64(0)
        for v in range(N_VECTORS):
            if reachable(v, face_target, credentials_compromised):
                attacked |= attack_draw(ek, v, attacks.attack_probability[p, v])
        loss = np.int64(0)
        refund = np.int64(0)
        fooled = False
        taken_over = False
        face_attempted = False
        for v in range(N_VECTORS if attacked else 0):
            if not (attacked >> v) & 1:
                continue
            slot = D_ATTACK + D_PER_VECTOR * v
            amount = fraud_amount(attacks.fraud_amount[v], ek, slot + D_AMOUNT)
            ai[K.pv(p, v, K.PV.attempts)] += 1
            ai[K.pv(p, v, K.PV.attempted_amount)] += amount
            biometric = TARGET[v] == TARGET_FACE
            face_attempted = face_attempted or biometric
            pass_primary = authentication.primary_pass[p, v]
            if AUTHORISED[v]:  # care lapses by moral_hazard x the expected refund
                pass_primary *= 1.0 - c.vigilance[r] * (
                    1.0 - attitude_inputs.moral_hazard * refunds.prospect[p, v])
            if STEP_UP[v] == STEP_UP_HOLD:  # the payer authorises: held and questioned
                block = authentication.scam_hold[p]
            elif facepay and authentication.face_step_up[p] != 0:
                block = face_step_up_block(
                    STEP_UP[v], TARGET[v], authentication.primary_pass[p, v],
                    max(authentication.primary_pass[p, PRESENTATION],
                        authentication.primary_pass[p, INJECTION]), face_compromised)
            else:
                block = step_up_block(STEP_UP[v], authentication.step_up_block[p],
                                      authentication.sim_swap[p], credentials_compromised)
            needs_step_up = amount > threshold
            outcome = resolve_layers(
                uniform(ek, slot + D_PRIMARY), pass_primary, needs_step_up,
                uniform(ek, slot + D_STEP_UP), block, uniform(ek, slot + D_MONITORING),
                authentication.detect[p, v], authentication.payee_stop[p, v],
            )
            method = 0
            if logged:
                method = (AUTH_FACE if biometric else AUTH_OTHER) + (
                    AUTH_STEP_UP if needs_step_up and block > 0.0 else 0)
            if outcome == STOPPED_PAYEE:  # its code is not after the other stops' (OUTCOMES)
                ai[K.pv(p, v, K.PV.stopped_payee)] += 1
            elif outcome != SUCCESS:
                ai[K.pv(p, v, K.PV.stopped_primary + outcome - 1)] += 1
            if outcome != SUCCESS:
                if logged:
                    record(log, log_count, t.day, user, p, amount, v, method, outcome, 0, ek,
                           1 + v)
                continue
            # Refunds and liability.
            sending, receiving = refund_split(
                amount, refunds.mandated[v] != 0, refunds.mandate_cap, refunds.mandate_excess,
                refunds.mandate_receiving_bps, uniform(ek, D_CLAIM + v), refunds.refused,
                refunds.voluntary_policy[p, v], refunds.voluntary_cap[p],
                refunds.voluntary_share_bps[p], refunds.voluntary_grant[p],
            )
            claims = uniform(ek, D_REPORT + v) < claim_probability(refunds.claim_base,
                                                                   refunds.prospect[p, v])
            if claims:  # the provider learns of it
                ai[K.pv(p, v, K.PV.claimed_loss)] += amount
            else:  # an unclaimed fraud is not refunded
                sending = np.int64(0)
                receiving = np.int64(0)
            ai[K.pv(p, v, K.PV.claims)] += claims
            ai[K.pv(p, v, K.PV.refunded_claims)] += sending + receiving > 0
            ai[K.pv(p, v, K.PV.successes)] += 1
            ai[K.pv(p, v, K.PV.loss)] += amount
            ai[K.pv(p, v, K.PV.expected_loss)] += expected_amount(
                threshold, block, attacks.expected_amount[p, v])
            ai[K.pv(p, v, K.PV.refund_sending)] += sending
            ai[K.pv(p, v, K.PV.refund_receiving)] += receiving
            ai[K.pv(p, v, K.PV.recovered)] += amount * refunds.recovery_bps // 10_000
            loss += amount
            refund += sending + receiving
            if logged:
                record(log, log_count, t.day, user, p, amount, v, method, SUCCESS,
                       sending + receiving, ek, 1 + v)
            fooled = fooled or AUTHORISED[v]
            taken_over = taken_over or TARGET[v] == TARGET_CREDENTIALS
        victim = loss > 0
        if victim:
            ai[K.pp(n_platforms, p, K.P.victims)] += 1
            ai[K.pp(n_platforms, p, K.P.user_loss)] += loss - refund
            ai[K.pp(n_platforms, p, K.P.user_refund)] += refund
            c.loss[r] += loss
            c.refunded[r] += refund
        c.victim_now[r] = 1 if victim else 0
        if false_rejects:  # rare: no read-modify-write of the column for everyone
            c.false_rejects[r] += 1

        # Compromise: credentials reset when noticed or used; harvesting; breaches.
        cmp = compromise_inputs
        if credentials_compromised and (
                taken_over or uniform(ek, D_NOTICE) < cmp.seg_notice[s]):
            credentials_compromised = False
        if not face_compromised and (
                uniform(ek, D_FACE_HARVEST) < cmp.face_harvest * c.face_exposure[r]):
            face_compromised = True
        if not credentials_compromised and (
                uniform(ek, D_CREDENTIAL_HARVEST) < cmp.credential_harvest * cmp.seg_phishing[s]):
            credentials_compromised = True
        if cmp.face_breach[p] > 0.0 and uniform(ek, D_FACE_BREACH) < cmp.face_breach[p]:
            face_compromised = True
            if cmp.move_exposed[p] != 0:
                facepay = False
                barred = True
        breach = cmp.credential_breach[p]
        if breach > 0.0 and uniform(ek, D_CREDENTIAL_BREACH) < breach:
            credentials_compromised = True
        response = cmp.face_response[p] if face_attempted else 0
        notified = response >= RESPONSE_NOTIFY
        always_step_up = always_step_up | (response == RESPONSE_STEP_UP)
        moved_off = response >= RESPONSE_MOVE_OFF
        facepay = facepay & (not moved_off)
        barred = barred | (response == RESPONSE_BAR)

        # Attitudes, face-pay adoption and platform switching. A user notified of a face
        # attack takes it as a victim would (perceived risk).
        # (``&`` and ``|``, not ``and``/``or``: the conditions are unpredictable.)
        a = attitude_inputs
        vigilance = update_vigilance(c.vigilance[r], a.seg_vigilance[s], a.vigilance_decay,
                                     a.vigilance_learning, fooled)
        friction = c.friction[r] * (1.0 - a.friction_decay) + false_rejects
        risk = update_risk(c.perceived_risk[r], a.risk_decay, a.background_risk, a.victim_shock,
                           victim | notified, a.word_of_mouth, defrauded_contacts, a.media)
        unrefunded = (loss - refund) / loss if victim else 0.0
        trust = update_trust(c.trust[r], a.trust_recovery, a.trust_hit_unrefunded, unrefunded,
                             a.trust_hit_false_reject, false_rejects)
        privacy = c.privacy_concern[r]
        utility = facepay_utility(c.convenience[r], a.push, a.risk_weight, privacy, risk,
                                  a.friction_weight, friction)
        u_adopt = uniform(ek, D_ADOPT)
        allowed = a.face_allowed[p] != 0
        keeps = not ((not allowed) | ((utility < 0.0) & (u_adopt < a.drop_rate)))
        adopts = (allowed & (not barred) & (not moved_off) & (utility > a.adoption_threshold)
                  & (u_adopt < a.adoption_rate))
        facepay = (facepay & keeps) | ((not facepay) & adopts)
        if (n_platforms > 1 and trust < a.switch_threshold
                and uniform(ek, D_SWITCH) < a.switch_rate):
            ai[K.pp(n_platforms, p, K.P.switched_platform)] += 1
            p = choose_platform(uniform(ek, D_SWITCH_TARGET), a.switch_cumulative, p)
            trust = a.initial_trust
            facepay = False
            credentials_compromised = False
            always_step_up = False

        # Census: the state written back and counted for tomorrow (no branches on flags).
        c.flags[r] = pack(facepay, face_compromised, credentials_compromised, barred,
                          always_step_up)
        c.platform[r] = p
        c.vigilance[r] = vigilance
        c.friction[r] = friction
        c.perceived_risk[r] = risk
        c.trust[r] = trust
        on_face = np.int64(facepay)
        high_privacy = np.int64(privacy > HIGH_PRIVACY)
        ai[K.pp(n_platforms, p, K.P.users_next)] += 1
        ai[K.pp(n_platforms, p, K.P.facepay_users)] += on_face
        face_target = facepay and face_compromised
        for v in range(N_VECTORS):
            ai[K.pv(p, v, K.PV.eligible_next)] += np.int64(
                reachable(v, face_target, credentials_compromised))
        ai[K.gl(n_platforms, K.G.credentials_compromised)] += np.int64(credentials_compromised)
        ai[K.gl(n_platforms, K.G.faces_compromised)] += np.int64(face_compromised)
        ai[K.gl(n_platforms, K.G.users_high_privacy)] += high_privacy
        ai[K.gl(n_platforms, K.G.facepay_high_privacy)] += on_face & high_privacy
        ai[K.gl(n_platforms, K.G.facepay_low_privacy)] += on_face & (1 - high_privacy)
        af[p * K.N_FP + K.F_TRUST] += np.float64(c.trust[r])
        af[n_platforms * K.N_FP + K.F_RISK] += np.float64(c.perceived_risk[r])


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
