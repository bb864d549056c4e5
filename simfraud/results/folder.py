"""The result folder of one run: its files, summary and manifest."""

from __future__ import annotations

import hashlib
import json
import platform
import time
from functools import lru_cache
from typing import Any

import numba

import simfraud
from simfraud.outputs.run import RunResult
from simfraud.results.summary import summarise
from simfraud.results.units import timeseries_units, vectors_units, with_units
from simfraud.results.versions import versions
from simfraud.results.writer import ResultWriter
from simfraud.scenario.schema import Scenario
from simfraud.scenario.yaml12 import dump_yaml


def threading_layer() -> str:
    """The numba threading layer of this process (``none`` before any parallel kernel)."""
    try:
        return numba.threading_layer()
    except ValueError:
        return "none"


def resolved_yaml(scenario: Scenario) -> str:
    """The fully resolved scenario as YAML 1.2 (what ``scenario.yaml`` holds)."""
    return _yaml_of(json.dumps(scenario.model_dump(mode="json")))


@lru_cache(maxsize=16)
def _yaml_of(scenario_json: str) -> str:
    """YAML of a scenario given as JSON (cached).

    The replicates of an experiment's arm share their scenario, and writing it as YAML
    takes about a tenth of a second, as long as a month of 10,000 users.
    """
    return dump_yaml(json.loads(scenario_json))


def write_run_folder(writer: ResultWriter, scenario: Scenario, result: RunResult,
                     source: dict[str, Any], timings: dict[str, Any]) -> dict[str, Any]:
    """Stage and publish a run's files; ``manifest.json`` goes last.

    Args:
        writer: Writer staging into the output folder.
        scenario: The resolved scenario that ran.
        result: Its results.
        source: How the run was asked for (scenario file, engine, replicates, command
            line, overrides...), copied into the manifest.
        timings: Seconds spent per stage.

    Returns:
        The summary written to ``summary.json``.
    """
    resolved = resolved_yaml(scenario)
    summary = summarise(result.timeseries, scenario.population.weight, scenario.currency)
    currency = scenario.currency
    writer.parquet("timeseries.parquet", with_units(result.timeseries,
                                                    timeseries_units(currency), currency))
    writer.parquet("vectors.parquet", with_units(result.vectors, vectors_units(currency),
                                                 currency))
    if result.transactions is not None:
        writer.parquet("transactions.parquet", result.transactions)
    writer.json("summary.json", summary)
    writer.text("scenario.yaml", f"# resolved scenario written by simfraud\n{resolved}")
    writer.publish({
        "simfraud_version": simfraud.__version__,
        "scenario_name": scenario.name,
        "currency": scenario.currency,
        "scenario_sha256": hashlib.sha256(resolved.encode()).hexdigest(),
        "seed": scenario.seed,
        "users": scenario.population.users,
        "days": scenario.days,
        **source,
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": threading_layer(),
        "python": platform.python_version(),
        "versions": versions(),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "timings": {**timings, "setup_seconds": result.setup_seconds,
                    "simulate_seconds": result.simulate_seconds,
                    "phase_seconds": result.phase_seconds},
        "rows": {"timeseries": len(result.timeseries), "vectors": len(result.vectors),
                 "transactions": 0 if result.transactions is None
                 else len(result.transactions)},
    })
    return summary
