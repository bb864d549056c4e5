"""The ``simfraud`` command line: parse, call, report.

Exit codes: 0 success, 1 the simulation itself failed (e.g. a ledger invariant),
2 bad input (scenario, arguments, output folder), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from simfraud import prefer_openmp
from simfraud.scenario.schema import MAX_DAYS, MAX_REPLICATES, MAX_USERS

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors name the command and exit with status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _bounded(kind: type, low: float, high: float, allowed: str):
    """An argparse type: a number of ``kind`` within ``[low, high]``."""
    noun = "a whole number" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {value}")
        return value

    return parse


_positive = _bounded(int, 1, 2**63 - 1, "between 1 and 2**63-1")
_users = _bounded(int, 1, MAX_USERS, f"1 to {MAX_USERS:,} (about 55 bytes of memory per user)")
_days = _bounded(int, 1, MAX_DAYS, f"1 to {MAX_DAYS:,} (ten years)")
_replicates = _bounded(int, 1, MAX_REPLICATES, f"1 to {MAX_REPLICATES:,} (each replicate "
                       "keeps its daily tables in memory)")
_trials = _bounded(int, 1, 10_000, "1 to 10,000")
_share = _bounded(float, 0.0, 1.0, "between 0 and 1")
_seed = _bounded(int, 0, 2**63 - 1, "between 0 and 2**63-1")
_port = _bounded(int, 1, 65_535, "between 1 and 65535")
_threads = _bounded(int, 1, 64, "between 1 and 64")
_max_runs = _bounded(int, 1, 16, "between 1 and 16")


def _folder_name(text: str) -> str:
    """An argparse type: a non-empty path (``--out ''`` would mean this folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a folder, got an empty name")
    return text


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = _Parser(prog="simfraud", description="Simulate the payment-fraud arms race "
                     "around face payment and deepfakes.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    _run_parser(sub)

    sweep = sub.add_parser("sweep", help="run a parameter grid x replicates")
    sweep.add_argument("scenario", help="scenario YAML file (its sweep: block is the default)")
    sweep.add_argument("--out", required=True, type=_folder_name, help="experiment folder")
    sweep.add_argument("--grid", action="append", default=[], metavar="PATH=V1,V2,...",
                       help="values of one parameter (repeatable; replaces the file's grid)")
    sweep.add_argument("--replicates", type=_replicates, help="replicates per grid point")
    _experiment_options(sweep)

    compare = sub.add_parser("compare", help="compare scenarios with common random numbers")
    compare.add_argument("scenarios", nargs="+", metavar="SCENARIO",
                         help="two or more scenario files; each is compared with the first "
                              "(one file with --arm)")
    compare.add_argument("--arm", dest="arms", action="append", default=[],
                         metavar="NAME:PATH=VALUE,...",
                         help="an arm: the one scenario with these changes (repeatable); "
                              "the scenario as it is is the reference")
    compare.add_argument("--out", required=True, type=_folder_name, help="experiment folder")
    compare.add_argument("--replicates", type=_replicates, default=10,
                         help="replicates per scenario (default 10)")
    _experiment_options(compare)

    sensitivity = sub.add_parser("sensitivity",
                                 help="Morris screening of the sensitivity: block's ranges")
    sensitivity.add_argument("scenario", help="scenario YAML file with a sensitivity: block")
    sensitivity.add_argument("--out", required=True, type=_folder_name, help="experiment folder")
    sensitivity.add_argument("--metric", help="total to rank by (default: the block's metric)")
    _experiment_options(sensitivity)

    sub.add_parser("bench", help="run the performance suite (same as python -m benchmarks)")
    sub.add_parser("schema", help="print the JSON Schema of scenario files")
    calibrate = sub.add_parser("calibrate", help="fit free parameters to target figures")
    calibrate.add_argument("spec", help="calibration spec (YAML)")
    calibrate.add_argument("--out", required=True, type=_folder_name, help="output folder")
    calibrate.add_argument("--trials", type=_trials, help="override the spec's trials")
    calibrate.add_argument("--users", type=_users, help="override the spec's users")
    calibrate.add_argument("--quiet", action="store_true", help="no progress and no table")
    rerun = sub.add_parser("rerun", help="run a result folder or a whole experiment again")
    rerun.add_argument("source", help="a result folder (simfraud run) or an experiment "
                                      "folder (simfraud compare or sweep)")
    rerun.add_argument("--out", required=True, type=_folder_name, help="folder for the new result")
    rerun.add_argument("--workers", type=_positive,
                       help="local worker processes for an experiment (default: one per core)")
    rerun.add_argument("--quiet", action="store_true", help="print nothing when done")

    _dashboard_parser(sub)
    _scorecard_parser(sub)

    validate = sub.add_parser("validate", help="check scenario files (exit 0 or 2)")
    validate.add_argument("files", nargs="+", help="scenario YAML files")

    sub.add_parser("info", help="print versions, threads and the numba cache location")
    return parser


def _run_parser(sub) -> None:
    """The ``run`` subcommand's options."""
    run = sub.add_parser("run", help="run a scenario and write its results")
    run.add_argument("scenario", help="scenario YAML file")
    run.add_argument("--out", required=True, type=_folder_name,
                     help="result folder (created if missing; its result files are replaced)")
    run.add_argument("--users", type=_users, help="simulated users (population.users)")
    run.add_argument("--days", type=_days, help="days to simulate")
    run.add_argument("--seed", type=_seed, help="base random seed")
    run.add_argument("--replicates", type=_replicates, default=1, help="replicates (default 1)")
    run.add_argument("--engine", choices=("columnar", "agents"), default="columnar",
                     help="columnar (fast, default) or agents (one mesa agent per user)")
    run.add_argument("--set", dest="overrides", action="append", default=[],
                     metavar="PATH=VALUE",
                     help="override a parameter, e.g. platforms.0.liveness.level=depth_3d")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no table")
    run.add_argument("--transactions", type=_share, default=0.0, metavar="FRACTION",
                     help="log the payments of this share of users to transactions.parquet")
    run.add_argument("--profile", action="store_true",
                     help="print the time spent in each phase of the day")


def _dashboard_parser(sub) -> None:
    """The ``dashboard`` subcommand's options."""
    board = sub.add_parser("dashboard", help="start the dashboard (a local web app)")
    board.add_argument("--results", default="results", help="folder of result sets")
    board.add_argument("--scenarios", default="scenarios", help="folder of scenario files")
    board.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: this machine only)")
    board.add_argument("--port", type=_port, default=8050, help="port (default 8050)")
    board.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                       help="also accept requests addressed to this host name (repeatable; "
                            "127.0.0.1, localhost and the --host address are always accepted)")
    board.add_argument("--workers", type=_threads, default=4,
                       help="threads serving requests (default 4)")
    board.add_argument("--max-runs", type=_max_runs, default=2,
                       help="background runs at once from the Run page; more are refused "
                            "until one ends (default 2)")


