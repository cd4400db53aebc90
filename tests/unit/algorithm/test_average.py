"""The demo average algorithm, run with the mock client: the federated average over three
CSV slices is exactly the pooled average, under the 4.x and the seeds' 3.x names."""

import pandas as pd
import pytest

from vantage6.algorithm.errors import AlgorithmError
from vantage6.algorithm.mock import MockAlgorithmClient

AGES = [[41, 67, 23, 58, 30], [77, 19, 52], [35, 88, 61, 44, 29, 70, 33]]


@pytest.fixture
def slices(tmp_path):
    paths = []
    for number, ages in enumerate(AGES):
        path = tmp_path / f"slice{number}.csv"
        pd.DataFrame({"age": ages, "other": range(len(ages))}).to_csv(path, index=False)
        paths.append(path)
    return paths


@pytest.fixture
def mock(slices, average_package):
    datasets = [[{"database": str(path), "db_type": "csv"}] for path in slices]
    return MockAlgorithmClient(datasets, module=average_package, organization_ids=[2, 3, 4])


def pooled_average(slices) -> float:
    return pd.concat(pd.read_csv(path) for path in slices)["age"].mean()


@pytest.mark.parametrize(
    "input_",
    [
        {"method": "central_average", "kwargs": {"column_name": "age"}},
        {"method": "master", "kwargs": {"column_name": "age"}, "master": True},
    ],
)
def test_the_federated_average_is_the_pooled_average(mock, slices, input_):
    task = mock.task.create(input_, organizations=[3])
    [result] = mock.wait_for_results(task["id"])
    assert result == {"average": pooled_average(slices)}
    subtasks = [t for t in mock.tasks.values() if t["id"] != task["id"]]
    assert len(subtasks) == 1 and subtasks[0]["init_org_id"] == 3
    assert {run["organization_id"] for run in mock.run.from_task(subtasks[0]["id"])} == {2, 3, 4}


@pytest.mark.parametrize(
    "input_",
    [
        {"method": "partial_average", "kwargs": {"column_name": "age"}},
        {"method": "average_partial", "kwargs": {"column_name": "age"}, "master": False},
    ],
)
def test_the_partial_gives_sum_and_count_per_organization(mock, input_):
    task = mock.task.create(input_, organizations=[2, 4])
    assert mock.wait_for_results(task["id"]) == [
        {"sum": sum(AGES[0]), "count": len(AGES[0])},
        {"sum": sum(AGES[2]), "count": len(AGES[2])},
    ]


def test_missing_values_are_left_out_of_sum_and_count(average_package):
    frame = pd.DataFrame({"age": [1.0, None, 5.0]})
    mock = MockAlgorithmClient([[{"database": frame}]], module=average_package)
    task = mock.task.create({"method": "partial_average", "kwargs": {"column_name": "age"}}, [0])
    assert mock.wait_for_results(task["id"]) == [{"sum": 6.0, "count": 2}]


def test_an_unknown_column_names_the_columns_there_are(mock):
    with pytest.raises(ValueError, match=r"no column 'weight'; the columns are \['age', 'other'\]"):
        mock.task.create({"method": "central_average", "kwargs": {"column_name": "weight"}}, [2])


def test_a_central_call_without_column_is_an_error(mock):
    with pytest.raises(TypeError, match="column_name"):
        mock.task.create({"method": "central_average"}, [2])
    with pytest.raises(AlgorithmError, match="has no function 'average'"):
        mock.task.create({"method": "average"}, [2])
