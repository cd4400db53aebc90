"""``@data``: the requested databases arrive as DataFrames, in the requested order, from every
supported kind of source; anything else is a clear error naming the database."""

import sqlite3

import pandas as pd
import pytest

from vantage6.algorithm.databases import load, load_requested
from vantage6.algorithm.decorators import algorithm_client, data
from vantage6.algorithm.errors import AlgorithmError


@pytest.fixture
def csv_file(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("age,name\n30,a\n40,b\n")
    return path


def test_the_requested_databases_arrive_in_the_requested_order(tmp_path, node_env):
    first, second = tmp_path / "first.csv", tmp_path / "second.parquet"
    first.write_text("x\n1\n")
    pd.DataFrame({"y": [1, 2, 3]}).to_parquet(second)
    node_env(
        USER_REQUESTED_DATABASE_LABELS="zeta,alpha,unused",
        ZETA_DATABASE_URI=first,
        ZETA_DATABASE_TYPE="csv",
        ALPHA_DATABASE_URI=second,
        ALPHA_DATABASE_TYPE="parquet",
    )
    frames = load_requested(2)
    assert [list(frame.columns) for frame in frames] == [["x"], ["y"]]


def test_decorators_inject_in_the_order_they_are_written(csv_file, node_env):
    node_env(
        USER_REQUESTED_DATABASE_LABELS="default",
        DEFAULT_DATABASE_URI=csv_file,
        DEFAULT_DATABASE_TYPE="csv",
    )

    @algorithm_client
    @data(1)
    def function(client, frame, extra):
        return client, list(frame["age"]), extra

    assert function("x", mock_client="client") == ("client", [30, 40], "x")


def test_mock_data_replaces_loading_and_must_be_enough():
    @data(2)
    def function(first, second):
        return first, second

    assert function(mock_data=["a", "b", "c"]) == ("a", "b")
    with pytest.raises(AlgorithmError, match="needs 2 database"):
        function(mock_data=["a"])


def test_too_few_requested_databases_is_a_clear_error(node_env):
    node_env(USER_REQUESTED_DATABASE_LABELS="default")
    with pytest.raises(AlgorithmError, match=r"needs 2 database\(s\) but the task requested 1"):
        load_requested(2)


def test_a_requested_database_the_node_does_not_have_is_a_clear_error(node_env):
    node_env(USER_REQUESTED_DATABASE_LABELS="missing")
    with pytest.raises(
        AlgorithmError, match=r"'missing' was requested .*\(MISSING_DATABASE_URI is not set"
    ):
        load_requested(1)


def test_preprocessing_is_refused_rather_than_ignored(csv_file, node_env):
    node_env(
        USER_REQUESTED_DATABASE_LABELS="default",
        DEFAULT_DATABASE_URI=csv_file,
        DEFAULT_DATABASE_TYPE="csv",
        DEFAULT_PREPROCESSING='[{"function": "filter_range"}]',
    )
    with pytest.raises(AlgorithmError, match="preprocessing is not supported yet"):
        load_requested(1)


def test_sql_databases_are_read_with_their_query(tmp_path):
    path = tmp_path / "db.sqlite"
    with sqlite3.connect(path) as connection:
        connection.execute("create table people (age integer)")
        connection.executemany("insert into people values (?)", [(1,), (5,)])
    frame = load(f"sqlite:///{path}", "sql", query="select age from people where age > 2")
    assert list(frame["age"]) == [5]
    with pytest.raises(AlgorithmError, match="needs a query"):
        load(f"sqlite:///{path}", "sql")
    with pytest.raises(AlgorithmError, match="could not be read as sql: .*no such table"):
        load(f"sqlite:///{path}", "sql", query="select * from absent")


@pytest.mark.parametrize(
    ("db_type", "problem"),
    [
        ("omop", "type 'omop' is not supported yet; supported: csv, excel, parquet, sql"),
        ("mongo", "type 'mongo' is unknown"),
        ("", "type '' is unknown"),
    ],
)
def test_unsupported_types_are_clear_errors(csv_file, db_type, problem):
    with pytest.raises(AlgorithmError, match=problem):
        load(str(csv_file), db_type, label="default")


def test_a_missing_or_unreadable_file_is_a_clear_error(tmp_path, csv_file):
    with pytest.raises(AlgorithmError, match=r"database 'default' \(.*nope.csv\): file not found"):
        load(str(tmp_path / "nope.csv"), "csv", label="default")
    with pytest.raises(AlgorithmError, match="could not be read as parquet"):
        load(str(csv_file), "parquet")
