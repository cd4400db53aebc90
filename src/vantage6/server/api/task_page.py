"""Pages of tasks read as plain rows: the task list is the API's busiest read, and building
ORM objects for a page and its runs cost more than the queries themselves.

:class:`TaskSummary` has the attributes :func:`~vantage6.server.api.task_json.serialize_task`
reads, so both paths render the same JSON.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import bindparam, select

from vantage6.server.models import Run, Task, TaskDatabase
from vantage6.server.models.task import derived_status, last_finish

COLUMNS = (
    Task.id,
    Task.name,
    Task.description,
    Task.image,
    Task.job_id,
    Task.created_at,
    Task.collaboration_id,
    Task.study_id,
    Task.parent_id,
    Task.init_org_id,
    Task.job_init_org_id,
    Task.init_user_id,
)

# The page's runs and database labels, built once (building a statement costs more than
# SQLite takes to run it).
PAGE_RUNS = select(Run.task_id, Run.status, Run.finished_at).where(
    Run.task_id.in_(bindparam("ids", expanding=True))
)
PAGE_DATABASES = (
    select(TaskDatabase.task_id, TaskDatabase.database, TaskDatabase.parameters)
    .where(TaskDatabase.task_id.in_(bindparam("ids", expanding=True)))
    .order_by(TaskDatabase.id)
)


@dataclass(frozen=True)
class DatabaseLabel:
    database: str
    parameters: str | None


@dataclass(frozen=True)
class TaskSummary:
    id: int
    name: str | None
    description: str | None
    image: str
    job_id: int
    created_at: dt.datetime
    collaboration_id: int
    study_id: int | None
    parent_id: int | None
    init_org_id: int
    job_init_org_id: int | None
    init_user_id: int | None
    status: str
    complete: bool
    finished_at: dt.datetime | None
    databases: list[DatabaseLabel]


def summaries(session, query) -> list[TaskSummary]:
    """The tasks ``query`` (a select of :class:`Task`) finds, with what their runs say about
    them: three queries, whatever the page size, run on the connection (no ORM layer)."""
    connection = session.connection()
    rows = connection.execute(query.with_only_columns(*COLUMNS)).all()
    ids = [row.id for row in rows]
    runs = defaultdict(list)
    for task_id, status, finished_at in connection.execute(PAGE_RUNS, {"ids": ids}):
        runs[task_id].append((status, finished_at))
    databases = defaultdict(list)
    for task_id, label, parameters in connection.execute(PAGE_DATABASES, {"ids": ids}):
        databases[task_id].append(DatabaseLabel(label, parameters))
    return [_summary(row, runs[row.id], databases[row.id]) for row in rows]


def _summary(row, runs: list[tuple], databases: list[DatabaseLabel]) -> TaskSummary:
    statuses = [status for status, _ in runs]
    finish_times = [finished_at for _, finished_at in runs]
    return TaskSummary(
        **row._asdict(),
        status=derived_status(statuses),
        complete=None not in finish_times,
        finished_at=last_finish(finish_times),
        databases=databases,
    )
