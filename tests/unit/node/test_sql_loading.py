"""The node's built-in sql loader (through the node's plugin manager, as the daemon asks it):
the task's query runs on the node against a real SQLite file, the run gets the result, and its
environment never the URI; failures name the database and its error, never the password."""

from __future__ import annotations

import io
import logging
import sqlite3
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.unit.node.test_data_loading import config, plugins
from vantage6.node.config import Database
from vantage6.node.data_loading import LoadFailed, load_requested
from vantage6.node.runtime.env import database_setup
from vantage6.node.runtime.folders import loaded_uri
from vantage6.plugins import hookimpl

AGES = [41, 67, 23, 58]
QUERY = "SELECT age FROM patients WHERE site = 'a'"
UNREACHABLE = "postgresql://u:secret@127.0.0.1:1/db"


def patients_sqlite(path: Path, ages: list[int]) -> Path:
    """A SQLite file with table ``patients``: ``ages`` at site 'a', and one more at 'b'."""
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE patients (age INTEGER, site TEXT)")
        rows = [(age, "a") for age in ages] + [(99, "b")]
        connection.executemany("INSERT INTO patients VALUES (?, ?)", rows)
    connection.close()
    return path


@pytest.fixture
def sqlite_file(tmp_path):
    return patients_sqlite(tmp_path / "patients.sqlite", AGES)