def _cluster_options(parser: argparse.ArgumentParser) -> None:
    """Where an experiment's runs go: ``--workers``, ``--scheduler``, ``--resume``."""
    parser.add_argument("--workers", type=_positive,
                        help="local worker processes (default: one per core)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                        help="run on this dask.distributed cluster instead")
    parser.add_argument("--resume", action="store_true",
                        help="continue the experiment in --out, skipping finished runs")


def _experiment_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by the experiment commands."""
    _cluster_options(parser)
    parser.add_argument("--users", type=_users, help="simulated users (population.users)")
    parser.add_argument("--days", type=_days, help="days to simulate")
    parser.add_argument("--seed", type=_seed, help="base random seed")
    parser.add_argument("--set", dest="overrides", action="append", default=[],
                        metavar="PATH=VALUE",
                        help="override a parameter (of every scenario, for compare)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no table")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simfraud`` command.

    Args:
        argv: Arguments (default: ``sys.argv[1:]``).

    Returns:
        The exit status.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["bench"]:  # the suite parses its own options
        return _bench(argv[1:])
    args = build_parser().parse_args(argv)
    args.command_line = shlex.join(["simfraud", *argv])  # as typed, for the records
    handlers = {"run": _run, "validate": _validate, "info": _info, "sweep": _sweep,
                "compare": _compare, "sensitivity": _sensitivity, "dashboard": _dashboard,
                "schema": _schema, "rerun": _rerun, "calibrate": _calibrate,
                "scorecard": _scorecard}
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        return _interrupted()
    except BrokenPipeError:  # e.g. `simfraud info | head`: the reader left
        sys.stderr.close()
        return EXIT_OK


def _interrupted() -> int:
    """Ctrl-C (or SIGTERM from ``entry``): one line, exit 130."""
    print("simfraud: interrupted", file=sys.stderr)
    return EXIT_INTERRUPTED


def _sweep(args: argparse.Namespace) -> int:
    from simfraud.experiments.runner import ExperimentError
    from simfraud.experiments.sweep import resolve_sweep, run_sweep
    from simfraud.scenario.loader import ScenarioError, load_scenario
    from simfraud.scenario.overrides import OverrideError

    try:
        scenario = load_scenario(args.scenario, _overrides(args))
        sweep = resolve_sweep(scenario, args.grid, args.replicates)
        index = run_sweep(scenario, sweep, Path(args.out), workers=args.workers,
                          scheduler=args.scheduler, resume=args.resume, quiet=args.quiet,
                          command_line=args.command_line, source=args.scenario)
    except (ScenarioError, ExperimentError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except OverrideError as exc:
        print(f"simfraud sweep: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        return _write_failed("sweep", args.out, exc)
    failed = index[index["status"] != "ok"]
    if not args.quiet:
        print(_sweep_table(index))
        print(f"{len(index) - len(failed)} of {len(index)} runs ok; "
              f"index in {Path(args.out) / 'index.parquet'}")
    for row in failed.itertuples():
        print(f"simfraud sweep: run {row.run_id} failed: {row.error}", file=sys.stderr)
    return EXIT_FAILED if len(failed) else EXIT_OK


class _ArgumentsError(Exception):
    """Arguments that do not make a valid command (the message says why)."""


def _compare_arms(args: argparse.Namespace):
    """The arms to compare: the files given, or one file and its ``--arm`` variants.

    Returns:
        Scenarios, their names and the files they came from.

    Raises:
        _ArgumentsError: When a file or an arm is not valid (located messages), or the
            arguments do not make two or more distinct arms.
    """
    from simfraud.experiments.compare import scenario_names
    from simfraud.experiments.plan import parse_arm
    from simfraud.scenario.loader import ScenarioError, load_scenario
    from simfraud.scenario.overrides import OverrideError

    if not args.arms:
        if len(args.scenarios) < 2:
            raise _ArgumentsError("simfraud compare: give at least two scenario files, "
                                "or one with --arm")
        problems, scenarios = [], []
        for path in args.scenarios:
            try:
                scenarios.append(load_scenario(path, _overrides(args)))
            except ScenarioError as exc:
                problems.append(str(exc))
        if problems:
            raise _ArgumentsError("\n".join(problems))
        return (scenarios, scenario_names(scenarios, [Path(p) for p in args.scenarios]),
                list(args.scenarios))
    if len(args.scenarios) != 1:
        raise _ArgumentsError("simfraud compare: --arm needs exactly one scenario file "
                            "(the reference)")
    path = args.scenarios[0]
    try:
        parsed = [parse_arm(text) for text in args.arms]
        reference = load_scenario(path, _overrides(args))
        scenarios = [reference, *(load_scenario(path, [*_overrides(args), *changes])
                                  for _, changes in parsed)]
    except OverrideError as exc:
        raise _ArgumentsError(f"simfraud compare: {exc}") from None
    except ScenarioError as exc:
        raise _ArgumentsError(str(exc)) from None
    names = [reference.name, *(name for name, _ in parsed)]
    if len(set(names)) < len(names):
        raise _ArgumentsError("simfraud compare: arm names must differ from each other and "
                            f"from the reference {reference.name!r} ({', '.join(names)})")
    return scenarios, names, [path] * len(scenarios)


def _compare(args: argparse.Namespace) -> int:
    from simfraud.experiments.compare import run_compare

    try:
        scenarios, names, files = _compare_arms(args)
    except _ArgumentsError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    comparison, status = _experiment_call("compare", args.out, lambda: run_compare(
        scenarios, names, Path(args.out), args.replicates, workers=args.workers,
        scheduler=args.scheduler, resume=args.resume, quiet=args.quiet,
        command_line=args.command_line, sources=files))
    if status is not None:
        return status
    for row in comparison.tail.itertuples():
        if row.warning:
            print(f"simfraud compare: {row.scenario}: {row.warning}", file=sys.stderr)
    if not args.quiet:
        print(_difference_table(comparison, scenarios[0].currency))
        print(f"report in {Path(args.out) / 'report.html'}")
    return EXIT_OK


def _experiment_call(command: str, out: str, call):
    """Run ``call()``; map an experiment's failures to an exit status and its message.

    Returns:
        ``(result, None)``, or ``(None, status)`` after printing why: 2 for bad input, an
        unusable folder or scheduler or a failed write, 1 when runs failed.
    """
    from simfraud.experiments.runner import ExperimentError, RunsFailedError
    from simfraud.scenario.problems import ScenarioError

    try:
        return call(), None
    except (ScenarioError, ExperimentError) as exc:
        print(exc, file=sys.stderr)
        return None, EXIT_BAD_INPUT
    except RunsFailedError as exc:
        return None, _runs_failed(command, exc.index)
    except OSError as exc:
        return None, _write_failed(command, out, exc)


def _runs_failed(command: str, index) -> int:
    """Report the failed runs of an experiment whose tables were not written: exit 1."""
    failed = index[index["status"] != "ok"]
    for row in failed.itertuples():
        print(f"simfraud {command}: run {row.run_id} failed: {row.error}", file=sys.stderr)
    print(f"simfraud {command}: {len(failed)} of {len(index)} runs failed, so no table "
          "or report was written; fix the cause and rerun with --resume", file=sys.stderr)
    return EXIT_FAILED


def _calibrate(args: argparse.Namespace) -> int:
    import pydantic

    from simfraud.experiments.calibrate import calibrate
    from simfraud.results.lock import OutputError
    from simfraud.scenario.loader import ScenarioError

    try:
        report = calibrate(Path(args.spec), Path(args.out), args.trials, args.users,
                           quiet=args.quiet)
    except OutputError as exc:
        print(f"simfraud calibrate: --out {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OSError, ValueError, pydantic.ValidationError) as exc:
        print(f"simfraud calibrate: {args.spec}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.quiet:
        return EXIT_OK
    print(f"best loss {report['loss']:.4f} after {report['trials']} trials")
    for name, value in report["best"].items():
        print(f"  {name} = {value:.6g}")
    print(report["fit"].to_string(index=False, float_format="{:,.4g}".format))
    print(f"calibrated scenario in {Path(args.out) / 'calibrated.yaml'}")
    return EXIT_OK


# simfraud scorecard (issue 12): validation cases against published series.
def _scorecard_parser(sub) -> None:
    """The ``scorecard`` subcommand's options."""
    card = sub.add_parser("scorecard", help="run validation cases against published series")
    card.add_argument("cases", nargs="*", metavar="CASE",
                      help="case files (default: every validation/*.yaml of this checkout)")
    card.add_argument("--out", required=True, type=_folder_name, help="output folder")
    card.add_argument("--quick", action="store_true",
                      help="the cases' reduced runs (run.quick), for CI")
    card.add_argument("--scenarios", metavar="DIR",
                      help="folder the cases' scenario paths are relative to "
                           "(default: scenarios/ of this checkout)")
    _cluster_options(card)
    card.add_argument("--quiet", action="store_true", help="no progress and no table")


def _scorecard(args: argparse.Namespace) -> int:
    from simfraud.experiments.scorecard.load import CHECKOUT, default_cases, load_cases
    from simfraud.experiments.scorecard.run import run_scorecard

    paths = [Path(c) for c in args.cases] or default_cases()
    if not paths:
        print("simfraud scorecard: no case files given and no validation/ folder here",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    scenarios = Path(args.scenarios) if args.scenarios else CHECKOUT / "scenarios"
    card, status = _experiment_call("scorecard", args.out, lambda: run_scorecard(
        load_cases(paths, scenarios, args.quick), Path(args.out), workers=args.workers,
        scheduler=args.scheduler, resume=args.resume, quiet=args.quiet,
        command_line=args.command_line))
    if status is not None:
        return status
    if not args.quiet:
        shown = ["case", "metric", "period", "unit", "published", "simulated_mean",
                 "simulated_p10", "simulated_p90", "within_tolerance"]
        print(card[shown].to_string(index=False, float_format="{:,.4g}".format))
        print(f"scorecard in {Path(args.out) / 'scorecard.html'}")
    return EXIT_OK


def _schema(args: argparse.Namespace) -> int:
    from simfraud.scenario.jsonschema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return EXIT_OK


def _rerun(args: argparse.Namespace) -> int:
    from simfraud.model.replicates import run_replicates
    from simfraud.results.folder import write_run_folder
    from simfraud.results.manifest import ResultFolderError, read_manifest
    from simfraud.scenario.loader import ScenarioError, load_scenario

    source = Path(args.source)
    if (source / "experiment.json").is_file():
        return _rerun_experiment(args)
    try:
        manifest = read_manifest(source)
        scenario = load_scenario(source / "scenario.yaml")
    except ResultFolderError as exc:
        print(f"simfraud rerun: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    first, replicates = manifest.replicate, manifest.replicates
    engine, share = manifest.engine, manifest.transactions

    def rerun(writer) -> int:
        result = run_replicates(scenario, replicates, engine, first_replicate=first,
                                transaction_share=share)
        write_run_folder(writer, scenario, result, {
            "scenario_file": str(source / "scenario.yaml"), "replicates": replicates,
            "replicate": first, "engine": engine, "rerun_of": str(source),
            "transactions": share,
            "command_line": args.command_line,
        }, {})
        return EXIT_OK

    status = _write_results(args.out, rerun)
    if status != EXIT_OK:
        return status
    if not args.quiet:
        print(f"reran {source} into {args.out}")
    return EXIT_OK


def _rerun_experiment(args: argparse.Namespace) -> int:
    from simfraud.experiments.rerun import rerun_experiment
    from simfraud.experiments.runner import ExperimentError, RunsFailedError
    from simfraud.scenario.loader import ScenarioError

    try:
        index = rerun_experiment(Path(args.source), Path(args.out), workers=args.workers,
                                 quiet=args.quiet, command_line=args.command_line)
    except (ExperimentError, ScenarioError) as exc:
        print(f"simfraud rerun: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except RunsFailedError as exc:
        return _runs_failed("rerun", exc.index)
    except OSError as exc:
        return _write_failed("rerun", args.out, exc)
    if not args.quiet:
        print(f"reran {len(index)} runs of {args.source} into {args.out}")
    return EXIT_OK


def _bench(options: list[str]) -> int:
    """Run ``python -m benchmarks`` from the source checkout this package was installed from.

    The benchmarks are not part of the installed package; outside a checkout this says so.
    """
    import subprocess

    checkout = Path(__file__).resolve().parents[1]
    if not (checkout / "benchmarks" / "__main__.py").is_file():
        print("simfraud bench: the benchmarks are not installed with the package; run "
              "python -m benchmarks in a source checkout of simfraud", file=sys.stderr)
        return EXIT_BAD_INPUT
    return subprocess.run([sys.executable, "-m", "benchmarks", *options],
                          cwd=checkout).returncode


def _dashboard(args: argparse.Namespace) -> int:
    from waitress.server import create_server

    from dashboards.app import create_app

    for flag, folder in (("--results", args.results), ("--scenarios", args.scenarios)):
        if Path(folder).exists() and not Path(folder).is_dir():
            print(f"simfraud dashboard: {flag} {folder}: not a folder", file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        Path(args.results).mkdir(parents=True, exist_ok=True)
        app = create_app(args.results, args.scenarios, hosts=(args.host, *args.allow_host),
                         max_runs=args.max_runs)
        server = create_server(app.server, host=args.host, port=args.port,
                               threads=args.workers, ident="simfraud")
    except OSError as exc:
        print(f"simfraud dashboard: cannot serve on {args.host}:{args.port} with results in "
              f"{args.results} ({exc.strerror or exc})", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"simfraud dashboard on http://{args.host}:{args.port}/ "
          f"(results: {args.results}, scenarios: {args.scenarios}; {args.workers} threads, "
          f"at most {args.max_runs} background run(s) at once)", flush=True)
    server.run()  # waitress returns on Ctrl-C (it catches KeyboardInterrupt itself)
    server.close()
    return _interrupted()


def _sensitivity(args: argparse.Namespace) -> int:
    from simfraud.core.metrics import TIMESERIES
    from simfraud.experiments.runner import ExperimentError
    from simfraud.experiments.sensitivity import SensitivityError, run_sensitivity
    from simfraud.scenario.loader import ScenarioError, load_scenario

    names = [m.name for m in TIMESERIES]
    if args.metric is not None and args.metric not in names:
        print(f"simfraud sensitivity: --metric {args.metric!r} is not a metric "
              f"(allowed: {', '.join(names)})", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        scenario = load_scenario(args.scenario, _overrides(args))
        ranking = run_sensitivity(scenario, Path(args.out), metric=args.metric,
                                  workers=args.workers, scheduler=args.scheduler,
                                  resume=args.resume, quiet=args.quiet)
    except (ScenarioError, ExperimentError) as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except SensitivityError as exc:
        print(f"simfraud sensitivity: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT if "no sensitivity" in str(exc) else EXIT_FAILED
    except OSError as exc:
        return _write_failed("sensitivity", args.out, exc)
    if not args.quiet:
        print(f"Morris ranking by influence on {ranking['metric'].iloc[0]} "
              "(mu_star: mean absolute elementary effect)")
        print(ranking.drop(columns="metric").to_string(index=False, float_format="{:,.4g}".format))
    return EXIT_OK


PRINTED = ("gross_loss", "user_loss", "refunded", "security_spend", "compliance_cost",
           "social_cost", "final_facepay_users", "refunded_share")
"""Differences printed by compare: losses, who pays, and the metrics rules act through."""


def _signed(value: float, ratio: bool) -> str:
    if value != value:  # NaN
        return "n/a"
    return f"{value:,.2f}" if ratio else f"{value / 100.0:+,.0f}"


def _difference_table(comparison, currency: str) -> str:
    """Paired differences and cost-effectiveness against the first arm (major units)."""
    rows = comparison.differences
    rows = rows[rows["metric"].isin(PRINTED)]
    lines = [f"paired differences against {rows['versus'].iloc[0]} "
             f"(mean and 95% interval over {rows['replicates'].iloc[0]} replicates; "
             f"money in {currency}, simulated users)"]
    for r in rows.itertuples():
        scale, fmt = ((1.0, "{:+.1%}") if r.metric == "refunded_share" else
                      (100.0, "{:+,.0f}") if "minor units" in r.unit else (1.0, "{:+,.0f}"))
        interval = ("interval not available (fewer than 2 replicates)" if r.replicates < 2
                    else f"[{fmt.format(r.ci95_low / scale)}, {fmt.format(r.ci95_high / scale)}]")
        lines.append(f"  {r.scenario:24} {r.metric:20} {fmt.format(r.difference / scale):>14}"
                     f"  {interval}")
    lines.append(f"cost-effectiveness against {rows['versus'].iloc[0]} (loss avoided and "
                 f"spend added in {currency}; national = x population.weight)")
    for r in comparison.cost_effectiveness.itertuples():
        ratio = r.measure == "avoided_per_unit_spent"
        lines.append(f"  {r.scenario:24} {r.measure:22} {_signed(r.mean, ratio):>14}  "
                     f"[{_signed(r.ci95_low, ratio)}, {_signed(r.ci95_high, ratio)}]  "
                     f"national {_signed(r.national_mean, ratio)}")
    return "\n".join(lines)


def _sweep_table(index) -> str:
    """Mean headline figures per grid point (major currency units)."""
    ok = index[index["status"] == "ok"]
    if ok.empty:
        return "no run finished"
    columns = {"gross_loss": "gross loss", "user_loss": "borne by users",
               "social_cost": "social cost"}
    table = ok.groupby(["point", "label"])[list(columns)].mean() / 100.0
    table = table.rename(columns=columns).reset_index(level="point", drop=True)
    table["runs"] = ok.groupby("label").size()
    return table.to_string(float_format=lambda v: f"{v:,.0f}")


def _validate(args: argparse.Namespace) -> int:
    from simfraud.scenario.loader import ScenarioError, load_scenario

    status = EXIT_OK
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"{name}: ok ({scenario.name}: {scenario.population.users} users, "
                  f"{len(scenario.platforms)} platform(s), {scenario.days} days)")
    return status


def _overrides(args: argparse.Namespace) -> list[str]:
    extra = []
    if args.users is not None:
        extra.append(f"population.users={args.users}")
    if args.days is not None:
        extra.append(f"days={args.days}")
    if args.seed is not None:
        extra.append(f"seed={args.seed}")
    return [*args.overrides, *extra]


def _write_results(out: str, produce) -> int:
    """Run ``produce(writer)`` with a writer staging into ``out``; map failures to exits.

    An unusable ``--out`` or a failed write is bad input (2), a broken ledger invariant a
    failed run (1); staged files are discarded unless ``produce`` published them.
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
        return _write_failed("", out, exc)
    finally:
        writer.discard()


def _write_failed(command: str, out: str, exc: OSError) -> int:
    """Report a failed write into ``--out`` (a full disk, a lost permission): exit 2."""
    from simfraud.results.lock import shown

    print(f"{' '.join(filter(None, ('simfraud', command)))}: cannot write results to "
          f"{shown(out)}: {exc.strerror or exc}", file=sys.stderr)
    return EXIT_BAD_INPUT


def _run(args: argparse.Namespace) -> int:
    from simfraud.scenario.loader import ScenarioError, load_scenario

    started = time.perf_counter()
    try:
        scenario = load_scenario(args.scenario, _overrides(args))
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    return _write_results(args.out,
                          lambda writer: _simulate_and_write(args, scenario, writer, started))


def _simulate_and_write(args, scenario, writer, started: float) -> int:
    from simfraud.core.progress import progress
    from simfraud.model.replicates import run_replicates
    from simfraud.results.folder import write_run_folder
    from simfraud.results.summary import summary_table

    loaded = time.perf_counter()
    with progress(scenario.days * args.replicates, desc=scenario.name, unit="day",
                  quiet=args.quiet) as bar:
        result = run_replicates(scenario, args.replicates, args.engine, on_day=bar.update,
                                transaction_share=args.transactions)
    simulated = time.perf_counter()
    summary = write_run_folder(writer, scenario, result, {
        "scenario_file": str(args.scenario),
        "replicates": args.replicates,
        "engine": args.engine,
        "command_line": args.command_line,
        "overrides": _overrides(args),
        "transactions": args.transactions,
    }, {"load_seconds": loaded - started, "run_seconds": simulated - loaded})
    if not args.quiet:
        print(summary_table(summary))
        print(f"results in {args.out}")
    if args.profile:
        print(_profile_table(result, scenario.population.users, scenario.days * args.replicates))
    return EXIT_OK


def _profile_table(result, users: int, days: int) -> str:
    """Seconds per phase of the day and their share, with ns per user-day."""
    total = sum(result.phase_seconds.values()) or 1.0
    lines = [f"{'phase':16}{'seconds':>10}{'share':>8}{'ns/user-day':>14}"]
    for phase, seconds in result.phase_seconds.items():
        lines.append(f"{phase:16}{seconds:>10.3f}{seconds / total:>8.1%}"
                     f"{seconds / (users * days) * 1e9:>14.1f}")
    lines.append(f"{'all phases':16}{total:>10.3f}{1:>8.0%}"
                 f"{total / (users * days) * 1e9:>14.1f}")
    lines.append(f"model set-up (population, agents): {result.setup_seconds:.3f} s")
    return "\n".join(lines)


def _info(args: argparse.Namespace) -> int:
    import numba

    from simfraud.results.folder import versions

    cache_dir = numba.config.CACHE_DIR or str(Path(__file__).parent / "**" / "__pycache__")
    info = {
        "versions": versions(),
        "python": f"{platform.python_version()} ({sys.executable})",
        "cpu_count": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": (
            numba.config.THREADING_LAYER if numba.config.THREADING_LAYER != "default"
            else "first available of " + ", ".join(numba.config.THREADING_LAYER_PRIORITY)),
        "numba_cache": cache_dir,
    }
    print(json.dumps(info, indent=2))
    return EXIT_OK


def entry() -> None:
    """The ``simfraud`` console command: ``main`` on OpenMP threads, exit with its status.

    Every command but ``dashboard`` (whose background runs are forked children) runs its
    kernels on numba's OpenMP layer (see ``simfraud.prefer_openmp``); ``main`` called
    from Python keeps the library's fork-safe default. SIGTERM ends a command like Ctrl-C
    (staging folders removed, locks released, exit 130).
    """
    if sys.argv[1:2] != ["dashboard"]:
        prefer_openmp()
    signal.signal(signal.SIGTERM, _terminate)
    sys.exit(main())


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":  # pragma: no cover
    entry()
