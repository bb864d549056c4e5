"""Start-up: the light commands import no heavy library; numba is set up when imported.

Each check runs in a fresh interpreter (``sys.modules`` of the test process is shared).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASELINE = str(ROOT / "scenarios" / "baseline.yaml")
HEAVY = ("numba", "pandas", "pyarrow", "dask", "distributed", "dash", "plotly", "mesa",
         "scipy", "optuna", "SALib")
"""Libraries only the commands that simulate, analyse or serve need."""

IMPORTED_BY = """
import json, sys
from simfraud.cli import main
try:
    status = main(sys.argv[2:])
except SystemExit as exc:  # --help and argparse errors
    status = exc.code
with open(sys.argv[1], "w") as out:
    json.dump({"status": status, "modules": sorted(sys.modules)}, out)
"""
"""Runs ``main`` on the arguments, then records the exit status and ``sys.modules``."""


def imported_by(tmp_path, *argv: str) -> tuple[int, set[str]]:
    record = tmp_path / "modules.json"
    subprocess.run([sys.executable, "-c", IMPORTED_BY, str(record), *argv], cwd=tmp_path,
                   check=True, capture_output=True, timeout=120)
    data = json.loads(record.read_text())
    return data["status"], set(data["modules"])


@pytest.mark.parametrize("argv, also_absent", [
    (["--help"], ("pydantic", "numpy", "ruamel")),
    (["run", "--help"], ("pydantic", "numpy")),
    (["compare", "--help"], ("pydantic", "numpy")),
    (["validate", BASELINE], ()),
    (["schema"], ()),
    (["info"], ()),
])
def test_light_commands_import_no_heavy_library(tmp_path, argv, also_absent):
    status, modules = imported_by(tmp_path, *argv)
    assert status == 0
    loaded = {name.split(".")[0] for name in modules}
    allowed = set()
    if argv == ["info"]:  # info reports numba's threads; numba imports scipy's top level
        allowed = {"numba", "scipy"}
        assert "scipy.spatial" not in modules  # what importing mesa brings
    assert loaded & (set(HEAVY) - allowed) == set()
    assert loaded & set(also_absent) == set()


def test_a_schema_limit_is_checked_without_importing_the_model(tmp_path):
    status, modules = imported_by(tmp_path, "run", BASELINE, "--out", "o", "--users", "0")
    assert status == 2 and "numba" not in modules


NUMBA_SET_UP = """
import json, os, sys
order = sys.argv[1]
if order == "numba first":
    import numba, simfraud
else:
    import simfraud
    if order == "openmp, then numba":
        simfraud.prefer_openmp()
    import numba
    if order == "numba, then openmp":
        simfraud.prefer_openmp()
print(json.dumps({"cache": numba.config.CACHE_DIR, "expected": str(simfraud._kernel_cache_dir()),
                  "layer": numba.config.THREADING_LAYER}))
"""


@pytest.mark.parametrize("order, layer", [
    ("simfraud, then numba", "workqueue"),
    ("numba first", "workqueue"),
    ("openmp, then numba", "default"),
    ("numba, then openmp", "default"),
])
def test_numba_gets_the_kernel_cache_and_layer_whenever_it_is_imported(order, layer):
    env = {k: v for k, v in os.environ.items()
           if k not in ("NUMBA_CACHE_DIR", "NUMBA_THREADING_LAYER")}
    result = subprocess.run([sys.executable, "-c", NUMBA_SET_UP, order], env=env,
                            capture_output=True, text=True, check=True, timeout=120)
    seen = json.loads(result.stdout)
    assert seen["cache"] == seen["expected"] and "simfraud" in seen["cache"]
    assert seen["layer"] == layer


def test_numbas_own_environment_variables_win(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "NUMBA_THREADING_LAYER": "tbb"}
    result = subprocess.run([sys.executable, "-c", NUMBA_SET_UP, "openmp, then numba"],
                            env=env, capture_output=True, text=True, check=True, timeout=120)
    seen = json.loads(result.stdout)
    assert seen["cache"] == str(tmp_path) and seen["layer"] == "tbb"


RUN_AND_USE_MESA = """
import json, sys
from multiprocessing import resource_tracker
from simfraud.cli import main
from simfraud.core.deferred_imports import defer_unused_imports
defer_unused_imports()  # as the simfraud command does first (simfraud.cli.entry)
status = main(["run", sys.argv[1], "--users", "100", "--days", "1", "--quiet", "--out", "o"])
seen = {"status": status, "kdtree": "scipy.spatial._kdtree" in sys.modules,
        "tracker": resource_tracker._resource_tracker._pid is not None,
        "scipy": sorted(name for name in ("scipy.optimize", "scipy.special", "scipy.linalg._basic",
                                          "scipy.linalg.cython_blas") if name in sys.modules),
        "unused": sorted(name for name in ("pycparser.c_lexer", "asyncio.base_events",
                                           "yaml.reader") if name in sys.modules)}
