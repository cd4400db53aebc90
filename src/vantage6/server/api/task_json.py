"""The JSON of tasks, runs and results (the original's schemas), shared by ``/task``, ``/run``
and ``/result``."""

from __future__ import annotations

from vantage6.server.api.render import iso, link, listing
from vantage6.server.models import Run, Task


def serialize_task(request, task: Task, include=frozenset()) -> dict:
    """The original's TaskSchema (plus ``complete``, which 3.x clients poll); ``include``
    may embed ``runs`` and ``results`` instead of linking to them."""
    body = {
        "id": task.id,
        "name": task.name,
        "description": task.description,
        "image": task.image,
        "job_id": task.job_id,
        "created_at": iso(task.created_at),
        "status": task.status,
        "finished_at": iso(task.finished_at),
        "complete": task.complete,
        "collaboration": link(request, "collaboration", task.collaboration_id),
        "parent": link(request, "task", task.parent_id),
        "children": listing(request, "task", parent_id=task.id),
        "runs": listing(request, "run", task_id=task.id),
        "results": listing(request, "result", task_id=task.id),
        "init_org": link(request, "organization", task.init_org_id),
        # Beyond the original: who started the job (a subtask's init_org is the organization
        # whose algorithm created it, which its results are encrypted for).
        "job_init_org": link(request, "organization", task.job_init_org_id),
        "init_user": link(request, "user", task.init_user_id),
        "databases": [
            {"label": database.database, "parameters": database.parameters}
            for database in task.databases
        ],
        "study": link(request, "study", task.study_id),
        "algorithm_store": None,
    }
    if "runs" in include:
        body["runs"] = [serialize_run(request, run) for run in task.runs]
    if "results" in include:
        body["results"] = [serialize_result(request, run) for run in task.runs]
    return body


def serialize_run(request, run: Run, include=frozenset()) -> dict:
    """A run without its result (results are read through ``/result``)."""
    node = run.node
    return {
        "id": run.id,
        "input": run.input,
        "assigned_at": iso(run.assigned_at),
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "status": run.status,
        "log": run.log,
        "cleanup_at": iso(run.cleanup_at),
        "blob_storage_used": run.blob_storage_used,
        "organization": link(request, "organization", run.organization_id),
        "task": (
            serialize_task(request, run.task)
            if "task" in include
            else link(request, "task", run.task_id)
        ),
        "results": link(request, "result", run.id),
        "node": None
        if node is None
        else {"id": node.id, "name": node.name, "status": node.status, "ip": node.ip},
        # where the algorithm takes VPN traffic, as the original's list of algorithm ports
        "ports": [
            {"port": entry["port"], "label": entry["label"], "run_id": run.id}
            for entry in run.vpn_ports or []
        ],
        "vpn_address": run.vpn_address,
    }


def serialize_result(request, run: Run) -> dict:
    """The original's ResultSchema: a node's proxy reads ``blob_storage_used`` to know whether
    ``result`` is the encrypted result itself (always, here) or a blob's id."""
    return {
        "id": run.id,
        "result": run.result,
        "cleanup_at": iso(run.cleanup_at),
        "blob_storage_used": run.blob_storage_used,
        "run": link(request, "run", run.id),
        "task": link(request, "task", run.task_id),
    }
