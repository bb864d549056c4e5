"""``simfraud calibrate``: fit free parameters to published figures with Optuna.

A calibration spec (YAML) names a scenario, a target CSV (``metric,period,value,weight``,
see :mod:`simfraud.experiments.calibration_targets`) and the free parameters with their
bounds; a free parameter may be a value that a rule change of the scenario's timeline
sets (``timeline.K.set.PATH``), so a value can be fitted per period. Each trial runs the
scenario's first ``replicates`` replicates with the trial's values (the same seeds every
trial, so trials differ by their parameters, not by noise) and scores the weighted sum of
squared relative errors of the targets outside the ``holdout`` periods. The study is kept
on disk and its trials run in parallel batches
(:mod:`simfraud.experiments.calibration_study`); at the end the best parameters run again
on fresh replicates and the report (:mod:`simfraud.experiments.calibration_report`) shows
fit and holdout errors on both, and the spread of the good fits.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from simfraud.core.progress import progress
from simfraud.experiments.calibration_race import (
    MAX_FRESH,
    judged,
    race,
    recheck_replicates,
)
from simfraud.experiments.calibration_report import (
    fit_frame,
    good_fits,
    set_losses,
    trials_frame,
    write_report,
)
from simfraud.experiments.calibration_study import (
    Measured,
    Parts,
    Simulate,
    complete_trials,
    refuse_unless_resumed,
    run_batches,
    simulator,
    study_in,
)
from simfraud.experiments.calibration_targets import (
    PERIOD,
    Target,
    read_targets,
)
from simfraud.results.atomic import write_csv_atomic
from simfraud.results.lock import FolderLock
from simfraud.scenario.loader import apply_changes, load_scenario, value_problems
from simfraud.scenario.messages import locate_errors
from simfraud.scenario.overrides import OverrideError, get_path
from simfraud.scenario.problems import Located, Problem, ScenarioError, dotted
from simfraud.scenario.schema import MAX_REFERENCE_USERS, MAX_USERS, Bounds, Scenario
from simfraud.scenario.yaml12 import read_yaml_file

if TYPE_CHECKING:
    import pandas as pd


class CalibrationSpec(BaseModel):
    """What to fit, to what, within which bounds."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)

    scenario: str = Field(description="Scenario file, relative to the spec.")
    targets: str = Field(description="CSV of targets (metric, period, value, weight).")
    parameters: dict[str, Bounds] = Field(description="Free parameters and their bounds.")
    integer: list[str] = Field(default_factory=list,
                               description="Parameters that take whole numbers.")
    log: list[str] = Field(default_factory=list, description="Parameters sampled on a log "
                           "scale (both bounds above 0).")
    real_population: float = Field(gt=0, le=MAX_REFERENCE_USERS,
                                   description="People the targets are about.")
    users: int = Field(20_000, ge=100, le=MAX_USERS, description="Simulated users per trial.")
    replicates: int = Field(1, ge=1, le=20, description="Replicates averaged per trial.")
    fresh_replicates: int | None = Field(
        None, ge=1, le=MAX_FRESH, description="Replicates on fresh seeds that the best parameters "
        "are run on at the end (default: as many as replicates).")
    trials: int = Field(40, ge=1, le=10_000, description="Optuna trials.")
    parallel: int = Field(1, ge=1, le=64, description="Trials proposed together and run "
                          "side by side; the search depends on it, not on the workers.")
    seed: int = Field(1, ge=0, le=2**32 - 1, description="Seed of the Optuna sampler.")
    holdout: list[int | str] = Field(
        default_factory=list, description="Periods (YYYY or YYYY-MM) whose targets are "
        "scored but not fitted.")
    good_share: float = Field(0.1, gt=0, le=1, description="Share of trials, best first, "
                              "whose parameter ranges are reported as the good fits.")
    recheck: int = Field(0, ge=0, le=50, description="The best trials by the search's loss "
                         "judged again on recheck_replicates replicates of their own; the "
                         "best of them there is the calibrated one (racing: the best of "
                         "many trials on few replicates is partly the luckiest). 0: the "
                         "search's best.")
    recheck_replicates: int = Field(10, ge=1, le=20, description="Replicates each rechecked "
                                    "trial is judged on, on seeds after the fresh ones'.")
    start: list[dict[str, float]] = Field(
        default_factory=list, description="Trials to run first (for example a previous "
        "fit): each sets some free parameters within their bounds and the sampler draws "
        "the others. Used when the study is new, not when it is resumed.")


