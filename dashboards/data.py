"""Finding and loading result sets and scenarios, confined to the configured folders.

Result sets are identified by their path relative to the results folder; every id is
resolved and checked to stay inside that folder, so nothing else can be read through the
dashboard. Loaded frames are cached by path and modification time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

MANIFEST = "manifest.json"
MAX_DEPTH = 4
RUNS_FOLDER = "dashboard"
"""Folder below the results folder where the Run page writes."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnsafePathError(ValueError):
    """A requested path leaves the folder it must stay in."""


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that resolves outside ``root``.

    Args:
        root: The allowed folder.
        relative: A path relative to it (an id from the catalog).

    Returns:
        The resolved path.

    Raises:
        UnsafePathError: When the path escapes ``root`` (``..``, absolute paths, symlinks).
    """
    base = root.resolve()
    target = (base / relative).resolve()
    if target != base and base not in target.parents:
        raise UnsafePathError(f"{relative!r} is outside {root}")
    return target


def safe_name(name: str, fallback: str) -> str:
    """``name`` with anything but letters, digits, ``.``, ``_`` and ``-`` replaced.

    The result is one path component (no separators, no leading dots), at most 80
    characters; ``fallback`` when nothing is left.
    """
    return _UNSAFE.sub("_", name).strip("._")[:80] or fallback


def result_id_for(scenario_name: str, stamp: str) -> str:
    """The id (folder below the results folder) of a run started on the Run page.

    The scenario's name comes from a possibly uploaded file, so it is made safe: the id
    is always one folder below ``RUNS_FOLDER`` whatever the name says.
    """
    return f"{RUNS_FOLDER}/{safe_name(scenario_name, 'scenario')}-{stamp}"


@dataclass(frozen=True)
class ResultInfo:
    """One result folder (a `simfraud run` output, possibly a run of an experiment)."""

    id: str
    name: str
    replicates: int
    users: int
    days: int


def catalog(results: Path) -> list[ResultInfo]:
    """Every complete result folder below ``results`` (those with a manifest)."""
    found = []
    if not results.is_dir():
        return found
    base = results.resolve()
    for manifest in sorted(base.rglob(MANIFEST)):
        if len(manifest.relative_to(base).parts) > MAX_DEPTH + 1:
            continue
        try:
            meta = json.loads(manifest.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        folder = manifest.parent
        found.append(ResultInfo(
            id=str(folder.relative_to(base)),
            name=str(meta.get("scenario_name", folder.name)),
            replicates=int(meta.get("replicates", 1)),
            users=int(meta.get("users", 0)),
            days=int(meta.get("days", 0)),
        ))
    return found


@dataclass(frozen=True)
class Result:
    """A loaded result folder."""

    id: str
    name: str
    timeseries: pd.DataFrame
    vectors: pd.DataFrame
    scenario_yaml: str
    manifest: dict


def load_result(results: Path, result_id: str) -> Result:
    """Load one result folder (cached while its files do not change).

    Raises:
        UnsafePathError: When ``result_id`` leaves the results folder.
        FileNotFoundError: When the folder is not a complete result.
    """
    folder = inside(results, result_id)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise FileNotFoundError(f"{result_id} is not a complete result folder")
    return _load(str(folder), manifest.stat().st_mtime_ns, result_id)


@lru_cache(maxsize=16)
def _load(folder: str, stamp: int, result_id: str) -> Result:
    path = Path(folder)
    meta = json.loads((path / MANIFEST).read_text())
    return Result(
        id=result_id,
        name=str(meta.get("scenario_name", path.name)),
        timeseries=pd.read_parquet(path / "timeseries.parquet"),
        vectors=pd.read_parquet(path / "vectors.parquet"),
        scenario_yaml=(path / "scenario.yaml").read_text(),
        manifest=meta,
    )


def scenario_files(scenarios: Path) -> list[str]:
    """Scenario files (``*.yaml``) directly in the scenarios folder, by name."""
    if not scenarios.is_dir():
        return []
    return sorted(p.name for p in scenarios.glob("*.yaml") if p.is_file())
