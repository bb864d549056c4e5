"""``simfraud rerun EXPERIMENT_DIR``: run a whole experiment again from its record.

The runs are rebuilt from ``experiment.json`` and the base scenarios stored beside it
(checked against their SHA-256), so every run gets the scenario, changes, replicate and
seed it had; its files come out byte for byte the same.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from simfraud.core.rng import replicate_seed
from simfraud.experiments.dispatch import (
    ExperimentError,
    RunsFailedError,
    Task,
    fingerprint,
    locked,
    run_all,
)
from simfraud.experiments.plan import RunSpec
from simfraud.experiments.record import read_record
from simfraud.scenario.yaml12 import parse_yaml

RERUNNABLE = ("compare", "sweep")


def _bases(source: Path, record: dict[str, Any]) -> list[dict[str, Any]]:
    bases = []
    for entry in record["scenarios"]:
        text = (source / entry["stored"]).read_text()
        if hashlib.sha256(text.encode()).hexdigest() != entry["sha256"]:
            raise ExperimentError(f"{source / entry['stored']}: changed since the experiment "
                                  "ran (its SHA-256 differs from experiment.json)")
        bases.append(parse_yaml(text, str(source / entry["stored"])).data)
    return bases


def recorded_tasks(source: Path, record: dict[str, Any]) -> list[Task]:
    """The experiment's runs, rebuilt from its record and stored scenarios.

    Raises:
        ExperimentError: When a stored scenario changed or the rebuilt runs do not match
            the recorded fingerprint.
    """
    bases = _bases(source, record)
    tasks = []
    for arm in record["arms"]:
        base = bases[arm["scenario"]]
        for run_id, replicate in arm["runs"]:
            spec = RunSpec(run_id, arm["point"], replicate, arm["changes"], arm["label"])
            tasks.append(Task(base, spec, replicate_seed(int(base["seed"]), replicate)))
    if fingerprint(tasks) != record.get("fingerprint"):
        raise ExperimentError(f"{source}: the recorded runs do not match the experiment's "
                              "fingerprint, so it cannot be reproduced")
    return tasks


def rerun_experiment(source: Path, out: Path, *, workers: int | None = None,
                     quiet: bool = False, command_line: str = "") -> pd.DataFrame:
    """Run every run of the experiment in ``source`` again into ``out``.

    A comparison's tables and report are written again too.

    Args:
        source: An experiment folder (with ``experiment.json``).
        out: A new experiment folder.
        workers: Local worker processes (default: one per core).
        quiet: No progress output.
        command_line: How the rerun was asked for (recorded).

    Returns:
        The new index.

    Raises:
        ExperimentError: When ``source`` cannot be rerun (unreadable, written before
            experiments were recorded, a kind other than compare or sweep, changed
            scenarios) or ``out`` cannot be used (another process writes into it).
        RunsFailedError: When any run failed (a comparison's tables are then not written).
    """
    try:
        record = read_record(source)
    except (OSError, ValueError) as exc:
        raise ExperimentError(f"{source}: cannot read experiment.json ({exc})") from None
    if record.get("kind") not in RERUNNABLE:
        raise ExperimentError(f"{source}: a {record.get('kind', 'unknown')} experiment cannot "
                              f"be rerun (allowed: {', '.join(RERUNNABLE)})")
    if "arms" not in record:
        raise ExperimentError(f"{source}: written before experiments recorded their runs, "
                              "so it cannot be rerun")
    tasks = recorded_tasks(source, record)
    with locked(out):
        if (out / "experiment.json").exists():
            raise ExperimentError(f"--out {out}: already holds an experiment; choose a new "
                                  "folder")
        index = run_all(tasks, out, kind=record["kind"], workers=workers, quiet=quiet,
                        command_line=command_line,
                        sources=[s["file"] for s in record["scenarios"]], grid=record["grid"])
        if (index["status"] != "ok").any():
            raise RunsFailedError(index)
        if record["kind"] == "compare":
            _publish(out, index, tasks, [arm["label"] for arm in record["arms"]])
    return index


def _publish(out: Path, index: pd.DataFrame, tasks: list[Task], names: list[str]) -> None:
    """Write a rerun comparison's tables and report again."""
    from simfraud.experiments.compare import publish

    reference = tasks[0].base
    bases = {task.spec.label: task.base for task in tasks}
    publish(out, index, names, reference["currency"], int(reference["days"]),
            {name: float(base["population"]["weight"]) for name, base in bases.items()})
