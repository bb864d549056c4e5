"""The arms race: tools against defences, crews, adoption and compromised data."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboards import figures
from dashboards.arms_race_figure import arms_race_figure, coupling_figure
from dashboards.components import control, result_dropdown
from dashboards.data import UNAVAILABLE, load_result
from dashboards.settings import results_dir

dash.register_page(__name__, path="/arms-race", name="Arms race", order=1,
                   title="simfraud: arms race")


def layout(**_) -> html.Div:
    """Controls and the four-panel figure."""
    return html.Div([
        html.H2("The arms race"),
        html.Div([control("Result set", result_dropdown("arms-result"), "arms-result")],
                 className="controls"),
        html.P("Medians across replicates. Faces, once compromised, stay so; credentials "
               "are reset when users notice. The contest panel uses a log axis only when "
               "its values span more than a factor of 30.", className="note"),
        dcc.Graph(id="arms-graph", style={"height": "1120px"}),
        dcc.Graph(id="arms-coupling", style={"height": "340px"}),
    ])


@callback(Output("arms-graph", "figure"), Output("arms-coupling", "figure"),
          Input("arms-result", "value"))
def update(result_id):
    """Redraw for the chosen result set."""
    if not result_id:
        empty = figures.empty_figure("No result sets: run one on the Run page.")
        return empty, empty
    try:
        result = load_result(results_dir(), result_id)
    except UNAVAILABLE as exc:
        return figures.empty_figure(str(exc)), figures.empty_figure(str(exc))
    start = pd.Timestamp(result.timeseries["date"].min())
    events = figures.timeline_events(result.scenario_yaml, start, result.timeseries)
    return (arms_race_figure(result.timeseries, int(result.manifest.get("users", 1)), events,
                             result.currency),
            coupling_figure(result.timeseries))
