"""Write a result folder atomically: complete, or not there at all.

Files are written into a hidden staging folder next to the output folder, flushed to disk
and then moved in; ``manifest.json`` goes last, records each file's size and SHA-256, and
marks the folder complete. The writer holds the folder's lock (``FolderLock``) from start
to end, and removes what killed writers of the same folder left (staging folders, partial
files). A failed or interrupted run removes its staging folder and leaves no
``manifest.json`` behind.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simfraud.results.atomic import PARTIAL, fsync_file, remove_partials, write_text_atomic
from simfraud.results.lock import FolderLock, OutputError
from simfraud.results.manifest import MANIFEST, file_record

RESULT_FILES = ("timeseries.parquet", "vectors.parquet", "transactions.parquet",
                "summary.json", "scenario.yaml", MANIFEST)
"""Files a run folder may hold; those a new run does not write are removed."""


def remove_stale_staging(parent: Path, name: str) -> None:
    """Remove the staging folders that killed writers of ``parent/name`` left.

    Call only while holding that folder's lock: then no live writer owns them.
    """
    for stale in parent.glob(f".{name}{PARTIAL}*"):
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale, ignore_errors=True)


class ResultWriter:
    """Stage result files and publish them into ``out`` in one step."""

    def __init__(self, out: str | Path):
        self.lock = FolderLock(out)
        self.out = self.lock.out
        self.lock.acquire()
        try:
            parent = self.out.parent
            remove_stale_staging(parent, self.out.name)
            if self.out.is_dir():
                remove_partials(self.out)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}{PARTIAL}",
                                                 dir=parent))
        except OSError as exc:
            self.lock.release()
            raise OutputError(f"{self.lock.shown}: cannot write here ({exc.strerror})") from None
        self.files: list[str] = []

    def parquet(self, name: str, frame: pd.DataFrame | pa.Table) -> None:
        """Stage a DataFrame or Arrow table as Parquet (same table, same bytes)."""
        table = (frame if isinstance(frame, pa.Table)
                 else pa.Table.from_pandas(frame, preserve_index=False))
        pq.write_table(table, self.staging / name, compression="zstd")
        self.files.append(name)

    def json(self, name: str, data: Any) -> None:
        """Stage a JSON file."""
        (self.staging / name).write_text(json.dumps(data, indent=2, sort_keys=False) + "\n")
        self.files.append(name)

    def text(self, name: str, text: str) -> None:
        """Stage a text file."""
        (self.staging / name).write_text(text)
        self.files.append(name)

    def publish(self, manifest: dict[str, Any]) -> None:
        """Move the staged files into ``out``, then write the manifest with their records.

        Until the manifest is in place ``out`` has none, so a failure or a kill at any
        point leaves a folder that is visibly incomplete, never one that looks complete.
        """
        records = {}
        for name in self.files:
            fsync_file(self.staging / name)
            records[name] = file_record(self.staging / name)
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / MANIFEST).unlink(missing_ok=True)
        for stale in set(RESULT_FILES) - set(self.files):
            (self.out / stale).unlink(missing_ok=True)
        for name in self.files:
            os.replace(self.staging / name, self.out / name)
        write_text_atomic(self.out / MANIFEST, json.dumps(
            {**manifest, "files": records}, indent=2, sort_keys=False) + "\n")
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder and release the lock (after publishing, or on failure)."""
        shutil.rmtree(self.staging, ignore_errors=True)
        self.lock.release()
