"""Local workers are forked from a server started early, with what a run needs imported."""

import os
import signal
import sys

import pytest

from simfraud.cli import main
from simfraud.experiments import worker_server
from simfraud.experiments.dispatch import dask_client


def _worker_state():
    import multiprocessing

    return {"model imported": "simfraud.model.fraud_model" in sys.modules,
            "parent": os.getppid(), "sigint": signal.getsignal(signal.SIGINT),
            "start method": multiprocessing.get_start_method()}


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


@pytest.mark.parametrize(("arguments", "started"), [
    (["sweep", "missing.yaml", "--grid", "days=5,6"], True),
    (["compare", "missing.yaml", "--arm", "a:days=5"], True),
    (["sweep", "missing.yaml", "--grid", "days=5,6", "--scheduler", "tcp://127.0.0.1:9"],
     False),
    (["validate", "missing.yaml"], False),
    (["run", "missing.yaml"], False),
])
def test_experiments_on_local_workers_start_the_server_before_reading_scenarios(
        monkeypatch, tmp_path, arguments, started):
    calls = []
    monkeypatch.setattr(worker_server, "start_worker_server", lambda: calls.append(1))
    monkeypatch.chdir(tmp_path)
    assert main([*arguments, "--out", str(tmp_path / "out")] if arguments[0] != "validate"
                else arguments) == 2  # the missing file is reported after the start
    assert calls == ([1] if started else [])
