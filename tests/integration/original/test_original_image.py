"""A mixed fleet: an algorithm image built with the ORIGINAL vantage6 4.x algorithm tools
(``vantage6-algorithm-tools==4.15.2`` from PyPI, in an image without pyarrow, as the original's
base image is; ``scripts/build-images`` builds it from node/images/original-tools-test) reads an
``sql`` database on our node. Our node runs the task's query itself and hands the run its result
as CSV (``DEFAULT_DATABASE_URI``, type ``csv``), which the original tools read with
``pandas.read_csv``; the parquet copy beside it, for our own tools, is something pandas in that
image cannot read (the original image once failed on it: "Unable to find a usable engine").
Run by the Docker runtime as our node runs it; skipped without Docker or the image, except in
CI."""

from __future__ import annotations

import json
import queue
import uuid

import pytest

from tests.integration.node.support import AGES, WaitingProxy, remove_node, token
from tests.integration.test_demo_image import engine_with
from tests.unit.node.test_sql_loading import patients_sqlite
from vantage6.algorithm import env
from vantage6.common.task_status import TaskStatus
from vantage6.node.config import Database, Limits, NodeConfig
from vantage6.node.daemon import node_plugins
from vantage6.node.data_loading import load_requested
from vantage6.node.runtime import RunSpec
from vantage6.node.runtime.docker import DockerRuntime

IMAGE = "vantage6/test-original-tools:latest"
INPUT = json.dumps({"method": "partial_sum", "kwargs": {"column": "age"}}).encode()
QUERY = "SELECT age FROM patients WHERE site = 'a'"  # the file holds one more row, at 'b'

# Run in the image on /data/<name>: how pandas fares reading it (the error, or the rows).
READ = (
    "import sys, pandas\n"
    "try:\n"
    "    frame = getattr(pandas, sys.argv[1])('/data/' + sys.argv[2])\n"
    "except ImportError as exc:\n"
    "    print('ImportError:', exc)\n"
    "else:\n"
    "    print('rows:', len(frame))\n"
)


@pytest.fixture(scope="module")
def engine():
    client = engine_with(IMAGE)
    yield client
    client.close()


@pytest.fixture
def node_config(tmp_path) -> NodeConfig:
    """A node whose only database is a SQLite file, configured as type ``sql``."""
    store = patients_sqlite(tmp_path / "patients.sqlite", AGES)
    return NodeConfig(
        name=f"test-{uuid.uuid4().hex[:10]}",
        path=tmp_path / "node.ini",
        server_url="http://localhost",
        port=None,
        api_path="/api",
        api_key="key",
        task_dir=tmp_path / "tasks",
        databases=(Database("default", "sql", f"sqlite:///{store}"),),
        pull="never",
        limits=Limits(cpus=1.0, memory="256m", pids=128),
    )


@pytest.fixture
def runtime(engine, node_config):
    proxy = WaitingProxy()
    runtime = DockerRuntime(node_config)
    runtime.prepare(proxy)
    yield runtime
    runtime.close()
    proxy.stop()
    remove_node(engine, node_config.name)


def read_in_image(engine, folder, reader: str, name: str) -> str:
    """What ``pandas.<reader>`` says in the image about ``folder/name``."""
    output = engine.containers.run(
        IMAGE,
        ["python", "-c", READ, reader, name],
        network_disabled=True,
        volumes={str(folder): {"bind": "/data", "mode": "ro"}},
        remove=True,
    )
    return output.decode().strip()


def test_the_original_tools_read_an_sql_database_as_the_csv_of_the_query_our_node_ran(
    engine, runtime, node_config, tmp_path
):
    requested = {"label": "default", "query": QUERY}
    loaded = load_requested(node_plugins(node_config), node_config, [requested])
    assert set(loaded) == {"default"}

    # What the image cannot do: read the parquet our node hands its own tools.
    (tmp_path / "result.parquet").write_bytes(loaded["default"])
    said = read_in_image(engine, tmp_path, "read_parquet", "result.parquet")
    assert said.startswith("ImportError: Unable to find a usable engine"), said

    outcomes = queue.Queue()
    runtime.watch(outcomes.put)
    runtime.start(RunSpec(1, 1, 1, IMAGE, INPUT, token(1), [requested], loaded))
    container = engine.containers.get(f"vantage6-{runtime.name}-run-1")
    variables = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    seen = [f"{name}={env.decode(value)}" for name, value in variables.items()]
    store = node_config.databases[0].uri.removeprefix("sqlite:///")
    assert not [item for item in seen if "sqlite" in item or store in item], seen
    assert env.decode(variables["DEFAULT_DATABASE_TYPE"]) == "csv"
    assert env.decode(variables["DEFAULT_DATABASE_URI"]) == "/mnt/run/data/default.csv"
    mounts = container.attrs["Mounts"]
    assert not [m for m in mounts if m["Source"] == store or "/mnt/data" in m["Destination"]]

    outcome = outcomes.get(timeout=60)
    runtime.discard(1)
    assert outcome.run_id == 1
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    # the original wrapper ran the 4.x package on the CSV: only the query's rows (site 'a')
    assert "wrapper for v6_sum_4x" in outcome.log, outcome.log
    assert "Using '/mnt/run/data/default.csv' with label 'default'" in outcome.log, outcome.log
    assert json.loads(outcome.output) == {"sum": sum(AGES), "count": len(AGES)}
