"""Publishing from a request: events are collected and handed to the bus only once the
request's transaction has committed, so a rolled-back (or retried) request tells no one."""

from __future__ import annotations

import logging

from vantage6.server.events.model import Event

log = logging.getLogger(__name__)

PENDING = "_vantage6_pending_events"  # request attribute: (transaction, events waiting for it)


def publish(request, name: str, data: dict, collaboration_id: int, organization_ids=()) -> None:
    """Publish event ``name`` to the collaboration (and the given organizations in it) after
    the request commits."""
    event = Event(name, data, collaboration_id, tuple(sorted(set(organization_ids))))
    transaction = request.tm.get()
    waiting = getattr(request, PENDING, None)
    if waiting is None or waiting[0] is not transaction:
        waiting = (transaction, [])
        setattr(request, PENDING, waiting)
        bus = request.registry["vantage6.events.bus"]
        transaction.addAfterCommitHook(_after_commit, args=(bus, waiting[1]))
    waiting[1].append(event)


def _after_commit(success: bool, bus, events: list[Event]) -> None:
    if not success:
        return
    try:
        bus.publish(events)
    except Exception:  # the data is committed; a lost event is made up for by the resync
        log.exception("Could not publish %d event(s)", len(events))
