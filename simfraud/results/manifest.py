"""Read and verify a result folder's ``manifest.json`` and the files it records.

A folder is a verified result when its manifest parses as a JSON object with valid fields
and every file in its ``files`` record exists with the recorded size and SHA-256. Every
problem is a ``ResultFolderError`` whose message names the file and what is wrong.
"""

from __future__ import annotations

import errno
import hashlib
import json
import stat
from pathlib import Path
from typing import Literal

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from simfraud.results.lock import shown
from simfraud.scenario.schema import MAX_DAYS, MAX_REPLICATES, MAX_USERS

MANIFEST = "manifest.json"
CHUNK = 1 << 20
MAX_RECORD_BYTES = 64_000_000
"""Largest JSON record of a results folder read (``manifest.json``, ``experiment.json``,
``summary.json``): simfraud writes a few kilobytes to a few megabytes."""


def record_bytes(path: Path) -> bytes:
    """The bytes of a JSON record of a results folder (manifest, experiment, summary).

    Only a regular file of at most ``MAX_RECORD_BYTES`` is read: a FIFO would block, a
    link to ``/dev/zero`` never end.

    Raises:
        OSError: When it is missing, unreadable, not a regular file or too large
            (``strerror`` says which).
    """
    info = path.stat()
    if not stat.S_ISREG(info.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    if info.st_size > MAX_RECORD_BYTES:
        raise OSError(errno.EFBIG, f"{info.st_size:,} bytes (allowed: up to "
                                   f"{MAX_RECORD_BYTES:,})")
    return path.read_bytes()


class ResultFolderError(Exception):
    """A result folder is incomplete or corrupt (the message says which file and why)."""


class FileRecord(BaseModel):
    """Size and hash of one result file, as written."""

    model_config = ConfigDict(extra="forbid", strict=True)

    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(BaseModel):
    """The fields of ``manifest.json`` that readers rely on (others are kept as they are)."""

    model_config = ConfigDict(extra="allow", strict=True)

    scenario_name: str = ""
    replicates: int = Field(1, ge=1, le=MAX_REPLICATES)
    replicate: int = Field(0, ge=0)
    users: int = Field(0, ge=0, le=MAX_USERS)
    days: int = Field(0, ge=0, le=MAX_DAYS)
    engine: Literal["columnar", "agents"] = "columnar"
    transactions: float = Field(0.0, ge=0.0, le=1.0)
    files: dict[str, FileRecord] | None = None


def file_record(path: Path) -> dict[str, int | str]:
    """Size and SHA-256 of a file (what the manifest records under ``files``)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def read_manifest(folder: Path) -> Manifest:
    """Parse and check ``folder/manifest.json``.

    Raises:
        ResultFolderError: When it is missing, not JSON, not an object or has bad fields.
    """
    path = shown(folder / MANIFEST)
    try:
        data = json.loads(record_bytes(folder / MANIFEST))
    except FileNotFoundError:
        raise ResultFolderError(f"{path}: missing (not a complete result folder)") from None
    except OSError as exc:
        raise ResultFolderError(f"{path}: cannot be read ({exc.strerror})") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ResultFolderError(f"{path}: not valid JSON ({_json_problem(exc)})") from None
    if not isinstance(data, dict):
        raise ResultFolderError(f"{path}: a JSON {type(data).__name__}, not an object")
    try:
        return Manifest.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ResultFolderError(f"{path}: {field_problems(exc)}") from None


def field_problems(exc: pydantic.ValidationError) -> str:
    """The errors of a JSON record's fields on one line: ``field: what (got ...); ...``."""
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']} (got {_short(e['input'])})"
                     for e in exc.errors())


def verify_files(folder: Path, manifest: Manifest, names: tuple[str, ...] | None = None,
                 hashes: bool = True) -> None:
    """Check that the files the manifest records exist with their size (and hash).

    Args:
        folder: The result folder.
        manifest: Its manifest (``read_manifest``); it must record ``files``.
        names: Check only these of the recorded files (default: all).
        hashes: Also compare SHA-256 (else sizes only, which reads no data).

    Raises:
        ResultFolderError: Naming the first file that does not match.
    """
    if manifest.files is None:
        raise ResultFolderError(f"{folder / MANIFEST}: records no file sizes or hashes "
                                "(written by an older simfraud)")
    for name, record in manifest.files.items():
        if names is not None and name not in names:
            continue
        path = folder / name
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ResultFolderError(f"{path}: {exc.strerror.lower()}, but the manifest "
                                    "lists it") from None
        if size != record.bytes:
            raise ResultFolderError(f"{path}: {size:,} bytes, the manifest records "
                                    f"{record.bytes:,} (truncated or replaced)")
        if hashes and file_record(path)["sha256"] != record.sha256:
            raise ResultFolderError(f"{path}: contents differ from the manifest's SHA-256 "
                                    "(corrupt)")


def verified(folder: Path, required: tuple[str, ...] = ()) -> Manifest:
    """The manifest of a result folder whose every recorded file checks out.

    Args:
        folder: The result folder.
        required: Files the manifest must record.

    Raises:
        ResultFolderError: When the folder does not verify.
    """
    manifest = read_manifest(folder)
    verify_files(folder, manifest)
    missing = [name for name in required if name not in (manifest.files or {})]
    if missing:
        raise ResultFolderError(f"{folder / MANIFEST}: records no {', '.join(missing)}")
    return manifest


def _json_problem(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"line {exc.lineno} column {exc.colno}: {exc.msg}"
    return "not UTF-8 text"


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."
