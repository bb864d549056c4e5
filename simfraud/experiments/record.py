"""What ``experiment.json`` records: enough to name every arm and to rerun the experiment.

An experiment is a list of arms (a compared scenario, a sweep's grid point), each run for
the same replicates. The record holds the command line, the base scenarios (resolved,
written to ``OUT/scenarios/`` with their SHA-256), the grid, every arm with its changes
and runs, the replicates and their seeds, and the versions of the software that ran.
``simfraud rerun EXPERIMENT_DIR`` rebuilds the runs from it.
"""

from __future__ import annotations

import hashlib
import json
import platform
import time
from pathlib import Path
from typing import Any

import simfraud
from simfraud.results.atomic import write_text_atomic
from simfraud.results.manifest import record_bytes
from simfraud.scenario.yaml12 import dump_yaml

SCENARIOS_FOLDER = "scenarios"


def base_yaml(base: dict[str, Any]) -> str:
    """A base scenario (``model_dump(mode="json")``) as the YAML text stored and hashed."""
    return dump_yaml(base)


def experiment_record(tasks: list, *, kind: str, command_line: str,
                      sources: list[str] | None = None,
                      grid: dict[str, list[Any]] | None = None
                      ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The reproducible description of an experiment, from its runs.

    Args:
        tasks: The experiment's runs (``dispatch.Task``), in index order.
        kind: ``compare``, ``sweep`` or ``sensitivity``.
        command_line: How the experiment was asked for.
        sources: Scenario files as given, one per distinct base scenario (in order of
            first use), or None.
        grid: The sweep's grid, if any.

    Returns:
        The record (JSON-ready; the dispatcher adds the fingerprint) and the distinct base
        scenarios, in the order of the record's ``scenarios``.
    """
    from simfraud.results.versions import versions

    bases: list[dict[str, Any]] = []
    arms: dict[int, dict[str, Any]] = {}
    for task in tasks:
        number = next((k for k, b in enumerate(bases) if b is task.base), None)
        if number is None:
            bases.append(task.base)
            number = len(bases) - 1
        arm = arms.setdefault(task.spec.point, {
            "point": task.spec.point, "label": task.spec.label, "scenario": number,
            "changes": task.spec.changes, "runs": []})
        arm["runs"].append([task.spec.run_id, task.spec.replicate])
    seeds = {task.spec.replicate: task.seed for task in tasks}
    scenarios = []
    for number, base in enumerate(bases):
        text = base_yaml(base)
        scenarios.append({
            "name": base.get("name", ""),
            "file": (sources or [])[number] if number < len(sources or []) else "",
            "stored": f"{SCENARIOS_FOLDER}/{number:02d}.yaml",
            "sha256": hashlib.sha256(text.encode()).hexdigest(),
        })
    return {
        "kind": kind,
        "command_line": command_line,
        "scenarios": scenarios,
        "grid": grid or {},
        "replicates": len(seeds),
        "seeds": [{"replicate": r, "seed": str(seeds[r])} for r in sorted(seeds)],
        "arms": [arms[point] for point in sorted(arms)],
        "simfraud_version": simfraud.__version__,
        "python": platform.python_version(),
        "versions": versions(),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }, bases


def write_scenarios(out: Path, record: dict[str, Any], bases: list[dict[str, Any]]) -> None:
    """Write each base scenario, atomically, where the record says it is stored."""
    (out / SCENARIOS_FOLDER).mkdir(parents=True, exist_ok=True)
    for entry, base in zip(record["scenarios"], bases, strict=True):
        write_text_atomic(out / entry["stored"], base_yaml(base))


def read_record(folder: Path) -> dict[str, Any]:
    """The ``experiment.json`` of an experiment folder.

    Raises:
        OSError: When it cannot be read.
        ValueError: When it is not JSON.
    """
    return json.loads(record_bytes(folder / "experiment.json"))
