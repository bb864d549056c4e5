"""Turn the model's state at the end of a day into the values of the daily metrics."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from simfraud.core.metrics import (
    GLOBAL,
    PER_PLATFORM,
    PER_PLATFORM_VECTOR,
    TIMESERIES,
    VECTOR_STATS,
)
from simfraud.core.sums import integer_sum, numpy_sum
from simfraud.core.vectors import VECTORS
from simfraud.users import counters as L

_VECTOR_SLOTS = np.array([L.PV.attempts, L.PV.successes, L.PV.loss, L.PV.stopped_primary,
                          L.PV.stopped_step_up, L.PV.stopped_monitoring, L.PV.stopped_payee,
                          L.PV.refund_sending, L.PV.refund_sending, L.PV.refund_receiving,
                          L.PV.claims,
                          L.PV.refunded_claims, L.PV.expected_loss])
"""Kernel slot of each ``VECTOR_STATS`` column (``refunded``: sending, receiving added)."""
_REFUNDED = VECTOR_STATS.index("refunded")


def vector_stats(pvs: np.ndarray) -> np.ndarray:
    """Per (platform, vector) columns of ``vectors.parquet`` from the kernel totals."""
    stats = pvs[..., _VECTOR_SLOTS]
    stats[..., _REFUNDED] += pvs[..., L.PV.refund_receiving]
    return stats


def _counted(scope: str, slots) -> tuple[tuple[str, ...], np.ndarray]:
    """Names of the registry's metrics counted in ``scope`` and their kernel slots."""
    names = tuple(m.name for m in TIMESERIES if m.counted == scope)
    return names, np.array([getattr(slots, name) for name in names], dtype=np.intp)


_COUNTED = {PER_PLATFORM_VECTOR: _counted(PER_PLATFORM_VECTOR, L.PV),
            PER_PLATFORM: _counted(PER_PLATFORM, L.P),
            GLOBAL: _counted(GLOBAL, L.G)}


@lru_cache(maxsize=16)
def _counted_cells(shapes: tuple[tuple[int, ...], ...]) -> tuple[tuple[str, ...], np.ndarray,
                                                                  np.ndarray]:
    """Where each counted metric's cells are in the scopes' totals laid end to end.

    Args:
        shapes: The shapes of ``UserTotals.pvs``, ``per_platform`` and ``glob``.

    Returns:
        The metrics' names, their cells' positions (metric after metric) and where each
        metric's cells start.
    """
    names: list[str] = []
    positions: list[np.ndarray] = []
    offset = 0
    for scope, shape in zip((PER_PLATFORM_VECTOR, PER_PLATFORM, GLOBAL), shapes, strict=True):
        cells = np.arange(int(np.prod(shape)), dtype=np.intp).reshape(shape)
        scope_names, slots = _COUNTED[scope]
        names += scope_names
        positions += [offset + cells[..., slot].ravel() for slot in slots]
        offset += cells.size
    starts = np.cumsum([0] + [len(cells) for cells in positions[:-1]])
    return tuple(names), np.concatenate(positions), starts.astype(np.intp)


def kernel_counts(model) -> dict[str, int]:
    """Every metric the registry marks ``counted``: its kernel slot summed (``users/``)."""
    totals = model.totals
    scopes = (totals.pvs, totals.per_platform, totals.glob)
    names, positions, starts = _counted_cells(tuple(a.shape for a in scopes))
    flat = np.concatenate([a.ravel() for a in scopes])
    return dict(zip(names, np.add.reduceat(flat[positions], starts).tolist(), strict=True))


def fraud_and_refunds(model) -> dict[str, float]:
    """Attacks, losses, refunds and recoveries (``users/attacks.py``, ``users/refunds.py``)."""
    s = model.settlement
    gross, sending, receiving, recovered = s.stolen, s.sending, s.receiving, s.recovered_total
    return {
        "gross_loss": gross,
        "refunded": sending + receiving,
        "refunded_sending": sending,
        "refunded_receiving": receiving,
        "user_loss": s.user_loss,
        "recovered": recovered,
        "attacker_revenue": gross - recovered,
        "attack_cost": model.attack_cost,
        "cum_gross_loss": model.ledger.gross_loss,
        "cum_refunded": model.ledger.refunded,
        "cum_user_loss": model.ledger.user_loss,
    }


_FRICTION = [L.P.false_rejects, L.P.step_ups, L.P.abandoned]
"""Kernel slots of the frictions of genuine payments that have a cost."""


def friction(model) -> dict[str, float]:
    """The cost of genuine payments' friction (``users/authentication.py``)."""
    costs = model.scenario.costs
    per_platform = model.totals.per_platform
    false_rejects, step_ups, abandoned = (integer_sum(per_platform[:, k]) for k in _FRICTION)
    return {
        "friction_cost": (false_rejects * costs.false_reject + step_ups * costs.step_up
                          + abandoned * costs.abandoned_payment),
    }


def attitudes(model) -> dict[str, float]:
    """Users' mean attitudes at the end of the day (``users/attitudes.py``)."""
    totals = model.totals
    return {
        "mean_trust": totals.trust_sum / model.n_users,
        "mean_perceived_risk": totals.risk_sum / model.n_users,
    }


def platforms_and_regulation(model) -> dict[str, float]:
    """Platforms' books, compliance and rules (``model/platform.py``, ``regulator.py``)."""
    scenario = model.scenario
    compliance = 0
    if model.rules.in_force:
        per_year = scenario.regulator.instruments.compliance_cost_per_user_year
        compliance = math.floor(per_year * model.n_users / 365.0)
    return {
        "security_spend": sum(p.security_spend for p in model.platforms),
        "platform_fees": sum(p.fees for p in model.platforms),
        "platform_net_income": sum(p.net_income for p in model.platforms),
        "fines": sum(p.fine for p in model.platforms),
        "compliance_cost": compliance,
        "regulation_in_force": int(model.rules.in_force),
        "backlash_index": model.regulator.backlash,
    }


_TOOL_QUALITY = tuple(f"tool_quality_{vector}" for vector in VECTORS)
_DEFENCE = tuple(f"defence_{vector}" for vector in VECTORS)


def arms_race(model) -> dict[str, float]:
    """Crews' tools against platforms' defences (``model/attacker.py``, ``platform.py``)."""
    users = model.totals.per_platform[:, L.P.users_next].astype(float)
    weights = users / max(numpy_sum(users), 1.0)
    strength = model.plan.strength
    crews = model.crew_book
    values = {
        "active_attackers": len(crews),
        "attacker_profit": crews.mean_profit(default=0.0),
        "mean_liveness_level": float(np.dot(weights, [p.liveness.level for p in model.platforms])),
    }
    values.update(zip(_TOOL_QUALITY, crews.mean_quality().tolist(), strict=True))
    values.update((name, float(np.dot(weights, strength[:, k])))
                  for k, name in enumerate(_DEFENCE))
    return values


MEASURES = (kernel_counts, fraud_and_refunds, friction, attitudes, platforms_and_regulation,
            arms_race)
"""The functions that compute the ``TIMESERIES`` metrics, by mechanism; together they give
every metric exactly once (a test checks it)."""


def day_values(model) -> dict[str, float]:
    """Every ``TIMESERIES`` metric for the day just simulated.

    Args:
        model: A ``FraudModel`` after its settle phase.

    Returns:
        Metric name to value (``social_cost`` derived from the others).
    """
    values: dict[str, float] = {}
    for measure in MEASURES:
        values.update(measure(model))
    values["social_cost"] = (values["attacker_revenue"] + values["friction_cost"]
                             + values["security_spend"] + values["compliance_cost"])
    return values
