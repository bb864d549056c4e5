"""Finding and loading result sets and scenarios, confined to the configured folders.

Result sets are identified by their path relative to the results folder; every id is
resolved and checked to stay inside that folder, so nothing else can be read through the
dashboard. Hidden folders (staging folders of runs being written) are never listed. A
folder whose manifest or files are bad is listed with the reason and loading it raises
``BadResultError``, so one bad folder never takes a page down. Loaded frames are cached
by path and modification time.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pyarrow as pa

from dashboards.request_values import BadRequestValueError, usable_name
from simfraud.core.metrics import TIMESERIES
from simfraud.experiments.dispatch import EXPERIMENT
from simfraud.experiments.load import arm_table, is_experiment, load_arm
from simfraud.results.manifest import (
    MANIFEST,
    Manifest,
    ResultFolderError,
    read_manifest,
    record_bytes,
    verify_files,
)
from simfraud.scenario.problems import ScenarioError
from simfraud.scenario.yaml12 import parse_yaml

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


UNAVAILABLE = (UnsafePathError, BadResultError, BadRequestValueError)
"""What ``load_result`` (and the checks of ``request_values``) raise for what cannot be
shown: pages show the message."""


def inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that resolves outside ``root``.

    Args:
        root: The allowed folder.
        relative: A path relative to it (an id from the catalog, or what a request says).

    Returns:
        The resolved path.

    Raises:
        UnsafePathError: When the path escapes ``root`` (``..``, absolute paths, symlinks)
            or is not a usable name (not text, a NUL, too long, a symbolic-link loop).
    """
    try:
        base = root.resolve()
        target = (base / usable_name(relative, "path")).resolve()
    except (BadRequestValueError, OSError, RuntimeError) as exc:
        raise UnsafePathError(str(exc)) from None
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
    """One result set: a `simfraud run` folder or an arm of an experiment.

    ``problem`` says why a folder cannot be shown (then the other fields are defaults).

    Attributes:
        created: When it was written (``created_utc`` of its manifest, ISO 8601).
        scenario_sha256: Hash of the resolved scenario (equal for replicates of one arm).
    """

    id: str
    name: str
    replicates: int = 1
    users: int = 0
    days: int = 0
    problem: str = ""
    created: str = ""
    scenario_sha256: str = ""


ARM = "::"
"""Separator of an experiment arm's id: ``EXPERIMENT_FOLDER::POINT``."""


def _result_folders(base: Path) -> tuple[list[Path], list[Path]]:
    """Result folders (a manifest) and experiment folders below ``base``.

    At most ``MAX_DEPTH`` levels down; hidden folders are skipped and symbolic links to
    folders are not followed.
    """
    found, experiments = [], []
    for root, dirs, files in os.walk(base):
        depth = len(Path(root).relative_to(base).parts)
        dirs[:] = [d for d in dirs if not d.startswith(".")] if depth < MAX_DEPTH else []
        if MANIFEST in files and depth > 0:
            found.append(Path(root))
        if EXPERIMENT in files and depth > 0 and is_experiment(Path(root)):
            experiments.append(Path(root))
    return sorted(found, key=lambda folder: folder / MANIFEST), sorted(experiments)


def catalog(results: Path) -> list[ResultInfo]:
    """Every result set below ``results``: run folders, experiment arms, bad folders.

    Bad folders come with the reason they cannot be shown.

    A run of an experiment (a folder under ``EXPERIMENT/runs/``) is not listed on its
    own: each arm of the experiment (a compared scenario, a sweep's grid point) is one
    result set with all its finished replicates, id ``EXPERIMENT::POINT``. The check
    reads each manifest and compares the sizes of the files it records (no file's data
    is read); ``load_result`` also checks their hashes.
    """
    if not results.is_dir():
        return []
    base = results.resolve()
    folders, experiments = _result_folders(base)
    found = []
    for folder in folders:
        if folder.parent.name == "runs" and folder.parent.parent in experiments:
            continue
        result_id = str(folder.relative_to(base))
        try:
            inside(base, f"{result_id}/{MANIFEST}")
            meta = _checked(folder, hashes=False)
        except (UnsafePathError, ResultFolderError) as exc:
            found.append(ResultInfo(result_id, folder.name, problem=_relative(exc, base)))
            continue
        extra = meta.model_extra or {}
        found.append(ResultInfo(result_id, meta.scenario_name or folder.name,
                                meta.replicates, meta.users, meta.days,
                                created=str(extra.get("created_utc", "")),
                                scenario_sha256=str(extra.get("scenario_sha256", ""))))
    for folder in experiments:
        found.extend(_arms(folder, str(folder.relative_to(base))))
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


def _json(path: Path) -> dict | None:
    try:
        return json.loads(record_bytes(path))
    except (OSError, json.JSONDecodeError):
        return None


