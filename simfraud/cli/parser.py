"""The argument parser of every subcommand, one function per command or group."""

from __future__ import annotations

import argparse
import sys

from simfraud.cli import argument_types as types
from simfraud.cli.errors import EXIT_BAD_INPUT


class Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors name the command and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage and ``PROG: error: MESSAGE``, then exit with status 2."""
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand (in the order ``--help`` lists them)."""
    parser = Parser(prog="simfraud", description="Simulate the payment-fraud arms race "
                    "around face payment and deepfakes.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    _run_parser(sub)
    _sweep_parser(sub)
    _compare_parser(sub)
    _sensitivity_parser(sub)
    sub.add_parser("bench", help="run the performance suite (same as python -m benchmarks)")
    sub.add_parser("schema", help="print the JSON Schema of scenario files")
    _calibrate_parser(sub)
    _rerun_parser(sub)
    _dashboard_parser(sub)
    _scorecard_parser(sub)
    validate = sub.add_parser("validate", help="check scenario files (exit 0 or 2)")
    validate.add_argument("files", nargs="+", help="scenario YAML files")
    sub.add_parser("info", help="print versions, threads and the numba cache location")
    return parser


def _command(sub, name: str, summary: str, source: str, source_help: str,
             out_help: str) -> argparse.ArgumentParser:
    """A subcommand reading one file or folder (``source``) and writing into ``--out``."""
    parser = sub.add_parser(name, help=summary)
    parser.add_argument(source, help=source_help)
    parser.add_argument("--out", required=True, type=types.folder_name, help=out_help)
    return parser


def _run_parser(sub) -> None:
    """The ``run`` subcommand's options."""
    run = _command(sub, "run", "run a scenario and write its results",
                   "scenario", "scenario YAML file",
                   "result folder (created if missing; its result files are replaced)")
    run.add_argument("--users", type=types.users, help="simulated users (population.users)")
    run.add_argument("--days", type=types.days, help="days to simulate")
    run.add_argument("--seed", type=types.seed, help="base random seed")
    run.add_argument("--replicates", type=types.replicates, default=1,
                     help="replicates (default 1)")
    run.add_argument("--engine", choices=("columnar", "agents"), default="columnar",
                     help="columnar (fast, default) or agents (one mesa agent per user)")
    run.add_argument("--batch", type=types.batch, metavar="R",
                     help="replicates stepped together, phase by phase (default: up to 8, "
                          "and 100,000 users, on the columnar engine; results do not change)")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     metavar="PATH=VALUE",
                     help="override a parameter, e.g. platforms.0.liveness.level=depth_3d")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    run.add_argument("--transactions", type=types.share, default=0.0, metavar="FRACTION",
                     help="log the payments of this share of users to transactions.parquet")
    run.add_argument("--profile", action="store_true",
                     help="print the time spent in each phase of the day")


def _sweep_parser(sub) -> None:
    """The ``sweep`` subcommand's options."""
    sweep = _command(sub, "sweep", "run a parameter grid x replicates", "scenario",
                     "scenario YAML file (its sweep: block is the default)", "experiment folder")
    sweep.add_argument("--grid", action="append", default=[], metavar="PATH=V1,V2,...",
                       help="values of one parameter (repeatable; replaces the file's grid)")
    sweep.add_argument("--replicates", type=types.replicates, help="replicates per grid point")
    _experiment_options(sweep)


def _compare_parser(sub) -> None:
    """The ``compare`` subcommand's options."""
    compare = sub.add_parser("compare", help="compare scenarios with common random numbers")
    compare.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                         help="two or more scenario files; each is compared with the first "
                              "(one file with --arm)")
    compare.add_argument("--arm", dest="arms", action="append", default=[],
                         metavar="NAME:PATH=VALUE,...",
                         help="an arm: the one scenario with these changes (repeatable); "
                              "the scenario as it is is the reference")
    compare.add_argument("--out", required=True, type=types.folder_name,
                         help="experiment folder")
    compare.add_argument("--replicates", type=types.replicates, default=10,
                         help="replicates per scenario (default 10)")
    _experiment_options(compare)


