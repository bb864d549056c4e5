"""Load scenario YAML safely, with ``extends:``, ``--set`` overrides and located errors.

Every problem is reported as ``FILE:LINE:COL: field.path: what is wrong (allowed: ...)``.
YAML is composed with PyYAML's safe loader into nodes (which carry their positions) and
converted here: only the standard scalar tags are accepted, merge keys and duplicate keys
are refused, and alias expansion is bounded.
"""

from __future__ import annotations

import copy
import difflib
import stat
import typing
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from simfraud.scenario.overrides import OverrideError, parse_assignment, set_path
from simfraud.scenario.schema import RuleChange, Scenario

MAX_FILE_BYTES = 1_000_000
MAX_NODES = 100_000
_ALLOWED_TAGS = {
    "tag:yaml.org,2002:" + t
    for t in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq")
}

Location = tuple[str, int, int]
PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One located problem in a scenario."""

    file: str
    line: int
    column: int
    path: str
    message: str

    def __post_init__(self) -> None:
        # One problem, one line: YAML library messages can span several.
        object.__setattr__(self, "message", " ".join(self.message.split()))

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.path}: {self.message}"


class ScenarioError(Exception):
    """One or more problems in a scenario; ``str()`` gives one located line per problem."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Located:
    """Plain scenario data plus the file position of every key and list item."""

    data: dict[str, Any]
    positions: dict[PathKey, Location]

    def where(self, path: PathKey, fallback: Location) -> Location:
        """Position of ``path`` or of its nearest located ancestor."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.positions:
                return self.positions[path[:cut]]
        return fallback


def _dotted(path: PathKey) -> str:
    return ".".join(str(p) for p in path) or "(top level)"


class _Converter:
    """Turn a composed YAML node tree into plain Python, recording positions."""

    def __init__(self, file: str):
        self.file = file
        self.nodes = 0
        self.positions: dict[PathKey, Location] = {}
        self._scalar_loader = yaml.SafeLoader("")

    def fail(self, node: yaml.Node, path: PathKey, message: str) -> ScenarioError:
        mark = node.start_mark
        return ScenarioError(
            [Problem(self.file, mark.line + 1, mark.column + 1, _dotted(path), message)]
        )

    def convert(self, node: yaml.Node, path: PathKey) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise self.fail(
                node, path,
                f"document expands to more than {MAX_NODES} nodes (aliases are bounded)",
            )
        if node.tag not in _ALLOWED_TAGS:
            raise self.fail(
                node, path,
                f"tag {node.tag!r} is not allowed (allowed: plain YAML scalars, lists, mappings)",
            )
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            out = []
            for index, item in enumerate(node.value):
                self._mark(item, (*path, index))
                out.append(self.convert(item, (*path, index)))
            return out
        try:
            return self._scalar_loader.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, KeyError, AttributeError, IndexError, TypeError):
            tag = node.tag.rsplit(":", 1)[-1]
            raise self.fail(node, path, f"cannot read {node.value!r} as {tag}") from None

    def _mapping(self, node: yaml.MappingNode, path: PathKey) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail(key_node, path, "merge keys (<<) are not supported; use extends:")
            if key_node.tag not in _ALLOWED_TAGS:
                raise self.fail(key_node, path, f"tag {key_node.tag!r} is not allowed "
                                "(allowed: plain YAML scalars, lists, mappings)")
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail(key_node, path, "keys must be plain names")
            key = str(key_node.value)
            child = (*path, key)
            if key in out:
                raise self.fail(key_node, child, f"duplicate key {key!r}")
            self._mark(key_node, child)
            out[key] = self.convert(value_node, child)
        return out

    def _mark(self, node: yaml.Node, path: PathKey) -> None:
        self.positions[path] = (self.file, node.start_mark.line + 1, node.start_mark.column + 1)


def read_yaml(path: Path) -> Located:
    """Read one YAML file into plain data with positions (no ``extends`` handling).

    Args:
        path: File to read.

    Returns:
        The data and positions.

    Raises:
        ScenarioError: On unreadable files, YAML syntax errors, disallowed tags or a
            top level that is not a mapping.
    """
    name = str(path)

    def problem(message: str, line: int = 1, col: int = 1, where: str = "(file)") -> ScenarioError:
        return ScenarioError([Problem(name, line, col, where, message)])

    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(info.st_mode):
            raise problem("not a regular file (allowed: a YAML file; not a device, pipe or "
                          "socket)")
        size = info.st_size
        if size > MAX_FILE_BYTES:
            raise problem(f"file is {size} bytes (allowed: up to {MAX_FILE_BYTES})")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise problem("file not found") from None
    except IsADirectoryError:
        raise problem("is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise problem(f"not UTF-8 text: {exc.reason}") from None
    except OSError as exc:
        raise problem(f"cannot read: {exc.strerror}") from None
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except RecursionError:
        raise problem("YAML nesting is too deep", where="(yaml)") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = " ".join(str(x) for x in (exc.context, exc.problem) if x)
        raise problem(f"YAML syntax error: {what}", line, col, "(yaml)") from None
    except yaml.YAMLError as exc:
        raise problem(f"YAML error: {exc}", where="(yaml)") from None
    if len(nodes) != 1:
        found = "an empty file" if not nodes else f"{len(nodes)} documents"
        raise ScenarioError([Problem(name, 1, 1, "(top level)",
                                     f"expected one YAML mapping, found {found}")])
    converter = _Converter(name)
    data = converter.convert(nodes[0], ())
    if not isinstance(data, dict):
        mark = nodes[0].start_mark
        raise ScenarioError([Problem(name, mark.line + 1, mark.column + 1, "(top level)",
                                     f"expected a mapping of scenario fields, "
                                     f"found {type(data).__name__}")])
    return Located(data, converter.positions)


def _merge(base: Located, child: Located, path: PathKey = ()) -> None:
    """Deep-merge ``child`` into ``base`` (mappings merge, anything else replaces)."""
    node_base = base.data
    for part in path:
        node_base = node_base[part]
    node_child = child.data
    for part in path:
        node_child = node_child[part]
    for key, value in node_child.items():
        here = (*path, key)
        if isinstance(value, dict) and isinstance(node_base.get(key), dict):
            _merge(base, child, here)
        else:
            for stale in [p for p in base.positions if p[: len(here)] == here]:
                del base.positions[stale]
            node_base[key] = value
        base.positions.update(
            {p: loc for p, loc in child.positions.items() if p[: len(here)] == here}
        )


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
    located = read_yaml(path)
    parent_name = located.data.pop("extends", None)
    if parent_name is None:
        return located
    file, line, col = located.positions[("extends",)]
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise ScenarioError([Problem(file, line, col, "extends", "must be a file name "
                                     "(allowed: a path relative to this file)")])
    parent = (path.parent / parent_name).resolve()
    chain = (*_chain, path.resolve())
    if parent in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent))
        raise ScenarioError([Problem(file, line, col, "extends", f"extends cycle: {cycle}")])
    if root is not None and root.resolve() not in parent.parents:
        raise ScenarioError([Problem(file, line, col, "extends",
                                     f"{parent_name!r} is outside the scenarios folder "
                                     "(allowed: a scenario file in that folder)")])
    if not parent.is_file():
        raise ScenarioError([Problem(file, line, col, "extends",
                                     f"file {parent_name!r} not found (looked in {path.parent})")])
    base = resolve_extends(parent, chain, root)
    located.positions.pop(("extends",))
    _merge(base, located)
    return base


def _unwrap(annotation: Any) -> list[Any]:
    """Candidate inner types of an annotation (through Annotated, Optional, unions)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _model_for(loc: tuple[Any, ...]) -> tuple[type[BaseModel] | None, Any]:
    """Walk the schema along a pydantic error location.

    Returns:
        The model class that owns the last location element and that element's field
        info (or None when the walk leaves the schema).
    """
    model: Any = Scenario
    field = None
    for part in loc:
        if isinstance(model, type) and issubclass(model, BaseModel):
            if part not in model.model_fields:
                return model, None
            field = model.model_fields[part]
            model = field.annotation
            continue
        candidates = _unwrap(model)
        chosen = None
        for cand in candidates:
            origin = typing.get_origin(cand)
            if origin in (list, dict):
                chosen = _unwrap(typing.get_args(cand)[-1])
                break
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                tag = cand.model_fields.get("type")
                if tag is not None and part in typing.get_args(tag.annotation):
                    chosen = [cand]
                    break
        if chosen is None:
            return None, None
        model = chosen[0] if len(chosen) == 1 else typing.Union[tuple(chosen)]  # noqa: UP007
    return None, field


