"""Figures of a comparison report: pure functions from DataFrames to Plotly figures."""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
from plotly.subplots import make_subplots

PALETTE = px.colors.qualitative.Safe


def losses_over_time(weekly: pd.DataFrame, currency: str) -> go.Figure:
    """Weekly gross fraud loss per scenario: median line and 10-90% replicate band.

    Args:
        weekly: Columns ``scenario``, ``week_start``, ``p10``, ``median``, ``p90``
            (major currency units).
        currency: Currency label.
    """
    fig = go.Figure()
    for k, (name, part) in enumerate(weekly.groupby("scenario", sort=False)):
        colour = PALETTE[k % len(PALETTE)]
        fig.add_trace(go.Scatter(x=part["week_start"], y=part["p90"], mode="lines",
                                 line={"width": 0}, showlegend=False, hoverinfo="skip",
                                 legendgroup=name))
        fill = colour.replace("rgb(", "rgba(").replace(")", ", 0.25)")
        fig.add_trace(go.Scatter(x=part["week_start"], y=part["p10"], mode="lines",
                                 line={"width": 0}, fill="tonexty", fillcolor=fill,
                                 name=f"{name} 10-90%", legendgroup=name,
                                 showlegend=False, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=part["week_start"], y=part["median"], mode="lines",
                                 line={"color": colour}, name=name, legendgroup=name))
    fig.update_layout(title="Weekly fraud losses (median and 10-90% of replicates)",
                      yaxis_title=f"gross loss ({currency})", hovermode="x unified",
                      template="plotly_white")
    return fig


def attack_mix(monthly: pd.DataFrame) -> go.Figure:
    """Share of monthly fraud loss by attack vector, one panel per scenario.

    Args:
        monthly: Columns ``scenario``, ``month``, ``vector``, ``share``.
    """
    names = list(dict.fromkeys(monthly["scenario"]))
    fig = make_subplots(rows=len(names), cols=1, shared_xaxes=True, subplot_titles=names,
                        vertical_spacing=0.08)
    vectors = list(dict.fromkeys(monthly["vector"]))
    for row, name in enumerate(names, start=1):
        part = monthly[monthly["scenario"] == name]
        for k, vector in enumerate(vectors):
            series = part[part["vector"] == vector]
            fig.add_trace(go.Scatter(x=series["month"], y=series["share"], stackgroup=name,
                                     name=vector, line={"color": PALETTE[k % len(PALETTE)]},
                                     legendgroup=vector, showlegend=row == 1), row=row, col=1)
    fig.update_yaxes(tickformat=".0%", range=[0, 1])
    fig.update_layout(title="Attack mix: share of monthly fraud loss by vector",
                      height=260 * len(names) + 80, template="plotly_white")
    return fig


def payer_split(payers: pd.DataFrame, currency: str) -> go.Figure:
    """Who bears the loss, per scenario (mean over replicates).

    Args:
        payers: Columns ``scenario``, ``payer``, ``amount`` (major currency units).
        currency: Currency label.
    """
    fig = px.bar(payers, x="scenario", y="amount", color="payer", barmode="stack",
                 color_discrete_sequence=PALETTE, template="plotly_white",
                 labels={"amount": f"loss borne ({currency})", "scenario": ""},
                 title="Who bears the fraud loss (mean over replicates)")
    return fig


def social_cost(breakdown: pd.DataFrame, currency: str) -> go.Figure:
    """Social cost by component, per scenario (mean over replicates).

    Args:
        breakdown: Columns ``scenario``, ``component``, ``amount``.
        currency: Currency label.
    """
    return px.bar(breakdown, x="scenario", y="amount", color="component", barmode="stack",
                  color_discrete_sequence=PALETTE, template="plotly_white",
                  labels={"amount": f"social cost ({currency})", "scenario": ""},
                  title="Social cost: fraud, friction, security spend, compliance")