def _sensitivity_parser(sub) -> None:
    """The ``sensitivity`` subcommand's options."""
    sensitivity = _command(sub, "sensitivity",
                           "Morris screening of the sensitivity: block's ranges", "scenario",
                           "scenario YAML file with a sensitivity: block", "experiment folder")
    sensitivity.add_argument("--metric", help="total to rank by (default: the block's metric)")
    _experiment_options(sensitivity)


def _cluster_options(parser: argparse.ArgumentParser) -> None:
    """Where an experiment's runs go: ``--workers``, ``--scheduler``, ``--resume``."""
    parser.add_argument("--workers", type=types.local_workers,
                        help="local worker processes, 1 to 64 (default: one per core)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on this dask.distributed cluster instead")
    parser.add_argument("--resume", action="store_true",
                        help="continue the experiment in --out, skipping finished runs")


def _experiment_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by the experiment commands."""
    _cluster_options(parser)
    parser.add_argument("--users", type=types.users, help="simulated users (population.users)")
    parser.add_argument("--days", type=types.days, help="days to simulate")
    parser.add_argument("--seed", type=types.seed, help="base random seed")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="PATH=VALUE",
                        help="override a parameter (of every scenario, for compare)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no table")


def _scorecard_parser(sub) -> None:
    """The ``scorecard`` subcommand's options."""
    card = sub.add_parser("scorecard", help="run validation cases against published series")
    card.add_argument("cases", nargs="*", metavar="CASE",
                      help="case files (default: every validation/*.yaml of this checkout)")
    card.add_argument("--out", required=True, type=types.folder_name, help="output folder")
    card.add_argument("--quick", action="store_true",
                      help="the cases' reduced runs (run.quick), for CI")
    card.add_argument("--scenarios", metavar="DIR",
                      help="folder the cases' scenario paths are relative to "
                           "(default: scenarios/ of this checkout)")
    _cluster_options(card)
    card.add_argument("--quiet", action="store_true", help="no progress and no table")


def _calibrate_parser(sub) -> None:
    """The ``calibrate`` subcommand's options."""
    calibrate = _command(sub, "calibrate", "fit free parameters to target figures", "spec",
                         "calibration spec (YAML)", "output folder")
    calibrate.add_argument("--trials", type=types.trials, help="override the spec's trials")
    calibrate.add_argument("--users", type=types.users, help="override the spec's users")
    calibrate.add_argument("--replicates", type=types.trial_replicates,
                           help="override the spec's replicates per trial")
    calibrate.add_argument("--quiet", action="store_true", help="no progress and no table")
    _cluster_options(calibrate)


def _rerun_parser(sub) -> None:
    """The ``rerun`` subcommand's options."""
    rerun = _command(sub, "rerun", "run a result folder or a whole experiment again", "source",
                     "a result folder (simfraud run) or an experiment folder (simfraud "
                     "compare or sweep)", "folder for the new result")
    rerun.add_argument("--workers", type=types.local_workers,
                       help="local worker processes for an experiment (default: one per core)")
    rerun.add_argument("--quiet", action="store_true", help="no progress and nothing when done")


def _dashboard_parser(sub) -> None:
    """The ``dashboard`` subcommand's options."""
    board = sub.add_parser("dashboard", help="start the dashboard (a local web app)")
    board.add_argument("--results", default="results", help="folder of result sets")
    board.add_argument("--scenarios", default="scenarios", help="folder of scenario files")
    board.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: this machine only)")
    board.add_argument("--port", type=types.port, default=8050, help="port (default 8050)")
    board.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="also accept requests addressed to this host name (repeatable; "
                            "127.0.0.1, localhost and the --host address are always accepted)")
    board.add_argument("--workers", type=types.threads, default=4,
                       help="threads serving requests (default 4)")
    board.add_argument("--max-runs", type=types.max_runs, default=2,
                       help="background runs at once from the Run page; more wait in a "
                            "queue (default 2)")
    board.add_argument("--max-queued", type=types.max_queued, default=4,
                       help="runs that may wait for a free slot; more are refused (default 4)")


def scenario_overrides(args: argparse.Namespace) -> list[str]:
    """The ``--set`` assignments, then ``--users``, ``--days`` and ``--seed`` as assignments."""
    extra = []
    if args.users is not None:
        extra.append(f"population.users={args.users}")
    if args.days is not None:
        extra.append(f"days={args.days}")
    if args.seed is not None:
        extra.append(f"seed={args.seed}")
    return [*args.overrides, *extra]
