"""The algorithm image loads the databases the node hands it: the demo's partial average over
an Excel sheet (openpyxl comes with the image, built by scripts/build-images), and over the
result of a SQL query that the node ran itself (the built-in sql loader): the container gets
a parquet file, never the database nor its URI. Run by the Docker runtime as a node configured
with those databases runs it."""

from __future__ import annotations

import json
import os
import queue
from dataclasses import replace

from tests.integration.node.support import AGES, IMAGE, token
from tests.unit.node.test_sql_loading import patients_sqlite
from vantage6.algorithm import env
from vantage6.common.task_status import TaskStatus
from vantage6.node.config import Database
from vantage6.node.daemon import node_plugins
from vantage6.node.data_loading import load_requested
from vantage6.node.runtime import RunSpec

PARTIAL = json.dumps({"method": "partial_average", "kwargs": {"column_name": "age"}}).encode()


def start_partial(runtime, proxy, requested: dict, run_id: int, loaded=None) -> queue.Queue:
    """Start the partial average (run ``run_id``) for a task asking for the database
    ``requested`` (its label and parameters); its outcome comes in the queue."""
    runtime.prepare(proxy)
    outcomes = queue.Queue()
    runtime.watch(outcomes.put)
    spec = RunSpec(run_id, 1, 1, IMAGE, PARTIAL, token(run_id), [requested], loaded or {})
    runtime.start(spec)
    return outcomes


def partial_on(make_runtime, node_config, proxy, databases, requested: dict, run_id: int):
    """The outcome of the partial average (run ``run_id``) on a node with ``databases``."""
    runtime = make_runtime(replace(node_config, databases=tuple(databases)))
    outcome = start_partial(runtime, proxy, requested, run_id).get(timeout=60)
    assert outcome.run_id == run_id
    runtime.discard(run_id)  # as the daemon does once reported
    return outcome


def write_workbook(engine, path, sheets: dict[str, list[int]]):
    """An .xlsx with an ``age`` column per sheet, written in the image (its openpyxl; the
    node's environment need not have one)."""
    script = (
        "import sys, json, pandas\n"
        "with pandas.ExcelWriter(sys.argv[1]) as writer:\n"
        "    for name, ages in json.loads(sys.argv[2]).items():\n"
        "        pandas.DataFrame({'age': ages}).to_excel(writer, sheet_name=name, index=False)\n"
    )
    engine.containers.run(
        IMAGE,
        ["python3", "-c", script, f"/out/{path.name}", json.dumps(sheets)],
        network_disabled=True,
        user=f"{os.getuid()}:{os.getgid()}",
        volumes={str(path.parent): {"bind": "/out", "mode": "rw"}},
        remove=True,
    )
    return path


def test_an_excel_sheet_loads_in_the_image(make_runtime, node_config, engine, tmp_path, proxy):
    workbook = write_workbook(engine, tmp_path / "ages.xlsx", {"other": [1, 2], "ages": AGES})
    databases = [Database("default", "excel", str(workbook))]
    outcome = partial_on(make_runtime, node_config, proxy, databases, {"label": "default"}, 1)
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": 3, "count": 2}  # the first sheet
    requested = {"label": "default", "sheet_name": "ages"}
    outcome = partial_on(make_runtime, node_config, proxy, databases, requested, 2)
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": sum(AGES), "count": len(AGES)}


DESCRIBED = ("DATABASE_TYPE", "DATABASE_URI", "DATABASE_PARQUET_URI")


def test_a_sql_query_runs_on_the_node_and_only_its_result_reaches_the_image(
    make_runtime, node_config, engine, tmp_path, proxy
):
    """The SQLite file is not mounted: the node runs the query (as its daemon does before a
    run) and the container reads the result, with neither the file nor the URI in sight."""
    store = patients_sqlite(tmp_path / "patients.sqlite", AGES)
    config = replace(node_config, databases=(Database("default", "sql", f"sqlite:///{store}"),))
    requested = {"label": "default", "query": "SELECT age FROM patients WHERE site = 'a'"}
    loaded = load_requested(node_plugins(config), config, [requested])
    runtime = make_runtime(config)
    outcomes = start_partial(runtime, proxy, requested, 1, loaded)
    container = engine.containers.get(f"vantage6-{runtime.name}-run-1")
    variables = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    seen = [f"{name}={env.decode(value)}" for name, value in variables.items()]
    assert not [item for item in seen if "sqlite" in item or str(store) in item], seen
    described = {name: env.decode(variables[f"DEFAULT_{name}"]) for name in DESCRIBED}
    assert described == {  # CSV for any tools, parquet (typed) for ours
        "DATABASE_TYPE": "csv",
        "DATABASE_URI": "/mnt/run/data/default.csv",
        "DATABASE_PARQUET_URI": "/mnt/run/data/default.parquet",
    }
    mounts = container.attrs["Mounts"]
    assert not [m for m in mounts if m["Source"] == str(store) or "/mnt/data" in m["Destination"]]
    outcome = outcomes.get(timeout=60)
    runtime.discard(1)
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": sum(AGES), "count": len(AGES)}
