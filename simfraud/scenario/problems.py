"""Located problems: ``FILE:LINE:COL: field.path: message`` and the data they point into."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    """Plain data read from YAML plus the file position of every key and list item."""

    data: Any
    positions: dict[PathKey, Location]

    def where(self, path: PathKey, fallback: Location) -> Location:
        """Position of ``path`` or of its nearest located ancestor."""
        for cut in range(len(path), -1, -1):
            if path[:cut] in self.positions:
                return self.positions[path[:cut]]
        return fallback


def dotted(path: PathKey) -> str:
    """``('platforms', 0, 'name')`` as ``platforms.0.name`` (``(top level)`` when empty)."""
    return ".".join(str(p) for p in path) or "(top level)"
