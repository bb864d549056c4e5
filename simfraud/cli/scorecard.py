"""``simfraud scorecard``: validation cases against published series (docs/validation.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from simfraud.cli.errors import EXIT_BAD_INPUT, EXIT_OK, bad_input, runs_failed, write_failed


def scorecard(args: argparse.Namespace) -> int:
    """Run the cases; print the scorecard table; write it in ``--out``."""
    from simfraud.experiments.dispatch import ExperimentError, RunsFailedError
    from simfraud.experiments.scorecard.case_files import CHECKOUT, default_cases, load_cases
    from simfraud.experiments.scorecard.execute import run_scorecard
    from simfraud.scenario.problems import ScenarioError

    paths = [Path(c) for c in args.cases] or default_cases()
    if not paths:
        print("simfraud scorecard: no case files given and no validation/ folder here",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    scenarios = Path(args.scenarios) if args.scenarios else CHECKOUT / "scenarios"
    try:
        card = run_scorecard(load_cases(paths, scenarios, args.quick), Path(args.out),
                             workers=args.workers, scheduler=args.scheduler,
                             resume=args.resume, quiet=args.quiet,
                             command_line=args.command_line)
    except (ScenarioError, ExperimentError) as exc:
        return bad_input(exc)
    except RunsFailedError as exc:
        return runs_failed("scorecard", exc.index)
    except OSError as exc:
        return write_failed("scorecard", args.out, exc)
    if not args.quiet:
        shown = ["case", "metric", "period", "unit", "published", "simulated_mean",
                 "simulated_p10", "simulated_p90", "within_tolerance"]
        print(card[shown].to_string(index=False, float_format="{:,.4g}".format))
        print(f"scorecard in {Path(args.out) / 'scorecard.html'}")
    return EXIT_OK
