"""``simfraud compare``: scenarios side by side with common random numbers.

Every scenario runs the same replicates with the first scenario's seed, so replicate r of
each scenario draws the same random numbers and paired differences measure the policy.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from simfraud.core.metrics import METRICS
from simfraud.experiments import report_figures as figures
from simfraud.experiments.decisions import cost_effectiveness, payers_by_platform, unit_of
from simfraud.experiments.dispatch import RunsFailedError, Task, locked, run_all
from simfraud.experiments.plan import RunSpec
from simfraud.experiments.stats import paired_difference
from simfraud.results.atomic import write_csv_atomic, write_parquet_atomic, write_text_atomic
from simfraud.results.gather import concat_parquet
from simfraud.results.tail import tail_row
from simfraud.scenario.schema import Scenario

COMPARED = ("gross_loss", "user_loss", "refunded", "refunded_sending", "refunded_receiving",
            "successes", "victims", "false_rejects", "friction_cost", "security_spend",
            "compliance_cost", "fines", "social_cost", "refunded_share",
            "final_facepay_users")
"""Headline metrics compared between scenarios (totals over the horizon)."""
REPORTED = ("gross_loss", "user_loss", "social_cost", "compliance_cost",
            "final_facepay_users")
"""Metrics of the report's difference chart."""
PAYERS = {"user_loss": "users", "refunded_sending": "sending provider",
          "refunded_receiving": "receiving provider"}
SOCIAL = {"net_fraud": "fraud (net of recoveries)", "friction_cost": "friction",
          "security_spend": "security spend", "compliance_cost": "compliance"}
MONEY = {name for name in COMPARED if name in METRICS and METRICS[name].is_money}


TABLES = ("summary", "differences", "cost_effectiveness", "payers", "payers_by_platform",
          "social_cost", "tail")
"""Tables a comparison writes, each as CSV and Parquet with a ``unit`` column."""


@dataclass
class Comparison:
    """Tables of a comparison (money in minor units; each has a ``unit`` column)."""

    index: pd.DataFrame
    summary: pd.DataFrame
    differences: pd.DataFrame
    payers: pd.DataFrame
    social_cost: pd.DataFrame
    tail: pd.DataFrame
    cost_effectiveness: pd.DataFrame = field(default_factory=pd.DataFrame)
    payers_by_platform: pd.DataFrame = field(default_factory=pd.DataFrame)


def scenario_names(scenarios: list[Scenario], paths: list[Path]) -> list[str]:
    """Names to show: each scenario's ``name``, or its file name where names repeat."""
    names = [s.name for s in scenarios]
    if len(set(names)) < len(names):
        names = [p.stem for p in paths]
    if len(set(names)) < len(names):
        names = [f"{k}:{p.stem}" for k, p in enumerate(paths)]
    return names


def compare_tasks(scenarios: list[Scenario], names: list[str],
                  replicates: int) -> list[Task]:
    """Replicates of every scenario, all with the first scenario's seed."""
    seed = scenarios[0].seed
    tasks = []
    for point, (scenario, name) in enumerate(zip(scenarios, names, strict=True)):
        base = scenario.model_copy(update={"seed": seed}).model_dump(mode="json")
        for replicate in range(replicates):
            spec = RunSpec(f"s{point}-r{replicate:03d}", point, replicate, {}, name)
            tasks.append(Task(base, spec, spec.seed(scenarios[0])))
    return tasks


def run_compare(scenarios: list[Scenario], names: list[str], out: Path, replicates: int, *,
                workers: int | None = None, scheduler: str | None = None,
                resume: bool = False, quiet: bool = False, command_line: str = "",
                sources: list[str] | None = None) -> Comparison:
    """Run the scenarios, then write the tables (CSV and Parquet) and ``report.html``.

    Args:
        scenarios: Scenarios to compare; each is compared against the first.
        names: Their display names.
        out: Experiment folder.
        replicates: Replicates per scenario.
        workers: Local worker processes (default: one per core).
        scheduler: Address of a Dask scheduler to run on instead.
        resume: Continue the comparison already in ``out``.
        quiet: No progress bar.
        command_line: How the comparison was asked for (recorded in experiment.json).
        sources: The scenario files as given (recorded).

    Returns:
        The comparison's tables.

    Raises:
        RunsFailedError: When any run failed: then no table and no report is written (the
            finished runs stay, for ``resume``).
    """
    tasks = compare_tasks(scenarios, names, replicates)
    with locked(out):
        index = run_all(tasks, out, kind="compare", workers=workers, scheduler=scheduler,
                        resume=resume, quiet=quiet, command_line=command_line, sources=sources)
        if (index["status"] != "ok").any():
            raise RunsFailedError(index)
        weights = {name: s.population.weight for name, s in zip(names, scenarios, strict=True)}
        return publish(out, index, names, scenarios[0].currency, scenarios[0].days, weights)


