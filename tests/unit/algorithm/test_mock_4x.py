"""How 4.x algorithm developers test: ``MockAlgorithmClient`` from the original tools' import
path, constructed as there, running a package written for the original tools
(``tests/functional/node/algorithms_4x/v6_average_4x``)."""

from __future__ import annotations

import logging
import types

import pandas as pd
import pytest

from tests.unit.algorithm.conftest import ROOT
from vantage6.algorithm.tools.decorators import data, metadata
from vantage6.algorithm.tools.mock_client import MockAlgorithmClient

AGES = {"a": [30, 12, 50, 8], "b": [41, 67, 23]}


@pytest.fixture
def package(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "tests" / "functional" / "node" / "algorithms_4x"))
    return "v6_average_4x"


@pytest.fixture
def client(package, tmp_path):
    """Two organizations: one's data a DataFrame, the other's a CSV file."""
    csv = tmp_path / "b.csv"
    pd.DataFrame({"age": AGES["b"]}).to_csv(csv, index=False)
    return MockAlgorithmClient(
        datasets=[
            [{"database": pd.DataFrame({"age": AGES["a"]})}],
            [{"database": str(csv), "db_type": "csv"}],
        ],
        module=package,
        organization_ids=[10, 20],
        node_ids=[110, 120],
    )


def test_the_central_function_averages_over_the_organizations(client):
    task = client.task.create(
        input_={"method": "central_average", "kwargs": {"column_name": "age"}},
        organizations=[10],
    )
    [result] = client.wait_for_results(task_id=task.get("id"))
    everyone = AGES["a"] + AGES["b"]
    assert result == {"average": pytest.approx(sum(everyone) / len(everyone)), "organizations": 2}
    assert [t["id"] for t in client.tasks.values()] == [1, 2]  # the central task, its subtask
    assert client.tasks[2]["parent"] == {"id": 1}
    subtask_runs = client.run.from_task(2)
    assert [run["id"] for run in subtask_runs] == [1, 2]  # they end before the central run
    assert [run["organization"]["id"] for run in subtask_runs] == [10, 20]
    assert [run["node"]["id"] for run in subtask_runs] == [110, 120]
    assert client.result.get(1) == {"sum": 100.0, "count": 4}
    assert client.run.from_task(1)[0]["id"] == 3


def test_a_partial_run_gets_its_organizations_data(client):
    task = client.task.create(
        {"method": "partial_average", "kwargs": {"column_name": "age"}}, organizations=[20, 10]
    )
    assert client.result.from_task(task["id"]) == [
        {"sum": 131.0, "count": 3},
        {"sum": 100.0, "count": 4},
    ]


def test_stacked_decorators_get_the_client_and_data_in_the_originals_order(client):
    task = client.task.create(
        {"method": "describe", "kwargs": {"column_name": "age"}}, organizations=[20]
    )
    assert client.result.from_task(task["id"]) == [{"organization": 20, "rows": 3, "column": "age"}]


def test_ids_that_do_not_match_the_datasets_are_replaced_as_the_original_does(package, caplog):
    caplog.set_level(logging.WARNING)
    datasets = [[{"database": pd.DataFrame({"age": [1, 2]})}]] * 2
    client = MockAlgorithmClient(datasets, package, organization_ids=[7], node_ids=[1, 2, 3])
    assert client.organization_ids == [0, 1]
    assert client.node_ids == [0, 1]
    assert (client.organization_id, client.node_id, client.collaboration_id) == (0, 0, 1)
    assert "1 organization ids given for 2 organizations" in caplog.text


def test_a_runs_changes_to_its_data_do_not_reach_the_next():
    frame = pd.DataFrame({"age": [1.0, 2.0]})

    @data(1)
    def change(df):
        df["age"] = 0
        return int(df["age"].sum())

    module = types.ModuleType("changing")
    module.change = change
    client = MockAlgorithmClient([[{"database": frame}]], module)
    task = client.task.create({"method": "change"}, organizations=[0])
    assert client.result.from_task(task["id"]) == [0]
    assert list(frame["age"]) == [1.0, 2.0]


def test_datasets_may_name_preprocessing(package):
    frame = pd.DataFrame({"age": [5, 15, 25]})
    steps = [{"function": "filter_range", "parameters": {"column": "age", "max_": 20}}]
    client = MockAlgorithmClient([[{"database": frame, "preprocessing": steps}]], package)
    task = client.task.create(
        {"method": "partial_average", "kwargs": {"column_name": "age"}}, organizations=[0]
    )
    assert client.result.from_task(task["id"]) == [{"sum": 20.0, "count": 2}]


def test_metadata_under_the_mock_gives_the_runs_ids():
    @data(1)
    @metadata
    def who(meta, df):
        return [meta.task_id, meta.node_id, meta.organization_id, meta.collaboration_id, len(df)]

    module = types.ModuleType("who")
    module.who = who
    frame = pd.DataFrame({"age": [1]})
    client = MockAlgorithmClient([[{"database": frame}]] * 2, module, 4, [10, 20], [110, 120])
    task = client.task.create({"method": "who"}, organizations=[20])
    assert client.result.from_task(task["id"]) == [[task["id"], 120, 20, 4, 1]]
