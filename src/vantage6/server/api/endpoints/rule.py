"""``/rule``: the permissions that roles bundle; any logged-in caller may read them."""

from __future__ import annotations

from urllib.parse import urlencode

from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import select

from vantage6.server.api.answers import PAGE, RECORD
from vantage6.server.api.pagination import paginate, sort_order
from vantage6.server.api.params import flag, linked_ids, query_int
from vantage6.server.api.render import listing
from vantage6.server.api.service import api_service
from vantage6.server.models import Rule
from vantage6.server.models.role import role_rule, user_role
from vantage6.server.models.rule import Operation, Scope, user_rule

rules = api_service("rules", "/rule", traverse="/rules")
rule = api_service("rule", "/rule/{id}", traverse="/rules/{id}")


def serialize(request, item: Rule) -> dict:
    return {
        "id": item.id,
        "name": item.name,
        "operation": item.operation.name,
        "scope": item.scope.name,
        "description": item.description,
        "roles": listing(request, "role", rule_id=item.id),
        "users": listing(request, "user", rule_id=item.id),
    }


def enum_param(request, name: str, enum_class):
    raw = request.params[name]
    for member in enum_class:
        if raw.lower() in (member.name.lower(), member.value):
            return member
    choices = ", ".join(member.name.lower() for member in enum_class)
    raise HTTPBadRequest(f"{name} must be one of {choices}, not {raw!r}")


@rules.get(permission="view", response_schemas=PAGE)
def list_rules(request):
    """All rules; filters name, operation, scope, role_id, user_id (rules held through roles
    or directly), current_user=1 (the caller's rules), no_pagination=1 (all on one page)."""
    query = select(Rule)
    params = request.params
    if "name" in params:
        query = query.where(Rule.name == params["name"])
    if "operation" in params:
        query = query.where(Rule.operation == enum_param(request, "operation", Operation))
    if "scope" in params:
        query = query.where(Rule.scope == enum_param(request, "scope", Scope))
    if "role_id" in params:
        query = query.where(Rule.id.in_(linked_ids(request, role_rule, "role_id")))
    if flag(request, "current_user"):
        query = query.where(Rule.id.in_(held_by(request.identity.id)))
    elif "user_id" in params:
        query = query.where(Rule.id.in_(held_by(query_int(request, "user_id"))))
    sortable = {"id": Rule.id, "name": Rule.name}
    if flag(request, "no_pagination"):
        return unpaginated(request, query, sortable)
    return paginate(request, query, lambda r: serialize(request, r), sortable, Rule.id.asc())


def held_by(user_id: int):
    """SQL: ids of the rules a user holds, through their roles or directly."""
    by_role = (
        select(role_rule.c.rule_id)
        .join(user_role, user_role.c.role_id == role_rule.c.role_id)
        .where(user_role.c.user_id == user_id)
    )
    return by_role.union(select(user_rule.c.rule_id).where(user_rule.c.user_id == user_id))


def unpaginated(request, query, sortable: dict) -> dict:
    """Every rule at once (``no_pagination=1``, as the UI asks): the original's envelope, a
    single page that all page links point to."""
    found = request.dbsession.scalars(
        query.order_by(*sort_order(request, sortable), Rule.id.asc())
    ).all()
    params = [(name, value) for name, value in request.params.items() if name != "page"]
    only_page = f"{request.path}?{urlencode([*params, ('page', 1)])}"
    request.response.headers["total-count"] = str(len(found))
    return {
        "data": [serialize(request, r) for r in found],
        "links": {"first": only_page, "self": only_page, "last": only_page},
    }


@rule.get(permission="view", response_schemas=RECORD)
def get_rule(request):
    return serialize(request, request.context.row)
