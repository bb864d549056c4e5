import datetime as dt
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from simfraud.scenario.document import baseline_yaml
from simfraud.scenario.loader import load_scenario
from simfraud.scenario.schema import Scenario
from simfraud.scenario.yaml12 import parse_yaml

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))

# A key line: `key: value` or `- key: value`, possibly inside the commented-out timeline
# template (`#     key: value`, at least three spaces after the `#`). Description and unit
# comments (`# text`) have a single space and never count as keys.
KEY_LINE = re.compile(r"^\s*(?:#\s{3,})?(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*):(?:\s|$)")


def _models(model: type[BaseModel], seen: set[type[BaseModel]] | None = None):
    seen = set() if seen is None else seen
    if model in seen:
        return seen
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                _models(annotation, seen)
            else:
                stack.extend(typing.get_args(annotation))
    return seen


def _fields_with_units():
    for model in sorted(_models(Scenario), key=lambda m: m.__name__):
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra
            unit = extra.get("unit") if isinstance(extra, dict) else None
            if unit:
                yield pytest.param(name, unit, id=f"{model.__name__}.{name}")


def _documented(lines: list[str], name: str, unit: str) -> bool:
    wanted = re.compile(rf"unit: {re.escape(unit)}(?:;|$)")
    for index, line in enumerate(lines):
        match = KEY_LINE.match(line)
        if not match or match.group(1) != name:
            continue
        block = [line]
        above = index - 1
        while (above >= 0 and lines[above].lstrip().startswith("#")
               and not KEY_LINE.match(lines[above])):
            block.append(lines[above])
            above -= 1
        if any(wanted.search(text) for text in block):
            return True
    return False


def test_scenarios_are_shipped():
    names = {path.name for path in SHIPPED}
    assert {"baseline.yaml", "china-2019-zao.yaml", "uk-2024-psr.yaml",
            "biometric-breach.yaml", "biometric-breach-reenrol.yaml"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_scenario_loads(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    if path != BASELINE:
        assert scenario.description


def test_baseline_is_up_to_date():
    assert BASELINE.read_text(encoding="utf-8") == baseline_yaml(), (
        "regenerate with python -m simfraud.scenario.document > scenarios/baseline.yaml"
    )


def test_baseline_round_trips_to_defaults():
    expected = Scenario().model_dump()
    data = parse_yaml(baseline_yaml(), "baseline").data
    assert Scenario.model_validate(data).model_dump() == expected
    assert load_scenario(BASELINE).model_dump() == expected


@pytest.mark.parametrize(("name", "unit"), list(_fields_with_units()))
def test_every_field_documented_with_unit(name, unit):
    lines = BASELINE.read_text(encoding="utf-8").splitlines()
    assert _documented(lines, name, unit), f"{name} is not documented with 'unit: {unit}'"


def test_every_field_appears_as_a_key():
    keys = {m.group(1) for line in BASELINE.read_text(encoding="utf-8").splitlines()
            if (m := KEY_LINE.match(line))}
    missing = {f"{model.__name__}.{name}" for model in _models(Scenario)
               for name in model.model_fields if name not in keys}
    assert not missing


def _day(scenario, date: dt.date) -> int:
    return (date - scenario.start_date).days


def test_zao_release_on_30_august_2019():
    scenario = load_scenario(SCENARIOS / "china-2019-zao.yaml")
    release, drop = scenario.timeline
    assert release.type == "tool_release"
    assert release.vector == "deepfake_presentation"
    assert release.day == _day(scenario, dt.date(2019, 8, 30))
    assert drop.type == "attacker_cost_drop"
    assert drop.day > release.day


def test_psr_in_force_on_7_october_2024():
    scenario = load_scenario(SCENARIOS / "uk-2024-psr.yaml")
    regulator = scenario.regulator
    assert regulator.stance == "proactive"
    assert regulator.effective_day == _day(scenario, dt.date(2024, 10, 7))
    mandate = regulator.instruments.mandatory_reimbursement
    assert mandate.enabled
    assert (mandate.cap, mandate.excess, mandate.receiving_share) == (8_500_000, 10_000, 0.5)
    assert mandate.vectors == ["social_engineering"]


def test_breach_pair_differs_only_in_reenrolment():
    plain = load_scenario(SCENARIOS / "biometric-breach.yaml")
    reenrol = load_scenario(SCENARIOS / "biometric-breach-reenrol.yaml")
    assert {(e.data, e.share, e.day) for e in plain.timeline} == {
        ("face", 0.2, 60), ("credentials", 0.2, 60)
    }
    assert not any(p.move_exposed_off_face for p in plain.platforms)
    assert all(p.move_exposed_off_face for p in reenrol.platforms)
    a = plain.model_dump(exclude={"name", "description", "platforms"})
    b = reenrol.model_dump(exclude={"name", "description", "platforms"})
    assert a == b
