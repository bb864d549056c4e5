"""Numba kernels: one mechanism per module, arrays in, arrays out.

``day.py`` composes them into the user day; the other modules hold one mechanism each
(contest, payments, attacks, refunds, behaviour) so each can be tested against a plain
Python reference.
"""
