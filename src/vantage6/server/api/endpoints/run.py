"""``/run`` and ``/result``: one organization's execution of a task, and what it produced.

Runs are read by those allowed to see them and reported on (``PATCH``) only by the node that
executes them; ``/result`` reads the same rows but shows only their results.
"""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest, HTTPConflict
from sqlalchemy import false, or_, select

from vantage6.common.task_status import TaskStatus
from vantage6.server.api.answers import PAGE, RECORD
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import included, parse_moment, query_int, time_param
from vantage6.server.api.run_page import run_summaries
from vantage6.server.api.run_status import is_open
from vantage6.server.api.schema import Body, json_body, optional_text, text
from vantage6.server.api.service import api_service
from vantage6.server.api.task_json import serialize_result, serialize_run
from vantage6.server.api.vpn import ipv4_text, place_run, port_list
from vantage6.server.api.writes import flush_or_400
from vantage6.server.events.domain import run_reported
from vantage6.server.models import Node, Run, Task
from vantage6.server.models.rule import Operation
from vantage6.server.models.types import utcnow
from vantage6.server.resources.base import scoped_filter

runs = api_service("runs", "/run", traverse="/runs")
run_service = api_service("run", "/run/{id}", traverse="/runs/{id}")
results = api_service("results", "/result", traverse="/runs")
result_service = api_service("result", "/result/{id}", traverse="/runs/{id}")


def moment(**kw):
    """ISO 8601 text (converted by the view: colander types must stay the plain ones the
    OpenAPI document knows)."""

    def check(node, value):
        try:
            parse_moment(value)
        except ValueError as exc:
            raise colander.Invalid(node, str(exc)) from None

    return text(validator=check, **kw)


class RunReport(Body):
    """What a node reports about a run; fields left out keep their value."""

    status = text(
        validator=colander.OneOf([status.value for status in TaskStatus]), missing=colander.drop
    )
    started_at = moment(missing=colander.drop)
    finished_at = moment(missing=colander.drop)
    result = optional_text()
    log = optional_text()
    vpn_address = ipv4_text(missing=colander.drop)
    vpn_ports = port_list(missing=colander.drop)


def visible(identity):
    """SQL condition on runs joined to their task: what the caller may view (mirrors
    RunContext's ACL)."""
    return scoped_filter(
        identity,
        "run",
        Operation.VIEW,
        organization=lambda own: or_(Run.organization_id == own, Task.init_org_id == own),
        collaboration=lambda ids: Task.collaboration_id.in_(ids),
        owner=lambda user_id: Task.init_user_id == user_id,
        job=lambda job_id: Task.job_id == job_id,
    )


INCLUDABLE = {"task"}
ID_FILTERS = {
    "task_id": Run.task_id,
    "organization_id": Run.organization_id,
    "collaboration_id": Task.collaboration_id,
}
TIME_FILTERS = {
    "assigned": Run.assigned_at,
    "started": Run.started_at,
    "finished": Run.finished_at,
}
SORTABLE = {
    "id": Run.id,
    "task_id": Run.task_id,
    "organization_id": Run.organization_id,
    "status": Run.status,
    "assigned_at": Run.assigned_at,
    "started_at": Run.started_at,
    "finished_at": Run.finished_at,
}


def run_query(request):
    """The runs the caller may see, narrowed by the query's filters."""
    params = request.params
    query = select(Run).join(Run.task).where(visible(request.identity))
    for name, column in ID_FILTERS.items():
        if name in params:
            query = query.where(column == query_int(request, name))
    for name, column in TIME_FILTERS.items():
        for suffix, compare in (("_from", column.__ge__), ("_till", column.__le__)):
            if name + suffix in params:
                query = query.where(compare(time_param(request, name + suffix)))
    if "node_id" in params:
        query = query.where(_of_node(request, query_int(request, "node_id")))
    if "status" in params:
        query = query.where(Run.status == params["status"])
    if "port" in params:  # the original's filter failed with a 500 (no such column)
        raise HTTPBadRequest(
            "cannot filter on port: each run lists its VPN ports in 'ports' (with "
            "'vpn_address'), and algorithms ask GET /vpn/algorithm/addresses"
        )
    if "state" in params:
        if params["state"] != "open":
            raise HTTPBadRequest(f"state can only be 'open', not {params['state']!r}")
        query = query.where(is_open())
    return query