def read_spec(path: Path) -> tuple[CalibrationSpec, Located]:
    """Read a calibration spec with the scenario files' YAML limits and located messages.

    Returns:
        The spec and the positions of its keys.

    Raises:
        ScenarioError: One located line per problem.
    """
    located = read_yaml_file(path, "calibration fields")
    try:
        return CalibrationSpec.model_validate(located.data), located
    except ValidationError as exc:
        raise ScenarioError(locate_errors(exc, located, (str(path), 1, 1),
                                          CalibrationSpec)) from None


def check_spec(spec: CalibrationSpec, located: Located, base: Scenario) -> set[str]:
    """Check the free parameters against the scenario before any trial runs.

    Both ends of every range must make a valid scenario (so the path exists and the
    bounds are within the parameter's own range), every ``integer`` and ``log`` entry
    must name a free parameter, a whole-number range must hold a whole number and a
    log-scale range must lie above 0.

    Returns:
        The parameters that take whole numbers.

    Raises:
        ScenarioError: One located line per problem (file, line, field path, what is
            wrong, what is allowed).
    """
    fallback = located.positions[()]
    problems = [Problem(*located.where((key, k), fallback), f"{key}.{k}",
                        f"{name!r} is not a free parameter (allowed: "
                        f"{', '.join(spec.parameters) or 'none'})")
                for key in ("integer", "log")
                for k, name in enumerate(getattr(spec, key)) if name not in spec.parameters]
    data = base.model_dump(mode="json")
    dated = dated_problems(spec, located, data)
    problems += dated
    whole = set(spec.integer) | {name for name in spec.parameters
                                 if _is_integer(_current(data, name))}
    trials = []
    for name, bounds in spec.parameters.items():
        where = ("parameters", name)
        if any(problem.path == dotted(where) for problem in dated):
            continue
        current = _current(data, name)
        low, high = _range(bounds, name in whole)
        if current is not None and not _is_number(current):
            problems.append(Problem(*located.where(where, fallback), dotted(where),
                                    f"the scenario's value is {_shown(current)}, not a number "
                                    "(allowed: a numeric parameter, e.g. attackers.initial)"))
            continue
        if low > high:
            problems.append(Problem(*located.where(where, fallback), dotted(where),
                                    f"no whole number from {bounds.low:g} to {bounds.high:g} "
                                    "(allowed: a range holding a whole number)"))
        if name in spec.log and low <= 0:
            problems.append(Problem(*located.where(where, fallback), dotted(where),
                                    f"low {bounds.low:g} on a log scale (allowed: bounds "
                                    "above 0 for a parameter listed in log)"))
        trials += [(where, name, low), (where, name, high)]
    problems += value_problems(data, trials, located, fallback)
    problems += start_problems(spec, located, whole)
    if problems:
        raise ScenarioError(problems)
    return whole


def start_problems(spec: CalibrationSpec, located: Located, whole: set[str]) -> list[Problem]:
    """Check the spec's ``start`` trials: free parameters only, each within its bounds."""
    fallback = located.positions[()]
    problems = []
    for k, point in enumerate(spec.start):
        for name, value in point.items():
            where = located.where(("start", k, name), fallback)
            if name not in spec.parameters:
                problems.append(Problem(*where, f"start.{k}.{name}", "not a free parameter "
                                        f"(allowed: {', '.join(spec.parameters)})"))
                continue
            low, high = _range(spec.parameters[name], name in whole)
            if not low <= value <= high or (name in whole and value != int(value)):
                kind = "a whole number" if name in whole else "a number"
                problems.append(Problem(*where, f"start.{k}.{name}", f"{value:g} (allowed: "
                                        f"{kind} from {low:g} to {high:g})"))
    return problems


DATED = re.compile(r"timeline\.(-?\d+)\.set\.(.+)")
"""A dated parameter: ``timeline.K.set.PATH``, the value rule change K sets at PATH."""


def dated_problems(spec: CalibrationSpec, located: Located,
                   data: dict[str, Any]) -> list[Problem]:
    """Check the free parameters that address a rule change's value (``timeline.K.set.P``).

    Event K of the scenario's timeline must be a ``rule_change`` that sets ``P``; the
    value it sets there is then the free parameter, so a calibration can fit one value
    per period (the scenario's own value before the change, the event's after it).

    Returns:
        One located problem per bad dated parameter.
    """
    problems = []
    for name in spec.parameters:
        match = DATED.fullmatch(name)
        why = match and _dated_problem(int(match.group(1)), match.group(2),
                                       data.get("timeline", []))
        if why:
            where = ("parameters", name)
            problems.append(Problem(*located.where(where, located.positions[()]),
                                    dotted(where), why))
    return problems


