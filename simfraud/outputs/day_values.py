"""Turn the model's state at the end of a day into the values of the daily metrics."""

from __future__ import annotations

import math

import numpy as np

from simfraud.core.vectors import VECTORS
from simfraud.users import counters as L


def vector_stats(pvs: np.ndarray) -> np.ndarray:
    """Per (platform, vector) columns of ``vectors.parquet`` from the kernel totals."""
    return np.stack([
        pvs[..., L.PV_ATTEMPTS],
        pvs[..., L.PV_SUCCESSES],
        pvs[..., L.PV_LOSS],
        pvs[..., L.PV_STOP_PRIMARY],
        pvs[..., L.PV_STOP_STEP_UP],
        pvs[..., L.PV_STOP_MONITORING],
        pvs[..., L.PV_REFUND_SENDING] + pvs[..., L.PV_REFUND_RECEIVING],
    ], axis=-1)


def fraud_and_refunds(model) -> dict[str, float]:
    """Attacks, losses, refunds and recoveries (``users/attacks.py``, ``users/refunds.py``)."""
    s, pvs = model.settlement, model.totals.pvs
    gross = int(s.loss.sum())
    sending = int(s.refunded_sending.sum())
    receiving = int(s.refunded_receiving.sum())
    recovered = int(s.recovered.sum())
    return {
        "attempts": int(pvs[..., L.PV_ATTEMPTS].sum()),
        "successes": int(pvs[..., L.PV_SUCCESSES].sum()),
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
        "stopped_primary": int(pvs[..., L.PV_STOP_PRIMARY].sum()),
        "stopped_step_up": int(pvs[..., L.PV_STOP_STEP_UP].sum()),
        "stopped_monitoring": int(pvs[..., L.PV_STOP_MONITORING].sum()),
        "victims": int(model.totals.per_platform[:, L.P_VICTIMS].sum()),
    }


def payments_and_friction(model) -> dict[str, float]:
    """Genuine payments and their friction (``users/payment.py``, ``authentication.py``)."""
    pp, costs = model.totals.per_platform, model.scenario.costs
    false_rejects = int(pp[:, L.P_FALSE_REJECTS].sum())
    step_ups = int(pp[:, L.P_STEP_UPS].sum())
    abandoned = int(pp[:, L.P_ABANDONED].sum())
    return {
        "payments": int(pp[:, L.P_PAYMENTS].sum()),
        "payment_volume": int(pp[:, L.P_VOLUME].sum()),
        "face_checks": int(pp[:, L.P_FACE_CHECKS].sum()),
        "false_rejects": false_rejects,
        "step_ups": step_ups,
        "abandoned": abandoned,
        "friction_cost": (false_rejects * costs.false_reject + step_ups * costs.step_up
                          + abandoned * costs.abandoned_payment),
    }


def population(model) -> dict[str, float]:
    """End-of-day census and attitudes (``users/census.py``, ``users/attitudes.py``)."""
    totals = model.totals
    pp, gl = totals.per_platform, totals.glob
    return {
        "switched_platform": int(pp[:, L.P_SWITCHED_OUT].sum()),
        "facepay_users": int(pp[:, L.P_FACEPAY_NEXT].sum()),
        "facepay_high_privacy": int(gl[L.G_FACEPAY_HIGH_PRIVACY]),
        "facepay_low_privacy": int(gl[L.G_FACEPAY_LOW_PRIVACY]),
        "users_high_privacy": int(gl[L.G_USERS_HIGH_PRIVACY]),
        "faces_compromised": int(gl[L.G_FACES_COMPROMISED]),
        "credentials_compromised": int(gl[L.G_CREDENTIALS_COMPROMISED]),
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


def arms_race(model) -> dict[str, float]:
    """Crews' tools against platforms' defences (``model/attacker.py``, ``platform.py``)."""
    users = model.totals.per_platform[:, L.P_USERS_NEXT].astype(float)
    weights = users / max(users.sum(), 1.0)
    strength = np.stack([p.primary_strength() for p in model.platforms])
    crews = model.crews
    quality = (np.mean([c.quality for c in crews], axis=0) if crews
               else np.full(len(VECTORS), math.nan))
    values = {
        "active_attackers": len(crews),
        "attacker_profit": float(np.mean([c.profit_ema for c in crews])) if crews else 0.0,
        "mean_liveness_level": float(np.dot(weights, [p.level for p in model.platforms])),
    }
    for k, vector in enumerate(VECTORS):
        values[f"tool_quality_{vector}"] = float(quality[k])
        values[f"defence_{vector}"] = float(np.dot(weights, strength[:, k]))
    return values


MEASURES = (fraud_and_refunds, payments_and_friction, population, platforms_and_regulation,
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
