"""Which databases the node's ``vantage6_load_data`` plugins are asked for, what they get, and
what becomes of their answers: parquet per label, or a run failure that leaks nothing."""

from __future__ import annotations

import io
import logging
import stat
from pathlib import Path

import pandas as pd
import pytest

from vantage6.algorithm import databases as algorithm_databases
from vantage6.node.config import DATABASE_TYPES, Database, NodeConfig
from vantage6.node.data_loading import LoadFailed, load_requested, needs_loader
from vantage6.node.runtime.env import database_setup
from vantage6.node.runtime.folders import RunFolder, as_csv, loaded_uri
from vantage6.plugins import hookimpl
from vantage6.plugins.manager import NODE, plugin_manager

SECRET = "postgresql://loader:s3cret@warehouse"
FRAME = pd.DataFrame({"age": [41, 67, 23]})


def config(*databases: Database) -> NodeConfig:
    return NodeConfig(
        name="n",
        path=Path("node.ini"),
        server_url="http://localhost",
        port=None,
        api_path="/api",
        api_key="key",
        task_dir=Path("tasks"),
        databases=databases,
    )


NODE_CONFIG = config(
    Database("default", "csv", "/data/ages.csv"),
    Database("warehouse", "other", SECRET),
    Database("scans", "folder", "/data/scans"),
)


class Loader:
    """Answers ``answer`` for databases of type other; records every question."""

    def __init__(self, answer=FRAME):
        self.answer = answer
        self.asked: list[tuple[str, dict]] = []

    @hookimpl
    def vantage6_load_data(self, database, parameters):
        self.asked.append((database.label, parameters))
        if database.type != "other":
            return None
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def plugins(*loaders):
    manager = plugin_manager(NODE)
    for loader in loaders:
        manager.register(loader)
    return manager


def frame(content: bytes) -> pd.DataFrame:
    return pd.read_parquet(io.BytesIO(content))


def test_types_the_algorithm_tools_cannot_load_and_sql_go_to_the_plugins():
    asked = {t for t in DATABASE_TYPES if needs_loader(Database("x", t, "u"))}
    assert asked == {"folder", "other", "sql"}  # sql: only the node reads it (its URI, server)
    assert asked & set(algorithm_databases.LOADERS) == {"sql"}


def test_a_loaded_database_becomes_parquet_and_others_are_left_alone():
    loader = Loader()
    requested = [
        {"label": "default"},
        {"label": "warehouse", "query": "SELECT age", "sheet_name": None},
        {"label": "scans"},
        {"label": "unknown"},
    ]
    loaded = load_requested(plugins(loader), NODE_CONFIG, requested)
    assert list(loaded) == ["warehouse"]
    pd.testing.assert_frame_equal(frame(loaded["warehouse"]), FRAME)
    # asked for what needs a loader only, with the task's parameters (None ones left out)
    assert loader.asked == [("warehouse", {"query": "SELECT age"}), ("scans", {})]


def test_a_label_requested_twice_is_loaded_once_with_its_last_request():
    loader = Loader()
    requested = [{"label": "warehouse", "query": "a"}, {"label": "warehouse", "query": "b"}]
    assert list(load_requested(plugins(loader), NODE_CONFIG, requested)) == ["warehouse"]
    assert loader.asked == [("warehouse", {"query": "b"})]


def test_without_an_answer_nothing_is_loaded():
    assert load_requested(plugins(), NODE_CONFIG, [{"label": "warehouse"}]) == {}
    assert load_requested(plugins(Loader(None)), NODE_CONFIG, [{"label": "warehouse"}]) == {}


def test_the_first_loader_that_answers_wins():
    first, second = Loader(FRAME.head(1)), Loader()
    loaded = load_requested(plugins(second, first), NODE_CONFIG, [{"label": "warehouse"}])
    assert len(frame(loaded["warehouse"])) == 1  # pluggy asks the last registered first
    assert second.asked == []


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (ConnectionError(f"cannot reach {SECRET}"), "the node's data loader failed"),
        ([{"age": 41}], "the node's data loader answered no DataFrame"),
        (pd.DataFrame({"age": [41, object()]}), "the loaded data cannot be stored as parquet"),
    ],
)
def test_a_failing_loader_fails_the_run_with_a_message_that_leaks_nothing(answer, says, caplog):
    caplog.set_level(logging.INFO, logger="vantage6")
    with pytest.raises(LoadFailed) as failed:
        load_requested(plugins(Loader(answer)), NODE_CONFIG, [{"label": "warehouse"}])
    assert str(failed.value).startswith(f"database 'warehouse' (type other): {says}")
    assert SECRET not in str(failed.value) and "object" not in str(failed.value)
    assert "'warehouse'" in caplog.text  # the node's owner finds the details in the node's log


def test_the_run_reads_a_loaded_database_instead_of_the_configured_one(tmp_path):
    """As parquet (typed, for our tools) and as CSV (for the original 4.x tools, whose base
    image cannot read parquet)."""
    loaded = load_requested(plugins(Loader()), NODE_CONFIG, [{"label": "warehouse"}])
    folder = RunFolder.create(tmp_path, 5, b"in", "t", loaded)
    path = Path(loaded_uri(str(folder.path), "warehouse"))
    assert path.parent == folder.path / "data"
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    copy = Path(as_csv(str(path)))
    assert [stat.S_IMODE(p.stat().st_mode) for p in (path, copy)] == [0o600, 0o600]
    pd.testing.assert_frame_equal(pd.read_parquet(path), FRAME)
    pd.testing.assert_frame_equal(pd.read_csv(copy), FRAME, check_dtype=False)


def test_a_loaded_database_replaces_the_configured_one_in_the_run_environment(tmp_path):
    scans, ages = tmp_path / "scans", tmp_path / "ages.csv"
    scans.mkdir()
    ages.write_text("age\n41\n")
    databases = [
        Database("warehouse", "other", SECRET),
        Database("scans", "folder", str(scans)),
        Database("default", "csv", str(ages)),
    ]
    uris = {label: loaded_uri("/mnt/run", label) for label in ("warehouse", "scans")}
    variables, mounts = database_setup(databases, in_container=True, loaded=uris)
    assert variables == {
        "DB_LABELS": "warehouse,scans,default",
        "WAREHOUSE_DATABASE_URI": "/mnt/run/data/warehouse.csv",
        "WAREHOUSE_DATABASE_TYPE": "csv",
        "WAREHOUSE_DATABASE_PARQUET_URI": "/mnt/run/data/warehouse.parquet",
        "SCANS_DATABASE_URI": "/mnt/run/data/scans.csv",
        "SCANS_DATABASE_TYPE": "csv",
        "SCANS_DATABASE_PARQUET_URI": "/mnt/run/data/scans.parquet",
        "DEFAULT_DATABASE_URI": "/mnt/data/default.csv",
        "DEFAULT_DATABASE_TYPE": "csv",
    }
    assert [mount.source for mount in mounts] == [str(ages)]  # nothing of the replaced ones
