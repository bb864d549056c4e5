"""Noise between replicates: year-on-year change of scam losses in a stable scenario.

``python -m benchmarks.noise [SCENARIO] [--users 30000] [--replicates 8] [--set KEY=VALUE]``
runs the scenario's replicates and prints, per pair of consecutive years, the mean and
standard deviation across replicates of the change in social-engineering (APP) losses,
expected losses (the successes' expected amounts: the spread without the amounts' heavy
tail) and cases, the coefficient of variation of the whole run's total of each, and each
replicate's whole-run totals (to pair with another setting's, common random numbers).
Published UK APP losses moved -17% (2022) and -5% (2023) (UK Finance): a stable
scenario's spread should be of that order (issue 11, "noise with a cause").
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
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario parameter (repeatable)")
    args = parser.parse_args(argv)
    scenario = load_scenario(args.scenario, [f"population.users={args.users}", *args.set])
    result = run_replicates(scenario, args.replicates)
    columns = {"loss": "loss", "expected loss": "expected_loss", "cases": "successes"}
    series = {name: yearly(result.vectors, column) for name, column in columns.items()}
    print(f"{Path(args.scenario).name}, {args.users:,} users, {args.replicates} replicates"
          + "".join(f", {change}" for change in args.set))
    for year in series["loss"].columns[1:]:
        parts = []
        for name, values in series.items():
            change = values[year] / values[year - 1] - 1
            parts.append(f"{name} mean {change.mean():+.1%}, sd {change.std():.1%} "
                         f"(range {change.min():+.1%} to {change.max():+.1%})")
        print(f"year {year + 1} over {year}: " + "; ".join(parts))
    for name, values in series.items():
        whole = values.sum(axis=1)
        print(f"whole-run {name}: coefficient of variation {whole.std() / whole.mean():.2f}; "
              f"per replicate {' '.join(str(round(v)) for v in whole)}")


if __name__ == "__main__":
    main()
