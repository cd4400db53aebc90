"""Records a request names in its body or query rather than its path: their traversal
context, and the check that the caller may act on them (the ACL decides, as for a path)."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest, HTTPForbidden, HTTPNotFound

from vantage6.server.api.errors import Refused
from vantage6.server.api.params import query_int
from vantage6.server.resources import NOT_FOUND


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


def filtered_by(request, container: str, name: str):
    """The record a list filter names (``/organization?study_id=3``): 400 when there is none,
    403 when the caller may not view it. A filter that tells who belongs to a record (a
    study's organizations, say) must not tell those who may not see the record itself."""
    id_ = query_int(request, name)
    try:
        context = request.root[container][str(id_)]
    except KeyError:
        missing = request.environ.get(NOT_FOUND, "no such record")
        raise HTTPBadRequest(f"{name}: {missing}") from None
    if not request.has_permission("view", context):
        raise Refused(f"{name}: you may not view {type(context.row).__name__} {id_}")
    return context.row
