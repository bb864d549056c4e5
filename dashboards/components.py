"""Small layout pieces shared by the pages."""

from __future__ import annotations

from dash import dcc, html

from dashboards.data import catalog
from dashboards.settings import results_dir


def control(label: str, component, id_: str | None = None) -> html.Div:
    """A labelled control."""
    return html.Div([html.Label(label, htmlFor=id_), component], className="control")


def result_options() -> list[dict]:
    """Dropdown options for every result set in the results folder (newest last).

    Bad folders are listed too, disabled, with the reason they cannot be shown.
    """
    return [{"label": f"{info.id}: cannot be shown ({info.problem})", "value": info.id,
             "disabled": True} if info.problem else
            {"label": f"{info.name} ({info.id}; {info.replicates} rep., "
                      f"{info.users:,} users, {info.days} d)", "value": info.id}
            for info in catalog(results_dir())]


def result_dropdown(id_: str, multi: bool = False) -> html.Div:
    """A dropdown of result sets, preselecting the first (or the first two when multi).

    Below it, one line per bad result folder names the folder and says what is wrong.
    """
    options = result_options()
    values = [o["value"] for o in options if not o.get("disabled")]
    value = values[:2] if multi else (values[0] if values else None)
    bad = [html.Div(o["label"]) for o in options if o.get("disabled")]
    return html.Div([
        dcc.Dropdown(id=id_, options=options, value=value, multi=multi, clearable=False,
                     placeholder="no result sets found", style={"minWidth": "28em"}),
        html.Div(bad, id=f"{id_}-problems", className="errors") if bad else None,
    ])


def frequency_items(id_: str, value: str = "weekly") -> dcc.RadioItems:
    """Daily, weekly or monthly aggregation."""
    return dcc.RadioItems(id=id_, options=["daily", "weekly", "monthly"], value=value,
                          inline=True)
