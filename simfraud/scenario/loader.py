"""Load scenario YAML safely, with ``extends:``, ``--set`` overrides and located errors.

Every problem is reported as ``FILE:LINE:COL: field.path: what is wrong (allowed: ...)``.
Files are read as YAML 1.2 with limits by :mod:`simfraud.scenario.yaml12`, merged along
their ``extends:`` chain here and validated against the strict schema.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from simfraud.scenario.messages import clean_path, locate_errors, message
from simfraud.scenario.overrides import OverrideError, get_path, parse_assignment, set_path
from simfraud.scenario.problems import (
    Located,
    Location,
    PathKey,
    Problem,
    ScenarioError,
    dotted,
)
from simfraud.scenario.schema import RuleChange, Scenario
from simfraud.scenario.yaml12 import MAX_NODES, MAX_TEXT_BYTES, read_yaml_file

MAX_FILE_BYTES = MAX_TEXT_BYTES
MAX_EXTENDS_NAME = 1_000
"""Longest ``extends:`` value accepted (characters)."""

__all__ = ["MAX_FILE_BYTES", "MAX_NODES", "Located", "Problem", "ScenarioError",
           "apply_changes", "check_experiment_paths", "load_scenario",
           "resolve_extends", "validate", "value_problems"]


def _merge(base: Located, child: Located) -> None:
    """Deep-merge ``child`` into ``base`` (mappings merge, anything else replaces).

    Positions follow the values: a replaced value's positions (its own and everything
    under it) are dropped, then the child's are added. Linear in the number of keys.
    """
    replaced: set[PathKey] = set()
    _merge_data(base.data, child.data, (), replaced)
    kept = {path: where for path, where in base.positions.items()
            if not any(path[:cut] in replaced for cut in range(1, len(path) + 1))}
    kept.update(child.positions)
    base.positions = kept


def _merge_data(base: dict[str, Any], child: dict[str, Any], path: PathKey,
                replaced: set[PathKey]) -> None:
    for key, value in child.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge_data(base[key], value, here, replaced)
        else:
            replaced.add(here)
            base[key] = value


def resolve_extends(path: Path, _chain: tuple[Path, ...] = (),
                    root: Path | None = None) -> Located:
    """Read ``path`` and everything it ``extends``, child values overriding parents.

    Args:
        path: The scenario file.
        _chain: Files already being resolved (cycle detection).
        root: When given, every parent must resolve inside this folder (symbolic links
            followed); a parent outside it is refused before it is opened. The dashboard
            confines uploads this way.

    Returns:
        Merged data and positions (each pointing into the file that set the value).

    Raises:
        ScenarioError: On a cycle, a missing parent or any problem in either file.
    """
    located = read_yaml_file(path)
    parent_name = located.data.pop("extends", None)
    if parent_name is None:
        return located
    file, line, col = located.positions[("extends",)]
    parent = _parent_path(path, parent_name, (file, line, col))
    chain = (*_chain, path.resolve())
    if parent in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent))
        raise ScenarioError([Problem(file, line, col, "extends", f"extends cycle: {cycle}")])
    if root is not None and root.resolve() not in parent.parents:
        raise ScenarioError([Problem(file, line, col, "extends",
                                     f"{_shown(parent_name)} is outside the scenarios folder "
                                     "(allowed: a scenario file in that folder)")])
    if not parent.is_file():
        raise ScenarioError([Problem(file, line, col, "extends",
                                     f"file {_shown(parent_name)} not found (looked in "
                                     f"{path.parent})")])
    base = resolve_extends(parent, chain, root)
    located.positions.pop(("extends",))
    _merge(base, located)
    return base


def _shown(name: str) -> str:
    """A file name for a message, cut to a readable length."""
    return repr(name if len(name) <= 80 else name[:77] + "...")


def _parent_path(path: Path, name: Any, where: Location) -> Path:
    """The resolved path of an ``extends:`` value, or a located problem."""
    file, line, col = where

    def refuse(why: str) -> ScenarioError:
        return ScenarioError([Problem(file, line, col, "extends", why)])

    if not isinstance(name, str) or not name.strip():
        raise refuse("must be a file name (allowed: a path relative to this file)")
    if len(name) > MAX_EXTENDS_NAME:
        raise refuse(f"file name is {len(name)} characters (allowed: up to "
                     f"{MAX_EXTENDS_NAME})")
    if "\0" in name:
        raise refuse("file name contains a NUL character (allowed: a path relative to "
                     "this file)")
    try:
        return (path.parent / name).resolve()
    except (OSError, RuntimeError) as exc:  # e.g. a symbolic-link loop
        raise refuse(f"cannot resolve {_shown(name)}: {exc}") from None


def validate(located: Located, fallback: Location) -> Scenario:
    """Validate merged data against the schema, locating every error.

    Args:
        located: Data and positions.
        fallback: Position used when a path has no recorded position.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With one located problem per validation error.
    """
    try:
        scenario = Scenario.model_validate(located.data)
    except ValidationError as exc:
        raise ScenarioError(locate_errors(exc, located, fallback)) from None
    _check_rule_changes(scenario, located, fallback)
    check_experiment_paths(scenario, located, fallback)
    return scenario


def _check_rule_changes(scenario: Scenario, located: Located, fallback: Location) -> None:
    """Validate ``rule_change`` events as the model applies them.

    Events apply in day order (all paths of one event together), each on top of the
    previous ones, so the check does the same. Problems point at the offending path.
    """
    changes = [(index, event) for index, event in enumerate(scenario.timeline)
               if isinstance(event, RuleChange)]
    current = scenario
    for index, event in sorted(changes, key=lambda item: item[1].day):
        where = ("timeline", index, "set")
        data = current.model_dump(mode="json")
        problems = []
        for path, value in event.set.items():
            try:
                set_path(data, path, value)
            except OverrideError as exc:
                file, line, col = located.where((*where, path), fallback)
                problems.append(Problem(file, line, col, dotted((*where, path)), str(exc)))
        for path in event.set:
            fixed = _fixed_at_start(path)
            if fixed:
                file, line, col = located.where((*where, path), fallback)
                problems.append(Problem(file, line, col, dotted((*where, path)), fixed))
        if problems:
            raise ScenarioError(problems)
        try:
            current = Scenario.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = dotted(error["loc"])
                path = next((p for p in event.set if p.startswith(loc) or loc.startswith(p)),
                            loc if error["loc"] else "(whole scenario)")
                file, line, col = located.where((*where, path), fallback)
                _, schema_loc = clean_path({}, error["loc"])
                problems.append(Problem(file, line, col, dotted((*where, path)),
                                        message(error, schema_loc)))
            raise ScenarioError(problems) from None


def check_experiment_paths(scenario: Scenario, located: Located, fallback: Location) -> None:
    """Every value a sweep grid or a sensitivity range gives must make a valid scenario.

    Args:
        scenario: The scenario with its ``sweep`` and ``sensitivity`` blocks.
        located: Positions of the file's keys (may be empty, e.g. for ``--grid``).
        fallback: Location used where no position is known.

    Raises:
        ScenarioError: With one located problem per bad value (at most 20).
    """
    trials: list[tuple[PathKey, str, Any]] = []
    if scenario.sweep is not None:
        trials += [(("sweep", "grid", path), path, value)
                   for path, values in scenario.sweep.grid.items() for value in values]
    base = scenario.model_dump(mode="json")
    if scenario.sensitivity is not None:
        trials += [(("sensitivity", "parameters", path), path,
                    _as_run(base, path, value))
                   for path, bounds in scenario.sensitivity.parameters.items()
                   for value in (bounds.low, bounds.high)]
    problems = value_problems(base, trials, located, fallback)
    if problems:
        raise ScenarioError(problems)


def value_problems(base: dict[str, Any], trials: list[tuple[PathKey, str, Any]],
                   located: Located, fallback: Location, most: int = 20) -> list[Problem]:
    """What is wrong with setting each dotted path of ``base`` to a value, located.

    Args:
        base: Scenario data (``model_dump(mode="json")``), left unchanged.
        trials: ``(where, path, value)``: where the value is written (a key path into
            ``located``), the scenario path it sets and the value.
        located: Positions of the file's keys (may be empty).
        fallback: Location used where no position is known.
        most: Stop after this many problems.

    Returns:
        One problem per error; an error that does not depend on the value (an unknown
        path) is reported once per ``where``, not once per value.
    """
    problems: list[Problem] = []
    seen: set[tuple[PathKey, str]] = set()
    for where, path, value in trials:
        file, line, col = located.where(where, fallback)
        data = copy.deepcopy(base)
        try:
            set_path(data, path, value)
            _check_rule_changes(Scenario.model_validate(data), Located({}, {}), fallback)
        except OverrideError as exc:
            found = [(str(exc), False)]
        except ValidationError as exc:
            found = [(message(error, clean_path({}, error["loc"])[1]),
                      error["type"] != "extra_forbidden") for error in exc.errors()]
        except ScenarioError as exc:  # a rule change that the value makes invalid
            found = [(f"{problem.path}: {problem.message}", True) for problem in exc.problems]
        else:
            found = []
        for text, about_value in found:
            if (where, text) not in seen:
                seen.add((where, text))
                problems.append(Problem(file, line, col, dotted(where),
                                        f"value {value!r}: {text}" if about_value else text))
        if len(problems) >= most:
            break
    return problems


def _as_run(base: dict[str, Any], path: str, value: float) -> float | int:
    """A sensitivity bound as the run uses it: rounded for integer parameters."""
    try:
        current = get_path(base, path)
    except OverrideError:
        return value
    whole = isinstance(current, int) and not isinstance(current, bool)
    return round(value) if whole else value


_FIXED_AT_START = ("population", "days", "start_date", "seed", "timeline", "sweep",
                   "sensitivity")


def _fixed_at_start(path: str) -> str | None:
    """Why a rule change may not touch ``path``, or None when it may."""
    parts = path.split(".")
    if parts[0] in _FIXED_AT_START:
        return (f"{parts[0]} is fixed when the run starts and cannot change mid-run "
                "(allowed: platforms.N..., attackers..., regulator..., behaviour..., "
                "defences..., costs..., name, description, currency)")
    if parts[0] == "platforms" and len(parts) < 3:
        return ("the set of platforms is fixed when the run starts: change a platform's "
                "fields instead (e.g. platforms.0.liveness.level)")
    return None


def apply_changes(scenario: Scenario, changes: dict[str, Any]) -> Scenario:
    """Return a new scenario with dotted-path changes applied and re-validated.

    Args:
        scenario: The scenario to start from (left unchanged).
        changes: Dotted paths and new values.

    Returns:
        The changed, validated scenario.

    Raises:
        OverrideError: When a path leads nowhere.
        pydantic.ValidationError: When the result is not a valid scenario.
    """
    data = scenario.model_dump(mode="json")
    for path, value in changes.items():
        set_path(data, path, value)
    return Scenario.model_validate(data)


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = (),
                  root: str | Path | None = None) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Args:
        path: Scenario YAML file.
        overrides: ``dotted.path=value`` assignments applied after the file (``--set``),
            in order, then validated together: ``days=30`` may come after a population
            that only 30 days allow. An error is located at the assignment that set its
            field (or a parent of it), else at all of them.
        root: When given, ``extends:`` may only name files inside this folder.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With located messages for every problem found.
    """
    path = Path(path)
    located = resolve_extends(path, root=None if root is None else Path(root))
    scenario = validate(located, (str(path), 1, 1))
    if not overrides:
        return scenario
    data = scenario.model_dump(mode="json")
    positions: dict[PathKey, Location] = {}
    for text in overrides:
        origin = f"--set {text}"
        try:
            key, value = parse_assignment(text)
            set_path(data, key, value)
        except OverrideError as exc:
            raise ScenarioError([Problem(origin, 1, 1, text.partition("=")[0] or "(set)",
                                         str(exc))]) from None
        where = _path_key(key)
        positions = {done: at for done, at in positions.items() if done[:len(where)] != where}
        positions[where] = (origin, 1, 1)
    return validate(Located(data, positions), (" ".join(f"--set {t}" for t in overrides), 1, 1))


def _path_key(dotted_path: str) -> PathKey:
    """``platforms.0.name`` as ``('platforms', 0, 'name')``, the key of error locations."""
    return tuple(int(part) if part.isdigit() else part for part in dotted_path.split("."))
