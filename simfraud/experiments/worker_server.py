"""The process a command's local workers are forked from, started early, importing meanwhile.

Spawning a worker process costs about a second of imports (Dask, pandas, numba, mesa and
the model) in each worker, on the cores the runs need. Local workers are instead forked
from one server process (Python's ``forkserver`` start method), which imports everything
a run needs once (``worker_imports``): each worker then starts with its modules loaded.
The experiment commands start the server first thing (``simfraud.cli.main``), so its
imports run on another core while the command reads and checks its scenarios.

What the server is given, so that its workers are what spawned ones were:

* the command's ``sys.path`` (as ``PYTHONPATH``, and no current folder of its own), so
  they import the same ``simfraud`` and libraries as the command (Python 3.11's
  forkserver does not apply the path it is handed; ``prepare_worker`` also checks the
  sources);
* one thread for the numerical libraries (``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``,
  ``OPENBLAS_NUM_THREADS``, set by ``worker_imports`` before numpy loads unless the
  environment sets them), as Dask gives a spawned worker; Dask's
  ``MALLOC_TRIM_THRESHOLD_`` is read by glibc when a process starts and does not reach
  forked workers (the model's large arrays are mapped and unmapped whole anyway);
* SIGINT ignored (set by ``worker_imports`` in the server, whose children keep it): a
  Ctrl-C reaches only the command, which closes the cluster.

The server runs no kernel, so the forked workers may still choose numba's OpenMP layer
(GNU OpenMP is not fork-safe once used). It lives as long as the process that started it
(a notebook keeps the code it imported) and is ended when that process exits, even in
the middle of its imports. Off Linux, workers are spawned as before (``START_METHOD``).
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

START_METHOD = "forkserver" if sys.platform.startswith("linux") else "spawn"
"""How local worker processes start (``distributed.worker.multiprocessing-method``): forked
on Linux, where this was measured and tested; spawned elsewhere (Windows has no fork, and
macOS's system libraries are not safe to use in a child forked after they started
threads, as the server's numerical libraries do when they load)."""
PRELOAD = "simfraud.experiments.worker_imports"
"""The module the server imports before it forks a worker."""


def start_worker_server() -> None:
    """Start the server local workers fork from, if not running; returns at once.

    The server imports ``PRELOAD`` in the background; a worker asked for meanwhile is
    forked when it is done. Without ``forkserver`` this does nothing; if this process
    already runs a forkserver (started by other code), that one is used as it is.
    """
    if START_METHOD != "forkserver":
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload([PRELOAD])
    with _environment(_server_environment()):
        forkserver.ensure_running()
    atexit.unregister(_end_server)  # registered once, however many experiments start
    atexit.register(_end_server)


def prepare_worker() -> str:
    """Set up a local worker before its first run (``Client.run`` in each worker).

    Its kernels run on OpenMP (``simfraud.prefer_openmp``: safe, as the server ran none),
    and processes it starts, if any, are spawned, as from a spawned worker. A forked
    worker's default start method is otherwise ``forkserver``, for which numba makes a
    named cross-process semaphore when it starts its threads; a worker ended by a Ctrl-C
    cannot remove it, and the resource tracker then reports it as leaked.

    Returns:
        The digest of the simfraud sources the worker runs (``sources_digest``).
    """
    from simfraud import prefer_openmp

    multiprocessing.set_start_method("spawn", force=True)
    prefer_openmp()
    return sources_digest()


def sources_digest() -> str:
    """A digest of this process's simfraud sources, to check workers run the same code."""
    from simfraud import _source_digest

    return _source_digest()


@contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes are spawned, so that they ignore it for good.

    A process started with SIGINT ignored keeps ignoring it (Python then installs no
    KeyboardInterrupt handler), so the Ctrl-C that a terminal sends to the whole process
    group reaches only the client, which closes the cluster. (Blocking the signal would
    not do: spawned processes start with an empty signal mask.) A Ctrl-C during these
    moments of start-up is ignored; outside the main thread nothing changes.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _server_environment() -> dict[str, str]:
    """Variables the server starts with: this process's import path, and only that."""
    path = [entry or os.getcwd() for entry in sys.path]
    return {"PYTHONPATH": os.pathsep.join(path), "PYTHONSAFEPATH": "1"}


@contextmanager
def _environment(variables: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the processes started inside; restore them after."""
    before = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _end_server() -> None:
    """At exit, end the server at once: mid-import it would keep the command's output open.

    By then the cluster's workers have exited (the interpreter joins the thread that
    closes them before it runs exit handlers).
    """
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)  # no public handle
    if pid:
        with suppress(OSError):  # already gone
            os.kill(pid, signal.SIGTERM)
