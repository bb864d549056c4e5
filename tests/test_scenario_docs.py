"""What the scenario headers and docs/scenarios.md say about the shipped files is true."""

import datetime as dt
import re
from pathlib import Path

import pytest

from simfraud.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
DOC = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")

ISO = r"(\d{4}-\d{2}-\d{2})"
WORDS = r"(\d{1,2} [A-Z][a-z]{2} \d{4})"
# "day 645 (2024-10-07)", "Day 241 = 2019-08-30", "effective_day: 365  # 2025-06-01",
# "day 729 = 30 Dec 2020", "7 Oct 2024 (day 645)"
DAY_THEN_DATE = [rf"\b[Dd]ay (\d+) \({ISO}", rf"\b[Dd]ay (\d+) = {ISO}",
                 rf"effective_day: (\d+)\s+# {ISO}", rf"\b[Dd]ay (\d+) = {WORDS}"]
DATE_THEN_DAY = [rf"{WORDS} \(day (\d+)\b"]
HORIZON = re.compile(rf"[Hh]orizon:? \(?([\d,]+) days(?:\) ends on|, to) {WORDS}")


def _date(text):
    if re.fullmatch(ISO, text):
        return dt.date.fromisoformat(text)
    return dt.datetime.strptime(text, "%d %b %Y").date()


def _dated_days(text):
    """Every (day, date) pair the text states."""
    pairs = [(int(m.group(1)), _date(m.group(2)))
             for pattern in DAY_THEN_DATE for m in re.finditer(pattern, text)]
    pairs += [(int(m.group(2)), _date(m.group(1)))
              for pattern in DATE_THEN_DAY for m in re.finditer(pattern, text)]
    return pairs


def _flat(text):
    """Comment or Markdown text with line breaks and comment markers removed."""
    return re.sub(r"\s*\n\s*#?\s*", " ", text)


def _section(name):
    match = re.search(rf"^### `{re.escape(name)}`\n(.*?)(?=^##)", DOC, re.S | re.M)
    assert match, f"docs/scenarios.md has no section '### `{name}`'"
    return _flat(match.group(1))


def test_the_checks_find_what_they_check():
    header = _flat((ROOT / "scenarios" / "uk-2024-psr.yaml").read_text(encoding="utf-8"))
    assert (645, dt.date(2024, 10, 7)) in _dated_days(header)
    assert HORIZON.search(header).groups() == ("1,095", "30 Dec 2025")
    assert len(_dated_days(_flat(DOC))) >= 12


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_dates_in_the_scenario_file_match_its_start_date(path):
    scenario = load_scenario(path)
    text = _flat(path.read_text(encoding="utf-8"))
    for day, date in _dated_days(text):
        assert scenario.start_date + dt.timedelta(days=day) == date, (
            f"{path.name}: day {day} is {scenario.start_date + dt.timedelta(days=day)}, "
            f"not {date}")
    for days, last in HORIZON.findall(text):
        assert int(days.replace(",", "")) == scenario.days, f"{path.name}: horizon {days}"
        assert _date(last) == scenario.start_date + dt.timedelta(days=scenario.days - 1), (
            f"{path.name}: the last day is not {last}")


def test_uk_psr_header_says_how_long_the_mandate_is_in_force():
    path = ROOT / "scenarios" / "uk-2024-psr.yaml"
    scenario = load_scenario(path)
    match = re.search(r"leaves ([\d,]+) days under the mandate",
                      _flat(path.read_text(encoding="utf-8")))
    assert match, "the header no longer says how long the mandate is in force"
    assert int(match.group(1).replace(",", "")) == (
        scenario.days - scenario.regulator.effective_day)


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_docs_describe_every_shipped_scenario(path):
    section = _section(path.name)
    for part in ("**Represents**", "**Census**", "**Horizon**", "**Built to", "**Sources**"):
        assert part in section, f"the section of {path.name} has no {part}"
    assert re.search(rf"^\| `{re.escape(path.name)}` \|", DOC, re.M), (
        f"{path.name} is missing from the table of shipped scenarios")


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_docs_state_each_scenarios_horizon_and_dates(path):
    scenario = load_scenario(path)
    start = scenario.start_date
    last = start + dt.timedelta(days=scenario.days - 1)
    section = _section(path.name)
    assert f"**Horizon**: {scenario.days:,} days, {start} to {last}" in section
    row = re.search(rf"^\| `{re.escape(path.name)}` \|.*\| (.*) \|$", DOC, re.M)
    assert row.group(1) == f"{scenario.days:,} days from {start}"
    for day, date in _dated_days(section):
        assert start + dt.timedelta(days=day) == date, f"{path.name}: day {day} is not {date}"
    if scenario.regulator.stance == "proactive":
        in_force = start + dt.timedelta(days=scenario.regulator.effective_day)
        assert f"day {scenario.regulator.effective_day} ({in_force}" in section


def test_docs_uk_psr_section_says_how_long_the_mandate_is_in_force():
    scenario = load_scenario(ROOT / "scenarios" / "uk-2024-psr.yaml")
    assert f"{scenario.days - scenario.regulator.effective_day} days" in _section(
        "uk-2024-psr.yaml")
