"""The arms-race figure: six panels, each with its own legend, unit and linear or log axis."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboards import units
from simfraud.core.vectors import VECTORS
from simfraud.results.arms_race import MAX_LAG_MONTHS, cross_correlation

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b")
LOG_SPAN = 30.0
"""Largest max/min ratio of a panel's positive values still drawn on a linear axis."""
PANELS = (
    "Tool quality (solid) vs defence strength (dotted), by vector",
    "Active crews", "Profit per crew (reference population)",
    "Face pay and trust", "Backlash index",
    "Faces vs credentials compromised",
)
SPECS = [[{"colspan": 2}, None], [{}, {}], [{}, {}], [{"colspan": 2}, None]]
COLUMNS = ["active_attackers", "attacker_profit", "facepay_users", "mean_trust",
           "backlash_index", "faces_compromised", "credentials_compromised",
           *(f"tool_quality_{v}" for v in VECTORS), *(f"defence_{v}" for v in VECTORS)]


def log_axis_needed(values: np.ndarray) -> bool:
    """Whether positive values span more than ``LOG_SPAN`` (a linear axis hides the small)."""
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.size > 0 and positive.max() / positive.min() > LOG_SPAN


def arms_race_figure(timeseries: pd.DataFrame, users: int,
                     events: list[tuple[pd.Timestamp, str]], currency: str) -> go.Figure:
    """The arms race in six panels (medians across replicates by day).

    Panels: tool quality against defence strength per vector (log axis only when the
    values span more than ``LOG_SPAN``); active crews; their profit; face-pay share and
    trust; the backlash index; faces (permanent) against credentials (reset) compromised.
    Each panel with more than one line has its own legend next to it; every axis names
    its unit.

    Args:
        timeseries: Daily series of every replicate.
        users: Simulated users (face-pay share = face-pay users / users).
        events: Dated markers to draw.
        currency: Currency of money values.

    Returns:
        The figure.
    """
    fig = make_subplots(rows=4, cols=2, specs=SPECS, subplot_titles=PANELS,
                        vertical_spacing=0.09, horizontal_spacing=0.12)
    daily = timeseries.groupby("date")[COLUMNS].median()
    _contest_panel(fig, daily)
    _line(fig, daily.index, daily["active_attackers"], "active crews", (2, 1), None)
    _line(fig, daily.index, daily["attacker_profit"] / units.scale("attacker_profit"),
          "profit per crew", (2, 2), None)
    _line(fig, daily.index, daily["facepay_users"] / max(users, 1), "face-pay share of users",
          (3, 1), "legend2", PALETTE[2])
    _line(fig, daily.index, daily["mean_trust"], "mean trust (index)", (3, 1), "legend2",
          PALETTE[3])
    _line(fig, daily.index, daily["backlash_index"], "backlash", (3, 2), None)
    _line(fig, daily.index, daily["faces_compromised"], "faces (permanent)", (4, 1),
          "legend3", PALETTE[4])
    _line(fig, daily.index, daily["credentials_compromised"], "credentials (reset when noticed)",
          (4, 1), "legend3", PALETTE[5])
    for when, _ in events:
        fig.add_vline(x=when, line={"dash": "dash", "color": "grey", "width": 1})
    _axes(fig, daily, currency)
    _legends(fig)
    fig.update_layout(height=1100, template="plotly_white", hovermode="x unified",
                      margin={"t": 60, "r": 190})
    return fig


def _line(fig: go.Figure, x, y, name: str, cell: tuple[int, int], legend: str | None,
          colour: str = "black", dash: str | None = None, group: str | None = None,
          show: bool = True) -> None:
    fig.add_trace(go.Scatter(x=x, y=y, name=name, legend=legend or "legend",
                             showlegend=show and legend is not None, legendgroup=group,
                             line={"color": colour, "dash": dash}),
                  row=cell[0], col=cell[1])


