"""Progress of long commands, wherever their output goes.

On a terminal a tqdm bar redraws in place. Anywhere else (a pipe, a log file, a batch
job) a bar's carriage returns make one unreadable line, and showing nothing leaves a
long run silent, so ``LineProgress`` prints one plain line at most every
``SIMFRAUD_PROGRESS_SECONDS`` seconds (default 30) and one when done:

    compare: 12/140 runs done, elapsed 01:23, about 14:10 left
"""

from __future__ import annotations

import os
import sys
import threading
from typing import IO

from tqdm import tqdm

BAR_LOCK = threading.RLock()
"""The lock of tqdm's bars in this process (``progress`` installs it)."""
DEFAULT_SECONDS = 30.0
LINE = ("{desc}: {n_fmt}/{total_fmt} {unit}s done, elapsed {elapsed}, about {remaining} left"
        "{postfix}")


class LineProgress(tqdm):
    """A tqdm whose every display is one finished line (no carriage returns)."""

    def display(self, msg: str | None = None, pos: int | None = None) -> bool:
        """Print the current state as one line; ``msg=""`` (closing) prints the last one."""
        if self.n == getattr(self, "_printed", None):
            return False  # nothing new since the last line
        self._printed = self.n
        self.fp.write(self.format_meter(**self.format_dict) + "\n")
        self.fp.flush()
        return False


def interval() -> float:
    """Seconds between progress lines off a terminal (``SIMFRAUD_PROGRESS_SECONDS``)."""
    try:
        return max(0.0, float(os.environ.get("SIMFRAUD_PROGRESS_SECONDS", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


def progress(total: int, *, desc: str, unit: str, quiet: bool = False, initial: int = 0,
             stream: IO[str] | None = None) -> tqdm:
    """A progress display for ``total`` steps: a bar on a terminal, else periodic lines.

    Args:
        total: Steps to do (days, runs, trials).
        desc: What is in progress (the command or scenario name).
        unit: Name of one step, singular (``run``, ``day``).
        quiet: Show nothing.
        initial: Steps already done (a resumed experiment).
        stream: Where to write (default: standard error).

    Returns:
        A tqdm to ``update()`` and close (use it as a context manager).
    """
    # tqdm's default lock adds a multiprocessing lock, whose semaphore starts Python's
    # resource tracker: a second interpreter for every command (a disabled bar takes the
    # lock too). Each bar here is drawn by the process that owns it: a thread lock will do.
    tqdm.set_lock(BAR_LOCK)
    stream = stream or sys.stderr
    if quiet:
        return tqdm(total=total, disable=True)
    if stream.isatty():
        return tqdm(total=total, initial=initial, desc=desc, unit=unit, file=stream,
                    dynamic_ncols=True)
    return LineProgress(total=total, initial=initial, desc=desc, unit=unit, file=stream,
                        mininterval=interval(), miniters=1, leave=False, bar_format=LINE)
