"""The scenario timeline: what happens on a given day."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from simfraud.scenario.schema import Breach, CostDrop, RuleChange, Scenario, ToolRelease


@dataclass
class DayEvents:
    """Events of one day, ready for the model's phases."""

    face_breach: np.ndarray
    credential_breach: np.ndarray
    publicity: float = 0.0
    releases: list[ToolRelease] = field(default_factory=list)
    cost_drops: list[CostDrop] = field(default_factory=list)
    rule_changes: list[RuleChange] = field(default_factory=list)


class Timeline:
    """Events of a scenario indexed by day."""

    def __init__(self, scenario: Scenario):
        self.platform_names = [p.name for p in scenario.platforms]
        self.by_day: dict[int, list] = defaultdict(list)
        for event in scenario.timeline:
            self.by_day[event.day].append(event)

    def events(self, day: int) -> DayEvents:
        """Collect the events of ``day`` (breach shares per platform, releases, changes)."""
        n = len(self.platform_names)
        today = DayEvents(np.zeros(n), np.zeros(n))
        for event in self.by_day.get(day, []):
            if isinstance(event, Breach):
                target = today.face_breach if event.data == "face" else today.credential_breach
                if event.platform is None:
                    target[:] = 1.0 - (1.0 - target) * (1.0 - event.share)
                else:
                    k = self.platform_names.index(event.platform)
                    target[k] = 1.0 - (1.0 - target[k]) * (1.0 - event.share)
            elif isinstance(event, ToolRelease):
                today.releases.append(event)
                today.publicity += event.publicity
            elif isinstance(event, CostDrop):
                today.cost_drops.append(event)
            elif isinstance(event, RuleChange):
                today.rule_changes.append(event)
        return today
