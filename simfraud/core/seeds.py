"""Replicate seeds on Python integers, so a command's own process never loads numba.

An experiment's command records every run's seed (``experiment.json``, the index) but
runs no kernel; computing the seeds with the compiled ``core.rng.day_key`` cost it about
0.2 s to import numba and 0.3 s to load its first kernel. The SplitMix64 finaliser here
works on Python integers with the same 64-bit results as ``core.rng`` (tested against the
compiled ``day_key``), whose constants come from this module.
"""

from __future__ import annotations

import operator

MASK64 = (1 << 64) - 1
MIX_MULTIPLIERS = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)
"""The SplitMix64 finaliser's two multipliers."""
DAY_SALT = 0xD1B54A32D192ED03
"""Added to a day before it is mixed into a day key."""
REPLICATE_DAYS = 1 << 40
"""Replicate ``r`` (from 1) is seeded by the day key of day ``REPLICATE_DAYS + r``, a day
no run reaches."""


def mix64(z: int) -> int:
    """SplitMix64 finaliser of a 64-bit unsigned integer (``core.rng.mix64``)."""
    first, second = MIX_MULTIPLIERS
    z = ((z ^ (z >> 30)) * first) & MASK64
    z = ((z ^ (z >> 27)) * second) & MASK64
    return z ^ (z >> 31)


def replicate_seed(seed: int, replicate: int) -> int:
    """Seed of one replicate, derived from the base seed (replicate 0 keeps ``seed``'s key).

    Args:
        seed: Base seed of the scenario (any integer, numpy's too; taken modulo 2**64).
        replicate: Replicate number, from 0.

    Returns:
        A 64-bit seed; different replicates give unrelated draws.
    """
    seed = operator.index(seed) & MASK64
    replicate = operator.index(replicate)
    if replicate == 0:
        return seed
    day = (REPLICATE_DAYS + replicate + DAY_SALT) & MASK64
    return mix64(mix64(seed) ^ mix64(day))
