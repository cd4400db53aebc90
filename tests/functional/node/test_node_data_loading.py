"""``vantage6_load_data`` through a real node and server: a plugin's DataFrame is what the
algorithm (the demo average, as a local process) reads; a failing plugin fails its run only;
without an answer the algorithm gets the database as configured."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from tests.functional.node.daemons import Running, write_ini
from tests.functional.node.test_node_lifecycle import fresh, server  # noqa: F401
from vantage6.node.config import load_config
from vantage6.node.daemon import node_plugins
from vantage6.node.runtime.process import ALGORITHMS, ProcessRuntime
from vantage6.plugins import hookimpl

IMAGE = "vantage6/demo-average"
PARTIAL = {"method": "partial_average", "kwargs": {"column_name": "age"}}
AGES = [41, 67, 23, 58]
DATABASES = """[databases]
warehouse = other:warehouse://ages
broken = other:warehouse://broken
unloaded = other:elsewhere://ages
"""


class WarehouseLoader:
    """Loads the ``warehouse://`` databases; ``broken`` fails as a lost connection would."""

    def __init__(self):
        self.asked: list[tuple[str, dict]] = []

    @hookimpl
    def vantage6_load_data(self, database, parameters):
        if not database.uri.startswith("warehouse://"):
            return None
        self.asked.append((database.label, parameters))
        if database.label == "broken":
            raise ConnectionError("warehouse://broken refused the connection")
        return pd.DataFrame({"age": AGES})


@pytest.fixture
def node(server, tmp_path):  # noqa: F811
    """A node of a fresh collaboration whose plugins include a WarehouseLoader."""
    ids = fresh(server)
    config = load_config(write_ini(tmp_path / "node", server, ids["key"], DATABASES))
    plugins = node_plugins(config)
    loader = WarehouseLoader()
    plugins.register(loader)
    running = Running(config.path, ProcessRuntime(config, ALGORITHMS), plugins)
    running.wait_connected()
    yield ids, running, loader
    running.stop()


def test_the_algorithm_reads_what_the_plugin_loaded(server, node):  # noqa: F811
    ids, running, loader = node
    databases = [{"label": "warehouse", "query": "SELECT age FROM patients"}]
    task = server.task(ids, IMAGE, PARTIAL, databases=databases)
    run = server.run_reaches(task, "completed", timeout=60)
    assert server.results(task) == [{"sum": sum(AGES), "count": len(AGES)}]
    assert loader.asked == [("warehouse", {"query": "SELECT age FROM patients"})]
    assert not (running.config.task_dir / f"run-{run['id']:09d}").exists()  # data went too


def test_a_failing_plugin_fails_its_run_only(server, node, caplog):  # noqa: F811
    caplog.set_level(logging.INFO, logger="vantage6")
    ids, running, _ = node
    failed = server.task(ids, IMAGE, PARTIAL, databases=[{"label": "broken"}])
    run = server.run_reaches(failed, "failed", timeout=30)
    assert run["log"] == (
        "database 'broken' (type other): the node's data loader failed (see the node's log)"
    )
    assert run["started_at"] is None
    assert "warehouse://broken refused the connection" in caplog.text  # for the node's owner
    assert running.thread.is_alive()
    after = server.task(ids, IMAGE, PARTIAL, databases=[{"label": "warehouse"}])
    server.run_reaches(after, "completed", timeout=60)


def test_without_an_answer_the_algorithm_gets_the_database_as_configured(server, node):  # noqa: F811
    ids, _, loader = node
    task = server.task(ids, IMAGE, PARTIAL, databases=[{"label": "unloaded"}])
    run = server.run_reaches(task, "crashed", timeout=60)
    assert "database 'unloaded' (elsewhere://ages): type 'other' is not supported yet" in run["log"]
    assert loader.asked == []
