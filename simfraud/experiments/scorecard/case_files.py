"""Read case files with the scenario files' YAML limits and one located line per problem.

Checks that need the case's scenario (the file exists inside ``scenarios/``, periods
inside the horizon, platform names, parameter paths, units) are made here, after the
schema, and located in the case file like the schema's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from simfraud.core.vectors import BIOMETRIC_VECTORS
from simfraud.experiments.scorecard.cases import Case, Size
from simfraud.experiments.scorecard.measure import parameter_value, unit_of
from simfraud.scenario.loader import load_scenario
from simfraud.scenario.messages import locate_errors
from simfraud.scenario.overrides import OverrideError
from simfraud.scenario.problems import Located, PathKey, Problem, ScenarioError, dotted
from simfraud.scenario.schema import Scenario
from simfraud.scenario.yaml12 import read_yaml_file

CHECKOUT = Path(__file__).resolve().parents[3]
"""The source checkout this package runs from (its ``validation/`` and ``scenarios/``)."""


def default_cases() -> list[Path]:
    """Every case of the checkout's ``validation/`` folder, by name (none when absent)."""
    return sorted((CHECKOUT / "validation").glob("*.yaml"))


@dataclass(frozen=True)
class LoadedCase:
    """A checked case and its scenario, resolved for the run it makes.

    Attributes:
        name: The case's file name without ``.yaml``.
        path: The case file.
        case: Its contents.
        scenario: The scenario with the run's users, days and weight; None when the case
            names no scenario.
        size: The run (``run`` or ``run.quick``); None when nothing is simulated.
    """

    name: str
    path: Path
    case: Case
    scenario: Scenario | None
    size: Size | None


def load_cases(paths: list[Path], scenarios_dir: Path, quick: bool) -> list[LoadedCase]:
    """Read every case; report the problems of all of them at once.

    Raises:
        ScenarioError: One located line per problem, over all the files.
    """
    loaded, problems = [], []
    for path in paths:
        try:
            loaded.append(load_case(path, scenarios_dir, quick))
        except ScenarioError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ScenarioError(problems)
    return loaded


def load_case(path: Path, scenarios_dir: Path, quick: bool) -> LoadedCase:
    """Read and check one case file and load its scenario.

    Args:
        path: The case file.
        scenarios_dir: The folder its ``scenario`` is relative to.
        quick: Use ``run.quick`` instead of ``run``.

    Raises:
        ScenarioError: One located line per problem (problems of the scenario file are
            located in that file).
    """
    located = read_yaml_file(path, "case fields")
    try:
        case = Case.model_validate(located.data)
    except ValidationError as exc:
        raise ScenarioError(locate_errors(exc, located, (str(path), 1, 1), Case)) from None
    size = None if case.run is None else (case.run.quick if quick else case.run)
    scenario = None
    if case.scenario is not None:
        file = _scenario_file(case.scenario, scenarios_dir, located)
        changes = [] if size is None else [f"population.users={size.users}"]
        if size is not None and size.days is not None:
            changes.append(f"days={size.days}")
        if size is not None and case.population is not None:
            changes.append(f"population.weight={case.population.people / size.users!r}")
        scenario = load_scenario(file, changes)
        problems = _against_scenario(case, scenario, located)
        if problems:
            raise ScenarioError(problems)
    return LoadedCase(path.stem, path, case, scenario, size)


def _problem(located: Located, path: PathKey, message: str) -> Problem:
    file, line, column = located.where(path, ("?", 1, 1))
    return Problem(file, line, column, dotted(path), message)


def _scenario_file(name: str, scenarios_dir: Path, located: Located) -> Path:
    """The scenario file, which must exist inside ``scenarios_dir``."""
    file = (scenarios_dir / name).resolve()
    if scenarios_dir.resolve() not in file.parents:
        raise ScenarioError([_problem(located, ("scenario",), f"{name!r} is outside "
                                      f"{scenarios_dir} (allowed: a file in that folder)")])
    if not file.is_file():
        shipped = sorted(p.name for p in scenarios_dir.glob("*.yaml"))
        raise ScenarioError([_problem(located, ("scenario",), f"{name!r} not found in "
                                      f"{scenarios_dir} (allowed: {', '.join(shipped)})")])
    return file


def _against_scenario(case: Case, scenario: Scenario, located: Located) -> list[Problem]:
    """Problems of a case that only its scenario shows."""
    problems = []
    sizes = [] if case.run is None else [("run",), ("run", "quick")]
    for where in sizes:
        size = case.run if where == ("run",) else case.run.quick
        days = size.days or scenario.days
        for label, (_, last) in case.periods.items():
            if last >= days:
                problems.append(_problem(located, ("periods", label), f"ends on day {last}, "
                                         f"after the {dotted(where)} horizon of {days} days "
                                         f"(allowed: days 0 to {days - 1})"))
    platforms = [p.name for p in scenario.platforms]
    for k, series in enumerate(case.series):
        here = ("series", k)
        measure = series.simulated
        if measure is not None:
            growth = series.points[0].base is not None
            unit = "ratio" if growth else unit_of(measure, scenario.currency)
            if series.unit != unit:
                problems.append(_problem(located, (*here, "unit"), f"{series.unit!r} is not "
                                         f"the simulated unit (allowed: {unit})"))
            for j, name in enumerate(measure.platforms or []):
                if name not in platforms:
                    problems.append(_problem(located, (*here, "simulated", "platforms", j),
                                             f"{name!r} is not a platform of the scenario "
                                             f"(allowed: {', '.join(platforms)})"))
        if series.parameter is not None:
            try:
                parameter_value(scenario, series.parameter)
            except (OverrideError, ValueError) as exc:
                problems.append(_problem(located, (*here, "parameter"), f"{exc} (allowed: "
                                         "the dotted path of a number of the scenario)"))
        if series.apcer is not None and series.apcer.vector not in BIOMETRIC_VECTORS:
            problems.append(_problem(located, (*here, "apcer", "vector"), f"{series.apcer.vector!r}"
                                     f" is not checked by liveness (allowed: "
                                     f"{', '.join(BIOMETRIC_VECTORS)})"))
    return problems
