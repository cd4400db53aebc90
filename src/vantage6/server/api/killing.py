"""Stopping runs. Every kill (``/kill/*``, deleting a task) goes through :func:`kill_runs`, which
tells the nodes (``kill_containers``, after the commit)."""

from __future__ import annotations

from sqlalchemy import select

from vantage6.common.task_status import TaskStatus
from vantage6.server.api.run_status import is_open
from vantage6.server.events.domain import kill_entry, runs_killed
from vantage6.server.models import Run, Task
from vantage6.server.models.types import utcnow


def kill_runs(request, runs) -> list[dict]:
    """Mark ``runs`` killed now, tell the nodes, and return the kill list (``task_id``,
    ``run_id``, ``organization_id`` of each) that they act on."""
    now = utcnow()
    for run in runs:
        run.status = TaskStatus.KILLED.value
        run.finished_at = now
    runs_killed(request, runs)
    return [kill_entry(run) for run in runs]


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


def kill_node_runs(request, node) -> list[dict]:
    """Kill the open runs of ``node``'s organization in ``node``'s collaboration."""
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
    return kill_runs(request, runs.all())
