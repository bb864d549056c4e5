from pathlib import Path

import pytest

from simfraud.model import FraudModel
from simfraud.scenario.loader import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
LIBRARY = sorted(SCENARIOS.glob("*.yaml"))
DAYS = 30


def _header(path: Path) -> str:
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return "\n".join(lines)


def test_library_is_not_empty():
    assert len(LIBRARY) >= 10


@pytest.mark.parametrize("path", LIBRARY, ids=[p.name for p in LIBRARY])
def test_scenario_validates(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem
    for event in scenario.timeline:
        assert 0 <= event.day < scenario.days, f"{event.type} on day {event.day}"


@pytest.mark.parametrize("path", LIBRARY, ids=[p.name for p in LIBRARY])
def test_header_gives_census_and_sources(path):
    header = _header(path)
    assert header, "the file must start with a comment header"
    assert "census" in header.lower()
    assert "ource" in header


@pytest.mark.parametrize("path", LIBRARY, ids=[p.name for p in LIBRARY])
def test_brief_run(path):
    scenario = load_scenario(path, ["population.users=1500", f"days={DAYS}"])
    model = FraudModel(scenario)
    model.run()
    series = model.metrics.timeseries(0, scenario.start_date)
    assert len(series) == DAYS
    assert series["day"].tolist() == list(range(DAYS))
    assert (series["gross_loss"] == series["refunded"] + series["user_loss"]).all()
