"""Smoke test of benchmarks/fuzz_scenarios.py (the full run is not in CI's time budget)."""

from __future__ import annotations

import datetime as dt

from benchmarks.fuzz_scenarios import coercions, main


def test_a_small_fuzz_run_finds_nothing(capsys):
    assert main(["--count", "25", "--seed", "7", "--timeout", "60"]) == 0
    last = capsys.readouterr().out.strip().split("\n")[-1]
    assert last.startswith("25 mutants of ")
    assert "0 traceback, 0 hang, 0 silent coercion, 0 bad message" in last


def test_coercions_are_detected():
    raw = {"days": True, "seed": "7", "name": 3, "rate": 2, "date": "2024-01-01",
           "timeline": [{"set": {"days": "x"}}]}
    loaded = {"days": 1, "seed": 7, "name": "3", "rate": 2.0, "date": dt.date(2024, 1, 1),
              "timeline": [{"set": {"days": "x"}}]}
    assert sorted(c.split(":")[0] for c in coercions(raw, loaded)) == ["days", "name", "seed"]
