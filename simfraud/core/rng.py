"""Counter-based random numbers: every draw is a pure function of its coordinates.

A draw is ``uniform(seed, stream, day, entity, draw)``. Nothing is carried from one
draw to the next, so results do not depend on thread count, iteration order or engine,
and switching a policy on or off leaves every unrelated draw where it was (common
random numbers).

Construction (SplitMix64 finaliser as the mixing function):

* ``day_key(seed, day) = mix(mix(seed) ^ mix(day + D))`` once per day;
* ``entity_key(day_key, stream, entity) = mix(day_key ^ mix(stream * S + entity * E))``;
* ``uniform = top53bits(mix(entity_key + draw * G)) * 2**-53``.

``stream`` names the mechanism and ``draw`` numbers the draws a mechanism needs for one
entity on one day: both are numbered in one registry, ``core.draws``.

Exponential variates (``exponential``) come from the ziggurat method (Marsaglia and
Tsang 2000, 256 layers, as numpy's ``standard_exponential``) fed by the 64 bits of one
draw slot: about 99% of them cost one table look-up and a multiplication instead of a
logarithm. The rare rejections draw again from slots at ``SAMPLER_SLOTS`` and above (and
after 32 failed rounds, probability about 1e-64, from ``SAMPLER_SLOTS - 1000 + draw``),
so a variate is still a pure function of its coordinates.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simfraud.core.seeds import DAY_SALT, MIX_MULTIPLIERS

_M1, _M2 = (np.uint64(m) for m in MIX_MULTIPLIERS)
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_DAY_SALT = np.uint64(DAY_SALT)
_STREAM_MUL = np.uint64(0xA0761D6478BD642F)
_ENTITY_MUL = np.uint64(0xE7037ED1A0B428DB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0

SAMPLER_SLOTS = 10_000
"""Draw slots from here on belong to samplers' rejection steps (see ``exponential``)."""
_RETRIES = 32
"""Rejection rounds of one exponential variate (each fails with probability about 0.01):
draw ``d`` uses slots ``SAMPLER_SLOTS + 64 d`` to ``SAMPLER_SLOTS + 64 d + 63``."""
_FALLBACK_SLOTS = SAMPLER_SLOTS - 1_000
"""Slot ``_FALLBACK_SLOTS + d``: inversion after ``_RETRIES`` failed rounds of draw ``d``."""



@njit(cache=True, inline="always")
def mix64(z: np.uint64) -> np.uint64:
    """SplitMix64 finaliser: a bijective 64-bit mixing function."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def day_key(seed: np.uint64, day: np.int64) -> np.uint64:
    """Key of one (seed, day): mixes both so neighbouring seeds and days are unrelated."""
    return mix64(mix64(np.uint64(seed)) ^ mix64(np.uint64(day) + _DAY_SALT))


@njit(cache=True, inline="always")
def entity_key(key: np.uint64, stream: np.int64, entity: np.int64) -> np.uint64:
    """Key of one (seed, day, stream, entity)."""
    return mix64(
        np.uint64(key) ^ mix64(np.uint64(stream) * _STREAM_MUL + np.uint64(entity) * _ENTITY_MUL)
    )


@njit(cache=True, inline="always")
def uniform(ekey: np.uint64, draw: np.int64) -> float:
    """Uniform in [0, 1) for draw number ``draw`` of an entity key."""
    return np.float64(mix64(np.uint64(ekey) + np.uint64(draw) * _GOLDEN) >> _S11) * _INV53


def _ziggurat_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Layer tables of the exponential ziggurat (Marsaglia and Tsang 2000, 53-bit).

    Layer 0 is the base strip (with the tail beyond ``ZIGGURAT_R``); layers 255 .. 1
    stack above it, each of area ``ZIGGURAT_V``. ``we[i]`` scales a 53-bit integer to the
    layer's width, ``ke[i]`` is the integer below which a point lies under the density
    for sure, ``fe[i]`` is the density at the layer's right edge.
    """
    scale = 2.0**53
    ke = np.zeros(256, dtype=np.uint64)
    we = np.zeros(256)
    fe = np.zeros(256)
    edge = previous = ZIGGURAT_R
    base_width = ZIGGURAT_V / math.exp(-edge)
    ke[0] = np.uint64(edge / base_width * scale)
    we[0] = base_width / scale
    we[255] = edge / scale
    fe[0] = 1.0
    fe[255] = math.exp(-edge)
    for i in range(254, 0, -1):
        edge = -math.log(ZIGGURAT_V / edge + math.exp(-edge))
        ke[i + 1] = np.uint64(edge / previous * scale)
        previous = edge
        fe[i] = math.exp(-edge)
        we[i] = edge / scale
    return ke, we, fe


ZIGGURAT_R = 7.69711747013104972
"""Right edge of the bottom layer of the exponential ziggurat."""
ZIGGURAT_V = 0.0039496598225815571993
"""Area of each of its 256 layers."""
_KE, _WE, _FE = _ziggurat_tables()
_LOW8 = np.uint64(0xFF)


@njit(cache=True)
def _exponential_rejected(ekey: np.uint64, draw: np.int64, layer: np.uint64,
                          bits: np.uint64) -> float:
    """The ziggurat's slow path: the tail, the wedges, and fresh tries."""
    slot = SAMPLER_SLOTS + draw * 2 * _RETRIES
    for attempt in range(_RETRIES):
        u = uniform(ekey, slot + 2 * attempt)
        if layer == 0:
            return ZIGGURAT_R - math.log(1.0 - u)
        x = np.float64(bits) * _WE[layer]
        if _FE[layer] + u * (_FE[layer - 1] - _FE[layer]) < math.exp(-x):
            return x
        raw = mix64(np.uint64(ekey) + np.uint64(slot + 2 * attempt + 1) * _GOLDEN)
        layer = raw & _LOW8
        bits = raw >> _S11
        if bits < _KE[layer]:
            return np.float64(bits) * _WE[layer]
    # Reached with probability about 1e-64: inversion keeps the variate exponential.
    return -math.log(1.0 - uniform(ekey, _FALLBACK_SLOTS + draw))


@njit(cache=True, inline="always")
def exponential(ekey: np.uint64, draw: np.int64) -> float:
    """A standard exponential variate (mean 1) from draw slot ``draw`` of an entity key.

    The low 8 bits of the slot's 64 pick the layer, the top 53 the position in it (the
    two do not overlap).
    """
    raw = mix64(np.uint64(ekey) + np.uint64(draw) * _GOLDEN)
    layer = raw & _LOW8
    bits = raw >> _S11
    if bits < _KE[layer]:
        return np.float64(bits) * _WE[layer]
    return _exponential_rejected(ekey, draw, layer, bits)


@njit(cache=True)
def uniform_at(seed: np.uint64, stream: np.int64, day: np.int64, entity: np.int64,
               draw: np.int64) -> float:
    """The draw at full coordinates ``(seed, stream, day, entity, draw)``."""
    return uniform(entity_key(day_key(seed, day), stream, entity), draw)


@njit(cache=True)
def uniforms(seed: np.uint64, stream: np.int64, day: np.int64, entity: np.int64,
             count: np.int64) -> np.ndarray:
    """Draws ``0 .. count-1`` of one entity as an array (for Python-side agents)."""
    ekey = entity_key(day_key(seed, day), stream, entity)
    out = np.empty(count, dtype=np.float64)
    for d in range(count):
        out[d] = uniform(ekey, d)
    return out
