"""What every run of an experiment imports, imported once by the server workers fork from.

Importing this module is its whole job (``worker_server.PRELOAD``): Dask's worker, the
model and the writers of a run's folder, with the library parts no run uses deferred as
in the ``simfraud`` command (``defer_unused_imports``).
"""

from importlib import import_module

from simfraud.core.deferred_imports import defer_unused_imports

RUN_MODULES = ("distributed", "simfraud.experiments.worker", "simfraud.model.fraud_model",
               "simfraud.model.replicates", "simfraud.results.folder",
               "simfraud.results.writer", "simfraud.scenario.loader")
"""Modules a worker needs for its first run (``execute_run`` and Dask's worker)."""

defer_unused_imports()
for name in RUN_MODULES:
    import_module(name)
