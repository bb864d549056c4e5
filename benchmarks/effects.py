"""Behaviour effects: what policies and controls do to fraud, as paired effect sizes.

``python -m benchmarks.effects [--replicates 8] [--users 30000] [--workers 2] [NAME ...]``
runs each comparison's arms with common random numbers (replicate r of every arm shares
its seed) and prints, per effect, the mean paired change with its 95% t interval over
the replicates. The figures quoted in docs/model.md ("Effects and how many replicates
they need") come from this script; it is a benchmark, not a test: it takes minutes.

An effect is *relative* (treatment / reference - 1, from the paired differences scaled by
the reference mean), a *difference* (treatment - reference) or a *level* (one arm's
statistic, e.g. a correlation).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from simfraud.core.vectors import BIOMETRIC_VECTORS
from simfraud.results.arms_race import MAX_LAG_MONTHS, lagged_correlation, monthly_changes

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"


@dataclass(frozen=True)
class Arm:
    """One scenario file with overrides (``path=value``)."""

    scenario: str
    overrides: tuple[str, ...] = ()


Measure = Callable[[pd.DataFrame, pd.DataFrame], float]


@dataclass(frozen=True)
class Effect:
    """A comparison of two arms (or one arm's statistic) on one measure."""

    name: str
    question: str
    measure: Measure
    reference: Arm
    treatment: Arm | None = None
    kind: str = "relative"


def total(column: str, first_day: int = 0) -> Measure:
    """Sum of a timeseries column from ``first_day``."""
    return lambda ts, _: float(ts.loc[ts["day"] >= first_day, column].sum())


def vector_total(column: str, vectors, first_day: int = 0, last_day: int | None = None,
                 platform: str | None = None) -> Measure:
    """Sum of a vectors column over some vectors and days (and one platform, if given)."""
    def measure(_, v):
        mask = v["vector"].isin(vectors) & (v["day"] >= first_day)
        if last_day is not None:
            mask &= v["day"] < last_day
        if platform is not None:
            mask &= v["platform"] == platform
        return float(v.loc[mask, column].sum())
    return measure


def share(numerator: Measure, denominator: Measure) -> Measure:
    """A ratio of two measures (0 when the denominator is 0)."""
    def measure(ts, v):
        below = denominator(ts, v)
        return numerator(ts, v) / below if below else 0.0
    return measure


def per_user(measure: Measure) -> Measure:
    """A measure divided by the simulated users (from the day-0 census)."""
    def scaled(ts, v):
        users = float(ts.loc[ts["day"] == 0, "users"].iloc[0]) if "users" in ts else np.nan
        return measure(ts, v) / users
    return scaled


def tools_after(first_day: int) -> Measure:
    """Crews' mean tool quality over every vector and the days from ``first_day``."""
    def measure(ts, _):
        columns = [c for c in ts.columns if c.startswith("tool_quality_")]
        return float(ts.loc[ts["day"] >= first_day, columns].to_numpy().mean())
    return measure


def arms_race(lag: int) -> Measure:
    """Correlation of monthly tool and defence changes, defence ``lag`` months later."""
    def measure(ts, _):
        return lagged_correlation(monthly_changes(ts), lag)
    return measure


INJECTION = ["deepfake_injection"]
UK = Arm("uk-2024-no-mandate.yaml")
NO_MULE_DETECTION = tuple(f"platforms.{k}.security.mule_detection=false" for k in range(3))
UK_MANDATE = Arm("uk-2024-psr.yaml")
REACTIVE = Arm("stress-reactive-regulator.yaml", ("days=600",))
PROACTIVE = Arm("stress-proactive-regulator.yaml", ("days=600",))
INJECTION_WAVE = Arm("stress-injection-wave.yaml")
INJECTION_DETECTED = Arm("stress-injection-wave.yaml", (
    "platforms.0.liveness.injection_detection=true",
    "platforms.1.liveness.injection_detection=true"))
MOVE_OFF = ("platforms.0.face_attack_response=move_off",
            "platforms.1.face_attack_response=move_off")
INJECTION_WAVE_MOVE_OFF = Arm("stress-injection-wave.yaml", MOVE_OFF)
INJECTION_DETECTED_MOVE_OFF = Arm("stress-injection-wave.yaml",
                                  INJECTION_DETECTED.overrides + MOVE_OFF)
PASSIVE_2D = ("platforms.0.liveness.level=passive_2d", "platforms.1.liveness.level=passive_2d")
BREACH = "biometric-breach.yaml"
FACE_BREACH = Arm(BREACH, ("timeline.1.share=0",))
CREDENTIAL_BREACH = Arm(BREACH, ("timeline.0.share=0",))
NO_BREACH = Arm(BREACH, ("timeline.0.share=0", "timeline.1.share=0"))
BASELINE_3Y = Arm("baseline.yaml", ("days=1095",))
BASELINE = Arm("baseline.yaml")
FOLLOWS_VALUE = ("attackers.harvesting=follows_value",)
UK_HOLD = Arm(UK.scenario, tuple(f"platforms.{k}.step_up.scam_hold_stop=0.3" for k in range(3)))
UK_NAME_CHECK = Arm(UK.scenario, tuple(f"platforms.{k}.confirmation_of_payee.enabled=true"
                                       for k in range(3)))
INBOUND_HOLD = tuple(f"platforms.{k}.security.inbound_hold=true" for k in range(3))
DEPTH_3D = ("platforms.0.liveness.level=depth_3d",)
TRACKING = Arm(BASELINE_3Y.scenario,
               (*BASELINE_3Y.overrides, "platforms.0.security.detector_tracking=1"))
DIMINISHING = Arm(BASELINE_3Y.scenario, (*BASELINE_3Y.overrides, "attackers.rd_diminishing=1"))
SEARCH = ("attackers.search_share=1",)
SEARCHING_3Y = Arm(BASELINE_3Y.scenario, (*BASELINE_3Y.overrides, *SEARCH))

EFFECTS = [
    Effect("mandate_security_spend", "UK mandate: change in platforms' security spend",
           total("security_spend", 645), UK, UK_MANDATE),
    Effect("mandate_gross_loss", "UK mandate: change in gross fraud loss after day 645",
           total("gross_loss", 645), UK, UK_MANDATE),
    Effect("mandate_scam_cases", "UK mandate: change in scam (APP) cases after day 645",
           vector_total("successes", ["social_engineering"], 645), UK, UK_MANDATE),
    Effect("mandate_user_loss", "UK mandate: change in victims' own loss after day 645",
           total("user_loss", 645), UK, UK_MANDATE),
    Effect("mandate_frozen_share", "UK mandate: share of stolen money frozen at mule "
           "accounts after day 645, with the mandate minus without",
           share(total("recovered", 645), total("gross_loss", 645)), UK, UK_MANDATE,
           kind="difference"),
    Effect("scam_hold_cases", "UK without the mandate, banks hold scam payments above the "
           "step-up threshold and stop 30% of them (step_up.scam_hold_stop=0.3): change "
           "in scam (APP) cases", vector_total("successes", ["social_engineering"]), UK,
           UK_HOLD),
    Effect("scam_hold_attempts", "the same: change in scam contacts (crews' answer)",
           vector_total("attempts", ["social_engineering"]), UK, UK_HOLD),
    Effect("name_check_cases", "UK without the mandate, banks check payee names "
           "(confirmation_of_payee, stop 0.1): change in scam (APP) cases",
           vector_total("successes", ["social_engineering"]), UK, UK_NAME_CHECK),
    Effect("name_check_attempts", "the same: change in scam contacts (crews' answer)",
           vector_total("attempts", ["social_engineering"]), UK, UK_NAME_CHECK),
    Effect("mandate_scam_cases_with_inbound_hold", "UK mandate, receiving providers may "
           "hold risky incoming payments (security.inbound_hold in both arms): change in "
           "scam (APP) cases after day 645",
           vector_total("successes", ["social_engineering"], 645), Arm(UK.scenario, INBOUND_HOLD),
           Arm(UK_MANDATE.scenario, INBOUND_HOLD)),
    Effect("inbound_hold_scam_cases", "UK mandate, receiving providers hold risky incoming "
           "payments (security.inbound_hold) against not: change in scam (APP) cases after "
           "day 645", vector_total("successes", ["social_engineering"], 645), UK_MANDATE,
           Arm(UK_MANDATE.scenario, INBOUND_HOLD)),
    Effect("mandate_gross_loss_without_mule_detection", "UK mandate, no platform detects "
           "mule accounts: change in gross fraud loss after day 645",
           total("gross_loss", 645), Arm(UK.scenario, NO_MULE_DETECTION),
           Arm(UK_MANDATE.scenario, NO_MULE_DETECTION)),
    Effect("mandate_scam_cases_with_moral_hazard", "UK mandate, victims' care lapses "
           "(behaviour.moral_hazard=0.3): change in scam (APP) cases after day 645",
           vector_total("successes", ["social_engineering"], 645),
           Arm(UK.scenario, ("behaviour.moral_hazard=0.3",)),
           Arm(UK_MANDATE.scenario, ("behaviour.moral_hazard=0.3",))),
    Effect("mandate_claimed_share_when_claims_follow_refunds", "UK mandate, victims who "
           "expect nothing back claim half the time (behaviour.claim_without_refund=0.5): "
           "claimed share of scam cases after day 645, with the mandate minus without",
           share(vector_total("claims", ["social_engineering"], 645),
                 vector_total("successes", ["social_engineering"], 645)),
           Arm(UK.scenario, ("behaviour.claim_without_refund=0.5",)),
           Arm(UK_MANDATE.scenario, ("behaviour.claim_without_refund=0.5",)),
           kind="difference"),
    Effect("mandate_gross_loss_when_claims_follow_refunds", "UK mandate, victims who "
           "expect nothing back claim half the time: change in gross fraud loss after day 645",
           total("gross_loss", 645),
           Arm(UK.scenario, ("behaviour.claim_without_refund=0.5",)),
           Arm(UK_MANDATE.scenario, ("behaviour.claim_without_refund=0.5",))),
    Effect("proactive_total_loss", "proactive (day 90) vs reactive regulator: total loss",
           total("gross_loss"), REACTIVE, PROACTIVE),
    *(Effect(f"arms_race_lag{lag}", f"baseline, 1095 days: correlation of monthly changes "
             f"of tool quality and defence strength per vector after the first year, "
             f"defence {lag} months later (negative: tools later)", arms_race(lag),
             BASELINE_3Y, kind="level")
      for lag in range(-MAX_LAG_MONTHS, MAX_LAG_MONTHS + 1)),
    *(Effect(f"arms_race_search_lag{lag}", f"the same with problemistic search "
             f"(attackers.search_share=1), defence {lag} months later", arms_race(lag),
             SEARCHING_3Y, kind="level")
      for lag in range(-3, 4)),
    Effect("search_late_tools", "baseline, 1095 days, problemistic search "
           "(attackers.search_share=1): crews' mean tool quality (all vectors) after day 730",
           tools_after(730), BASELINE_3Y, SEARCHING_3Y),
    Effect("search_late_loss", "the same: change in gross loss after day 730",
           total("gross_loss", 730), BASELINE_3Y, SEARCHING_3Y),
    Effect("search_injection_detection_tool_quality", "injection wave, crews search "
           "(attackers.search_share=1 in both arms): crews' mean injection tool quality after "
           "day 365 with detection from day 0 (crews' answer)",
           total("tool_quality_deepfake_injection", 365), Arm(INJECTION_WAVE.scenario, SEARCH),
           Arm(INJECTION_WAVE.scenario, INJECTION_DETECTED.overrides + SEARCH)),
    Effect("search_injection_detection_loss", "the same: injection loss after day 365",
           vector_total("loss", INJECTION, 365), Arm(INJECTION_WAVE.scenario, SEARCH),
           Arm(INJECTION_WAVE.scenario, INJECTION_DETECTED.overrides + SEARCH)),
    Effect("tracking_late_loss", "baseline, 1095 days, retrained detectors keep pace "
           "(security.detector_tracking=1): change in gross loss after day 730",
           total("gross_loss", 730), BASELINE_3Y, TRACKING),
    Effect("tracking_late_scam_tools", "the same: crews' mean scam tool quality after day "
           "730 (crews' answer)", total("tool_quality_social_engineering", 730), BASELINE_3Y,
           TRACKING),
    Effect("diminishing_late_loss", "baseline, 1095 days, crews' R&D with diminishing "
           "returns (attackers.rd_diminishing=1): change in gross loss after day 730",
           total("gross_loss", 730), BASELINE_3Y, DIMINISHING),
    Effect("diminishing_late_tools", "the same: crews' mean tool quality (all vectors) after "
           "day 730", tools_after(730), BASELINE_3Y, DIMINISHING),
    Effect("injection_detection_loss", "injection wave: injection loss after day 365 "
           "with detection from day 0", vector_total("loss", INJECTION, 365),
           INJECTION_WAVE, INJECTION_DETECTED),
    Effect("injection_detection_share_passive_2d", "injection wave on passive_2d wallets "
           "(presentation attacks pass too): injection's share of biometric loss after day "
           "365, with detection minus without",
           share(vector_total("loss", INJECTION, 365),
                 vector_total("loss", BIOMETRIC_VECTORS, 365)),
           Arm(INJECTION_WAVE.scenario, PASSIVE_2D),
           Arm(INJECTION_WAVE.scenario, INJECTION_DETECTED.overrides + PASSIVE_2D),
           kind="difference"),
    Effect("injection_detection_share", "injection wave: injection's share of biometric "
           "loss after day 365, with detection minus without",
           share(vector_total("loss", INJECTION, 365),
                 vector_total("loss", BIOMETRIC_VECTORS, 365)),
           INJECTION_WAVE, INJECTION_DETECTED, kind="difference"),
    Effect("injection_detection_static_loss", "injection wave: injection loss after day "
           "365 on static_wallet (never invests, so nothing substitutes for detection)",
           vector_total("loss", INJECTION, 365, platform="static_wallet"),
           INJECTION_WAVE, INJECTION_DETECTED),
    Effect("injection_detection_defence", "injection wave: user-weighted strength against "
           "injection after day 365 (without detection the adaptive wallet invests in "
           "liveness)", total("defence_deepfake_injection", 365),
           INJECTION_WAVE, INJECTION_DETECTED),
    Effect("injection_detection_tool_quality", "injection wave: crews' mean injection tool "
           "quality after day 365 (R&D at the binding defence)",
           total("tool_quality_deepfake_injection", 365), INJECTION_WAVE, INJECTION_DETECTED),
    Effect("injection_detection_attempts", "injection wave: injection attempts after day 365",
           vector_total("attempts", INJECTION, 365), INJECTION_WAVE, INJECTION_DETECTED),
    Effect("injection_detection_loss_move_off", "injection wave, a stopped face attack "
           "moves the user off face pay (no retries on the same face): injection loss after "
           "day 365 with detection from day 0", vector_total("loss", INJECTION, 365),
           INJECTION_WAVE_MOVE_OFF, INJECTION_DETECTED_MOVE_OFF),
    Effect("face_breach_late_excess", "face breach: biometric loss, days 400-730, over "
           "no breach", vector_total("loss", BIOMETRIC_VECTORS, 400), NO_BREACH, FACE_BREACH,
           kind="difference"),
    Effect("credential_breach_late_excess", "credential breach: takeover loss, days "
           "400-730, over no breach", vector_total("loss", ["account_takeover"], 400),
           NO_BREACH, CREDENTIAL_BREACH, kind="difference"),
    *(Effect(f"depth_3d_{name}_{rule}", f"baseline, depth_3d vs passive_2d liveness, "
             f"harvesting {rule}: change in {what}", measure,
             Arm("baseline.yaml", rule_set), Arm("baseline.yaml", rule_set + DEPTH_3D))
      for rule, rule_set in (("fixed", ()), ("follows_value", FOLLOWS_VALUE))
      for name, what, measure in (
          ("takeover_loss", "account-takeover loss", vector_total("loss", ["account_takeover"])),
          ("gross_loss", "gross fraud loss", total("gross_loss")))),
    Effect("scale_loss_per_user", "baseline, 40,000 vs 10,000 users: loss per user",
           per_user(total("gross_loss")), Arm("baseline.yaml", ("population.users=10000",)),
           Arm("baseline.yaml", ("population.users=40000",))),
    Effect("scale_spend_per_user", "baseline, 40,000 vs 10,000 users: security spend "
           "per user", per_user(total("security_spend")),
           Arm("baseline.yaml", ("population.users=10000",)),
           Arm("baseline.yaml", ("population.users=40000",))),
    Effect("scale_monitoring_stops", "baseline, 40,000 vs 10,000 users: share of "
           "attempts stopped by monitoring",
           share(total("stopped_monitoring"), total("attempts")),
           Arm("baseline.yaml", ("population.users=10000",)),
           Arm("baseline.yaml", ("population.users=40000",))),
]


def _run(arm: Arm, users: int, replicate: int, names: list[str]) -> list[float]:
    """Simulate one replicate of an arm and evaluate effects' measures on it (in a worker)."""
    from simfraud.model.replicates import run_replicates
    from simfraud.scenario.loader import load_scenario

    overrides = list(arm.overrides)
    if not any(o.startswith("population.users=") for o in overrides):
        overrides.append(f"population.users={users}")
    scenario = load_scenario(SCENARIOS / arm.scenario, overrides)
    result = run_replicates(scenario, 1, first_replicate=replicate)
    ts = result.timeseries.assign(users=scenario.population.users)
    by_name = {effect.name: effect for effect in EFFECTS}
    return [by_name[name].measure(ts, result.vectors) for name in names]


def interval(values: np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t interval of values (NaN ends with fewer than 2)."""
    n = len(values)
    mean = float(np.mean(values))
    if n < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf(0.975, n - 1) * np.std(values, ddof=1) / np.sqrt(n)
    return mean, mean - half, mean + half


def replicates_needed(values: np.ndarray, most: int = 10_000) -> int:
    """Smallest n whose 95% t interval would exclude 0 at these values' mean and spread.

    Returns ``most`` when even that many would not (no effect to speak of).
    """
    mean, spread = abs(float(np.mean(values))), float(np.std(values, ddof=1))
    if spread == 0.0:
        return 2
    for n in range(2, most):
        if stats.t.ppf(0.975, n - 1) * spread / np.sqrt(n) < mean:
            return n
    return most


def summarise(effect: Effect, reference: np.ndarray, treatment: np.ndarray | None) -> str:
    """One line: the effect with its 95% interval, the replicates behind it and needed."""
    n = len(reference)
    values = reference if effect.kind == "level" else treatment - reference
    mean, low, high = interval(values)
    counts = f"n={n} need={replicates_needed(values) if n > 1 else '?'}"
    if effect.kind == "level":
        return f"{effect.name:32s} {mean:+10.3f} [{low:+.3f}, {high:+.3f}]  {counts}"
    if effect.kind == "relative":
        base = float(np.mean(reference)) or float("nan")
        return (f"{effect.name:32s} {100 * mean / base:+9.1f}% "
                f"[{100 * low / base:+.1f}%, {100 * high / base:+.1f}%]  {counts}")
    return f"{effect.name:32s} {mean:+10.4g} [{low:+.4g}, {high:+.4g}]  {counts}"


def main(argv: list[str] | None = None) -> int:
    """Run the chosen effects and print one line each."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.effects")
    parser.add_argument("names", nargs="*", help="effects to run (default: all)")
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    chosen = [e for e in EFFECTS if not args.names or e.name in args.names]
    unknown = set(args.names) - {e.name for e in EFFECTS}
    if unknown:
        print(f"unknown effects: {', '.join(sorted(unknown))} (known: "
              f"{', '.join(e.name for e in EFFECTS)})", file=sys.stderr)
        return 2
    arms: dict[Arm, list[Effect]] = {}
    for effect in chosen:
        for arm in (effect.reference, effect.treatment):
            if arm is not None:
                arms.setdefault(arm, []).append(effect)
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        futures = {(arm, r): pool.submit(_run, arm, args.users, r,
                                         [e.name for e in effects])
                   for arm, effects in arms.items() for r in range(args.replicates)}
        values = {key: future.result() for key, future in futures.items()}
    print(f"{len(futures)} runs, {args.users:,} users, {args.replicates} replicates, "
          f"{time.perf_counter() - started:.0f} s")
    for effect in chosen:
        def column(arm, effect=effect):
            k = arms[arm].index(effect)
            return np.array([values[arm, r][k] for r in range(args.replicates)])
        reference = column(effect.reference)
        treatment = column(effect.treatment) if effect.treatment else None
        print(summarise(effect, reference, treatment), f" # {effect.question}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
