"""``/kill/*``: stop the runs of a task (and its subtasks) or of a node that have not finished.

Both go through :mod:`~vantage6.server.api.killing`, the one place that marks runs killed and
says what the nodes must stop.
"""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest

from vantage6.server.api.answers import Killed, answers
from vantage6.server.api.contexts import context_for, require
from vantage6.server.api.killing import kill_node_runs, kill_task
from vantage6.server.api.schema import Body, json_body, record_id
from vantage6.server.api.service import api_service
from vantage6.server.resources.run import NodeRuns

kill_task_service = api_service("kill_task", "/kill/task", traverse="/tasks")
kill_node_service = api_service("kill_node_tasks", "/kill/node/tasks", traverse="/runs")

KILLED = answers(200, Killed(), "Killed")


class KillRequest(Body):
    id = record_id()


@kill_task_service.post(
    permission="kill", schema=KillRequest(), validators=(json_body,), response_schemas=KILLED
)
def kill_task_runs(request):
    """Allowed to those who may send events to, or delete tasks of, the task's collaboration
    or initiating organization (or, for task deletion, who created it)."""
    context = context_for(request, request.context, request.validated["id"])
    require(request, "kill", context)
    task = context.row
    killed = kill_task(request, task)
    if not killed:
        raise HTTPBadRequest(f"Task {task.id} and its subtasks have already finished")
    return {
        "msg": f"{len(killed)} run(s) of task {task.id} and its subtasks were killed",
        "killed": killed,
    }


@kill_node_service.post(
    permission="kill", schema=KillRequest(), validators=(json_body,), response_schemas=KILLED
)
def kill_runs_at_node(request):
    """Kill the open runs of the node's organization in the node's collaboration; allowed to
    those who may send events to that collaboration or organization."""
    node = context_for(request, request.root["nodes"], request.validated["id"]).row
    require(request, "kill", NodeRuns(request.context, str(node.id), node))
    killed = kill_node_runs(request, node)
    return {"msg": f"{len(killed)} run(s) at node {node.id} were killed", "killed": killed}