def _allowed(field: Any) -> str | None:
    """Human-readable allowed values or range of a field."""
    if field is None:
        return None
    candidates = _unwrap(field.annotation)
    for cand in list(candidates):
        if typing.get_origin(cand) is list:
            candidates.extend(_unwrap(typing.get_args(cand)[0]))
    for cand in candidates:
        if isinstance(cand, type) and issubclass(cand, Enum):
            return ", ".join(str(m.value) for m in cand)
        if typing.get_origin(cand) is typing.Literal:
            return ", ".join(str(a) for a in typing.get_args(cand))
    low = high = None
    for meta in field.metadata:
        for attr, is_low in (("ge", True), ("gt", True), ("le", False), ("lt", False)):
            value = getattr(meta, attr, None)
            if value is not None:
                shown = f"{value:_}" if float(value).is_integer() else f"{value:g}"
                text = f"{'>' if attr == 'gt' else '<' if attr == 'lt' else ''}{shown}"
                if is_low:
                    low = text
                else:
                    high = text
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f">= {low}" if low[0] != ">" else low
    if high is not None:
        return f"<= {high}" if high[0] != "<" else high
    return None


def _clean_path(data: Any, loc: tuple[Any, ...]) -> tuple[PathKey, tuple[Any, ...]]:
    """Split a pydantic location into the data path (for positions) and schema path.

    Discriminated unions add their tag to the location; it is kept for the schema walk
    but dropped from the data path.
    """
    data_path: list[Any] = []
    node = data
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
            data_path.append(part)
        elif isinstance(node, dict) and node.get("type") == part:
            continue
        else:
            data_path.append(part)
            node = None
    return tuple(data_path), loc


