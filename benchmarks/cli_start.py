"""Wall time of the ``simfraud`` command's light commands and of a tiny run, warm.

Each command runs in a fresh process, once untimed (so the numba cache and the operating
system's file cache are warm), then ``repeats`` times; the figures are the medians of the
wall time from starting the process to its exit and of the CPU time it used (user +
system), which waiting for a core shared with other work does not inflate.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE = str(Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml")
COMMANDS = {
    "simfraud --help": ["--help"],
    "simfraud validate scenarios/baseline.yaml": ["validate", BASELINE],
    "simfraud schema": ["schema"],
    "simfraud info": ["info"],
    "simfraud run scenarios/baseline.yaml --users 100 --days 1 --quiet --out DIR": [
        "run", BASELINE, "--users", "100", "--days", "1", "--quiet", "--out", "{out}"],
}
"""The commands timed, by the command line they stand for; ``{out}`` is a temporary
result folder."""


def simfraud_command() -> list[str]:
    """The ``simfraud`` console script next to this Python, else ``python -m simfraud.cli``."""
    script = Path(sys.executable).with_name("simfraud")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "simfraud.cli"]


def command_seconds(arguments: list[str], repeats: int) -> dict[str, float]:
    """Median ``wall`` and ``cpu`` seconds of ``simfraud ARGUMENTS`` over ``repeats`` warm runs.

    Raises:
        RuntimeError: When the command fails (its standard error is in the message).
    """
    wall, cpu = [], []
    with tempfile.TemporaryDirectory() as folder:
        command = simfraud_command() + [a.replace("{out}", str(Path(folder) / "out"))
                                        for a in arguments]
        for attempt in range(repeats + 1):
            before = _children_cpu()
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, cwd=folder)
            seconds = time.perf_counter() - start
            if done.returncode != 0:
                raise RuntimeError(f"{' '.join(command)} exited {done.returncode}: "
                                   f"{done.stderr[-2000:]}")
            if attempt:  # the first run only warms the caches
                wall.append(seconds)
                cpu.append(_children_cpu() - before)
    return {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}


def _children_cpu() -> float:
    """User + system CPU seconds of this process's finished children so far."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def cli_start_seconds(repeats: int) -> dict[str, dict[str, float]]:
    """Median warm ``wall`` and ``cpu`` seconds of each of ``COMMANDS``, by label."""
    return {label: command_seconds(arguments, repeats) for label, arguments in COMMANDS.items()}
