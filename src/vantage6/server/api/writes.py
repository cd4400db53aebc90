"""Helpers for views that change data: apply fields, flush with clear errors, read ids."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from vantage6.server.models.errors import ModelError, explain_database_error
from vantage6.server.resources import parse_id


def set_fields(row, values: dict, allowed) -> None:
    """Assign the given fields only (an omitted field keeps its value)."""
    for field in allowed:
        if field in values:
            try:
                setattr(row, field, values[field])
            except ModelError as exc:
                raise HTTPBadRequest(str(exc)) from None


def flush_or_400(request, row) -> None:
    """Write now, so that a refusal becomes a 400 here instead of a 500 at commit time.

    The failed transaction is aborted by pyramid_tm when the exception propagates.
    """
    values = dict(inspect(row).dict)  # a failed flush expires them; the message names them
    try:
        request.dbsession.flush()
    except IntegrityError as exc:
        raise HTTPBadRequest(
            f"{type(row).__name__} not saved: {explain_database_error(exc, values)}"
        ) from None


def query_int(request, name: str, raw: str | None = None) -> int:
    raw = request.params.get(name) if raw is None else raw
    value = None if raw is None else parse_id(raw)
    if value is None:
        raise HTTPBadRequest(f"{name} must be a whole number (an id), not {raw!r}")
    return value
