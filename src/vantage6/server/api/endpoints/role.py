"""``/role``: named bundles of rules, owned by an organization or (default roles) by none.

Nobody hands out or takes away a rule they do not hold themselves
(:func:`~vantage6.server.api.grants.require_grantable`); default roles are fixed.
"""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import exists, or_, select

from vantage6.server.api.answers import (
    CREATED,
    MESSAGE,
    PAGE,
    RECORD,
    RECORDS,
    Records,
    answers,
)
from vantage6.server.api.contexts import context_for
from vantage6.server.api.endpoints.rule import serialize as serialize_rule
from vantage6.server.api.errors import Refused, not_found
from vantage6.server.api.grants import organization_for_new, require_grantable
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import flag, linked_ids, query_int
from vantage6.server.api.render import link, listing
from vantage6.server.api.schema import (
    NAME_LENGTH,
    Body,
    Reserved,
    json_body,
    optional_id,
    optional_text,
    record_ids,
    text,
    whole_number,
)
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import (
    flush_or_400,
    referenced,
    refuse_unless_deleting,
    set_fields,
)
from vantage6.server.models import Role, Rule, role_rule, user_role
from vantage6.server.resources.user import organizations_in, visible_in_organization
from vantage6.server.security.default_roles import DefaultRole

roles = api_service("roles", "/role", traverse="/roles")
role = api_service("role", "/role/{id}", traverse="/roles/{id}")
role_rules = api_service("role_rule", "/role/{id}/rule/{rule_id}", traverse="/roles/{id}")


NOT_A_DEFAULT_NAME = Reserved(
    [name.value for name in DefaultRole], "{value!r} is the name of a default role; choose another"
)


def _name(**kw):
    return text(validator=colander.All(NAME_LENGTH, NOT_A_DEFAULT_NAME), **kw)


class RoleCreate(Body):
    name = _name()
    description = optional_text()
    rules = record_ids(missing=colander.drop)
    organization_id = optional_id()  # default: the caller's organization


class RolePatch(Body):
    name = _name(missing=colander.drop)
    description = optional_text()
    rules = record_ids(missing=colander.drop)
    organization_id = whole_number(missing=colander.drop)  # may only repeat the current one


def serialize(request, item: Role) -> dict:
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "is_default_role": item.is_default_role,
        "organization": link(request, "organization", item.organization_id),
        "rules": listing(request, "rule", role_id=item.id),
        "users": listing(request, "user", role_id=item.id),
    }


def visible(identity):
    """SQL condition: roles the caller may view (mirrors RoleContext; the list is only
    reachable with a role view rule, which is all that roles of no organization need)."""
    return or_(
        Role.organization_id.is_(None),
        visible_in_organization(identity, "role", Role.organization_id),
    )


def _of_organizations(request, organization_ids):
    """Roles of these organizations, and with ``include_root=true`` also those of none."""
    condition = Role.organization_id.in_(organization_ids)
    if flag(request, "include_root"):
        condition = or_(condition, Role.organization_id.is_(None))
    return condition


def _like_any(column, patterns):
    return or_(*[column.like(pattern) for pattern in patterns])


@roles.get(permission="view", response_schemas=PAGE)
def list_roles(request):
    """Roles the caller may view; filters name and description (LIKE, repeatable),
    organization_id (repeatable), collaboration_id, rule_id, user_id, include_root."""
    query = select(Role).where(visible(request.identity))
    params = request.params
    for field in ("name", "description"):
        if field in params:
            query = query.where(_like_any(getattr(Role, field), params.getall(field)))
    if "organization_id" in params:
        wanted = [
            query_int(request, "organization_id", raw) for raw in params.getall("organization_id")
        ]
        query = query.where(_of_organizations(request, wanted))
    if "collaboration_id" in params:
        members = organizations_in([query_int(request, "collaboration_id")])
        query = query.where(_of_organizations(request, members))
    if "rule_id" in params:
        query = query.where(Role.id.in_(linked_ids(request, role_rule, "rule_id")))
    if "user_id" in params:
        query = query.where(Role.id.in_(linked_ids(request, user_role, "user_id")))
    sortable = {"id": Role.id, "name": Role.name, "organization_id": Role.organization_id}
    return paginate(request, query, lambda r: serialize(request, r), sortable, Role.id.asc())


