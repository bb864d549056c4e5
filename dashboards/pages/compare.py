"""Compare result sets side by side: losses over time, paired differences, social cost."""

from __future__ import annotations

import dash
from dash import Input, Output, callback, dash_table, dcc, html

from dashboards import figures
from dashboards.components import control, frequency_items, result_dropdown
from dashboards.data import UNAVAILABLE, load_result
from dashboards.request_values import one_of, usable_names
from dashboards.settings import results_dir

dash.register_page(__name__, path="/compare", name="Compare", order=2,
                   title="simfraud: compare")

METRICS = ["gross_loss", "user_loss", "refunded", "successes", "false_rejects",
           "facepay_users", "security_spend", "social_cost"]


def _table(id_: str) -> dash_table.DataTable:
    return dash_table.DataTable(id=id_, style_cell={"fontFamily": "system-ui",
                                                    "fontSize": "0.85em"},
                                style_header={"fontWeight": "bold"}, sort_action="native")


def layout(**_) -> html.Div:
    """Controls, the comparison figure and the two tables."""
    return html.Div([
        html.H2("Compare result sets"),
        html.Div([
            control("Result sets (the first is the reference)",
                    result_dropdown("compare-results", multi=True), "compare-results"),
            control("Metric", dcc.Dropdown(id="compare-metric", options=METRICS,
                                           value="gross_loss", clearable=False)),
            control("Aggregate", frequency_items("compare-frequency")),
        ], className="controls"),
        dcc.Graph(id="compare-graph", style={"height": "480px"}),
        html.H3("Paired differences against the first (95% intervals over replicates)"),
        html.P("Replicates are paired by number: the same seed draws the same random "
               "numbers, so a difference measures the change, not the noise. Money in "
               "major units of the results' currency; an interval needs at least two "
               "replicates.", className="note"),
        _table("compare-differences"),
        html.H3("Social cost (mean over replicates)"),
        _table("compare-social"),
    ])


@callback(Output("compare-graph", "figure"), Output("compare-differences", "data"),
          Output("compare-differences", "columns"), Output("compare-social", "data"),
          Output("compare-social", "columns"), Input("compare-results", "value"),
          Input("compare-metric", "value"), Input("compare-frequency", "value"))
def update(result_ids, metric, frequency):
    """Redraw for the chosen result sets."""
    try:
        result_ids = usable_names(result_ids, "result sets")
        metric = one_of(metric, METRICS, "metric")
        frequency = one_of(frequency, figures.FREQUENCIES, "aggregate")
        if len(result_ids) < 2:
            return figures.empty_figure("Choose at least two result sets."), [], [], [], []
        results = [load_result(results_dir(), rid) for rid in result_ids]
    except UNAVAILABLE as exc:
        return figures.empty_figure(str(exc)), [], [], [], []
    series = {f"{r.name} ({r.id})": r.timeseries for r in results}
    currencies = {r.currency for r in results}
    if len(currencies) > 1:
        return (figures.empty_figure("These result sets are in different currencies ("
                                     + ", ".join(sorted(currencies)) + "): compare sets "
                                     "in one currency."), [], [], [], [])
    currency = currencies.pop()
    fig = figures.compare_figure(series, metric, frequency, currency)
    differences = figures.difference_table(series, currency).drop(
        columns=["95% low", "95% high"]).round(1)
    social = figures.social_cost_table(series, currency).round(0)
    return (fig, differences.to_dict("records"), _columns(differences),
            social.to_dict("records"), _columns(social))


def _columns(frame):
    return [{"name": c, "id": c, "type": "numeric" if frame[c].dtype.kind in "if" else "text",
             "format": {"specifier": ",.1f"} if frame[c].dtype.kind == "f" else None}
            for c in frame.columns]
