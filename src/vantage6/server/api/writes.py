"""Helpers for views that change data: apply fields, resolve the ids a body names, refuse a
delete that would strand dependents, and flush with clear errors."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from vantage6.server.api.params import flag
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


def referenced(request, model, ids) -> list:
    """The rows of ``model`` that a body refers to by id, in the order given; a 400 naming
    the ids that do not exist (a wrong body, not a wrong URL)."""
    wanted = [id_ for id_ in ids if parse_id(str(id_)) is not None]
    found = {
        row.id: row for row in request.dbsession.scalars(select(model).filter(model.id.in_(wanted)))
    }
    missing = [str(id_) for id_ in ids if id_ not in found]
    if missing:
        verb = "does" if len(missing) == 1 else "do"
        raise HTTPBadRequest(f"{model.__name__} {', '.join(missing)} {verb} not exist")
    return [found[id_] for id_ in ids]


def refuse_unless_deleting(request, owner: str, dependents: dict) -> None:
    """A 400 listing the dependents (label -> select of their ids) that exist, unless the
    caller asked to delete them along with ``delete_dependents=true``."""
    if flag(request, "delete_dependents"):
        return
    counts = {
        label: request.dbsession.scalar(select(func.count()).select_from(query.subquery()))
        for label, query in dependents.items()
    }
    found = [f"{count} {label}" for label, count in counts.items() if count]
    if found:
        raise HTTPBadRequest(
            f"{owner} still has {', '.join(found)}; delete those first or add "
            "?delete_dependents=true to delete them along"
        )


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
