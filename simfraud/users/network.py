"""The word-of-mouth network: each user's contacts and how many were defrauded.

A user's ``k``-th contact is a fixed random user within ``window`` positions of it,
drawn from the contact stream (the network never changes during a run). User indices
carry no meaning (segments and platforms are drawn), so a local window is a random
network whose reads stay in cache.

Parameters: ``population.contacts`` and ``population.contact_window``. Stage of the user
day: ``hear`` (how many of a user's contacts were defrauded yesterday), read by the attitude
stage (word of mouth).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from simfraud.core.draws import STREAM_CONTACTS
from simfraud.core.rng import entity_key, uniform

NETWORK_FIELDS = ("contacts_key", "n_contacts", "contact_window")
"""The network's inputs: the (static) network's key, contacts per user and the window they
are drawn in (fields of ``day.DayContext``)."""


def network_inputs(scenario, contacts_key: int) -> dict[str, np.integer]:
    """The network stage's inputs (``NETWORK_FIELDS``)."""
    return {"contacts_key": np.uint64(contacts_key),
            "n_contacts": np.int64(scenario.population.contacts),
            "contact_window": np.int64(scenario.population.contact_window)}


@njit(cache=True, inline="always")
def wrap(j: np.int64, n: np.int64) -> np.int64:
    """``j`` modulo ``n``, with the division only when ``j`` is outside ``0 .. n-1``."""
    if 0 <= j < n:
        return j
    return j % n


@njit(cache=True, inline="always")
def contact(user_key: np.uint64, user: np.int64, k: np.int64, n_users: np.int64,
            window: np.int64) -> np.int64:
    """The ``k``-th contact of ``user``.

    Args:
        user_key: ``entity_key(contacts_key, STREAM_CONTACTS, user)``.
        user: The user.
        k: Which contact.
        n_users: Population size.
        window: Positions on either side where contacts are drawn.

    Returns:
        The contact's index (may be ``user`` itself in populations smaller than the
        window; callers skip it).
    """
    offset = 1 + np.int64(uniform(user_key, k) * window)
    if k % 2 == 1:
        offset = -offset
    return wrap(user + offset, n_users)


@njit(cache=True, inline="always")
def contacts_defrauded(victim_prev: np.ndarray, user: np.int64, n_users: np.int64,
                       contacts_key: np.uint64, n_contacts: np.int64,
                       window: np.int64) -> np.int64:
    """How many of ``user``'s contacts were defrauded the previous day."""
    count = np.int64(0)
    user_key = entity_key(contacts_key, STREAM_CONTACTS, user)
    for k in range(n_contacts):
        j = contact(user_key, user, k, n_users, window)
        if j != user:
            count += victim_prev[j]
    return count


@njit(cache=True, inline="always")
def victims_near(victim_prev: np.ndarray, user: np.int64, n_users: np.int64,
                 window: np.int64) -> np.int64:
    """Victims of the previous day at positions ``user - window .. user + window``.

    Every contact lies in this range, so when it is 0 no contact was defrauded and the
    contacts need not be drawn. Moving to ``user + 1`` adds position
    ``user + window + 1`` and drops ``user - window`` (positions modulo ``n_users``;
    in populations smaller than the range positions repeat, which keeps the sum zero
    exactly when no victim is in range).
    """
    count = np.int64(0)
    for j in range(user - window, user + window + 1):
        count += victim_prev[wrap(j, n_users)]
    return count


@njit(cache=True)
def contact_list(contacts_key: np.uint64, user: np.int64, n_contacts: np.int64,
                 n_users: np.int64, window: np.int64) -> np.ndarray:
    """Indices of a user's contacts (as the columnar engine finds them; self excluded)."""
    out = np.empty(n_contacts, dtype=np.int64)
    kept = 0
    user_key = entity_key(contacts_key, STREAM_CONTACTS, user)
    for k in range(n_contacts):
        j = contact(user_key, user, k, n_users, window)
        if j != user:
            out[kept] = j
            kept += 1
    return out[:kept]
