"""Build the initial user population from a scenario."""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from simfraud.core.draws import (
    P_CONVENIENCE,
    P_EXPOSURE,
    P_FACEPAY,
    P_PLATFORM,
    P_PRIVACY,
    P_SEGMENT,
    P_VIGILANCE,
    POPULATION_DAY,
    STREAM_POPULATION,
)
from simfraud.core.rng import day_key, entity_key, uniform
from simfraud.scenario.schema import Scenario
from simfraud.users.columns import FACEPAY, UserColumns, allocate


@njit(cache=True, inline="always")
def _pick(u: float, cumulative: np.ndarray) -> np.int64:
    for k in range(cumulative.shape[0] - 1):
        if u < cumulative[k]:
            return k
    return cumulative.shape[0] - 1


@njit(cache=True, inline="always")
def _spread(base: float, width: float, u: float) -> np.float32:
    return np.float32(min(max(base + width * (u - 0.5), 0.0), 1.0))


@njit(cache=True)
def _init_user(c, i, key, segment_cumulative, platform_cumulative, attributes, spread,
               facepay_share, initial_trust, initial_risk):
    ek = entity_key(key, STREAM_POPULATION, i)
    s = _pick(uniform(ek, P_SEGMENT), segment_cumulative)
    c.segment[i] = s
    c.platform[i] = _pick(uniform(ek, P_PLATFORM), platform_cumulative)
    c.flags[i] = FACEPAY if uniform(ek, P_FACEPAY) < facepay_share else np.uint8(0)
    c.face_exposure[i] = _spread(attributes[s, 0], spread, uniform(ek, P_EXPOSURE))
    c.vigilance[i] = _spread(attributes[s, 1], spread, uniform(ek, P_VIGILANCE))
    c.privacy_concern[i] = _spread(attributes[s, 2], spread, uniform(ek, P_PRIVACY))
    c.convenience[i] = _spread(attributes[s, 3], spread, uniform(ek, P_CONVENIENCE))
    c.trust[i] = initial_trust
    c.perceived_risk[i] = initial_risk


@njit(cache=True, parallel=True)
def _fill(c, key, segment_cumulative, platform_cumulative, attributes, spread, facepay_share,
          initial_trust, initial_risk):
    # Writes go through a called function: numba (0.68) loses writes made to a
    # namedtuple's arrays directly inside a prange body.
    for i in prange(c.platform.shape[0]):
        _init_user(c, i, key, segment_cumulative, platform_cumulative, attributes, spread,
                   facepay_share, initial_trust, initial_risk)


def build_population(scenario: Scenario, seed: int) -> UserColumns:
    """Draw the day-0 population: segments, platforms, face-pay users and attitudes.

    Individual vigilance, privacy concern, convenience and face exposure are spread
    uniformly (width ``population.attribute_spread``) around their segment's value.

    Args:
        scenario: The scenario.
        seed: Replicate seed.

    Returns:
        Columns for ``scenario.population.users`` users.
    """
    pop = scenario.population
    columns = allocate(pop.users)
    segments = pop.segments
    segment_cumulative = np.cumsum([s.share for s in segments])
    platform_cumulative = np.cumsum([p.market_share for p in scenario.platforms])
    attributes = np.array(
        [[s.face_exposure, s.vigilance, s.privacy_concern, s.convenience] for s in segments],
        dtype=np.float64,
    )
    key = np.uint64(day_key(np.uint64(seed), np.int64(POPULATION_DAY)))
    _fill(columns, key, segment_cumulative, platform_cumulative, attributes,
          float(pop.attribute_spread), pop.initial_facepay_share, np.float32(pop.initial_trust),
          np.float32(scenario.behaviour.background_risk))
    return columns