def _of_node(request, node_id: int):
    node = request.dbsession.get(Node, node_id)
    if node is None:
        return false()
    return (Run.organization_id == node.organization_id) & (
        Task.collaboration_id == node.collaboration_id
    )


@runs.get(permission="view", response_schemas=PAGE)
def list_runs(request):
    include = included(request, INCLUDABLE)
    return paginate(
        request,
        run_query(request),
        lambda run: serialize_run(request, run, include),
        SORTABLE,
        Run.id.asc(),
        fetch=lambda session, page: run_summaries(session, page, with_tasks="task" in include),
    )


@run_service.get(permission="view", response_schemas=RECORD)
def get_run(request):
    return serialize_run(request, request.context.row, included(request, INCLUDABLE))


@run_service.patch(
    permission="edit", schema=RunReport(), validators=(json_body,), response_schemas=RECORD
)
def report_run(request):
    """The node's report: only forward in the run's life cycle, never after it finished.
    It may hold the algorithm's place on the VPN (``vpn_address``, ``vpn_ports``; see
    :mod:`vantage6.server.api.vpn`). A failure stops the task's runs that have not started yet
    (they are marked failed).
    A report repeated after the run finished (a node sends it again when the answer to it
    was lost) is answered as the first was, and changes nothing."""
    run = request.context.row
    body = request.validated
    current = TaskStatus(run.status)
    if current.is_finished:
        if _repeats(run, body):
            return serialize_run(request, run)
        raise HTTPConflict(f"Run {run.id} has already finished ({run.status}); it cannot change")
    new = TaskStatus(body.get("status", current))
    if not current.can_become(new):
        raise HTTPBadRequest(f"Run {run.id} cannot go from {current.value!r} to {new.value!r}")
    if "finished_at" in body and not new.is_finished:
        raise HTTPBadRequest("finished_at can only be reported with a status that finishes the run")
    place_run(request, run, body, finishing=new.is_finished)
    for field in ("started_at", "finished_at"):
        if field in body:
            setattr(run, field, parse_moment(body[field]))
    for field in ("result", "log"):
        if field in body:
            setattr(run, field, body[field])
    run.status = new.value
    if new.is_finished and run.finished_at is None:
        run.finished_at = utcnow()
    if new.is_failure:
        _fail_unstarted_siblings(run)
    flush_or_400(request, run)
    run_reported(request, run, current.value)
    return serialize_run(request, run)


def _repeats(run: Run, body: dict) -> bool:
    """Whether a report says (its status included) only what the run holds already."""
    if "status" not in body:
        return False
    for field, value in body.items():
        if field in ("started_at", "finished_at"):
            value = parse_moment(value)
        if getattr(run, field) != value:
            return False
    return True


def _fail_unstarted_siblings(run: Run) -> None:
    """Once one run of a task fails the task has failed: its runs still pending need not start,
    and their log says why."""
    for sibling in run.task.runs:
        if sibling is not run and sibling.status == TaskStatus.PENDING.value:
            sibling.status = TaskStatus.FAILED.value
            sibling.finished_at = run.finished_at
            sibling.log = (
                f"Not started: the task failed, as its run {run.id} at organization "
                f"{run.organization_id} ended {run.status!r}"
            )


@results.get(permission="view", response_schemas=PAGE)
def list_results(request):
    return paginate(
        request,
        run_query(request),
        lambda run: serialize_result(request, run),
        SORTABLE,
        Run.id.asc(),
    )


@result_service.get(permission="view", response_schemas=RECORD)
def get_result(request):
    return serialize_result(request, request.context.row)
