"""Rooms: which sockets hear an event, from the same facts that the ACL principals use.

The reference's socket.io rooms map onto these: ``collaboration_<c>`` is ``collab:<c>``,
``collaboration_<c>_organization_<o>`` is ``collab:<c>:org:<o>``; a user whose event receive
rule is global joins ``global`` instead of every collaboration room, so collaborations made
after it connected are covered too.
"""

from __future__ import annotations

from vantage6.server.events.model import Event
from vantage6.server.models.rule import Operation, Scope
from vantage6.server.security.identity import Identity

EVERYWHERE = "global"


def collaboration_room(collaboration_id: int) -> str:
    return f"collab:{collaboration_id}"


def organization_room(collaboration_id: int, organization_id: int) -> str:
    return f"collab:{collaboration_id}:org:{organization_id}"


def event_rooms(event: Event) -> set[str]:
    """Every room that hears ``event``: everywhere, its collaboration, and the rooms of the
    organizations it concerns there; for a later part of a split event, those of its
    organizations only (see :func:`collaboration_wide_rooms`)."""
    rooms = {organization_room(event.collaboration_id, o) for o in event.organization_ids}
    return rooms if event.part else rooms | collaboration_wide_rooms(event)


def collaboration_wide_rooms(event: Event) -> set[str]:
    """The rooms that hear every event of ``event``'s collaboration: part 0 of a split event
    reaches them, and its later parts must not reach them again."""
    return {EVERYWHERE, collaboration_room(event.collaboration_id)}


def identity_rooms(identity: Identity) -> frozenset[str]:
    """A node hears its collaboration (and its organization there); a user what the widest
    of its event receive rules reaches (reference §5). Empty: it may hear nothing."""
    if identity.kind == "node":
        (collaboration,) = identity.collaboration_ids
        return frozenset(
            {
                collaboration_room(collaboration),
                organization_room(collaboration, identity.organization_id),
            }
        )
    if identity.kind != "user":
        return frozenset()
    if identity.holds(("event", Scope.GLOBAL, Operation.RECEIVE)):
        return frozenset({EVERYWHERE})
    if identity.holds(("event", Scope.COLLABORATION, Operation.RECEIVE)):
        return frozenset(collaboration_room(c) for c in identity.collaboration_ids)
    if identity.holds(("event", Scope.ORGANIZATION, Operation.RECEIVE)):
        return frozenset(
            organization_room(c, identity.organization_id) for c in identity.collaboration_ids
        )
    return frozenset()
