"""Export figures (PNG, SVG), tables (CSV) and the resolved scenario (YAML)."""

from __future__ import annotations

import dash
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html

from dashboards import figures, units
from dashboards.arms_race_figure import arms_race_figure
from dashboards.components import control, frequency_items, result_dropdown
from dashboards.data import UNAVAILABLE, load_result
from dashboards.request_values import one_of
from dashboards.settings import results_dir

dash.register_page(__name__, path="/export", name="Export", order=4,
                   title="simfraud: export")


def layout(**_) -> html.Div:
    """Choice of result set and figure, and the download buttons."""
    return html.Div([
        html.H2("Export"),
        html.Div([
            control("Result set", result_dropdown("export-result"), "export-result"),
            control("Figure", dcc.RadioItems(id="export-figure", inline=True, value="losses",
                                             options=[{"label": "losses", "value": "losses"},
                                                      {"label": "arms race",
                                                       "value": "arms"}])),
            control("Aggregate (table)", frequency_items("export-frequency")),
        ], className="controls"),
        html.Div([
            html.Button("Figure as PNG", id="export-png"),
            html.Button("Figure as SVG", id="export-svg"),
            html.Button("Table as CSV", id="export-csv"),
            html.Button("Daily series as CSV", id="export-daily"),
            html.Button("Resolved scenario (YAML)", id="export-yaml"),
        ], className="controls"),
        html.Div(id="export-done", className="note"),
        dcc.Graph(id="export-graph", style={"height": "560px"}),
        dcc.Download(id="export-download"),
    ])


def _result(result_id):
    return load_result(results_dir(), result_id)


@callback(Output("export-graph", "figure"), Input("export-result", "value"),
          Input("export-figure", "value"))
def show(result_id, which):
    """The figure that the PNG and SVG buttons export."""
    if not result_id:
        return figures.empty_figure("No result sets.")
    try:
        result = _result(result_id)
    except UNAVAILABLE as exc:
        return figures.empty_figure(str(exc))
    start = pd.Timestamp(result.timeseries["date"].min())
    events = figures.timeline_events(result.scenario_yaml, start, result.timeseries)
    if which == "arms":
        return arms_race_figure(result.timeseries, int(result.manifest.get("users", 1)),
                                events, result.currency)
    return figures.losses_figure(result.timeseries, figures.vector_days(result.vectors, start),
                                 "vector", "weekly", False, events,
                                 result.currency)


for _format in ("png", "svg"):
    clientside_callback(
        f"""function(n) {{
            if (!n) {{ return window.dash_clientside.no_update; }}
            const plot = document.querySelector('#export-graph .js-plotly-plot');
            Plotly.downloadImage(plot, {{format: '{_format}', filename: 'simfraud-figure',
                                         width: 1200, height: 700}});
            return 'Figure saved as {_format.upper()}.';
        }}""",
        Output("export-done", "children", allow_duplicate=True),
        Input(f"export-{_format}", "n_clicks"), prevent_initial_call=True,
    )


@callback(Output("export-download", "data"), Input("export-csv", "n_clicks"),
          Input("export-daily", "n_clicks"), Input("export-yaml", "n_clicks"),
          State("export-result", "value"), State("export-frequency", "value"),
          prevent_initial_call=True)
def download(_csv, _daily, _yaml, result_id, frequency):
    """Send the table, the daily series or the resolved scenario."""
    if not result_id:
        return dash.no_update
    try:
        frequency = one_of(frequency, figures.FREQUENCIES, "aggregate")
        result = _result(result_id)
    except UNAVAILABLE:  # the figure beside the buttons already says why
        return dash.no_update
    name = result.name
    if dash.ctx.triggered_id == "export-yaml":
        return {"content": result.scenario_yaml, "filename": f"{name}.yaml"}
    if dash.ctx.triggered_id == "export-daily":
        daily = units.labelled(result.timeseries, result.currency)
        return dcc.send_data_frame(daily.to_csv, f"{name}-daily.csv", index=False)
    table = figures.aggregate_table(result.timeseries, frequency, result.currency)
    return dcc.send_data_frame(table.to_csv, f"{name}-{frequency}.csv", index=False)
