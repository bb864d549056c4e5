"""Write a result folder atomically: complete, or not there at all.

Files are written into a hidden staging folder next to the output folder, then moved
in; ``manifest.json`` goes last and marks the folder complete. A failed or interrupted
run removes its staging folder and leaves no ``manifest.json`` behind.
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

MANIFEST = "manifest.json"
RESULT_FILES = ("timeseries.parquet", "vectors.parquet", "transactions.parquet",
                "summary.json", "scenario.yaml", MANIFEST)
"""Files a run folder may hold; those a new run does not write are removed."""


def write_parquet_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame to Parquet so readers see the old file or the new, never half."""
    partial = path.with_name(f".{path.name}.partial")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), partial,
                   compression="zstd")
    os.replace(partial, path)


class OutputError(Exception):
    """The output folder cannot be used."""


class ResultWriter:
    """Stage result files and publish them into ``out`` in one step."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        if self.out.exists() and not self.out.is_dir():
            raise OutputError(f"{self.out}: exists and is not a folder")
        parent = self.out.resolve().parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{self.out.name}.partial-", dir=parent))
        except OSError as exc:
            raise OutputError(f"{self.out}: cannot write here ({exc.strerror})") from None
        self.files: list[str] = []

    def parquet(self, name: str, frame: pd.DataFrame) -> None:
        """Stage a DataFrame as Parquet (deterministic bytes for identical frames)."""
        table = pa.Table.from_pandas(frame, preserve_index=False)
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
        """Move the staged files into ``out``, the manifest last."""
        self.json(MANIFEST, manifest)
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / MANIFEST).unlink(missing_ok=True)
        for stale in set(RESULT_FILES) - set(self.files):
            (self.out / stale).unlink(missing_ok=True)
        for name in self.files:
            if name != MANIFEST:
                os.replace(self.staging / name, self.out / name)
        os.replace(self.staging / MANIFEST, self.out / MANIFEST)
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder (after publishing, or on failure)."""
        shutil.rmtree(self.staging, ignore_errors=True)
