"""An ``sql`` database through a real node and server: the node runs the task's query on a
SQLite file and the demo average (as a local process) computes on the result; a task without
a query, or with one the database rejects, fails its run with a log that says why."""

from __future__ import annotations

import pytest

from tests.functional.node.daemons import Running, write_ini
from tests.functional.node.test_node_lifecycle import fresh, server  # noqa: F401
from tests.unit.node.test_sql_loading import patients_sqlite
from vantage6.node.config import load_config
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime

IMAGE = "vantage6/demo-average"
PARTIAL = {"method": "partial_average", "kwargs": {"column_name": "age"}}
AGES = [41, 67, 23, 58]


@pytest.fixture
def node(server, tmp_path):  # noqa: F811
    """A node of a fresh collaboration with database ``warehouse``: a SQLite file."""
    store = patients_sqlite(tmp_path / "patients.sqlite", AGES)
    ids = fresh(server)
    databases = f"[databases]\nwarehouse = sql:sqlite:///{store}\n"
    config = load_config(write_ini(tmp_path / "node", server, ids["key"], databases))
    running = Running(config.path, ProcessRuntime(config, ALGORITHMS))  # built-in plugins
    running.wait_connected()
    yield ids, running
    running.stop()


def test_the_algorithm_averages_the_query_result(server, node):  # noqa: F811
    ids, running = node
    query = "SELECT age FROM patients WHERE site = 'a'"
    task = server.task(ids, IMAGE, PARTIAL, databases=[{"label": "warehouse", "query": query}])
    run = server.run_reaches(task, "completed", timeout=60)
    (result,) = server.results(task)
    assert result == {"sum": sum(AGES), "count": len(AGES)}
    assert result["sum"] / result["count"] == sum(AGES) / len(AGES)
    assert not (running.config.task_dir / f"run-{run['id']:09d}").exists()  # data went too


@pytest.mark.parametrize(
    ("request_", "says"),
    [
        ({}, "the task gives no query for it"),
        ({"query": "SELECT age FROM visits"}, "no such table: visits"),
    ],
)
def test_a_task_the_database_cannot_answer_fails_its_run(server, node, request_, says):  # noqa: F811
    ids, running = node
    task = server.task(ids, IMAGE, PARTIAL, databases=[{"label": "warehouse", **request_}])
    run = server.run_reaches(task, "failed", timeout=30)
    assert run["log"].startswith(f"database 'warehouse' (type sql): {says}")
    assert run["started_at"] is None
    assert running.thread.is_alive()
