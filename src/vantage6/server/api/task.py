"""``/task``: computation requests to organizations of a collaboration, one run per organization.

This module also holds what the run, kill and container-token endpoints share with it: the JSON
of tasks, runs and results, the open-run condition, and :func:`kill_runs`.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json

import colander
from pyramid.httpexceptions import (
    HTTPBadRequest,
    HTTPClientError,
    HTTPForbidden,
    HTTPNotFound,
)
from sqlalchemy import case, distinct, exists, func, select
from sqlalchemy.orm import selectinload

from vantage6.common.task_status import TaskStatus
from vantage6.server.api.pagination import paginate
from vantage6.server.api.schema import Body, json_body, optional_text, text, whole_number
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400, query_int
from vantage6.server.models import Collaboration, Node, Run, Task, TaskDatabase
from vantage6.server.models.rule import Operation
from vantage6.server.models.types import utcnow
from vantage6.server.resources.base import MAX_ID, scoped_filter
from vantage6.server.resources.task import CollaborationTasks

tasks = api_service("tasks", "/task", traverse="/tasks")
task_service = api_service("task", "/task/{id}", traverse="/tasks/{id}")
task_status = api_service("task_status", "/task/{id}/status", traverse="/tasks/{id}")

UNFINISHED = [status.value for status in TaskStatus if not status.is_finished]
# The HTTP methods of the objects links point to (the original's HATEOAS "methods").
METHODS = {
    "collaboration": ["GET", "PATCH", "DELETE"],
    "organization": ["GET", "PATCH", "DELETE"],
    "user": ["GET", "PATCH", "DELETE"],
    "task": ["GET", "DELETE"],
    "run": ["GET", "PATCH"],
    "result": ["GET"],
}


class Refused(HTTPClientError):
    """403 with a reason the caller can act on (a plain HTTPForbidden gets the generic
    answer, which is right for ACL denials)."""

    code = 403
    title = "Forbidden"


# -- request bodies -------------------------------------------------------------------------


def record_id(**kw):
    """An id in a request body: a whole number that a database can hold."""
    return whole_number(validator=colander.Range(min=1, max=MAX_ID), **kw)


def unsupported(node_factory, feature: str):
    """A field of the original API for a feature this server does not have (studies,
    algorithm stores): accepted when left out or null, refused otherwise."""

    def refuse(node, value):
        if value is not None:
            raise colander.Invalid(
                node, f"cannot be used: this server has no {feature}; leave it out or send null"
            )

    node = node_factory(missing=colander.drop, validator=refuse)
    node.nullable = True
    return node


def json_object(**kw):
    """Any JSON object (its content is for the algorithm, not for the server)."""
    return colander.SchemaNode(colander.Mapping(unknown="preserve"), **kw)


class TaskOrganization(Body):
    id = record_id()
    input = text()


class TaskDatabaseBody(Body):
    label = text(validator=colander.Length(min=1))
    query = text(missing=colander.drop)
    sheet_name = text(missing=colander.drop)
    preprocessing = colander.SchemaNode(colander.Sequence(), json_object(), missing=colander.drop)
    arguments = json_object(missing=colander.drop)


def _each_organization_once(node, organizations):
    ids = [organization["id"] for organization in organizations]
    repeated = sorted({id_ for id_ in ids if ids.count(id_) > 1})
    if repeated:
        raise colander.Invalid(node, f"names organization(s) {_ids(repeated)} more than once")


class TaskBody(Body):
    name = optional_text()
    description = optional_text()
    image = text(validator=colander.Length(min=1))
    collaboration_id = record_id()
    organizations = colander.SchemaNode(
        colander.Sequence(),
        TaskOrganization(),
        validator=colander.All(
            colander.Length(min=1, min_err="must name at least one organization"),
            _each_organization_once,
        ),
    )
    databases = colander.SchemaNode(colander.Sequence(), TaskDatabaseBody(), missing=colander.drop)
    study_id = unsupported(whole_number, "studies")
    store_id = unsupported(whole_number, "algorithm stores")
    server_url = unsupported(text, "algorithm stores")


# -- JSON -----------------------------------------------------------------------------------


def link(request, resource: str, id_: int | None) -> dict | None:
    if id_ is None:
        return None
    api = request.registry.settings["vantage6.api_path"]
    return {"id": id_, "link": f"{api}/{resource}/{id_}", "methods": METHODS[resource]}


def iso(moment) -> str | None:
    return None if moment is None else moment.isoformat()


def serialize_task(request, task: Task, include=frozenset()) -> dict:
    """The original's TaskSchema (plus ``complete``, which 3.x clients poll); ``include``
    may embed ``runs`` and ``results`` instead of linking to them."""
    api = request.registry.settings["vantage6.api_path"]
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
        "children": f"{api}/task?parent_id={task.id}",
        "runs": f"{api}/run?task_id={task.id}",
        "results": f"{api}/result?task_id={task.id}",
        "init_org": link(request, "organization", task.init_org_id),
        "init_user": link(request, "user", task.init_user_id),
        "databases": [
            {"label": database.database, "parameters": database.parameters}
            for database in task.databases
        ],
        "study": None,
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
    }


def serialize_result(request, run: Run) -> dict:
    return {
        "id": run.id,
        "result": run.result,
        "run": link(request, "run", run.id),
        "task": link(request, "task", run.task_id),
    }


def included(request, allowed: set[str]) -> set[str]:
    """``include=a,b`` or repeated ``include=``: what to embed; unknown names are a 400."""
    wanted = {
        part.strip()
        for value in request.params.getall("include")
        for part in value.split(",")
        if part.strip()
    }
    unknown = wanted - allowed
    if unknown:
        raise HTTPBadRequest(
            f"cannot include {', '.join(sorted(unknown))}; include one of: "
            f"{', '.join(sorted(allowed))}"
        )
    return wanted


# -- shared by the endpoints of tasks, runs, kills and container tokens ---------------------


def context_for(request, container, id_: int):
    """The traversal context of record ``id_`` in ``container``, or a 404 naming it."""
    try:
        return container[str(id_)]
    except KeyError:  # the container has said what is missing, for the 404 view
        raise HTTPNotFound() from None


def is_open():
    """SQL condition: the run has not finished (it may still start, or be running)."""
    return Run.status.in_(UNFINISHED)


def kill_runs(request, runs) -> list[dict]:
    """Mark ``runs`` killed now and return the kill list (``task_id``, ``run_id``,
    ``organization_id`` of each) that the nodes act on. Every kill goes through here, so this
    is where the nodes are to be told (``request`` is for that)."""
    now = utcnow()
    for run in runs:
        run.status = TaskStatus.KILLED.value
        run.finished_at = now
    return [
        {"task_id": run.task_id, "run_id": run.id, "organization_id": run.organization_id}
        for run in runs
    ]


def kill_task(request, task: Task) -> list[dict]:
    """Kill the open runs of ``task`` and of all its descendants, at any depth."""
    session = request.dbsession
    ids, frontier = {task.id}, {task.id}
    while frontier:
        frontier = set(session.scalars(select(Task.id).where(Task.parent_id.in_(frontier))))
        frontier -= ids
        ids |= frontier
    runs = session.scalars(select(Run).where(Run.task_id.in_(ids), is_open()).order_by(Run.id))
    return kill_runs(request, runs.all())


# -- creating a task ------------------------------------------------------------------------


@tasks.post(permission="create", schema=TaskBody(), validators=(json_body,))
def create_task(request):
    """Users create tasks with the task create rule of the collaboration; algorithm
    containers create subtasks of their own task. All checks pass or nothing is stored."""
    body = request.validated
    identity = request.identity
    collaboration = request.dbsession.get(Collaboration, body["collaboration_id"])
    if collaboration is None:
        raise HTTPBadRequest(f"Collaboration {body['collaboration_id']} does not exist")
    if identity.kind == "container":
        parent = _container_parent(request, collaboration)
    elif request.has_permission("create", CollaborationTasks(request.context, collaboration.id)):
        parent = None
    else:
        raise HTTPForbidden()
    if identity.organization_id not in collaboration.get_organization_ids():
        raise Refused(
            f"Your organization is not a member of collaboration {collaboration.id}, so it "
            "cannot start tasks there"
        )
    problems = _problems(request, body, collaboration)
    if problems:
        raise HTTPBadRequest(f"The task was not created: {'; '.join(problems)}")
    created = _new_task(request, body, collaboration, parent)
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize_task(request, created)


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
    return parent


def _new_task(request, body: dict, collaboration: Collaboration, parent: Task | None) -> Task:
    identity = request.identity
    created = Task(
        name=body.get("name"),
        description=body.get("description"),
        image=body["image"],
        collaboration_id=collaboration.id,
        init_org_id=identity.organization_id,
        # A subtask belongs to its parent's job and user (Task gives it the parent's job_id).
        init_user_id=identity.id if parent is None else parent.init_user_id,
        parent=parent,
    )
    created.databases = [
        TaskDatabase(
            database=database["label"],
            parameters=json.dumps(
                {key: value for key, value in database.items() if key != "label"},
                separators=(",", ":"),
            ),
        )
        for database in body.get("databases", ())
    ]
    created.runs = [
        Run(
            organization_id=organization["id"],
            input=organization["input"],
            status=TaskStatus.PENDING.value,
        )
        for organization in body["organizations"]
    ]
    return created


def _problems(request, body: dict, collaboration: Collaboration) -> list[str]:
    """Everything wrong with the task: our own checks, then the task validator plugins'."""
    problems = _organization_problems(request.dbsession, body, collaboration)
    problems += [
        problem
        for organization in body["organizations"]
        if (problem := _input_problem(organization, collaboration))
    ]
    results = request.registry["vantage6.plugins"].hook.vantage6_validate_task(
        task_input=copy.deepcopy(body), collaboration=collaboration, request=request
    )
    for found in results:
        problems += found
    return problems


