"""The process a command's local workers are forked from, started early, importing meanwhile.

Spawning a worker process costs about a second of imports (Dask, pandas, numba, mesa and
the model) in each worker, on the cores the runs need. Local workers are instead forked
from one server process (Python's ``forkserver`` start method), which imports everything
a run needs once (``worker_imports``): each worker then starts with its modules loaded.
The experiment commands start the server first thing (``simfraud.cli.main``), so its
imports run on another core while the command reads and checks its scenarios.

The server runs no kernel, so the forked workers may still choose numba's OpenMP layer
(GNU OpenMP is not fork-safe once used). Its environment is the command's when it
starts, and it ignores SIGINT, as its workers then do: a Ctrl-C reaches only the
command, which closes the cluster. Where ``forkserver`` is not available (Windows),
workers are spawned as before.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

START_METHOD = ("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                else "spawn")
"""How local worker processes start (``distributed.worker.multiprocessing-method``)."""
PRELOAD = ("__main__", "simfraud.experiments.worker_imports")
"""Modules the server imports before it forks a worker (``__main__``: the command's own
script, which a spawned worker would import too)."""


def prepare_worker() -> None:
    """Set up a local worker before its first run (``Client.run`` in each worker).

    Its kernels run on OpenMP (``simfraud.prefer_openmp``: safe, as the server ran none),
    and processes it starts, if any, are spawned, as from a spawned worker. A forked
    worker's default start method is otherwise ``forkserver``, for which numba makes a
    named cross-process semaphore when it starts its threads; a worker ended by a Ctrl-C
    cannot remove it, and the resource tracker then reports it as leaked.
    """
    from simfraud import prefer_openmp

    multiprocessing.set_start_method("spawn", force=True)
    prefer_openmp()


def start_worker_server() -> None:
    """Start the server local workers fork from, if not running; returns at once.

    The server imports ``PRELOAD`` in the background; a worker asked for meanwhile is
    forked when it is done. Without ``forkserver`` this does nothing.
    """
    if START_METHOD != "forkserver":
        return
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(list(PRELOAD))
    with interrupts_ignored():  # the server, and so its workers, ignore SIGINT for good
        forkserver.ensure_running()


@contextmanager
def interrupts_ignored() -> Iterator[None]:
    """Ignore SIGINT while worker processes start, so that they ignore it for good.

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
