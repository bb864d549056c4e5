"""ns per user-day of whole runs at the sizes analysts use, as ``simfraud run`` makes them.

A whole run is one replicate built and simulated by ``run_replicates`` (what ``simfraud
run`` calls): its set-up (population, agents) plus its simulation, and the simulation
alone, divided by users x days. At 1e4 users most of a day is fixed work, so this is the
figure issue 14 sets against the marginal ns per user-day at 1e6 users (at most 4x).
"""

from __future__ import annotations

import statistics
from pathlib import Path

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def whole_run_ns(users: int, days: int, repeats: int) -> dict[str, float]:
    """Median ns per user-day of ``repeats`` whole one-replicate runs of the baseline.

    Args:
        users: Simulated users.
        days: Days per run.
        repeats: Runs measured (the numba kernels must already be compiled or cached).

    Returns:
        ``setup_and_simulate`` (model set-up plus simulation) and ``simulate`` (the days
        alone), each in ns per user-day, with ``users`` and ``days``.
    """
    from simfraud.model.replicates import run_replicates
    from simfraud.scenario.loader import load_scenario

    scenario = load_scenario(SCENARIO, [f"population.users={users}", f"days={days}"])
    whole, simulate = [], []
    for _ in range(repeats):
        result = run_replicates(scenario, 1)
        whole.append((result.setup_seconds + result.simulate_seconds) / (users * days) * 1e9)
        simulate.append(result.simulate_seconds / (users * days) * 1e9)
    return {"users": users, "days": days, "setup_and_simulate": statistics.median(whole),
            "simulate": statistics.median(simulate)}
