"""ns per user-day of whole runs at the sizes analysts use, as ``simfraud run`` makes them.

A whole run is one replicate built and simulated by ``run_replicates`` (what ``simfraud
run`` calls) in a fresh process, on the threads the command uses: its set-up (population,
agents and, the first time in a process, loading the numba kernels from their cache)
plus its simulation, and the simulation alone, divided by users x days. At 1e4 users
most of a day is fixed work, so this is the figure issue 14 sets against the marginal ns
per user-day at 1e6 users (at most 4x). The same process then runs a second replicate,
set-up and simulation (``warm``): what every further run of an experiment costs its
worker, which imports the model and loads the kernels once.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"

_RUN = """
import json, sys
from simfraud import prefer_openmp
prefer_openmp()  # as the simfraud command
from simfraud.model.replicates import run_replicates
from simfraud.scenario.loader import load_scenario
scenario = load_scenario(sys.argv[1], [f"population.users={sys.argv[2]}", f"days={sys.argv[3]}"])
first = run_replicates(scenario, 1)
again = run_replicates(scenario, 1, first_replicate=1)  # as an experiment's worker, warm
print(json.dumps([first.setup_seconds, first.simulate_seconds,
                  again.setup_seconds + again.simulate_seconds]))
"""


def whole_run_ns(users: int, days: int, repeats: int) -> dict[str, float]:
    """Medians over ``repeats`` whole one-replicate runs of the baseline, each in a new process.

    Args:
        users: Simulated users.
        days: Days per run.
        repeats: Runs measured (the numba kernels should already be in their cache).

    Returns:
        ``setup_seconds``; ``setup_and_simulate`` (model set-up plus simulation),
        ``simulate`` (the days alone) and ``warm`` (set-up plus simulation of a second
        replicate in the same process), each in ns per user-day; ``users`` and ``days``.
    """
    setup, whole, simulate, warm = [], [], [], []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, "-c", _RUN, str(SCENARIO), str(users), str(days)],
                              capture_output=True, text=True, check=True, cwd=ROOT)
        built, simulated, second = json.loads(done.stdout.strip().splitlines()[-1])
        setup.append(built)
        whole.append((built + simulated) / (users * days) * 1e9)
        simulate.append(simulated / (users * days) * 1e9)
        warm.append(second / (users * days) * 1e9)
    return {"users": users, "days": days, "setup_seconds": statistics.median(setup),
            "setup_and_simulate": statistics.median(whole),
            "simulate": statistics.median(simulate), "warm": statistics.median(warm)}
