"""At most N background runs at once: N slot files, each held with ``flock`` by one run.

A background run (a process forked by Dash's ``DiskcacheManager``) claims a free slot
before it simulates and holds it to the end; ``RunQueue`` (dashboards/run_queue.py) starts
a run only when a slot is free. The kernel releases a slot when its holder exits, so a
cancelled (killed) run frees its slot at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from simfraud.results.lock import try_lock, unlock

RETRY_EVERY = 0.05
"""Seconds between attempts while ``claim`` waits for a slot."""


@dataclass(frozen=True)
class RunSlots:
    """``limit`` slots as lock files in ``folder``."""

    folder: Path
    limit: int

    def _paths(self) -> list[Path]:
        self.folder.mkdir(parents=True, exist_ok=True)
        return [self.folder / f"run-slot-{number}.lock" for number in range(self.limit)]

    @contextmanager
    def claim(self, wait: float = 0.0) -> Iterator[bool]:
        """Hold a free slot for the block; yield False (holding nothing) when none is free.

        Args:
            wait: Seconds to keep trying when every slot is held.
        """
        deadline = time.monotonic() + wait
        while True:
            for path in self._paths():
                fd = try_lock(path)
                if fd is not None:
                    try:
                        os.write(fd, f"pid {os.getpid()}\n".encode())
                        yield True
                    finally:
                        unlock(fd, path)
                    return
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(RETRY_EVERY)

    def held(self) -> int:
        """How many slots a live run holds now (each is probed with a brief lock)."""
        count = 0
        for path in self._paths():
            fd = try_lock(path)
            if fd is None:
                count += 1
            else:
                unlock(fd, path)
        return count
