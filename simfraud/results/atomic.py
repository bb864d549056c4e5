"""Write one file atomically: readers see the old file or the new one, never a part.

Each writer puts its bytes in a hidden sibling ``.NAME.partial-XXXXXXXX``, flushes them to
disk (so a full disk fails here, not after the rename) and renames it over ``NAME``. On any
error the partial file is removed and the old file is left as it was; a partial file left
by a killed process is removed by ``remove_partials`` on the next start.
"""

from __future__ import annotations

import io
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

PARTIAL = ".partial-"
"""Marker in the names of partial files and staging folders."""


def fsync_file(path: Path) -> None:
    """Flush a written file's data to disk (raises ``OSError`` such as ENOSPC)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a partial path to write; on success flush it and rename it over ``path``.

    Args:
        path: The file to replace.

    Yields:
        A fresh path in the same folder (so the rename is atomic).
    """
    partial = path.with_name(f".{path.name}{PARTIAL}{secrets.token_hex(4)}")
    os.close(os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))  # umask applies
    try:
        yield partial
        fsync_file(partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically."""
    with replacing(path) as partial:
        partial.write_bytes(data)


def write_text_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with UTF-8 ``text`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_parquet_atomic(frame: pd.DataFrame | pa.Table, path: Path) -> None:
    """Replace ``path`` with a DataFrame or Arrow table as Zstandard Parquet, atomically."""
    table = (frame if isinstance(frame, pa.Table)
             else pa.Table.from_pandas(frame, preserve_index=False))
    with replacing(path) as partial:
        pq.write_table(table, partial, compression="zstd")


def write_csv_atomic(frame: pd.DataFrame, path: Path) -> None:
    """Replace ``path`` with ``frame`` as CSV (no index), atomically."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False)
    write_text_atomic(path, buffer.getvalue())


def remove_partials(folder: Path) -> None:
    """Remove the partial files that killed writers left directly in ``folder``."""
    for partial in folder.glob(f".*{PARTIAL}*"):
        if partial.is_file() and not partial.is_symlink():
            partial.unlink(missing_ok=True)
