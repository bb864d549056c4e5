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


def difference_chart(differences: pd.DataFrame, metrics: tuple[str, ...],
                     currency: str) -> go.Figure:
    """Each arm's paired difference against the reference with its 95% interval.

    One panel per metric, one row per arm, so many arms stay readable.

    Args:
        differences: The ``differences`` table (minor units for money, with ``unit``).
        metrics: Metrics to show, one panel each.
        currency: Currency label.
    """
    fig = make_subplots(rows=1, cols=len(metrics), shared_yaxes=True,
                        subplot_titles=[m.replace("_", " ") for m in metrics],
                        horizontal_spacing=0.04)
    for col, metric in enumerate(metrics, start=1):
        part = differences[differences["metric"] == metric]
        scale = 100.0 if "minor units" in str(part["unit"].iloc[0]) else 1.0
        fig.add_trace(go.Scatter(
            x=part["difference"] / scale, y=part["scenario"], mode="markers",
            marker={"color": PALETTE[0], "size": 9}, showlegend=False,
            error_x={"type": "data", "symmetric": False,
                     "array": (part["ci95_high"] - part["difference"]) / scale,
                     "arrayminus": (part["difference"] - part["ci95_low"]) / scale}),
            row=1, col=col)
        fig.add_vline(x=0, line={"color": "grey", "dash": "dot"}, row=1, col=col)
        unit = currency if scale == 100.0 else str(part["unit"].iloc[0])
        fig.update_xaxes(title_text=unit, row=1, col=col)
    fig.update_layout(title="Difference against the reference (mean and 95% interval)",
                      template="plotly_white",
                      height=160 + 40 * differences["scenario"].nunique())
    return fig


def losses_small_multiples(weekly: pd.DataFrame, currency: str) -> go.Figure:
    """Weekly gross loss, one panel per arm, the reference's median in grey in each."""
    names = list(dict.fromkeys(weekly["scenario"]))
    columns = min(3, len(names))
    rows = -(-len(names) // columns)
    fig = make_subplots(rows=rows, cols=columns, shared_xaxes=True, shared_yaxes=True,
                        subplot_titles=names, vertical_spacing=0.08)
    reference = weekly[weekly["scenario"] == names[0]]
    for k, name in enumerate(names):
        row, col = k // columns + 1, k % columns + 1
        part = weekly[weekly["scenario"] == name]
        fig.add_trace(go.Scatter(x=reference["week_start"], y=reference["median"],
                                 line={"color": "grey", "width": 1}, name=names[0],
                                 showlegend=k == 0), row=row, col=col)
        fig.add_trace(go.Scatter(x=part["week_start"], y=part["p90"], line={"width": 0},
                                 showlegend=False, hoverinfo="skip"), row=row, col=col)
        fig.add_trace(go.Scatter(x=part["week_start"], y=part["p10"], line={"width": 0},
                                 fill="tonexty", fillcolor="rgba(136, 204, 238, 0.35)",
                                 showlegend=False, hoverinfo="skip"), row=row, col=col)
        fig.add_trace(go.Scatter(x=part["week_start"], y=part["median"],
                                 line={"color": PALETTE[0]}, showlegend=False),
                      row=row, col=col)
    fig.update_yaxes(title_text=currency, col=1)
    fig.update_layout(title="Weekly fraud losses per arm (median and 10-90%; grey: the "
                            "reference's median)", template="plotly_white",
                      height=240 * rows + 100)
    return fig
