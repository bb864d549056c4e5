"""The money-capacity rule: no money total of a run can pass int64.

Money is counted in int64 minor units (per-user columns, daily totals, cumulative
columns, horizon totals in summaries). The schema bounds every amount on its own; this
rule bounds what they add up to over a whole run, in the worst case the model allows:

- every user pays every day, and is attacked, successfully, by every vector every day;
- a payment is a rounded exponential draw of its mean, and the ziggurat sampler
  (``simfraud.core.rng.exponential``) never returns more than ``7.7 - ln(2**-53) < 45``
  times the mean (``DRAW_MAX``); a fraud amount is at most its vector's cap
  (``attackers.fraud_amount_shape.cap``, ``simfraud.core.amounts``);
- refunds, recoveries and crews' revenue are parts of the amount stolen; fees are at
  most the payment volume (``fee_bps <= 10_000``); a Gordon-Loeb investment is at most
  ``v L / e``, so at most 1/e of the day's attempted fraud;
- every user's platform goes live with a liveness upgrade and a control upgrade every
  day, every face check costs the dearest level plus injection detection, and every
  user bears a false reject, a step-up and an abandoned payment every day;
- crews spend at most their budgets: what they started with (one crew enters per day at
  most) plus what they stole.

The sum of all of those over the horizon (each flow counted once) bounds every money
column, every total over the horizon, and the sums and differences the results compute
(social cost, platforms' net income); :func:`worst_case_money` computes it and
:func:`money_capacity_problem` says when it passes ``INT64_MAX``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from simfraud.scenario.schema import Scenario

INT64_MAX = 2**63 - 1
DRAW_MAX = 45
"""Largest multiple of its mean an exponentially drawn amount (a payment) can reach."""


def money_per_user_day(scenario: Scenario) -> float:
    """Worst-case money one user can move in one day (minor units), all accounts added."""
    segments = scenario.population.segments
    payment = DRAW_MAX * max(s.mean_payment for s in segments)
    fraud = sum(scenario.attackers.fraud_amount_shape.cap.model_dump().values())
    costs = scenario.costs
    friction = costs.false_reject + costs.step_up + costs.abandoned_payment
    levels = scenario.defences.liveness.model_dump().values()
    per_check = (max(level["cost_per_check"] for level in levels)
                 + scenario.defences.injection_detection_cost_per_check)
    upgrade = max(level["upgrade_cost_per_user"] for level in levels)
    platforms = scenario.platforms
    running = max(p.monitoring.cost_per_user_day for p in platforms)
    control = max(p.security.control_upgrade_cost_per_user for p in platforms)
    compliance = scenario.regulator.instruments.compliance_cost_per_user_year / 365.0
    # What is stolen (refunds, recoveries and revenue are parts of it) and the Gordon-Loeb
    # investment, at most v L / e <= fraud / e per user-day; fees are part of the volume.
    return (payment + (1 + 1 / math.e) * fraud + friction + per_check + upgrade + running
            + control + compliance)


def worst_case_money(scenario: Scenario) -> float:
    """Worst-case sum of every money flow of one run (minor units)."""
    users, days = scenario.population.users, scenario.days
    att = scenario.attackers
    crews = att.initial_crews + days * math.ceil(att.entries_per_day)
    budgets = (users / scenario.population.reference_users) * crews * att.crew_budget
    return users * days * money_per_user_day(scenario) + budgets


def money_capacity_problem(scenario: Scenario) -> str | None:
    """Why the scenario's money could pass int64, with the users that would fit; or None."""
    total = worst_case_money(scenario)
    if total <= INT64_MAX:
        return None
    per_user = total / scenario.population.users
    fits = max(math.floor(INT64_MAX / per_user), 0)
    return (f"worst-case money of the run is {total:.2e} minor units, past int64 "
            f"({INT64_MAX:.2e}): {scenario.population.users:,} users x {scenario.days:,} "
            f"days x up to {money_per_user_day(scenario):.2e} minor units per user-day "
            f"(every payment at {DRAW_MAX}x its mean, every fraud at its vector's cap, every "
            f"user paying and defrauded by every vector daily) (allowed: at most {fits:,} "
            "users with these days and amounts, or fewer days, smaller amounts or lower caps; "
            "see docs/security.md)")
