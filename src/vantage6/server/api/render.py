"""Pieces of response bodies that every resource shares, in the original's shapes: a reference
to a related record (id, link, methods), a link to a filtered list, and times."""

from __future__ import annotations

# The HTTP methods of the objects references point to (the original's HATEOAS "methods").
METHODS = {
    "collaboration": ["GET", "PATCH", "DELETE"],
    "organization": ["GET", "PATCH", "DELETE"],
    "user": ["GET", "PATCH", "DELETE"],
    "task": ["GET", "DELETE"],
    "run": ["GET", "PATCH"],
    "result": ["GET"],
    "study": ["GET", "PATCH", "DELETE"],
}


def link(request, resource: str, id_: int | None) -> dict | None:
    """A reference to record ``id_`` of ``resource`` (None when there is none)."""
    if id_ is None:
        return None
    api = request.registry.settings["vantage6.api_path"]
    return {"id": id_, "link": f"{api}/{resource}/{id_}", "methods": METHODS[resource]}


def listing(request, resource: str, **filter_: int) -> str:
    """The URL of the list of ``resource`` narrowed by one id filter, e.g. a task's runs
    (formatted directly: lists render thousands of these)."""
    ((name, id_),) = filter_.items()
    api = request.registry.settings["vantage6.api_path"]
    return f"{api}/{resource}?{name}={int(id_)}"


def iso(moment) -> str | None:
    return None if moment is None else moment.isoformat()
