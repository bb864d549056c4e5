"""Which runs an experiment makes: grid points x replicates, each with its own seed."""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from simfraud.core.seeds import replicate_seed
from simfraud.scenario.overrides import OverrideError, parse_assignment
from simfraud.scenario.schema import MAX_EXPERIMENT_RUNS, Scenario


@dataclass(frozen=True)
class RunSpec:
    """One run of an experiment: a scenario variant and one replicate.

    Attributes:
        run_id: Stable name of the run (also its folder under ``runs/``).
        point: Index of the grid point (or scenario) the run belongs to.
        replicate: Replicate number; replicate r of every point shares its random numbers.
        changes: Dotted paths and values applied to the base scenario.
        label: Human-readable name of the point.
    """

    run_id: str
    point: int
    replicate: int
    changes: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def seed(self, scenario: Scenario) -> int:
        """The run's random-number seed, spawned from the base seed."""
        return replicate_seed(scenario.seed, self.replicate)


def parse_grid(items: list[str]) -> dict[str, list[Any]]:
    """Parse ``--grid path=v1,v2,...`` options (values parsed as YAML scalars).

    Args:
        items: The option values as typed.

    Returns:
        Path to list of values, in the order given.

    Raises:
        OverrideError: When an item is not ``PATH=V1,V2,...``, repeats a path, or the
            grid has more than ``MAX_EXPERIMENT_RUNS`` points (checked before any value is
            parsed).
    """
    split: dict[str, tuple[str, list[str]]] = {}
    for item in items:
        path, _, raw = item.partition("=")
        if not raw.strip():
            raise OverrideError(f"--grid {item!r}: expected PATH=V1,V2,...")
        if path.strip() in split:
            raise OverrideError(f"--grid {item!r}: {path.strip()} is given twice")
        split[path.strip()] = (item, raw.split(","))
    check_run_count([len(values) for _, values in split.values()], 1)
    return {path: [parse_assignment(f"{path}={value}", f"--grid {item}")[1]
                   for value in values] for path, (item, values) in split.items()}


def check_run_count(value_counts: list[int], replicates: int) -> None:
    """Refuse a sweep of more than ``MAX_EXPERIMENT_RUNS`` runs before its run list is built.

    Args:
        value_counts: How many values each grid path takes.
        replicates: Replicates of every grid point.

    Raises:
        OverrideError: Saying how many runs the grid and replicates make.
    """
    points = math.prod(value_counts)
    if points * replicates > MAX_EXPERIMENT_RUNS:
        raise OverrideError(f"{points:,} grid points x {replicates:,} replicate(s) "
                            f"make {points * replicates:,} runs (allowed: up to "
                            f"{MAX_EXPERIMENT_RUNS:,} runs per sweep)")


def grid_runs(grid: dict[str, list[Any]], replicates: int) -> list[RunSpec]:
    """Every combination of grid values, times every replicate, in a fixed order."""
    paths = list(grid)
    points = list(itertools.product(*(grid[p] for p in paths))) or [()]
    runs = []
    for point, values in enumerate(points):
        changes = dict(zip(paths, values, strict=True))
        label = ", ".join(f"{p}={v}" for p, v in changes.items()) or "base"
        runs.extend(RunSpec(f"p{point:04d}-r{replicate:03d}", point, replicate, changes, label)
                    for replicate in range(replicates))
    return runs



_NEXT_ASSIGNMENT = re.compile(r",\s*(?=[A-Za-z_][\w.]*\s*=)")


def parse_arm(text: str) -> tuple[str, list[str]]:
    """Parse ``--arm NAME:PATH=VALUE,PATH=VALUE`` into the name and its assignments.

    A comma starts a new assignment only when ``PATH=`` follows it, so list values
    (``[a, b]``) keep their commas.

    Raises:
        OverrideError: When the name or the assignments are missing or malformed.
    """
    name, sep, rest = text.partition(":")
    if not sep or not name.strip() or not rest.strip():
        raise OverrideError(f"--arm {text!r}: expected NAME:PATH=VALUE[,PATH=VALUE...]")
    assignments = [a.strip() for a in _NEXT_ASSIGNMENT.split(rest)]
    for assignment in assignments:
        parse_assignment(assignment)  # raises with the reason
    return name.strip(), assignments
