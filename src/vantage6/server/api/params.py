"""Query parameters: ids, true/false flags, times and ``include``. A bad value is a 400 that
names the parameter, never a 500 or a silently ignored filter."""

from __future__ import annotations

import datetime as dt

from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import select

from vantage6.server.resources import parse_id

FLAGS = {"true": True, "1": True, "false": False, "0": False}
ISO_TIME = "an ISO 8601 date and time such as 2026-03-24T10:00:00Z"


def query_parameters(request):
    """``request.params`` of the API: the query string alone. WebOb's would add the fields of
    a form body, which the API does not take, and parse any body as a form to find them (a
    multipart one without a boundary raised an error: a 500)."""
    return request.GET


def query_int(request, name: str, raw: str | None = None) -> int:
    """An id parameter (``raw`` for one of a repeated parameter's values)."""
    raw = request.params.get(name) if raw is None else raw
    value = None if raw is None else parse_id(raw)
    if value is None:
        raise HTTPBadRequest(f"{name} must be a whole number (an id), not {raw!r}")
    return value


def linked_ids(request, table, name: str):
    """SQL: the ids that link ``table`` pairs with the id in parameter ``name`` (with
    ``user_role`` and ``role_id``: the users who hold that role)."""
    (other,) = [column for column in table.c if column.name != name]
    return select(other).where(table.c[name] == query_int(request, name))


def flag(request, name: str) -> bool:
    """A true/false parameter, false when left out; any case, so the Python client's
    ``True``/``False`` count too."""
    raw = request.params.get(name)
    if raw is None:
        return False
    value = FLAGS.get(raw.lower())
    if value is None:
        raise HTTPBadRequest(f"{name} must be true or false, not {raw!r}")
    return value


def included(request, allowed: set[str]) -> set[str]:
    """``include=a,b`` or repeated ``include=``: what to embed; unknown names are a 400."""
    wanted = {
        part.strip()
        for value in request.params.getall("include")
        for part in value.split(",")
        if part.strip()
    }
    unknown = wanted - allowed
    if unknown:
        raise HTTPBadRequest(
            f"cannot include {', '.join(sorted(unknown))}; include one of: "
            f"{', '.join(sorted(allowed))}"
        )
    return wanted


def parse_moment(raw: str, end_of_day: bool = False) -> dt.datetime:
    """A date or ISO 8601 time as an aware UTC datetime (UTC when it names no zone); with
    ``end_of_day`` a bare date is the last moment of that day, so that a ``till`` includes it.
    A ValueError says what was expected (bodies report it per field)."""
    try:
        moment = dt.datetime.fromisoformat(raw)
        moment = moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
        if end_of_day and _is_date(raw):
            moment += dt.timedelta(days=1, microseconds=-1)
    except (ValueError, OverflowError):
        raise ValueError(f"must be {ISO_TIME}, not {raw!r}") from None
    return moment


def _is_date(raw: str) -> bool:
    try:
        dt.date.fromisoformat(raw)
    except ValueError:
        return False
    return True


def time_param(request, name: str, expected: str = ISO_TIME, end_of_day: bool = False):
    """A time parameter (see :func:`parse_moment`); ``expected`` words the 400."""
    raw = request.params[name]
    try:
        return parse_moment(raw, end_of_day)
    except ValueError:
        raise HTTPBadRequest(f"{name} must be {expected}, not {raw!r}") from None
