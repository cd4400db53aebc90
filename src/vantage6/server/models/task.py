"""Tasks: a computation request to some organizations of a collaboration, and its jobs."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import Connection, ForeignKey, event, insert
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, synonym

from vantage6.common.task_status import TaskStatus
from vantage6.server.models.base import Base
from vantage6.server.models.shell import NamedMixin, shell_session
from vantage6.server.models.types import utcnow

if TYPE_CHECKING:
    from vantage6.server.models.collaboration import Collaboration
    from vantage6.server.models.organization import Organization
    from vantage6.server.models.run import Run
    from vantage6.server.models.study import Study
    from vantage6.server.models.user import User


class Job(Base):
    """Hands out job ids: a row per top-level task; ids are never reused, even on PostgreSQL
    with concurrent writers or after deletes on SQLite (AUTOINCREMENT)."""

    __tablename__ = "job"
    __table_args__ = {"sqlite_autoincrement": True}


def allocate_job_id(executor: Session | Connection) -> int:
    return executor.execute(insert(Job).returning(Job.id)).scalar_one()


class TaskDatabase(Base):
    """A database (by its node-side label) a task wants, with extra parameters as JSON."""

    __tablename__ = "task_database"

    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    database: Mapped[str]
    parameters: Mapped[str | None]

    task: Mapped[Task] = relationship(back_populates="databases")

    @property
    def label(self) -> str:
        return self.database


class Task(NamedMixin, Base):
    """Tasks of one job (a top-level task and the subtasks it spawns) share ``job_id``."""

    __tablename__ = "task"

    name: Mapped[str | None]
    description: Mapped[str | None]
    image: Mapped[str]
    collaboration_id: Mapped[int] = mapped_column(ForeignKey("collaboration.id"))
    # The study it targets (its organizations are the study's), inherited by subtasks.
    study_id: Mapped[int | None] = mapped_column(ForeignKey("study.id"))
    job_id: Mapped[int] = mapped_column(ForeignKey("job.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    init_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    # Who started the job: for a subtask the top-level task's init_org, whereas its own
    # init_org is the organization whose algorithm asked for it (results are encrypted for
    # that one). Nodes decide on this one whom they run work for.
    job_init_org_id: Mapped[int | None]
    init_user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    collaboration: Mapped[Collaboration] = relationship(back_populates="tasks")
    study: Mapped[Study | None] = relationship(back_populates="tasks")
    parent: Mapped[Task | None] = relationship(back_populates="children", remote_side="Task.id")
    children: Mapped[list[Task]] = relationship(
        back_populates="parent", cascade="all, delete-orphan", passive_deletes=True
    )
    runs: Mapped[list[Run]] = relationship(
        back_populates="task", cascade="all, delete-orphan", passive_deletes=True
    )
    init_org: Mapped[Organization] = relationship(back_populates="created_tasks")
    init_user: Mapped[User | None] = relationship(back_populates="created_tasks")
    databases: Mapped[list[TaskDatabase]] = relationship(
        back_populates="task",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by=TaskDatabase.id,
    )

    # Names from the 3.x shell documentation.
    run_id = synonym("job_id")
    initiator = synonym("init_org")

    @property
    def database(self) -> str | None:
        """The first database label; assigning a label sets it as the only database."""
        return self.databases[0].database if self.databases else None

    @database.setter
    def database(self, label: str) -> None:
        self.databases = [TaskDatabase(database=label)]

    @property
    def results(self) -> list[Run]:
        return self.runs

    @property
    def status(self) -> str:
        return derived_status([run.status for run in self.runs])

    @property
    def complete(self) -> bool:
        """True once every run has finished."""
        return all(run.complete for run in self.runs)

    @property
    def finished_at(self) -> dt.datetime | None:
        return last_finish([run.finished_at for run in self.runs])

    @classmethod
    def next_job_id(cls) -> int:
        """Reserve a fresh job id (admin shell); the API allocates them itself."""
        return allocate_job_id(shell_session())

    next_run_id = next_job_id  # the 3.x shell's name


def derived_status(run_statuses: list[str]) -> str:
    """A task's status from its runs': a failure they share (or "failed" when the failures
    differ), else the least advanced open status, else "completed"."""
    statuses = {TaskStatus(status) for status in run_statuses}
    failures = {status for status in statuses if status.is_failure}
    if failures:
        return failures.pop().value if len(failures) == 1 else TaskStatus.FAILED.value
    for status in (TaskStatus.ACTIVE, TaskStatus.INITIALIZING, TaskStatus.PENDING):
        if status in statuses:
            return status.value
    return TaskStatus.COMPLETED.value


def last_finish(finish_times: list[dt.datetime | None]) -> dt.datetime | None:
    """When the last run finished; None while any run is unfinished (or there are none)."""
    if not finish_times or None in finish_times:
        return None
    return max(finish_times)


@event.listens_for(Task, "before_insert")
def _assign_job_id(mapper, connection, task: Task) -> None:
    """Subtasks join their parent's job; other tasks without one get a new job."""
    if task.job_id is None:
        if task.parent is not None:
            task.job_id = task.parent.job_id
        else:
            task.job_id = allocate_job_id(connection)
    if task.job_init_org_id is None:
        parent = task.parent
        task.job_init_org_id = task.init_org_id if parent is None else parent.job_init_org_id
