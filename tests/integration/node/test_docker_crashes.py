"""No run lost or run twice when the node or the server is killed (SIGKILL) at any point of a
run's life, with the Docker runtime (see tests/functional/node/crashes.py); a run whose
container was removed while the node was down is started again once, saying so.

The algorithm cannot write outside its container, so the engine counts its executions: each
is a start of a container of the run."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest

from tests.functional.node import crashes
from tests.functional.node.crashes import CASES, marking, run_through_a_crash
from tests.functional.node.daemons import eventually, unplain
from tests.integration.node.support import remove_node
from vantage6.node.daemon import INTERRUPTED

MARKER = Path(__file__).resolve().parents[2] / "functional" / "node" / "marker"
IMAGE = "vantage6-test/marker:latest"


@pytest.fixture(scope="module")
def server(node_server):
    return node_server


@pytest.fixture(scope="module")
def image(engine):
    """The marking algorithm on the local base image (one more layer of one file: quick)."""
    engine.images.build(path=str(MARKER), tag=IMAGE, rm=True)
    return IMAGE


class Site(crashes.Site):
    """The node runs the algorithm in containers; the engine's events count them."""

    image = IMAGE

    def __init__(self, server, engine, folder):
        self.name = f"crash-{uuid.uuid4().hex[:8]}"
        extra = "[docker]\npull = never\n"
        super().__init__(server, folder, extra, name=self.name, runtime="docker")
        self.engine = engine
        self.since = int(time.time())

    def executions(self, run_id: int) -> int:
        """How often the engine started a container of the run."""
        filters = {
            "type": "container",
            "event": "start",
            "label": [f"vantage6-node={self.name}", f"vantage6-run={run_id}"],
        }
        until = int(time.time()) + 1
        return sum(1 for _ in self.engine.events(since=self.since, until=until, filters=filters))

    def container(self, run_id: int):
        return self.engine.containers.get(f"vantage6-{self.name}-run-{run_id}")


@pytest.fixture
def site(server, engine, image, tmp_path):
    site = Site(server, engine, tmp_path / "node")
    yield site
    remove_node(engine, site.name)


@pytest.mark.parametrize("victim, point", CASES)
def test_a_run_completes_exactly_once_whoever_is_killed_wherever(server, site, victim, point):
    run = run_through_a_crash(site, victim, point)
    assert site.executions(run["id"]) == 1
    result = unplain(server.ok("GET", f"/result/{run['id']}")["result"])
    assert result == {"slept": marking(point)["kwargs"]["seconds"]}


def test_a_run_whose_container_was_removed_meanwhile_is_started_once_more(server, site):
    node, flag = site.start_halting("running")
    task = site.task("running")
    eventually(flag.exists, 60, "the node halting while the algorithm runs")
    node.kill()
    run_id = server.run_of(task)["id"]
    site.container(run_id).remove(force=True)
    node = site.start_node()
    try:
        run = server.run_reaches(task, "completed", 90)
    finally:
        node.stop()
    assert site.executions(run_id) == 2
    assert run["log"].startswith(f"{INTERRUPTED}. The node started it again (attempt 2).\n")
