"""Exit codes, and the one-line messages that failures map to.

Exit codes: 0 success, 1 the simulation itself failed (e.g. a ledger invariant or a
failed run of an experiment), 2 bad input (scenario, arguments, output folder, a failed
write), 130 interrupted.
"""

from __future__ import annotations

import sys

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class ArgumentsError(Exception):
    """Arguments that do not make a valid command (the message says why)."""


def bad_input(message: object) -> int:
    """Print a message (one located line per problem) on standard error: exit 2."""
    print(message, file=sys.stderr)
    return EXIT_BAD_INPUT


def interrupted() -> int:
    """Ctrl-C (or SIGTERM from ``entry``): one line, exit 130."""
    print("simfraud: interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def write_failed(command: str, out: str, exc: OSError) -> int:
    """Report a failed write into ``--out`` (a full disk, a lost permission): exit 2."""
    from simfraud.results.lock import shown

    print(f"{' '.join(filter(None, ('simfraud', command)))}: cannot write results to "
          f"{shown(out)}: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_BAD_INPUT


def runs_failed(command: str, index) -> int:
    """Report the failed runs of an experiment whose tables were not written: exit 1."""
    failed = index[index["status"] != "ok"]
    for row in failed.itertuples():
        print(f"simfraud {command}: run {row.run_id} failed: {row.error}", file=sys.stderr)
    print(f"simfraud {command}: {len(failed)} of {len(index)} runs failed, so no table "
          "or report was written; fix the cause and rerun with --resume", file=sys.stderr)
    return EXIT_FAILED


def write_results(out: str, produce) -> int:
    """Run ``produce(writer)`` with a writer staging into ``out``; map failures to exits.

    An unusable ``--out`` or a failed write is bad input (2), a broken ledger invariant a
    failed run (1); staged files are discarded unless ``produce`` published them.

    Args:
        out: The result folder.
        produce: Simulates and writes through the writer; returns the exit status.

    Returns:
        The exit status.
    """
    from simfraud.model.ledger import LedgerError
    from simfraud.results.lock import OutputError
    from simfraud.results.writer import ResultWriter

    try:
        writer = ResultWriter(out)
    except OutputError as exc:
        print(f"simfraud: --out {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        return produce(writer)
    except LedgerError as exc:
        print(f"simfraud: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as exc:
        return write_failed("", out, exc)
    finally:
        writer.discard()
