"""The installed versions a result records (light: no numba, pandas or model import)."""

from __future__ import annotations

from functools import cache
from importlib.metadata import PackageNotFoundError, version

PACKAGES = ("simfraud", "mesa", "numpy", "numba", "pandas", "pyarrow", "pydantic", "plotly",
            "dash", "dask", "distributed", "SALib", "optuna")


def versions() -> dict[str, str]:
    """Installed versions of simfraud and the libraries its results depend on.

    Read once per process (a worker writes hundreds of run folders): a fresh copy each call.
    """
    return dict(_installed())


@cache
def _installed() -> tuple[tuple[str, str], ...]:
    out = {}
    for package in PACKAGES:
        try:
            out[package] = version(package)
        except PackageNotFoundError:
            out[package] = "not installed"
    return tuple(out.items())
