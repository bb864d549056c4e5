"""The performance suite: engines, the floor, memory, start-up and small runs, in one run.

    python -m benchmarks [--quick] [--repeats 3] [--write] [--only SECTION,...]

Figures (medians of ``--repeats`` runs), by section (``SECTIONS``):

* marginal ns per user-day of the columnar engine at 1e5, 1e6, 1e7 users and of the
  agent engine at 1e3, 1e4, 1e5 users: ``(T(d2) - T(d1)) / ((d2 - d1) N)``, so set-up
  and compilation are left out;
* the floor kernel (``benchmarks.floor``) at the same columnar sizes, and the model's
  ratio to it;
* the speed ratio between engines at the sizes both run (these three: ``engines``);
* ``memory``: peak memory per user, ``(peak RSS(N) - peak RSS(small)) / N`` in fresh
  processes;
* ``start``: cold and warm start, wall time from process start to the end of day 0 of a
  ``simfraud run`` with an empty and with a filled numba cache;
* ``whole-runs``: ns per user-day of whole one-replicate runs of 1e4 and 1e5 users x
  365 days, each in a fresh process as ``simfraud run`` makes them (set-up + simulate,
  and simulate alone; ``benchmarks.whole_runs``), and their ratio to the marginal figure
  at 1e6 users of the same suite run;
* ``cli``: warm wall and CPU time of ``simfraud --help``, ``validate``, ``schema``, ``info`` and
  a run of 100 users x 1 day, each in fresh processes (``benchmarks.cli_start``);
* ``experiments``: the efficiency of a 2-arm x 8-replicate ``simfraud compare`` at 10,000
  users x 365 days on one worker per core (``benchmarks.experiments``);
* ``replicates``: replicates per minute of 10,000 users x 365 days, in one process
  (``simfraud run --replicates 32``, in batches of 8) and on one worker per core (a 2 x 16
  compare, one run per task: too few runs to batch) (``benchmarks.replicates``).

``--write`` puts the tables and a scaling plot into ``docs/performance.md`` and
``docs/img/scaling.png`` (whole suite only). ``--quick`` runs tiny sizes only (what CI
runs: it proves the suite works and asserts nothing about speed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks.cli_start import cli_start_seconds
from benchmarks.experiments import compare_efficiency
from benchmarks.replicates import describe, replicates_per_minute
from benchmarks.whole_runs import whole_run_ns

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline.yaml"
START, END = "<!-- benchmark:start -->", "<!-- benchmark:end -->"


def _scenario(users: int, days: int):
    from simfraud.scenario.loader import load_scenario

    return load_scenario(SCENARIO, [f"population.users={users}", f"days={days}"])


def model_seconds(users: int, days: int, engine: str) -> float:
    """Wall time of ``days`` model days (model construction excluded)."""
    from simfraud.model import FraudModel

    model = FraudModel(_scenario(users, days), engine=engine)
    start = time.perf_counter()
    model.run(days)
    return time.perf_counter() - start


def floor_seconds(users: int, days: int) -> float:
    """Wall time of ``days`` floor-kernel days on a built population."""
    from benchmarks.floor import floor_day
    from simfraud.core.rng import day_key
    from simfraud.users.build import build_population
    from simfraud.users.engines import CHUNK

    columns = build_population(_scenario(users, 1), seed=1)
    acc = np.zeros((max(1, -(-users // CHUNK)), 1))
    start = time.perf_counter()
    for day in range(days):
        floor_day(columns, np.uint64(day_key(np.uint64(1), np.int64(day))), acc, CHUNK)
    return time.perf_counter() - start


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when the denominator was lost in timing noise (<= 0)."""
    return numerator / denominator if denominator > 0 else float("nan")


def marginal_ns(measure, users: int, days: tuple[int, int], repeats: int) -> float:
    """Median marginal nanoseconds per user-day of a timing function."""
    d1, d2 = days
    values = []
    for _ in range(repeats):
        t1, t2 = measure(users, d1), measure(users, d2)
        values.append(max(t2 - t1, 0.0) / ((d2 - d1) * users) * 1e9)
    return statistics.median(values)


# VmHWM, not ru_maxrss: the latter carries the parent's high-water mark across fork+exec.
_PEAK = """
import sys
from simfraud.model import FraudModel
from simfraud.scenario.loader import load_scenario
s = load_scenario(sys.argv[1], [f"population.users={sys.argv[2]}", "days=3"])
FraudModel(s).run(3)
status = open("/proc/self/status").read().split("\\n")
print(int(next(l for l in status if l.startswith("VmHWM:")).split()[1]) * 1024)
"""


