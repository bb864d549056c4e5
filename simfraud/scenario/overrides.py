"""Dotted-path access to scenario data: ``platforms.0.liveness.level``.

Used by ``--set`` on the command line and by ``rule_change`` events in timelines.
List items are addressed by their index.
"""

from __future__ import annotations

import re
from typing import Any

import yaml


class OverrideError(ValueError):
    """A dotted path that does not lead anywhere in the scenario data."""


def parse_assignment(text: str) -> tuple[str, Any]:
    """Split ``path=value`` and parse the value as a YAML scalar or flow collection.

    Args:
        text: The assignment as typed, e.g. ``platforms.0.liveness.level=depth_3d``.

    Returns:
        The dotted path and the parsed value.

    Raises:
        OverrideError: When there is no ``=``, the path is empty or the value is not YAML.
    """
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path:
        raise OverrideError(f"expected PATH=VALUE, got {text!r}")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError as exc:
        raise OverrideError(f"value {raw!r} is not valid YAML: {exc}") from None
    return path, value


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at dotted ``path`` inside nested dicts and lists, in place.

    Missing mapping keys are created (the schema then judges them); list indices must
    exist.

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
            if last:
                node[part] = value
            else:
                node = node.setdefault(part, {})
        else:
            raise OverrideError(f"{here} is a value, not a block: cannot set {part!r} inside it")
