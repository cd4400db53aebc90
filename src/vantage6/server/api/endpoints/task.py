"""``/task``: computation requests to organizations of a collaboration, one run per organization.

What a new task's body must satisfy is in :mod:`~vantage6.server.api.task_input`, the JSON in
:mod:`~vantage6.server.api.task_json`, and stopping its runs in
:mod:`~vantage6.server.api.killing`.
"""

from __future__ import annotations

from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from vantage6.server.api.answers import CREATED, MESSAGE, PAGE, RECORD, TaskStatus, answers
from vantage6.server.api.contexts import require
from vantage6.server.api.errors import Refused
from vantage6.server.api.killing import kill_task
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import included, query_int
from vantage6.server.api.run_status import derived_status
from vantage6.server.api.schema import json_body
from vantage6.server.api.service import api_service
from vantage6.server.api.task_input import TaskBody, new_task, problems
from vantage6.server.api.task_json import serialize_task
from vantage6.server.api.task_page import summaries
from vantage6.server.api.writes import flush_or_400
from vantage6.server.events.domain import task_created
from vantage6.server.models import Collaboration, Run, Study, Task, TaskDatabase
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import scoped_filter
from vantage6.server.resources.task import CollaborationTasks
from vantage6.server.security.identity import user_identity

tasks = api_service("tasks", "/task", traverse="/tasks")
task_service = api_service("task", "/task/{id}", traverse="/tasks/{id}")
task_status = api_service("task_status", "/task/{id}/status", traverse="/tasks/{id}")

INCLUDABLE = {"runs", "results"}
ID_FILTERS = {
    "init_org_id": Task.init_org_id,
    "init_user_id": Task.init_user_id,
    "collaboration_id": Task.collaboration_id,
    "parent_id": Task.parent_id,
    "job_id": Task.job_id,
    "study_id": Task.study_id,
}
LIKE_FILTERS = {"name": Task.name, "image": Task.image, "description": Task.description}
UNSUPPORTED_FILTERS = {"store_id": "algorithm stores"}
SORTABLE = {
    "id": Task.id,
    "name": Task.name,
    "image": Task.image,
    "created_at": Task.created_at,
    "job_id": Task.job_id,
    "collaboration_id": Task.collaboration_id,
}


@tasks.post(
    permission="create", schema=TaskBody(), validators=(json_body,), response_schemas=CREATED
)
def create_task(request):
    """Users create tasks with the task create rule of the collaboration; algorithm
    containers create subtasks of their own task. A task for a study (``study_id``) goes to
    organizations in that study; a subtask is for its task's study. All checks pass or
    nothing is stored."""
    body = request.validated
    identity = request.identity
    study = _study(request, body)
    collaboration = request.dbsession.get(Collaboration, body["collaboration_id"])
    if collaboration is None:
        raise HTTPBadRequest(f"Collaboration {body['collaboration_id']} does not exist")
    if identity.kind == "container":
        parent = _container_parent(request, collaboration)
        study = _subtask_study(parent, study)
    else:
        require(request, "create", CollaborationTasks(request.context, collaboration.id))
        parent = None
    if identity.organization_id not in collaboration.get_organization_ids():
        raise Refused(
            f"Your organization is not a member of collaboration {collaboration.id}, so it "
            "cannot start tasks there"
        )
    found = problems(request, body, collaboration, study)
    if found:
        raise HTTPBadRequest(f"The task was not created: {'; '.join(found)}")
    created = new_task(request, body, collaboration, parent, study)
    request.dbsession.add(created)
    flush_or_400(request, created)
    task_created(request, created)
    request.response.status = 201
    return serialize_task(request, created)


def _study(request, body: dict) -> Study | None:
    """The study the task is for, if any; sets the body's collaboration_id to its
    collaboration's when left out (as the original, which takes either or both)."""
    if body.get("study_id") is None:
        if body.get("collaboration_id") is None:
            raise HTTPBadRequest("Send the collaboration_id or the study_id of the task")
        return None
    study = request.dbsession.get(Study, body["study_id"])
    if study is None:
        raise HTTPBadRequest(f"Study {body['study_id']} does not exist")
    if body.get("collaboration_id") is None:
        body["collaboration_id"] = study.collaboration_id
    elif body["collaboration_id"] != study.collaboration_id:
        raise HTTPBadRequest(
            f"Study {study.id} is part of collaboration {study.collaboration_id}, not of "
            f"collaboration {body['collaboration_id']}"
        )
    return study


