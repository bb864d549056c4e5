"""Draw the README figure from a real run of the flagship scenario.

    .venv/bin/python docs/figures.py [--users N] [--replicates R] [--days D] [--out PNG]

Runs ``scenarios/china-2019-zao.yaml`` through ``simfraud run`` (by default 100,000
users, 5 replicates, the scenario's 730 days) and draws, from the result folder's
``timeseries.parquet``, ``vectors.parquet`` and ``scenario.yaml``, weekly fraud losses
by attack vector (median over replicates) and the share of users on face pay (median
and 10-90% band), with the timeline's events. It writes ``docs/img/zao-losses.png``
unless ``--out`` names another file. Needs matplotlib (in the ``test`` and ``docs``
extras). Bad arguments exit with status 2; a failed run exits with the status of
``simfraud run`` and writes no figure.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import yaml

from simfraud.cli import main as simfraud

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "china-2019-zao.yaml"
DEFAULT_OUT = ROOT / "docs" / "img" / "zao-losses.png"


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(description="Draw the README figure of the Zao scenario.")
    parser.add_argument("--users", type=positive, default=100_000,
                        help="simulated users (default 100000)")
    parser.add_argument("--replicates", type=positive, default=5,
                        help="replicates (default 5)")
    parser.add_argument("--days", type=positive,
                        help="days to simulate (default: the scenario's 730)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="PNG file to write (default docs/img/zao-losses.png)")
    return parser.parse_args(argv)


def simulate(args: argparse.Namespace, folder: Path) -> int:
    """Run the scenario into ``folder`` with ``simfraud run``; return its exit status."""
    command = ["run", str(SCENARIO), "--out", str(folder), "--users", str(args.users),
               "--replicates", str(args.replicates), "--quiet"]
    if args.days:
        command += ["--days", str(args.days)]
    return simfraud(command)


def draw(folder: Path, users: int, replicates: int) -> plt.Figure:
    """The two-panel figure from a ``simfraud run`` result folder."""
    scenario = yaml.safe_load((folder / "scenario.yaml").read_text(encoding="utf-8"))
    days = scenario["days"]
    start = pd.Timestamp(scenario["start_date"])
    vectors = pd.read_parquet(folder / "vectors.parquet").assign(week=lambda f: f["day"] // 7)
    vectors = vectors[vectors["week"] < days // 7]
    weekly = (vectors.groupby(["replicate", "week", "vector"], observed=True)["loss"].sum()
              .groupby(["week", "vector"], observed=True).median().unstack() / 100.0)
    ts = pd.read_parquet(folder / "timeseries.parquet")
    share = (ts.assign(share=ts["facepay_users"] / users)
             .groupby("day")["share"].quantile([0.1, 0.5, 0.9]).unstack())

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [2, 1]})
    dates = start + pd.to_timedelta(weekly.index * 7, unit="D")
    top.stackplot(dates, weekly.fillna(0).T.to_numpy(), labels=list(weekly.columns),
                  alpha=0.85)
    top.set_ylabel(f"weekly fraud losses ({scenario['currency']}, {users:,} users)")
    top.legend(loc="upper right", fontsize=8, ncol=3)
    top.set_title("Zao-style face-swap release against 3D liveness "
                  f"(simfraud, median of {replicates} replicates)")
    when = start + pd.to_timedelta(share.index, unit="D")
    bottom.fill_between(when, share[0.1], share[0.9], alpha=0.3, label="10-90%")
    bottom.plot(when, share[0.5], label="median")
    bottom.set_ylabel("share of users on face pay")
    bottom.legend(loc="lower left", fontsize=8)
    for event in scenario["timeline"]:
        if event["day"] >= days:
            continue
        day = start + pd.Timedelta(days=event["day"])
        for axis in (top, bottom):
            axis.axvline(day, color="grey", ls="--", lw=1)
        top.annotate(event["type"].replace("_", " "), (day, top.get_ylim()[1] * 0.6),
                     fontsize=8, rotation=90, va="top", ha="right")
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    """Run the scenario and write the figure; return the exit status."""
    args = parse_args(argv)
    if args.out.suffix.lower() != ".png":
        print(f"figures.py: --out {args.out}: the figure is a PNG file (name ending .png)",
              file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(f"figures.py: --out {args.out}: folder {args.out.parent} does not exist",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="simfraud-figure-") as scratch:
        folder = Path(scratch) / "zao"
        status = simulate(args, folder)
        if status != 0:
            return status
        fig = draw(folder, args.users, args.replicates)
    partial = args.out.with_name(f".{args.out.name}.partial")
    fig.savefig(partial, dpi=110, format="png")
    partial.replace(args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
