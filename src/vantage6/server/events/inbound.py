"""What nodes may tell the server over a socket besides ``ping``: the original 4.x node's events,
the same on ``/ws`` and on socket.io.

- ``node_info_update``: the node's shared configuration (encryption and the formats it reads,
  policies, database labels, types and columns), shown on the node resource (``config``), also
  while the node is offline (see presence).
- ``algorithm_log``: a line of a run's log, relayed live to those who hear the run's events.
  Nothing is stored: the node reports the whole log with ``PATCH /run/<id>``.
- ``algorithm_status_change`` and ``node_metrics_update``: taken and dropped. ``PATCH /run``
  has already published the change, and this server keeps no metrics.

A handler returns the error message for the sender, or None.
"""

from __future__ import annotations

from sqlalchemy import select

from vantage6.server.events.model import Event
from vantage6.server.models import Run, Task

MAX_CONFIG_ENTRIES = 1000


def node_info_update(registry, identity, data) -> str | None:
    if not isinstance(data, dict):
        return "node_info_update needs an object of the node's settings"
    entries = shared_config(data)
    if len(entries) > MAX_CONFIG_ENTRIES:
        return f"node_info_update may have at most {MAX_CONFIG_ENTRIES} values"
    registry["vantage6.events.presence"].share_config(identity.id, entries)
    return None


def algorithm_log(registry, identity, data) -> str | None:
    """Relayed only for a run of the node's own organization in its own collaboration."""
    run_id = data.get("run_id") if isinstance(data, dict) else None
    if type(run_id) is not int or not isinstance(data.get("log"), str):  # not a bool either
        return 'algorithm_log needs {"run_id": <id>, "log": "<text>"}'
    (collaboration_id,) = identity.collaboration_ids
    with registry["dbsession_factory"]() as session:
        found = session.execute(
            select(Run.organization_id, Task.id, Task.init_org_id)
            .join(Task, Run.task_id == Task.id)
            .where(
                Run.id == run_id,
                Run.organization_id == identity.organization_id,
                Task.collaboration_id == collaboration_id,
            )
        ).first()
    if found is None:
        return f"run {run_id} is not a run of this node"
    organization_id, task_id, initiator = found
    line = {"run_id": run_id, "task_id": task_id, "log": data["log"]}
    event = Event("algorithm_log", line, collaboration_id, (organization_id, initiator))
    registry["vantage6.events.bus"].publish([event])
    return None


def dropped(registry, identity, data) -> None:
    return None


HANDLERS = {
    "node_info_update": node_info_update,
    "algorithm_log": algorithm_log,
    "algorithm_status_change": dropped,
    "node_metrics_update": dropped,
}


def shared_config(data: dict) -> list[dict]:
    """The original's flattening into ``{"key", "value"}`` entries: a list gives an entry per
    item, an object an entry (or entries) per inner key; values as text."""
    entries = []
    for key, value in data.items():
        pairs = value.items() if isinstance(value, dict) else [(key, value)]
        for name, inner in pairs:
            for item in inner if isinstance(inner, list) else [inner]:
                entries.append({"key": str(name), "value": str(item)})
    return entries
