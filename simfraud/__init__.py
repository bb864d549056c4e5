"""simfraud: agent-based simulation of the payment-fraud arms race around face payment."""

import hashlib
import importlib
import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numba

# Threads: a library import selects numba's workqueue layer, which is fork-safe (Dash
# background callbacks, a notebook's multiprocessing fork after a run). The command line
# and its sweep workers switch to OpenMP with passive waiting (``prefer_openmp``). An
# explicit NUMBA_THREADING_LAYER always wins.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"
elif os.environ["NUMBA_THREADING_LAYER"] == "omp":
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # see prefer_openmp


def prefer_openmp() -> None:
    """Run this process's parallel kernels on numba's OpenMP layer, threads sleeping idle.

    Measured on 2 cores (docs/performance.md): the whole model at 1e6 users takes 15.5
    ns per user-day on OpenMP against 18 to 21 on workqueue, whose waiting main thread
    competes with its two workers. GNU OpenMP is not fork-safe: a forked child of a
    process that has run an OpenMP kernel is killed when it runs one itself, so only
    processes that do not fork after a run call this: the ``simfraud`` command except
    ``simfraud dashboard``, and the workers of a local sweep cluster (spawned, not
    forked). Fork + exec (``subprocess``) is safe. Passive waiting
    (``OMP_WAIT_POLICY=passive``) keeps idle threads off the cores: with OpenMP's default
    spinning, two runs side by side took 4.9 s against 2.1 s. Where OpenMP cannot load,
    numba falls back to workqueue. Leaves the layer alone when NUMBA_THREADING_LAYER is
    set (``OMP_WAIT_POLICY`` still defaults to passive); must be called before the first
    parallel kernel runs.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    if "NUMBA_THREADING_LAYER" in os.environ:
        return
    numba.config.THREADING_LAYER = "default"
    numba.config.THREADING_LAYER_PRIORITY = ["omp", "workqueue", "tbb"]


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

API = ("load_scenario", "run", "compare", "sweep", "load_experiment", "Results")
"""The Python API (``simfraud.experiments.api``), imported on first use: the package root
is the bottom layer, so it never imports the layers above it eagerly."""


def __getattr__(name: str):
    """Load the Python API's names from ``simfraud.experiments.api`` when first asked for."""
    if name in API:
        return getattr(importlib.import_module("simfraud.experiments.api"), name)
    raise AttributeError(f"module 'simfraud' has no attribute {name!r}")


__all__ = ["__version__", "prefer_openmp", *API]
