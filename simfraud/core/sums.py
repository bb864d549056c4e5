"""numpy's float64 sum, in numpy's order, for compiled loops that must keep numpy's bits.

A floating-point sum depends on the order of its additions. numpy adds a contiguous run
of ``n`` doubles (``a.sum()``, or ``a.sum(axis=...)`` over the last, contiguous axes of
a C-ordered array) by pairwise summation: below 8 terms one after the other; up to 128
in eight interleaved partial sums combined as ``((r0 + r1) + (r2 + r3)) + ((r4 + r5) +
(r6 + r7))``, the remainder added after; above 128 the two halves (split at a multiple
of 8) summed the same way and added. ``numpy_sum`` follows the same steps, so a compiled
loop that sums as numpy does gives the same bits (``tests/test_sums.py`` compares them).
"""

from __future__ import annotations

import numpy as np
from numba import njit

_BLOCK = 128
"""Longest run numpy sums without splitting it in two (its ``PW_BLOCKSIZE``)."""


@njit(cache=True)
def numpy_sum(a: np.ndarray) -> float:
    """``a.sum()`` of a contiguous 1-D float64 array, bit for bit as numpy adds it."""
    n = a.shape[0]
    if n <= _BLOCK:
        return 0.0 + _block(a, 0, n)  # numpy adds the run's sum to its 0.0 start
    # numpy's halves, as an explicit stack (numba's cache cannot hold a recursive function)
    values = [0.0]
    values.pop()
    stack = [(0, n, False)]
    while stack:
        start, size, halves_done = stack.pop()
        if size <= _BLOCK:
            values.append(_block(a, start, size))
        elif halves_done:
            right = values.pop()
            values.append(values.pop() + right)
        else:
            half = size // 2
            half -= half % 8
            stack.append((start, size, True))
            stack.append((start + half, size - half, False))
            stack.append((start, half, False))
    return 0.0 + values[0]


@njit(cache=True)
def integer_sum(a: np.ndarray) -> int:
    """``int(a.sum())`` of an integer array of any shape or layout (exact in any order).

    A compiled call costs less than numpy's ``sum`` on the model's small arrays.
    """
    return a.sum()


@njit(cache=True)
def _block(a: np.ndarray, start: int, n: int) -> float:
    """The sum numpy takes of a run of at most ``_BLOCK`` terms from ``start``."""
    if n < 8:
        total = -0.0
        for i in range(start, start + n):
            total += a[i]
        return total
    r0, r1, r2, r3 = a[start], a[start + 1], a[start + 2], a[start + 3]
    r4, r5, r6, r7 = a[start + 4], a[start + 5], a[start + 6], a[start + 7]
    end = start + n - n % 8
    for i in range(start + 8, end, 8):
        r0, r1, r2, r3 = r0 + a[i], r1 + a[i + 1], r2 + a[i + 2], r3 + a[i + 3]
        r4, r5, r6, r7 = r4 + a[i + 4], r5 + a[i + 5], r6 + a[i + 6], r7 + a[i + 7]
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for i in range(end, start + n):
        total += a[i]
    return total
