"""Figures of the dashboard: pure functions from result DataFrames to Plotly figures.

Money arrives in minor units and is shown in major units. Replicate bands are the 10th
and 90th percentiles across replicates of each period's value, around the median.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

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
MONEY = {"gross_loss", "user_loss", "refunded", "refunded_sending", "refunded_receiving",
         "friction_cost", "security_spend", "compliance_cost", "social_cost", "loss"}


def _rgba(colour: str, alpha: float) -> str:
    return colour.replace("rgb(", "rgba(").replace(")", f", {alpha})")


def period_totals(frame: pd.DataFrame, columns: list[str], frequency: str,
                  by: str | None = None) -> pd.DataFrame:
    """Sum columns per replicate and period (and per ``by`` category when given).

    Args:
        frame: Daily rows with ``replicate`` and ``date`` (or ``day`` and a start date
            already turned into ``date``).
        columns: Columns to sum.
        frequency: ``daily``, ``weekly`` or ``monthly``.
        by: Optional category column (``vector``, ``platform``).

    Returns:
        Columns ``replicate``, ``period``, [``by``], and the sums.
    """
    keys = ["replicate", pd.Grouper(key="date", freq=FREQUENCIES[frequency])]
    if by:
        keys.append(by)
    out = frame.groupby(keys, observed=True)[columns].sum().reset_index()
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
    if breakdown in ("total", "payer"):
        columns = ["gross_loss"] if breakdown == "total" else list(PAYERS)
        totals = period_totals(timeseries, columns, frequency)
        if cumulative:
            totals = _cumulate(totals, columns, None)
        for k, column in enumerate(columns):
            band = quantile_band(totals, column)
            colour = PALETTE[k % len(PALETTE)]
            label = "gross loss" if breakdown == "total" else PAYERS[column]
            if breakdown == "total":
                fig.add_trace(go.Scatter(x=band["period"], y=band["p90"] / 100, mode="lines",
                                         line={"width": 0}, showlegend=False,
                                         hoverinfo="skip"))
                fig.add_trace(go.Scatter(x=band["period"], y=band["p10"] / 100, mode="lines",
                                         line={"width": 0}, fill="tonexty",
                                         fillcolor=_rgba(colour, 0.25), name="10-90%"))
                fig.add_trace(go.Scatter(x=band["period"], y=band["median"] / 100,
                                         line={"color": colour}, name="median"))
            else:
                fig.add_trace(go.Scatter(x=band["period"], y=band["median"] / 100,
                                         stackgroup="payers", name=label,
                                         line={"color": colour}))
    else:
        column = "vector" if breakdown == "vector" else "platform"
        totals = period_totals(vectors, ["loss"], frequency, by=column)
        if cumulative:
            totals = _cumulate(totals, ["loss"], column)
        band = quantile_band(totals, "loss", by=column)
        order = list(VECTORS) if column == "vector" else sorted(band[column].unique())
        for k, name in enumerate(order):
            part = band[band[column] == name]
            if part.empty:
                continue
            fig.add_trace(go.Scatter(x=part["period"], y=part["median"] / 100,
                                     stackgroup=column, name=str(name),
                                     line={"color": PALETTE[k % len(PALETTE)]}))
    _add_events(fig, events)
    what = "cumulative" if cumulative else frequency
    fig.update_layout(title=f"{title} ({what}, median of replicates)",
                      yaxis_title=f"{currency}", template="plotly_white",
                      hovermode="x unified", margin={"t": 60, "r": 20},
                      legend={"orientation": "h", "y": -0.15})
    return fig


def _median_by_day(timeseries: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return timeseries.groupby("date")[columns].median()


def arms_race_figure(timeseries: pd.DataFrame, users: int,
                     events: list[tuple[pd.Timestamp, str]]) -> go.Figure:
    """The arms race in four panels (medians across replicates).

    Panels: tool quality against defence strength per vector; crews and their profit;
    face-pay share, trust and the backlash index; faces (permanent) against credentials
    (resettable) compromised.
    """
    fig = make_subplots(
        rows=2, cols=2, specs=[[{}, {"secondary_y": True}], [{"secondary_y": True}, {}]],
        subplot_titles=("Tool quality (solid) vs defence strength (dotted)",
                        "Crews and their profit", "Face pay, trust and backlash",
                        "Faces vs credentials compromised"),
        vertical_spacing=0.14, horizontal_spacing=0.1)
    quality = [f"tool_quality_{v}" for v in VECTORS]
    defence = [f"defence_{v}" for v in VECTORS]
    daily = _median_by_day(timeseries, [*quality, *defence, "active_attackers",
                                        "attacker_profit", "facepay_users", "mean_trust",
                                        "backlash_index", "faces_compromised",
                                        "credentials_compromised"])
    for k, vector in enumerate(VECTORS):
        colour = PALETTE[k % len(PALETTE)]
        fig.add_trace(go.Scatter(x=daily.index, y=daily[f"tool_quality_{vector}"],
                                 name=vector, legendgroup=vector,
                                 line={"color": colour}), row=1, col=1)
        fig.add_trace(go.Scatter(x=daily.index, y=daily[f"defence_{vector}"],
                                 name=f"defence {vector}", legendgroup=vector,
                                 showlegend=False, line={"color": colour, "dash": "dot"}),
                      row=1, col=1)
    fig.add_trace(go.Scatter(x=daily.index, y=daily["active_attackers"], name="active crews",
                             line={"color": "black"}), row=1, col=2)
    fig.add_trace(go.Scatter(x=daily.index, y=daily["attacker_profit"] / 100,
                             name="profit per crew (reference population)",
                             line={"color": PALETTE[1]}), row=1, col=2, secondary_y=True)
    fig.add_trace(go.Scatter(x=daily.index, y=daily["facepay_users"] / max(users, 1),
                             name="face-pay share", line={"color": PALETTE[2]}), row=2, col=1)
    fig.add_trace(go.Scatter(x=daily.index, y=daily["mean_trust"], name="mean trust",
                             line={"color": PALETTE[3]}), row=2, col=1)
    fig.add_trace(go.Scatter(x=daily.index, y=daily["backlash_index"], name="backlash index",
                             line={"color": PALETTE[4]}), row=2, col=1, secondary_y=True)
    fig.add_trace(go.Scatter(x=daily.index, y=daily["faces_compromised"],
                             name="faces compromised (permanent)",
                             line={"color": PALETTE[5]}), row=2, col=2)
    fig.add_trace(go.Scatter(x=daily.index, y=daily["credentials_compromised"],
                             name="credentials compromised (reset)",
                             line={"color": PALETTE[6]}), row=2, col=2)
    for when, _ in events:
        fig.add_vline(x=when, line={"dash": "dash", "color": "grey", "width": 1})
    fig.update_yaxes(title_text="strength", type="log", row=1, col=1)
    fig.update_yaxes(title_text="share", range=[0, 1], row=2, col=1, secondary_y=False)
    fig.update_yaxes(title_text="backlash index", row=2, col=1, secondary_y=True)
    fig.update_yaxes(title_text="crews", row=1, col=2, secondary_y=False)
    fig.update_yaxes(title_text="profit per crew", row=1, col=2, secondary_y=True)
    fig.update_yaxes(title_text="users", row=2, col=2)
    fig.update_layout(height=760, template="plotly_white", hovermode="x unified",
                      legend={"font": {"size": 10}}, margin={"t": 60})
    return fig


def compare_figure(series: dict[str, pd.DataFrame], column: str, frequency: str,
                   currency: str) -> go.Figure:
    """One metric over time for several result sets: median line and 10-90% band each."""
    fig = go.Figure()
    for k, (name, timeseries) in enumerate(series.items()):
        band = quantile_band(period_totals(timeseries, [column], frequency), column)
        scale = 100 if column in MONEY else 1
        colour = PALETTE[k % len(PALETTE)]
        fig.add_trace(go.Scatter(x=band["period"], y=band["p90"] / scale, mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip",
                                 legendgroup=name))
        fig.add_trace(go.Scatter(x=band["period"], y=band["p10"] / scale, mode="lines",
                                 line={"width": 0}, fill="tonexty",
                                 fillcolor=_rgba(colour, 0.2), showlegend=False,
                                 hoverinfo="skip", legendgroup=name))
        fig.add_trace(go.Scatter(x=band["period"], y=band["median"] / scale, name=name,
                                 line={"color": colour}, legendgroup=name))
    unit = currency if column in MONEY else "count"
    fig.update_layout(title=f"{column.replace('_', ' ')} ({frequency}, median and 10-90%)",
                      yaxis_title=unit, template="plotly_white", hovermode="x unified")
    return fig


def totals_by_replicate(timeseries: pd.DataFrame) -> pd.DataFrame:
    """Horizon totals of the table metrics, one row per replicate."""
    totals = timeseries.groupby("replicate")[[*TABLE_METRICS, "recovered"]].sum()
    totals["net_fraud"] = totals["gross_loss"] - totals["recovered"]
    return totals


def difference_table(series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Paired differences of horizon totals against the first result set, with 95% CIs.

    Replicates are paired by number (the same seed gives the same random numbers).
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
            scale = 100 if metric in MONEY else 1
            rows.append({"result": name, "metric": metric,
                         "difference": interval.mean / scale,
                         "95% low": interval.low / scale, "95% high": interval.high / scale,
                         "replicates": interval.n})
    return pd.DataFrame(rows)


def social_cost_table(series: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Mean social cost per result set by component (major units)."""
    rows = []
    for name, timeseries in series.items():
        totals = totals_by_replicate(timeseries).mean()
        rows.append({"result": name,
                     "fraud (net of recoveries)": totals["net_fraud"] / 100,
                     "friction": totals["friction_cost"] / 100,
                     "security spend": totals["security_spend"] / 100,
                     "compliance": totals["compliance_cost"] / 100,
                     "social cost": totals["social_cost"] / 100})
    return pd.DataFrame(rows)


def aggregate_table(timeseries: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """Per-period medians across replicates of the main money and count columns."""
    columns = ["gross_loss", "refunded", "user_loss", "successes", "attempts",
               "false_rejects", "social_cost"]
    totals = period_totals(timeseries, columns, frequency)
    out = totals.groupby("period")[columns].median()
    for column in columns:
        if column in MONEY:
            out[column] = out[column] / 100
    return out.reset_index()


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying a message (no data selected, nothing to compare...)."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 14, "color": "grey"})
    fig.update_layout(template="plotly_white", xaxis={"visible": False},
                      yaxis={"visible": False})
    return fig

