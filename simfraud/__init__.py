"""simfraud: agent-based simulation of the payment-fraud arms race around face payment."""

import os
from importlib.metadata import PackageNotFoundError, version

import numba

# numba's OpenMP layer with its default passive wait adds milliseconds per parallel call
# when chunks are fewer than threads (measured: 8 ms per day at 10,000 users); its own
# workqueue layer does not. An explicit NUMBA_THREADING_LAYER still wins.
if "NUMBA_THREADING_LAYER" not in os.environ:
    numba.config.THREADING_LAYER = "workqueue"

try:
    __version__ = version("simfraud")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
