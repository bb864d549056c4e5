"""``simfraud sweep``, ``compare`` and ``sensitivity``: experiments of many runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simfraud.cli.errors import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_OK,
    ArgumentsError,
    bad_input,
    runs_failed,
    write_failed,
)
from simfraud.cli.parser import scenario_overrides
from simfraud.cli.tables import difference_table, sweep_table


def sweep(args: argparse.Namespace) -> int:
    """Run a parameter grid x replicates; print the mean headline figures per point."""
    from simfraud.experiments.dispatch import ExperimentError
    from simfraud.experiments.sweep import resolve_sweep, run_sweep
    from simfraud.scenario.loader import ScenarioError, load_scenario
    from simfraud.scenario.overrides import OverrideError

    try:
        scenario = load_scenario(args.scenario, scenario_overrides(args))
        grid = resolve_sweep(scenario, args.grid, args.replicates)
        index = run_sweep(scenario, grid, Path(args.out), workers=args.workers,
                          scheduler=args.scheduler, resume=args.resume, quiet=args.quiet,
                          command_line=args.command_line, source=args.scenario)
    except (ScenarioError, ExperimentError) as exc:
        return bad_input(exc)
    except OverrideError as exc:
        return bad_input(f"simfraud sweep: {exc}")
    except OSError as exc:
        return write_failed("sweep", args.out, exc)
    failed = index[index["status"] != "ok"]
    if not args.quiet:
        print(sweep_table(index))
        print(f"{len(index) - len(failed)} of {len(index)} runs ok; "
              f"index in {Path(args.out) / 'index.parquet'}")
    for row in failed.itertuples():
        print(f"simfraud sweep: run {row.run_id} failed: {row.error}", file=sys.stderr)
    return EXIT_FAILED if len(failed) else EXIT_OK


def compare(args: argparse.Namespace) -> int:
    """Compare arms with common random numbers; print the paired differences."""
    from simfraud.experiments.compare import run_compare
    from simfraud.experiments.dispatch import ExperimentError, RunsFailedError

    try:
        scenarios, names, files = _compare_arms(args)
    except ArgumentsError as exc:
        return bad_input(exc)
    try:
        comparison = run_compare(scenarios, names, Path(args.out), args.replicates,
                                 workers=args.workers, scheduler=args.scheduler,
                                 resume=args.resume, quiet=args.quiet,
                                 command_line=args.command_line, sources=files)
    except ExperimentError as exc:
        return bad_input(exc)
    except RunsFailedError as exc:
        return runs_failed("compare", exc.index)
    except OSError as exc:
        return write_failed("compare", args.out, exc)
    for row in comparison.tail.itertuples():
        if row.warning:
            print(f"simfraud compare: {row.scenario}: {row.warning}", file=sys.stderr)
    if not args.quiet:
        print(difference_table(comparison, scenarios[0].currency))
        print(f"report in {Path(args.out) / 'report.html'}")
    return EXIT_OK


def _compare_arms(args: argparse.Namespace):
    """The arms to compare: the files given, or one file and its ``--arm`` variants.

    Returns:
        Scenarios, their names and the files they came from.

    Raises:
        ArgumentsError: When a file or an arm is not valid (located messages), or the
            arguments do not make two or more distinct arms.
    """
    if not args.arms:
        return _compared_files(args)
    from simfraud.experiments.plan import parse_arm
    from simfraud.scenario.loader import ScenarioError, load_scenario
    from simfraud.scenario.overrides import OverrideError

    if len(args.scenarios) != 1:
        raise ArgumentsError("simfraud compare: --arm needs exactly one scenario file "
                             "(the reference)")
    path = args.scenarios[0]
    try:
        parsed = [parse_arm(text) for text in args.arms]
        reference = load_scenario(path, scenario_overrides(args))
        scenarios = [reference, *(load_scenario(path, [*scenario_overrides(args), *changes])
                                  for _, changes in parsed)]
    except OverrideError as exc:
        raise ArgumentsError(f"simfraud compare: {exc}") from None
    except ScenarioError as exc:
        raise ArgumentsError(str(exc)) from None
    names = [reference.name, *(name for name, _ in parsed)]
    if len(set(names)) < len(names):
        raise ArgumentsError("simfraud compare: arm names must differ from each other and "
                             f"from the reference {reference.name!r} ({', '.join(names)})")
    return scenarios, names, [path] * len(scenarios)


def _compared_files(args: argparse.Namespace):
    """Two or more scenario files, each an arm named after its scenario."""
    from simfraud.experiments.compare import scenario_names
    from simfraud.scenario.loader import ScenarioError, load_scenario

    if len(args.scenarios) < 2:
        raise ArgumentsError("simfraud compare: give at least two scenario files, "
                             "or one with --arm")
    problems, scenarios = [], []
    for path in args.scenarios:
        try:
            scenarios.append(load_scenario(path, scenario_overrides(args)))
        except ScenarioError as exc:
            problems.append(str(exc))
    if problems:
        raise ArgumentsError("\n".join(problems))
    return (scenarios, scenario_names(scenarios, [Path(p) for p in args.scenarios]),
            list(args.scenarios))


def sensitivity(args: argparse.Namespace) -> int:
    """Morris screening of the scenario's ``sensitivity:`` ranges; print the ranking."""
    from simfraud.core.metrics import TIMESERIES
    from simfraud.experiments.dispatch import ExperimentError
    from simfraud.experiments.sensitivity import SensitivityError, run_sensitivity
    from simfraud.scenario.loader import ScenarioError, load_scenario

    names = [m.name for m in TIMESERIES]
    if args.metric is not None and args.metric not in names:
        return bad_input(f"simfraud sensitivity: --metric {args.metric!r} is not a metric "
                         f"(allowed: {', '.join(names)})")
    try:
        scenario = load_scenario(args.scenario, scenario_overrides(args))
        ranking = run_sensitivity(scenario, Path(args.out), metric=args.metric,
                                  workers=args.workers, scheduler=args.scheduler,
                                  resume=args.resume, quiet=args.quiet)
    except (ScenarioError, ExperimentError) as exc:
        return bad_input(exc)
    except SensitivityError as exc:
        print(f"simfraud sensitivity: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT if "no sensitivity" in str(exc) else EXIT_FAILED
    except OSError as exc:
        return write_failed("sensitivity", args.out, exc)
    if not args.quiet:
        print(f"Morris ranking by influence on {ranking['metric'].iloc[0]} "
              "(mu_star: mean absolute elementary effect)")
        print(ranking.drop(columns="metric").to_string(index=False, float_format="{:,.4g}".format))
    return EXIT_OK
