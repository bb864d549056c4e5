"""The registry of random streams, pseudo-days and draw slots.

Every random number is ``uniform(seed, stream, day, entity, slot)`` (``core.rng``). A
mechanism owns a stream or a block of slots in one; this module is the one place they
are numbered, and ``tests/test_draws.py`` checks that no two uses share a slot. A new
mechanism takes new slots here (append: moving a slot changes every result).
"""

from __future__ import annotations

from simfraud.core.vectors import N_VECTORS

# Streams: who draws (entity is the user index, crew id or 0).
STREAM_USER = 1
STREAM_CONTACTS = 2
STREAM_ATTACKER = 3
STREAM_ENTRY = 4
STREAM_POPULATION = 5

# Pseudo-days: draws made once per run rather than on a simulated day.
POPULATION_DAY = 1 << 41
"""The initial population and the transaction-log sample."""
CONTACTS_DAY = 1 << 42
"""The contact network's key."""
CREW_DAY = 1 << 43
"""A new crew's specialisation (entity: the crew's number in order of entry)."""

# User stream, one user-day: payment and authentication.
D_PAY = 0
D_PAY_AMOUNT = 1
D_FALSE_REJECT = 2
D_ABANDON = 3
# Attacks: five slots per vector (attacked, amount, primary, step-up, monitoring).
D_ATTACK = 4
D_PER_VECTOR = 5
D_ATTACKED, D_AMOUNT, D_PRIMARY, D_STEP_UP, D_MONITORING = range(D_PER_VECTOR)
# Refund claims: one per vector.
D_CLAIM = D_ATTACK + D_PER_VECTOR * N_VECTORS
# Compromise and attitudes.
D_NOTICE = D_CLAIM + N_VECTORS
D_FACE_HARVEST = D_NOTICE + 1
D_CREDENTIAL_HARVEST = D_NOTICE + 2
D_FACE_BREACH = D_NOTICE + 3
D_CREDENTIAL_BREACH = D_NOTICE + 4
D_ADOPT = D_NOTICE + 5
D_SWITCH = D_NOTICE + 6
D_SWITCH_TARGET = D_NOTICE + 7
# Whether a victim claims a refund: one per vector.
D_REPORT = D_SWITCH_TARGET + 1
USER_SLOTS_USED = D_REPORT + N_VECTORS
"""User-stream slots below this are taken by the user day."""

# Population stream, pseudo-day POPULATION_DAY.
P_SEGMENT, P_PLATFORM, P_FACEPAY, P_EXPOSURE, P_VIGILANCE, P_PRIVACY, P_CONVENIENCE = range(7)
P_SAMPLED = 7
"""Whether a user's transactions are logged."""
KEY_SLOTS = 1_000
"""Transaction ids use user-stream slots from here on, clear of every slot a decision
uses (a shared slot would make the id depend on the decision)."""

# Attacker stream, one crew-day.
D_DIFFUSE = 0
D_PEER = 1
D_RELEASE = 2
"""One slot per public tool release from here on."""

SAMPLER_SLOTS = 10_000
"""Slots from here on belong to samplers' rejection steps (``core.rng.exponential``)."""


def slot_table() -> dict[str, list[tuple[str, int]]]:
    """Every named slot by stream (for the registry's own test and the docs)."""
    user = [(name, value) for name, value in globals().items()
            if name.startswith("D_") and name not in ("D_PER_VECTOR", "D_ATTACK", "D_CLAIM",
                                                      "D_REPORT",
                                                      "D_DIFFUSE", "D_PEER", "D_RELEASE")
            and name not in ("D_ATTACKED", "D_AMOUNT", "D_PRIMARY", "D_STEP_UP",
                             "D_MONITORING")]
    user += [(f"D_ATTACK+{k}(v={v})", D_ATTACK + D_PER_VECTOR * v + k)
             for v in range(N_VECTORS) for k in range(D_PER_VECTOR)]
    user += [(f"D_CLAIM(v={v})", D_CLAIM + v) for v in range(N_VECTORS)]
    user += [(f"D_REPORT(v={v})", D_REPORT + v) for v in range(N_VECTORS)]
    population = [(name, value) for name, value in globals().items() if name.startswith("P_")]
    return {"user": user, "population": population,
            "attacker": [("D_DIFFUSE", D_DIFFUSE), ("D_PEER", D_PEER)]}
