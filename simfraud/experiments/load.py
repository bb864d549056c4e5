"""Read an experiment folder back as result sets: one per arm, with its replicates.

An arm is a compared scenario or a sweep's grid point; its runs (one replicate each) live
under ``OUT/runs/``. ``load_experiment`` gathers them into tidy DataFrames with an ``arm``
column, so one arm can be plotted with its replicate band and arms set side by side.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import pandas as pd

from simfraud.core.metrics import FLOW, TIMESERIES
from simfraud.experiments.dispatch import EXPERIMENT, INDEX
from simfraud.results.gather import concat_parquet
from simfraud.results.manifest import record_bytes
from simfraud.results.units import label_from_file, label_units


def is_experiment(folder: Path) -> bool:
    """Whether ``folder`` holds an experiment (``experiment.json`` and its index)."""
    return (folder / EXPERIMENT).is_file() and (folder / INDEX).is_file()


def arm_table(index: pd.DataFrame) -> pd.DataFrame:
    """One row per arm with at least one finished run: ``point``, ``arm``, runs, grid values.

    Args:
        index: The experiment's ``index.parquet``.
    """
    ok = index[index["status"] == "ok"]
    grid = [c for c in index.columns if c.startswith("grid.")]
    arms = ok.groupby("point", sort=True).agg(
        arm=("label", "first"), replicates=("run_id", "size"),
        **{c: (c, "first") for c in grid}).reset_index()
    return arms


@dataclass
class Arm:
    """One arm's replicates, concatenated."""

    name: str
    timeseries: pd.DataFrame
    vectors: pd.DataFrame
    scenario_yaml: str
    manifest: dict[str, Any]


def load_arm(folder: Path, point: int) -> Arm:
    """The runs of one arm as one result set.

    Its ``manifest`` is its first run's with the number of replicates found.

    Raises:
        FileNotFoundError: When the arm has no finished run.
    """
    index = pd.read_parquet(folder / INDEX)
    runs = index[(index["point"] == point) & (index["status"] == "ok")].sort_values("replicate")
    if runs.empty:
        raise FileNotFoundError(f"{folder}: arm {point} has no finished run")
    paths = [folder / "runs" / run for run in runs["run_id"]]
    manifest = json.loads(record_bytes(paths[0] / "manifest.json"))
    manifest = {**manifest, "replicates": len(paths), "run_ids": list(runs["run_id"])}
    return Arm(
        name=str(runs["label"].iloc[0]),
        timeseries=_concat_runs(paths, "timeseries.parquet"),
        vectors=_concat_runs(paths, "vectors.parquet"),
        scenario_yaml=(paths[0] / "scenario.yaml").read_text(),
        manifest=manifest,
    )


def _concat_runs(paths: list[Path], file: str) -> pd.DataFrame:
    """The runs' ``file`` tables concatenated, labelled with the first one's units."""
    frame = concat_parquet([p / file for p in paths])
    return label_from_file(frame, paths[0] / file)


class Experiment:
    """An experiment folder as tidy tables (read lazily, each once).

    Attributes:
        folder: The experiment folder.
        record: Its ``experiment.json``.
        index: One row per run (``index.parquet``).
        arms: One row per arm: ``point``, ``arm`` (its name), ``replicates`` finished and
            the grid values (``grid.PATH`` columns) of a sweep.

    ``index``, ``timeseries``, ``vectors`` and ``totals`` carry their units as read from
    the Parquet files: ``attrs["units"]`` (column -> unit) and ``attrs["currency"]``.
    """

    def __init__(self, folder: str | Path):
        self.folder = Path(folder)
        if not is_experiment(self.folder):
            raise FileNotFoundError(f"{self.folder}: not an experiment folder "
                                    f"(no {EXPERIMENT} and {INDEX})")
        self.record: dict[str, Any] = json.loads(record_bytes(self.folder / EXPERIMENT))
        self.index = label_from_file(pd.read_parquet(self.folder / INDEX), self.folder / INDEX)
        self.arms = arm_table(self.index)

    def _gather(self, file: str) -> pd.DataFrame:
        frames = []
        for arm in self.arms.itertuples():
            runs = self.index[(self.index["point"] == arm.point)
                              & (self.index["status"] == "ok")]
            if len(runs):
                frame = concat_parquet([self.folder / "runs" / run / file
                                        for run in runs["run_id"]])
                frame.insert(0, "arm", arm.arm)
                frames.append(frame)
        out = pd.concat(frames, ignore_index=True)
        out["arm"] = pd.Categorical(out["arm"], categories=list(self.arms["arm"]))
        first = self.index[self.index["status"] == "ok"]["run_id"].iloc[0]
        return label_from_file(out, self.folder / "runs" / first / file)

    @cached_property
    def timeseries(self) -> pd.DataFrame:
        """Daily series: ``arm``, ``replicate``, ``day``, ``date`` and every metric."""
        return self._gather("timeseries.parquet")

    @cached_property
    def vectors(self) -> pd.DataFrame:
        """Per (day, platform, vector) statistics with an ``arm`` column."""
        return self._gather("vectors.parquet")

    @cached_property
    def totals(self) -> pd.DataFrame:
        """One row per arm and replicate: flows summed, stocks and ratios on the last day."""
        flows = [m.name for m in TIMESERIES if m.kind == FLOW]
        levels = [m.name for m in TIMESERIES if m.kind != FLOW]
        grouped = self.timeseries.sort_values("day").groupby(["arm", "replicate"],
                                                             observed=True)
        totals = pd.concat([grouped[flows].sum(), grouped[levels].last()],
                           axis=1).reset_index()
        return label_units(totals, self.timeseries.attrs["units"],
                           self.timeseries.attrs["currency"])

    def table(self, name: str) -> pd.DataFrame:
        """A table the experiment wrote (``summary``, ``differences``... of a compare).

        Raises:
            FileNotFoundError: When the experiment has no such table.
        """
        return pd.read_parquet(self.folder / f"{name}.parquet")


def load_experiment(folder: str | Path) -> Experiment:
    """Open an experiment folder.

    Any folder written by ``simfraud compare``, ``sweep`` or ``sensitivity`` (or the
    Python API's ``compare`` and ``sweep``).

    Args:
        folder: The experiment folder (the ``--out`` of the command).

    Returns:
        The experiment; its tables load when first used.

    Raises:
        FileNotFoundError: When ``folder`` is not an experiment folder.
    """
    return Experiment(folder)
