"""simfraud: agent-based simulation of the payment-fraud arms race around face payment."""

import hashlib
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numba

# Threads: numba's workqueue layer. It is fork-safe (Dash background callbacks, a
# multiprocessing fork after a run) and does not spin between days. The OpenMP layer
# is faster in one process (measured on 2 cores, 1e6 users: 16 against 19 ns per
# user-day for the whole model) but GNU OpenMP aborts a forked child of a process that
# used it, and with its default spin-wait two runs side by side took 4.9 s against
# 2.1 s. Opt in with NUMBA_THREADING_LAYER=omp OMP_WAIT_POLICY=passive; an explicit
# NUMBA_THREADING_LAYER always wins.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"


def _kernel_cache_dir() -> Path:
    """Numba cache folder named by a hash of all simfraud sources.

    numba's own cache checks only the timestamp of the file that defines a function, not
    of the modules whose functions it inlined (the user day inlines several), so a change
    elsewhere could leave a stale kernel in use. A folder per source hash cannot.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "simfraud" / "numba" / digest.hexdigest()[:16]


if "NUMBA_CACHE_DIR" not in os.environ:
    numba.config.CACHE_DIR = str(_kernel_cache_dir())

try:
    __version__ = version("simfraud")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
