"""The amount fits' results kept on disk (core/stored_fits.py): read back bit for bit, in a
later process without scipy's fitting modules; a damaged or full file is only a cache."""

import json
import os
import subprocess
import sys

import pytest

from simfraud.core import stored_fits
from simfraud.core.stored_fits import results_file, stored


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """An empty cache folder, and no results read yet (as in a new process)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(stored_fits, "_known", None)
    return tmp_path


def counted():
    """A stored function of two numbers and the list of the arguments it computed for."""
    calls = []

    @stored
    def thirds(x: float, y: float = 1.0) -> tuple[float, float]:
        calls.append((x, y))
        return x / 3.0, y / 3.0

    return thirds, calls


def test_a_result_is_read_back_bit_for_bit_without_computing_again(cache, monkeypatch):
    thirds, calls = counted()
    first = thirds(1.0)
    assert results_file().is_relative_to(cache)
    monkeypatch.setattr(stored_fits, "_known", None)  # a later process reads the file
    again, by_keyword = thirds(1.0), thirds(x=1, y=1.0)
    assert calls == [(1.0, 1.0)]
    assert [v.hex() for v in again] == [v.hex() for v in first] == [(1 / 3).hex()] * 2
    assert by_keyword == first and all(type(v) is float for v in by_keyword)
    thirds(2.0)
    assert calls == [(1.0, 1.0), (2.0, 1.0)]


def test_a_damaged_file_counts_as_empty_and_is_rewritten(cache):
    path = results_file()
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    thirds, calls = counted()
    assert thirds(1.0) == (1 / 3, 1 / 3) and len(calls) == 1
    stored_results = json.loads(path.read_text())
    assert list(stored_results.values()) == [[(1 / 3).hex()] * 2]


def test_the_file_keeps_the_newest_results(cache, monkeypatch):
    monkeypatch.setattr(stored_fits, "LIMIT", 2)
    thirds, _ = counted()
    for x in (1.0, 2.0, 3.0):
        thirds(x)
    keys = list(json.loads(results_file().read_text()))
    assert len(keys) == 2 and keys[-1].endswith(f"({(3.0).hex()},{(1.0).hex()})")


FIT = """
import json, sys
from simfraud.core.amounts import body_median, normal_quantile
print(json.dumps({"median": body_median(250_000.0, 1.1, 0.05, 2.2, 5e7).hex(),
                  "z": normal_quantile(0.95).hex(),
                  "scipy": sorted(m for m in ("scipy.optimize", "scipy.special")
                                  if m in sys.modules)}))
"""
"""Fits one vector's amounts in a fresh process, then lists the scipy modules it loaded."""


def test_a_later_process_gets_the_same_fit_without_scipys_fitting_modules(tmp_path):
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}

    def fit() -> dict:
        done = subprocess.run([sys.executable, "-c", FIT], env=env, capture_output=True,
                              text=True, check=True, timeout=120)
        return json.loads(done.stdout)

    first, second = fit(), fit()
    assert first["scipy"] == ["scipy.optimize", "scipy.special"]
    assert second["scipy"] == []
    assert (second["median"], second["z"]) == (first["median"], first["z"])
