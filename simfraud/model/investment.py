"""A platform's security investment: Gordon-Loeb per control and per user, and detector ageing.

Each first-line control (``core.vectors.CONTROLS``: liveness, device binding, payee
warnings) is an investment account of its own. Every day the platform (upgrade rule
``gordon_loeb``) spends on each control the Gordon-Loeb optimum for the fraud that
control faces, stated **per user** so that a platform of 10,000 simulated users decides
as one of 10 million does:

* ``v``: the share of attempts on the control's vectors that succeed (smoothed);
* ``L``: the platform's own potential loss on those vectors per user per day (attempted
  amounts times the share of a loss the platform bears: refunds as sending and receiving
  provider, plus ``reputation_weight`` of its users' unrefunded loss);
* ``z* = GL(v, L)``, at most ``v L / e`` (Gordon and Loeb 2002).

Spend builds **capability** with a lag (an exponential moving average over
``deployment_lag_days``: what is bought takes time to go live). Capability ``K`` raises
the control's strength in the contest by ``(alpha K + 1)^(beta / r)`` (``r`` the contest
decisiveness), so that against weak tools the pass probability falls by the
Gordon-Loeb factor ``(alpha K + 1)^-beta``.

Detectors also age. Each (control, vector) keeps the tool quality its detector was
trained on; against better tools (a new release, crews' R&D) its strength is multiplied
by ``(trained / quality)^ageing``. Training catches up with the tools at
``(alpha K + 1)^beta / retrain_days`` of the gap per day: slowly by itself (vendor
updates), faster with investment.

Retrained detectors also keep pace: a detector trained on tools of quality ``T`` holds
``(T / T_0)^tracking`` of its day-0 strength (``T_0`` the tools of the scenario's first
day, ``security.detector_tracking``). At 1 a fully retrained detector passes better tools
as often as its first version passed the first ones, and crews' R&D buys only the lead
they hold until training catches up; at 0 (the old model) tools that improve for ever win
for ever against a defence whose strength is fixed.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from simfraud.core.sums import numpy_sum
from simfraud.core.vectors import CONTROL, CONTROLS

ATTEMPTS, SUCCESSES, ATTEMPTED, LOSS, OWN_COST = range(5)
"""The rows of ``ControlInvestment.smoothed`` (module constants: compiled loops read them)."""


def gordon_loeb_investment(vulnerability: float, potential_loss: float, alpha: float,
                           beta: float) -> float:
    """Optimal security investment for ``S(z, v) = v / (alpha z + 1)^beta``.

    Maximises ``(v - S(z, v)) L - z``; Gordon and Loeb (2002) show the optimum never
    exceeds ``v L / e``.

    Args:
        vulnerability: ``v``, probability an attack succeeds without the investment.
        potential_loss: ``L``, loss if an attack succeeds (per user per day).
        alpha: Efficiency of investment (per minor unit per user per day).
        beta: Exponent of the breach function.

    Returns:
        The optimal investment ``z* >= 0`` per user per day.
    """
    if vulnerability <= 0.0 or potential_loss <= 0.0:
        return 0.0
    z = ((alpha * beta * vulnerability * potential_loss) ** (1.0 / (beta + 1.0)) - 1.0) / alpha
    return max(z, 0.0)


class ControlInvestment:
    """Per-control spend, capability and detector training of one platform.

    Each day's per-vector outcomes are summed by control and smoothed as moving averages
    per user per day; rates are ratios of these averages, so that days with few attempts
    (a small simulated population) do not bias them.

    Attributes:
        smoothed: Moving averages per control (rows ``ATTEMPTS``, ``SUCCESSES``,
            ``ATTEMPTED``, ``LOSS``, ``OWN_COST``), per user per day.
        spend: Today's spend per user, per control (minor units).
        capability: Lagged spend per user, per control (what is live).
        trained: Tool quality the platform's detectors were trained on, per vector.
        reference: The tool quality of day 0, per vector (what the strengths are stated
            against).
    """

    def __init__(self, initial_quality: np.ndarray, default_share: float):
        n = len(CONTROLS)
        self.default_share = default_share
        self.smoothed = np.zeros((5, n))
        self.spend = np.zeros(n)
        self.capability = np.zeros(n)
        self.trained = np.asarray(initial_quality, dtype=np.float64).copy()
        self.reference = self.trained.copy()

    def learn(self, day: np.ndarray, users: int, smoothing_days: int) -> None:
        """Update the moving averages with one day's outcomes.

        Args:
            day: ``(5, n_vectors)`` attempts, successes, attempted amounts, losses and the
                platform's own cost (rows in the order of ``smoothed``).
            users: The platform's users.
            smoothing_days: Window of the moving averages.
        """
        _smooth(self.smoothed, np.asarray(day, dtype=np.float64), CONTROL, max(users, 1),
                smoothing_days)

    @property
    def vulnerability(self) -> np.ndarray:
        """Share of attempts that succeed, per control."""
        return _rates(self.smoothed, self.default_share)[0]

    @property
    def potential_loss(self) -> np.ndarray:
        """Own potential loss per user per day, per control.

        Attempted amounts times the share of a loss the platform bears
        (``default_share`` before any loss).
        """
        return _rates(self.smoothed, self.default_share)[1]

    def invest(self, alpha: float, beta: float, lag_days: int) -> None:
        """Choose today's Gordon-Loeb spend per control and let capability follow it."""
        vulnerability, potential_loss = _rates(self.smoothed, self.default_share)
        self.spend = np.array([gordon_loeb_investment(v, loss, alpha, beta) for v, loss
                               in zip(vulnerability, potential_loss, strict=True)])
        _follow(self.capability, self.spend, max(lag_days, 1))

    def retrain(self, quality: np.ndarray, alpha: float, beta: float, retrain_days: int) -> None:
        """Detectors catch up with the tools in use, faster with capability.

        Args:
            quality: Mean crew tool quality per vector.
            alpha: Gordon-Loeb efficiency.
            beta: Gordon-Loeb exponent.
            retrain_days: Days to close the gap without investment.
        """
        _catch_up(self.trained, (alpha * self.capability[CONTROL] + 1.0) ** beta, retrain_days,
                  quality)

    def boost(self, alpha: float, beta: float, decisiveness: float) -> np.ndarray:
        """Strength multiplier per control from live capability."""
        return (alpha * self.capability + 1.0) ** (beta / decisiveness)

    def ageing(self, quality: np.ndarray, exponent: float) -> np.ndarray:
        """Strength multiplier per vector: detectors weaken against tools ahead of them."""
        return _behind(quality, self.trained) ** exponent

    def tracking(self, exponent: float) -> np.ndarray:
        """Strength multiplier per vector: retrained detectors keep pace with the tools.

        ``(trained / reference)^exponent``; 1 for a vector without tools on day 0 (its
        strength is stated against the first tools it meets).
        """
        if exponent == 0.0:
            return np.ones_like(self.trained)
        ratio = np.divide(self.trained, self.reference, out=np.ones_like(self.trained),
                          where=self.reference > 0)
        return ratio ** exponent

    def daily_cost(self, users: int) -> int:
        """Today's spend over all controls (minor units, rounded down)."""
        return math.floor(numpy_sum(self.spend) * users)


