"""``/kill/*``: stop the runs of a task (and its subtasks) or of a node that have not finished.

Both go through :func:`vantage6.server.api.task.kill_runs`, the one place that marks runs
killed and says what the nodes must stop.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound
from sqlalchemy import select

from vantage6.server.api.schema import Body, json_body
from vantage6.server.api.service import api_service
from vantage6.server.api.task import context_for, is_open, kill_runs, kill_task, record_id
from vantage6.server.models import Node, Run, Task
from vantage6.server.resources import NOT_FOUND
from vantage6.server.resources.run import NodeRuns

kill_task_service = api_service("kill_task", "/kill/task", traverse="/tasks")
kill_node_service = api_service("kill_node_tasks", "/kill/node/tasks", traverse="/runs")


class KillRequest(Body):
    id = record_id()


@kill_task_service.post(permission="kill", schema=KillRequest(), validators=(json_body,))
def kill_task_runs(request):
    """Allowed to those who may send events to, or delete tasks of, the task's collaboration
    or initiating organization (or, for task deletion, who created it)."""
    context = context_for(request, request.context, request.validated["id"])
    if not request.has_permission("kill", context):
        raise HTTPForbidden()
    task = context.row
    killed = kill_task(request, task)
    if not killed:
        raise HTTPBadRequest(f"Task {task.id} and its subtasks have already finished")
    return {
        "msg": f"{len(killed)} run(s) of task {task.id} and its subtasks were killed",
        "killed": killed,
    }


@kill_node_service.post(permission="kill", schema=KillRequest(), validators=(json_body,))
def kill_node_runs(request):
    """Kill the open runs of the node's organization in the node's collaboration; allowed to
    those who may send events to that collaboration or organization."""
    node_id = request.validated["id"]
    node = request.dbsession.get(Node, node_id)
    if node is None:
        request.environ[NOT_FOUND] = f"Node {node_id} does not exist"  # what the 404 says
        raise HTTPNotFound()
    if not request.has_permission("kill", NodeRuns(request.context, str(node.id), node)):
        raise HTTPForbidden()
    runs = request.dbsession.scalars(
        select(Run)
        .join(Run.task)
        .where(
            Run.organization_id == node.organization_id,
            Task.collaboration_id == node.collaboration_id,
            is_open(),
        )
        .order_by(Run.id)
    )
    killed = kill_runs(request, runs.all())
    return {"msg": f"{len(killed)} run(s) at node {node.id} were killed", "killed": killed}
