"""Results of the fraud amounts' fits kept on disk, so a run whose fits are known skips scipy.

Fitting a vector's amounts to its mean (``core.amounts.body_median``, a root found by
``scipy.optimize.brentq``) and the normal CDF and quantile behind it
(``scipy.special.ndtr``, ``ndtri``) need scipy, whose import is about a third of a second
of a 100-user, 1-day ``simfraud run`` (docs/performance.md). Their inputs are a
scenario's parameters, the same in every run of that scenario, so a function decorated
with :func:`stored` keeps its results in a JSON file, each under a key made of the
function's name and its arguments, all floats written in hexadecimal (``float.hex``) so
they read back bit for bit. The file is in this user's cache folder for these simfraud
sources (``simfraud._cache_dir("fits")``) and is named by the versions of Python, numpy
and scipy, so a changed function or library computes its results afresh.

The file is only a cache: one that cannot be read counts as empty, a failed write is
ignored, and each write replaces the file whole (atomically) with what is on disk at
that moment plus the new result, keeping the newest ``LIMIT`` results.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import os
import platform
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

LIMIT = 4096
"""Results the file keeps, the oldest dropped first (a scenario needs a few dozen, each
calibration trial a few more; 4,096 take about 0.8 MB)."""

_LOCK = threading.Lock()
"""Held while the results are read or written."""
_known: dict[str, object] | None = None
"""The results read from the file (key: hexadecimal float or list of them); None: not
read yet."""


def stored(function: Callable) -> Callable:
    """Decorator: ``function``'s results kept on disk, computed only when not there.

    ``function`` must depend on nothing but its arguments, which must be numbers (a key
    holds each as a float), and return a float or a tuple of floats. The wrapper returns
    Python floats read back from the stored text, on the call that computes a result as
    on the calls that find it, so every caller sees the same bits and the same types.

    Args:
        function: The function to keep the results of.

    Returns:
        The wrapped function.
    """
    signature = inspect.signature(function)
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        key = f"{name}({','.join(float(v).hex() for v in bound.arguments.values())})"
        with _LOCK:
            found = _decoded(_results().get(key))
        if found is not None:
            return found
        text = _encoded(function(*args, **kwargs))
        _store(key, text)
        return _decoded(text)

    return wrapper


def results_file() -> Path:
    """The file of stored results for this simfraud, Python, numpy, scipy and CPU.

    The CPU's features numpy dispatches on are part of the name (as the kernel cache
    keys on the CPU), so a home folder shared by machines whose vectorised maths could
    differ in the last bit keeps one file per kind of machine.
    """
    import hashlib

    import numpy
    import scipy

    from simfraud import _cache_dir

    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # numpy 1.x
        from numpy.core._multiarray_umath import __cpu_features__

    python = ".".join(map(str, sys.version_info[:3]))
    features = ",".join(sorted(name for name, on in __cpu_features__.items() if on))
    cpu = hashlib.sha256(f"{platform.machine()}:{features}".encode()).hexdigest()[:12]
    return _cache_dir("fits") / (f"fits-python{python}-numpy{numpy.__version__}"
                                 f"-scipy{scipy.__version__}-cpu{cpu}.json")


def _results() -> dict[str, object]:
    """The stored results (read from the file on first use); call with ``_LOCK`` held."""
    global _known
    if _known is None:
        _known = _read(results_file())
    return _known


def _store(key: str, text: object) -> None:
    """Add a result to the file (merged with what it holds now) and to the ones known."""
    global _known
    path = results_file()
    with _LOCK:
        results = _read(path)
        results.pop(key, None)  # re-added last: the newest
        results[key] = text
        for old in list(results)[:max(0, len(results) - LIMIT)]:
            del results[old]
        _write(path, results)
        _known = {**(_known or {}), **results}


def _read(path: Path) -> dict[str, object]:
    """The results in ``path``; empty when it is missing or unreadable."""
    try:
        results = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return results if isinstance(results, dict) else {}


def _write(path: Path, results: dict[str, object]) -> None:
    """Replace ``path`` with ``results`` in one step; give up quietly on a failed write."""
    temporary = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent,
                                         prefix=".fits-", suffix=".tmp", delete=False) as out:
            temporary = out.name
            json.dump(results, out)
        os.replace(temporary, path)
    except OSError:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)


def _encoded(result: float | tuple[float, ...]) -> str | list[str]:
    """A float as ``float.hex`` text, a tuple as a list of them."""
    if isinstance(result, tuple):
        return [float(value).hex() for value in result]
    return float(result).hex()


def _decoded(text: object) -> float | tuple[float, ...] | None:
    """The value of ``_encoded`` text; None for anything else (a damaged file)."""
    try:
        if isinstance(text, str):
            return float.fromhex(text)
        if isinstance(text, list) and all(isinstance(value, str) for value in text):
            return tuple(float.fromhex(value) for value in text)
    except ValueError:
        pass
    return None
