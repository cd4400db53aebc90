"""No run lost or run twice when the node or the server is killed (SIGKILL) at any point of a
run's life, with the process runtime (see crashes.py); a run whose algorithm died with the node
is started again once, saying so, and fails when that is interrupted too; a report whose
answer was lost is sent again and taken as the same report."""

from __future__ import annotations

import logging
import os
import signal

import pytest
import requests

from tests.functional.node import crashes
from tests.functional.node.crashes import CASES, marking, run_through_a_crash
from tests.functional.node.daemons import Running, eventually, unplain, write_ini
from tests.functional.node.marker_node import IMAGE, PACKAGE
from tests.functional.node.test_node_lifecycle import fresh
from vantage6.node.config import load_config
from vantage6.node.daemon import INTERRUPTED
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime
from vantage6.node.server import ServerClient


@pytest.fixture(scope="module")
def server(node_server):
    return node_server


class Site(crashes.Site):
    """The node runs the algorithm as a local process, which marks each execution in a file."""

    module = "tests.functional.node.marker_node"
    image = IMAGE

    def __init__(self, server, folder, **node):
        super().__init__(server, folder, **node)
        self.marker = folder / "executions"

    def task(self, point: str) -> dict:
        return self.server.task(self.ids, self.image, marking(point, self.marker))

    def executions(self) -> list[int]:
        """The process id of each execution of the algorithm so far."""
        return (
            [int(line) for line in self.marker.read_text().split()] if self.marker.exists() else []
        )


@pytest.mark.parametrize("victim, point", CASES)
def test_a_run_completes_exactly_once_whoever_is_killed_wherever(server, tmp_path, victim, point):
    site = Site(server, tmp_path / "node")
    run = run_through_a_crash(site, victim, point)
    assert len(site.executions()) == 1
    result = unplain(server.ok("GET", f"/result/{run['id']}")["result"])
    assert result == {"slept": marking(point)["kwargs"]["seconds"]}


def interrupt(site: Site, task: dict | None = None) -> dict:
    """Kills the node while the task's algorithm runs, and the algorithm with it (as when the
    machine goes down); returns the task."""
    before = len(site.executions())
    node, flag = site.start_halting("running")
    task = task or site.task("running")
    eventually(flag.exists, 60, "the node halting while the algorithm runs")
    eventually(lambda: len(site.executions()) > before, 10, "the algorithm running")
    node.kill()
    pid = site.executions()[-1]
    os.killpg(os.getpgid(pid), signal.SIGKILL)
    eventually(lambda: _ended(pid), 10, "the algorithm gone")
    flag.unlink()
    return task


def _ended(pid: int) -> bool:
    """Whether the process ended (a zombie, which nobody reaped yet, has)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except FileNotFoundError:
        return True


def test_an_interrupted_run_is_started_once_more_and_says_so(server, tmp_path):
    site = Site(server, tmp_path / "node")
    task = interrupt(site)
    node = site.start_node()
    try:
        run = server.run_reaches(task, "completed", 60)
    finally:
        node.stop()
    assert len(site.executions()) == 2
    assert run["log"].startswith(f"{INTERRUPTED}. The node started it again (attempt 2).\n")
    assert server.results(task) == [{"slept": 3.0}]


@pytest.mark.parametrize("restarts", [1, 0])
def test_an_interruption_beyond_restart_interrupted_fails_the_run(server, tmp_path, restarts):
    site = Site(server, tmp_path / "node", restart_interrupted=restarts)
    task = interrupt(site)
    if restarts:
        interrupt(site, task)  # its restart is interrupted too
    node = site.start_node()
    try:
        run = server.run_reaches(task, "failed", 60)
    finally:
        node.stop()
    executions = restarts + 1
    assert len(site.executions()) == executions
    assert run["log"].endswith(
        f"{INTERRUPTED} (attempt {executions}). It is not started again ([node] "
        f"restart_interrupted = {restarts}); create a new task to run it again."
    )
    assert run["log"].count(INTERRUPTED) == executions


class LosingFirstReportAnswer(requests.Session):
    """The server gets the first report of a run's end, but its answer never arrives."""

    def __init__(self):
        super().__init__()
        self.lost = 0

    def request(self, method, url, **kwargs):
        answer = super().request(method, url, **kwargs)
        if method == "PATCH" and "finished_at" in (kwargs.get("json") or {}) and not self.lost:
            self.lost += 1
            raise requests.ConnectionError("connection reset while reading the answer")
        return answer


def test_a_report_whose_answer_was_lost_is_sent_again_and_taken_as_the_same(
    server, tmp_path, caplog
):
    caplog.set_level(logging.INFO, logger="vantage6")
    ids = fresh(server)
    config = load_config(write_ini(tmp_path / "node", server, ids["key"]))
    session = LosingFirstReportAnswer()
    node = Running(
        config.path,
        ProcessRuntime(config, {**ALGORITHMS, IMAGE: PACKAGE}),
        server=ServerClient(config.api_url, session=session),
    ).wait_connected()
    try:
        task = server.task(ids, IMAGE, marking("reported"))
        run = server.run_reaches(task, "completed")
        eventually(lambda: f"Run {run['id']} reported completed" in caplog.text, 20)
    finally:
        node.stop()
    assert session.lost == 1
    assert "finished at the server meanwhile" not in caplog.text
    assert server.results(task) == [{"slept": 0.2}]
