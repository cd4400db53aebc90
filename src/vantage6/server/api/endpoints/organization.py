"""``/organization``: the parties of collaborations."""

from __future__ import annotations

import colander
from sqlalchemy import delete, select, update

from vantage6.server.api.answers import CREATED, MESSAGE, PAGE, RECORD
from vantage6.server.api.contexts import filtered_by
from vantage6.server.api.errors import Refused
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import linked_ids, query_int
from vantage6.server.api.render import listing
from vantage6.server.api.schema import Body, json_body, optional_text, record_name
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400, refuse_unless_deleting, set_fields
from vantage6.server.models import Node, Organization, Run, Task, User, member, study_member
from vantage6.server.models.authenticatable import Authenticatable
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import scoped_filter

organizations = api_service("organizations", "/organization", traverse="/organizations")
organization = api_service("organization", "/organization/{id}", traverse="/organizations/{id}")

EDITABLE = ("name", "domain", "address1", "address2", "zipcode", "country", "public_key")


class OrganizationFields(Body):
    name = record_name()
    domain = optional_text()
    address1 = optional_text()
    address2 = optional_text()
    zipcode = optional_text()
    country = optional_text()
    public_key = optional_text()


class OrganizationPatch(OrganizationFields):
    name = record_name(missing=colander.drop)


def serialize(request, organization: Organization) -> dict:
    def link(resource: str) -> str:
        return listing(request, resource, organization_id=organization.id)

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
        "studies": link("study"),
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


@organizations.get(permission="view", response_schemas=PAGE)
def list_organizations(request):
    query = select(Organization).where(visible(request.identity))
    params = request.params
    if "name" in params:
        query = query.where(Organization.name.like(params["name"]))
    if "country" in params:
        query = query.where(Organization.country == params["country"])
    if "collaboration_id" in params:
        query = query.where(Organization.id.in_(linked_ids(request, member, "collaboration_id")))
    if "study_id" in params:
        study = filtered_by(request, "studies", "study_id")
        in_study = select(study_member.c.organization_id).where(study_member.c.study_id == study.id)
        query = query.where(Organization.id.in_(in_study))
    if "ids" in params:
        ids = [query_int(request, "ids", raw) for raw in params.getall("ids")]
        query = query.where(Organization.id.in_(ids))
    sortable = {"id": Organization.id, "name": Organization.name, "country": Organization.country}
    return paginate(
        request, query, lambda o: serialize(request, o), sortable, Organization.id.asc()
    )


@organizations.post(
    permission="create",
    schema=OrganizationFields(),
    validators=(json_body,),
    response_schemas=CREATED,
)
def create_organization(request):
    created = Organization()
    set_fields(created, request.validated, EDITABLE)
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize(request, created)


@organization.get(permission="view", response_schemas=RECORD)
def get_organization(request):
    return serialize(request, request.context.row)


@organization.patch(
    permission="edit", schema=OrganizationPatch(), validators=(json_body,), response_schemas=RECORD
)
def patch_organization(request):
    """Change what is sent. The public key, which every input and result for the organization
    is encrypted with, only by the organization itself (see OrganizationContext)."""
    changed = request.context.row
    body = request.validated
    if (body.get("public_key", changed.public_key) or "") != changed.public_key:
        if not request.has_permission("set_public_key", request.context):
            raise Refused(
                f"Only the nodes of organization {changed.id} and its own administrators (who "
                "edit it with organization scope) can set its public key"
            )
    set_fields(changed, body, EDITABLE)
    flush_or_400(request, changed)
    return serialize(request, changed)


@organization.delete(permission="delete", response_schemas=MESSAGE)
def delete_organization(request):
    """With ``?delete_dependents=true`` everything of the organization goes too, in one
    transaction; without it, an organization that still has dependents is kept (400)."""
    target = request.context.row
    dependents = {
        "users": select(User.id).where(User.organization_id == target.id),
        "nodes": select(Node.id).where(Node.organization_id == target.id),
        "tasks": select(Task.id).where(Task.init_org_id == target.id),
        "runs": select(Run.id).where(Run.organization_id == target.id),
    }
    refuse_unless_deleting(request, f"Organization {target.id}", dependents)
    _delete_dependents(request.dbsession, target.id, dependents)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Organization {target.id} was deleted"}


def _delete_dependents(session, organization_id: int, dependents: dict) -> None:
    """Its tasks (their runs, subtasks and databases follow by ON DELETE CASCADE), the runs
    at it, its users and nodes. Its roles and collaboration memberships go with the row."""
    session.execute(delete(Task).where(Task.init_org_id == organization_id))
    session.execute(delete(Run).where(Run.organization_id == organization_id))
    users = dependents["users"]
    # A user who moved here from another organization may have started tasks there; those
    # tasks stay, without the user.
    session.execute(update(Task).where(Task.init_user_id.in_(users)).values(init_user_id=None))
    accounts = users.union(dependents["nodes"])
    session.execute(delete(Authenticatable).where(Authenticatable.id.in_(accounts)))
