"""``MockAlgorithmClient``: run an algorithm package locally, without server, node or Docker,
on DataFrames (or files) given per organization. Tasks run synchronously through the same input
parsing, dispatch and JSON encoding as the container wrapper, so what works here behaves the
same in an image.

    client = MockAlgorithmClient(
        datasets=[[{"database": df1}], [{"database": "b.csv", "db_type": "csv"}]],
        module="v6_average",
    )
    task = client.task.create({"method": "central_average", "kwargs": {"column_name": "age"}},
                              organizations=[0])
    client.wait_for_results(task["id"])  # [{"average": ...}]
"""

from __future__ import annotations

import copy
import importlib
import itertools
import json
from types import ModuleType

from vantage6.algorithm.call import encode_result, invoke, parse_input
from vantage6.algorithm.databases import load
from vantage6.algorithm.errors import AlgorithmError


class MockAlgorithmClient:
    def __init__(
        self,
        datasets: list[list[dict]],
        module: str | ModuleType,
        collaboration_id: int = 1,
        organization_ids: list[int] | None = None,
    ):
        self.module = importlib.import_module(module) if isinstance(module, str) else module
        self.organization_ids = list(organization_ids or range(len(datasets)))
        if len(self.organization_ids) != len(datasets):
            raise ValueError("give one organization id per list of datasets")
        self.frames = {
            id_: [_frame(spec) for spec in specs]
            for id_, specs in zip(self.organization_ids, datasets, strict=True)
        }
        self.collaboration_id = collaboration_id
        self.organization_id = self.organization_ids[0]
        self.tasks: dict[int, dict] = {}
        self.runs: dict[int, dict] = {}
        self._ids = itertools.count(1)
        self.task = _Tasks(self)
        self.run = _Runs(self)
        self.result = _Results(self)
        self.organization = _Organizations(self)
        self.collaboration = _Collaborations(self)

    def acting_for(self, organization_id: int) -> MockAlgorithmClient:
        """The same mock network, seen by an algorithm running at ``organization_id``."""
        view = copy.copy(self)
        view.organization_id = organization_id
        for name in ("task", "run", "result", "organization", "collaboration"):
            setattr(view, name, type(getattr(self, name))(view))
        return view

    def wait_for_results(self, task_id: int, **_) -> list:
        return self.result.from_task(task_id)


def _frame(spec: dict):
    if "database" not in spec:
        raise ValueError(f"a mock dataset needs a 'database' (a DataFrame or a file): {spec}")
    database = spec["database"]
    if isinstance(database, str):
        return load(database, spec.get("db_type", "csv"), spec.get("query"), spec.get("sheet_name"))
    return database


class _Sub:
    def __init__(self, parent: MockAlgorithmClient):
        self.parent = parent


class _Tasks(_Sub):
    def create(self, input_, organizations: list[int], name: str = "mock", description=""):
        """Run the task at each organization now; its runs hold the JSON-decoded results."""
        mock = self.parent
        call = parse_input(json.dumps(input_).encode())
        unknown = [id_ for id_ in organizations if id_ not in mock.frames]
        if unknown or not organizations:
            raise AlgorithmError(f"organizations {unknown or organizations} are not in the mock")
        task = {
            "id": next(mock._ids),
            "name": name,
            "description": description,
            "collaboration_id": mock.collaboration_id,
            "init_org_id": mock.organization_id,
            "status": "completed",
        }
        mock.tasks[task["id"]] = task
        for id_ in organizations:
            result = invoke(
                mock.module, call, mock_data=mock.frames[id_], mock_client=mock.acting_for(id_)
            )
            run_id = next(mock._ids)
            mock.runs[run_id] = {
                "id": run_id,
                "task_id": task["id"],
                "organization_id": id_,
                "status": "completed",
                "result": json.loads(encode_result(result, call.method)),
            }
        return task

    def get(self, task_id: int) -> dict:
        return self.parent.tasks[task_id]


class _Runs(_Sub):
    def get(self, run_id: int) -> dict:
        return self.parent.runs[run_id]

    def from_task(self, task_id: int) -> list[dict]:
        return [run for run in self.parent.runs.values() if run["task_id"] == task_id]


class _Results(_Sub):
    def get(self, run_id: int):
        return self.parent.runs[run_id]["result"]

    def from_task(self, task_id: int) -> list:
        return [run["result"] for run in self.parent.run.from_task(task_id)]


class _Organizations(_Sub):
    def get(self, organization_id: int) -> dict:
        if organization_id not in self.parent.frames:
            raise AlgorithmError(f"organization {organization_id} is not in the mock")
        return {"id": organization_id, "name": f"mock organization {organization_id}"}

    def list(self) -> list[dict]:
        return [self.get(id_) for id_ in self.parent.organization_ids]


class _Collaborations(_Sub):
    def get(self) -> dict:
        ids = self.parent.organization_ids
        return {
            "id": self.parent.collaboration_id,
            "name": "mock collaboration",
            "organizations": ids,
        }
