"""``simfraud validate``, ``schema``, ``info`` and ``bench``: check and describe."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from pathlib import Path

from simfraud.cli.errors import EXIT_BAD_INPUT, EXIT_OK

PACKAGE = Path(__file__).resolve().parents[1]
"""The installed ``simfraud`` package folder."""


def validate(args: argparse.Namespace) -> int:
    """Check scenario files: one line each, ``ok`` or its located problems."""
    from simfraud.scenario.loader import ScenarioError, load_scenario

    status = EXIT_OK
    for name in args.files:
        try:
            scenario = load_scenario(name)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            status = EXIT_BAD_INPUT
        else:
            print(f"{name}: ok ({scenario.name}: {scenario.population.users} users, "
                  f"{len(scenario.platforms)} platform(s), {scenario.days} days)")
    return status


def schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of scenario files."""
    from simfraud.scenario.jsonschema import scenario_json_schema

    print(json.dumps(scenario_json_schema(), indent=2))
    return EXIT_OK


def info(args: argparse.Namespace) -> int:
    """Print versions, threads and the numba cache location as JSON."""
    import numba

    from simfraud.results.versions import versions

    cache_dir = numba.config.CACHE_DIR or str(PACKAGE / "**" / "__pycache__")
    described = {
        "versions": versions(),
        "python": f"{platform.python_version()} ({sys.executable})",
        "cpu_count": os.cpu_count(),
        "numba_threads": numba.get_num_threads(),
        "numba_threading_layer": (
            numba.config.THREADING_LAYER if numba.config.THREADING_LAYER != "default"
            else "first available of " + ", ".join(numba.config.THREADING_LAYER_PRIORITY)),
        "numba_cache": cache_dir,
    }
    print(json.dumps(described, indent=2))
    return EXIT_OK


def bench(options: list[str]) -> int:
    """Run ``python -m benchmarks`` from the source checkout this package was installed from.

    The benchmarks are not part of the installed package; outside a checkout this says so.
    """
    import subprocess

    checkout = PACKAGE.parent
    if not (checkout / "benchmarks" / "__main__.py").is_file():
        print("simfraud bench: the benchmarks are not installed with the package; run "
              "python -m benchmarks in a source checkout of simfraud", file=sys.stderr)
        return EXIT_BAD_INPUT
    return subprocess.run([sys.executable, "-m", "benchmarks", *options],
                          cwd=checkout).returncode
