"""A receiving provider's inbound controls: mule-account detection and an inbound hold.

Stolen money leaves through mule accounts held at the platforms (each platform also
receives payments). A platform that bears refunds as the **receiving provider**
(``regulator.instruments.mandatory_reimbursement.receiving_share``) invests in inbound
controls, each an account of its own under the same Gordon-Loeb rule as its first-line
controls (``model.investment``), stated per user:

* ``v = 1 - base``: the share the control could act on that escapes it without the
  investment;
* ``L``: its receiving-provider liability per user per day (a moving average over
  ``security.smoothing_days``);
* spend ``z* = GL(v, L)``; capability follows spend over ``security.deployment_lag_days``;
* the share it acts on is ``1 - (1 - base) / (alpha K + 1)^beta``.

**Mule-account detection** (``security.mule_detection``) freezes a share of the proceeds
reaching the platform's mule accounts; without it ``attackers.mule_recovery_share`` is
frozen (the base). The market's frozen share, used for every fraud of the day (the user
kernel's ``refunds.recovery_bps``), is the platforms' shares weighted by their users,
since mule accounts are opened in proportion to them (``model.ledger.
receiving_liability``). Frozen money lowers crews' revenue, so a liability on receiving
providers raises crews' cash-out cost and, through their learned value of a success,
their attempts, entry and exit.

**An inbound hold** (``security.inbound_hold``, base 0) holds risky incoming payments and
returns the share it acts on before the money lands: the scam fails, nobody loses, and
crews learn that a success is rarer. The market's held share is weighted by users in the
same way (``users.authentication``, the payee side).

Only the ``gordon_loeb`` upgrade rule invests.
"""

from __future__ import annotations

import math

from simfraud.model.investment import gordon_loeb_investment


class InboundControl:
    """One platform's spend on, and capability of, one inbound control.

    The share the control acts on without investment (``base``: for mule-account
    detection ``attackers.mule_recovery_share``, for the hold 0) is passed in each day,
    so a rule change of it applies at once.

    Attributes:
        liability: Moving average of receiving-provider liability per user per day.
        spend: Today's spend per user (minor units).
        capability: Lagged spend per user (what is live).
    """

    def __init__(self) -> None:
        self.liability = 0.0
        self.spend = 0.0
        self.capability = 0.0

    def learn(self, liability: int, users: int, smoothing_days: int) -> None:
        """Update the moving average of receiving-provider liability per user per day.

        Args:
            liability: What the platform paid today as the receiving provider.
            users: The platform's users.
            smoothing_days: Window of the moving average.
        """
        self.liability += (liability / max(users, 1) - self.liability) / smoothing_days

    def invest(self, base: float, alpha: float, beta: float, lag_days: int) -> None:
        """Choose today's Gordon-Loeb spend and let capability follow it.

        Args:
            base: Share acted on without the investment.
            alpha: Gordon-Loeb efficiency.
            beta: Gordon-Loeb exponent.
            lag_days: Days for capability to follow spend.
        """
        self.spend = gordon_loeb_investment(1.0 - base, self.liability, alpha, beta)
        self.capability += (self.spend - self.capability) / max(lag_days, 1)

    def stop(self) -> None:
        """Switched off (by the scenario or a rule change): no spend and nothing live."""
        self.spend = 0.0
        self.capability = 0.0

    def daily_cost(self, users: int) -> int:
        """Today's spend (minor units, rounded down)."""
        return math.floor(self.spend * users)

    def share(self, base: float, alpha: float, beta: float) -> float:
        """Share the control acts on (frozen, or held) of what reaches this platform."""
        if self.capability <= 0.0:
            return base
        return 1.0 - (1.0 - base) / (alpha * self.capability + 1.0) ** beta

