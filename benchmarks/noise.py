"""Noise between replicates: year-on-year change of scam losses in a stable scenario.

``python -m benchmarks.noise [SCENARIO] [--users 30000] [--replicates 8]`` runs the
scenario's replicates and prints, per pair of consecutive years, the mean and standard
deviation across replicates of the change in social-engineering (APP) losses and cases,
and the coefficient of variation of the whole run's losses. Published UK APP losses
moved -17% (2022) and -5% (2023) (UK Finance): a stable scenario's spread should be of
that order (issue 11, "noise with a cause").
"""

from __future__ import annotations

import argparse
from pathlib import Path

from simfraud.model.replicates import run_replicates
from simfraud.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
VECTOR = "social_engineering"


def yearly(vectors, column: str):
    """Per replicate (rows) and year of the run (columns): the scam vector's sum."""
    scams = vectors[vectors["vector"] == VECTOR]
    return scams.groupby([scams["replicate"], scams["day"] // 365])[column].sum().unstack()


def main(argv: list[str] | None = None) -> None:
    """Run the replicates and print the spread of year-on-year changes."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.noise")
    parser.add_argument("scenario", nargs="?",
                        default=str(ROOT / "scenarios" / "uk-2024-no-mandate.yaml"))
    parser.add_argument("--users", type=int, default=30_000)
    parser.add_argument("--replicates", type=int, default=8)
    args = parser.parse_args(argv)
    scenario = load_scenario(args.scenario, [f"population.users={args.users}"])
    result = run_replicates(scenario, args.replicates)
    loss, cases = yearly(result.vectors, "loss"), yearly(result.vectors, "successes")
    print(f"{Path(args.scenario).name}, {args.users:,} users, {args.replicates} replicates")
    for year in loss.columns[1:]:
        change = loss[year] / loss[year - 1] - 1
        case_change = cases[year] / cases[year - 1] - 1
        print(f"year {year + 1} over {year}: loss change mean {change.mean():+.1%}, "
              f"sd {change.std():.1%} (range {change.min():+.1%} to {change.max():+.1%}); "
              f"cases mean {case_change.mean():+.1%}, sd {case_change.std():.1%}")
    whole = loss.sum(axis=1)
    print(f"whole-run loss across replicates: coefficient of variation "
          f"{whole.std() / whole.mean():.2f}")


if __name__ == "__main__":
    main()
