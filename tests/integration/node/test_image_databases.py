"""The algorithm image loads every database type ``vantage6.algorithm.databases`` knows: the
demo's partial average over an Excel sheet and over a SQL query (SQLite), run by the Docker
runtime as a node configured with those databases runs it (openpyxl and SQLAlchemy come with
the image, built by scripts/build-images)."""

from __future__ import annotations

import json
import os
import queue
import sqlite3
from dataclasses import replace

from tests.integration.node.support import AGES, IMAGE, token
from vantage6.common.task_status import TaskStatus
from vantage6.node.config import Database
from vantage6.node.runtime import RunSpec

PARTIAL = json.dumps({"method": "partial_average", "kwargs": {"column_name": "age"}}).encode()


def partial_on(make_runtime, node_config, databases, requested: dict, run_id: int):
    """The outcome of the partial average (run ``run_id``) on a node with ``databases``, for
    a task asking for the database ``requested`` (its label and parameters)."""
    runtime = make_runtime(replace(node_config, databases=tuple(databases)))
    runtime.prepare()
    outcomes = queue.Queue()
    runtime.watch(outcomes.put)
    runtime.start(RunSpec(run_id, 1, 1, IMAGE, PARTIAL, token(run_id), [requested]))
    outcome = outcomes.get(timeout=60)
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


def test_an_excel_sheet_loads_in_the_image(make_runtime, node_config, engine, tmp_path):
    workbook = write_workbook(engine, tmp_path / "ages.xlsx", {"other": [1, 2], "ages": AGES})
    databases = [Database("default", "excel", str(workbook))]
    outcome = partial_on(make_runtime, node_config, databases, {"label": "default"}, 1)
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": 3, "count": 2}  # the first sheet
    requested = {"label": "default", "sheet_name": "ages"}
    outcome = partial_on(make_runtime, node_config, databases, requested, 2)
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": sum(AGES), "count": len(AGES)}


def test_a_sql_query_loads_in_the_image(make_runtime, node_config, tmp_path):
    """A SQLite file reaches the container through a folder database (sql URIs are passed
    as they are, unmounted)."""
    store = tmp_path / "store"
    store.mkdir()
    with sqlite3.connect(store / "patients.sqlite") as connection:
        connection.execute("CREATE TABLE patients (age INTEGER, site TEXT)")
        rows = [(age, "a") for age in AGES] + [(99, "b")]
        connection.executemany("INSERT INTO patients VALUES (?, ?)", rows)
    connection.close()
    databases = [
        Database("default", "sql", "sqlite:////mnt/data/store/patients.sqlite"),
        Database("store", "folder", str(store)),
    ]
    query = "SELECT age FROM patients WHERE site = 'a'"
    requested = {"label": "default", "query": query}
    outcome = partial_on(make_runtime, node_config, databases, requested, 1)
    assert outcome.status is TaskStatus.COMPLETED, outcome.log
    assert json.loads(outcome.output) == {"sum": sum(AGES), "count": len(AGES)}
    outcome = partial_on(make_runtime, node_config, databases, {"label": "default"}, 2)
    assert outcome.status is TaskStatus.CRASHED
    assert "a sql database needs a query" in outcome.log
    assert "Traceback" not in outcome.log
