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

It is constructed as the original 4.x ``MockAlgorithmClient`` (also importable as
``vantage6.algorithm.tools.mock_client``): ``datasets`` a list per organization of dataset
descriptions (``database``: a DataFrame or a file, ``db_type``, ``query``, ``sheet_name``,
``preprocessing``), ``module`` the package, optional ``collaboration_id``,
``organization_ids`` and ``node_ids`` (one per organization; otherwise 0, 1, 2, ... with a
warning, as the original). Task ids count from 1, and run (= result) ids too.
"""

from __future__ import annotations

import copy
import importlib
import itertools
import json
import logging
from types import ModuleType

from vantage6.algorithm.call import encode_result, invoke, parse_input
from vantage6.algorithm.databases import load
from vantage6.algorithm.errors import AlgorithmError
from vantage6.algorithm.preprocessing import preprocess

log = logging.getLogger(__name__)


class MockAlgorithmClient:
    def __init__(
        self,
        datasets: list[list[dict]],
        module: str | ModuleType,
        collaboration_id: int | None = None,
        organization_ids: list[int] | None = None,
        node_ids: list[int] | None = None,
    ):
        self.module = importlib.import_module(module) if isinstance(module, str) else module
        self.organization_ids = _ids("organization", organization_ids, len(datasets))
        self.node_ids = _ids("node", node_ids, len(datasets))
        self.frames = {
            id_: [_frame(spec) for spec in specs]
            for id_, specs in zip(self.organization_ids, datasets, strict=True)
        }
        self.collaboration_id = collaboration_id or 1
        self.organization_id = self.organization_ids[0]
        self.node_id = self.node_ids[0]
        self.task_id: int | None = None  # the task a view (acting_for) runs for
        self.tasks: dict[int, dict] = {}
        self.runs: dict[int, dict] = {}
        self._task_ids = itertools.count(1)
        self._run_ids = itertools.count(1)
        self.task = _Tasks(self)
        self.run = _Runs(self)
        self.result = _Results(self)
        self.organization = _Organizations(self)
        self.collaboration = _Collaborations(self)

    def acting_for(self, organization_id: int, task_id: int | None = None) -> MockAlgorithmClient:
        """The same mock network, seen by an algorithm running at ``organization_id`` (for
        task ``task_id``)."""
        view = copy.copy(self)
        view.organization_id = organization_id
        view.node_id = self.node_ids[self.organization_ids.index(organization_id)]
        view.task_id = task_id
        for name in ("task", "run", "result", "organization", "collaboration"):
            setattr(view, name, type(getattr(self, name))(view))
        return view

    def wait_for_results(self, task_id: int, **_) -> list:
        return self.result.from_task(task_id)


def _ids(kind: str, given: list[int] | None, count: int) -> list[int]:
    """The ids given, one per organization; 0, 1, 2, ... otherwise (as the original)."""
    if given and len(given) == count:
        return list(given)
    if given:
        log.warning(
            "%s %s ids given for %s organizations with datasets; using %s instead",
            len(given),
            kind,
            count,
            list(range(count)),
        )
    return list(range(count))


def _frame(spec: dict):
    if "database" not in spec:
        raise ValueError(f"a mock dataset needs a 'database' (a DataFrame or a file): {spec}")
    database = spec["database"]
    if isinstance(database, str):
        database = load(
            database, spec.get("db_type") or "csv", spec.get("query"), spec.get("sheet_name")
        )
    return preprocess(database, spec.get("preprocessing"))


def _copy(frame):
    """A copy for one run, so that what it changes does not reach the next."""
    return frame.copy() if callable(getattr(frame, "copy", None)) else frame


class _Sub:
    def __init__(self, parent: MockAlgorithmClient):
        self.parent = parent


class _Tasks(_Sub):
    def create(
        self,
        input_,
        organizations: list[int] | None = None,
        name: str = "mock",
        description: str = "mock",
    ) -> dict:
        """Run the task at each organization now; its runs hold the JSON-decoded results."""
        mock = self.parent
        organizations = list(organizations or [])
        call = parse_input(json.dumps(input_).encode())
        unknown = [id_ for id_ in organizations if id_ not in mock.frames]
        if unknown or not organizations:
            raise AlgorithmError(f"organizations {unknown or organizations} are not in the mock")
        task = {
            "id": next(mock._task_ids),
            "name": name,
            "description": description,
            "image": "mock_image",
            "collaboration_id": mock.collaboration_id,
            "collaboration": {"id": mock.collaboration_id},
            "init_org_id": mock.organization_id,
            "init_org": {"id": mock.organization_id},
            "parent": None if mock.task_id is None else {"id": mock.task_id},
            "status": "completed",
        }
        mock.tasks[task["id"]] = task
        for id_ in organizations:
            result = invoke(
                mock.module,
                call,
                mock_data=[_copy(frame) for frame in mock.frames[id_]],
                mock_client=mock.acting_for(id_, task["id"]),
            )
            run_id = next(mock._run_ids)
            node_id = mock.node_ids[mock.organization_ids.index(id_)]
            mock.runs[run_id] = {
                "id": run_id,
                "task_id": task["id"],
                "organization_id": id_,
                "status": "completed",
                "input": json.dumps(input_),
                "log": "",
                "ports": [],
                "blob_storage_used": False,
                # as the server shows a run
                "task": {"id": task["id"]},
                "organization": {"id": id_},
                "node": {"id": node_id, "name": f"mock node {node_id}"},
                "result": json.loads(encode_result(result, call.method)),
            }
        return task

    def get(self, task_id: int) -> dict:
        return self.parent.tasks[task_id]


class _Runs(_Sub):
    def get(self, id_: int) -> dict:
        return self.parent.runs[id_]

    def from_task(self, task_id: int) -> list[dict]:
        return [run for run in self.parent.runs.values() if run["task_id"] == task_id]


class _Results(_Sub):
    def get(self, id_: int):
        return self.parent.runs[id_]["result"]

    def from_task(self, task_id: int) -> list:
        return [run["result"] for run in self.parent.run.from_task(task_id)]


class _Organizations(_Sub):
    def get(self, id_: int) -> dict:
        if id_ not in self.parent.frames:
            raise AlgorithmError(f"organization {id_} is not in the mock")
        return {"id": id_, "name": f"mock organization {id_}"}

    def list(self) -> list[dict]:
        return [self.get(id_) for id_ in self.parent.organization_ids]


class _Collaborations(_Sub):
    def get(self, is_encrypted: bool = True) -> dict:
        ids = self.parent.organization_ids
        return {
            "id": self.parent.collaboration_id,
            "name": "mock collaboration",
            "encrypted": is_encrypted,
            "organizations": ids,
        }
