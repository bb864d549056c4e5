"""Local workers are forked from a server started early, with what a run needs imported."""

import os
import signal
import sys

import pytest

import simfraud
from simfraud.cli import main
from simfraud.experiments import dispatch, worker_server
from simfraud.experiments.dispatch import ExperimentError, dask_client


def _worker_state():
    import multiprocessing

    import simfraud

    return {"model imported": "simfraud.model.fraud_model" in sys.modules,
            "parent": os.getppid(), "sigint": signal.getsignal(signal.SIGINT),
            "start method": multiprocessing.get_start_method(),
            "simfraud": simfraud.__file__, "blas threads": os.environ.get("OPENBLAS_NUM_THREADS")}


@pytest.mark.skipif(worker_server.START_METHOD != "forkserver", reason="no forkserver here")
def test_local_workers_are_forked_from_the_server_with_the_model_imported():
    with dask_client(2, None) as client:
        states = list(client.run(_worker_state).values())
    assert len(states) == 2
    for state in states:
        assert state["model imported"]  # before any run: imported by the server
        assert state["parent"] != os.getpid()  # the server's child, not the command's
        assert state["sigint"] == signal.SIG_IGN  # a Ctrl-C reaches only the command
        assert state["start method"] == "spawn"  # numba then makes no named semaphore
        assert state["simfraud"] == simfraud.__file__  # the command's copy
        assert state["blas threads"] == os.environ.get("OPENBLAS_NUM_THREADS", "1")


def test_the_server_imports_along_the_commands_path_and_not_its_own_folder():
    variables = worker_server._server_environment()
    assert variables["PYTHONSAFEPATH"] == "1"  # no current folder put first
    assert variables["PYTHONPATH"].split(os.pathsep) == [p or os.getcwd() for p in sys.path]


def test_workers_running_other_simfraud_sources_are_refused(monkeypatch):
    monkeypatch.setattr(dispatch, "sources_digest", lambda: "not these sources")
    with pytest.raises(ExperimentError, match="start a new Python process"), \
            dask_client(2, None):
        pass


@pytest.mark.parametrize(("arguments", "started"), [
    (["sweep", "missing.yaml", "--grid", "days=5,6"], True),
    (["compare", "missing.yaml", "--arm", "a:days=5"], True),
    (["sweep", "missing.yaml", "--grid", "days=5,6", "--scheduler", "tcp://127.0.0.1:9"],
     False),
    (["validate", "missing.yaml"], False),
    (["run", "missing.yaml"], False),
    (["calibrate", "missing.yaml", "--workers", "1"], False),  # runs in the command
])
def test_experiments_on_local_workers_start_the_server_before_reading_scenarios(
        monkeypatch, tmp_path, arguments, started):
    calls = []
    monkeypatch.setattr(worker_server, "start_worker_server", lambda: calls.append(1))
    monkeypatch.chdir(tmp_path)
    assert main([*arguments, "--out", str(tmp_path / "out")] if arguments[0] != "validate"
                else arguments) == 2  # the missing file is reported after the start
    assert calls == ([1] if started else [])


def test_off_linux_the_workers_are_spawned_and_still_ignore_ctrl_c(monkeypatch):
    monkeypatch.setattr(worker_server, "START_METHOD", "spawn")
    monkeypatch.setattr(dispatch, "START_METHOD", "spawn")
    monkeypatch.setitem(dispatch.LOCAL_CLUSTER_CONFIG,
                        "distributed.worker.multiprocessing-method", "spawn")
    with dask_client(2, None) as client:
        states = list(client.run(_worker_state).values())
    assert len(states) == 2
    for state in states:
        assert state["parent"] == os.getpid()  # spawned by this process, no server
        assert state["sigint"] == signal.SIG_IGN  # started while SIGINT was ignored
        assert state["simfraud"] == simfraud.__file__
