"""Publishing from a request: events are collected and handed to the bus (and then to the
``vantage6_event_committed`` plugins) only once the request's transaction has committed, so a
rolled-back (or retried) request tells no one."""

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
        transaction.addAfterCommitHook(
            _after_commit, args=(request.registry, waiting[1], request.identity)
        )
    waiting[1].append(event)


def _after_commit(success: bool, registry, events: list[Event], identity) -> None:
    if not success:
        return
    try:
        registry["vantage6.events.bus"].publish(events)
    except Exception:  # the data is committed; a lost event is made up for by the resync
        log.exception("Could not publish %d event(s)", len(events))
    hook = registry["vantage6.plugins"].hook
    for event in events:
        try:
            hook.vantage6_event_committed(event=event, identity=identity, registry=registry)
        except Exception:  # nor can a plugin undo the commit
            log.exception("A plugin failed on the committed event %s", event.name)
