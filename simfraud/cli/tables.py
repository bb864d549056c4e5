"""Plain-text tables the commands print: paired differences, sweep means, phase profile."""

from __future__ import annotations

PRINTED = ("gross_loss", "user_loss", "refunded", "security_spend", "compliance_cost",
           "social_cost", "final_facepay_users", "refunded_share")
"""Differences printed by compare: losses, who pays, and the metrics rules act through."""


def _signed(value: float, ratio: bool) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.2f}" if ratio else f"{value / 100.0:+,.0f}"


def difference_table(comparison, currency: str) -> str:
    """Paired differences and cost-effectiveness against the first arm (major units)."""
    rows = comparison.differences
    rows = rows[rows["metric"].isin(PRINTED)]
    lines = [f"paired differences against {rows['versus'].iloc[0]} "
             f"(mean and 95% interval over {rows['replicates'].iloc[0]} replicates; "
             f"money in {currency}, simulated users)"]
    for r in rows.itertuples():
        scale, fmt = ((1.0, "{:+.1%}") if r.metric == "refunded_share" else
                      (100.0, "{:+,.0f}") if "minor units" in r.unit else (1.0, "{:+,.0f}"))
        interval = ("interval not available (fewer than 2 replicates)" if r.replicates < 2
                    else f"[{fmt.format(r.ci95_low / scale)}, {fmt.format(r.ci95_high / scale)}]")
        lines.append(f"  {r.scenario:24} {r.metric:20} {fmt.format(r.difference / scale):>14}"
                     f"  {interval}")
    lines.append(f"cost-effectiveness against {rows['versus'].iloc[0]} (loss avoided and "
                 f"spend added in {currency}; national = x population.weight)")
    for r in comparison.cost_effectiveness.itertuples():
        ratio = r.measure == "avoided_per_unit_spent"
        lines.append(f"  {r.scenario:24} {r.measure:22} {_signed(r.mean, ratio):>14}  "
                     f"[{_signed(r.ci95_low, ratio)}, {_signed(r.ci95_high, ratio)}]  "
                     f"national {_signed(r.national_mean, ratio)}")
    return "\n".join(lines)


def sweep_table(index) -> str:
    """Mean headline figures per grid point (major currency units)."""
    ok = index[index["status"] == "ok"]
    if ok.empty:
        return "no run finished"
    columns = {"gross_loss": "gross loss", "user_loss": "borne by users",
               "social_cost": "social cost"}
    table = ok.groupby(["point", "label"])[list(columns)].mean() / 100.0
    table = table.rename(columns=columns).reset_index(level="point", drop=True)
    table["runs"] = ok.groupby("label").size()
    return table.to_string(float_format=lambda v: f"{v:,.0f}")


def profile_table(result, users: int, days: int) -> str:
    """Seconds per phase of the day and their share, with ns per user-day."""
    total = sum(result.phase_seconds.values()) or 1.0
    lines = [f"{'phase':16}{'seconds':>10}{'share':>8}{'ns/user-day':>14}"]
    for phase, seconds in result.phase_seconds.items():
        lines.append(f"{phase:16}{seconds:>10.3f}{seconds / total:>8.1%}"
                     f"{seconds / (users * days) * 1e9:>14.1f}")
    lines.append(f"{'all phases':16}{total:>10.3f}{1:>8.0%}"
                 f"{total / (users * days) * 1e9:>14.1f}")
    lines.append(f"model set-up (population, agents): {result.setup_seconds:.3f} s")
    return "\n".join(lines)
