#!/usr/bin/env python3
"""Developer entry points that need only python3: they create .venv when it is missing.

    python3 tasks.py demo    compare UK fraud with and without the PSR refund mandate
    python3 tasks.py test    run the whole test suite
    python3 tasks.py lint    ruff

The environment is (re)installed when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
MARKER = VENV / ".simfraud-installed"


def ensure_env() -> None:
    """Create .venv and install the project with its test extras when needed."""
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if MARKER.exists() and MARKER.read_text().strip() == wanted:
        return
    if not (BIN / "python").exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    pip = [str(BIN / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    print("installing simfraud and its dependencies into .venv ...", flush=True)
    subprocess.run([*pip, "-e", f"{ROOT}[test]"], check=True, cwd=ROOT)
    MARKER.write_text(wanted)


def run(*command: str) -> int:
    """Run a command from the environment's bin folder, in the repository root."""
    return subprocess.run([str(BIN / command[0]), *command[1:]], cwd=ROOT).returncode


def demo() -> int:
    """The flagship comparison: UK APP fraud with and without the PSR refund mandate.

    ``--resume`` makes a second demo reuse the runs already in ``results/``.
    """
    return run("simfraud", "compare", "scenarios/uk-2024-no-mandate.yaml",
               "scenarios/uk-2024-psr.yaml", "--out", "results/uk-psr", "--users", "50000",
               "--replicates", "8", "--resume")


def ensure_browser() -> None:
    """Install Debian's Chromium and ChromeDriver for the browser tests when missing."""
    if shutil.which("chromium") and shutil.which("chromedriver"):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        print("installing chromium and chromium-driver for the browser tests ...", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "chromium-driver"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
    else:
        sys.exit("the browser tests need chromium and chromedriver on PATH "
                 "(Debian: apt-get install chromium chromium-driver)")


def test() -> int:
    """The whole test suite, browser tests included, on every core (pytest-xdist)."""
    ensure_browser()
    return run("python", "-m", "pytest", "-q", "-n", "auto")


def lint() -> int:
    """Ruff over the repository."""
    return run("ruff", "check", ".")


def main() -> int:
    """Dispatch ``python3 tasks.py TASK``."""
    tasks = {"demo": demo, "test": test, "lint": lint}
    if len(sys.argv) != 2 or sys.argv[1] not in tasks:
        print(__doc__)
        return 2
    ensure_env()
    return tasks[sys.argv[1]]()


if __name__ == "__main__":
    sys.exit(main())
