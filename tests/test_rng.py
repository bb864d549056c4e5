import numpy as np
from numba import njit
from scipy import stats

from simfraud.core import seeds
from simfraud.core.rng import (
    _KE,
    _WE,
    ZIGGURAT_R,
    day_key,
    entity_key,
    exponential,
    mix64,
    uniform,
    uniform_at,
    uniforms,
)
from simfraud.core.seeds import REPLICATE_DAYS, replicate_seed

MASK = (1 << 64) - 1


def mix_ref(z):
    z &= MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def uniform_ref(seed, stream, day, entity, draw):
    key = mix_ref(mix_ref(seed) ^ mix_ref(day + 0xD1B54A32D192ED03))
    inner = (stream * 0xA0761D6478BD642F + entity * 0xE7037ED1A0B428DB) & MASK
    ekey = mix_ref(key ^ mix_ref(inner))
    return (mix_ref(ekey + draw * 0x9E3779B97F4A7C15) >> 11) * 2.0**-53


def test_matches_plain_python_reference():
    for seed, stream, day, entity, draw in [(0, 0, 0, 0, 0), (1, 2, 3, 4, 5),
                                            (2**63 - 1, 7, 1824, 10**9, 47),
                                            (20240101, 1, 364, 99_999, 12)]:
        got = uniform_at(np.uint64(seed), stream, day, entity, draw)
        assert got == uniform_ref(seed, stream, day, entity, draw)


def test_pieces_compose_to_the_full_draw():
    key = day_key(np.uint64(5), np.int64(9))
    assert uniform(entity_key(np.uint64(key), 3, 11), 4) == uniform_at(np.uint64(5), 3, 9, 11, 4)
    assert list(uniforms(np.uint64(5), 3, 9, 11, 6)) == [
        uniform_at(np.uint64(5), 3, 9, 11, d) for d in range(6)
    ]


def test_uniforms_look_uniform_and_independent():
    draws = uniforms(np.uint64(42), 1, 0, 0, 200_000)
    assert draws.min() >= 0.0 and draws.max() < 1.0
    assert abs(draws.mean() - 0.5) < 0.005
    counts, _ = np.histogram(draws, bins=20, range=(0, 1))
    expected = len(draws) / 20
    chi2 = ((counts - expected) ** 2 / expected).sum()
    assert chi2 < 45  # 19 dof, p ~ 0.001
    assert abs(np.corrcoef(draws[:-1], draws[1:])[0, 1]) < 0.01


def test_neighbouring_coordinates_are_unrelated():
    a = np.array([uniform_at(np.uint64(1), 1, 0, e, 0) for e in range(5000)])
    b = np.array([uniform_at(np.uint64(2), 1, 0, e, 0) for e in range(5000)])
    c = np.array([uniform_at(np.uint64(1), 1, 1, e, 0) for e in range(5000)])
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.05
    assert abs(np.corrcoef(a, c)[0, 1]) < 0.05


def test_replicate_seeds_differ_and_replicate_zero_keeps_the_seed():
    assert replicate_seed(7, 0) == 7
    assert len({replicate_seed(7, r) for r in range(100)}) == 100


def test_seeds_on_python_integers_match_the_compiled_mixing_and_day_keys():
    """``core.seeds`` (the command's process, no numba) gives the kernels' 64-bit values."""
    generator = np.random.default_rng(20261204)
    values = [0, 1, MASK, 1 << 63, *map(int, generator.integers(0, 2**63, 40, dtype=np.uint64)),
              *(int(v) | (1 << 63) for v in generator.integers(0, 2**63, 40, dtype=np.uint64))]
    for z in values:
        assert seeds.mix64(z) == int(_mix64_compiled(np.uint64(z)))
    for seed in [*values, -1, -(2**70) + 5, 2**80 + 3]:
        assert replicate_seed(seed, 0) == seed & MASK
        for replicate in (1, 2, 17, 999_999):
            compiled = day_key(np.uint64(seed & MASK), np.int64(REPLICATE_DAYS + replicate))
            assert replicate_seed(seed, replicate) == int(compiled)


@njit(cache=True)
def _mix64_compiled(z):
    return mix64(z)


@njit(cache=True)
def _exponentials(seed, n):
    out = np.empty(n)
    for i in range(n):
        out[i] = exponential(entity_key(np.uint64(seed), 1, i), 3)
    return out


def test_ziggurat_tables_match_numpys_published_constants():
    # numpy/random/src/distributions/ziggurat_constants.h (ke_double, we_double)
    assert abs(int(_KE[0]) - 0x001C5214272497C6) <= 2
    assert _KE[1] == 0
    assert abs(int(_KE[2]) / 0x00137D5BD79C317E - 1) < 1e-12
    assert abs(_WE[0] / 9.655740063209182975e-16 - 1) < 1e-12
    assert abs(_WE[255] * 2.0**53 / ZIGGURAT_R - 1) < 1e-15


def test_exponential_fast_path_is_the_table_lookup():
    key = np.uint64(entity_key(np.uint64(11), 2, 3))
    hits = 0
    for draw in range(2_000):
        raw = mix_ref(int(key) + draw * 0x9E3779B97F4A7C15)
        layer, bits = raw & 0xFF, raw >> 11
        if bits < int(_KE[layer]):
            hits += 1
            assert exponential(key, draw) == bits * _WE[layer]
    assert hits > 1_900  # about 99% take the fast path


def test_exponentials_are_exponential():
    x = _exponentials(7, 400_000)
    assert x.min() >= 0.0
    assert stats.kstest(x, "expon").pvalue > 0.01
    # 1,000 equiprobable bins: the layers' edges would show here
    edges = np.append(-np.log1p(-np.linspace(0, 1, 1001)[:-1]), np.inf)
    assert stats.chisquare(np.histogram(x, bins=edges)[0]).pvalue > 0.01
    # the tail beyond the base layer comes from the slow path
    tail = (x > ZIGGURAT_R).mean()
    assert abs(tail / np.exp(-ZIGGURAT_R) - 1) < 0.25
    assert x.max() > ZIGGURAT_R + 1


def test_exponential_is_a_pure_function_of_its_coordinates():
    first = _exponentials(5, 20_000)
    assert np.array_equal(first, _exponentials(5, 20_000))
    assert not np.array_equal(first, _exponentials(6, 20_000))