def _organization_problems(session, body: dict, collaboration: Collaboration) -> list[str]:
    wanted = [organization["id"] for organization in body["organizations"]]
    members = set(collaboration.get_organization_ids())
    with_node = set(
        session.scalars(
            select(Node.organization_id).where(
                Node.collaboration_id == collaboration.id, Node.organization_id.in_(wanted)
            )
        )
    )
    outsiders = [id_ for id_ in wanted if id_ not in members]
    nodeless = [id_ for id_ in wanted if id_ in members and id_ not in with_node]
    problems = []
    if outsiders:
        problems.append(
            f"organization(s) {_ids(outsiders)} are not members of collaboration {collaboration.id}"
        )
    if nodeless:
        problems.append(
            f"organization(s) {_ids(nodeless)} have no node in collaboration {collaboration.id}"
        )
    return problems


def _input_problem(organization: dict, collaboration: Collaboration) -> str | None:
    """Input must suit the collaboration: encrypted ones take only encrypted input, others
    only readable input (base64 of UTF-8 text, e.g. JSON)."""
    readable = _readable(organization["input"])
    whose = f"the input for organization {organization['id']}"
    if readable is None:
        return f"{whose} is not base64 text (or base64 parts joined by '$', when encrypted)"
    if collaboration.encrypted and readable:
        return (
            f"{whose} is not encrypted, but collaboration {collaboration.id} requires "
            "encrypted input"
        )
    if not collaboration.encrypted and not readable:
        return (
            f"{whose} cannot be read, but collaboration {collaboration.id} is not encrypted: "
            "send the input base64-encoded, without encryption"
        )
    return None


