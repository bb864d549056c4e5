"""Speed of this checkout against another one, measured in turns.

``python -m benchmarks.checkouts OTHER [--users 1000000] [--days 4] [--rounds 20]
[--scenario scenarios/baseline.yaml]`` starts one process per checkout (each imports its
own ``simfraud`` through ``PYTHONPATH``, one numba thread), builds the scenario at
``--users`` users in each, then advances both models ``--days`` days at a time, in turn
(ABBA order), and prints the median ns per user-day of each and the median of the
per-round ratios (this / other), then the same for the fixed work of a day (microseconds
per day of the step less its users' phase, the figure of issue 14 at small
populations). Both models run the same days, so each round compares equal work; the
spread of the ratios says how much to trust the median on a shared machine. Used for
"behaviour-preserving" refactors: the checkouts must give the same results.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
WORKER = """
import sys, time
from simfraud.model import FraudModel
from simfraud.scenario.loader import load_scenario
users, horizon, warm_up = (int(arg) for arg in sys.argv[1:4])
model = FraudModel(load_scenario(sys.argv[4], [f"population.users={users}", f"days={horizon}"]))
for _ in range(warm_up):
    model.step()
print("ready", flush=True)
for line in sys.stdin:
    days = int(line)
    model.phase_seconds.clear()
    start = time.perf_counter()
    for _ in range(days):
        model.step()
    seconds = time.perf_counter() - start
    fixed = seconds - model.phase_seconds["5 users"]
    print(seconds / (users * days) * 1e9, fixed / days * 1e6, flush=True)
"""


SCENARIO = Path("scenarios/baseline.yaml")
"""The scenario both checkouts run unless told otherwise."""
WARM_UP_DAYS = 2
"""Days each model runs before the first timed round (kernels compiled or loaded)."""
MAX_DAYS = 3_650
"""The scenario schema's longest run: warm-up plus rounds x days must fit in it."""


def _start(checkout: Path, users: int, horizon: int, scenario: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(checkout), NUMBA_NUM_THREADS="1")
    process = subprocess.Popen([sys.executable, "-c", WORKER, str(users), str(horizon),
                                str(WARM_UP_DAYS), str(scenario)],
                               cwd=checkout,
                               env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    if process.stdout.readline().strip() != "ready":
        raise SystemExit(f"{checkout}: the model did not start")
    return process


def _time(process: subprocess.Popen, days: int) -> tuple[float, float]:
    """ns per user-day and fixed microseconds per day of the next ``days`` days."""
    process.stdin.write(f"{days}\n")
    process.stdin.flush()
    ns, fixed = process.stdout.readline().split()
    return float(ns), float(fixed)


def measure(other: Path, users: int, days: int, rounds: int,
            scenario: Path = SCENARIO) -> dict[str, dict[str, float]]:
    """Medians of this checkout and ``other``, and their median ratio, per figure.

    Returns:
        For ``ns`` (per user-day) and ``fixed`` (microseconds per day of the step less
        its users' phase): ``this``, ``other``, ``ratio`` and its quartiles ``low`` and
        ``high``.
    """
    horizon = WARM_UP_DAYS + rounds * days  # each model runs every round's days
    this_process = _start(HERE, users, horizon, scenario)
    other_process = _start(other, users, horizon, scenario)
    this, that = [], []
    try:
        for k in range(rounds):
            order = ((this_process, this), (other_process, that))
            for process, times in (order if k % 2 == 0 else order[::-1]):
                times.append(_time(process, days))
    finally:
        for process in (this_process, other_process):
            process.stdin.close()
            process.wait()
    return {name: _compare([t[k] for t in this], [t[k] for t in that])
            for k, name in enumerate(("ns", "fixed"))}


def _compare(this: list[float], that: list[float]) -> dict[str, float]:
    ratios = sorted(a / b for a, b in zip(this, that, strict=True))
    return {"this": statistics.median(this), "other": statistics.median(that),
            "ratio": statistics.median(ratios), "low": ratios[len(ratios) // 4],
            "high": ratios[(3 * len(ratios)) // 4]}


def main(argv: list[str] | None = None) -> int:
    """Print the two checkouts' ns per user-day and their ratio."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.checkouts")
    parser.add_argument("other", type=Path, help="the other checkout (a git worktree)")
    parser.add_argument("--users", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=4, help="days per round")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--scenario", type=Path, default=SCENARIO,
                        help="scenario file, relative to each checkout")
    args = parser.parse_args(argv)
    if WARM_UP_DAYS + args.rounds * args.days > MAX_DAYS:
        print(f"--rounds x --days must be at most {MAX_DAYS - WARM_UP_DAYS} (a run's horizon)",
              file=sys.stderr)
        return 2
    if not (args.other / "simfraud" / "__init__.py").is_file():
        print(f"{args.other}: not a simfraud checkout", file=sys.stderr)
        return 2
    figures = measure(args.other.resolve(), args.users, args.days, args.rounds, args.scenario)
    print(f"{args.scenario}, {args.users:,} users, {args.rounds} rounds of {args.days} days, "
          "1 thread")
    for name, unit in (("ns", "ns per user-day"), ("fixed", "us of fixed work per day")):
        figure = figures[name]
        print(f"this checkout  {figure['this']:8.2f} {unit} (median)")
        print(f"other checkout {figure['other']:8.2f} {unit} (median)")
        print(f"this / other   {figure['ratio']:8.3f} (median of rounds; quartiles "
              f"{figure['low']:.3f}-{figure['high']:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