@roles.post(
    permission="create", schema=RoleCreate(), validators=(json_body,), response_schemas=CREATED
)
def create_role(request):
    """A role for an organization (default: the caller's) with rules the caller holds."""
    body = request.validated
    organization_id = organization_for_new(request, "roles")
    rules = referenced(request, Rule, body.get("rules", []))
    require_grantable(request, rules, organization_id)
    created = Role(organization_id=organization_id, rules=rules)
    set_fields(created, body, ("name", "description"))
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize(request, created)


@role.get(permission="view", response_schemas=RECORD)
def get_role(request):
    return serialize(request, request.context.row)


def changeable(request) -> Role:
    """The role in the path, unless it is a default role (those are kept as shipped)."""
    target = request.context.row
    if target.is_default_role:
        raise Refused(
            f"Role {target.id} ({target.name}) is a default role; default roles and their "
            "rules cannot be changed or deleted"
        )
    return target


@role.patch(permission="edit", schema=RolePatch(), validators=(json_body,), response_schemas=RECORD)
def patch_role(request):
    """Change name, description and/or rules (``rules`` replaces them; every rule added or
    removed must be one the caller holds)."""
    target = changeable(request)
    body = request.validated
    if body.get("organization_id", target.organization_id) != target.organization_id:
        raise HTTPBadRequest("A role's organization cannot be changed")
    if "rules" in body:
        wanted = referenced(request, Rule, body["rules"])
        require_grantable(request, set(wanted) ^ set(target.rules), target.organization_id)
        target.rules = wanted
    set_fields(target, body, ("name", "description"))  # after the queries: no early flush
    flush_or_400(request, target)
    return serialize(request, target)


@role.delete(permission="delete", response_schemas=MESSAGE)
def delete_role(request):
    """Delete the role; while users hold it only with ``delete_dependents=true``, and then
    only by a caller who holds its rules (the holders lose them)."""
    target = changeable(request)
    holders = select(user_role.c.user_id).where(user_role.c.role_id == target.id)
    refuse_unless_deleting(request, f"Role {target.id}", {"users": holders})
    if request.dbsession.scalar(select(exists(holders))):
        require_grantable(request, target.rules, target.organization_id)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Role {target.id} was deleted"}


def rule_in_path(request) -> Rule:
    """The rule of ``/role/<id>/rule/<rule_id>`` (traversal stops at the role)."""
    return context_for(request, request.root["rules"], request.matchdict["rule_id"]).row


def _rules_of(request, target: Role) -> list[dict]:
    return [serialize_rule(request, r) for r in sorted(target.rules, key=lambda r: r.id)]


@role_rules.post(permission="edit", response_schemas=answers(201, Records(), "The role's rules"))
def add_rule(request):
    """Add one rule (held by the caller) to the role; answers the role's rules."""
    target = changeable(request)
    added = rule_in_path(request)
    if added in target.rules:
        raise HTTPBadRequest(f"Rule {added.id} is already part of role {target.id}")
    require_grantable(request, [added], target.organization_id)
    target.rules.append(added)
    flush_or_400(request, target)
    request.response.status = 201
    return _rules_of(request, target)


@role_rules.delete(permission="edit", response_schemas=RECORDS)
def remove_rule(request):
    """Take one rule (held by the caller) out of the role; answers the role's rules."""
    target = changeable(request)
    removed = rule_in_path(request)
    if removed not in target.rules:
        raise not_found(request, f"Rule {removed.id} is not part of role {target.id}")
    require_grantable(request, [removed], target.organization_id)
    target.rules.remove(removed)
    flush_or_400(request, target)
    return _rules_of(request, target)
