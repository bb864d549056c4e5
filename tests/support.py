"""Helpers shared by tests: small scenarios built from the defaults."""

from __future__ import annotations

import sqlite3
from typing import Any

from simfraud.scenario.schema import Scenario


def deep_merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = value
    return out


def scenario_with(changes: dict[str, Any] | None = None, users: int = 2_000,
                  days: int = 60) -> Scenario:
    """The default scenario with a small population and ``changes`` deep-merged in."""
    data = Scenario().model_dump(mode="json")
    data["population"]["users"] = users
    data["days"] = days
    return Scenario.model_validate(deep_merge(data, changes or {}))


def study_trials(out, state) -> list:
    """A calibration's trials in ``state``, read from ``OUT/study.db`` (Optuna)."""
    import optuna

    study = optuna.load_study(study_name="calibration", storage=f"sqlite:///{out / 'study.db'}")
    return study.get_trials(states=(state,))


def finished_trial_count(out) -> int:
    """Complete trials of a calibration that may still be running (0 before its study exists).

    Reads ``OUT/study.db`` through a read-only SQLite connection: Optuna's own
    ``load_study`` creates the tables when they are missing, which races with the
    running calibration creating them and can make it fail.
    """
    database = out / "study.db"
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=1) as connection:
            (count,) = connection.execute(
                "SELECT COUNT(*) FROM trials WHERE state = 'COMPLETE'").fetchone()
        connection.close()
    except sqlite3.Error:  # the tables are still being created, or the file is locked
        return 0
    return int(count)


def finished_runs(out) -> list[str]:
    """Run ids of an experiment whose folders are complete (renamed into ``runs/`` with
    their manifest); the index lags them by up to a second while runs finish."""
    return sorted(path.parent.name for path in out.glob("runs/*/manifest.json"))
