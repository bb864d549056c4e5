"""Judging a calibration's trials: their losses, and the race that picks the best.

The best of many trials, each judged on a few replicates, is partly the luckiest: its
search loss flatters it (a winner's curse), and its fresh replicates then miss. With
``recheck`` in the spec, the best trials by the search's loss are judged again on
replicates of their own (after every seed the fresh replicates may use, so those stay
fresh), and the best of them on those replicates is the calibrated one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from simfraud.experiments.calibration_study import Parts, Simulate, complete_trials
from simfraud.experiments.calibration_targets import Target, loss, pooled

MAX_FRESH = 20
"""Most fresh replicates a spec may ask for: rechecks start this many seeds after them."""


def judged(parts: Parts, targets: list[Target], held: list[bool]
           ) -> tuple[float, float | None, list[float]]:
    """Losses of one set of parameters on some replicates.

    Args:
        parts: Per replicate, per target, the target's ``measured`` parts.
        targets: The targets.
        held: Whether each target is held out of the fit.

    Returns:
        The fit loss, the holdout loss (None without held-out targets) and each target's
        pooled value.
    """
    means = [pooled([replicate[k] for replicate in parts]) for k in range(len(targets))]
    fits = list(zip(targets, means, strict=True))
    holdout = [fit for fit, out in zip(fits, held, strict=True) if out]
    fitted = [fit for fit, out in zip(fits, held, strict=True) if not out]
    return loss(fitted), (loss(holdout) if holdout else None), means


def recheck_replicates(search: int, count: int) -> range:
    """The seeds of a recheck: after the search's and every seed fresh replicates may use."""
    return range(search + MAX_FRESH, search + MAX_FRESH + count)


def race(study, count: int, replicates: range, scenario_of: Callable[[Any], dict[str, Any]],
         simulate: Simulate, targets: list[Target], held: list[bool]
         ) -> tuple[Any, pd.DataFrame]:
    """Judge the ``count`` best trials again on ``replicates`` and pick the best of them.

    Args:
        study: The Optuna study.
        count: How many of the best trials (by the search's loss) are judged again.
        replicates: The seeds they are judged on.
        scenario_of: A trial's scenario (``model_dump``) from its parameters.
        simulate: The calibration's simulator.
        targets: The targets.
        held: Whether each target is held out of the fit.

    Returns:
        The chosen trial (the lowest fit loss on ``replicates``; the search's loss breaks
        a tie) and one row per rechecked trial: ``number``, ``loss`` (search),
        ``recheck_loss``, ``recheck_holdout_loss`` and ``chosen``.
    """
    ranked = sorted(complete_trials(study), key=lambda trial: (trial.value, trial.number))
    ranked = ranked[:count]
    parts = simulate([scenario_of(trial.params) for trial in ranked], replicates)
    losses = [judged(trial_parts, targets, held)[:2] for trial_parts in parts]
    chosen = min(range(len(ranked)), key=lambda k: (losses[k][0], ranked[k].value))
    table = pd.DataFrame({
        "number": [trial.number for trial in ranked],
        "loss": [trial.value for trial in ranked],
        "recheck_loss": [fit for fit, _ in losses],
        "recheck_holdout_loss": [holdout for _, holdout in losses],
        "chosen": [k == chosen for k in range(len(ranked))],
    })
    return ranked[chosen], table
