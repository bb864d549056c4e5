"""Argument types of the command line: bounded numbers and folder names.

Each is an ``argparse`` type: it returns the parsed value or raises
``argparse.ArgumentTypeError`` with what was given and what is allowed. The limits the
scenario schema sets are read from it when a value is checked, not when the parser is
built, so ``simfraud --help`` does not import the schema (pydantic and numpy).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable


def bounded(kind: type, low: float, high: float | Callable[[], float], allowed: str):
    """An argparse type: a number of ``kind`` within ``[low, high]``.

    Args:
        kind: ``int`` or ``float``.
        low: Smallest value allowed.
        high: Largest value allowed, or a function returning it (called on each check).
        allowed: The range as the message states it; ``{high}`` stands for ``high``
            (e.g. ``{high:,}``).

    Returns:
        The parsing function.
    """
    noun = "a whole number" if kind is int else "a number"

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {noun}, got {text!r}") from None
        top = high() if callable(high) else high
        if not low <= value <= top:
            raise argparse.ArgumentTypeError(f"must be {allowed.format(high=top)}, got {value}")
        return value

    return parse


def schema_limit(name: str) -> Callable[[], int]:
    """A function returning the scenario schema's limit ``name`` (e.g. ``MAX_USERS``)."""
    def limit() -> int:
        from simfraud.scenario import schema

        return getattr(schema, name)

    return limit


positive = bounded(int, 1, 2**63 - 1, "between 1 and 2**63-1")
users = bounded(int, 1, schema_limit("MAX_USERS"),
                "1 to {high:,} (about 55 bytes of memory per user)")
days = bounded(int, 1, schema_limit("MAX_DAYS"), "1 to {high:,} (ten years)")
replicates = bounded(int, 1, schema_limit("MAX_REPLICATES"), "1 to {high:,} (each replicate "
                     "keeps its daily tables in memory)")
batch = bounded(int, 1, schema_limit("MAX_REPLICATES"), "1 to {high:,}")
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
