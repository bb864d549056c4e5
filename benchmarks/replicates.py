"""Replicates per minute of a 10,000-user, 365-day scenario (issue 14, benchmark 5b).

Replicates, each with its own random numbers, two ways a user runs them:

* ``run``: ``simfraud run --replicates R`` in one process (in batches stepped together,
  8 at 10,000 users, the users' kernel on the command's threads), one result folder;
* ``workers``: ``simfraud compare`` of the baseline against one arm, ``R / 2``
  replicates each, on one local worker process per core (each run its own folder, runs
  in batched tasks where the experiment has enough of them; the tables and report
  included), as the 1,000-replicate target of issue 14 is stated.

One by one against batched, in one process: ``python -m benchmarks.batched``.

Both are timed from the command's start to its exit, in a fresh process.

    python -m benchmarks.replicates [--replicates 1000] [--users 10000] [--days 365]
        [--only run,workers]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.experiments import compare_efficiency

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"


def run_command_seconds(users: int, days: int, replicates: int) -> float:
    """Wall seconds of ``simfraud run --replicates`` in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        simfraud = str(Path(sys.executable).with_name("simfraud"))
        started = time.perf_counter()
        subprocess.run([simfraud, "run", str(SCENARIO), "--users", str(users), "--days",
                        str(days), "--replicates", str(replicates), "--quiet",
                        "--out", str(Path(folder) / "run")],
                       check=True, cwd=ROOT, capture_output=True)
        return time.perf_counter() - started


def replicates_per_minute(users: int, days: int, replicates: int,
                          ways: tuple[str, ...] = ("run", "workers")) -> dict[str, dict]:
    """Replicates per minute in one process and on local workers.

    Args:
        users: Simulated users per replicate.
        days: Days per replicate.
        replicates: Replicates in all (even: the compare runs half in each arm).
        ways: ``run`` and/or ``workers``.

    Returns:
        Per way: ``replicates``, ``wall`` seconds, ``per_minute`` and (``workers``) the
        number of workers and the compare's efficiency.
    """
    out: dict[str, dict] = {}
    if "run" in ways:
        wall = run_command_seconds(users, days, replicates)
        out["run"] = {"replicates": replicates, "wall": wall, "per_minute": replicates / wall * 60}
    if "workers" in ways:
        workers = os.cpu_count() or 1
        compare = compare_efficiency(users, days, replicates // 2, workers)
        out["workers"] = {"replicates": compare["runs"], "wall": compare["wall"],
                          "per_minute": compare["runs"] / compare["wall"] * 60,
                          "workers": workers, "efficiency": compare["efficiency"]}
    return out


def describe(way: str, figures: dict, users: int, days: int) -> str:
    """One line of a way's figures."""
    where = ("one process (simfraud run --replicates)" if way == "run" else
             f"{figures['workers']} workers (simfraud compare, 2 arms)")
    extra = f", efficiency {figures['efficiency']:.0%}" if way == "workers" else ""
    return (f"{figures['replicates']} replicates of {users:,} users x {days} days in {where}: "
            f"{figures['wall']:.1f} s wall, {figures['per_minute']:.0f} replicates per minute"
            f"{extra}")


def main() -> None:
    """``python -m benchmarks.replicates``: print replicates per minute."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=32)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--only", default="run,workers")
    args = parser.parse_args()
    results = replicates_per_minute(args.users, args.days, args.replicates,
                                    tuple(args.only.split(",")))
    for way, figures in results.items():
        print(describe(way, figures, args.users, args.days), flush=True)


if __name__ == "__main__":
    main()
