"""Dotted-path access to scenario data: ``platforms.0.liveness.level``.

Used by ``--set`` on the command line and by ``rule_change`` events in timelines.
List items are addressed by their index. A mapping whose keys are themselves dotted paths
(a rule change's ``set``) is addressed by the whole rest of the path:
``timeline.2.set.platforms.0.reimbursement.share`` is the value that event sets.
"""

from __future__ import annotations

import re
from typing import Any

from simfraud.scenario.yaml12 import parse_yaml


class OverrideError(ValueError):
    """A dotted path that does not lead anywhere in the scenario data."""


def parse_assignment(text: str, origin: str | None = None) -> tuple[str, Any]:
    """Split ``path=value`` and parse the value as YAML 1.2 (a scalar or flow collection).

    The value is read with the same limits as scenario files (size, nesting, aliases,
    tags; see :mod:`simfraud.scenario.yaml12`).

    Args:
        text: The assignment as typed, e.g. ``platforms.0.liveness.level=depth_3d``.
        origin: Name of the assignment in messages (default ``--set TEXT``).

    Returns:
        The dotted path and the parsed value.

    Raises:
        OverrideError: When there is no ``=`` or the path is empty.
        ScenarioError: When the value is not YAML or breaks a limit (located in it).
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise OverrideError(f"expected PATH=VALUE, got {text!r}")
    if not raw.strip():
        return path, ""
    return path, parse_yaml(raw, origin or f"--set {text}", prefix=tuple(path.split("."))).data


def get_path(data: Any, path: str) -> Any:
    """The value at dotted ``path`` (integer parts index lists).

    Raises:
        OverrideError: When the path leads nowhere.
    """
    node = data
    parts = path.split(".")
    for depth, part in enumerate(parts):
        rest = ".".join(parts[depth:])
        if isinstance(node, dict) and depth < len(parts) - 1 and rest in node:
            return node[rest]
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise OverrideError(f"parameter {path!r} is not a scenario field") from None
    return node


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at dotted ``path`` inside nested dicts and lists, in place.

    Missing mapping keys are created (the schema then judges them); list indices must
    exist. Where a mapping holds the rest of the path as one key (a rule change's ``set``),
    that key's value is replaced.

    Args:
        data: Scenario data as plain dicts and lists.
        path: Dotted path; integer parts index lists.
        value: New value.

    Raises:
        OverrideError: When the path crosses a scalar or indexes past a list's end.
    """
    parts = path.split(".")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join(parts[:depth]) or "(top level)"
        if isinstance(node, list):
            if not re.fullmatch(r"-?[0-9]+", part):
                raise OverrideError(f"{here} is a list: address its items by index, not {part!r}")
            index = int(part)
            if not -len(node) <= index < len(node):
                raise OverrideError(
                    f"{here} has {len(node)} item(s): index {index} is out of range "
                    f"(allowed: 0 to {len(node) - 1})"
                )
            if last:
                node[index] = value
            else:
                node = node[index]
        elif isinstance(node, dict):
            rest = ".".join(parts[depth:])
            if last or rest in node:
                node[rest] = value
                return
            node = node.setdefault(part, {})
        else:
            raise OverrideError(f"{here} is a value, not a block: cannot set {part!r} inside it")
