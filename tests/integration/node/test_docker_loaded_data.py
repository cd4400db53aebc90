"""A database a node plugin loaded reaches the algorithm in its container: the parquet file in
the run's folder replaces the configured database, of which nothing is mounted."""

from __future__ import annotations

import io
import json
import queue
from dataclasses import replace

import pandas as pd

from tests.integration.node.support import partial
from vantage6.common.task_status import TaskStatus
from vantage6.node.config import Database

LOADED_AGES = [30, 50, 70]


def parquet(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer)
    return buffer.getvalue()


def test_the_container_reads_the_loaded_database(make_runtime, node_config, engine, proxy):
    config = replace(node_config, databases=(Database("default", "other", "warehouse://ages"),))
    runtime = make_runtime(config)
    runtime.prepare(proxy)
    outcomes = queue.Queue()
    runtime.watch(outcomes.put)
    runtime.start(
        replace(partial(1), loaded={"default": parquet(pd.DataFrame({"age": LOADED_AGES}))})
    )
    container = engine.containers.get(f"vantage6-{runtime.name}-run-1")
    assert all(
        m["Destination"] != "/mnt/data" and not m["Destination"].startswith("/mnt/data/")
        for m in container.attrs["Mounts"]
    )
    outcome = outcomes.get(timeout=60)
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": sum(LOADED_AGES), "count": len(LOADED_AGES)}
