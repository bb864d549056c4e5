"""``simfraud rerun EXPERIMENT_DIR``: run a whole experiment again from its record.

The runs are rebuilt from ``experiment.json`` and the base scenarios stored beside it
(checked against their SHA-256), so every run gets the scenario, changes, replicate and
seed it had; its files come out byte for byte the same.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from simfraud.core.seeds import replicate_seed
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
from simfraud.results.manifest import field_problems
from simfraud.scenario.loader import Located, validate, value_problems
from simfraud.scenario.schema import MAX_REPLICATES
from simfraud.scenario.yaml12 import parse_yaml

RERUNNABLE = ("compare", "sweep")


class _Stored(BaseModel):
    """A base scenario stored beside ``experiment.json``."""

    stored: str
    sha256: str
    file: str = ""


class _Arm(BaseModel):
    """A compared scenario or grid point, with its runs (``[run_id, replicate]``)."""

    point: StrictInt = Field(ge=0)
    label: str
    scenario: StrictInt = Field(ge=0)
    changes: dict[str, Any]
    runs: list[tuple[StrictStr, Annotated[StrictInt, Field(ge=0)]]] = Field(
        max_length=MAX_REPLICATES)


class _Record(BaseModel):
    """The fields of ``experiment.json`` a rerun rebuilds the runs from."""

    model_config = ConfigDict(extra="allow")

    scenarios: list[_Stored]
    grid: dict[str, Any] = {}
    replicates: StrictInt = Field(ge=1, le=MAX_REPLICATES)
    arms: list[_Arm]
    fingerprint: str


def _checked(source: Path, record: dict[str, Any]) -> _Record:
    """The record's fields, typed and within the bounds a run accepts.

    Raises:
        ExperimentError: One line naming ``experiment.json`` and the bad fields.
    """
    try:
        checked = _Record.model_validate(record)
    except ValidationError as exc:
        raise ExperimentError(f"{source / 'experiment.json'}: {field_problems(exc)}") from None
    for arm in checked.arms:
        if not arm.scenario < len(checked.scenarios):
            raise ExperimentError(f"{source / 'experiment.json'}: arm {arm.label!r}: scenario "
                                  f"{arm.scenario} (allowed: 0 to {len(checked.scenarios) - 1})")
    return checked


def _bases(source: Path, record: _Record) -> list[dict[str, Any]]:
    """The stored base scenarios, each unchanged and valid.

    Raises:
        ExperimentError: When a stored scenario changed since the experiment ran.
        ScenarioError: When one is not a valid scenario (located lines).
    """
    bases = []
    for entry in record.scenarios:
        name = str(source / entry.stored)
        try:
            text = (source / entry.stored).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise ExperimentError(f"{name}: cannot be read ({reason})") from None
        if hashlib.sha256(text.encode()).hexdigest() != entry.sha256:
            raise ExperimentError(f"{name}: changed since the experiment "
                                  "ran (its SHA-256 differs from experiment.json)")
        located = parse_yaml(text, name)
        validate(located, (name, 1, 1))
        bases.append(located.data)
    return bases


def _check_arms(source: Path, record: _Record, bases: list[dict[str, Any]]) -> None:
    """Every arm's changes must make a valid scenario (users, days within bounds...).

    Raises:
        ExperimentError: One line naming the arm and what is wrong.
    """
    for number, arm in enumerate(record.arms):
        problems = value_problems(bases[arm.scenario], [
            (("arms", number, "changes", path), path, value)
            for path, value in arm.changes.items()], Located({}, {}),
            (str(source / "experiment.json"), 1, 1), most=1)
        if problems:
            raise ExperimentError(f"{source / 'experiment.json'}: {problems[0].path} (arm "
                                  f"{arm.label!r}): {problems[0].message}")


def recorded_tasks(source: Path, record: _Record) -> list[Task]:
    """The experiment's runs, rebuilt from its record and stored scenarios.

    Raises:
        ExperimentError: When a stored scenario changed, an arm's changes do not make a
            valid scenario or the rebuilt runs do not match the recorded fingerprint.
        ScenarioError: When a stored scenario is not valid (located lines).
    """
    bases = _bases(source, record)
    _check_arms(source, record, bases)
    tasks = []
    for arm in record.arms:
        base = bases[arm.scenario]
        for run_id, replicate in arm.runs:
            spec = RunSpec(run_id, arm.point, replicate, arm.changes, arm.label)
            tasks.append(Task(base, spec, replicate_seed(int(base["seed"]), replicate)))
    if fingerprint(tasks) != record.fingerprint:
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
    if not isinstance(record, dict):
        raise ExperimentError(f"{source / 'experiment.json'}: a JSON {type(record).__name__}, "
                              "not an object")
    if record.get("kind") not in RERUNNABLE:
        raise ExperimentError(f"{source}: a {record.get('kind', 'unknown')} experiment cannot "
                              f"be rerun (allowed: {', '.join(RERUNNABLE)})")
    if "arms" not in record:
        raise ExperimentError(f"{source}: written before experiments recorded their runs, "
                              "so it cannot be rerun")
    checked = _checked(source, record)
    tasks = recorded_tasks(source, checked)
    with locked(out):
        if (out / "experiment.json").exists():
            raise ExperimentError(f"--out {out}: already holds an experiment; choose a new "
                                  "folder")
        index = run_all(tasks, out, kind=record["kind"], workers=workers, quiet=quiet,
                        command_line=command_line,
                        sources=[s.file for s in checked.scenarios], grid=checked.grid)
        if (index["status"] != "ok").any():
            raise RunsFailedError(index)
        if record["kind"] == "compare":
            _publish(out, index, tasks, [arm.label for arm in checked.arms])
    return index


def _publish(out: Path, index: pd.DataFrame, tasks: list[Task], names: list[str]) -> None:
    """Write a rerun comparison's tables and report again."""
    from simfraud.experiments.compare import publish

    reference = tasks[0].base
    bases = {task.spec.label: task.base for task in tasks}
    publish(out, index, names, reference["currency"], int(reference["days"]),
            {name: float(base["population"]["weight"]) for name, base in bases.items()})