@pytest.fixture
def logs(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def load(uri: str, *requests: dict, loaders=()) -> dict[str, bytes]:
    node = config(Database("warehouse", "sql", uri), Database("other", "sql", UNREACHABLE))
    return load_requested(plugins(*loaders), node, list(requests))


def failure(uri: str, request: dict) -> str:
    with pytest.raises(LoadFailed) as failed:
        load(uri, {"label": "warehouse", **request})
    return str(failed.value)


def ages(content: bytes) -> list[int]:
    return pd.read_parquet(io.BytesIO(content))["age"].tolist()


def test_the_query_result_is_what_the_run_gets(sqlite_file):
    loaded = load(f"sqlite:///{sqlite_file}", {"label": "warehouse", "query": QUERY})
    assert list(loaded) == ["warehouse"]  # only what the task asked for
    assert ages(loaded["warehouse"]) == AGES


@pytest.mark.parametrize("request_", [{}, {"query": ""}, {"query": "  "}, {"query": 3}])
def test_without_a_query_the_run_fails_saying_so(sqlite_file, request_):
    assert failure(f"sqlite:///{sqlite_file}", request_) == (
        "database 'warehouse' (type sql): the task gives no query for it; an sql database is "
        'read with a query (e.g. "query": "SELECT age FROM patients")'
    )


def test_bad_sql_fails_the_run_with_the_database_error(sqlite_file, logs):
    message = failure(f"sqlite:///{sqlite_file}", {"query": "SELECT age FROM nowhere"})
    assert message == "database 'warehouse' (type sql): no such table: nowhere"
    assert "'warehouse'" in logs.text and "no such table: nowhere" in logs.text


def test_an_unreachable_server_fails_the_run_without_the_password(logs):
    message = failure(UNREACHABLE, {"query": QUERY})
    assert message.startswith("database 'warehouse' (type sql): connection failed:")
    assert "Connection refused" in message
    assert "u:***@127.0.0.1:1/db" in logs.text  # the node's owner sees which server
    assert "secret" not in message
    assert not [r for r in logs.records if "secret" in r.getMessage() + str(r.exc_info)]


def test_the_password_is_masked_in_whatever_the_database_answers(logs):
    """A password that the server's answer happens to contain stands for a driver that
    quotes its connection string in its errors."""
    message = failure("postgresql://u:refused@127.0.0.1:1/db", {"query": QUERY})
    assert "port 1 failed: Connection ***" in message
    assert "refused" not in message + logs.text


def test_an_uri_its_dialect_rejects_fails_without_quoting_it(sqlite_file, logs):
    message = failure(f"sqlite://u:secret@/{sqlite_file}", {"query": QUERY})
    assert message == (
        "database 'warehouse' (type sql): the node's URI of it is not valid (see the node's log)"
    )
    assert "Invalid SQLite URL" in logs.text and "secret" not in logs.text


@pytest.mark.parametrize(
    "query", ["DELETE FROM patients", "DROP TABLE patients", "UPDATE patients SET age = 0"]
)
def test_the_query_cannot_write(sqlite_file, query):
    assert "readonly" in failure(f"sqlite:///{sqlite_file}", {"query": query})
    assert (
        ages(load(f"sqlite:///{sqlite_file}", {"label": "warehouse", "query": QUERY})["warehouse"])
        == AGES
    )


@pytest.mark.parametrize(
    "query",
    [
        f"{QUERY}; DELETE FROM patients",
        f"{QUERY};\nDROP TABLE patients;",
        "SELECT 1; -- a comment\nUPDATE patients SET age = 0",
    ],
)
def test_a_query_of_several_statements_is_refused_before_the_database_hears_of_it(query, logs):
    """On any driver: the URI is unreachable, so only a check before connecting refuses it
    with this message (drivers such as psycopg run every statement of a string)."""
    assert failure(UNREACHABLE, {"query": query}) == (
        "database 'warehouse' (type sql): the task's query holds 2 SQL statements; the node "
        "runs exactly one (a single SELECT, optionally ending in ';')"
    )
    assert "connection" not in logs.text.lower()


@pytest.mark.parametrize(
    "query",
    [
        f"{QUERY};",
        f"{QUERY}; -- the last one\n",
        "SELECT ';' AS semicolon, age FROM patients WHERE site = 'a'",
        f"/* ages; of site a */ {QUERY};",
    ],
)
def test_one_statement_with_semicolons_or_comments_runs(sqlite_file, query):
    loaded = load(f"sqlite:///{sqlite_file}", {"label": "warehouse", "query": query})
    assert ages(loaded["warehouse"]) == AGES


def test_a_missing_sqlite_file_fails_and_is_not_created(tmp_path):
    missing = tmp_path / "gone.sqlite"
    message = failure(f"sqlite:///{missing}", {"query": QUERY})
    assert message == "database 'warehouse' (type sql): its SQLite file does not exist on the node"
    assert not missing.exists()


def test_an_invalid_uri_fails_without_quoting_it(logs):
    message = failure("not a url :secret@", {"query": QUERY})
    assert message == (
        "database 'warehouse' (type sql): the node's URI of it is not a valid SQLAlchemy URL"
    )
    assert "secret" not in logs.text


def test_a_missing_driver_is_named(logs):
    message = failure("mysql+nosuchdriver://u:secret@db/x", {"query": QUERY})
    assert (
        message == "database 'warehouse' (type sql): the node has no driver for mysql+nosuchdriver"
    )
    assert "secret" not in message + logs.text


def test_a_node_without_pandas_says_what_to_install(sqlite_file, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas raises ImportError
    assert failure(f"sqlite:///{sqlite_file}", {"query": QUERY}) == (
        "database 'warehouse' (type sql): the node cannot read sql databases (its owner must "
        "install pandas: pip install 'vantage6[algorithm]')"
    )


class SqlLoader:
    """A deployment's own loader of sql databases."""

    @hookimpl
    def vantage6_load_data(self, database, parameters):
        return pd.DataFrame({"age": [1, 2]}) if database.type == "sql" else None


def test_a_deployment_plugin_answers_first_for_sql():
    loaded = load(UNREACHABLE, {"label": "warehouse"}, loaders=[SqlLoader()])
    assert ages(loaded["warehouse"]) == [1, 2]  # the built-in was not asked: no query needed


def test_the_run_environment_never_holds_an_sql_uri(sqlite_file, tmp_path):
    databases = [Database("warehouse", "sql", UNREACHABLE), Database("other", "sql", UNREACHABLE)]
    for in_container, run_dir in ((True, "/mnt/run"), (False, str(tmp_path))):
        loaded = {"warehouse": loaded_uri(run_dir, "warehouse")}
        variables, mounts = database_setup(databases, in_container, loaded)
        assert variables == {
            "DB_LABELS": "warehouse,other",
            "WAREHOUSE_DATABASE_URI": f"{run_dir}/data/warehouse.csv",
            "WAREHOUSE_DATABASE_TYPE": "csv",
            "WAREHOUSE_DATABASE_PARQUET_URI": f"{run_dir}/data/warehouse.parquet",
            "OTHER_DATABASE_TYPE": "sql",  # configured, not asked for: no URI at all
        }
        assert mounts == []
