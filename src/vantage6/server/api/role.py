"""``/role``: named bundles of rules, owned by an organization or (default roles) by none.

Nobody hands out or takes away a rule they do not hold themselves (:func:`require_held`);
default roles are fixed.
"""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest, HTTPClientError, HTTPNotFound
from sqlalchemy import exists, or_, select

from vantage6.server.api.collaboration import flag_param, refuse_unless_deleting
from vantage6.server.api.node import referenced
from vantage6.server.api.pagination import paginate
from vantage6.server.api.rule import serialize as serialize_rule
from vantage6.server.api.schema import Body, json_body, optional_text, text, whole_number
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400, query_int, set_fields
from vantage6.server.models import Organization, Role, Rule, role_rule, user_role
from vantage6.server.models.rule import Operation
from vantage6.server.resources import NOT_FOUND, parse_id
from vantage6.server.resources.base import MAX_ID, scoped_filter
from vantage6.server.resources.user import organizations_in
from vantage6.server.security.default_roles import DefaultRole

roles = api_service("roles", "/role", traverse="/roles")
role = api_service("role", "/role/{id}", traverse="/roles/{id}")
role_rules = api_service("role_rule", "/role/{id}/rule/{rule_id}", traverse="/roles/{id}")

DEFAULT_NAMES = {name.value.lower() for name in DefaultRole}


class Refused(HTTPClientError):
    """A 403 that says why (the ACL's own 403 answers with a generic message)."""

    code = 403
    title = "Forbidden"


def _distinct(node, ids):
    repeated = sorted({id_ for id_ in ids if ids.count(id_) > 1})
    if repeated:
        raise colander.Invalid(node, f"lists {', '.join(map(str, repeated))} more than once")


def _id_range(node, value):
    if value is not None:
        colander.Range(min=1, max=MAX_ID)(node, value)


def ids(**kw):
    """A list of distinct record ids."""
    item = whole_number(validator=_id_range)
    return colander.SchemaNode(colander.Sequence(), item, validator=_distinct, **kw)


def optional_id(**kw):
    """An id that may be left out or null (both meaning: the default)."""
    node = whole_number(missing=None, validator=_id_range, **kw)
    node.nullable = True
    return node


def _not_a_default_name(node, name):
    if name.lower() in DEFAULT_NAMES:
        raise colander.Invalid(node, f"{name!r} is the name of a default role; choose another")


def _name(**kw):
    validator = colander.All(colander.Length(min=1, max=128), _not_a_default_name)
    return text(validator=validator, **kw)


class RoleCreate(Body):
    name = _name()
    description = optional_text()
    rules = ids(missing=colander.drop)
    organization_id = optional_id()  # default: the caller's organization


class RolePatch(Body):
    name = _name(missing=colander.drop)
    description = optional_text()
    rules = ids(missing=colander.drop)
    organization_id = whole_number(missing=colander.drop)  # may only repeat the current one


def organization_link(request, organization_id: int | None) -> dict | None:
    if organization_id is None:
        return None
    api = request.registry.settings["vantage6.api_path"]
    return {
        "id": organization_id,
        "link": f"{api}/organization/{organization_id}",
        "methods": ["GET", "PATCH", "DELETE"],
    }


def serialize(request, item: Role) -> dict:
    api = request.registry.settings["vantage6.api_path"]
    return {
        "id": item.id,
        "name": item.name,
        "description": item.description,
        "is_default_role": item.is_default_role,
        "organization": organization_link(request, item.organization_id),
        "rules": f"{api}/rule?role_id={item.id}",
        "users": f"{api}/user?role_id={item.id}",
    }


def rule_label(rule: Rule) -> str:
    return f"{rule.id} ({rule.name} {rule.operation.name.lower()} {rule.scope.name.lower()})"


def require_held(request, rules) -> None:
    """403 naming the rules of ``rules`` that the caller does not hold at their scope or a
    wider one: nobody grants, or takes away from others, more than they have themselves."""
    by_key = {(r.name, r.scope, r.operation): r for r in sorted(rules, key=lambda r: r.id)}
    missing = request.identity.missing(by_key)
    if missing:
        named = ", ".join(rule_label(by_key[key]) for key in missing)
        raise Refused(f"You can only grant or take away rules you hold yourself; not {named}")


def existing_organization(request, organization_id: int) -> int:
    if request.dbsession.get(Organization, organization_id) is None:
        raise HTTPBadRequest(f"Organization {organization_id} does not exist")
    return organization_id


