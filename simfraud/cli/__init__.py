"""The ``simfraud`` command line: parse, call the command's module, report.

Modules: ``argument_types`` and ``parser`` (the arguments), ``errors`` (exit codes and
the one-line messages failures map to), ``tables`` (printed tables) and one module per
command or group: ``simulate`` (run, rerun), ``experiment_commands`` (sweep, compare,
sensitivity), ``calibration`` (calibrate), ``checks`` (validate, schema, info, bench)
and ``serve`` (dashboard).

Exit codes: 0 success, 1 the simulation itself failed (e.g. a ledger invariant),
2 bad input (scenario, arguments, output folder), 130 interrupted.
"""

from __future__ import annotations

import gc
import shlex
import signal
import sys
from collections.abc import Sequence

from simfraud import prefer_openmp
from simfraud.cli import calibration, checks, experiment_commands, scorecard, serve, simulate
from simfraud.cli.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    interrupted,
)
from simfraud.cli.parser import build_parser
from simfraud.core.deferred_imports import defer_unused_imports

__all__ = ["EXIT_BAD_INPUT", "EXIT_FAILED", "EXIT_INTERRUPTED", "EXIT_OK", "build_parser",
           "entry", "main"]

HANDLERS = {"run": simulate.run, "rerun": simulate.rerun, "sweep": experiment_commands.sweep,
            "compare": experiment_commands.compare,
            "sensitivity": experiment_commands.sensitivity,
            "calibrate": calibration.calibrate, "validate": checks.validate,
            "schema": checks.schema, "info": checks.info, "dashboard": serve.dashboard,
            "scorecard": scorecard.scorecard}
"""The function that carries out each subcommand (``bench`` parses its own options)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simfraud`` command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the suite parses its own options
        return checks.bench(argv[1:])
    args = build_parser().parse_args(argv)
    args.command_line = shlex.join(["simfraud", *argv])  # as typed, for the records
    if _on_local_workers(args):
        from simfraud.experiments.worker_server import start_worker_server

        start_worker_server()  # their imports run while the command reads its scenarios
    try:
        return HANDLERS[args.command](args)
    except KeyboardInterrupt:
        return interrupted()
    except BrokenPipeError:  # e.g. `simfraud info | head`: the reader left
        sys.stderr.close()
        return EXIT_OK


def _on_local_workers(args) -> bool:
    """Whether the command runs on local worker processes (not ``--scheduler``'s cluster).

    Commands with a ``--scheduler`` option run on Dask; ``calibrate --workers 1`` runs
    its replicates in the command's own process.
    """
    if getattr(args, "scheduler", "") is not None:
        return False
    return not (args.command == "calibrate" and args.workers == 1)


def entry() -> None:
    """The ``simfraud`` console command: ``main`` on OpenMP threads, exit with its status.

    Every command but ``dashboard`` (whose background runs are forked children) runs its
    kernels on numba's OpenMP layer (see ``simfraud.prefer_openmp``); ``main`` called
    from Python keeps the library's fork-safe default. SIGTERM ends a command like Ctrl-C
    (staging folders removed, locks released, exit 130). The interpreter then exits
    without a last collection of reference cycles (``gc.freeze``): by then the command
    has closed its files and released its folders, and the operating system frees the
    memory; objects no cycle holds are still finalised as usual. Library modules the
    command never uses run only if used (``defer_unused_imports``).
    """
    defer_unused_imports()  # mesa.experimental (scipy.spatial) runs only when used
    if sys.argv[1:2] != ["dashboard"]:
        prefer_openmp()
    signal.signal(signal.SIGTERM, _terminate)
    status = main()
    gc.freeze()  # no collection over every object left at exit: 0.3 s of a 2 s small run
    sys.exit(status)


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
