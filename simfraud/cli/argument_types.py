"""Argument types of the command line: bounded numbers and folder names.

Each is an ``argparse`` type: it returns the parsed value or raises
``argparse.ArgumentTypeError`` with what was given and what is allowed.
"""

from __future__ import annotations

import argparse

from simfraud.scenario.schema import MAX_DAYS, MAX_REPLICATES, MAX_USERS


def bounded(kind: type, low: float, high: float, allowed: str):
    """An argparse type: a number of ``kind`` within ``[low, high]``.

    Args:
        kind: ``int`` or ``float``.
        low: Smallest value allowed.
        high: Largest value allowed.
        allowed: The range as the message states it.

    Returns:
        The parsing function.
    """
    noun = "a whole number" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {allowed}, got {value}")
        return value

    return parse


positive = bounded(int, 1, 2**63 - 1, "between 1 and 2**63-1")
users = bounded(int, 1, MAX_USERS, f"1 to {MAX_USERS:,} (about 55 bytes of memory per user)")
days = bounded(int, 1, MAX_DAYS, f"1 to {MAX_DAYS:,} (ten years)")
replicates = bounded(int, 1, MAX_REPLICATES, f"1 to {MAX_REPLICATES:,} (each replicate "
                     "keeps its daily tables in memory)")
trials = bounded(int, 1, 10_000, "1 to 10,000")
trial_replicates = bounded(int, 1, 20, "1 to 20, as a calibration spec's replicates")
share = bounded(float, 0.0, 1.0, "between 0 and 1")
seed = bounded(int, 0, 2**63 - 1, "between 0 and 2**63-1")
port = bounded(int, 1, 65_535, "between 1 and 65535")
threads = bounded(int, 1, 64, "between 1 and 64")
max_runs = bounded(int, 1, 16, "between 1 and 16")
max_queued = bounded(int, 0, 64, "between 0 and 64")
local_workers = bounded(int, 1, 64, "1 to 64 (each is a Python process of about 230 MB "
                        "with the model loaded)")


def folder_name(text: str) -> str:
    """An argparse type: a non-empty path (``--out ''`` would mean this folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must name a folder, got an empty name")
    return text
