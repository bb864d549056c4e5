"""``simfraud calibrate``: fit free parameters to target figures, print the fit."""

from __future__ import annotations

import argparse
from pathlib import Path

from simfraud.cli.errors import EXIT_OK, bad_input


def calibrate(args: argparse.Namespace) -> int:
    """Run a calibration spec; print the best values and the fit table."""
    import pydantic

    from simfraud.experiments.calibrate import calibrate as run_calibration
    from simfraud.results.lock import OutputError
    from simfraud.scenario.loader import ScenarioError

    try:
        report = run_calibration(Path(args.spec), Path(args.out), args.trials, args.users,
                                 quiet=args.quiet)
    except OutputError as exc:
        return bad_input(f"simfraud calibrate: --out {exc}")
    except ScenarioError as exc:
        return bad_input(exc)
    except pydantic.ValidationError as exc:  # a trial's values made no valid scenario
        return bad_input("\n".join(f"simfraud calibrate: {args.spec}: trial values: {line}"
                                    for line in _one_line_each(exc)))
    except (OSError, ValueError) as exc:
        return bad_input(f"simfraud calibrate: {args.spec}: {exc}")
    if args.quiet:
        return EXIT_OK
    print(f"best loss {report['loss']:.4f} after {report['trials']} trials")
    for name, value in report["best"].items():
        print(f"  {name} = {value:.6g}")
    print(report["fit"].drop(columns="unit").to_string(index=False,
                                                       float_format="{:,.4g}".format))
    print(f"calibrated scenario in {Path(args.out) / 'calibrated.yaml'}")
    return EXIT_OK


def _one_line_each(exc) -> list[str]:
    """``field.path: what is wrong (got ...; allowed: ...)`` per error of a scenario."""
    from simfraud.scenario.messages import clean_path, message
    from simfraud.scenario.problems import dotted

    return [f"{dotted(error['loc'])}: {message(error, clean_path({}, error['loc'])[1])}"
            for error in exc.errors()]