def peak_rss(users: int) -> int:
    """Peak resident bytes of a fresh process that builds and runs ``users`` for 3 days."""
    out = subprocess.run([sys.executable, "-c", _PEAK, str(SCENARIO), str(users)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return int(out.stdout.strip().splitlines()[-1])


_START = """
import time, sys
t0 = float(sys.argv[2])
from simfraud import prefer_openmp
prefer_openmp()  # as the simfraud command
from simfraud.model import FraudModel
from simfraud.scenario.loader import load_scenario
FraudModel(load_scenario(sys.argv[1], ["population.users=1000", "days=1"])).run(1)
print(time.time() - t0)
"""


def start_seconds(cache_dir: str) -> float:
    """Seconds from process start to the end of day 0 with the given numba cache."""
    env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir}
    out = subprocess.run([sys.executable, "-c", _START, str(SCENARIO), repr(time.time())],
                         capture_output=True, text=True, check=True, cwd=ROOT, env=env)
    return float(out.stdout.strip().splitlines()[-1])


SECTIONS = ("engines", "memory", "start", "whole-runs", "cli", "experiments", "replicates")
"""Parts of the suite, in the order they run (``--only`` picks some)."""


def run_suite(quick: bool, repeats: int, sections: tuple[str, ...] = SECTIONS) -> dict:
    """Measure the ``sections`` asked for; returns a JSON-ready dict."""
    report: dict = {}
    if {"engines", "whole-runs"} & set(sections):
        model_seconds(2_000, 2, "columnar")  # compile or load the numba cache
    if "engines" in sections:
        _engines(report, quick, repeats)
    if "memory" in sections:
        small, large = (2_000, 100_000) if quick else (10_000, 2_000_000)
        base, big = peak_rss(small), peak_rss(large)
        report["bytes_per_user"] = (big - base) / (large - small)
        report["peak_rss"] = {small: base, large: big}
    if "start" in sections:
        with tempfile.TemporaryDirectory() as cache:
            report["cold_start"] = start_seconds(cache)
            report["warm_start"] = statistics.median(start_seconds(cache) for _ in range(3))
    if "whole-runs" in sections:
        _whole_runs(report, quick, repeats)
    if "cli" in sections:
        report["cli_start"] = cli_start_seconds(repeats)
        for label, seconds in report["cli_start"].items():
            print(f"{seconds['wall']:6.2f} s wall {seconds['cpu']:6.2f} s CPU  {label}",
                  flush=True)
    if "experiments" in sections:
        _experiments(report, quick, repeats)
    if "replicates" in sections:
        _replicates(report, quick)
    report.update(sections=list(sections), cpu_count=os.cpu_count(), repeats=repeats,
                  date=time.strftime("%Y-%m-%d"))
    return report


def _engines(report: dict, quick: bool, repeats: int) -> None:
    """Marginal ns per user-day of both engines and the floor, and the engines' ratio."""
    columnar_sizes = [20_000, 50_000] if quick else [100_000, 1_000_000, 10_000_000]
    agent_sizes = [300, 1_000] if quick else [1_000, 10_000, 100_000]
    days = (2, 4) if quick else (5, 25)
    agent_days = (1, 2) if quick else (1, 3)
    model_seconds(100, 2, "agents")
    floor_seconds(2_000, 2)
    report.update(columnar={}, floor={}, agents={})
    for n in columnar_sizes:
        report["columnar"][n] = marginal_ns(lambda u, d: model_seconds(u, d, "columnar"),
                                            n, days, repeats)
        report["floor"][n] = marginal_ns(floor_seconds, n, days, repeats)
        to_floor = ratio(report["columnar"][n], report["floor"][n])
        print(f"columnar {n:>11,}: {report['columnar'][n]:8.1f} ns/user-day; floor "
              f"{report['floor'][n]:6.1f}; ratio {to_floor:.1f}", flush=True)
    for n in agent_sizes:
        report["agents"][n] = marginal_ns(lambda u, d: model_seconds(u, d, "agents"), n,
                                          agent_days, 1 if n >= 100_000 else repeats)
        print(f"agents   {n:>11,}: {report['agents'][n]:8.1f} ns/user-day", flush=True)
    for n in agent_sizes:
        if n not in report["columnar"]:
            report["columnar"][n] = marginal_ns(
                lambda u, d: model_seconds(u, d, "columnar"), n, days, repeats)
    report["ratio"] = {n: ratio(report["agents"][n], report["columnar"][n]) for n in agent_sizes}


def _whole_runs(report: dict, quick: bool, repeats: int) -> None:
    """ns per user-day of whole runs at 1e4 and 1e5 users against the marginal at 1e6.

    The marginal figure is the engines section's when it ran, else measured here.
    """
    sizes, days = ((2_000, 5_000), 5) if quick else ((10_000, 100_000), 365)
    reference = 50_000 if quick else 1_000_000
    marginal = report.get("columnar", {}).get(reference)
    if marginal is None:
        marginal = marginal_ns(lambda u, d: model_seconds(u, d, "columnar"), reference,
                               (2, 4) if quick else (5, 25), repeats)
    report["whole_runs"] = {"marginal_users": reference, "marginal": marginal, "runs": {}}
    for n in sizes:
        run = whole_run_ns(n, days, repeats)
        run["ratio"] = ratio(run["setup_and_simulate"], marginal)
        run["simulate_ratio"] = ratio(run["simulate"], marginal)
        run["warm_ratio"] = ratio(run["warm"], marginal)
        report["whole_runs"]["runs"][n] = run
        print(f"whole run {n:>10,} x {days} days: set-up {run['setup_seconds']:.2f} s; "
              f"{run['setup_and_simulate']:7.1f} ns/user-day (simulate {run['simulate']:.1f}; "
              f"warm {run['warm']:.1f}); {run['ratio']:.1f}x ({run['simulate_ratio']:.1f}x; "
              f"warm {run['warm_ratio']:.1f}x) the marginal {marginal:.1f} at {reference:,}",
              flush=True)


def _experiments(report: dict, quick: bool, repeats: int) -> None:
    """Efficiency of a compare (the run with the median efficiency of ``repeats``)."""
    users, days, replicates = (1_000, 10, 2) if quick else (10_000, 365, 8)
    workers = os.cpu_count() or 1
    runs = sorted((compare_efficiency(users, days, replicates, workers)
                   for _ in range(repeats)), key=lambda run: run["efficiency"])
    run = runs[len(runs) // 2]
    report["experiments"] = {"users": users, "days": days, "replicates": replicates, **run}
    print(f"compare 2 arms x {replicates} replicates, {users:,} users x {days} days, "
          f"{workers} workers: {run['wall']:.1f} s wall, simulate {run['simulate']:.1f} s, "
          f"set-up {run['setup']:.1f} s; efficiency {run['efficiency']:.0%} "
          f"(in runs {run['busy']:.0%})", flush=True)


def _replicates(report: dict, quick: bool) -> None:
    """Replicates per minute in one process and on the workers."""
    users, days, replicates = (1_000, 10, 4) if quick else (10_000, 365, 32)
    ways = replicates_per_minute(users, days, replicates)
    report["replicates"] = {"users": users, "days": days, "ways": ways}
    for way, figures in ways.items():
        print(describe(way, figures, users, days), flush=True)


def markdown(report: dict) -> str:
    """The report as Markdown tables (the sections it holds)."""
    parts = []
    if "columnar" in report:
        parts.append(_engines_markdown(report))
    figures = _figures_markdown(report)
    if figures:
        parts.append("\n".join(["| figure | value |", "| --- | ---: |", *figures]))
    if "whole_runs" in report:
        parts.append(_whole_runs_markdown(report["whole_runs"]))
    if "cli_start" in report:
        parts.append("\n".join(
            ["| command (warm) | wall time | CPU time |", "| --- | ---: | ---: |"] + [
                f"| `{label}` | {seconds['wall']:.2f} s | {seconds['cpu']:.2f} s |"
                for label, seconds in report["cli_start"].items()]))
    if "experiments" in report:
        e = report["experiments"]
        parts.append("\n".join([
            "| compare (fresh process) | wall | simulate, summed | set-up, summed "
            "| efficiency | in runs |", "| --- | ---: | ---: | ---: | ---: | ---: |",
            f"| 2 arms x {e['replicates']} replicates, {e['users']:,} users x {e['days']} days, "
            f"{e['workers']} workers | {e['wall']:.1f} s | {e['simulate']:.1f} s "
            f"| {e['setup']:.1f} s | {e['efficiency']:.0%} | {e['busy']:.0%} |"]))
    if "replicates" in report:
        parts.append(_replicates_markdown(report["replicates"]))
    return "\n\n".join(parts)


def _replicates_markdown(replicates: dict) -> str:
    lines = [f"| replicates of {replicates['users']:,} users x {replicates['days']} days "
             "| replicates | wall | per minute |", "| --- | ---: | ---: | ---: |"]
    for way, figures in replicates["ways"].items():
        where = ("one process (`simfraud run --replicates`)" if way == "run"
                 else f"{figures['workers']} workers (`simfraud compare`, 2 arms)")
        lines.append(f"| {where} | {figures['replicates']} | {figures['wall']:.1f} s "
                     f"| {figures['per_minute']:.0f} |")
    return "\n".join(lines)


def _engines_markdown(report: dict) -> str:
    lines = ["| engine | users | marginal ns per user-day | floor | model / floor |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for n, ns in sorted(report["columnar"].items(), key=lambda kv: int(kv[0])):
        floor = report["floor"].get(n)
        extra = f"{floor:.1f} | {ns / floor:.1f}" if floor else "| "
        lines.append(f"| columnar | {int(n):,} | {ns:.1f} | {extra} |")
    for n, ns in sorted(report["agents"].items(), key=lambda kv: int(kv[0])):
        lines.append(f"| agents | {int(n):,} | {ns:,.0f} | | |")
    return "\n".join(lines)


def _figures_markdown(report: dict) -> list[str]:
    lines = [f"| agents / columnar at {int(n):,} users | {speedup:,.0f}x |"
             for n, speedup in sorted(report.get("ratio", {}).items(), key=lambda kv: int(kv[0]))]
    if "bytes_per_user" in report:
        lines.append(f"| peak memory per user | {report['bytes_per_user']:.0f} bytes |")
    if "cold_start" in report:
        lines += [f"| cold start to the end of day 0 (empty numba cache) | "
                  f"{report['cold_start']:.1f} s |",
                  f"| warm start to the end of day 0 | {report['warm_start']:.2f} s |"]
    return lines


def _whole_runs_markdown(whole: dict) -> str:
    reference = int(whole["marginal_users"])
    lines = ["| whole run (fresh process) | set-up | set-up + simulate, ns per user-day "
             "| simulate alone | next run in the process (warm) "
             f"| / marginal at {reference:,} ({whole['marginal']:.1f} ns) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for n, run in sorted(whole["runs"].items(), key=lambda kv: int(kv[0])):
        warm = run.get("warm", float("nan"))  # absent from reports saved before stop 20
        lines.append(f"| {int(n):,} users x {run['days']} days | {run['setup_seconds']:.2f} s "
                     f"| {run['setup_and_simulate']:.1f} | {run['simulate']:.1f} | {warm:.1f} "
                     f"| {run['ratio']:.1f}x ({run['simulate_ratio']:.1f}x simulate alone; "
                     f"{run.get('warm_ratio', float('nan')):.1f}x warm) |")
    return "\n".join(lines)


def plot(report: dict, path: Path) -> None:
    """Scaling plot: ns per user-day against users, both engines and the floor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4.2))
    for key, label, style in (("columnar", "columnar engine", "o-"),
                              ("floor", "floor kernel", "s--"),
                              ("agents", "agent engine", "^-")):
        points = sorted((int(n), v) for n, v in report[key].items())
        ax.plot([p[0] for p in points], [p[1] for p in points], style, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("users")
    ax.set_ylabel("marginal ns per user-day")
    ax.set_title(f"simfraud scaling ({report['cpu_count']} cores)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def write_docs(report: dict) -> None:
    """Replace the benchmark section of docs/performance.md and redraw the plot."""
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text()
    repeats, date = report.get("repeats", 3), report.get("date", "an unrecorded date")
    block = (f"{START}\n_Measured by `python -m benchmarks --repeats {repeats}` on {date}, "
             f"{report['cpu_count']} cores (medians of {repeats} runs)._\n\n"
             f"{markdown(report)}\n\n![scaling](img/scaling.png)\n{END}")
    if START in text:
        text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
    else:
        text = text.rstrip() + "\n\n## Benchmark suite\n\n" + block + "\n"
    doc.write_text(text)
    plot(report, ROOT / "docs" / "img" / "scaling.png")


def _sections(text: str) -> tuple[str, ...]:
    """``--only``'s value: known section names, run in the suite's order."""
    asked = {name.strip() for name in text.split(",")}
    unknown = sorted(asked - set(SECTIONS))
    if unknown or not asked:
        raise argparse.ArgumentTypeError(f"unknown section(s) {', '.join(unknown)} "
                                         f"(allowed: {', '.join(SECTIONS)})")
    return tuple(name for name in SECTIONS if name in asked)


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks`` and ``simfraud bench``."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description="simfraud performance suite")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (CI)")
    parser.add_argument("--repeats", type=int, default=3, choices=range(1, 101),
                        metavar="1-100")
    parser.add_argument("--write", action="store_true",
                        help="write docs/performance.md and docs/img/scaling.png")
    parser.add_argument("--json", help="also save the figures as JSON here")
    parser.add_argument("--from-json", metavar="PATH",
                        help="measure nothing: report (and with --write, write) a saved JSON")
    parser.add_argument("--only", type=_sections, default=SECTIONS,
                        metavar=",".join(SECTIONS),
                        help="run only these sections (comma-separated; not with --write)")
    args = parser.parse_args(argv)
    if args.write and args.only != SECTIONS:
        parser.error("--write rewrites every figure of docs/performance.md: run the whole "
                     "suite (no --only)")
    if args.from_json:
        report = json.loads(Path(args.from_json).read_text())
    else:
        report = run_suite(args.quick, args.repeats, args.only)
    print(markdown(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    if args.write:
        write_docs(report)
    return 0
