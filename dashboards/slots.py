"""At most N background runs at once: N slot files, each held with ``flock`` by one run.

A background run (a process forked by Dash's ``DiskcacheManager``) claims a free slot
before it simulates and holds it to the end; when every slot is held the run is refused
with a "busy" message instead of queueing. The kernel releases a slot when its holder
exits, so a cancelled (killed) run frees its slot at once.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from simfraud.results.lock import try_lock, unlock


@dataclass(frozen=True)
class RunSlots:
    """``limit`` slots as lock files in ``folder``."""

    folder: Path
    limit: int

    @contextmanager
    def claim(self) -> Iterator[bool]:
        """Hold a free slot for the block; yield False (holding nothing) when none is free."""
        self.folder.mkdir(parents=True, exist_ok=True)
        for number in range(self.limit):
            path = self.folder / f"run-slot-{number}.lock"
            fd = try_lock(path)
            if fd is not None:
                try:
                    os.write(fd, f"pid {os.getpid()}\n".encode())
                    yield True
                finally:
                    unlock(fd, path)
                return
        yield False
