"""numpy_sum adds as numpy does: the same bits for every length and row of a table."""

import numpy as np
import pytest

from simfraud.core.sums import integer_sum, numpy_sum


@pytest.mark.parametrize("seed", range(3))
def test_equals_numpys_sum_bit_for_bit_at_every_length(seed):
    rng = np.random.default_rng(seed)
    for n in [*range(0, 300), 1000, 1031, 4099]:
        a = rng.standard_normal(n) * 10.0 ** rng.integers(-3, 9, n)
        assert numpy_sum(a) == a.sum(), n


def test_equals_numpys_row_sums_over_the_last_axes():
    rng = np.random.default_rng(7)
    for platforms in (1, 2, 3, 5):
        table = rng.standard_normal((40, platforms, 6)) * 1e6
        rows = table.reshape(40, -1)
        expected = table.sum(axis=(1, 2))
        got = np.array([numpy_sum(rows[k]) for k in range(40)])
        assert np.array_equal(got, expected)
    # A sum in any other order differs somewhere: the test can tell orders apart.
    a = rng.standard_normal(64) * 10.0 ** rng.integers(-3, 9, 64)
    assert any(float(np.cumsum(b)[-1]) != b.sum() for b in (a, a[::-1], np.sort(a)))


def test_a_sum_of_negative_zeros_is_zero_as_in_numpy():
    for n in (0, 3, 12, 300):
        zeros = np.full(n, -0.0)
        assert np.signbit(numpy_sum(zeros)) == np.signbit(zeros.sum()) == False  # noqa: E712


@pytest.mark.parametrize("shape", [(0,), (7,), (3, 6), (4, 2, 6)])
def test_integer_sum_is_numpys_on_any_layout(shape):
    values = np.random.default_rng(len(shape)).integers(-10**12, 10**12, shape)
    assert integer_sum(values) == int(values.sum())
    if values.ndim > 1:
        column = values[..., 1]  # a strided view
        assert integer_sum(column) == int(column.sum())
