"""``simfraud calibrate``: fit free parameters to target figures, print the fit."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from simfraud.cli.errors import EXIT_OK, bad_input

TABLE = {"float_format": "{:,.4g}".format, "index": False}


def calibrate(args: argparse.Namespace) -> int:
    """Run or resume a calibration spec; print the best values, good fits and the fit."""
    import pydantic

    from simfraud.experiments.calibrate import calibrate as run_calibration
    from simfraud.experiments.calibration_study import CalibrationError
    from simfraud.experiments.dispatch import ExperimentError
    from simfraud.results.lock import OutputError
    from simfraud.scenario.loader import ScenarioError

    try:
        report = run_calibration(Path(args.spec), Path(args.out), args.trials, args.users,
                                 quiet=args.quiet, replicates=args.replicates,
                                 workers=args.workers,
                                 scheduler=args.scheduler, resume=args.resume)
    except OutputError as exc:
        return bad_input(f"simfraud calibrate: --out {exc}")
    except (ScenarioError, CalibrationError, ExperimentError) as exc:
        return bad_input(exc if isinstance(exc, ScenarioError) else
                         f"simfraud calibrate: {exc}")
    except pydantic.ValidationError as exc:  # a trial's values made no valid scenario
        return bad_input("\n".join(f"simfraud calibrate: {args.spec}: trial values: {line}"
                                    for line in _one_line_each(exc)))
    except (OSError, ValueError) as exc:
        return bad_input(f"simfraud calibrate: {args.spec}: {exc}")
    if not args.quiet:
        _print_report(report, Path(args.out))
    return EXIT_OK


def _print_report(report: dict[str, Any], out: Path) -> None:
    """The best values, the spread of the good fits, fit and holdout, fresh replicates."""
    fresh = report["fresh_replicates"]
    print(f"best fit loss {report['loss']:.4f} after {report['trials']} trials "
          f"(replicates 0-{report['replicates'] - 1} averaged per trial)")
    for name, value in report["best"].items():
        print(f"  {name} = {value:.6g}")
    good = report["good"]
    print(f"good fits: the best {good['good_trials'].iloc[0]} trial(s), fit loss <= "
          f"{good['loss_cutoff'].iloc[0]:.4g}")
    print(good.drop(columns=["good_trials", "loss_cutoff"]).to_string(**TABLE))
    print(report["fit"].drop(columns="unit").to_string(**TABLE))
    for label, losses in (("search replicates", report["searched"]),
                          (f"fresh replicates {fresh.start}-{fresh.stop - 1}",
                           report["fresh"])):
        print(f"loss on {label}: " + ", ".join(f"{name} {value:.4f}"
                                               for name, value in losses.items()))
    print(f"calibrated scenario in {out / 'calibrated.yaml'}")


def _one_line_each(exc) -> list[str]:
    """``field.path: what is wrong (got ...; allowed: ...)`` per error of a scenario."""
    from simfraud.scenario.messages import clean_path, message
    from simfraud.scenario.problems import dotted

    return [f"{dotted(error['loc'])}: {message(error, clean_path({}, error['loc'])[1])}"
            for error in exc.errors()]
