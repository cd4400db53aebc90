"""Committed API writes (POST, PUT, PATCH, DELETE answered below 400) in the audit log: who
changed what (method and path, so users, roles, organizations, ... alike), with the id of a
created object. Logins and token requests are not writes to any object and are left out; the
request and response bodies are never logged (they may hold passwords and keys).
"""

from __future__ import annotations

import logging

from vantage6_audit_log.plugin import AUDIT, principal

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def audit_writes(handler, registry):
    """A tween inside the request's transaction: the entry is appended once it commits, before
    the entries of the events the request published."""
    audit = registry[AUDIT]

    def tween(request):
        if request.method not in WRITE_METHODS:
            return handler(request)
        entry = {}  # filled in once the response shows what was done
        request.tm.get().addAfterCommitHook(_append, args=(audit, entry))
        response = handler(request)
        if _is_audited(request, response):
            entry.update(
                who=principal(request.identity),
                kind="write",
                what=f"{request.method} {request.path}",
                object=_object(request, response),
            )
        return response

    return tween


def _is_audited(request, response) -> bool:
    route = request.matched_route
    return response.status_code < 400 and route is not None and not route.name.startswith("token_")


def _object(request, response) -> dict:
    """The status, and the id of what a POST created."""
    found = {"status": response.status_code}
    if request.method == "POST" and response.content_type == "application/json":
        body = response.json_body
        if isinstance(body, dict) and isinstance(body.get("id"), int):
            found["id"] = body["id"]
    return found


def _append(committed: bool, audit, entry: dict) -> None:
    if committed and entry:
        try:
            audit.append(**entry)
        except Exception:  # the write is committed: the entry cannot stop it any more
            log.exception("Could not append to the audit log: %s", entry)
