"""Where the running app reads its folders from: the server's configuration, never the browser.

``create_app`` calls ``configure``; callbacks call ``results_dir``, ``scenarios_dir`` and
``run_queue`` (the queue and cap of background runs).
Inside a request the folders come from the Flask app's config; a background run (a forked
worker without a request) reads the same values from this process's configuration, which
the worker inherits. No callback takes a folder from the client.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import current_app, has_app_context

from dashboards.run_queue import RunQueue

RESULTS_KEY = "SIMFRAUD_RESULTS"
SCENARIOS_KEY = "SIMFRAUD_SCENARIOS"
QUEUE_KEY = "SIMFRAUD_RUN_QUEUE"


@dataclass(frozen=True)
class Folders:
    """The two folders a dashboard may read (and, for results, write), and its run queue."""

    results: Path
    scenarios: Path
    queue: RunQueue


_process_folders: Folders | None = None


def configure(config: dict, results: Path, scenarios: Path, queue: RunQueue) -> Folders:
    """Record the folders in the Flask ``config`` and for this process's background runs.

    Args:
        config: The Flask app's config mapping.
        results: Results folder (resolved).
        scenarios: Scenarios folder (resolved).
        queue: The background-run queue.

    Returns:
        The recorded folders.
    """
    global _process_folders
    folders = Folders(results.resolve(), scenarios.resolve(), queue)
    config.update({RESULTS_KEY: str(folders.results), SCENARIOS_KEY: str(folders.scenarios),
                   QUEUE_KEY: queue})
    _process_folders = folders
    return folders


def _folder(key: str, attribute: str):
    if has_app_context():
        value = current_app.config[key]
        return value if isinstance(value, RunQueue) else Path(value)
    if _process_folders is None:
        raise RuntimeError("the dashboard's folders are not configured (use create_app)")
    return getattr(_process_folders, attribute)


def results_dir() -> Path:
    """The results folder of the app serving the current request or background run."""
    return _folder(RESULTS_KEY, "results")


def scenarios_dir() -> Path:
    """The scenarios folder of the app serving the current request or background run."""
    return _folder(SCENARIOS_KEY, "scenarios")


def run_queue() -> RunQueue:
    """The background-run queue of the app serving the current request or background run."""
    return _folder(QUEUE_KEY, "queue")
