"""What every run of an experiment imports, imported once by the server workers fork from.

Importing this module is its whole job (``worker_server.PRELOAD``), in the server's main
thread before it forks any worker; nothing else imports it (it would ignore Ctrl-C in
that process too):

* SIGINT is ignored, so the workers ignore it too (the server's children keep the
  disposition it had when its imports ended): a Ctrl-C reaches only the command;
* the numerical libraries get one thread each unless the environment says otherwise
  (read when they load; numba's threads are set per run, ``numba_threads_per_run``);
* Dask's worker, the model and the writers of a run's folder are imported, with the
  library parts no run uses deferred as in the ``simfraud`` command
  (``defer_unused_imports``).
"""

import os
import signal
from importlib import import_module

from simfraud.core.deferred_imports import defer_unused_imports

SINGLE_THREADED = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
"""Thread counts of numerical libraries set to 1 in the workers, as Dask sets them for a
spawned worker (``distributed.nanny.pre-spawn-environ``)."""
RUN_MODULES = ("distributed", "simfraud.experiments.worker", "simfraud.model.fraud_model",
               "simfraud.model.replicates", "simfraud.results.folder",
               "simfraud.results.writer", "simfraud.scenario.loader")
"""Modules a worker needs for its first run (``execute_runs`` and Dask's worker)."""

signal.signal(signal.SIGINT, signal.SIG_IGN)
for variable in SINGLE_THREADED:
    os.environ.setdefault(variable, "1")
defer_unused_imports()
for name in RUN_MODULES:
    import_module(name)