import asyncio
import cffi
import yaml
import mesa
from mesa.experimental.continuous_space import ContinuousSpace
from scipy.spatial import KDTree
from scipy.linalg import solve
seen["devs"] = mesa.experimental.devs.ABMSimulator.__name__
seen["space"] = ContinuousSpace.__module__
seen["tree"] = KDTree([[0.0], [1.0]]).query([0.9])[1].item()
seen["solve"] = solve([[2.0]], [4.0]).tolist()
seen["blas"] = sys.modules["scipy.linalg"].cython_blas is sys.modules["scipy.linalg.cython_blas"]
ffi = cffi.FFI()
ffi.cdef("int abs(int);")
seen["cffi"] = ffi.dlopen(None).abs(-3)
seen["asyncio"] = asyncio.run(asyncio.sleep(0, result="slept"))
seen["yaml"] = yaml.safe_load("a: 1")
print(json.dumps(seen))
"""
"""A small run, what it loaded, then the deferred modules used as their users would."""


def test_a_run_defers_unused_library_parts_that_still_work_when_used(tmp_path):
    status, _ = imported_by(tmp_path, "run", BASELINE, "--users", "100", "--days", "1",
                            "--quiet", "--out", "first")  # keeps the amounts' fits (stored_fits)
    assert status == 0
    result = subprocess.run([sys.executable, "-c", RUN_AND_USE_MESA, BASELINE], cwd=tmp_path,
                            capture_output=True, text=True, check=True, timeout=300)
    seen = json.loads(result.stdout)
    assert seen["status"] == 0
    assert not seen["kdtree"]  # scipy.spatial (through mesa.experimental) never ran
    assert not seen["tracker"]  # no resource-tracker process for tqdm's lock
    assert seen["unused"] == []  # pycparser, asyncio, yaml (numba, mesa's tqdm) never ran
    # numba's BLAS check loaded cython_blas, but no code of scipy.linalg itself ran, and
    # the fits were read, not computed with scipy.optimize and scipy.special
    assert seen["scipy"] == ["scipy.linalg.cython_blas"]
    assert seen["devs"] == "ABMSimulator"
    assert seen["space"] == "mesa.experimental.continuous_space.continuous_space"
    assert seen["tree"] == 1
    assert seen["solve"] == [2.0] and seen["blas"]
    assert seen["cffi"] == 3 and seen["asyncio"] == "slept" and seen["yaml"] == {"a": 1}
    assert "leaked" not in result.stderr


def test_importing_the_package_leaves_other_libraries_imports_alone(tmp_path):
    code = ("import sys, simfraud, simfraud.model.fraud_model\n"
            "from simfraud.core.deferred_imports import DeferringFinder\n"
            "print(any(isinstance(f, DeferringFinder) for f in sys.meta_path),\n"
            "      'scipy.spatial._kdtree' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                            text=True, check=True, timeout=300)
    assert result.stdout.split() == ["False", "True"]  # mesa imported as it always is


IMPORT_CHILD_OF_DEFERRED = """
import builtins, json, sys
sys.path.insert(0, sys.argv[1])
from simfraud.core import deferred_imports
deferred_imports.DEFERRED = deferred_imports.DEFERRED | {"pkg"}
deferred_imports.defer_unused_imports()
import pkg  # deferred: its code has not run
before = getattr(builtins, "child_runs", 0)
import pkg.child  # reads pkg.__path__: pkg's code runs and imports pkg.child itself
print(json.dumps([before, builtins.child_runs, sys.modules["pkg.child"] is pkg.child,
                  pkg.child.__spec__.origin.endswith("child.py"), pkg.RAN]))
"""


def test_a_child_its_deferred_package_imports_runs_once(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("import pkg.child\nRAN = 'package'\n")
    (package / "child.py").write_text(
        "import builtins\nbuiltins.child_runs = getattr(builtins, 'child_runs', 0) + 1\n")
    result = subprocess.run([sys.executable, "-c", IMPORT_CHILD_OF_DEFERRED, str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, check=True,
                            timeout=120)
    assert json.loads(result.stdout) == [0, 1, True, True, "package"]