def _dated_problem(index: int, path: str, events: list[dict[str, Any]]) -> str | None:
    """What is wrong with ``timeline.INDEX.set.PATH`` as a free parameter, or None."""
    changes = [k for k, event in enumerate(events) if event["type"] == "rule_change"]
    if index in changes:
        sets = events[index]["set"]
        if path in sets:
            return None
        return (f"rule change timeline.{index} (day {events[index]['day']}) sets no "
                f"{path!r} (allowed: a path it sets: {', '.join(sets)})")
    got = f"a {events[index]['type']} event" if 0 <= index < len(events) else "no event"
    listed = ", ".join(f"timeline.{k}" for k in changes) or "none in this scenario"
    return (f"timeline.{index} is {got}, not a rule_change (allowed: timeline.K.set.PATH "
            f"for a rule change K that sets PATH: {listed})")


def holdout_flags(spec: CalibrationSpec, located: Located, targets: list[Target]
                  ) -> list[bool]:
    """Whether each target is held out of the fit (its period is in ``holdout``).

    Raises:
        ScenarioError: A located line per holdout period that is malformed or holds no
            target, or when every target would be held out.
    """
    fallback = located.positions[()]
    periods = [str(period) for period in spec.holdout]
    problems = []
    for k, period in enumerate(periods):
        if not PERIOD.fullmatch(period):
            why = f"period {period!r} (allowed: a year YYYY or a month YYYY-MM)"
        elif not any(t.period.startswith(period) for t in targets):
            listed = ", ".join(dict.fromkeys(t.period for t in targets))
            why = f"no target in {period} (allowed: periods of the targets: {listed})"
        else:
            continue
        problems.append(Problem(*located.where(("holdout", k), fallback), f"holdout.{k}",
                                why))
    held = [any(t.period.startswith(period) for period in periods) for t in targets]
    if all(held) and not problems:
        problems.append(Problem(*located.where(("holdout",), fallback), "holdout",
                                "every target is held out (allowed: periods that leave at "
                                "least one target to fit)"))
    if problems:
        raise ScenarioError(problems)
    return held


def fingerprint(spec: CalibrationSpec, base: Scenario, targets: list[Target]) -> str:
    """Identity of a search: what a resumed calibration must share with the first run.

    The number of trials, the fresh replicates, the good-fit share and the recheck may
    change.
    """
    content = {"spec": spec.model_dump(mode="json", exclude={
        "trials", "fresh_replicates", "good_share", "recheck", "recheck_replicates"}),
        "scenario": base.model_dump(mode="json"),
        "targets": [dataclasses.astuple(target) for target in targets]}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _range(bounds: Bounds, whole: bool) -> tuple[float, float]:
    """The values a trial may take: whole numbers inside the bounds, or the bounds."""
    if whole:
        return math.ceil(bounds.low), math.floor(bounds.high)
    return bounds.low, bounds.high


def _suggest(trial, parameters: dict[str, Bounds], whole: set[str],
             log: list[str]) -> dict[str, Any]:
    """One trial's values of the free parameters, as Optuna's sampler suggests them."""
    values = {}
    for name, bounds in parameters.items():
        low, high = _range(bounds, name in whole)
        suggest = trial.suggest_int if name in whole else trial.suggest_float
        values[name] = suggest(name, low, high, log=name in log)
    return values


