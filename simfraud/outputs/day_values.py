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


def day_values(model) -> dict[str, float]:
    """Every ``TIMESERIES`` metric for the day just simulated.

    Args:
        model: A ``FraudModel`` after its settle phase.

    Returns:
        Metric name to value.
    """
    s = model.settlement
    totals = model.totals
    pvs, pp, gl = totals.pvs, totals.per_platform, totals.glob
    scenario = model.scenario
    costs = scenario.costs
    gross = int(s.loss.sum())
    sending = int(s.refunded_sending.sum())
    receiving = int(s.refunded_receiving.sum())
    recovered = int(s.recovered.sum())
    false_rejects = int(pp[:, L.P_FALSE_REJECTS].sum())
    step_ups = int(pp[:, L.P_STEP_UPS].sum())
    abandoned = int(pp[:, L.P_ABANDONED].sum())
    friction = (false_rejects * costs.false_reject + step_ups * costs.step_up
                + abandoned * costs.abandoned_payment)
    security = sum(p.security_spend for p in model.platforms)
    compliance = 0
    if model.rules.in_force:
        per_year = scenario.regulator.instruments.compliance_cost_per_user_year
        compliance = math.floor(per_year * model.n_users / 365.0)
    users = pp[:, L.P_USERS_NEXT].astype(float)
    weights = users / max(users.sum(), 1.0)
    strength = np.stack([p.primary_strength() for p in model.platforms])
    crews = model.crews
    quality = (np.mean([c.quality for c in crews], axis=0) if crews
               else np.full(len(VECTORS), math.nan))
    values = {
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
        "victims": int(pp[:, L.P_VICTIMS].sum()),
        "payments": int(pp[:, L.P_PAYMENTS].sum()),
        "payment_volume": int(pp[:, L.P_VOLUME].sum()),
        "face_checks": int(pp[:, L.P_FACE_CHECKS].sum()),
        "false_rejects": false_rejects,
        "step_ups": step_ups,
        "abandoned": abandoned,
        "switched_platform": int(pp[:, L.P_SWITCHED_OUT].sum()),
        "facepay_users": int(pp[:, L.P_FACEPAY_NEXT].sum()),
        "facepay_high_privacy": int(gl[L.G_FACEPAY_HIGH_PRIVACY]),
        "facepay_low_privacy": int(gl[L.G_FACEPAY_LOW_PRIVACY]),
        "users_high_privacy": int(gl[L.G_USERS_HIGH_PRIVACY]),
        "faces_compromised": int(gl[L.G_FACES_COMPROMISED]),
        "credentials_compromised": int(gl[L.G_CREDENTIALS_COMPROMISED]),
        "active_attackers": len(crews),
        "security_spend": security,
        "platform_fees": sum(p.fees for p in model.platforms),
        "platform_net_income": sum(p.net_income for p in model.platforms),
        "compliance_cost": compliance,
        "friction_cost": friction,
        "social_cost": gross - recovered + friction + security + compliance,
        "regulation_in_force": int(model.rules.in_force),
        "attacker_profit": float(np.mean([c.profit_ema for c in crews])) if crews else 0.0,
        "mean_trust": totals.trust_sum / model.n_users,
        "mean_perceived_risk": totals.risk_sum / model.n_users,
        "backlash_index": model.regulator.backlash,
        "mean_liveness_level": float(np.dot(weights, [p.level for p in model.platforms])),
    }
    for k, vector in enumerate(VECTORS):
        values[f"tool_quality_{vector}"] = float(quality[k])
        values[f"defence_{vector}"] = float(np.dot(weights, strength[:, k]))
    return values
