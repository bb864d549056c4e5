"""The dashboard shell: ``create_app`` builds a multi-page Dash app over two folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

import dash
import diskcache
from dash import Dash, DiskcacheManager, dcc, html

PAGES = Path(__file__).parent / "pages"
ASSETS = Path(__file__).parent / "assets"
UPLOAD_LIMIT = 1_000_000
"""Largest scenario upload accepted, in bytes."""


def create_app(results: str | Path = "results", scenarios: str | Path = "scenarios",
               cache: str | Path | None = None) -> Dash:
    """Build the dashboard.

    Args:
        results: Folder of result sets; the Run page writes new runs into
            ``results/dashboard/``. Nothing outside it and ``scenarios`` is read.
        scenarios: Folder of scenario YAML files offered on the Run page.
        cache: Folder for background-callback state (default: a temporary folder).

    Returns:
        The Dash app (``app.server`` is the Flask server).
    """
    results, scenarios = Path(results).resolve(), Path(scenarios).resolve()
    cache_dir = Path(cache) if cache else Path(tempfile.mkdtemp(prefix="simfraud-dash-"))
    manager = DiskcacheManager(diskcache.Cache(str(cache_dir)))
    app = Dash(__name__, use_pages=True, pages_folder=str(PAGES), title="simfraud",
               assets_folder=str(ASSETS),
               background_callback_manager=manager, suppress_callback_exceptions=True)
    app.server.config.update(SIMFRAUD_RESULTS=str(results), SIMFRAUD_SCENARIOS=str(scenarios))
    links = [dcc.Link(page["name"], href=page["relative_path"], className="nav-link",
                      id=f"nav-{page['module'].rsplit('.', 1)[-1]}")
             for page in sorted(dash.page_registry.values(), key=lambda p: p["order"])]
    app.layout = html.Div([
        html.Header([html.Span("simfraud", className="brand"), html.Nav(links)],
                    className="navbar"),
        dcc.Store(id="settings", data={"results": str(results),
                                       "scenarios": str(scenarios)}),
        html.Main(dash.page_container, className="page"),
    ])
    return app
