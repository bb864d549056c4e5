"""Faults survived: full disk, corrupt files before resume, concurrent writers, failed runs.

Each case ends with a clear message and a documented exit code, never a traceback, and
never leaves a folder that looks complete but is not (docs/security.md).
"""

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from simfraud.cli import main
from simfraud.results import atomic, writer  # writer before any patch of atomic.fsync_file
from simfraud.results.lock import FolderLock
from simfraud.results.manifest import (
    MAX_RECORD_BYTES,
    ResultFolderError,
    read_manifest,
    verified,
)

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--users", "600", "--days", "15", "--quiet"]
GRID = ["--grid", "attackers.initial=5,10,15,20,25", "--workers", "1"]


@pytest.fixture
def scenario(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: tiny\ndays: 15\npopulation: {users: 600}\n")
    return path


def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in text, text
    return lines[0]


def test_a_full_disk_never_leaves_a_partial_experiment_json(scenario, tmp_path, monkeypatch,
                                                           capsys):
    out = tmp_path / "sw"
    sweep = ["sweep", str(scenario), "--out", str(out), *GRID, *TINY]
    monkeypatch.setattr(atomic, "fsync_file", no_space)  # the disk fills while writing
    assert main(sweep) == 2
    assert "No space left on device" in one_line(capsys.readouterr().err)
    assert not (out / "experiment.json").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]
    monkeypatch.undo()
    assert main(sweep) == 0
    marker = (out / "experiment.json").read_bytes()
    monkeypatch.setattr(atomic, "fsync_file", no_space)
    assert main([*sweep, "--resume"]) == 2
    assert (out / "experiment.json").read_bytes() == marker  # the old file, whole
    monkeypatch.undo()
    assert main([*sweep, "--resume"]) == 0


@pytest.mark.parametrize("content, problem", [
    (b"", "not valid JSON"), (b'{"kind": "sweep", "fing', "not valid JSON"),
    (b"[1, 2]", "a JSON list"), (b"\xff\xfe", "not valid JSON")])
