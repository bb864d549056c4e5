"""Where the running app reads its folders from (set by ``create_app``)."""

from __future__ import annotations

from pathlib import Path

from flask import current_app


def results_dir() -> Path:
    """The results folder of the app serving the current request."""
    return Path(current_app.config["SIMFRAUD_RESULTS"])


def scenarios_dir() -> Path:
    """The scenarios folder of the app serving the current request."""
    return Path(current_app.config["SIMFRAUD_SCENARIOS"])
