"""``/token/container``: a node asks for the token of an algorithm container it is about to
start. The token is bound to the node's run of the task and stops working when that run
finishes (see :mod:`vantage6.server.security.jwt_backend`)."""

from __future__ import annotations

import json

import colander
from pyramid.httpexceptions import HTTPBadRequest, HTTPConflict

from vantage6.common.task_status import TaskStatus
from vantage6.server.api.answers import ContainerToken, answers
from vantage6.server.api.contexts import context_for
from vantage6.server.api.errors import Refused
from vantage6.server.api.schema import Body, json_body, record_id, text
from vantage6.server.api.service import api_service
from vantage6.server.models import Node

container_token = api_service("token_container", "/token/container", traverse="/tasks")


class ContainerTokenRequest(Body):
    task_id = record_id()
    image = text(validator=colander.Length(min=1))


@container_token.post(
    permission="view",
    schema=ContainerTokenRequest(),
    validators=(json_body,),
    response_schemas=answers(200, ContainerToken(), "The container's token"),
)
def issue_container_token(request):
    body = request.validated
    context = context_for(request, request.context, body["task_id"])
    task = context.row
    if not request.has_permission("execute", context):
        raise Refused(
            f"Only the node of an organization that task {task.id} runs at can get tokens for "
            "its algorithm containers"
        )
    if body["image"] != task.image:
        raise HTTPBadRequest(f"Task {task.id} runs image {task.image!r}, not {body['image']!r}")
    node = request.identity
    run = next(run for run in task.runs if run.organization_id == node.organization_id)
    if TaskStatus(run.status).is_finished:
        raise HTTPConflict(
            f"Run {run.id} of task {task.id} has already finished ({run.status}); "
            "its algorithm needs no token"
        )
    subject = {
        "run_id": run.id,
        "task_id": task.id,
        "node_id": node.id,
        "organization_id": node.organization_id,
        "collaboration_id": task.collaboration_id,
        "image": task.image,
        "databases": [
            {"label": database.database, **_parameters(database.parameters)}
            for database in task.databases
        ],
        "study_id": task.study_id,
        "store_id": None,
    }
    # Refused as soon as the run finishes or the node's API key changes (jwt_backend).
    node_key = request.dbsession.get(Node, node.id).secret_hash
    token = request.registry["vantage6.tokens"].issue_container(subject, node_key)
    return {"container_token": token}


def _parameters(stored: str | None) -> dict:
    """A task database's extra parameters, stored as a JSON object."""
    return json.loads(stored) if stored else {}
