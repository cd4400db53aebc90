"""``MockAlgorithmClient``: runs a package locally through the wrapper's own dispatch."""

import pandas as pd
import pytest

from tests.unit.algorithm.conftest import SAMPLE
from vantage6.algorithm.errors import AlgorithmError
from vantage6.algorithm.mock import MockAlgorithmClient


@pytest.fixture
def mock(tmp_path):
    csv = tmp_path / "b.csv"
    csv.write_text("age\n5\n")
    frame = pd.DataFrame({"age": [1, 2, 3]})
    return MockAlgorithmClient(
        datasets=[[{"database": frame}, {"database": frame}], [{"database": str(csv)}] * 2],
        module=SAMPLE,
        organization_ids=[10, 20],
    )


def test_runs_the_method_per_organization_on_its_own_data(mock):
    task = mock.task.create({"method": "column_total", "args": ["age"]}, organizations=[10, 20])
    assert mock.wait_for_results(task["id"]) == [{"total": 6, "rows": 3}, {"total": 5, "rows": 1}]
    assert [run["organization_id"] for run in mock.run.from_task(task["id"])] == [10, 20]


def test_each_run_sees_the_client_as_its_own_organization(mock):
    task = mock.task.create({"method": "who_and_what"}, organizations=[20])
    assert mock.result.from_task(task["id"]) == [{"organization": 20, "sizes": [1, 1]}]
    assert mock.organization_id == 10


def test_bad_input_and_unknown_organizations_are_the_wrappers_errors(mock):
    with pytest.raises(AlgorithmError, match="names no 'method'"):
        mock.task.create({"kwargs": {}}, organizations=[10])
    with pytest.raises(AlgorithmError, match=r"organizations \[99\] are not in the mock"):
        mock.task.create({"method": "plain", "args": [1]}, organizations=[10, 99])
    assert mock.tasks == {}


def test_datasets_need_a_database():
    with pytest.raises(ValueError, match="needs a 'database'"):
        MockAlgorithmClient(datasets=[[{"db_type": "csv"}]], module=SAMPLE)
