"""Replicates in batches stepped together against one after another (issue 14, item 2).

``python -m benchmarks.batched [--replicates 8] [--users 10000] [--days 365] [--rounds 3]
[--scenario scenarios/baseline.yaml]`` runs ``R`` replicates of a scenario in this process
two ways, in turns (ABBA over the rounds), on one numba thread as an experiment's worker
does: one after another (``run_replicates(..., batch=1)``) and as one batch
(``batch=R``: each phase of a day run for all R models before the next phase,
``FraudModel.step_together``).

A two-day replicate runs first, untimed, to load the kernels. Prints the median seconds
of simulation per replicate of each way (set-up not counted), the median of the per-round
ratios (batched / one by one), and whether both ways gave the same daily tables, bit for
bit.
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"


def compare_ways(users: int, days: int, replicates: int, rounds: int,
                 scenario: Path = SCENARIO) -> dict[str, float | bool]:
    """Seconds of simulation per replicate, one by one and batched, in turns.

    Args:
        users: Simulated users per replicate.
        days: Days per replicate.
        replicates: Replicates in the batch (``R``).
        rounds: Rounds of both ways (the order alternates: ABBA).
        scenario: The scenario file.

    Returns:
        ``one_by_one`` and ``batched`` (median seconds per replicate), ``ratio`` (median of
        the rounds' batched / one by one) and ``identical`` (every round's daily tables
        equal between the ways).
    """
    import numba

    from simfraud.model.replicates import run_replicates
    from simfraud.scenario.loader import load_scenario

    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        loaded = load_scenario(scenario, [f"population.users={users}", f"days={days}"])
        run_replicates(loaded.model_copy(update={"days": 2}), 1)  # kernels compiled or loaded
        batches = {"one_by_one": 1, "batched": replicates}
        seconds: dict[str, list[float]] = {name: [] for name in batches}
        identical = True
        for round_ in range(rounds):
            order = list(batches) if round_ % 2 == 0 else list(reversed(batches))
            results = {name: run_replicates(loaded, replicates, batch=batches[name])
                       for name in order}
            for name, result in results.items():
                seconds[name].append(result.simulate_seconds / replicates)
            one, batched = results["one_by_one"], results["batched"]
            identical &= one.timeseries.equals(batched.timeseries) and one.vectors.equals(
                batched.vectors)
    finally:
        numba.set_num_threads(threads)
    ratios = [b / a for a, b in zip(seconds["one_by_one"], seconds["batched"], strict=True)]
    return {"one_by_one": statistics.median(seconds["one_by_one"]),
            "batched": statistics.median(seconds["batched"]),
            "ratio": statistics.median(ratios), "identical": identical}


def main(argv: list[str] | None = None) -> None:
    """``python -m benchmarks.batched``: print both ways' seconds per replicate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=8)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--scenario", type=Path, default=SCENARIO)
    args = parser.parse_args(argv)
    result = compare_ways(args.users, args.days, args.replicates, args.rounds, args.scenario)
    print(f"{args.scenario.name}, {args.replicates} replicates of {args.users:,} users x "
          f"{args.days} days, {args.rounds} rounds, 1 thread")
    print(f"one by one  {result['one_by_one']:.3f} s per replicate (median)")
    print(f"batched     {result['batched']:.3f} s per replicate (median)")
    print(f"batched / one by one  {result['ratio']:.3f} (median of rounds)")
    print(f"same daily tables bit for bit: {'yes' if result['identical'] else 'NO'}")


if __name__ == "__main__":
    main()
