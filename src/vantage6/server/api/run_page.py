"""Pages of runs read as plain rows: a node asks for its open runs (with their tasks) every
time it looks for work, and loading them as ORM objects cost a query per run for its node
and one per task for the task's status.

:class:`RunSummary` has the attributes :func:`~vantage6.server.api.task_json.serialize_run`
reads, so the list and the single run render the same JSON.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_, select

from vantage6.server.api.task_page import TaskSummary, summaries
from vantage6.server.models import Node, Run, Task

COLUMNS = (
    Run.id,
    Run.input.label("input"),
    Run.assigned_at,
    Run.started_at,
    Run.finished_at,
    Run.status,
    Run.log,
    Run.cleanup_at,
    Run.blob_storage_used,
    Run.organization_id,
    Run.task_id,
    Run.vpn_address,
    Run.vpn_ports,
    Node.id.label("node_id"),
    Node.name.label("node_name"),
    Node.status.label("node_status"),
    Node.ip.label("node_ip"),
)
# The node that executes a run: its organization's node in the task's collaboration.
RUN_NODE = and_(
    Node.organization_id == Run.organization_id, Node.collaboration_id == Task.collaboration_id
)


@dataclass(frozen=True)
class NodeSummary:
    id: int
    name: str | None
    status: str | None
    ip: str | None


@dataclass(frozen=True)
class RunSummary:
    id: int
    input: str | None
    assigned_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    status: str
    log: str | None
    cleanup_at: dt.datetime | None
    blob_storage_used: bool
    organization_id: int
    task_id: int
    vpn_address: str | None
    vpn_ports: list | None
    node: NodeSummary | None
    task: TaskSummary | None


def run_summaries(session, query, with_tasks: bool) -> list[RunSummary]:
    """The runs ``query`` (a select of :class:`Run` joined to its task) finds, each with its
    node and, ``with_tasks``, its task: two queries, or five with the tasks."""
    page = query.with_only_columns(*COLUMNS).outerjoin(Node, RUN_NODE)
    rows = session.connection().execute(page).all()
    tasks = {}
    if with_tasks:
        task_ids = {row.task_id for row in rows}
        tasks = {
            task.id: task for task in summaries(session, select(Task).where(Task.id.in_(task_ids)))
        }
    return [_summary(row, tasks.get(row.task_id)) for row in rows]


def _summary(row, task: TaskSummary | None) -> RunSummary:
    node = None
    if row.node_id is not None:
        node = NodeSummary(row.node_id, row.node_name, row.node_status, row.node_ip)
    return RunSummary(
        id=row.id,
        input=row.input,
        assigned_at=row.assigned_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        status=row.status,
        log=row.log,
        cleanup_at=row.cleanup_at,
        blob_storage_used=row.blob_storage_used,
        organization_id=row.organization_id,
        task_id=row.task_id,
        vpn_address=row.vpn_address,
        vpn_ports=row.vpn_ports,
        node=node,
        task=task,
    )
