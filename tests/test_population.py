"""The day-0 population kernel against a plain-Python statement of the same draws."""

import numpy as np

from simfraud.core.draws import POPULATION_DAY, STREAM_POPULATION
from simfraud.core.rng import uniform_at
from simfraud.users.build import build_population
from simfraud.users.columns import FACEPAY
from tests.support import scenario_with


def reference_user(scenario, seed, i):
    def u(draw):
        return uniform_at(np.uint64(seed), STREAM_POPULATION, POPULATION_DAY, i, draw)

    def pick(value, shares):
        return next((k for k, c in enumerate(np.cumsum(shares)[:-1]) if value < c),
                    len(shares) - 1)

    def spread(base, value):
        width = scenario.population.attribute_spread
        return np.float32(min(max(base + width * (value - 0.5), 0.0), 1.0))

    segments = scenario.population.segments
    s = pick(u(0), [x.share for x in segments])
    seg = segments[s]
    return {
        "segment": s,
        "platform": pick(u(1), [p.market_share for p in scenario.platforms]),
        "facepay": u(2) < scenario.population.initial_facepay_share,
        "face_exposure": spread(seg.face_exposure, u(3)),
        "vigilance": spread(seg.vigilance, u(4)),
        "privacy_concern": spread(seg.privacy_concern, u(5)),
        "convenience": spread(seg.convenience, u(6)),
    }


def test_population_matches_reference_and_shares():
    scenario = scenario_with({"platforms": [{"name": "a", "market_share": 0.7},
                                            {"name": "b", "market_share": 0.3}]},
                             users=20_000)
    columns = build_population(scenario, seed=99)
    for i in (0, 1, 17, 4_095, 4_096, 19_999):
        ref = reference_user(scenario, 99, i)
        assert columns.segment[i] == ref["segment"]
        assert columns.platform[i] == ref["platform"]
        assert bool(columns.flags[i] & FACEPAY) == ref["facepay"]
        for name in ("face_exposure", "vigilance", "privacy_concern", "convenience"):
            assert getattr(columns, name)[i] == ref[name]
    assert abs((columns.platform == 0).mean() - 0.7) < 0.02
    assert abs(((columns.flags & FACEPAY) > 0).mean() - 0.3) < 0.02
    shares = np.bincount(columns.segment) / len(columns.segment)
    assert np.allclose(shares, [s.share for s in scenario.population.segments], atol=0.02)
    assert (columns.trust == np.float32(scenario.population.initial_trust)).all()
