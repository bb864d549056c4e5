"""Finding and loading result sets and scenarios, confined to the configured folders.

Result sets are identified by their path relative to the results folder; every id is
resolved and checked to stay inside that folder, so nothing else can be read through the
dashboard. Hidden folders (staging folders of runs being written) are never listed. A
folder whose manifest or files are bad is listed with the reason and loading it raises
``BadResultError``, so one bad folder never takes a page down. Loaded frames are cached
by path and modification time.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa
import yaml

from simfraud.core.metrics import TIMESERIES
from simfraud.results.manifest import (
    MANIFEST,
    Manifest,
    ResultFolderError,
    read_manifest,
    verify_files,
)

MAX_DEPTH = 4
SHOWN_FILES = ("timeseries.parquet", "vectors.parquet", "scenario.yaml")
"""The files of a result folder the pages read."""
COLUMNS = {
    "timeseries.parquet": ("replicate", "day", "date", *(m.name for m in TIMESERIES)),
    "vectors.parquet": ("replicate", "day", "platform", "vector", "attempts", "successes",
                        "loss", "refunded"),
}
RUNS_FOLDER = "dashboard"
"""Folder below the results folder where the Run page writes."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class UnsafePathError(ValueError):
    """A requested path leaves the folder it must stay in."""


class BadResultError(Exception):
    """A result folder cannot be shown (the message names it and says why)."""


UNAVAILABLE = (UnsafePathError, BadResultError)
"""What ``load_result`` raises for a result id that cannot be shown: pages show the message."""


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
    """One result folder (a `simfraud run` output, possibly a run of an experiment).

    ``problem`` says why a folder cannot be shown (then the other fields are defaults).
    """

    id: str
    name: str
    replicates: int = 1
    users: int = 0
    days: int = 0
    problem: str = ""


def _result_folders(base: Path) -> list[Path]:
    """Folders holding a manifest, at most ``MAX_DEPTH`` below ``base``, hidden ones skipped.

    Symbolic links to folders are not followed.
    """
    found = []
    for root, dirs, files in os.walk(base):
        depth = len(Path(root).relative_to(base).parts)
        dirs[:] = [d for d in dirs if not d.startswith(".")] if depth < MAX_DEPTH else []
        if MANIFEST in files and depth > 0:
            found.append(Path(root))
    return sorted(found, key=lambda folder: folder / MANIFEST)


def catalog(results: Path) -> list[ResultInfo]:
    """Every result folder below ``results``: complete ones, and bad ones with the reason.

    The check reads each manifest and compares the sizes of the files it records (no
    file's data is read); ``load_result`` also checks their hashes.
    """
    if not results.is_dir():
        return []
    base = results.resolve()
    found = []
    for folder in _result_folders(base):
        result_id = str(folder.relative_to(base))
        try:
            inside(base, f"{result_id}/{MANIFEST}")
            meta = _checked(folder, hashes=False)
        except (UnsafePathError, ResultFolderError) as exc:
            found.append(ResultInfo(result_id, folder.name, problem=_relative(exc, base)))
            continue
        found.append(ResultInfo(result_id, meta.scenario_name or folder.name,
                                meta.replicates, meta.users, meta.days))
    return found


def _checked(folder: Path, hashes: bool) -> Manifest:
    """The folder's manifest, after checking the files the pages read."""
    meta = read_manifest(folder)
    if meta.files is not None:
        verify_files(folder, meta, SHOWN_FILES, hashes=hashes)
    for name in SHOWN_FILES:
        unrecorded = meta.files is not None and name not in meta.files
        if unrecorded or not (folder / name).is_file():
            raise ResultFolderError(f"{folder / name}: missing")
    return meta


def _relative(exc: Exception, base: Path) -> str:
    """The message with the results folder's own path left out."""
    return str(exc).replace(f"{base}{os.sep}", "")


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
    """Load one result folder (cached while its manifest does not change).

    Raises:
        UnsafePathError: When ``result_id`` leaves the results folder.
        BadResultError: When the folder is not a complete result, or its manifest or
            files are bad (not JSON, wrong fields, truncated, corrupt, missing columns).
    """
    folder = inside(results, result_id)
    manifest = folder / MANIFEST
    if not manifest.is_file():
        raise BadResultError(f"{result_id}: not a complete result folder (no {MANIFEST})")
    try:
        return _load(str(folder), manifest.stat().st_mtime_ns, result_id)
    except ResultFolderError as exc:
        raise BadResultError(f"bad result folder {result_id}: "
                             f"{_relative(exc, results.resolve())}") from None


@lru_cache(maxsize=16)
def _load(folder: str, stamp: int, result_id: str) -> Result:
    path = Path(folder)
    meta = _checked(path, hashes=True)
    frames = {name: _table(path / name) for name in COLUMNS}
    try:
        text = (path / "scenario.yaml").read_text()
        if not isinstance(yaml.safe_load(text) or {}, dict):
            raise ValueError("not a mapping")
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise ResultFolderError(f"{path / 'scenario.yaml'}: unreadable ({exc})") from None
    return Result(id=result_id, name=meta.scenario_name or path.name,
                  timeseries=frames["timeseries.parquet"],
                  vectors=frames["vectors.parquet"], scenario_yaml=text,
                  manifest=meta.model_dump())


def _table(path: Path) -> pd.DataFrame:
    """A Parquet table with the columns the pages need."""
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise ResultFolderError(f"{path}: not a readable Parquet file ({exc})") from None
    missing = [c for c in COLUMNS[path.name] if c not in frame.columns]
    if missing:
        raise ResultFolderError(f"{path}: missing columns {', '.join(missing[:5])}")
    return frame


def scenario_files(scenarios: Path) -> list[str]:
    """Scenario files (``*.yaml``) directly in the scenarios folder, by name."""
    if not scenarios.is_dir():
        return []
    return sorted(p.name for p in scenarios.glob("*.yaml") if p.is_file())
