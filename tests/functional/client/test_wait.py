"""``client.wait_for_results``: woken by the server's websocket events when a node reports, or
polling the task status when the user may not receive events; a time limit; failures."""

from __future__ import annotations

import io
import logging
import threading
import time

import pytest

from tests.functional.client.conftest import PASSWORD, login, plain, unique
from vantage6.client import TaskFailed, TaskTimeout
from vantage6.client.wait import Progress

INPUT = {"method": "partial_average", "kwargs": {"column_name": "age"}}


def start_task(federation, client=None) -> tuple[int, int]:
    """A task for the peer organization; its id and the peer's run id."""
    client = client or federation["client"]
    peer = federation["peer"]
    task = client.task.create(
        collaboration=federation["collaboration"],
        organizations=[peer],
        name="avg",
        image="harbor2.vantage6.ai/demo/average",
        input=INPUT,
    )
    (run,) = federation["nodes"][peer].runs(task["id"])
    return task["id"], run["id"]


def later(seconds: float, work) -> threading.Thread:
    def act():
        time.sleep(seconds)
        work()

    thread = threading.Thread(target=act)
    thread.start()
    return thread


def test_an_event_wakes_the_wait_long_before_the_next_poll(federation, caplog):
    caplog.set_level(logging.INFO, "vantage6.client")
    task_id, run_id = start_task(federation)
    node = federation["nodes"][federation["peer"]]
    reporting = later(1, lambda: node.complete(run_id, plain({"sum": 5, "count": 2})))
    started = time.monotonic()
    # Polling would check again only after 60 s, past the time limit.
    results = federation["client"].wait_for_results(task_id, interval=60, timeout=20)
    reporting.join()
    assert time.monotonic() - started < 10
    assert results == {
        "data": [
            {
                "id": run_id,
                "result": {"sum": 5, "count": 2},
                "cleanup_at": None,
                "blob_storage_used": False,
                "run": {"id": run_id, "link": f"/api/run/{run_id}", "methods": ["GET", "PATCH"]},
                "task": {
                    "id": task_id,
                    "link": f"/api/task/{task_id}",
                    "methods": ["GET", "DELETE"],
                },
            }
        ]
    }
    assert "polling" not in caplog.text


def test_without_event_rights_the_status_is_polled(server, root, federation, caplog):
    caplog.set_level(logging.INFO, "vantage6.client")
    researcher = root.role.list(name="Researcher", field="id")[0]
    rules = [r["id"] for r in root.rule.list(role=researcher, per_page=100)["data"]]
    no_events = [
        r["id"] for r in root.rule.list(role=researcher, name="event", per_page=100)["data"]
    ]
    username = unique("poller")
    email = f"{username}@x.org"
    kept = [rule for rule in rules if rule not in no_events]
    root.user.create(username, None, None, PASSWORD, email, federation["own"], rules=kept)
    client = login(server, username, PASSWORD)
    task_id, run_id = start_task(federation, client)
    node = federation["nodes"][federation["peer"]]
    reporting = later(0.5, lambda: node.complete(run_id, plain([1, 2])))
    results = client.wait_for_results(task_id, interval=0.2, timeout=20)
    reporting.join()
    assert [r["result"] for r in results["data"]] == [[1, 2]]
    assert "The event socket was refused; polling the task status instead" in caplog.text


def test_a_task_that_does_not_finish_in_time_raises_timeout(federation):
    task_id, _ = start_task(federation)
    started = time.monotonic()
    with pytest.raises(TaskTimeout, match=f"task {task_id} is still 'pending' after waiting 1 s"):
        federation["client"].wait_for_results(task_id, timeout=1)
    assert time.monotonic() - started < 5


def test_a_failed_task_raises_with_its_status(federation):
    task_id, run_id = start_task(federation)
    federation["nodes"][federation["peer"]].report(run_id, status="crashed", log="Traceback ...")
    with pytest.raises(TaskFailed, match=f"task {task_id} did not complete: crashed") as info:
        federation["client"].wait_for_results(task_id, timeout=10)
    assert info.value.status == "crashed"
    assert federation["client"].run.get(run_id, field="log") == "Traceback ..."


def test_progress_is_one_line_that_is_rewritten():
    stream = io.StringIO()
    progress = Progress(7, enabled=True, stream=stream)
    progress.show("pending", "events")
    progress.show("active", "events")
    progress.done()
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.count("\r") == 2
    assert text.rstrip().endswith("Waiting for task 7 (events): active, 0 s")
    silent = io.StringIO()
    Progress(7, enabled=False, stream=silent).show("pending", "polling")
    assert silent.getvalue() == ""


def test_verbose_shows_progress_when_not_in_a_terminal(server, federation, capsys):
    client = login(server, federation["username"], PASSWORD, verbose=True)
    task_id, run_id = start_task(federation, client)
    federation["nodes"][federation["peer"]].complete(run_id, plain(1))
    client.wait_for_results(task_id, timeout=10)
    assert f"Waiting for task {task_id} (events): completed" in capsys.readouterr().err
