"""Experiment efficiency: how busy a compare keeps its workers (issue 14, benchmark 5c).

A ``simfraud compare`` of the baseline against one arm (2 arms x ``replicates``) runs as a
user runs it, in a fresh process on local workers. Its efficiency is the simulation work
the workers did, spread over them, against the wall time the user waited:

    efficiency = (sum of the runs' simulate seconds / workers) / wall seconds

and the same with each run's set-up added (``busy``: what the workers spent in runs at
all). What is missing from 100% is start-up (cluster, imports, kernels loaded), writing
results, and workers idle at the end while the last runs finish.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
ARM = "strict:platforms.0.liveness.level=depth_3d"


def compare_efficiency(users: int, days: int, replicates: int, workers: int) -> dict[str, float]:
    """Run one compare and measure its efficiency.

    Args:
        users: Simulated users per run.
        days: Days per run.
        replicates: Replicates per arm (two arms).
        workers: Local worker processes.

    Returns:
        ``wall``, ``simulate`` and ``setup`` (summed over runs) in seconds, ``runs``,
        ``efficiency`` and ``busy`` as fractions.
    """
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "compare"
        simfraud = str(Path(sys.executable).with_name("simfraud"))
        command = [simfraud, "compare", str(SCENARIO), "--arm", ARM,
                   "--replicates", str(replicates), "--users", str(users), "--days", str(days),
                   "--workers", str(workers), "--out", str(out), "--quiet"]
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, capture_output=True)
        wall = time.perf_counter() - started
        timings = [json.loads(path.read_text())["timings"]
                   for path in (out / "runs").glob("*/manifest.json")]
    simulate = sum(t["simulate_seconds"] for t in timings)
    setup = sum(t["setup_seconds"] for t in timings)
    return {"wall": wall, "simulate": simulate, "setup": setup, "runs": len(timings),
            "workers": workers, "efficiency": simulate / workers / wall,
            "busy": (simulate + setup) / workers / wall}