def publish(out: Path, index: pd.DataFrame, names: list[str], currency: str,
            days: int, weights: dict[str, float] | None = None) -> Comparison:
    """Analyse the finished runs and write the tables (CSV and Parquet) and the report."""
    comparison = analyse(index, names, currency, weights)
    timeseries = {name: run_frames(out, index, name, "timeseries.parquet") for name in names}
    vectors = {name: run_frames(out, index, name, "vectors.parquet") for name in names}
    comparison.payers_by_platform = payers_by_platform(vectors, currency)
    for table in TABLES:
        frame = getattr(comparison, table)
        write_csv_atomic(frame, out / f"{table}.csv")
        write_parquet_atomic(frame, out / f"{table}.parquet")
    write_report(out, comparison, currency, days, timeseries, vectors)
    return comparison


def _summary(by: dict[str, pd.DataFrame], currency: str,
             weights: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([
        {"scenario": name, "metric": metric, "unit": unit_of(metric, currency),
         "mean": part[metric].mean(), "p10": part[metric].quantile(0.1),
         "p90": part[metric].quantile(0.9), "replicates": len(part),
         "national_mean": (np.nan if metric == "refunded_share"
                           else part[metric].mean() * weights.get(name, 1.0))}
        for name, part in by.items() for metric in COMPARED
    ])


def analyse(index: pd.DataFrame, names: list[str], currency: str = "GBP",
            weights: dict[str, float] | None = None) -> Comparison:
    """Paired differences, cost-effectiveness, payers, social cost and tail risk.

    Args:
        index: The experiment's run index (headline totals per run, minor units).
        names: Arm names; each is compared with the first.
        currency: Currency of the minor units (the ``unit`` columns).
        weights: Real people per simulated user of each arm (``national_mean``
            columns; 1 when missing).
    """
    weights = weights or {}
    ok = index[index["status"] == "ok"].copy()
    ok["net_fraud"] = ok["gross_loss"] - ok["recovered"]
    by = {name: ok[ok["label"] == name].sort_values("replicate") for name in names}
    reference = names[0]
    differences, effectiveness = [], []
    for name in names[1:]:
        shared = np.intersect1d(by[reference]["replicate"], by[name]["replicate"])
        ref = by[reference].set_index("replicate").loc[shared]
        other = by[name].set_index("replicate").loc[shared]
        for metric in COMPARED:
            interval = paired_difference(ref[metric].to_numpy(), other[metric].to_numpy())
            base = ref[metric].mean()
            differences.append({
                "scenario": name, "versus": reference, "metric": metric,
                "unit": unit_of(metric, currency),
                "difference": interval.mean, "ci95_low": interval.low,
                "ci95_high": interval.high, "relative": interval.mean / base if base else np.nan,
                "replicates": interval.n,
            })
        effectiveness += cost_effectiveness(ref, other, name, reference, currency,
                                            weights.get(name, 1.0))
    money = f"{currency} minor units"
    payers = pd.DataFrame([
        {"scenario": name, "payer": label, "amount": part[column].mean(),
         "share": part[column].sum() / max(part["gross_loss"].sum(), 1), "unit": money,
         "national_amount": part[column].mean() * weights.get(name, 1.0)}
        for name, part in by.items() for column, label in PAYERS.items()
    ])
    social = pd.DataFrame([
        {"scenario": name, "component": label, "amount": part[column].mean(), "unit": money,
         "national_amount": part[column].mean() * weights.get(name, 1.0)}
        for name, part in by.items() for column, label in SOCIAL.items()
    ])
    tail = pd.DataFrame([
        {"scenario": name, **tail_row((part["gross_loss"] * 365.0 / part["days"]).to_numpy(),
                                      currency)}
        for name, part in by.items()
    ])
    return Comparison(index, _summary(by, currency, weights), pd.DataFrame(differences),
                      payers, social, tail, pd.DataFrame(effectiveness))


def run_frames(out: Path, index: pd.DataFrame, name: str, file: str) -> pd.DataFrame:
    """One table (``file``) of every finished run of the arm ``name``, concatenated."""
    runs = index[(index["label"] == name) & (index["status"] == "ok")]["run_id"]
    return concat_parquet([out / "runs" / run / file for run in runs])


SORTABLE = """
document.querySelectorAll('table.sortable th').forEach((th, col) => {
  th.style.cursor = 'pointer'; th.title = 'sort';
  th.addEventListener('click', () => {
    const table = th.closest('table'), rows = Array.from(table.rows).slice(1);
    const key = r => { const t = r.cells[col].innerText;
                       const n = parseFloat(t.replace(/[^0-9.eE-]/g, ''));
                       return isNaN(n) ? t : n; };
    const up = th.dataset.up !== '1'; th.dataset.up = up ? '1' : '0';
    rows.sort((a, b) => (key(a) > key(b) ? 1 : key(a) < key(b) ? -1 : 0) * (up ? 1 : -1));
    rows.forEach(r => table.tBodies[0].appendChild(r));
  });
});"""
"""Click a header of a ``sortable`` table of the report to sort by that column."""


def write_report(out: Path, comparison: Comparison, currency: str, days: int,
                 timeseries: dict[str, pd.DataFrame], vectors: dict[str, pd.DataFrame]) -> Path:
    """Write the self-contained ``report.html`` (Plotly inlined once).

    Args:
        out: Experiment folder.
        comparison: The analysed comparison.
        currency: Currency of the minor units.
        days: Days per run.
        timeseries: Each arm's daily series of all its runs (``run_frames``).
        vectors: Each arm's per-vector rows of all its runs.
    """
    names = list(dict.fromkeys(comparison.summary["scenario"]))
    weekly = pd.concat(_weekly_bands(timeseries[name], name) for name in names)
    monthly = pd.concat(_monthly_mix(vectors[name], timeseries[name]["date"].min(), name)
                        for name in names)
    payers = comparison.payers.assign(amount=lambda f: f["amount"] / 100.0)
    social = comparison.social_cost.assign(amount=lambda f: f["amount"] / 100.0)
    parts = [
        figures.difference_chart(comparison.differences, REPORTED, currency),
        figures.losses_over_time(weekly, currency) if len(names) <= 3
        else figures.losses_small_multiples(weekly, currency),
        figures.attack_mix(monthly.astype({"vector": str})),
        figures.payer_split(payers, currency),
        figures.social_cost(social, currency),
    ]
    body = [fig.to_html(full_html=False, include_plotlyjs=(k == 0))
            for k, fig in enumerate(parts)]
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>simfraud comparison</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222}} table{{border-collapse:collapse;font-size:0.9em;margin:1em 0}}
td,th{{border-bottom:1px solid #ddd;padding:0.3em 0.7em;text-align:right}}
th:first-child,td:first-child{{text-align:left}} .note{{color:#555}}</style></head><body>
<h1>simfraud comparison</h1>
<p class="note">{len(names)} scenarios, {days} days, money in {html.escape(currency)}
(simulated users). Replicate r of every scenario shares its random numbers, so the
differences below are paired; intervals are 95% t intervals over replicates. Each scenario
is compared with the first, <b>{html.escape(names[0])}</b>.</p>
<h2>Summary</h2>{_summary_table(comparison)}
<h2>Differences against {html.escape(names[0])}</h2>{_difference_table(comparison)}
<h2>Cost-effectiveness against {html.escape(names[0])}</h2>
<p class="note">Loss avoided: fraud net of recoveries, reference minus arm; spend added:
security spend and compliance cost, arm minus reference (major units; national: times
population.weight). Ratio intervals are paired bootstraps.</p>
{_effectiveness_table(comparison)}
<h2>Tail risk of annual loss</h2>{_tail_table(comparison)}
{''.join(body)}
<script>{SORTABLE}</script>
</body></html>
"""
    path = out / "report.html"
    write_text_atomic(path, page)
    return path


def _weekly_bands(timeseries: pd.DataFrame, name: str) -> pd.DataFrame:
    """10th, 50th and 90th percentile over replicates of one arm's weekly gross loss."""
    ts = timeseries[["replicate", "day", "date", "gross_loss"]]
    ts = ts.assign(week_start=ts["date"] - pd.to_timedelta(ts["day"] % 7, unit="D"))
    per_week = ts.groupby(["replicate", "week_start"])["gross_loss"].sum() / 100.0
    bands = per_week.groupby("week_start").quantile([0.1, 0.5, 0.9]).unstack()
    bands.columns = ["p10", "median", "p90"]
    return bands.reset_index().assign(scenario=name)


def _monthly_mix(vectors: pd.DataFrame, start, name: str) -> pd.DataFrame:
    """Each attack vector's share of one arm's loss per 30-day month from ``start``."""
    vec = vectors[["day", "vector", "loss"]]
    vec = vec.assign(month=pd.Timestamp(start) + pd.to_timedelta(vec["day"] // 30 * 30,
                                                                 unit="D"))
    loss = vec.groupby(["month", "vector"], observed=True)["loss"].sum()
    share = (loss / loss.groupby("month").transform("sum")).fillna(0.0)
    return share.rename("share").reset_index().assign(scenario=name)


def _money(value: float, metric: str) -> str:
    if metric in MONEY or metric.startswith(("var_", "es_", "mean")):
        return f"{value / 100.0:,.0f}"
    if metric == "refunded_share":
        return f"{value:.1%}"
    return f"{value:,.0f}"


def _summary_table(comparison: Comparison) -> str:
    table = comparison.summary.pivot(index="metric", columns="scenario", values="mean")
    names = list(dict.fromkeys(comparison.summary["scenario"]))
    rows = "".join(
        f"<tr><td>{metric}</td>"
        + "".join(f"<td>{_money(table.loc[metric, n], metric)}</td>" for n in names)
        + "</tr>" for metric in COMPARED)
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    return f"<table><tr><th>metric (mean)</th>{head}</tr>{rows}</table>"


def _difference_table(comparison: Comparison) -> str:
    rows = "".join(
        f"<tr><td>{html.escape(r.scenario)}</td><td>{r.metric}</td>"
        f"<td>{_money(r.difference, r.metric)}</td>"
        + ("<td>not available (fewer than 2 replicates)</td>" if r.replicates < 2 else
           f"<td>[{_money(r.ci95_low, r.metric)}, {_money(r.ci95_high, r.metric)}]</td>")
        + f"<td>{'n/a' if np.isnan(r.relative) else f'{r.relative:+.1%}'}</td></tr>"
        for r in comparison.differences.itertuples())
    return ("<table class=\"sortable\"><tr><th>scenario</th><th>metric</th><th>difference</th>"
            f"<th>95% interval</th><th>relative</th></tr>{rows}</table>")


def _tail_table(comparison: Comparison) -> str:
    columns = ["var_95", "es_95", "var_99", "es_99"]

    def cell(r, c):
        if np.isnan(r[f"{c}_low"]):
            return f"<td>{_money(r[c], c)}</td>"
        return (f"<td>{_money(r[c], c)} [{_money(r[f'{c}_low'], c)}, "
                f"{_money(r[f'{c}_high'], c)}]</td>")

    rows = "".join(
        f"<tr><td>{html.escape(r['scenario'])}</td><td>{_money(r['mean'], 'mean')}</td>"
        + "".join(cell(r, c) for c in columns)
        + f"<td>{html.escape(r['warning'])}</td></tr>"
        for _, r in comparison.tail.iterrows())
    head = "".join(f"<th>{c} [95% bootstrap]</th>" for c in columns)
    return (f"<table><tr><th>scenario</th><th>mean</th>{head}<th>warning</th></tr>"
            f"{rows}</table>")


def _effectiveness_table(comparison: Comparison) -> str:
    def value(r, v):
        if r.measure == "avoided_per_unit_spent":
            return "n/a" if np.isnan(v) else f"{v:,.2f}"
        return "n/a" if np.isnan(v) else f"{v / 100.0:,.0f}"

    rows = "".join(
        f"<tr><td>{html.escape(r.scenario)}</td><td>{r.measure}</td>"
        f"<td>{value(r, r.mean)}</td><td>[{value(r, r.ci95_low)}, {value(r, r.ci95_high)}]"
        f"</td><td>{value(r, r.national_mean)}</td></tr>"
        for r in comparison.cost_effectiveness.itertuples())
    return ("<table class=\"sortable\"><tr><th>scenario</th><th>measure</th><th>mean</th>"
            "<th>95% interval</th>"
            f"<th>national</th></tr>{rows}</table>")
