"""simfraud: agent-based simulation of the payment-fraud arms race around face payment."""

import hashlib
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numba

# numba's OpenMP layer with its default passive wait adds milliseconds per parallel call
# when chunks are fewer than threads (measured: 8 ms per day at 10,000 users); its own
# workqueue layer does not. An explicit NUMBA_THREADING_LAYER still wins.
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
