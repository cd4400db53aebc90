"""Publishing from a request: events are collected and handed to the bus (and then to the
``vantage6_event_committed`` plugins) only once the request's transaction has committed, so a
rolled-back (or retried) request tells no one. Re-checks of sockets whose rights the request
changed wait for the commit the same way."""

from __future__ import annotations

import logging

from vantage6.server.events.model import RECHECK, Event

log = logging.getLogger(__name__)

PENDING = "_vantage6_pending_events"  # request attribute: (transaction, events waiting for it)
RECHECKS = "_vantage6_pending_rechecks"  # request attribute: (transaction, principals)
PRINCIPALS_PER_EVENT = 300  # keeps a re-check far below PostgreSQL's 8000-byte NOTIFY limit


def publish(request, name: str, data: dict, collaboration_id: int, organization_ids=()) -> None:
    """Publish event ``name`` to the collaboration (and the given organizations in it) after
    the request commits."""
    pending = _waiting(request, PENDING, list, _after_commit, request.registry, request.identity)
    pending.append(Event(name, data, collaboration_id, tuple(sorted(set(organization_ids)))))


def recheck(request, principals) -> None:
    """After the request commits, have the sockets held by ``principals`` (``user:5``,
    ``node:2``, ``org:3``) checked again at once, in every server process."""
    _waiting(request, RECHECKS, set, _recheck_after_commit, request.registry).update(principals)


def _waiting(request, attribute: str, new, hook, *args):
    """What ``attribute`` collects for the request's current transaction; made (with ``new``)
    on first use, when ``hook(success, *args, collected)`` is set to run after the commit."""
    transaction = request.tm.get()
    waiting = getattr(request, attribute, None)
    if waiting is None or waiting[0] is not transaction:
        waiting = (transaction, new())
        setattr(request, attribute, waiting)
        transaction.addAfterCommitHook(hook, args=(*args, waiting[1]))
    return waiting[1]


def _after_commit(success: bool, registry, identity, events: list[Event]) -> None:
    if not success:
        return
    _to_bus(registry, events)
    hook = registry["vantage6.plugins"].hook
    for event in events:
        try:
            hook.vantage6_event_committed(event=event, identity=identity, registry=registry)
        except Exception:  # nor can a plugin undo the commit
            log.exception("A plugin failed on the committed event %s", event.name)


def _recheck_after_commit(success: bool, registry, principals: set[str]) -> None:
    if not success:
        return
    ordered = sorted(principals)
    _to_bus(
        registry,
        [
            Event(RECHECK, {"principals": ordered[start : start + PRINCIPALS_PER_EVENT]}, 0)
            for start in range(0, len(ordered), PRINCIPALS_PER_EVENT)
        ],
    )


def _to_bus(registry, events: list[Event]) -> None:
    try:
        registry["vantage6.events.bus"].publish(events)
    except Exception:  # committed anyway: clients resync, sockets re-check periodically
        log.exception("Could not publish %d event(s)", len(events))