def test_a_corrupt_experiment_json_is_a_clear_error(scenario, tmp_path, capsys, content,
                                                    problem):
    out = tmp_path / "sw"
    out.mkdir()
    (out / "experiment.json").write_bytes(content)
    assert main(["sweep", str(scenario), "--out", str(out), *GRID, *TINY, "--resume"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "experiment.json is corrupt" in line and problem in line


def test_a_full_disk_while_writing_a_run_keeps_the_earlier_result(scenario, tmp_path,
                                                                  monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), *TINY]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(writer, "fsync_file", no_space)  # staged files cannot be flushed
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--seed", "9"]) == 2
    assert "cannot write results" in one_line(capsys.readouterr().err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    monkeypatch.setattr(writer, "fsync_file", atomic.fsync_file)
    monkeypatch.setattr(writer, "write_text_atomic", no_space)  # the manifest cannot be written
    assert main(["run", str(scenario), "--out", str(out), *TINY, "--seed", "9"]) == 2
    assert not (out / "manifest.json").exists()  # visibly incomplete, never half-complete
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "s.yaml"]  # no staging, no lock


def test_the_manifest_records_sizes_and_hashes_that_verify(scenario, tmp_path):
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), *TINY]) == 0
    manifest = verified(out)
    assert set(manifest.files) == {"timeseries.parquet", "vectors.parquet", "summary.json",
                                   "scenario.yaml"}
    data = bytearray((out / "vectors.parquet").read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size, one byte flipped
    (out / "vectors.parquet").write_bytes(bytes(data))
    with pytest.raises(ResultFolderError, match=r"vectors\.parquet: contents differ"):
        verified(out)


def corrupt(folder: Path, how: str) -> None:
    """Damage one finished run the way a crash, a full disk or a bad copy would."""
    if how == "truncated parquet":
        with (folder / "timeseries.parquet").open("r+b") as handle:
            handle.truncate(100)
    elif how == "flipped byte":
        data = bytearray((folder / "vectors.parquet").read_bytes())
        data[-20] ^= 0x55
        (folder / "vectors.parquet").write_bytes(bytes(data))
    elif how == "truncated manifest":
        text = (folder / "manifest.json").read_text()
        (folder / "manifest.json").write_text(text[: len(text) // 2])
    elif how == "manifest is a list":
        (folder / "manifest.json").write_text("[]")
    elif how == "summary missing":
        (folder / "summary.json").unlink()


def test_resume_redoes_every_run_that_does_not_verify(scenario, tmp_path, capsys):
    out, fresh = tmp_path / "sw", tmp_path / "fresh"
    sweep = ["sweep", str(scenario), *GRID, *TINY]
    assert main([*sweep, "--out", str(out)]) == 0
    assert main([*sweep, "--out", str(fresh)]) == 0
    damage = ["truncated parquet", "flipped byte", "truncated manifest", "manifest is a list",
              "summary missing"]
    for point, how in enumerate(damage[:4]):
        corrupt(out / "runs" / f"p{point:04d}-r000", how)
    untouched = out / "runs" / "p0004-r000" / "manifest.json"
    stamp = untouched.stat().st_mtime_ns
    capsys.readouterr()
    assert main([*sweep, "--out", str(out), "--resume"]) == 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for point in range(4):
        assert f"run p{point:04d}-r000 does not verify and runs again" in err
    assert untouched.stat().st_mtime_ns == stamp  # the good run was not redone
    for run in sorted(p.name for p in (fresh / "runs").iterdir()):
        verified(out / "runs" / run)
        for name in ("timeseries.parquet", "vectors.parquet", "summary.json"):
            assert (out / "runs" / run / name).read_bytes() == (
                fresh / "runs" / run / name).read_bytes()
    corrupt(out / "runs" / "p0004-r000", "summary missing")
    assert main([*sweep, "--out", str(out), "--resume"]) == 0
    assert "run p0004-r000 does not verify" in capsys.readouterr().err
    assert (pd.read_parquet(out / "index.parquet")["status"] == "ok").all()


def test_compare_reports_failed_runs_and_resume_finishes_it(tmp_path, capsys):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("name: a\ndays: 15\npopulation: {users: 600}\n")
    b.write_text("extends: a.yaml\nname: b\nattackers: {initial: 40}\n")
    out = tmp_path / "cmp"
    (out / "runs").mkdir(parents=True)
    for run in ("s1-r000", "s1-r001"):
        (out / "runs" / run).write_text("in the way")  # these runs cannot write
    compare = ["compare", str(a), str(b), "--out", str(out), "--replicates", "2",
               "--workers", "1", "--quiet"]
    assert main(compare) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "KeyError" not in err and "IndexError" not in err
    lines = err.strip().splitlines()
    assert lines[:2] == [f"simfraud compare: run s1-r00{k} failed: {shown}" for k, shown in
                         enumerate(_errors(out))]
    assert "2 of 4 runs failed" in lines[2] and len(lines) == 3
    assert not (out / "report.html").exists()
    for run in ("s1-r000", "s1-r001"):
        (out / "runs" / run).unlink()
    corrupt(out / "runs" / "s0-r000", "flipped byte")
    assert main([*compare, "--resume"]) == 0
    assert "run s0-r000 does not verify" in capsys.readouterr().err
    assert (out / "report.html").exists() and (out / "differences.csv").exists()


def _errors(out: Path) -> list[str]:
    index = pd.read_parquet(out / "index.parquet").set_index("run_id")
    return [index.loc[run, "error"] for run in ("s1-r000", "s1-r001")]


def test_a_sweep_whose_runs_all_fail_exits_1_with_a_line_per_run(scenario, tmp_path, capsys):
    out = tmp_path / "sw"
    (out / "runs").mkdir(parents=True)
    for point in range(2):
        (out / "runs" / f"p{point:04d}-r000").write_text("in the way")
    assert main(["sweep", str(scenario), "--out", str(out), *GRID[:1],
                 "attackers.initial=5,10", *GRID[2:], *TINY]) == 1
    err = capsys.readouterr().err
    assert err.count("failed:") == 2 and "Traceback" not in err


HOLD = ("import sys, time\nfrom simfraud.results.lock import FolderLock\n"
        "FolderLock(sys.argv[1]).acquire()\nprint('held', flush=True)\ntime.sleep(120)\n")


def test_a_second_writer_is_refused_and_a_killed_holders_lock_is_taken_over(scenario,
                                                                          tmp_path, capsys):
    out = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(out)], cwd=ROOT,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        for command in (["run", str(scenario)], ["sweep", str(scenario), *GRID],
                        ["compare", str(scenario), str(scenario), "--replicates", "1",
                         "--workers", "1"]):
            assert main([*command, "--out", str(out), *TINY]) == 2
            line = one_line(capsys.readouterr().err)
            assert f"in use by another simfraud process (pid {holder.pid} since" in line
        assert not out.exists()  # the refused writers wrote nothing
    finally:
        holder.kill()  # SIGKILL: no clean-up in the holder
        holder.wait()
    assert (tmp_path / ".out.lock").exists()  # stale: its holder is gone
    assert main(["run", str(scenario), "--out", str(out), *TINY]) == 0
    assert not (tmp_path / ".out.lock").exists()


def test_a_lock_is_exclusive_within_a_process_too(tmp_path):
    with FolderLock(tmp_path / "x"), pytest.raises(Exception, match="in use"):
        FolderLock(tmp_path / "x").acquire()
    with FolderLock(tmp_path / "x"):  # released by the first block
        pass


@pytest.mark.parametrize("out, fragment", [
    ("x" * 6000, "cannot use this path (File name too long)"),
    ("x" * 300, "cannot use this path (File name too long)"),
    ("/", "give a folder below the file-system root"),
])
@pytest.mark.parametrize("command", ["run", "sweep", "calibrate"])
def test_unusable_out_paths_are_one_line_and_exit_2(scenario, tmp_path, monkeypatch, capsys,
                                                    command, out, fragment):
    monkeypatch.chdir(tmp_path)
    source = ROOT / "examples" / "calibration" / "uk-app" / "spec.yaml"
    first = [command, str(source)] if command == "calibrate" else [command, str(scenario)]
    extra = ["--users", "600"] if command == "calibrate" else TINY
    assert main([*first, "--out", out, *extra]) == 2
    line = one_line(capsys.readouterr().err)
    assert fragment in line and len(line) < 400
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]


@pytest.mark.parametrize("command", ["run", "sweep", "compare", "rerun", "calibrate"])
def test_an_empty_out_is_an_argument_error(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*[command, "a.yaml", "b.yaml"][:3 if command == "compare" else 2], "--out", ""])
    assert exit_info.value.code == 2
    assert "argument --out: must name a folder" in capsys.readouterr().err


