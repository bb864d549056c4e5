"""simfraud: agent-based simulation of the payment-fraud arms race around face payment.

Importing the package is cheap: numba (about half a second) is imported only by the
modules that run kernels, and configured the moment it is (``_set_up_numba``), so
``simfraud --help`` or ``simfraud validate`` never load it. The ``simfraud`` command
also defers parts of libraries it imports but never uses (``mesa.experimental``, which
imports ``scipy.spatial``; ``simfraud.core.deferred_imports``); importing the package
from Python leaves other libraries' imports alone.
"""

import functools
import hashlib
import importlib
import importlib.util
import os
import sys
from pathlib import Path

# Threads: a library import selects numba's workqueue layer, which is fork-safe (Dash
# background callbacks, a notebook's multiprocessing fork after a run). The command line
# and its sweep workers switch to OpenMP with passive waiting (``prefer_openmp``). An
# explicit NUMBA_THREADING_LAYER always wins.
_threading = {"THREADING_LAYER": "workqueue"}
"""The numba config values of the threading layer this process asks for."""
if os.environ.get("NUMBA_THREADING_LAYER") == "omp":
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # see prefer_openmp


def prefer_openmp() -> None:
    """Run this process's parallel kernels on numba's OpenMP layer, threads sleeping idle.

    Measured on 2 cores (docs/performance.md): the whole model at 1e6 users takes 15.5
    ns per user-day on OpenMP against 18 to 21 on workqueue, whose waiting main thread
    competes with its two workers. GNU OpenMP is not fork-safe: a forked child of a
    process that has run an OpenMP kernel is killed when it runs one itself, so only
    processes that do not fork after a run call this: the ``simfraud`` command except
    ``simfraud dashboard``, and the workers of a command's local cluster (forked from a
    server that has run no kernel, and forking nothing). Fork + exec (``subprocess``) is
    safe. Passive waiting (``OMP_WAIT_POLICY=passive``) keeps idle threads off the cores:
    with OpenMP's default spinning, two runs side by side took 4.9 s against 2.1 s. Where
    OpenMP cannot load, numba falls back to workqueue. Leaves the layer alone when
    NUMBA_THREADING_LAYER is set (``OMP_WAIT_POLICY`` still defaults to passive); must be
    called before the first parallel kernel runs. Does not import numba: the choice is
    applied when it is.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "passive")
    if "NUMBA_THREADING_LAYER" in os.environ:
        return
    _threading.update(THREADING_LAYER="default",
                      THREADING_LAYER_PRIORITY=["omp", "workqueue", "tbb"])
    if "numba" in sys.modules:
        _choose_threading_layer(sys.modules["numba"])


def _kernel_cache_dir() -> Path:
    """Numba cache folder named by a hash of all simfraud sources.

    numba's own cache checks only the timestamp of the file that defines a function, not
    of the modules whose functions it inlined (the user day inlines several), so a change
    elsewhere could leave a stale kernel in use. A folder per source hash cannot.
    """
    return _cache_dir("numba")


def _cache_dir(kind: str) -> Path:
    """This user's cache folder for ``kind`` (``numba``, ``fits``) of these simfraud sources.

    ``$XDG_CACHE_HOME/simfraud/KIND/HASH`` (``~/.cache`` without XDG_CACHE_HOME), ``HASH``
    naming the bytes of every simfraud source file, so any change to the package starts
    a new folder. Not created here.
    """
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "simfraud" / kind / _source_digest()


@functools.cache
def _source_digest() -> str:
    """The first 16 hex digits of a SHA-256 over every simfraud source file's name and bytes."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.rglob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _set_up_numba(numba) -> None:
    """Give numba this package's kernel cache folder and threading layer.

    Environment variables numba reads itself (NUMBA_CACHE_DIR, NUMBA_THREADING_LAYER)
    win. Runs as soon as numba is imported, before any kernel is defined (the cache
    folder is fixed when a kernel is) or run (the layer is fixed at the first parallel
    kernel).
    """
    if "NUMBA_CACHE_DIR" not in os.environ:
        numba.config.CACHE_DIR = str(_kernel_cache_dir())
    _choose_threading_layer(numba)


def _choose_threading_layer(numba) -> None:
    """Set numba's threading layer as asked for (``_threading``) unless the environment did."""
    if "NUMBA_THREADING_LAYER" not in os.environ:
        for name, value in _threading.items():
            setattr(numba.config, name, value)


class _SetUpNumbaOnImport:
    """A meta path finder: finds numba, then runs ``_set_up_numba`` once it has loaded.

    (Python has no post-import hook; this one wraps the loader of numba's spec.)
    """

    def find_spec(self, fullname, path=None, target=None):
        """The spec of ``numba`` (from the other finders), its loading followed by set-up."""
        if fullname != "numba":
            return None
        sys.meta_path.remove(self)  # one use; also keeps the search below off this finder
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None:
            return spec
        load = spec.loader.exec_module  # the loader is this spec's own (one per module)

        def exec_module(module) -> None:
            load(module)
            _set_up_numba(module)

        spec.loader.exec_module = exec_module
        return spec


if "numba" in sys.modules:
    _set_up_numba(sys.modules["numba"])
elif not any(isinstance(f, _SetUpNumbaOnImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _SetUpNumbaOnImport())

API = ("load_scenario", "run", "compare", "sweep", "load_experiment", "Results")
"""The Python API (``simfraud.experiments.api``), imported on first use: the package root
is the bottom layer, so it never imports the layers above it eagerly."""


def __getattr__(name: str):
    """Load the Python API's names, or ``__version__``, when first asked for."""
    if name in API:
        return getattr(importlib.import_module("simfraud.experiments.api"), name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("simfraud")
        except PackageNotFoundError:  # pragma: no cover - a source tree without install
            return "0.0.0+unknown"
    raise AttributeError(f"module 'simfraud' has no attribute {name!r}")


__all__ = ["__version__", "prefer_openmp", *API]
