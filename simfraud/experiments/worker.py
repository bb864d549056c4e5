"""One run of an experiment, executed wherever a worker is (a local process or Dask)."""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simfraud.experiments.plan import RunSpec

HEADLINE = ("gross_loss", "refunded", "refunded_sending", "refunded_receiving", "user_loss",
            "recovered", "attempts", "successes", "victims", "false_rejects",
            "security_spend", "compliance_cost", "fines", "friction_cost", "social_cost")
FINAL = ("facepay_users", "faces_compromised", "credentials_compromised", "active_attackers")


@dataclass
class RunOutcome:
    """What a finished run reports back (its files are already on disk)."""

    run_id: str
    status: str
    seconds: float
    metrics: dict[str, float] = field(default_factory=dict)
    error: str = ""


def headline(summary: dict[str, Any]) -> dict[str, float]:
    """Headline metrics of a one-replicate run from its ``summary.json``."""
    metrics = {name: summary["totals"][name]["mean"] for name in HEADLINE}
    metrics.update({f"final_{name}": summary["final_day"][name]["mean"] for name in FINAL})
    metrics["refunded_share"] = summary["refunded_share"]["mean"]
    metrics["days"] = summary["days"]
    return metrics


def limit_threads(numba_threads: int | None) -> None:
    """Run numba kernels in this worker on at most ``numba_threads`` threads (None: as is)."""
    if numba_threads is not None:
        import numba

        numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))


def execute_run(base: dict[str, Any], spec: RunSpec, runs_dir: str,
                numba_threads: int | None = None) -> RunOutcome:
    """Run one replicate of one scenario variant and write its folder.

    Any error is caught and reported: a failed run must not stop the others.

    Args:
        base: The resolved base scenario (``model_dump(mode="json")``).
        spec: Which variant and replicate.
        runs_dir: Folder holding one subfolder per run.
        numba_threads: Threads for numba in this worker (None: leave as is).

    Returns:
        The outcome, with headline metrics when the run succeeded.
    """
    started = time.perf_counter()
    try:
        limit_threads(numba_threads)
        from simfraud.model.replicates import run_replicates

        scenario = _variant(base, spec)
        result = run_replicates(scenario, 1, first_replicate=spec.replicate)
        summary = _write_run(runs_dir, spec, scenario, result)
        return RunOutcome(spec.run_id, "ok", time.perf_counter() - started, headline(summary))
    except Exception as exc:  # reported in the index; the other runs go on
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        return RunOutcome(spec.run_id, "failed", time.perf_counter() - started, error=detail)


def execute_runs(base: dict[str, Any], specs: list[RunSpec], runs_dir: str,
                 numba_threads: int | None = None) -> list[RunOutcome]:
    """Run replicates of one scenario variant stepped together; each writes its own folder.

    The files are those ``execute_run`` writes for each run alone (the batch changes no
    result); a run's ``simulate_seconds`` is its share of the batch's simulation. If the
    batch fails, the runs not written yet run alone, so that a failure is reported by
    the run that has it and the others go on.

    Args:
        base: The resolved base scenario (``model_dump(mode="json")``).
        specs: Runs of one variant (the same changes) with consecutive replicates.
        runs_dir: Folder holding one subfolder per run.
        numba_threads: Threads for numba in this worker (None: leave as is).

    Returns:
        The outcomes, in the order of ``specs``.
    """
    outcomes: list[RunOutcome] = []
    if len(specs) > 1:
        try:
            limit_threads(numba_threads)
            from simfraud.model.replicates import replicate_runs

            scenario = _variant(base, specs[0])
            results = replicate_runs(scenario, len(specs), first_replicate=specs[0].replicate,
                                     batch=len(specs))
            for spec, result in zip(specs, results, strict=True):
                started = time.perf_counter()
                summary = _write_run(runs_dir, spec, scenario, result)
                seconds = result.setup_seconds + result.simulate_seconds
                outcomes.append(RunOutcome(spec.run_id, "ok",
                                           seconds + time.perf_counter() - started,
                                           headline(summary)))
        except Exception:
            pass  # the runs not written yet run alone below, each reporting its own error
    return outcomes + [execute_run(base, spec, runs_dir, numba_threads)
                       for spec in specs[len(outcomes):]]


def _variant(base: dict[str, Any], spec: RunSpec):
    """The run's scenario: the base with the run's changes."""
    from simfraud.scenario.loader import apply_changes
    from simfraud.scenario.schema import Scenario

    return apply_changes(Scenario.model_validate(base), spec.changes)


def _write_run(runs_dir: str, spec: RunSpec, scenario, result) -> dict[str, Any]:
    """Write one run's folder under ``runs_dir``; returns its summary."""
    from simfraud.results.folder import write_run_folder
    from simfraud.results.writer import ResultWriter

    writer = ResultWriter(Path(runs_dir) / spec.run_id)
    try:
        return write_run_folder(writer, scenario, result, {
            "run_id": spec.run_id, "replicates": 1, "replicate": spec.replicate,
            "engine": "columnar", "changes": spec.changes,
        }, {})
    finally:
        writer.discard()