@pytest.mark.parametrize("scheduler", ["bogus::", "http://", "tcp://[::1"])
def test_a_bad_scheduler_address_is_one_line_and_exit_2(scenario, tmp_path, capsys,
                                                        scheduler):
    assert main(["sweep", str(scenario), "--out", str(tmp_path / "sw"), "--scheduler",
                 scheduler, *TINY]) == 2
    assert f"--scheduler {scheduler}: cannot connect" in one_line(capsys.readouterr().err)


@pytest.mark.parametrize("manifest, fragment", [
    ('{"replicates": 2, "eng', "not valid JSON (line 1 column"),
    ("[1, 2]", "a JSON list, not an object"),
    ('{"replicates": "many"}', "replicates: Input should be a valid integer (got 'many')"),
    ('{"engine": "gpu"}', "engine: Input should be 'columnar' or 'agents'"),
    ('{"replicate": -1}', "replicate: Input should be greater than or equal to 0"),
    ('{"transactions": true}', "transactions: Input should be a valid number"),
    ('{"replicates": 5000}', "replicates: Input should be less than or equal to 1000 (got 5000)"),
    ('{"replicates": 2.0}', "replicates: Input should be a valid integer (got 2.0)"),
    ('{"users": 1000000000}', "users: Input should be less than or equal to 100000000"),
    ('{"days": 40000}', "days: Input should be less than or equal to 3650 (got 40000)"),
    ('{"days": "365"}', "days: Input should be a valid integer (got '365')"),
])
def test_rerun_of_a_malformed_manifest_is_one_located_line(scenario, tmp_path, capsys,
                                                           manifest, fragment):
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(scenario, source / "scenario.yaml")
    (source / "manifest.json").write_text(manifest)
    assert main(["rerun", str(source), "--out", str(tmp_path / "again")]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"simfraud rerun: {source / 'manifest.json'}: ") and fragment in line
    assert not (tmp_path / "again").exists()


def special_file(path: Path, kind: str) -> None:
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to("/dev/zero")
    else:
        path.write_text(" " * (MAX_RECORD_BYTES + 1))


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "huge"])
def test_records_that_would_block_or_never_end_are_refused(scenario, tmp_path, capsys, kind):
    """A FIFO manifest blocked rerun for ever; a link to /dev/zero grew it past 23 GB."""
    source = tmp_path / "src"
    source.mkdir()
    shutil.copy(scenario, source / "scenario.yaml")
    special_file(source / "manifest.json", kind)
    assert main(["rerun", str(source), "--out", str(tmp_path / "again")]) == 2
    line = one_line(capsys.readouterr().err)
    assert "manifest.json: cannot be read (" in line
    assert not (tmp_path / "again").exists()
    out = tmp_path / "exp"
    out.mkdir()
    special_file(out / "experiment.json", kind)
    assert main(["sweep", str(scenario), "--out", str(out), "--resume", *TINY, *GRID]) == 2
    assert "experiment.json is corrupt (cannot be read: " in one_line(capsys.readouterr().err)


def test_read_manifest_names_a_missing_manifest(tmp_path):
    with pytest.raises(ResultFolderError, match=r"manifest\.json: missing"):
        read_manifest(tmp_path)


def test_an_interrupted_atomic_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "t.json"
    target.write_text(json.dumps({"old": True}))

    def interrupted(path):
        raise KeyboardInterrupt

    original = atomic.fsync_file
    atomic.fsync_file = interrupted
    try:
        with pytest.raises(KeyboardInterrupt):
            atomic.write_text_atomic(target, "{}")
    finally:
        atomic.fsync_file = original
    assert json.loads(target.read_text()) == {"old": True}
    assert os.listdir(tmp_path) == ["t.json"]
