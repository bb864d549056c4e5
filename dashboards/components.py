"""Small layout pieces shared by the pages."""

from __future__ import annotations

from dash import dcc, html

from dashboards.data import ResultInfo, catalog, default_pair, newest_first
from dashboards.settings import results_dir


def control(label: str, component, id_: str | None = None) -> html.Div:
    """A labelled control."""
    return html.Div([html.Label(label, htmlFor=id_), component], className="control")


def result_options(infos: list[ResultInfo]) -> list[dict]:
    """Dropdown options for the result sets, the newest first.

    Bad folders are listed too (last), disabled, with the reason they cannot be shown.
    """
    good = [{"label": f"{info.name} ({info.id}; {info.replicates} rep., "
                      f"{info.users:,} users, {info.days} d)", "value": info.id}
            for info in newest_first(infos) if not info.problem]
    bad = [{"label": f"{info.id}: cannot be shown ({info.problem})", "value": info.id,
            "disabled": True} for info in sorted(infos, key=lambda i: i.id) if info.problem]
    return good + bad


def result_dropdown(id_: str, multi: bool = False, selected: str | None = None) -> html.Div:
    """A dropdown of result sets.

    Preselects ``selected`` when it is one of them, else the newest result set (or, when
    ``multi``, the newest and the newest of another scenario: ``default_pair``). Below
    it, one line per bad result folder names the folder and says what is wrong.
    """
    infos = catalog(results_dir())
    options = result_options(infos)
    ids = [o["value"] for o in options if not o.get("disabled")]
    if multi:
        value = default_pair(infos)
    else:
        value = selected if selected in ids else (ids[0] if ids else None)
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
