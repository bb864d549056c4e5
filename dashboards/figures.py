"""Figures of the dashboard: pure functions from result DataFrames to Plotly figures.

Money arrives in minor units and is shown in major units. Replicate bands are the 10th
and 90th percentiles across replicates of each period's value, around the median.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from dashboards import units
from simfraud.core.vectors import VECTORS
from simfraud.experiments.stats import paired_difference
from simfraud.scenario.problems import ScenarioError
from simfraud.scenario.yaml12 import parse_yaml

PALETTE = px.colors.qualitative.Safe
FREQUENCIES = {"daily": "D", "weekly": "W-MON", "monthly": "MS"}
PAYERS = {"user_loss": "users", "refunded_sending": "sending provider",
          "refunded_receiving": "receiving provider"}
TABLE_METRICS = ("gross_loss", "user_loss", "refunded", "successes", "false_rejects",
                 "friction_cost", "security_spend", "compliance_cost", "social_cost")


def _rgba(colour: str, alpha: float) -> str:
    return colour.replace("rgb(", "rgba(").replace(")", f", {alpha})")


def period_totals(frame: pd.DataFrame, columns: list[str], frequency: str,
                  by: str | None = None) -> pd.DataFrame:
    """Each column per replicate and period: flows summed, stocks and ratios averaged.

    The aggregation of a column follows its kind in the metric registry
    (``dashboards.units``), so a weekly value of ``facepay_users`` is the week's mean
    number of face-pay users, not seven days added up.

    Args:
        frame: Daily rows with ``replicate`` and ``date`` (or ``day`` and a start date
            already turned into ``date``).
        columns: Columns to aggregate.
        frequency: ``daily``, ``weekly`` or ``monthly``.
        by: Optional category column (``vector``, ``platform``).

    Returns:
        Columns ``replicate``, ``period``, [``by``], and the aggregates.
    """
    keys = ["replicate", pd.Grouper(key="date", freq=FREQUENCIES[frequency])]
    if by:
        keys.append(by)
    how = {column: units.aggregation(column) for column in columns}
    out = frame.groupby(keys, observed=True).agg(how).reset_index()
    return out.rename(columns={"date": "period"})


def quantile_band(totals: pd.DataFrame, column: str, by: str | None = None) -> pd.DataFrame:
    """Median and 10-90% band across replicates of ``column`` per period."""
    keys = ["period", by] if by else ["period"]
    grouped = totals.groupby(keys, observed=True)[column]
    return pd.DataFrame({"p10": grouped.quantile(0.1), "median": grouped.median(),
                         "p90": grouped.quantile(0.9)}).reset_index()


def _cumulate(totals: pd.DataFrame, columns: list[str], by: str | None) -> pd.DataFrame:
    keys = ["replicate", by] if by else ["replicate"]
    totals = totals.sort_values("period").copy()
    totals[columns] = totals.groupby(keys, observed=True)[columns].cumsum()
    return totals


def vector_days(vectors: pd.DataFrame, start: pd.Timestamp) -> pd.DataFrame:
    """The vectors table with a ``date`` column."""
    return vectors.assign(date=start + pd.to_timedelta(vectors["day"], unit="D"))


def timeline_events(scenario_yaml: str, start: pd.Timestamp,
                    timeseries: pd.DataFrame | None = None) -> list[tuple[pd.Timestamp, str]]:
    """Dated markers: the scenario's timeline events and the day rules came into force."""
    try:
        data = parse_yaml(scenario_yaml, "scenario.yaml").data
    except ScenarioError:
        data = None
    data = data if isinstance(data, dict) else {}
    events = []
    for event in data.get("timeline") or []:
        label = event.get("type", "event").replace("_", " ")
        if event.get("type") == "tool_release":
            label = f"tool release: {event.get('vector', '')}"
        elif event.get("type") == "breach":
            label = f"{event.get('data', '')} breach"
        events.append((start + pd.Timedelta(days=int(event.get("day", 0))), label))
    if timeseries is not None and timeseries["regulation_in_force"].any():
        first = timeseries.loc[timeseries["regulation_in_force"] == 1, "day"].min()
        events.append((start + pd.Timedelta(days=int(first)), "rules in force"))
    return events


def _add_events(fig: go.Figure, events: list[tuple[pd.Timestamp, str]]) -> None:
    for when, label in events:
        fig.add_vline(x=when, line={"dash": "dash", "color": "grey", "width": 1})
        fig.add_annotation(x=when, y=1, yref="paper", text=label, showarrow=False,
                           textangle=-90, xanchor="right", yanchor="top",
                           font={"size": 10, "color": "grey"})


