"""``simfraud run`` and ``simfraud rerun``: simulate a scenario, or a result again."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from simfraud.cli.errors import (
    EXIT_OK,
    bad_input,
    runs_failed,
    write_failed,
    write_results,
)
from simfraud.cli.parser import scenario_overrides
from simfraud.cli.tables import profile_table


def run(args: argparse.Namespace) -> int:
    """Run a scenario's replicates and publish a result folder into ``--out``."""
    from simfraud.scenario.loader import ScenarioError, load_scenario

    started = time.perf_counter()
    try:
        scenario = load_scenario(args.scenario, scenario_overrides(args))
    except ScenarioError as exc:
        return bad_input(exc)
    return write_results(args.out,
                         lambda writer: _simulate_and_write(args, scenario, writer, started))


def _replicates(scenario, replicates: int, engine: str, quiet: bool, **options):
    """Run the replicates with a progress display (a bar, or lines off a terminal)."""
    from simfraud.core.progress import progress
    from simfraud.model.replicates import run_replicates

    with progress(scenario.days * replicates, desc=scenario.name, unit="day",
                  quiet=quiet) as bar:
        return run_replicates(scenario, replicates, engine, on_day=bar.update, **options)


def _simulate_and_write(args, scenario, writer, started: float) -> int:
    from simfraud.results.folder import write_run_folder
    from simfraud.results.summary import summary_table

    loaded = time.perf_counter()
    result = _replicates(scenario, args.replicates, args.engine, args.quiet,
                         transaction_share=args.transactions, batch=args.batch)
    simulated = time.perf_counter()
    summary = write_run_folder(writer, scenario, result, {
        "scenario_file": str(args.scenario),
        "replicates": args.replicates,
        "engine": args.engine,
        "command_line": args.command_line,
        "overrides": scenario_overrides(args),
        "transactions": args.transactions,
    }, {"load_seconds": loaded - started, "run_seconds": simulated - loaded})
    if not args.quiet:
        print(summary_table(summary))
        print(f"results in {args.out}")
    if args.profile:
        print(profile_table(result, scenario.population.users, scenario.days * args.replicates))
    return EXIT_OK


def rerun(args: argparse.Namespace) -> int:
    """Run a result folder (or, given an experiment folder, the experiment) again."""
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
        return bad_input(f"simfraud rerun: {exc}")
    except ScenarioError as exc:
        return bad_input(exc)
    first, replicates = manifest.replicate, manifest.replicates
    engine, share = manifest.engine, manifest.transactions

    def again(writer) -> int:
        result = _replicates(scenario, replicates, engine, args.quiet, first_replicate=first,
                             transaction_share=share)
        write_run_folder(writer, scenario, result, {
            "scenario_file": str(source / "scenario.yaml"), "replicates": replicates,
            "replicate": first, "engine": engine, "rerun_of": str(source),
            "transactions": share,
            "command_line": args.command_line,
        }, {})
        return EXIT_OK

    status = write_results(args.out, again)
    if status != EXIT_OK:
        return status
    if not args.quiet:
        print(f"reran {source} into {args.out}")
    return EXIT_OK


def _rerun_experiment(args: argparse.Namespace) -> int:
    from simfraud.experiments.dispatch import ExperimentError, RunsFailedError
    from simfraud.experiments.rerun import rerun_experiment
    from simfraud.scenario.loader import ScenarioError

    try:
        index = rerun_experiment(Path(args.source), Path(args.out), workers=args.workers,
                                 quiet=args.quiet, command_line=args.command_line)
    except (ExperimentError, ScenarioError) as exc:
        return bad_input(f"simfraud rerun: {exc}")
    except RunsFailedError as exc:
        return runs_failed("rerun", exc.index)
    except OSError as exc:
        return write_failed("rerun", args.out, exc)
    if not args.quiet:
        print(f"reran {len(index)} runs of {args.source} into {args.out}")
    return EXIT_OK
