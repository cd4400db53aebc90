"""The node and studies, against a real ``pserve``: a run of a task for a study goes ahead only
when the node's organization is in the study (the original's nodes did not check, issue #812).

The server refuses a task for organizations outside its study, so the node meets one when
an organization leaves the study between the task's creation and the start of its run; the
node learns the task's study from the task (``study``) and who is in it from the server."""

from __future__ import annotations

import pytest

from tests.functional.node.daemons import Running, write_ini
from vantage6.node.config import load_config
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime

TEST_ALGORITHMS = {**ALGORITHMS, "test/json": ("json", None)}
LOADS = {"method": "loads", "args": ['{"answer": 42}']}


@pytest.fixture(scope="module")
def server(node_server):
    return node_server


@pytest.fixture
def start_node(tmp_path):
    started = []

    def start(server, api_key: str) -> Running:
        config = load_config(write_ini(tmp_path / f"node-{len(started)}", server, api_key))
        running = Running(config.path, ProcessRuntime(config, TEST_ALGORITHMS))
        started.append(running)
        return running.wait_connected()

    yield start
    for running in started:
        if running.thread.is_alive():
            running.stop()


@pytest.fixture
def ids(server) -> dict:
    """A collaboration of root's organization and org (with a node), and a study of it in
    which org is."""
    ids = server.collaboration(1)
    body = {"name": f"study-{ids['collab']}", "collaboration_id": ids["collab"]}
    body["organization_ids"] = [ids["orgs"][0]]
    ids["study"] = server.ok("POST", "/study", body)["id"]
    return ids


def test_a_run_for_a_study_of_the_nodes_organization_goes_ahead(server, start_node, ids):
    start_node(server, ids["keys"][0])
    task = server.task(ids, "test/json", LOADS, study_id=ids["study"])
    assert task["study"]["id"] == ids["study"]
    server.run_reaches(task, "completed")
    assert server.results(task) == [{"answer": 42}]


def test_a_run_for_a_study_the_organization_left_is_not_allowed(server, start_node, ids):
    organization = ids["orgs"][0]
    task = server.task(ids, "test/json", LOADS, study_id=ids["study"])
    server.ok("DELETE", f"/study/{ids['study']}/organization", {"id": organization})
    start_node(server, ids["keys"][0])
    run = server.run_reaches(task, "not allowed")
    assert run["log"] == (
        f"this node's organization {organization} is not in study {ids['study']}, which the "
        "task is for"
    )
    assert run["started_at"] is None