def visible(identity):
    """SQL condition: roles the caller may view (mirrors RoleContext; the list is only
    reachable with a role view rule, which is all that roles of no organization need)."""
    return or_(
        Role.organization_id.is_(None),
        scoped_filter(
            identity,
            "role",
            Operation.VIEW,
            organization=lambda own: Role.organization_id == own,
            collaboration=lambda collaborations: Role.organization_id.in_(
                organizations_in(collaborations)
            ),
        ),
    )


def _of_organizations(request, organization_ids):
    """Roles of these organizations, and with ``include_root=true`` also those of none."""
    condition = Role.organization_id.in_(organization_ids)
    if flag_param(request, "include_root"):
        condition = or_(condition, Role.organization_id.is_(None))
    return condition


def _like_any(column, patterns):
    return or_(*[column.like(pattern) for pattern in patterns])


@roles.get(permission="view")
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
        having = select(role_rule.c.role_id).where(
            role_rule.c.rule_id == query_int(request, "rule_id")
        )
        query = query.where(Role.id.in_(having))
    if "user_id" in params:
        held = select(user_role.c.role_id).where(
            user_role.c.user_id == query_int(request, "user_id")
        )
        query = query.where(Role.id.in_(held))
    sortable = {"id": Role.id, "name": Role.name, "organization_id": Role.organization_id}
    return paginate(request, query, lambda r: serialize(request, r), sortable, Role.id.asc())


@roles.post(permission="create", schema=RoleCreate(), validators=(json_body,))
def create_role(request):
    """A role for an organization (default: the caller's) with rules the caller holds."""
    body = request.validated
    organization_id = existing_organization(
        request, body["organization_id"] or request.identity.organization_id
    )
    if not request.context.may_create_in(organization_id):
        raise Refused(f"You may not create roles for organization {organization_id}")
    rules = referenced(request, Rule, body.get("rules", []))
    require_held(request, rules)
    created = Role(organization_id=organization_id, rules=rules)
    set_fields(created, body, ("name", "description"))
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize(request, created)


@role.get(permission="view")
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


@role.patch(permission="edit", schema=RolePatch(), validators=(json_body,))
def patch_role(request):
    """Change name, description and/or rules (``rules`` replaces them; every rule added or
    removed must be one the caller holds)."""
    target = changeable(request)
    body = request.validated
    if body.get("organization_id", target.organization_id) != target.organization_id:
        raise HTTPBadRequest("A role's organization cannot be changed")
    if "rules" in body:
        wanted = referenced(request, Rule, body["rules"])
        require_held(request, set(wanted) ^ set(target.rules))
        target.rules = wanted
    set_fields(target, body, ("name", "description"))  # after the queries: no early flush
    flush_or_400(request, target)
    return serialize(request, target)


@role.delete(permission="delete")
def delete_role(request):
    """Delete the role; while users hold it only with ``delete_dependents=true``, and then
    only by a caller who holds its rules (the holders lose them)."""
    target = changeable(request)
    holders = select(user_role.c.user_id).where(user_role.c.role_id == target.id)
    refuse_unless_deleting(request, f"Role {target.id}", {"users": holders})
    if request.dbsession.scalar(select(exists(holders))):
        require_held(request, target.rules)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Role {target.id} was deleted"}


def not_found(request, msg: str) -> HTTPNotFound:
    request.environ[NOT_FOUND] = msg  # what the 404 view says
    return HTTPNotFound()


def rule_in_path(request) -> Rule:
    raw = request.matchdict["rule_id"]
    rule_id = parse_id(raw)
    found = None if rule_id is None else request.dbsession.get(Rule, rule_id)
    if found is None:
        raise not_found(request, f"Rule {raw!r} does not exist")
    return found


def _rules_of(request, target: Role) -> list[dict]:
    return [serialize_rule(request, r) for r in sorted(target.rules, key=lambda r: r.id)]


@role_rules.post(permission="edit")
def add_rule(request):
    """Add one rule (held by the caller) to the role; answers the role's rules."""
    target = changeable(request)
    added = rule_in_path(request)
    if added in target.rules:
        raise HTTPBadRequest(f"Rule {added.id} is already part of role {target.id}")
    require_held(request, [added])
    target.rules.append(added)
    flush_or_400(request, target)
    request.response.status = 201
    return _rules_of(request, target)


@role_rules.delete(permission="edit")
def remove_rule(request):
    """Take one rule (held by the caller) out of the role; answers the role's rules."""
    target = changeable(request)
    removed = rule_in_path(request)
    if removed not in target.rules:
        raise not_found(request, f"Rule {removed.id} is not part of role {target.id}")
    require_held(request, [removed])
    target.rules.remove(removed)
    flush_or_400(request, target)
    return _rules_of(request, target)
