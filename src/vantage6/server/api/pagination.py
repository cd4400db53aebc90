"""Pages of results: ``page``, ``per_page`` (capped) and ``sort``, as the original API pages.

The body is ``{"data": [...], "links": {...}}``; headers carry ``total-count`` and ``Link``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import func, select

MAX_PAGE = 1_000_000_000  # keeps offsets far from integer overflow in any database


def int_param(request, name: str, default: int, maximum: int) -> int:
    raw = request.params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise HTTPBadRequest(f"{name} must be a whole number of at least 1, not {raw!r}")
    value = int(raw)
    if value > maximum:
        raise HTTPBadRequest(f"{name} may be at most {maximum}, not {value}")
    return value


def sort_order(request, sortable: dict) -> list:
    order = []
    for field in filter(None, request.params.get("sort", "").split(",")):
        name = field.lstrip("-").strip()
        if name not in sortable:
            allowed = ", ".join(sorted(sortable))
            raise HTTPBadRequest(f"cannot sort on {name!r}; sort on one of: {allowed}")
        column = sortable[name]
        order.append(column.desc() if field.startswith("-") else column.asc())
    return order


def paginate(request, query, serialize, sortable: dict, default_order, fetch=None) -> dict:
    """Run ``query`` (a select of one model) for the requested page and shape the answer;
    ``fetch(session, page_query)`` may load the page's items in its own way."""
    maximum = request.registry.settings["vantage6.pagination.max_per_page"]
    page = int_param(request, "page", 1, MAX_PAGE)
    per_page = int_param(request, "per_page", 10, maximum)
    session = request.dbsession
    order = [*sort_order(request, sortable), default_order]
    offset = (page - 1) * per_page
    page_query = query.order_by(*order).limit(per_page).offset(offset)
    items = fetch(session, page_query) if fetch else session.scalars(page_query).all()
    if page == 1 and len(items) < per_page:
        total = len(items)  # a short first page is everything: no need to count
    else:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    last = max(1, -(-total // per_page))
    links = _links(request, page, last)
    request.response.headers["total-count"] = str(total)
    request.response.headers["Link"] = ", ".join(
        f'<{url}>; rel="{rel}"' for rel, url in links.items()
    )
    request.response.headers["access-control-expose-headers"] = "total-count, Link"
    return {"data": [serialize(item) for item in items], "links": links}


def _links(request, page: int, last: int) -> dict[str, str]:
    def url(number: int) -> str:
        params = [(k, v) for k, v in request.params.items() if k != "page"]
        return f"{request.path}?{urlencode([*params, ('page', number)])}"

    links = {"first": url(1), "self": url(page), "last": url(last)}
    if page > 1:
        links["previous"] = url(min(page - 1, last))
    if page < last:
        links["next"] = url(page + 1)
    return links
