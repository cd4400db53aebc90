"""Which open sockets a request's writes concern: a change of who may hear what (roles, rules,
memberships, organizations) or of who may connect at all (a deleted account, a new password
or API key) has those sockets checked again as soon as the request commits.

Watching the session's flushes catches every way the API (or a plugin) makes such a change,
without each endpoint having to remember it. Changes the server does not see (another program
writing the database) are caught by each socket's periodic re-check instead.
"""

from __future__ import annotations

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker

from vantage6.server.events.publisher import recheck
from vantage6.server.models import Collaboration, Node, Organization, Role, User


def user_principals(users) -> set[str]:
    return {f"user:{user.id}" for user in users if user.id is not None}


def organization_principals(organizations) -> set[str]:
    return {f"org:{org.id}" for org in organizations if org.id is not None}


def _then_and_now(row, collection: str) -> list:
    """The members of ``row.<collection>`` now and those it lost in this flush."""
    lost = inspect(row).attrs[collection].history.deleted
    return [*getattr(row, collection), *lost]


# Model -> (the attributes whose change matters, whose sockets to re-check).
WATCHED = {
    User: (
        ("roles", "rules", "organization", "organization_id", "_password_hash"),
        lambda user: user_principals([user]),
    ),
    Node: (
        ("collaboration", "collaboration_id", "_api_key_hash"),
        lambda node: {f"node:{node.id}"},
    ),
    Role: (("rules", "users"), lambda role: user_principals(_then_and_now(role, "users"))),
    Collaboration: (
        ("organizations",),
        lambda collaboration: organization_principals(
            _then_and_now(collaboration, "organizations")
        ),
    ),
    Organization: (("collaborations",), lambda org: organization_principals([org])),
}
CREATED_WITH_HOLDERS = (Role, Collaboration)  # new rows that give existing accounts rights


def watch(session_factory: sessionmaker) -> None:
    """Watch the flushes of the sessions ``session_factory`` makes for requests."""
    event.listen(session_factory, "before_flush", _before_flush)


def _before_flush(session: Session, flush_context, instances) -> None:
    request = session.info.get("request")
    if request is None:  # not a request's session: nobody to tell after a commit
        return
    principals = set()
    for row in session.deleted:
        principals |= _concerned(row)
    for row in session.dirty:
        if _changed(row):
            principals |= _concerned(row)
    for row in session.new:
        if isinstance(row, CREATED_WITH_HOLDERS):
            principals |= _concerned(row)
    if principals:
        recheck(request, principals)


def _changed(row) -> bool:
    watched = WATCHED.get(type(row))
    if watched is None:
        return False
    attributes = inspect(row).attrs
    return any(attributes[name].history.has_changes() for name in watched[0])


def _concerned(row) -> set[str]:
    watched = WATCHED.get(type(row))
    return set() if watched is None else watched[1](row)