def _readable(value: str) -> bool | None:
    """True for base64 of UTF-8 text (plain input); False for other base64, or base64 parts
    joined by '$' (the encrypted wire format); None when it is neither."""
    try:
        parts = [base64.b64decode(part, validate=True) for part in value.split("$")]
    except (binascii.Error, ValueError):
        return None
    if len(parts) > 1:
        return False
    try:
        parts[0].decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _ids(ids) -> str:
    return ", ".join(str(id_) for id_ in ids)


# -- reading and deleting tasks -------------------------------------------------------------


def visible(identity):
    """SQL condition: the tasks the caller may view (mirrors TaskContext's ACL)."""
    return scoped_filter(
        identity,
        "task",
        Operation.VIEW,
        organization=lambda own: Task.init_org_id == own,
        collaboration=lambda ids: Task.collaboration_id.in_(ids),
        owner=lambda user_id: Task.init_user_id == user_id,
    )


def derived_status():
    """SQL mirror of :attr:`Task.status`, so that ``?status=`` filters in the database: a
    failure shared by the failed runs (or "failed" when they differ), else the least advanced
    open status, else "completed"."""
    of_task = Run.task_id == Task.id
    failed = Run.status.not_in([*UNFINISHED, TaskStatus.COMPLETED.value])
    failures = select(func.count(distinct(Run.status))).where(of_task, failed).scalar_subquery()
    failure = select(func.min(Run.status)).where(of_task, failed).scalar_subquery()

    def present(status: TaskStatus):
        return exists().where(of_task, Run.status == status.value)

    return case(
        (failures == 1, failure),
        (failures > 1, TaskStatus.FAILED.value),
        *[
            (present(status), status.value)
            for status in (TaskStatus.ACTIVE, TaskStatus.INITIALIZING, TaskStatus.PENDING)
        ],
        else_=TaskStatus.COMPLETED.value,
    )


ID_FILTERS = {
    "init_org_id": Task.init_org_id,
    "init_user_id": Task.init_user_id,
    "collaboration_id": Task.collaboration_id,
    "parent_id": Task.parent_id,
    "job_id": Task.job_id,
}
LIKE_FILTERS = {"name": Task.name, "image": Task.image, "description": Task.description}
UNSUPPORTED_FILTERS = {"study_id": "studies", "store_id": "algorithm stores"}
SORTABLE = {
    "id": Task.id,
    "name": Task.name,
    "image": Task.image,
    "created_at": Task.created_at,
    "job_id": Task.job_id,
    "collaboration_id": Task.collaboration_id,
}


@tasks.get(permission="view")
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
    include = included(request, {"runs", "results"})
    query = query.options(selectinload(Task.runs), selectinload(Task.databases))
    return paginate(
        request, query, lambda t: serialize_task(request, t, include), SORTABLE, Task.id.desc()
    )


@task_service.get(permission="view")
def get_task(request):
    include = included(request, {"runs", "results"})
    return serialize_task(request, request.context.row, include)


@task_status.get(permission="view")
def get_task_status(request):
    """The cheap endpoint to poll while waiting for results."""
    return {"status": request.context.row.status}


@task_service.delete(permission="delete")
def delete_task(request):
    """Stops what still runs, then deletes the task with its runs and all its subtasks."""
    target = request.context.row
    kill_task(request, target)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Task {target.id} was deleted, with its runs and subtasks"}
