"""Experiment efficiency: how busy a compare keeps its workers (issue 14, benchmark 5c).

A ``simfraud compare`` of the baseline against one arm (2 arms x ``replicates``) runs as a
user runs it, in a fresh process on local workers. Its efficiency is the simulation work
the workers did, spread over them, against the wall time the user waited:

    efficiency = (sum of the runs' simulate seconds / workers) / wall seconds

and the same with each run's set-up added (``busy``: what the workers spent in runs at
all). What is missing from 100% is start-up (cluster, imports, kernels loaded), writing
results, and workers idle at the end while the last runs finish. Where the wall time went
is in ``milestones``: seconds from the start to ``experiment.json``, to the first and the
last run's manifest, to ``report.html`` and to the exit.

With ``--warm`` the compares run on a cluster kept across them (what ``--scheduler``
gives a user who keeps a cluster running): a local Dask cluster started by the benchmark
as a compare starts its own (``dispatch.dask_client``: one single-threaded worker process
per core, forked from the server of ``worker_server``), warmed by one compare that is not
counted, so each measured compare pays its command's start, tables and report but not
the workers'.

    python -m benchmarks.experiments [REPEATS] [--warm]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
ARM = "strict:platforms.0.liveness.level=depth_3d"


def compare_efficiency(users: int, days: int, replicates: int, workers: int,
                       scheduler: str | None = None) -> dict[str, float]:
    """Run one compare and measure its efficiency.

    Args:
        users: Simulated users per run.
        days: Days per run.
        replicates: Replicates per arm (two arms).
        workers: Worker processes (the command's own, or the cluster's at ``scheduler``).
        scheduler: Address of a running cluster to use (None: the command starts one).

    Returns:
        ``wall``, ``simulate`` and ``setup`` (summed over runs) in seconds, ``runs``,
        ``efficiency`` and ``busy`` as fractions.
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "compare"
        simfraud = str(Path(sys.executable).with_name("simfraud"))
        command = [simfraud, "compare", str(SCENARIO), "--arm", ARM,
                   "--replicates", str(replicates), "--users", str(users), "--days", str(days),
                   "--out", str(out), "--quiet",
                   *(["--scheduler", scheduler] if scheduler else ["--workers", str(workers)])]
        started, clock = time.perf_counter(), time.time()
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
        wall = time.perf_counter() - started
        manifests = list((out / "runs").glob("*/manifest.json"))
        timings = [json.loads(path.read_text())["timings"] for path in manifests]
        written = sorted(path.stat().st_mtime - clock for path in manifests)
        milestones = {"experiment.json": (out / "experiment.json").stat().st_mtime - clock,
                      "first run written": written[0], "last run written": written[-1],
                      "report.html": (out / "report.html").stat().st_mtime - clock,
                      "exit": wall}
    simulate = sum(t["simulate_seconds"] for t in timings)
    setup = sum(t["setup_seconds"] for t in timings)
    return {"wall": wall, "simulate": simulate, "setup": setup, "runs": len(timings),
            "workers": workers, "efficiency": simulate / workers / wall,
            "busy": (simulate + setup) / workers / wall, "milestones": milestones}


def main() -> None:
    """``python -m benchmarks.experiments [REPEATS] [--warm]``: the 10,000-user compare."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repeats", type=int, nargs="?", default=3)
    parser.add_argument("--warm", action="store_true",
                        help="run on a local cluster kept across the compares")
    args = parser.parse_args()
    workers = os.cpu_count() or 1
    if not args.warm:
        _report(lambda: compare_efficiency(10_000, 365, 8, workers), args.repeats)
        return
    from simfraud.experiments.dispatch import dask_client

    with dask_client(workers, None) as client:  # the cluster a compare starts for itself
        address = client.scheduler.address
        compare_efficiency(10_000, 365, 8, workers, address)  # warm-up
        _report(lambda: compare_efficiency(10_000, 365, 8, workers, address), args.repeats)


def _report(compare: Callable[[], dict], repeats: int) -> None:
    """Run ``compare`` ``repeats`` times, printing each as it ends, then the medians."""
    runs = []
    for _ in range(repeats):
        run = compare()
        runs.append(run)
        steps = ", ".join(f"{name} {at:.1f}" for name, at in run["milestones"].items())
        print(f"{run['wall']:.1f} s wall, simulate {run['simulate']:.1f} s, set-up "
              f"{run['setup']:.1f} s: efficiency {run['efficiency']:.0%} (in runs "
              f"{run['busy']:.0%}); seconds from the start: {steps}", flush=True)
    print(f"median efficiency {statistics.median(r['efficiency'] for r in runs):.0%}, "
          f"median wall {statistics.median(r['wall'] for r in runs):.1f} s")


if __name__ == "__main__":
    main()
