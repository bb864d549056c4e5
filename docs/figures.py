"""Draw the README figures from a real run of the flagship scenario.

    .venv/bin/python docs/figures.py      (needs the docs extra: pip install -e .[docs])

Runs ``scenarios/china-2019-zao.yaml`` (100,000 users, 5 replicates) and writes
``docs/img/zao-losses.png``: weekly fraud losses by attack vector (median over replicates)
and the share of users on face pay (median and 10-90% band), with the timeline's events.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd

from simfraud.model.replicates import run_replicates
from simfraud.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
USERS = 100_000


def main() -> None:
    """Run the scenario and draw the figure."""
    scenario = load_scenario(ROOT / "scenarios" / "china-2019-zao.yaml",
                             [f"population.users={USERS}"])
    result = run_replicates(scenario, replicates=5)
    full_weeks = scenario.days // 7
    vectors = result.vectors.assign(week=lambda f: f["day"] // 7)
    vectors = vectors[vectors["week"] < full_weeks]
    weekly = (vectors.groupby(["replicate", "week", "vector"], observed=True)["loss"].sum()
              .groupby(["week", "vector"], observed=True).median().unstack() / 100.0)
    ts = result.timeseries
    share = (ts.assign(share=ts["facepay_users"] / USERS)
             .groupby("day")["share"].quantile([0.1, 0.5, 0.9]).unstack())
    start = pd.Timestamp(scenario.start_date)

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 7), sharex=True,
                                      gridspec_kw={"height_ratios": [2, 1]})
    dates = start + pd.to_timedelta(weekly.index * 7, unit="D")
    top.stackplot(dates, weekly.fillna(0).T.to_numpy(), labels=list(weekly.columns),
                  alpha=0.85)
    top.set_ylabel(f"weekly fraud losses ({scenario.currency}, {USERS:,} users)")
    top.legend(loc="upper right", fontsize=8, ncol=3)
    top.set_title("Zao-style face-swap release against 3D liveness "
                  "(simfraud, median of 5 replicates)")
    days = start + pd.to_timedelta(share.index, unit="D")
    bottom.fill_between(days, share[0.1], share[0.9], alpha=0.3, label="10-90%")
    bottom.plot(days, share[0.5], label="median")
    bottom.set_ylabel("share of users on face pay")
    bottom.legend(loc="lower left", fontsize=8)
    for event in scenario.timeline:
        for axis in (top, bottom):
            axis.axvline(start + pd.Timedelta(days=event.day), color="grey", ls="--", lw=1)
        top.annotate(event.type.replace("_", " "), (start + pd.Timedelta(days=event.day),
                     top.get_ylim()[1] * 0.6), fontsize=8, rotation=90, va="top", ha="right")
    fig.tight_layout()
    out = ROOT / "docs" / "img" / "zao-losses.png"
    fig.savefig(out, dpi=110)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
