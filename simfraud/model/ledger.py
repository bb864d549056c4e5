"""Money flows of the day, in int64 minor units, and the invariants checked every day."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numba import njit

from simfraud.core.sums import integer_sum


class LedgerError(RuntimeError):
    """A money invariant failed: the run stops, naming the day and the amounts."""


@dataclass
class DaySettlement:
    """Totals of one day, as counted by the kernel along two independent paths.

    ``loss``, ``refunded_sending``, ``refunded_receiving`` and ``recovered`` are per
    (platform, vector) sums over frauds; ``user_loss`` and ``user_refunds`` are sums over
    victims of what each bore and received. The sums of the four arrays (``stolen``,
    ``sending``, ``receiving``, ``recovered_total``) and whether every (platform, vector)
    refunded at most its loss (``refunds_within_loss``) are taken once, in one pass.
    """

    loss: np.ndarray
    refunded_sending: np.ndarray
    refunded_receiving: np.ndarray
    recovered: np.ndarray
    user_loss: int
    user_refunds: int
    stolen: int = field(init=False)
    sending: int = field(init=False)
    receiving: int = field(init=False)
    recovered_total: int = field(init=False)
    refunds_within_loss: bool = field(init=False)

    def __post_init__(self) -> None:
        (self.stolen, self.sending, self.receiving, self.recovered_total,
         self.refunds_within_loss) = _flow_totals(*(np.asarray(a, dtype=np.int64) for a in (
             self.loss, self.refunded_sending, self.refunded_receiving, self.recovered)))


@njit(cache=True)
def _flow_totals(loss: np.ndarray, sending: np.ndarray, receiving: np.ndarray,
                 recovered: np.ndarray) -> tuple[int, int, int, int, bool]:
    """Sums of the four (platform, vector) flows; whether no refund exceeds its loss."""
    stolen, sent, received, frozen = 0, 0, 0, 0
    within = True
    for p in range(loss.shape[0]):
        for v in range(loss.shape[1]):
            stolen += loss[p, v]
            sent += sending[p, v]
            received += receiving[p, v]
            frozen += recovered[p, v]
            within = within and sending[p, v] + receiving[p, v] <= loss[p, v]
    return stolen, sent, received, frozen, within


class Ledger:
    """Cumulative money accounts of one replicate.

    Attributes:
        gross_loss: Cumulative amount stolen.
        refunded: Cumulative refunds.
        user_loss: Cumulative loss borne by users.
        recovered: Cumulative recoveries at mules.
        attacker_revenue: Cumulative revenue credited to crews.
    """

    def __init__(self) -> None:
        self.gross_loss = 0
        self.refunded = 0
        self.user_loss = 0
        self.recovered = 0
        self.attacker_revenue = 0

    def settle(self, day: int, s: DaySettlement, crew_revenue: np.ndarray,
               population_loss: int, population_refunds: int) -> None:
        """Book one day and check every invariant.

        Args:
            day: Day index (for messages).
            s: The day's totals.
            crew_revenue: Revenue credited to each crew, ``(crews, platforms, vectors)``.
            population_loss: Sum of every user's cumulative loss column.
            population_refunds: Sum of every user's cumulative refund column.

        Raises:
            LedgerError: When an invariant fails.
        """
        stolen, sending, receiving = s.stolen, s.sending, s.receiving
        refunded = sending + receiving
        recovered = s.recovered_total
        paid_to_crews = integer_sum(np.asarray(crew_revenue))
        _require(day, "stolen = refunded + borne by users",
                 stolen == s.user_refunds + s.user_loss,
                 stolen=stolen, refunded=s.user_refunds, user_loss=s.user_loss)
        _require(day, "refunded = sending provider share + receiving provider share",
                 s.user_refunds == refunded,
                 refunded=s.user_refunds, sending=sending, receiving=receiving)
        _require(day, "no refund exceeds the loss",
                 s.refunds_within_loss,
                 refunded=refunded, stolen=stolen)
        _require(day, "stolen = paid to crews + recovered",
                 paid_to_crews + recovered == stolen,
                 stolen=stolen, paid_to_crews=paid_to_crews, recovered=recovered)
        self.gross_loss += stolen
        self.refunded += refunded
        self.user_loss += s.user_loss
        self.recovered += recovered
        self.attacker_revenue += paid_to_crews
        _require(day, "cumulative stolen = sum of users' cumulative losses",
                 self.gross_loss == population_loss,
                 cumulative=self.gross_loss, users_total=population_loss)
        _require(day, "cumulative refunded = sum of users' cumulative refunds",
                 self.refunded == population_refunds,
                 cumulative=self.refunded, users_total=population_refunds)
        _require(day, "cumulative stolen = cumulative refunded + cumulative user loss",
                 self.gross_loss == self.refunded + self.user_loss,
                 stolen=self.gross_loss, refunded=self.refunded, user_loss=self.user_loss)


def receiving_liability(refunded_receiving: np.ndarray, users: np.ndarray) -> np.ndarray:
    """Who pays the receiving provider's share of refunds, per (platform, vector).

    Fraudsters cash out through mule accounts spread over the market, so each platform,
    as the receiving provider, bears the receiving share of every refund (whichever
    platform the victim is on) in proportion to its users. The split is exact in
    integers: each platform gets its share rounded down and the remainder of each vector
    goes to the largest platform (lowest index on ties).

    Args:
        refunded_receiving: Receiving-provider refunds per (victim's platform, vector).
        users: Users per platform.

    Returns:
        Integer liability per (receiving platform, vector); its column sums equal those
        of ``refunded_receiving``.
    """
    return _receiving_liability(np.asarray(refunded_receiving, dtype=np.int64),
                                np.asarray(users, dtype=np.int64))


@njit(cache=True)
def _receiving_liability(refunded_receiving: np.ndarray, users: np.ndarray) -> np.ndarray:
    """``receiving_liability`` as one loop."""
    n_platforms, n_vectors = refunded_receiving.shape
    total_users = users.sum()
    share = users / total_users if total_users > 0 else np.full(n_platforms, 1.0 / n_platforms)
    largest = np.argmax(share)
    parts = np.zeros((n_platforms, n_vectors), dtype=np.int64)
    for v in range(n_vectors):
        per_vector = refunded_receiving[:, v].sum()
        for p in range(n_platforms):
            parts[p, v] = np.int64(np.floor(share[p] * np.float64(per_vector)))
        parts[largest, v] += per_vector - parts[:, v].sum()
    return parts


def _require(day: int, rule: str, ok: bool, **amounts: int) -> None:
    if not ok:
        shown = ", ".join(f"{k}={v}" for k, v in amounts.items())
        raise LedgerError(f"ledger invariant failed on day {day}: {rule} ({shown})")