def _message(error: dict[str, Any], schema_loc: tuple[Any, ...]) -> str:
    kind = error["type"]
    owner, field = _model_for(schema_loc)
    if kind == "extra_forbidden":
        key = str(schema_loc[-1])
        allowed = sorted(owner.model_fields) if owner else []
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {key!r}{hint} (allowed: {', '.join(allowed)})"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        expected = expected.replace("'", "")
        return f"unknown event type {error['input'].get('type')!r} (allowed: {expected})"
    if kind == "union_tag_not_found":
        return ("event needs a 'type' "
                "(allowed: tool_release, breach, rule_change, attacker_cost_drop)")
    message = error["msg"].removeprefix("Value error, ")
    allowed = _allowed(field)
    got = error.get("input")
    if kind in ("enum", "literal_error") and allowed:
        close = difflib.get_close_matches(str(got), allowed.split(", "), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"{got!r} is not allowed{hint} (allowed: {allowed})"
    if kind != "value_error" and not isinstance(got, dict | list):
        message += f" (got {got!r}"
        message += f"; allowed: {allowed})" if allowed else ")"
    elif allowed:
        message += f" (allowed: {allowed})"
    return message


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
        problems = []
        for error in exc.errors():
            data_path, schema_loc = _clean_path(located.data, error["loc"])
            file, line, col = located.where(data_path, fallback)
            problems.append(Problem(file, line, col, _dotted(data_path),
                                    _message(error, schema_loc)))
        raise ScenarioError(problems) from None
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
                problems.append(Problem(file, line, col, _dotted((*where, path)), str(exc)))
        for path in event.set:
            fixed = _fixed_at_start(path)
            if fixed:
                file, line, col = located.where((*where, path), fallback)
                problems.append(Problem(file, line, col, _dotted((*where, path)), fixed))
        if problems:
            raise ScenarioError(problems)
        try:
            current = Scenario.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = _dotted(error["loc"])
                path = next((p for p in event.set if p.startswith(loc) or loc.startswith(p)),
                            loc if error["loc"] else "(whole scenario)")
                file, line, col = located.where((*where, path), fallback)
                _, schema_loc = _clean_path({}, error["loc"])
                problems.append(Problem(file, line, col, _dotted((*where, path)),
                                        _message(error, schema_loc)))
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
    if scenario.sensitivity is not None:
        trials += [(("sensitivity", "parameters", path), path, value)
                   for path, bounds in scenario.sensitivity.parameters.items()
                   for value in (bounds.low, bounds.high)]
    base = scenario.model_dump(mode="json")
    problems = []
    for where, path, value in trials:
        file, line, col = located.where(where, fallback)
        data = copy.deepcopy(base)
        try:
            set_path(data, path, value)
            Scenario.model_validate(data)
        except OverrideError as exc:
            problems.append(Problem(file, line, col, _dotted(where), str(exc)))
        except ValidationError as exc:
            for error in exc.errors():
                _, schema_loc = _clean_path({}, error["loc"])
                problems.append(Problem(file, line, col, _dotted(where),
                                        f"value {value!r}: {_message(error, schema_loc)}"))
        if len(problems) >= 20:
            break
    if problems:
        raise ScenarioError(problems)


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
        overrides: ``dotted.path=value`` assignments applied after the file (``--set``).
        root: When given, ``extends:`` may only name files inside this folder.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With located messages for every problem found.
    """
    path = Path(path)
    located = resolve_extends(path, root=None if root is None else Path(root))
    scenario = validate(located, (str(path), 1, 1))
    for text in overrides:
        origin = f"--set {text}"
        try:
            key, value = parse_assignment(text)
            data = scenario.model_dump(mode="json")
            set_path(data, key, value)
        except OverrideError as exc:
            raise ScenarioError([Problem(origin, 1, 1, text.partition("=")[0] or "(set)",
                                         str(exc))]) from None
        override = Located(data, {})
        scenario = validate(override, (origin, 1, 1))
    return scenario
