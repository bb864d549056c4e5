"""One writer per output folder: a lock file next to the folder, held with ``flock``.

``FolderLock(out)`` locks ``PARENT/.NAME.lock``. The kernel releases an ``flock`` when its
holder exits, however it exits (SIGKILL included), so a lock left by a killed process is
stale by construction: the next writer takes it over. The file records the holder's pid,
which the message to a second writer names.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from pathlib import Path

SHOWN = 120
"""Longest path shown in a message (longer ones are shortened in the middle)."""


class OutputError(Exception):
    """The output folder cannot be used (the message starts with the folder)."""


class FolderBusyError(OutputError):
    """Another live process writes into the same output folder."""


def shown(path: str | Path) -> str:
    """A path for a message, shortened in the middle when it is very long."""
    text = str(path)
    return text if len(text) <= SHOWN else f"{text[:SHOWN // 2]}...{text[-SHOWN // 2:]}"


def output_folder(out: str | Path) -> Path:
    """Check that ``out`` can name an output folder; return it resolved.

    Raises:
        OutputError: For an empty path, a path that is too long or otherwise unusable,
            or one that exists and is not a folder.
    """
    if not str(out).strip():
        raise OutputError("'': give a folder name")
    try:
        resolved = Path(out).resolve()
        if resolved.exists() and not resolved.is_dir():
            raise OutputError(f"{shown(out)}: exists and is not a folder")
    except OSError as exc:
        raise OutputError(f"{shown(out)}: cannot use this path ({exc.strerror})") from None
    if resolved == resolved.parent:
        raise OutputError(f"{shown(out)}: give a folder below the file-system root")
    return resolved


def try_lock(path: Path) -> int | None:
    """Take an exclusive ``flock`` on ``path`` (created if missing) without waiting.

    Returns:
        The open descriptor holding the lock, or None when another process holds it.
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                return None
            raise
        try:  # a releasing holder may have unlinked the file we opened: lock the new one
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        held = os.fstat(fd)
        if current and (current.st_ino, current.st_dev) == (held.st_ino, held.st_dev):
            return fd
        os.close(fd)


def unlock(fd: int, path: Path) -> None:
    """Release a lock taken by ``try_lock`` and remove its file."""
    try:
        path.unlink(missing_ok=True)
    finally:
        os.close(fd)


class FolderLock:
    """Exclusive right to write ``out``: ``with FolderLock(out): ...``.

    Raises:
        FolderBusyError: On entry, when a live process holds the lock.
        OutputError: When the lock file cannot be created.
    """

    def __init__(self, out: str | Path):
        self.out = output_folder(out)
        self.shown = shown(out)
        self.path = self.out.parent / f".{self.out.name}.lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        """Take the lock (see the class)."""
        try:
            self.out.parent.mkdir(parents=True, exist_ok=True)
            fd = try_lock(self.path)
        except OSError as exc:
            raise OutputError(f"{self.shown}: cannot write here ({exc.strerror})") from None
        if fd is None:
            raise FolderBusyError(f"{self.shown}: in use by another simfraud process "
                                  f"({self._holder()}); wait for it to end or choose "
                                  "another folder")
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}\n"
                 .encode())
        self.fd = fd

    def release(self) -> None:
        """Release the lock (idempotent)."""
        if self.fd is not None:
            fd, self.fd = self.fd, None
            unlock(fd, self.path)

    def _holder(self) -> str:
        try:
            return self.path.read_text().strip()[:80] or "pid unknown"
        except OSError:
            return "pid unknown"

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()
