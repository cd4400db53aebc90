"""``/user``: the people of organizations, with the roles and rules that say what they may do.

Secrets (password hash, OTP secret) never leave the server; roles and rules are handed out
only by callers who could grant every rule involved, and users are changed or deleted only by
callers who could grant them all they hold (see :mod:`~vantage6.server.api.grants`).
"""

from __future__ import annotations

import string

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import delete, or_, select

from vantage6.server.api.answers import CREATED, MESSAGE, PAGE, RECORD, Pending, answers
from vantage6.server.api.endpoints.email_change import ask_owner_to_confirm, change_own_email
from vantage6.server.api.errors import Refused
from vantage6.server.api.grants import (
    effective_rules,
    organization_for_new,
    require_grantable,
    require_outranks,
    rules_of,
)
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import flag, linked_ids, query_int, time_param
from vantage6.server.api.render import iso, link, listing
from vantage6.server.api.schema import (
    Body,
    documented,
    explained_refusal,
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
from vantage6.server.models import Role, Rule, Task, User, user_role, user_rule
from vantage6.server.resources.user import organizations_in, visible_in_organization
from vantage6.server.security.identity import organization_collaborations
from vantage6.server.security.login import (
    MIN_PASSWORD_LENGTH,
    STRONG_PASSWORD,
    password_problem,
)

users = api_service("users", "/user", traverse="/users")
user = api_service("user", "/user/{id}", traverse="/users/{id}")

PROFILE = ("username", "email", "firstname", "lastname")
TIME = "a date or time like 2024-05-31 or 2024-05-31T13:45:00"


@documented(minLength=MIN_PASSWORD_LENGTH, pattern=STRONG_PASSWORD)
def strong_password(node, password: str) -> None:
    """Colander validator: the server's one password policy, explained in one sentence."""
    problem = password_problem(password)
    if problem:
        raise colander.Invalid(node, problem)


_USERNAME = colander.Regex(
    rf"^[{string.ascii_letters}][{string.ascii_letters}{string.digits}._-]{{2,127}}$",
    msg="must be 3 to 128 letters, digits, '.', '_' or '-', starting with a letter",
)


def _username(**kw):
    return text(validator=_USERNAME, **kw)


def _email(**kw):
    return text(validator=colander.All(colander.Length(max=256), colander.Email()), **kw)


class UserCreate(Body):
    username = _username()
    email = _email()
    password = text(validator=strong_password)
    firstname = optional_text()
    lastname = optional_text()
    organization_id = optional_id()  # default: the caller's organization
    roles = record_ids(missing=colander.drop)
    rules = record_ids(missing=colander.drop)


class UserPatch(Body):
    username = _username(missing=colander.drop)
    email = _email(missing=colander.drop)
    firstname = optional_text()
    lastname = optional_text()
    roles = record_ids(missing=colander.drop)  # replaces the user's roles
    rules = record_ids(missing=colander.drop)  # replaces the user's extra rules
    organization_id = whole_number(missing=colander.drop)  # may only repeat the current one
    password = explained_refusal(text(missing=colander.drop))  # see PATCH /password/change
    current_password = text(missing=colander.drop)  # proof for changing one's own email
    mfa_code = text(missing=colander.drop)  # with current_password, when two-factor is on


def serialize(request, item: User) -> dict:
    """The original's UserSchema without its secrets (password, OTP secret, login counters)."""
    return {
        "id": item.id,
        "type": "user",
        "username": item.username,
        "firstname": item.firstname,
        "lastname": item.lastname,
        "email": item.email,
        "organization": link(request, "organization", item.organization_id),
        "roles": listing(request, "role", user_id=item.id),
        "rules": listing(request, "rule", user_id=item.id),
        "last_seen": iso(item.last_seen),
        "status": item.status,
        "ip": item.ip,
    }


def permissions(request, item: User) -> dict:
    """What the UI needs to know about a user's reach: role ids, the ids of every rule held
    (through roles or directly), and the organizations of the user's collaborations."""
    session = request.dbsession
    collaborations = organization_collaborations(session, item.organization_id)
    return {
        "roles": sorted(role.id for role in item.roles),
        "rules": sorted({rule.id for rule in effective_rules(item)}),
        "orgs_in_collabs": sorted(set(session.scalars(organizations_in(collaborations)))),
    }


def visible(identity):
    """SQL condition: users the caller may view (mirrors UserContext: yourself, and whom your
    user view rules reach)."""
    return or_(
        User.id == identity.id, visible_in_organization(identity, "user", User.organization_id)
    )


@users.get(permission="view", response_schemas=PAGE)
def list_users(request):
    """Users the caller may view; filters username, firstname, lastname, email (LIKE),
    organization_id, collaboration_id, role_id, rule_id (extra rules), last_seen_from/till."""
    query = select(User).where(visible(request.identity))
    params = request.params
    for field in PROFILE:
        if field in params:
            query = query.where(getattr(User, field).like(params[field]))
    if "organization_id" in params:
        query = query.where(User.organization_id == query_int(request, "organization_id"))
    if "collaboration_id" in params:
        members = organizations_in([query_int(request, "collaboration_id")])
        query = query.where(User.organization_id.in_(members))
    if "role_id" in params:
        query = query.where(User.id.in_(linked_ids(request, user_role, "role_id")))
    if "rule_id" in params:
        query = query.where(User.id.in_(linked_ids(request, user_rule, "rule_id")))
    if "last_seen_from" in params:
        query = query.where(User.last_seen >= time_param(request, "last_seen_from", TIME))
    if "last_seen_till" in params:
        query = query.where(User.last_seen <= time_param(request, "last_seen_till", TIME))
    sortable = {name: getattr(User, name) for name in ("id", *PROFILE, "last_seen")}
    return paginate(request, query, lambda u: serialize(request, u), sortable, User.id.asc())


def check_roles_fit(roles, organization_id: int) -> None:
    """A user gets roles of their own organization or default (organization-less) roles."""
    foreign = [str(r.id) for r in roles if r.organization_id not in (None, organization_id)]
    if foreign:
        raise Refused(
            f"Role {', '.join(foreign)} belongs to another organization; users can only get "
            "roles of their own organization or default roles"
        )


@users.post(
    permission="create", schema=UserCreate(), validators=(json_body,), response_schemas=CREATED
)
def create_user(request):
    """A user of an organization (default: the caller's) with roles and rules the caller
    holds."""
    body = request.validated
    organization_id = organization_for_new(request, "users")
    roles = referenced(request, Role, body.get("roles", []))
    rules = referenced(request, Rule, body.get("rules", []))
    check_roles_fit(roles, organization_id)
    require_grantable(request, [*rules, *rules_of(roles)], organization_id)
    created = User(organization_id=organization_id, roles=roles)
    created.rules = rules
    set_fields(created, body, (*PROFILE, "password"))
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize(request, created)


@user.get(permission="view", response_schemas=RECORD)
def get_user(request):
    """One user; ``include_permissions=true`` adds what the UI needs about their reach."""
    found = request.context.row
    body = serialize(request, found)
    if flag(request, "include_permissions"):
        body["permissions"] = permissions(request, found)
    return body


def change_permissions(request, target: User, body: dict) -> None:
    """Replace roles and/or extra rules as asked. Every rule given or taken away (also
    through a role) must be held by the caller, and nobody changes their own."""
    roles = referenced(request, Role, body["roles"]) if "roles" in body else target.roles
    rules = referenced(request, Rule, body["rules"]) if "rules" in body else target.rules
    changed_roles = set(roles) ^ set(target.roles)
    changed_rules = set(rules) ^ set(target.rules)
    if not changed_roles and not changed_rules:
        return
    if target.id == request.identity.id:
        raise Refused("You cannot change your own roles or rules")
    check_roles_fit(set(roles) - set(target.roles), target.organization_id)
    require_grantable(request, [*changed_rules, *rules_of(changed_roles)], target.organization_id)
    target.roles = list(roles)
    target.rules = list(rules)


@user.patch(
    permission="edit",
    schema=UserPatch(),
    validators=(json_body,),
    response_schemas={**RECORD, **answers(202, Pending(), "Changed but for the email address")},
)
def patch_user(request):
    """Change profile fields, roles and/or rules; only what is sent changes. Another user's
    new email address waits for its owner's confirmation (202), see
    :mod:`~vantage6.server.api.endpoints.email_change`."""
    target = request.context.row
    body = request.validated
    if "password" in body:
        api = request.registry.settings["vantage6.api_path"]
        raise HTTPBadRequest(f"Passwords cannot be set here; use PATCH {api}/password/change")
    if body.get("organization_id", target.organization_id) != target.organization_id:
        raise HTTPBadRequest("A user's organization cannot be changed")
    own = target.id == request.identity.id
    if body.get("username", target.username) != target.username and not own:
        raise Refused("Only users themselves can change their username")
    require_outranks(request, target, "change")
    pending = None
    if body.get("email", target.email) != target.email:
        if own:
            refusal = change_own_email(request, target, body)
            if refusal is not None:
                return refusal
        else:
            pending = ask_owner_to_confirm(request, target, body.pop("email"))
    change_permissions(request, target, body)
    set_fields(target, body, PROFILE)  # after the queries, which would flush it early
    flush_or_400(request, target)
    if pending is None:
        return serialize(request, target)
    request.response.status = 202
    return {**serialize(request, target), "msg": pending}


@user.delete(permission="delete", response_schemas=MESSAGE)
def delete_user(request):
    """Delete the user; if they created tasks only with ``delete_dependents=true``, which
    deletes those tasks (with their runs and subtasks) too, as the original does."""
    target = request.context.row
    require_outranks(request, target, "delete")
    created = select(Task.id).where(Task.init_user_id == target.id)
    refuse_unless_deleting(request, f"User {target.id}", {"tasks": created})
    request.dbsession.execute(delete(Task).where(Task.init_user_id == target.id))
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"User {target.id} was deleted"}
