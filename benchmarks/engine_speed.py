"""Columnar vs agent engine speed on one scenario, in nanoseconds per user-day.

    python -m benchmarks.engine_speed [--users 10000] [--days 60] [--repeats 3]
        [--columnar-users 1000000] [--scenario scenarios/baseline.yaml]

Prints the median over repeats of simulate time per user-day for each engine (model
construction excluded; numba compilation warmed up first) and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import time

from simfraud import prefer_openmp
from simfraud.model import FraudModel
from simfraud.scenario.loader import load_scenario


def ns_per_user_day(scenario_path: str, users: int, days: int, engine: str) -> float:
    scenario = load_scenario(scenario_path, [f"population.users={users}", f"days={days}"])
    model = FraudModel(scenario, engine=engine)
    start = time.perf_counter()
    model.run()
    return (time.perf_counter() - start) / (users * days) * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default="scenarios/baseline.yaml")
    parser.add_argument("--users", type=int, default=10_000, help="users for both engines")
    parser.add_argument("--columnar-users", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    prefer_openmp()  # as the simfraud command runs the model
    ns_per_user_day(args.scenario, 2_000, 3, "columnar")  # compile / load the numba cache
    ns_per_user_day(args.scenario, 200, 3, "agents")
    rows = []
    for label, users, engine in (("columnar", args.columnar_users, "columnar"),
                                 ("columnar", args.users, "columnar"),
                                 ("agents", args.users, "agents")):
        runs = [ns_per_user_day(args.scenario, users, args.days, engine)
                for _ in range(args.repeats)]
        rows.append((label, users, statistics.median(runs), runs))
        print(f"{label:9} {users:>10,} users x {args.days} days: "
              f"median {statistics.median(runs):10.1f} ns/user-day  "
              f"(runs: {', '.join(f'{r:.1f}' for r in runs)})", flush=True)
    ratio = rows[2][2] / rows[1][2]
    print(f"agents / columnar at {args.users:,} users: {ratio:.0f}x")


if __name__ == "__main__":
    main()