def losses_figure(timeseries: pd.DataFrame, vectors: pd.DataFrame, breakdown: str,
                  frequency: str, cumulative: bool, events: list[tuple[pd.Timestamp, str]],
                  currency: str) -> go.Figure:
    """Fraud losses over time, in total with a replicate band or split into stacked medians.

    The split is by payer, attack vector or platform.

    Args:
        timeseries: Daily series of every replicate.
        vectors: Per (day, platform, vector) table of every replicate.
        breakdown: ``total``, ``payer``, ``vector`` or ``platform``.
        frequency: ``daily``, ``weekly`` or ``monthly``.
        cumulative: Show running totals instead of per-period amounts.
        events: Dated markers to draw.
        currency: Currency label.

    Returns:
        The figure.
    """
    fig = go.Figure()
    title = {"total": "Gross fraud losses", "payer": "Who bears the losses",
             "vector": "Losses by attack vector", "platform": "Losses by platform"}[breakdown]
    if breakdown == "total":
        _add_total_losses(fig, timeseries, frequency, cumulative)
    elif breakdown == "payer":
        _add_losses_by_payer(fig, timeseries, frequency, cumulative)
    else:
        _add_losses_by(fig, vectors, breakdown, frequency, cumulative)
    _add_events(fig, events)
    what = "cumulative" if cumulative else frequency
    fig.update_layout(title=f"{title} ({what}, median of replicates)",
                      yaxis_title=f"loss ({currency})", template="plotly_white",
                      hovermode="x unified", margin={"t": 60, "r": 20},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def _loss_band(frame: pd.DataFrame, column: str, frequency: str, cumulative: bool,
               by: str | None = None) -> pd.DataFrame:
    """Median and 10-90% band of a loss column per period, in major units."""
    totals = period_totals(frame, [column], frequency, by=by)
    if cumulative:
        totals = _cumulate(totals, [column], by)
    band = quantile_band(totals, column, by=by)
    band[["p10", "median", "p90"]] /= units.MINOR_PER_MAJOR
    return band


def _add_total_losses(fig: go.Figure, timeseries: pd.DataFrame, frequency: str,
                      cumulative: bool) -> None:
    """Gross loss: the median line over its shaded 10-90% band."""
    band = _loss_band(timeseries, "gross_loss", frequency, cumulative)
    colour = PALETTE[0]
    fig.add_trace(go.Scatter(x=band["period"], y=band["p90"], mode="lines",
                             line={"width": 0}, showlegend=False, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=band["period"], y=band["p10"], mode="lines",
                             line={"width": 0}, fill="tonexty",
                             fillcolor=_rgba(colour, 0.25), name="10-90%"))
    fig.add_trace(go.Scatter(x=band["period"], y=band["median"],
                             line={"color": colour}, name="median"))


def _add_losses_by_payer(fig: go.Figure, timeseries: pd.DataFrame, frequency: str,
                         cumulative: bool) -> None:
    """Who bears the losses: stacked medians of users' and providers' shares."""
    for k, (column, label) in enumerate(PAYERS.items()):
        band = _loss_band(timeseries, column, frequency, cumulative)
        fig.add_trace(go.Scatter(x=band["period"], y=band["median"], stackgroup="payers",
                                 name=label, line={"color": PALETTE[k % len(PALETTE)]}))


def _add_losses_by(fig: go.Figure, vectors: pd.DataFrame, column: str, frequency: str,
                   cumulative: bool) -> None:
    """Stacked medians of the losses by attack vector or by platform (``column``)."""
    band = _loss_band(vectors, "loss", frequency, cumulative, by=column)
    order = list(VECTORS) if column == "vector" else sorted(band[column].unique())
    for k, name in enumerate(order):
        part = band[band[column] == name]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(x=part["period"], y=part["median"], stackgroup=column,
                                 name=str(name), line={"color": PALETTE[k % len(PALETTE)]}))


