"""The run life cycle in SQL, so that lists filter in the database: which runs are still
open, and a task's status as :attr:`Task.status` derives it from its runs."""

from __future__ import annotations

from sqlalchemy import case, distinct, exists, func, select

from vantage6.common.task_status import TaskStatus
from vantage6.server.models import Run, Task

UNFINISHED = [status.value for status in TaskStatus if not status.is_finished]


def is_open():
    """The run has not finished (it may still start, or be running)."""
    return Run.status.in_(UNFINISHED)


def derived_status():
    """SQL mirror of :attr:`Task.status`: a failure shared by the failed runs (or "failed"
    when they differ), else the least advanced open status, else "completed"."""
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
