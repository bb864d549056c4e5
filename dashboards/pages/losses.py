"""Losses over time: gross fraud and who bears it, by vector and platform (landing page)."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboards import figures
from dashboards.components import control, frequency_items, result_dropdown
from dashboards.data import UNAVAILABLE, load_result
from dashboards.request_values import one_of
from dashboards.settings import results_dir
from dashboards.units import MINOR_PER_MAJOR

dash.register_page(__name__, path="/", name="Losses", order=0, title="simfraud: losses")

BREAKDOWNS = {"total": "total", "payer": "who pays", "vector": "by vector",
              "platform": "by platform"}


def layout(result: str | None = None, **_) -> html.Div:
    """Controls and the losses figure.

    Args:
        result: Result set to select (the ``?result=`` query of a link, e.g. from the Run
            page); the newest when absent or unknown.
    """
    return html.Div([
        html.H2("Losses over time"),
        html.Div([
            control("Result set", result_dropdown("losses-result", selected=result),
                    "losses-result"),
            control("Show", dcc.RadioItems(
                id="losses-breakdown", inline=True, value="total",
                options=[{"label": label, "value": value}
                         for value, label in BREAKDOWNS.items()])),
            control("Aggregate", frequency_items("losses-frequency")),
            control("", dcc.Checklist(id="losses-cumulative", value=[],
                                      options=[{"label": "cumulative", "value": "on"}])),
        ], className="controls"),
        html.Div(id="losses-info", className="note"),
        dcc.Graph(id="losses-graph", style={"height": "560px"}),
    ])


@callback(Output("losses-graph", "figure"), Output("losses-info", "children"),
          Input("losses-result", "value"), Input("losses-breakdown", "value"),
          Input("losses-frequency", "value"), Input("losses-cumulative", "value"))
def update(result_id, breakdown, frequency, cumulative):
    """Redraw for the chosen result set and options."""
    if not result_id:
        return figures.empty_figure("No result sets: run one on the Run page."), ""
    try:
        breakdown = one_of(breakdown, BREAKDOWNS, "breakdown")
        frequency = one_of(frequency, figures.FREQUENCIES, "aggregate")
        result = load_result(results_dir(), result_id)
    except UNAVAILABLE as exc:
        return figures.empty_figure(str(exc)), ""
    start = pd.Timestamp(result.timeseries["date"].min())
    events = figures.timeline_events(result.scenario_yaml, start, result.timeseries)
    vectors = figures.vector_days(result.vectors, start)
    currency = result.currency
    fig = figures.losses_figure(result.timeseries, vectors, breakdown, frequency,
                                bool(cumulative), events, currency)
    totals = result.timeseries.groupby("replicate")[["gross_loss", "refunded"]].sum().mean()
    info = (f"{result.name}: {result.manifest.get('replicates', 1)} replicate(s), "
            f"{result.manifest.get('users', 0):,} users, {result.manifest.get('days', 0)} "
            f"days; mean gross loss {currency} {totals['gross_loss'] / MINOR_PER_MAJOR:,.0f}, "
            f"refunded {currency} {totals['refunded'] / MINOR_PER_MAJOR:,.0f}")
    return fig, info
