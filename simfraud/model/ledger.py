"""Money flows of the day, in int64 minor units, and the invariants checked every day."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class LedgerError(RuntimeError):
    """A money invariant failed: the run stops, naming the day and the amounts."""


@dataclass
class DaySettlement:
    """Totals of one day, as counted by the kernel along two independent paths.

    ``loss``, ``refunded_sending``, ``refunded_receiving`` and ``recovered`` are per
    (platform, vector) sums over frauds; ``user_loss`` and ``user_refunds`` are sums over
    victims of what each bore and received.
    """

    loss: np.ndarray
    refunded_sending: np.ndarray
    refunded_receiving: np.ndarray
    recovered: np.ndarray
    user_loss: int
    user_refunds: int


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
        stolen = int(s.loss.sum())
        sending = int(s.refunded_sending.sum())
        receiving = int(s.refunded_receiving.sum())
        refunded = sending + receiving
        recovered = int(s.recovered.sum())
        paid_to_crews = int(np.sum(crew_revenue))
        _require(day, "stolen = refunded + borne by users",
                 stolen == s.user_refunds + s.user_loss,
                 stolen=stolen, refunded=s.user_refunds, user_loss=s.user_loss)
        _require(day, "refunded = sending provider share + receiving provider share",
                 s.user_refunds == refunded,
                 refunded=s.user_refunds, sending=sending, receiving=receiving)
        _require(day, "no refund exceeds the loss",
                 bool(np.all(s.refunded_sending + s.refunded_receiving <= s.loss)),
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
    per_vector = refunded_receiving.sum(axis=0).astype(np.int64)
    total_users = users.sum()
    share = users / total_users if total_users > 0 else np.full(len(users), 1.0 / len(users))
    parts = np.floor(share[:, None] * per_vector[None, :]).astype(np.int64)
    parts[int(np.argmax(share))] += per_vector - parts.sum(axis=0)
    return parts


def _require(day: int, rule: str, ok: bool, **amounts: int) -> None:
    if not ok:
        shown = ", ".join(f"{k}={v}" for k, v in amounts.items())
        raise LedgerError(f"ledger invariant failed on day {day}: {rule} ({shown})")
