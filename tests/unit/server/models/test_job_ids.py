"""Job ids are unique under concurrent allocation and are never reused after deletes.

The original computed ``max(job_id) + 1`` without a lock, so two simultaneous task creations
could share a job. Here each id comes from a row insert into ``job``.
"""

from __future__ import annotations

import threading

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from vantage6.server import models as db
from vantage6.server.models import allocate_job_id
from vantage6.server.models.shell import bound_shell_session

THREADS = 4
PER_THREAD = 25


def test_concurrent_allocations_are_unique(make_database):
    engine = make_database()
    start = threading.Barrier(THREADS)
    allocated: list[list[int]] = [[] for _ in range(THREADS)]
    errors: list[BaseException] = []

    def allocate(mine: list[int]) -> None:
        try:
            with Session(engine) as session:
                start.wait()
                for _ in range(PER_THREAD):
                    mine.append(allocate_job_id(session))
                    session.commit()
        except BaseException as exc:  # reported below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=allocate, args=(mine,)) for mine in allocated]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    ids = [job_id for mine in allocated for job_id in mine]
    assert len(ids) == THREADS * PER_THREAD
    assert len(set(ids)) == len(ids)
    for mine in allocated:
        assert mine == sorted(mine)  # each writer sees its own ids increase
    with Session(engine) as session:
        assert sorted(session.scalars(select(db.Job.id))) == sorted(ids)


def test_ids_are_not_reused_after_deleting_tasks_and_jobs(make_database):
    engine = make_database()
    with Session(engine) as session, bound_shell_session(session):
        org = db.Organization(name="A")
        collab = db.Collaboration(name="C", organizations=[org])
        collab.save()
        tasks = []
        for _ in range(3):
            task = db.Task(image="img", collaboration=collab, init_org=org)
            task.save()
            tasks.append(task)
        highest = max(task.job_id for task in tasks)
        for task in tasks:
            task.delete()
        session.execute(delete(db.Job))
        session.commit()
        assert session.scalars(select(db.Job.id)).all() == []

    with Session(engine) as session, bound_shell_session(session):
        assert allocate_job_id(session) > highest
        session.commit()
        collab = db.Collaboration.get_by_name("C")
        org = db.Organization.get_by_name("A")
        task = db.Task(image="img", collaboration=collab, init_org=org)
        task.save()
        assert task.job_id > highest + 1


def test_a_rolled_back_allocation_does_not_break_the_next(make_database):
    engine = make_database()
    with Session(engine) as session:
        first = allocate_job_id(session)
        session.commit()
        allocate_job_id(session)
        session.rollback()
        assert allocate_job_id(session) > first
        session.commit()
