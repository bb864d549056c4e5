"""One run of an experiment, executed wherever a worker is (a local process or Dask)."""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simfraud.experiments.plan import RunSpec

if TYPE_CHECKING:
    from simfraud.outputs.run import RunResult
    from simfraud.scenario.schema import Scenario

_LOG = logging.getLogger(__name__)

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


def execute_runs(base: dict[str, Any], specs: list[RunSpec], runs_dir: str,
                 numba_threads: int | None = None) -> list[RunOutcome]:
    """Run replicates of one scenario variant stepped together; each writes its own folder.

    The files are those each run would write alone (a batch changes no result); a run's
    ``simulate_seconds`` is its share of the batch's simulation. Any error is caught and
    reported by the run that has it, so a failed run does not stop the others: when a
    batch of several runs fails to simulate, they run again one by one; a folder that
    fails to write fails its run alone.

    Args:
        base: The resolved base scenario (``model_dump(mode="json")``).
        specs: Runs of one variant (the same changes) with consecutive replicates.
        runs_dir: Folder holding one subfolder per run.
        numba_threads: Threads for numba in this worker (None: leave as is).

    Returns:
        The outcomes, in the order of ``specs``, with headline metrics for runs that
        succeeded.
    """
    started = time.perf_counter()
    try:
        limit_threads(numba_threads)
        from simfraud.model.replicates import replicate_runs

        scenario = _variant(base, specs[0])
        results = list(replicate_runs(scenario, len(specs), first_replicate=specs[0].replicate,
                                      batch=len(specs)))
    except Exception as exc:
        if len(specs) == 1:
            return [_failed(specs[0], exc, time.perf_counter() - started)]
        _LOG.warning("a batch of %d runs from %s failed (%s); running them one by one",
                     len(specs), specs[0].run_id, _error(exc))
        return [outcome for spec in specs
                for outcome in execute_runs(base, [spec], runs_dir, numba_threads)]
    return [_written(runs_dir, spec, scenario, result)
            for spec, result in zip(specs, results, strict=True)]


def _written(runs_dir: str, spec: RunSpec, scenario: Scenario,
             result: RunResult) -> RunOutcome:
    """Write one run's folder under ``runs_dir``; its outcome (failed if it cannot)."""
    started = time.perf_counter()
    seconds = result.setup_seconds + result.simulate_seconds
    try:
        from simfraud.results.folder import write_run_folder
        from simfraud.results.writer import ResultWriter

        writer = ResultWriter(Path(runs_dir) / spec.run_id)
        try:
            summary = write_run_folder(writer, scenario, result, {
                "run_id": spec.run_id, "replicates": 1, "replicate": spec.replicate,
                "engine": "columnar", "changes": spec.changes,
            }, {})
        finally:
            writer.discard()
    except Exception as exc:
        return _failed(spec, exc, seconds + time.perf_counter() - started)
    return RunOutcome(spec.run_id, "ok", seconds + time.perf_counter() - started,
                      headline(summary))


def _variant(base: dict[str, Any], spec: RunSpec) -> Scenario:
    """The run's scenario: the base with the run's changes."""
    from simfraud.scenario.loader import apply_changes
    from simfraud.scenario.schema import Scenario

    return apply_changes(Scenario.model_validate(base), spec.changes)


def _error(exc: BaseException) -> str:
    """An exception as its type and message."""
    return "".join(traceback.format_exception_only(type(exc), exc)).strip()


def _failed(spec: RunSpec, exc: BaseException, seconds: float) -> RunOutcome:
    """The outcome of a run that raised ``exc`` (reported in the index)."""
    return RunOutcome(spec.run_id, "failed", seconds, error=_error(exc))
