"""Node runtime tests against the real Docker engine and the local demo image
(``scripts/build-images``). Each test gets a node of its own name, so its containers, volumes
and network are found (and removed) by label; nothing is built here."""

from __future__ import annotations

import uuid

import pandas as pd
import pytest

from tests.integration.node.support import AGES, IMAGE, WaitingProxy, remove_node
from tests.integration.test_demo_image import engine_with
from vantage6.node.config import Database, Limits, NodeConfig
from vantage6.node.runtime.docker import DockerRuntime


@pytest.fixture(scope="session")
def engine():
    client = engine_with(IMAGE)
    yield client
    client.close()


@pytest.fixture
def node_config(tmp_path) -> NodeConfig:
    database = tmp_path / "ages.csv"
    pd.DataFrame({"age": AGES}).to_csv(database, index=False)
    return NodeConfig(
        name=f"test-{uuid.uuid4().hex[:10]}",
        path=tmp_path / "node.ini",
        server_url="http://localhost",
        port=None,
        api_path="/api",
        api_key="key",
        task_dir=tmp_path / "tasks",
        databases=(Database("default", "csv", str(database)),),
        pull="never",
        algorithm_env={"player": "Alice", "HOST": "http://evil.example.org"},
        limits=Limits(cpus=1.0, memory="256m", pids=128),
    )


@pytest.fixture
def proxy():
    """A stand-in node proxy, serving on the gateways the runtime opens."""
    proxy = WaitingProxy()
    yield proxy
    proxy.stop()


@pytest.fixture
def make_runtime(engine, node_config):
    """New DockerRuntimes of the test's node (several stand for restarts of the node)."""
    runtimes = []

    def make(config: NodeConfig = node_config) -> DockerRuntime:
        runtimes.append(DockerRuntime(config))
        return runtimes[-1]

    yield make
    for runtime in runtimes:
        runtime.close()
    remove_node(engine, node_config.name)


@pytest.fixture
def runtime(make_runtime, proxy) -> DockerRuntime:
    runtime = make_runtime()
    runtime.prepare(proxy)
    return runtime
