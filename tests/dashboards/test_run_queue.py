"""The Run page's queue: at most --max-runs runs at once, a bounded FIFO queue beyond."""

import json
from pathlib import Path

import pytest

from dashboards import run_queue as queue_module
from dashboards.app import create_app
from dashboards.run_queue import QueueFullError, RunQueue
from dashboards.slots import RunSlots

ROOT = Path(__file__).resolve().parents[2]


def test_runs_wait_in_order_and_start_as_slots_free(tmp_path):
    slots = RunSlots(tmp_path / "slots", 1)
    queue = RunQueue(slots, max_queued=2)
    with slots.claim() as busy:  # a run going on
        assert busy
        first, second = queue.join(), queue.join()
        assert (queue.position(first), queue.position(second)) == (1, 2)
        with pytest.raises(QueueFullError, match=r"--max-runs 1 --max-queued 2"):
            queue.join()
    assert queue.position(second) == 2  # first in, first out: the second waits
    assert queue.position(first) == 0  # admitted: its slot is promised to it
    assert queue.position(second) == 1
    with queue.start(first) as started:
        assert started and slots.held() == 1
        assert queue.position(second) == 1
    assert queue.position(second) == 0


def test_only_an_admitted_ticket_starts_a_run(tmp_path):
    queue = RunQueue(RunSlots(tmp_path / "slots", 1), max_queued=1)
    waiting = queue.join()
    for ticket in (None, ["x"], "forged", waiting):
        with queue.start(ticket) as started:
            assert not started
    assert not list((tmp_path / "slots").glob("started-*"))


def test_a_ticket_nobody_asks_about_leaves_the_queue(tmp_path, monkeypatch):
    slots = RunSlots(tmp_path / "slots", 1)
    queue = RunQueue(slots, max_queued=1)
    with slots.claim():
        ticket = queue.join()
        monkeypatch.setattr(queue_module, "STALE_AFTER", -1.0)
        with pytest.raises(KeyError):
            queue.position(ticket)
        monkeypatch.setattr(queue_module, "STALE_AFTER", 10.0)
        queue.join()  # its place is free again


def queue_request(trigger: str, ticket=None):
    outputs = [{"id": "run-ticket", "property": "data"}, {"id": "run-go", "property": "data"},
               {"id": "run-queue", "property": "children"},
               {"id": "run-poll", "property": "disabled"}]
    return {"output": "..run-ticket.data...run-go.data...run-queue.children"
                      "...run-poll.disabled..",
            "outputs": outputs,
            "inputs": [{"id": "run-start", "property": "n_clicks", "value": 1},
                       {"id": "run-poll", "property": "n_intervals", "value": 1}],
            "state": [{"id": "run-ticket", "property": "data", "value": ticket}],
            "changedPropIds": [trigger]}


def step(client, trigger, ticket=None) -> dict:
    response = client.post("/_dash-update-component", content_type="application/json",
                           data=json.dumps(queue_request(trigger, ticket)))
    assert response.status_code == 200
    return response.get_json()["response"]


def test_the_run_page_queues_beyond_the_limit_and_refuses_beyond_the_queue(tmp_path):
    app = create_app(tmp_path / "results", ROOT / "scenarios", cache=tmp_path / "cache",
                     max_runs=1, max_queued=1)
    client = app.server.test_client()
    assert client.get("/").status_code == 200  # registers the pages' callbacks
    with RunSlots(tmp_path / "cache" / "run-slots", 1).claim():  # a run going on
        queued = step(client, "run-start.n_clicks")
        ticket = queued["run-ticket"]["data"]
        assert "queued (position 1)" in json.dumps(queued["run-queue"])
        assert queued["run-poll"]["disabled"] is False and "run-go" not in queued
        again = step(client, "run-start.n_clicks", ticket)  # the same page clicks again
        assert again["run-ticket"]["data"] == ticket
        refused = step(client, "run-start.n_clicks")  # another page: the queue is full
        assert "--max-queued 1" in json.dumps(refused["run-queue"])
        assert step(client, "run-poll.n_intervals", ticket)["run-ticket"]["data"] == ticket
    started = step(client, "run-poll.n_intervals", ticket)  # the slot freed
    assert started["run-go"]["data"] == ticket and started["run-poll"]["disabled"] is True
    lost = step(client, "run-poll.n_intervals", "forged")
    assert "left the queue" in json.dumps(lost["run-queue"])
