"""Fuzz the scenario loader with mutated scenario files; print what went wrong.

    python -m benchmarks.fuzz_scenarios [--count 600] [--seed 1] [--timeout 20]

Every shipped scenario and every file of the test corpus (valid, broken and support) is
a source (shipped and valid ones three times in four). Half of the ``--count`` mutants
get one value replaced by a typing trap (``yes``, ``NO``, ``"365"``, ``.inf``, ``1e400``,
a number past int64, ``0o17``, a bad date...), so that many still load; the others get
one to four mutations: text deleted, inserted, duplicated or swapped; a value replaced
by a trap; a key renamed; an alias bomb, a self-referencing alias or 400 levels of
nesting inserted; a NUL byte, a 6,000-character ``extends:`` path, a ``%YAML 1.1``
directive or text over the size limit. Each mutant is written next to a copy of its
source's folder (so ``extends:`` still resolves) and loaded with ``load_scenario``.

It counts:

- **tracebacks**: any exception other than ``ScenarioError``;
- **bad messages**: a ``ScenarioError`` whose text is not one ``FILE:LINE:COL: path:
  message`` line per problem;
- **hangs**: a load that takes longer than ``--timeout`` seconds;
- **silent coercions**: a scenario that loads although a value changed type on the way
  in (an integer read for a number is not a change; text for a named value or an ISO
  date is not either).

The exit status is 1 when any count but "loaded" and "refused" is above zero. It takes a
few minutes; CI runs a smoke test of it (``tests/test_fuzz_script.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "scenario_corpus"
LINE = re.compile(r"^.+:\d+:\d+: .+: .+$")
TRAPS = ["yes", "no", "NO", "on", "off", "true", "false", '"365"', "'0.5'", ".inf", "-.inf",
         ".nan", "1e400", "99999999999999999999", "-1", "0o17", "0x1F", "1_000", "1e3",
         "2024-02-30", "2024-01-01", "~", "[]", "{}", "[1, 2]", "!!str 7", "!!binary aGk=",
         "&a [*a]", '"\\0"', "12:30", "0.0", "0.25", "0.1", "1.5", "2", "3", "5", "null"]
KEYS = ["userz", "days", "<<", "platforms", "type", "extends", "market_share", "bpcer"]


class HangError(Exception):
    """A load took longer than the timeout."""


def sources() -> list[Path]:
    """The files mutants are made from."""
    return sorted([*(ROOT / "scenarios").glob("*.yaml"), *CORPUS.glob("*/*.yaml")])


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or [""]


def _delete(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + text[at + rng.randint(1, 40):]


def _insert(rng: random.Random, text: str) -> str:
    at = rng.randrange(len(text) + 1)
    piece = "".join(rng.choice(":-!&*{}[],#|>?%@`'\"<=.\t\n abc019") for _ in range(8))
    return text[:at] + piece[: rng.randint(1, 8)] + text[at:]


def _duplicate(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    i = rng.randrange(len(lines))
    return "".join([*lines[: i + 1], lines[i] if lines[i].endswith("\n") else "\n",
                    *lines[i + 1:]])


def _swap(rng: random.Random, text: str) -> str:
    lines = _lines(text)
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


_VALUE = re.compile(r"^(\s*(?:- )?[A-Za-z_][\w.]*:) (\S.*)$", re.MULTILINE)
_KEY = re.compile(r"^(\s*(?:- )?)([A-Za-z_][\w.]*):", re.MULTILINE)


def _replace(rng: random.Random, text: str, pattern: re.Pattern, choices: list[str]) -> str:
    """Replace group 2 of one match of ``pattern`` by one of ``choices``."""
    found = list(pattern.finditer(text))
    if not found:
        return text
    match = rng.choice(found)
    return text[: match.start(2)] + rng.choice(choices) + text[match.end(2):]


def _trap(rng: random.Random, text: str) -> str:
    return _replace(rng, text, _VALUE, TRAPS)


def _rename(rng: random.Random, text: str) -> str:
    return _replace(rng, text, _KEY, KEYS)


def _hostile(rng: random.Random, text: str) -> str:
    bomb = "".join(f"{c}: &{c} [{', '.join([f'*{p}'] * 10)}]\n"
                   for p, c in zip("abcdef", "bcdefg", strict=True))
    pieces = [
        "bomb_a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + bomb,
        "description: &s [1, *s]\n",
        "description: " + "[" * 400 + "]" * 400 + "\n",
        "name: a\x00b\n",
        "extends: " + "x" * 6000 + ".yaml\n",
        'extends: "a\\0b.yaml"\n',
        "%YAML 1.1\n---\n",
        "description: " + "x" * 1_100_000 + "\n",
    ]
    piece = rng.choice(pieces)
    return piece + text if piece.startswith("%YAML") else text + piece


MUTATIONS: list[Callable[[random.Random, str], str]] = [
    _delete, _insert, _duplicate, _swap, _trap, _trap, _rename, _hostile]


def mutate(rng: random.Random, text: str) -> str:
    """One to four mutations of ``text``; half of the mutants get one typing trap only."""
    if rng.random() < 1 / 2:
        return _trap(rng, text)
    for _ in range(rng.randint(1, 4)):
        text = rng.choice(MUTATIONS)(rng, text)
    return text


def _same_kind(raw: Any, loaded: Any) -> bool:
    if raw is None or isinstance(raw, dict | list):
        return True
    if isinstance(loaded, float) and type(raw) is int:
        return True
    if isinstance(loaded, dt.date) and isinstance(raw, str):
        return True
    return type(raw) is type(loaded) or (isinstance(raw, str) and isinstance(loaded, str))


def coercions(raw: Any, loaded: Any, path: tuple = ()) -> list[str]:
    """Paths whose value changed type between the YAML and the validated scenario."""
    if path[:1] in (("sweep",), ("sensitivity",)) or path[-1:] == ("set",):
        return []  # values kept as given (judged where they apply)
    if isinstance(raw, dict) and isinstance(loaded, dict):
        return [p for key, value in raw.items() if key in loaded
                for p in coercions(value, loaded[key], (*path, key))]
    if isinstance(raw, list) and isinstance(loaded, list):
        return [p for i, (a, b) in enumerate(zip(raw, loaded, strict=False))
                for p in coercions(a, b, (*path, i))]
    if _same_kind(raw, loaded):
        return []
    return [f"{'.'.join(map(str, path))}: {raw!r} -> {loaded!r}"]


def check(path: Path, timeout: float) -> tuple[str, str]:
    """Load one file; the outcome and a detail."""
    from simfraud.scenario.loader import ScenarioError, load_scenario, resolve_extends

    def alarm(signum, frame):
        raise HangError

    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        scenario = load_scenario(path)
        changed = coercions(resolve_extends(path).data, scenario.model_dump())
        return ("silent coercion", changed[0]) if changed else ("loaded", "")
    except ScenarioError as err:
        lines = str(err).split("\n")
        good = len(lines) == len(err.problems) and all(LINE.match(x) for x in lines)
        return ("refused", "") if good else ("bad message", str(err)[:300])
    except HangError:
        return "hang", f"over {timeout} s"
    except Exception as exc:  # the thing being counted
        return "traceback", f"{type(exc).__name__}: {exc}"[:300]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def run(count: int, seed: int, timeout: float, keep: Path | None = None) -> Counter:
    """Make and load ``count`` mutants; print one line per problem and the counts."""
    rng = random.Random(seed)
    files = sources()
    outcomes: Counter = Counter()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for folder in ("scenarios", "valid", "broken", "support"):
            (work / folder).mkdir()
        for path in CORPUS.glob("support/*.yaml"):
            shutil.copy(path, work / "support" / path.name)
        shutil.copy(ROOT / "scenarios" / "baseline.yaml", work / "scenarios" / "baseline.yaml")
        loadable = [f for f in files if f.parent.name in ("scenarios", "valid")]
        for number in range(count):
            source = rng.choice(loadable if rng.random() < 0.75 else files)
            target = work / source.parent.name / f"m{number:04d}-{source.name}"
            text = source.read_text(encoding="utf-8", errors="surrogateescape")
            target.write_text(mutate(rng, text), encoding="utf-8", errors="surrogateescape")
            outcome, detail = check(target, timeout)
            outcomes[outcome] += 1
            if outcome not in ("loaded", "refused"):
                print(f"{outcome}: {target.name}: {detail}", flush=True)
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    shutil.copy(target, keep / target.name)
            target.unlink()
    seconds = time.perf_counter() - started
    print(f"{count} mutants of {len(files)} files (seed {seed}) in {seconds:.0f} s: "
          + ", ".join(f"{outcomes[k]} {k}" for k in
                      ("loaded", "refused", "traceback", "hang", "silent coercion",
                       "bad message")))
    return outcomes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fuzz_scenarios",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=600, help="mutants (default 600)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the mutations")
    parser.add_argument("--timeout", type=float, default=20.0,
                        help="seconds one load may take before it counts as a hang")
    parser.add_argument("--keep", type=Path, help="copy failing mutants into this folder")
    args = parser.parse_args(argv)
    outcomes = run(args.count, args.seed, args.timeout, args.keep)
    bad = sum(outcomes[k] for k in ("traceback", "hang", "silent coercion", "bad message"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
