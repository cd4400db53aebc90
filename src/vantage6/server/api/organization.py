"""``/organization``: the parties of collaborations."""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import delete, func, select, update

from vantage6.server.api.pagination import paginate
from vantage6.server.api.schema import Body, json_body, optional_text, text
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400, query_int, set_fields
from vantage6.server.models import Node, Organization, Run, Task, User, member
from vantage6.server.models.authenticatable import Authenticatable
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import scoped_filter

organizations = api_service("organizations", "/organization", traverse="/organizations")
organization = api_service("organization", "/organization/{id}", traverse="/organizations/{id}")

EDITABLE = ("name", "domain", "address1", "address2", "zipcode", "country", "public_key")


class OrganizationFields(Body):
    name = text(validator=colander.Length(min=1, max=128))
    domain = optional_text()
    address1 = optional_text()
    address2 = optional_text()
    zipcode = optional_text()
    country = optional_text()
    public_key = optional_text()


class OrganizationPatch(OrganizationFields):
    name = text(validator=colander.Length(min=1, max=128), missing=colander.drop)


def serialize(request, organization: Organization) -> dict:
    api = request.registry.settings["vantage6.api_path"]

    def link(resource: str) -> str:
        return f"{api}/{resource}?organization_id={organization.id}"

    return {
        "id": organization.id,
        "name": organization.name,
        "domain": organization.domain,
        "address1": organization.address1,
        "address2": organization.address2,
        "zipcode": organization.zipcode,
        "country": organization.country,
        "public_key": organization.public_key,
        "collaborations": link("collaboration"),
        "users": link("user"),
        "nodes": link("node"),
        "tasks": link("task"),
        "runs": link("run"),
    }


def visible(identity):
    """SQL condition: organizations the caller may view (mirrors OrganizationContext's ACL)."""
    return scoped_filter(
        identity,
        "organization",
        Operation.VIEW,
        organization=lambda own: Organization.id == own,
        collaboration=lambda ids: Organization.id.in_(
            select(member.c.organization_id).where(member.c.collaboration_id.in_(ids))
        ),
    )


@organizations.get(permission="view")
def list_organizations(request):
    query = select(Organization).where(visible(request.identity))
    params = request.params
    if "name" in params:
        query = query.where(Organization.name.like(params["name"]))
    if "country" in params:
        query = query.where(Organization.country == params["country"])
    if "collaboration_id" in params:
        collaboration_id = query_int(request, "collaboration_id")
        members = select(member.c.organization_id).where(
            member.c.collaboration_id == collaboration_id
        )
        query = query.where(Organization.id.in_(members))
    if "ids" in params:
        ids = [query_int(request, "ids", raw) for raw in params.getall("ids")]
        query = query.where(Organization.id.in_(ids))
    sortable = {"id": Organization.id, "name": Organization.name, "country": Organization.country}
    return paginate(
        request, query, lambda o: serialize(request, o), sortable, Organization.id.asc()
    )


@organizations.post(permission="create", schema=OrganizationFields(), validators=(json_body,))
def create_organization(request):
    created = Organization()
    set_fields(created, request.validated, EDITABLE)
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize(request, created)


@organization.get(permission="view")
def get_organization(request):
    return serialize(request, request.context.row)


@organization.patch(permission="edit", schema=OrganizationPatch(), validators=(json_body,))
def patch_organization(request):
    changed = request.context.row
    set_fields(changed, request.validated, EDITABLE)
    flush_or_400(request, changed)
    return serialize(request, changed)


@organization.delete(permission="delete")
def delete_organization(request):
    """With ``?delete_dependents=true`` everything of the organization goes too, in one
    transaction; without it, an organization that still has dependents is kept (400)."""
    target = request.context.row
    if _flag(request, "delete_dependents"):
        _delete_dependents(request.dbsession, target.id)
    else:
        _refuse_with_dependents(request, target)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Organization {target.id} was deleted"}


def _flag(request, name: str) -> bool:
    # The same as api.collaboration.flag_param, which cannot be imported here (collaboration
    # imports this module); both belong in a shared module such as api.writes.
    raw = request.params.get(name, "false")
    value = {"true": True, "1": True, "false": False, "0": False}.get(raw.lower())
    if value is None:
        raise HTTPBadRequest(f"{name} must be true or false, not {raw!r}")
    return value


def _delete_dependents(session, organization_id: int) -> None:
    """Its tasks (their runs, subtasks and databases follow by ON DELETE CASCADE), the runs
    at it, its users and nodes. Its roles and collaboration memberships go with the row."""
    session.execute(delete(Task).where(Task.init_org_id == organization_id))
    session.execute(delete(Run).where(Run.organization_id == organization_id))
    users = select(User.id).where(User.organization_id == organization_id)
    # A user who moved here from another organization may have started tasks there; those
    # tasks stay, without the user.
    session.execute(update(Task).where(Task.init_user_id.in_(users)).values(init_user_id=None))
    nodes = select(Node.id).where(Node.organization_id == organization_id)
    accounts = users.union(nodes)
    session.execute(delete(Authenticatable).where(Authenticatable.id.in_(accounts)))


def _refuse_with_dependents(request, target: Organization) -> None:
    referring = {
        "users": User.organization_id,
        "nodes": Node.organization_id,
        "tasks": Task.init_org_id,
        "runs": Run.organization_id,
    }
    counts = {
        label: request.dbsession.scalar(select(func.count()).where(column == target.id))
        for label, column in referring.items()
    }
    dependents = [f"{count} {label}" for label, count in counts.items() if count]
    if dependents:
        raise HTTPBadRequest(
            f"Organization {target.id} still has {', '.join(dependents)}; delete those first, "
            "or send delete_dependents=true to delete them with it"
        )
