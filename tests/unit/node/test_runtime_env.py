"""The variables and mounts of a run, and that vantage6.algorithm reads them as meant."""

from __future__ import annotations

import base64
import json
import logging

import pandas as pd
import pytest

from vantage6.algorithm import databases as algorithm_databases
from vantage6.algorithm import env
from vantage6.algorithm.client import AlgorithmClient
from vantage6.node.config import Database
from vantage6.node.runtime.env import (
    Mount,
    algorithm_variables,
    database_setup,
    encoded,
    requested_variables,
    run_environment,
)


@pytest.fixture
def node_databases(tmp_path):
    csv = tmp_path / "patients.csv"
    pd.DataFrame({"age": [41, 67, 23]}).to_csv(csv, index=False)
    folder = tmp_path / "images"
    folder.mkdir()
    return [
        Database("default", "csv", str(csv)),
        Database("scans", "folder", str(folder)),
        Database("warehouse", "sql", "postgresql://db.example.org/warehouse"),
    ]


def test_in_a_container_files_are_mounted_read_only_and_sql_uris_kept(node_databases):
    csv, folder, _ = (db.uri for db in node_databases)
    variables, mounts = database_setup(node_databases, in_container=True)
    assert variables == {
        "DB_LABELS": "default,scans,warehouse",
        "DEFAULT_DATABASE_URI": "/mnt/data/default.csv",
        "DEFAULT_DATABASE_TYPE": "csv",
        "SCANS_DATABASE_URI": "/mnt/data/scans",
        "SCANS_DATABASE_TYPE": "folder",
        "WAREHOUSE_DATABASE_TYPE": "sql",  # the node loads it (tests/unit/node/test_sql_loading)
    }
    assert mounts == [Mount(csv, "/mnt/data/default.csv"), Mount(folder, "/mnt/data/scans")]
    assert all(mount.read_only for mount in mounts)


def test_a_database_file_gone_since_start_is_not_mounted(tmp_path, caplog):
    gone = Database("old", "parquet", str(tmp_path / "old.parquet"))
    variables, mounts = database_setup([gone], in_container=True)
    assert mounts == []
    assert variables["OLD_DATABASE_URI"] == "/mnt/data/old.parquet"  # the algorithm says: missing
    assert "no longer exists" in caplog.text


def test_outside_a_container_the_uris_are_the_configured_ones(node_databases):
    variables, mounts = database_setup(node_databases, in_container=False)
    assert mounts == []
    assert variables["DEFAULT_DATABASE_URI"] == node_databases[0].uri
    assert variables["SCANS_DATABASE_URI"] == node_databases[1].uri


def test_requested_databases_in_task_order_with_their_options():
    variables = requested_variables(
        [
            {"label": "warehouse", "query": "SELECT age FROM patients"},
            {"label": "sheets", "sheet_name": "visits", "preprocessing": [{"function": "x"}]},
            {"label": "default"},
        ]
    )
    assert variables == {
        "WAREHOUSE_QUERY": "SELECT age FROM patients",
        "SHEETS_SHEET_NAME": "visits",
        "SHEETS_PREPROCESSING": '[{"function": "x"}]',
        "USER_REQUESTED_DATABASE_LABELS": "warehouse,sheets,default",
    }
    assert requested_variables([]) == {"USER_REQUESTED_DATABASE_LABELS": ""}


@pytest.mark.parametrize("label", ["X=1 Y", "../etc", "", "1st", None, 7])
def test_a_requested_label_unfit_for_a_variable_name_is_refused(label):
    """Labels come from whoever created the task; ``A=B`` must not smuggle in a variable."""
    with pytest.raises(ValueError, match="which is not a valid label"):
        requested_variables([{"label": label}])


def test_algorithm_env_cannot_replace_what_the_node_sets(node_databases, caplog):
    caplog.set_level(logging.WARNING)
    extra = algorithm_variables(
        {"player": "Alice", "HOST": "http://evil", "PKG_NAME": "evil", "DEFAULT_DATABASE_URI": "x"},
        node_databases,
    )
    assert extra == {"player": "Alice"}
    for name in ("HOST", "PKG_NAME", "DEFAULT_DATABASE_URI"):
        assert f"algorithm_env {name} is ignored: the node sets {name} itself" in caplog.text


def test_per_run_variables_win_over_algorithm_env():
    variables = run_environment(
        host="http://172.18.0.1",
        port=8123,
        run_dir="/mnt/run",
        tmp_dir="/mnt/tmp",
        databases={},
        requested=[{"label": "default", "query": "node"}],
        extra={"DEFAULT_QUERY": "owner", "player": "Alice"},
    )
    assert variables["DEFAULT_QUERY"] == "node"
    assert variables["player"] == "Alice"
    assert variables["PORT"] == "8123"
    assert variables["API_PATH"] == ""


def test_encoding_is_the_originals_base32_that_the_algorithm_tools_decode():
    variables = {"QUERY": "SELECT * FROM t WHERE a = 'é'", "EMPTY": ""}
    encoded_ = encoded(variables)
    assert encoded_["QUERY"] != variables["QUERY"] and "=" not in encoded_["QUERY"]
    assert {name: env.decode(value) for name, value in encoded_.items()} == variables


def test_the_algorithm_tools_find_everything_the_node_describes(
    node_databases, tmp_path, monkeypatch
):
    """Set the variables as the process runtime does and let vantage6.algorithm use them: it
    loads the requested database and builds its client from the token, host and port."""
    token = "h." + _b64url({"sub": {"run_id": 4, "task_id": 3}}) + ".s"
    (tmp_path / "token").write_text(token)
    database_vars, _ = database_setup(node_databases, in_container=False)
    variables = run_environment(
        host="http://127.0.0.1",
        port=8123,
        run_dir=str(tmp_path),
        tmp_dir=str(tmp_path / "tmp"),
        databases=database_vars,
        requested=[{"label": "default"}],
        extra={},
    )
    for name, value in encoded(variables).items():
        monkeypatch.setenv(name, value)

    (frame,) = algorithm_databases.load_requested(1)
    assert list(frame["age"]) == [41, 67, 23]
    client = AlgorithmClient.from_environment()
    assert client.base_url == "http://127.0.0.1:8123"
    assert (client.token, client.run_id, client.task_id) == (token, 4, 3)
    assert env.get("INPUT_FILE") == str(tmp_path / "input")
    assert env.get("OUTPUT_FILE") == str(tmp_path / "output")


def _b64url(claims: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
