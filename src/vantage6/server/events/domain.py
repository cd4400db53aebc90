"""The events the REST API publishes, in the shapes of the original (reference §5); each is
sent after the request commits, to its collaboration and the organizations it concerns."""

from __future__ import annotations

from itertools import groupby

from vantage6.server.events.publisher import publish

KILLS_PER_EVENT = 50  # keeps an event far below PostgreSQL's 8000-byte NOTIFY limit


def task_created(request, task) -> None:
    """``new_task``: nodes fetch their runs of it; the initiator's UI may follow it."""
    organizations = {run.organization_id for run in task.runs} | {task.init_org_id}
    publish(
        request,
        "new_task",
        {"id": task.id, "parent_id": task.parent_id},
        task.collaboration_id,
        organizations,
    )


def run_reported(request, run, previous_status: str) -> None:
    """``status_update`` for every report; ``algorithm_status_change`` when the status moved."""
    task = run.task
    organizations = (run.organization_id, task.init_org_id)
    publish(request, "status_update", {"run_id": run.id}, task.collaboration_id, organizations)
    if run.status == previous_status:
        return
    identity = request.identity
    change = {
        "status": run.status,
        "run_id": run.id,
        "task_id": task.id,
        "job_id": task.job_id,
        "collaboration_id": task.collaboration_id,
        "node_id": identity.id if identity.kind == "node" else None,
        "organization_id": run.organization_id,
        "parent_id": task.parent_id,
    }
    publish(request, "algorithm_status_change", change, task.collaboration_id, organizations)


def kill_entry(run) -> dict:
    """What a node needs to find a run's container (also the kill endpoints' answer)."""
    return {"task_id": run.task_id, "run_id": run.id, "organization_id": run.organization_id}


def runs_killed(request, runs) -> None:
    """``kill_containers`` per collaboration, at most :data:`KILLS_PER_EVENT` runs each."""
    by_collaboration = groupby(
        sorted(runs, key=lambda run: (run.task.collaboration_id, run.id)),
        key=lambda run: run.task.collaboration_id,
    )
    for collaboration_id, group in by_collaboration:
        killed = list(group)
        for start in range(0, len(killed), KILLS_PER_EVENT):
            chunk = killed[start : start + KILLS_PER_EVENT]
            kill_list = [kill_entry(run) for run in chunk]
            publish(
                request,
                "kill_containers",
                {"kill_list": kill_list, "collaboration_id": collaboration_id},
                collaboration_id,
                {run.organization_id for run in chunk},
            )