def _current(data: dict[str, Any], path: str) -> Any:
    """The scenario's value at ``path``, or None where the path leads nowhere."""
    try:
        return get_path(data, path)
    except OverrideError:
        return None


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _shown(value: Any) -> str:
    """A scenario value for a message: a block by its kind, a value cut to 40 characters."""
    if isinstance(value, dict | list):
        return f"a {'block' if isinstance(value, dict) else 'list'}"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def calibrate(spec_path: Path, out: Path, trials: int | None = None,
              users: int | None = None, quiet: bool = False, *,
              replicates: int | None = None, workers: int | None = None,
              scheduler: str | None = None, resume: bool = False) -> dict[str, Any]:
    """Run (or resume) a calibration and write its report into ``out``.

    Args:
        spec_path: The calibration spec.
        out: Output folder (holds the study, ``study.db``, and the report files).
        trials: Complete trials wanted, instead of the spec's.
        users: Simulated users, instead of the spec's.
        quiet: Show no progress.
        replicates: Replicates per trial, instead of the spec's.
        workers: Local worker processes (default: one per core, at most one per replicate
            of a batch); 1 simulates in this process.
        scheduler: Address of a Dask scheduler to simulate on instead.
        resume: Continue the calibration in ``out``.

    Returns:
        The best trial's parameters and losses, the good fits, the fit table, the
        trials and replicates used.

    Raises:
        ScenarioError: A bad spec, scenario or holdout (located lines).
        CalibrationError: When ``out`` holds another calibration or a broken study.
        ExperimentError: When the scheduler cannot be reached.
    """
    spec, located = read_spec(spec_path)
    spec = spec.model_copy(update={"replicates": replicates or spec.replicates})
    base = load_scenario(spec_path.parent / spec.scenario,
                         [f"population.users={users or spec.users}"])
    whole = check_spec(spec, located, base)
    targets = read_targets(spec_path.parent / spec.targets)
    held = holdout_flags(spec, located, targets)
    scale = spec.real_population / base.population.users
    total = trials or spec.trials
    local = workers or min(os.cpu_count() or 1, spec.parallel * spec.replicates)
    with FolderLock(out):
        refuse_unless_resumed(out, resume)
        with simulator(targets, scale, local, scheduler) as simulate, study_in(
                out, fingerprint(spec, base, targets), resume, spec.start) as study:
            done = len(complete_trials(study))
            with progress(total, initial=min(done, total), desc="calibrate", unit="trial",
                          quiet=quiet) as bar:
                run_batches(study, total, spec.parallel, spec.seed,
                            lambda trial: _suggest(trial, spec.parameters, whole, spec.log),
                            _measurer(base, targets, held, simulate, spec.replicates),
                            bar.update)
            best, raced = _chosen(study, spec, base, simulate, targets, held)
            calibrated = apply_changes(base, best.params)
            fresh = range(spec.replicates,
                          spec.replicates + (spec.fresh_replicates or spec.replicates))
            values = simulate([calibrated.model_dump(mode="json")], fresh)[0]
        return _report(out, spec_path, spec, study, best, raced, calibrated, targets, held,
                       values, fresh)


def _chosen(study, spec: CalibrationSpec, base: Scenario, simulate: Simulate,
            targets: list[Target], held: list[bool]) -> tuple[Any, pd.DataFrame | None]:
    """The calibrated trial: the search's best, or the winner of a recheck (and its table)."""
    if not spec.recheck:
        return study.best_trial, None
    return race(study, spec.recheck,
                recheck_replicates(spec.replicates, spec.recheck_replicates),
                lambda params: apply_changes(base, params).model_dump(mode="json"),
                simulate, targets, held)


def _measurer(base: Scenario, targets: list[Target], held: list[bool], simulate: Simulate,
              replicates: int) -> Callable[[list[dict[str, Any]]], list[Measured]]:
    """The function measuring a batch of trials: fit loss, holdout loss, target values."""
    def measure(batch: list[dict[str, Any]]) -> list[Measured]:
        scenarios = [apply_changes(base, values).model_dump(mode="json") for values in batch]
        measured = []
        for parts in simulate(scenarios, range(replicates)):
            fit, holdout, means = judged(parts, targets, held)
            measured.append(Measured(fit, {"simulated": means, "holdout_loss": holdout}))
        return measured
    return measure


def _report(out: Path, spec_path: Path, spec: CalibrationSpec, study, best,
            raced: pd.DataFrame | None, calibrated: Scenario, targets: list[Target],
            held: list[bool], fresh: Parts, fresh_range: range) -> dict[str, Any]:
    """Write the report files (with ``recheck.csv`` after a race); the printed figures."""
    names = list(spec.parameters)
    trials = trials_frame(complete_trials(study), names)
    good = good_fits(trials, names, spec.good_share)
    fit = fit_frame(targets, held, best.user_attrs["simulated"], fresh, calibrated.currency)
    chosen = (f"; trial {best.number}, the best of the {len(raced)} best on "
              f"{spec.recheck_replicates} further replicates" if raced is not None else "")
    header = (f"# {calibrated.name} calibrated by simfraud calibrate {spec_path.name}: fit "
              f"loss {best.value:.4f} after {len(trials)} trials{chosen}\n")
    write_report(out, trials, good, fit, calibrated.model_copy(
        update={"name": f"{calibrated.name}-calibrated"}), header)
    if raced is not None:
        write_csv_atomic(raced, out / "recheck.csv")
    return {"best": best.params, "loss": best.value, "trials": len(trials), "fit": fit,
            "good": good, "searched": set_losses(fit, "relative_error"),
            "fresh": set_losses(fit, "fresh_error"), "replicates": spec.replicates,
            "fresh_replicates": fresh_range, "recheck": raced}
