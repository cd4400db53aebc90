"""Records a request names in its body rather than its path: their traversal context, and
the check that the caller may act on them (the ACL decides, as for a path)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound


def require(request, permission: str, context) -> None:
    """403 (the ACL's generic answer) unless the caller has ``permission`` on ``context``."""
    if not request.has_permission(permission, context):
        raise HTTPForbidden()


def context_for(request, container, id_: int):
    """The traversal context of record ``id_`` in ``container``, or a 404 naming it."""
    try:
        return container[str(id_)]
    except KeyError:  # the container has said what is missing, for the 404 view
        raise HTTPNotFound() from None
