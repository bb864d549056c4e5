"""The dashboard shell: ``create_app`` builds a multi-page Dash app over two folders."""

from __future__ import annotations

import tempfile
from pathlib import Path

import dash
import diskcache
from dash import Dash, DiskcacheManager, dcc, html
from dash.exceptions import DependencyException

from dashboards.hosts import allow_hosts
from dashboards.run_queue import RunQueue
from dashboards.settings import configure
from dashboards.slots import RunSlots

PAGES = Path(__file__).parent / "pages"
ASSETS = Path(__file__).parent / "assets"
UPLOAD_LIMIT = 1_000_000
"""Largest scenario upload accepted, in bytes."""
REQUEST_LIMIT = UPLOAD_LIMIT * 4 // 3 + 256_000
"""Largest request body the server reads: an upload in base64 plus the callback's JSON.
Larger requests are refused (HTTP 413) before they are read."""


def create_app(results: str | Path = "results", scenarios: str | Path = "scenarios",
               cache: str | Path | None = None, hosts: tuple[str, ...] = (),
               max_runs: int = 2, max_queued: int = 4) -> Dash:
    """Build the dashboard.

    The folders are the server's configuration: no callback takes a folder from the
    browser. Requests whose ``Host`` header is not this machine or one of ``hosts`` are
    refused (HTTP 400, ``dashboards/hosts.py``), which defeats DNS rebinding; request bodies over
    ``REQUEST_LIMIT`` are refused (HTTP 413) before they are read.

    Args:
        results: Folder of result sets; the Run page writes new runs into
            ``results/dashboard/``. Nothing outside it and ``scenarios`` is read.
        scenarios: Folder of scenario YAML files offered on the Run page.
        cache: Folder for background-callback state (default: a temporary folder).
        hosts: Host names accepted besides 127.0.0.1, localhost and ::1 (the
            ``--host`` the server listens on).
        max_runs: Background runs at once; more wait in the Run page's queue.
        max_queued: Runs that may wait for a free run slot; the Run page refuses more.

    Returns:
        The Dash app (``app.server`` is the Flask server).
    """
    cache_dir = Path(cache) if cache else Path(tempfile.mkdtemp(prefix="simfraud-dash-"))
    manager = DiskcacheManager(diskcache.Cache(str(cache_dir)))
    app = Dash(__name__, use_pages=True, pages_folder=str(PAGES), title="simfraud",
               assets_folder=str(ASSETS),
               background_callback_manager=manager, suppress_callback_exceptions=True)
    configure(app.server.config, Path(results), Path(scenarios),
              RunQueue(RunSlots(cache_dir / "run-slots", max_runs), max_queued))
    allow_hosts(app.server, hosts)
    app.server.config.update(MAX_CONTENT_LENGTH=REQUEST_LIMIT)
    app.server.register_error_handler(DependencyException, _not_a_served_file)
    links = [dcc.Link(page["name"], href=page["relative_path"], className="nav-link",
                      id=f"nav-{page['module'].rsplit('.', 1)[-1]}")
             for page in sorted(dash.page_registry.values(), key=lambda p: p["order"])]
    app.layout = html.Div([
        html.Header([html.Span("simfraud", className="brand"), html.Nav(links)],
                    className="navbar"),
        html.Main(dash.page_container, className="page"),
    ])
    return app


def _not_a_served_file(_error: DependencyException) -> tuple[str, int]:
    """HTTP 404 for a script path Dash does not serve (``../`` and the like), not a 500."""
    return "not found", 404