def compare_figure(series: dict[str, pd.DataFrame], column: str, frequency: str,
                   currency: str) -> go.Figure:
    """One metric over time for several result sets: median line and 10-90% band each.

    Flows are summed per period, stocks and ratios averaged; the axis names the unit.
    """
    fig = go.Figure()
    divisor = units.scale(column)
    for k, (name, timeseries) in enumerate(series.items()):
        band = quantile_band(period_totals(timeseries, [column], frequency), column)
        colour = PALETTE[k % len(PALETTE)]
        fig.add_trace(go.Scatter(x=band["period"], y=band["p90"] / divisor, mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip",
                                 legendgroup=name))
        fig.add_trace(go.Scatter(x=band["period"], y=band["p10"] / divisor, mode="lines",
                                 line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.2), showlegend=False,
                                 hoverinfo="skip", legendgroup=name))
        fig.add_trace(go.Scatter(x=band["period"], y=band["median"] / divisor, name=name,
                                 line={"color": colour}, legendgroup=name))
    fig.update_layout(title=f"{column.replace('_', ' ')} ({units.how(column, frequency)}, "
                            "median and 10-90% of replicates)",
                      yaxis_title=units.unit_label(column, currency), template="plotly_white",
                      hovermode="x unified", legend={"orientation": "h", "y": -0.15})
    return fig


def totals_by_replicate(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Horizon totals of the table metrics, one row per replicate."""
    totals = timeseries.groupby("replicate")[[*TABLE_METRICS, "recovered"]].sum()
    totals["net_fraud"] = totals["gross_loss"] - totals["recovered"]
    return totals


NOT_AVAILABLE = "not available (fewer than 2 replicates)"


def _interval_text(low: float, high: float, unit: str) -> str:
    if pd.isna(low):
        return NOT_AVAILABLE
    return f"[{low:,.1f}, {high:,.1f}] {unit}"


def difference_table(series: dict[str, pd.DataFrame], currency: str) -> pd.DataFrame:
    """Paired differences of horizon totals against the first result set, with 95% CIs.

    Replicates are paired by number (the same seed gives the same random numbers). With
    fewer than two paired replicates the interval is not available (NaN, and the
    ``95% interval`` text says so).
    """
    names = list(series)
    reference = totals_by_replicate(series[names[0]])
    rows = []
    for name in names[1:]:
        other = totals_by_replicate(series[name])
        shared = reference.index.intersection(other.index)
        for metric in TABLE_METRICS:
            interval = paired_difference(reference.loc[shared, metric].to_numpy(),
                                         other.loc[shared, metric].to_numpy())
            divisor = units.scale(metric)
            unit = units.unit_label(metric, currency)
            rows.append({"result": name, "metric": metric, "unit": unit,
                         "difference": interval.mean / divisor,
                         "95% low": interval.low / divisor,
                         "95% high": interval.high / divisor,
                         "95% interval": _interval_text(interval.low / divisor,
                                                        interval.high / divisor, unit),
                         "replicates": interval.n})
    return pd.DataFrame(rows)


def social_cost_table(series: dict[str, pd.DataFrame], currency: str) -> pd.DataFrame:
    """Mean social cost per result set by component (major units of ``currency``)."""
    rows = []
    for name, timeseries in series.items():
        totals = totals_by_replicate(timeseries).mean() / units.MINOR_PER_MAJOR
        rows.append({"result": name, "unit": currency,
                     "fraud (net of recoveries)": totals["net_fraud"],
                     "friction": totals["friction_cost"],
                     "security spend": totals["security_spend"],
                     "compliance": totals["compliance_cost"],
                     "social cost": totals["social_cost"]})
    return pd.DataFrame(rows)


AGGREGATE_COLUMNS = ("gross_loss", "refunded", "user_loss", "successes", "attempts",
                     "false_rejects", "social_cost", "facepay_users")


def aggregate_table(timeseries: pd.DataFrame, frequency: str, currency: str) -> pd.DataFrame:
    """Per-period medians across replicates, each column's unit in its name.

    Flows are the period's totals, stocks (face-pay users) the period's mean; money in
    major units, e.g. ``gross_loss [GBP]``, ``facepay_users [users, weekly mean]``.
    """
    columns = list(AGGREGATE_COLUMNS)
    totals = period_totals(timeseries, columns, frequency)
    out = units.display(totals.groupby("period")[columns].median(), columns)
    names = {}
    for column in columns:
        label = units.unit_label(column, currency)
        names[column] = (f"{column} [{label}]" if units.is_flow(column)
                         else f"{column} [{label}, {units.how(column, frequency)}]")
    return out.rename(columns=names).reset_index()


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying a message (no data selected, nothing to compare...)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 14, "color": "grey"})
    fig.update_layout(template="plotly_white", xaxis={"visible": False},
                      yaxis={"visible": False})
    return fig