@njit(cache=True)
def _smooth(smoothed: np.ndarray, day: np.ndarray, control: np.ndarray, users: int,
            smoothing_days: int) -> None:
    """``ControlInvestment.learn`` in place.

    Each row is summed by control as ``np.bincount`` adds (vector after vector), per user
    (``users``, at least 1), into its moving average.
    """
    n_rows, n_controls = smoothed.shape
    by_control = np.empty(n_controls)
    for r in range(n_rows):
        by_control[:] = 0.0
        for v in range(day.shape[1]):
            by_control[control[v]] += day[r, v]
        for k in range(n_controls):
            smoothed[r, k] += (by_control[k] / users - smoothed[r, k]) / smoothing_days


@njit(cache=True)
def _rates(smoothed: np.ndarray, default_share: float) -> tuple[np.ndarray, np.ndarray]:
    """``(vulnerability, potential_loss)`` per control from the moving averages."""
    n_controls = smoothed.shape[1]
    vulnerability = np.zeros(n_controls)
    potential_loss = np.empty(n_controls)
    for k in range(n_controls):
        attempts = smoothed[ATTEMPTS, k]
        if attempts > 0:
            vulnerability[k] = smoothed[SUCCESSES, k] / attempts
        loss = smoothed[LOSS, k]
        share = smoothed[OWN_COST, k] / loss if loss > 0 else default_share
        potential_loss[k] = smoothed[ATTEMPTED, k] * (
            1.0 if share > 1.0 else share)  # np.minimum's (NaN stays NaN)
    return vulnerability, potential_loss


@njit(cache=True)
def _catch_up(trained: np.ndarray, powered: np.ndarray, retrain_days: int,
              quality: np.ndarray) -> None:
    """``ControlInvestment.retrain`` in place from numpy's ``(alpha K + 1)^beta``.

    Each vector's detector closes ``min(powered / retrain_days, 1)`` of its gap to
    ``quality`` (``np.minimum``'s: NaN stays NaN).
    """
    for v in range(trained.shape[0]):
        speed = powered[v] / retrain_days
        trained[v] += (1.0 if speed > 1.0 else speed) * (quality[v] - trained[v])


@njit(cache=True)
def _behind(quality: np.ndarray, trained: np.ndarray) -> np.ndarray:
    """Per vector, ``trained`` over the better of it and ``quality`` (1 where that is 0).

    ``np.maximum``'s better (NaN when either is), then ``np.divide`` where it is above 0.
    """
    ratio = np.ones(trained.shape[0])
    for v in range(trained.shape[0]):
        q, t = quality[v], trained[v]
        ahead = q if (q != q or q > t) else t
        if ahead > 0:
            ratio[v] = t / ahead
    return ratio


@njit(cache=True)
def _follow(capability: np.ndarray, spend: np.ndarray, lag_days: int) -> None:
    """Capability moves ``1 / lag_days`` of the way to today's spend, in place."""
    for k in range(capability.shape[0]):
        capability[k] += (spend[k] - capability[k]) / lag_days
