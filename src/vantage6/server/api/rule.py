"""``/rule``: the permissions that roles bundle; any logged-in caller may read them."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import select

from vantage6.server.api.pagination import paginate
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import query_int
from vantage6.server.models import Rule
from vantage6.server.models.role import role_rule
from vantage6.server.models.rule import Operation, Scope, user_rule

rules = api_service("rules", "/rule", traverse="/rules")
rule = api_service("rule", "/rule/{id}", traverse="/rules/{id}")


def serialize(request, item: Rule) -> dict:
    api = request.registry.settings["vantage6.api_path"]
    return {
        "id": item.id,
        "name": item.name,
        "operation": item.operation.name,
        "scope": item.scope.name,
        "description": item.description,
        "roles": f"{api}/role?rule_id={item.id}",
        "users": f"{api}/user?rule_id={item.id}",
    }


def enum_param(request, name: str, enum_class):
    raw = request.params[name]
    for member in enum_class:
        if raw.lower() in (member.name.lower(), member.value):
            return member
    choices = ", ".join(member.name.lower() for member in enum_class)
    raise HTTPBadRequest(f"{name} must be one of {choices}, not {raw!r}")


@rules.get(permission="view")
def list_rules(request):
    query = select(Rule)
    params = request.params
    if "name" in params:
        query = query.where(Rule.name == params["name"])
    if "operation" in params:
        query = query.where(Rule.operation == enum_param(request, "operation", Operation))
    if "scope" in params:
        query = query.where(Rule.scope == enum_param(request, "scope", Scope))
    if "role_id" in params:
        in_role = select(role_rule.c.rule_id).where(
            role_rule.c.role_id == query_int(request, "role_id")
        )
        query = query.where(Rule.id.in_(in_role))
    if "user_id" in params:
        of_user = select(user_rule.c.rule_id).where(
            user_rule.c.user_id == query_int(request, "user_id")
        )
        query = query.where(Rule.id.in_(of_user))
    sortable = {"id": Rule.id, "name": Rule.name}
    return paginate(request, query, lambda r: serialize(request, r), sortable, Rule.id.asc())


@rule.get(permission="view")
def get_rule(request):
    return serialize(request, request.context.row)