def _info(id_: str, meta: dict, name: str, replicates: int | None = None,
          created: str | None = None) -> ResultInfo:
    return ResultInfo(
        id=id_, name=name,
        replicates=int(meta.get("replicates", 1) if replicates is None else replicates),
        users=int(meta.get("users", 0)), days=int(meta.get("days", 0)),
        created=str(meta.get("created_utc", "") if created is None else created),
        scenario_sha256=str(meta.get("scenario_sha256", "")),
    )


def _arms(folder: Path, relative: str) -> list[ResultInfo]:
    """The arms of one experiment with a finished run.

    When its index cannot be read, the experiment itself, with the reason.
    """
    record = _json(folder / EXPERIMENT) or {}
    try:
        index = pd.read_parquet(folder / "index.parquet")
        arms = arm_table(index)
    except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
        return [ResultInfo(relative, folder.name, problem=f"{relative}/index.parquet: "
                           f"unreadable ({_first_line(exc)})")]
    infos = []
    for arm in arms.itertuples():
        first = index[(index["point"] == arm.point) & (index["status"] == "ok")]["run_id"]
        meta = _json(folder / "runs" / str(first.iloc[0]) / MANIFEST)
        if meta is not None:
            infos.append(_info(f"{relative}{ARM}{arm.point:04d}", meta, str(arm.arm),
                               int(arm.replicates), record.get("created_utc")))
    return infos


def _first_line(exc: Exception) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:200]


def newest_first(infos: list[ResultInfo]) -> list[ResultInfo]:
    """The result sets, the most recently written first (ties by id)."""
    return sorted(sorted(infos, key=lambda i: i.id), key=lambda i: i.created, reverse=True)


def default_pair(infos: list[ResultInfo]) -> list[str]:
    """Two result sets worth comparing: the newest and the newest with another scenario.

    Falls back to the two newest when every result set ran the same scenario.
    """
    ordered = newest_first([i for i in infos if not i.problem])
    if not ordered:
        return []
    first = ordered[0]
    other = next((i for i in ordered[1:] if i.scenario_sha256 != first.scenario_sha256),
                 ordered[1] if len(ordered) > 1 else None)
    return [first.id] + ([other.id] if other else [])


@dataclass(frozen=True)
class Result:
    """A loaded result folder."""

    id: str
    name: str
    timeseries: pd.DataFrame
    vectors: pd.DataFrame
    scenario_yaml: str
    manifest: dict

    @property
    def currency(self) -> str:
        """The scenario's currency: from the manifest, else from the resolved scenario."""
        if self.manifest.get("currency"):
            return str(self.manifest["currency"])
        try:
            scenario = parse_yaml(self.scenario_yaml, "scenario.yaml").data
        except ScenarioError:
            scenario = None
        return str(scenario.get("currency", "GBP")) if isinstance(scenario, dict) else "GBP"


def load_result(results: Path, result_id: str) -> Result:
    """Load one result folder (cached while its manifest does not change).

    Raises:
        BadRequestValueError: When ``result_id`` is not text or not a usable name.
        UnsafePathError: When ``result_id`` leaves the results folder.
        BadResultError: When the folder is not a complete result, or its manifest or
            files are bad (not JSON, wrong fields, truncated, corrupt, missing columns).
    """
    result_id = usable_name(result_id, "result set")
    if ARM in result_id:
        relative, _, point = result_id.partition(ARM)
        folder = inside(results, relative)
        try:
            if not is_experiment(folder) or not point.isdigit():
                raise BadResultError(f"{result_id}: not an arm of an experiment")
            stamp = (folder / "index.parquet").stat().st_mtime_ns
            return _load_arm(str(folder), int(point), stamp, result_id)
        except (OSError, ValueError, KeyError, pa.ArrowException) as exc:
            raise BadResultError(f"bad experiment arm {result_id}: {_first_line(exc)}") from None
    folder = inside(results, result_id)
    manifest = folder / MANIFEST
    try:
        if not manifest.is_file():
            raise BadResultError(f"{result_id}: not a complete result folder (no {MANIFEST})")
        return _load(str(folder), manifest.stat().st_mtime_ns, result_id)
    except OSError as exc:
        raise BadResultError(f"{result_id[:120]}: cannot be read ({exc.strerror})") from None
    except ResultFolderError as exc:
        raise BadResultError(f"bad result folder {result_id}: "
                             f"{_relative(exc, results.resolve())}") from None


@lru_cache(maxsize=16)
def _load_arm(folder: str, point: int, stamp: int, result_id: str) -> Result:
    arm = load_arm(Path(folder), point)
    return Result(id=result_id, name=arm.name, timeseries=arm.timeseries,
                  vectors=arm.vectors, scenario_yaml=arm.scenario_yaml, manifest=arm.manifest)


@lru_cache(maxsize=16)
def _load(folder: str, stamp: int, result_id: str) -> Result:
    path = Path(folder)
    meta = _checked(path, hashes=True)
    frames = {name: _table(path / name) for name in COLUMNS}
    try:
        text = (path / "scenario.yaml").read_text()
        if not isinstance(parse_yaml(text, "scenario.yaml").data or {}, dict):
            raise ValueError("not a mapping")
    except (OSError, ValueError, ScenarioError) as exc:
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