def _contest_panel(fig: go.Figure, daily: pd.DataFrame) -> None:
    for k, vector in enumerate(VECTORS):
        colour = PALETTE[k % len(PALETTE)]
        _line(fig, daily.index, daily[f"tool_quality_{vector}"], vector.replace("_", " "),
              (1, 1), "legend", colour, group=vector)
        _line(fig, daily.index, daily[f"defence_{vector}"], f"defence {vector}", (1, 1),
              "legend", colour, "dot", group=vector, show=False)


def _axes(fig: go.Figure, daily: pd.DataFrame, currency: str) -> None:
    contest = daily[[c for c in COLUMNS if c.startswith(("tool_", "defence_"))]].to_numpy()
    log = log_axis_needed(contest.ravel())
    fig.update_yaxes(title_text="quality / strength" + (" (log)" if log else ""),
                     type="log" if log else "linear", row=1, col=1,
                     dtick=1 if log else None, minor={"showgrid": False})
    fig.update_yaxes(title_text="crews", rangemode="tozero", row=2, col=1)
    fig.update_yaxes(title_text=f"{currency} per crew per day", row=2, col=2)
    fig.update_yaxes(title_text="share / index (0-1)", range=[0, 1], row=3, col=1)
    fig.update_yaxes(title_text="frauds per 100,000 users", rangemode="tozero", row=3, col=2)
    fig.update_yaxes(title_text="users", rangemode="tozero", row=4, col=1)


def _legends(fig: go.Figure) -> None:
    """Put the legends beside their panels (vectors, compromised data) or inside one."""
    font = {"size": 11}
    top = fig.layout.yaxis.domain[1]
    fig.update_layout(
        legend={"x": 1.01, "y": top, "yanchor": "top", "font": font,
                "title": {"text": "vector"}},
        legend2={"x": fig.layout.xaxis4.domain[0] + 0.01, "y": fig.layout.yaxis4.domain[0]
                 + 0.01, "yanchor": "bottom", "font": font, "bgcolor": "rgba(255,255,255,0.7)"},
        legend3={"x": 1.01, "y": fig.layout.yaxis6.domain[1], "yanchor": "top",
                 "font": font},
    )


def coupling_figure(timeseries: pd.DataFrame) -> go.Figure:
    """Who answers whom? Correlation of monthly changes at lags of -6 to 6 months.

    Bars are the mean over replicates of the correlation between month-on-month changes of
    tool quality and of defence strength, vector by vector after the warm-up, defence
    lagging by the bar's months (``simfraud.results.arms_race``; at a negative lag the
    tools lag the defence); whiskers span the replicates' 10th to 90th percentiles.
    Independent ratchets give bars near 0; defences that answer tools give positive bars
    at short positive lags; crews that answer defences give bars away from 0 at short
    negative lags, negative when both sides read the crews' revenue (problemistic
    search); a negative bar at lag 0 is detectors ageing against new tools before
    investment catches up, or both sides moving with that revenue.

    Args:
        timeseries: Daily series of every replicate.

    Returns:
        The figure (a note instead when the run is too short for monthly changes).
    """
    table = cross_correlation(timeseries).dropna()
    fig = go.Figure()
    if table.empty:
        fig.add_annotation(text="Too short for monthly changes after the warm-up.",
                           showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    else:
        stats = table.groupby("lag_months")["correlation"].agg(
            mean="mean", low=lambda c: c.quantile(0.1), high=lambda c: c.quantile(0.9))
        fig.add_trace(go.Bar(
            x=stats.index, y=stats["mean"], name="mean over replicates",
            marker_color=PALETTE[0],
            error_y={"type": "data", "symmetric": False,
                     "array": stats["high"] - stats["mean"],
                     "arrayminus": stats["mean"] - stats["low"]}))
    fig.update_xaxes(title_text="defence lag (months; below 0: tools follow defences)", dtick=1,
                     range=[-MAX_LAG_MONTHS - 0.5, MAX_LAG_MONTHS + 0.5])
    fig.update_yaxes(title_text="correlation of monthly changes", range=[-1, 1])
    fig.update_layout(title="Who answers whom? (10-90% of replicates)", height=320,
                      template="plotly_white", margin={"t": 50})
    return fig
