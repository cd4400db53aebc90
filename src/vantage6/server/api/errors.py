"""Every error leaves the API as JSON ``{"msg": ...}`` (with ``errors`` per field for 400s)."""

from __future__ import annotations

import logging

from cornice.util import current_service
from pyramid.httpexceptions import HTTPClientError, HTTPError, HTTPForbidden, HTTPNotFound
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config
from sqlalchemy.exc import DataError

from vantage6.server.models.errors import first_line
from vantage6.server.resources import NOT_FOUND
from vantage6.server.security.jwt_backend import AUTH_ERROR

log = logging.getLogger(__name__)


class Refused(HTTPClientError):
    """A 403 that says why, for refusals the caller can act on; the ACL's own denials keep
    the generic answer of :func:`forbidden`."""

    code = 403
    title = "Forbidden"


def not_found(request, msg: str) -> HTTPNotFound:
    """A 404 that says ``msg``, for what a view (not traversal) could not find."""
    request.environ[NOT_FOUND] = msg  # what the not-found view says
    return HTTPNotFound()


def json_error(request, status: int, msg: str, errors=None):
    response = request.response
    response.status = status
    body = {"msg": msg}
    if errors:
        body["errors"] = errors
    response.content_type = "application/json"
    response.json_body = body
    return response


@forbidden_view_config()
def forbidden(exc: HTTPForbidden, request):
    """401 when we do not know who is asking, 403 when we do and the answer is no."""
    if request.identity is None:
        reason = request.environ.get(AUTH_ERROR)
        msg = (
            f"Authentication failed: {reason}"
            if reason
            else "Authentication required: send 'Authorization: Bearer <access token>'"
        )
        response = json_error(request, 401, msg)
        response.headers["WWW-Authenticate"] = 'Bearer realm="vantage6"'
        return response
    return json_error(request, 403, "You lack the permission to do that!")


@notfound_view_config()
def not_found_view(exc: HTTPNotFound, request):
    """404, but a 401 to callers without a valid token where a token is needed: whether a
    record exists is for those who may ask."""
    if request.identity is None and _needs_a_token(request):
        return forbidden(exc, request)
    return json_error(request, 404, request.environ.get(NOT_FOUND) or "Not found")


def _needs_a_token(request) -> bool:
    service = current_service(request)
    return service is not None and any(
        method == request.method and args.get("permission") != NO_PERMISSION_REQUIRED
        for method, _view, args in service.definitions
    )


@exception_view_config(HTTPError)
def http_error(exc: HTTPError, request):
    response = json_error(request, exc.code, exc.detail or exc.title)
    if exc.allow:  # a 405 names the methods that are allowed (RFC 9110, section 15.5.6)
        response.allow = exc.allow
    return response


@exception_view_config(DataError)
def refused_value(exc: DataError, request):
    """A value the database cannot take (too large a number, an invalid byte) is bad input."""
    return json_error(request, 400, f"A value was refused by the database: {first_line(exc.orig)}")


@exception_view_config(Exception)
def unexpected_error(exc: Exception, request):
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return json_error(request, 500, "An unexpected error occurred on the server")


def cornice_errors(request):
    """Cornice's error handler: validation problems as ``{"msg", "errors": {field: [..]}}``."""
    problems = request.errors
    by_field: dict[str, list[str]] = {}
    for error in problems:
        field = error.get("name") or error.get("location") or "body"
        by_field.setdefault(field, []).append(error.get("description"))
    status = getattr(problems, "status", 400)
    summary = "; ".join(f"{field}: {' '.join(map(str, msgs))}" for field, msgs in by_field.items())
    response = json_error(request, status, f"Request is incorrect ({summary})", by_field)
    return response