def _subtask_study(parent: Task, study: Study | None) -> Study | None:
    """A subtask is for the study of its task: the algorithm of a study's task reaches no
    organization outside the study."""
    if study is not None and study.id != parent.study_id:
        raise Refused(
            f"An algorithm container creates subtasks only for the study of its own task "
            f"({parent.study_id if parent.study_id is not None else 'none'})"
        )
    return parent.study


def _container_parent(request, collaboration: Collaboration) -> Task:
    """The task whose algorithm container is asking: the new task becomes its subtask."""
    about = request.identity.claims["sub"]
    if collaboration.id != about["collaboration_id"]:
        raise Refused(
            f"An algorithm container creates subtasks only in its own collaboration "
            f"({about['collaboration_id']})"
        )
    parent = request.dbsession.get(Task, about["task_id"])  # it exists: its run does
    if request.validated["image"] != parent.image:
        raise Refused(
            f"An algorithm container creates subtasks only of its own image ({parent.image})"
        )
    _require_reach_of_creator(request, parent)
    return parent


def _require_reach_of_creator(request, parent: Task) -> None:
    """A subtask goes to the organizations of its parent task, or to others only while the
    user who started the job may still start tasks in the collaboration: an algorithm does
    nothing its user could not do (and nothing more once the user's rights are gone)."""
    wanted = {organization["id"] for organization in request.validated["organizations"]}
    outside = wanted - {run.organization_id for run in parent.runs}
    if not outside:
        return
    creator = parent.init_user
    where = CollaborationTasks(request.context, parent.collaboration_id)
    if creator is not None:
        principals = {
            Everyone,
            Authenticated,
            *user_identity(request.dbsession, creator).principals(),
        }
        if ACLHelper().permits(where, principals, "create"):
            return
    raise Refused(
        f"An algorithm container creates subtasks only for the organizations of its own task "
        f"unless the user who started the job may start tasks in collaboration "
        f"{parent.collaboration_id}; not for organization(s) {', '.join(map(str, sorted(outside)))}"
    )


def visible(identity):
    """SQL condition: the tasks the caller may view (mirrors TaskContext's ACL)."""
    return scoped_filter(
        identity,
        "task",
        Operation.VIEW,
        organization=lambda own: Task.init_org_id == own,
        collaboration=lambda ids: Task.collaboration_id.in_(ids),
        owner=lambda user_id: Task.init_user_id == user_id,
        job=lambda job_id: Task.job_id == job_id,
    )


@tasks.get(permission="view", response_schemas=PAGE)
def list_tasks(request):
    params = request.params
    query = select(Task).where(visible(request.identity))
    for name, column in ID_FILTERS.items():
        if name in params:
            query = query.where(column == query_int(request, name))
    for name, column in LIKE_FILTERS.items():
        if name in params:
            query = query.where(column.like(params[name]))
    for name, feature in UNSUPPORTED_FILTERS.items():
        if name in params:
            raise HTTPBadRequest(f"cannot filter on {name}: this server has no {feature}")
    if "status" in params:
        query = query.where(derived_status().like(params["status"]))
    if "run_id" in params:
        query = query.where(Task.runs.any(Run.id == query_int(request, "run_id")))
    if "database" in params:
        query = query.where(Task.databases.any(TaskDatabase.database == params["database"]))
    if "is_user_created" in params:
        top_level = query_int(request, "is_user_created") > 0
        query = query.where(Task.parent_id.is_(None) if top_level else Task.parent_id.is_not(None))
    include = included(request, INCLUDABLE)
    if include:
        query = query.options(selectinload(Task.runs), selectinload(Task.databases))
    return paginate(
        request,
        query,
        lambda task: serialize_task(request, task, include),
        SORTABLE,
        Task.id.desc(),
        fetch=None if include else summaries,
    )


@task_service.get(permission="view", response_schemas=RECORD)
def get_task(request):
    return serialize_task(request, request.context.row, included(request, INCLUDABLE))


@task_status.get(
    permission="view", response_schemas=answers(200, TaskStatus(), "The task's status")
)
def get_task_status(request):
    """The cheap endpoint to poll while waiting for results."""
    return {"status": request.context.row.status}


@task_service.delete(permission="delete", response_schemas=MESSAGE)
def delete_task(request):
    """Stops what still runs, then deletes the task with its runs and all its subtasks."""
    target = request.context.row
    kill_task(request, target)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Task {target.id} was deleted, with its runs and subtasks"}
