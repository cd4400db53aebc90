"""``/collaboration``: organizations that agreed to analyse their data together.

Dependents of a collaboration are its nodes, tasks (a task's runs and subtasks go with it) and
studies. Removing an organization from a collaboration would strand its node there, the runs it
was asked to do and the tasks it created, so it is refused while those exist, unless
``?delete_dependents=true`` deletes them in the same transaction. Its places in the
collaboration's studies are no reason to refuse: it leaves those studies with the collaboration
(the database removes them, see :mod:`vantage6.server.models.study`).
"""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import delete, select

from vantage6.common.encryption import formats_of
from vantage6.server.api.answers import CREATED, MESSAGE, PAGE, RECORD, RECORDS
from vantage6.server.api.contexts import require
from vantage6.server.api.endpoints.organization import serialize as serialize_organization
from vantage6.server.api.endpoints.organization import visible as organization_visible
from vantage6.server.api.errors import Refused
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import flag, included, linked_ids
from vantage6.server.api.render import link, listing
from vantage6.server.api.schema import (
    Body,
    boolean,
    id_list,
    json_body,
    record_name,
    whole_number,
)
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import (
    flush_or_400,
    referenced,
    refuse_unless_deleting,
    set_fields,
)
from vantage6.server.models import Collaboration, Node, Organization, Run, Study, Task, member
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import scoped_filter

collaborations = api_service("collaborations", "/collaboration", traverse="/collaborations")
collaboration = api_service("collaboration", "/collaboration/{id}", traverse="/collaborations/{id}")
collaboration_organization = api_service(
    "collaboration_organization",
    "/collaboration/{id}/organization",
    traverse="/collaborations/{id}",
)

INCLUDABLE = {"organizations", "organization_links"}


class CollaborationCreate(Body):
    name = record_name()
    organization_ids = id_list(missing=())
    encrypted = boolean(missing=True)


class CollaborationPatch(Body):
    name = record_name(missing=colander.drop)
    organization_ids = id_list(missing=colander.drop)
    encrypted = boolean(missing=colander.drop)


class ReferencedId(Body):
    id = whole_number()


def _members(request, item: Collaboration, what):
    """``what`` (the Organization entity or its id) of the members the caller may view."""
    return request.dbsession.scalars(
        select(what)
        .join(member, member.c.organization_id == Organization.id)
        .where(member.c.collaboration_id == item.id, organization_visible(request.identity))
        .order_by(Organization.id)
    )


def visible_members(request, item: Collaboration) -> list[dict]:
    """The member organizations, those the caller may view, in full."""
    return [serialize_organization(request, o) for o in _members(request, item, Organization)]


def member_links(request, item: Collaboration) -> list[dict]:
    """The member organizations the caller may view, each as ``{id, link, methods}``."""
    return [link(request, "organization", id_) for id_ in _members(request, item, Organization.id)]


def included_members(request) -> set[str]:
    """``include=organizations`` (members in full) or ``include=organization_links``
    (members as references), not both."""
    include = included(request, INCLUDABLE)
    if INCLUDABLE <= include:
        raise HTTPBadRequest(
            "include either organizations (in full) or organization_links (id, link and "
            "methods of each), not both"
        )
    return include


def serialize(request, item: Collaboration, include=frozenset()) -> dict:
    """The original's CollaborationSchema: ``organizations`` is the link to their list; with
    ``include=organizations`` the members the caller may view, in full (the original 4.x's
    include), with ``include=organization_links`` those as ``{id, link, methods}`` (the
    original 3.x's shape, which the documentation shows)."""

    def listed(resource: str) -> str:
        return listing(request, resource, collaboration_id=item.id)

    if "organizations" in include:
        organizations = visible_members(request, item)
    elif "organization_links" in include:
        organizations = member_links(request, item)
    else:
        organizations = listed("organization")
    return {
        "id": item.id,
        "name": item.name,
        "encrypted": item.encrypted,
        "organizations": organizations,
        "nodes": listed("node"),
        "tasks": listed("task"),
        "studies": listed("study"),
    }


def visible(identity):
    """SQL condition: collaborations the caller may view (mirrors CollaborationContext)."""
    return scoped_filter(
        identity,
        "collaboration",
        Operation.VIEW,
        organization=lambda own: Collaboration.id.in_(
            select(member.c.collaboration_id).where(member.c.organization_id == own)
        ),
    )


@collaborations.get(permission="view", response_schemas=PAGE)
def list_collaborations(request):
    """Collaborations the caller may see; filters name (LIKE), encrypted, organization_id;
    include=organizations (members in full) or include=organization_links (members as
    id, link and methods)."""
    include = included_members(request)
    query = select(Collaboration).where(visible(request.identity))
    params = request.params
    if "name" in params:
        query = query.where(Collaboration.name.like(params["name"]))
    if "encrypted" in params:
        query = query.where(Collaboration.encrypted == flag(request, "encrypted"))
    if "organization_id" in params:
        query = query.where(Collaboration.id.in_(linked_ids(request, member, "organization_id")))
    sortable = {
        "id": Collaboration.id,
        "name": Collaboration.name,
        "encrypted": Collaboration.encrypted,
    }
    return paginate(
        request,
        query,
        lambda c: serialize(request, c, include),
        sortable,
        Collaboration.id.asc(),
    )


@collaborations.post(
    permission="create",
    schema=CollaborationCreate(),
    validators=(json_body,),
    response_schemas=CREATED,
)
def create_collaboration(request):
    """Create a collaboration of the given organizations (``encrypted`` defaults to true)."""
    body = request.validated
    created = Collaboration(name=body["name"], encrypted=body["encrypted"])
    created.organizations = organizations(request, body["organization_ids"])
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return serialize(request, created)


def organizations(request, ids) -> list[Organization]:
    """The organizations named by ``ids`` (repeats ignored); 400 for any that do not exist."""
    return referenced(request, Organization, list(dict.fromkeys(ids)))


@collaboration.get(permission="view", response_schemas=RECORD)
def get_collaboration(request):
    """``include`` as for the list. An encrypted one also says which encryption formats each
    member's node reads (as the node told the server), for writers in a fleet with vantage6
    4.x nodes."""
    row = request.context.row
    answer = serialize(request, row, included_members(request))
    if row.encrypted:
        answer["encryption_formats"] = [
            {"organization_id": node.organization_id, "formats": formats_of(node.config)}
            for node in sorted(row.nodes, key=lambda node: node.organization_id)
        ]
    return answer


@collaboration.patch(
    permission="edit", schema=CollaborationPatch(), validators=(json_body,), response_schemas=RECORD
)
def patch_collaboration(request):
    """Change name, encrypted and/or the member organizations (``organization_ids`` replaces
    them; that needs the global edit rule and honours ``delete_dependents``)."""
    changed = request.context.row
    body = request.validated
    if "organization_ids" in body:  # first: its queries would flush a pending rename early
        wanted = organizations(request, body["organization_ids"])
        if set(wanted) != set(changed.organizations):
            require(request, "edit_members", request.context)
            removed = [o for o in changed.organizations if o not in wanted]
            for organization in removed:
                clear_member(request, changed, organization)
            changed.organizations = wanted
    if body.get("encrypted", changed.encrypted) != changed.encrypted:
        _require_encryption_change(request, changed)
    set_fields(changed, body, ("name", "encrypted"))
    flush_or_400(request, changed)
    return serialize(request, changed)


def _require_encryption_change(request, changed: Collaboration) -> None:
    """Only the global edit rule switches encryption: it decides for every member whether its
    data travels encrypted, and every node of the collaboration stops until its operator
    changes the node's ``[encryption]`` setting to match."""
    if not request.has_permission("edit_encryption", request.context):
        raise Refused(
            "Only holders of the global collaboration edit rule can switch a collaboration's "
            "encryption on or off (its nodes stop until their configuration matches)"
        )


@collaboration.delete(permission="delete", response_schemas=MESSAGE)
def delete_collaboration(request):
    """Delete the collaboration; with nodes, tasks or studies only when
    ``delete_dependents=true``, which deletes them (tasks with their runs) too."""
    target = request.context.row
    dependents = {
        "nodes": select(Node.id).where(Node.collaboration_id == target.id),
        "tasks": select(Task.id).where(Task.collaboration_id == target.id),
        "studies": select(Study.id).where(Study.collaboration_id == target.id),
    }
    refuse_unless_deleting(request, f"Collaboration {target.id}", dependents)
    request.dbsession.execute(delete(Task).where(Task.collaboration_id == target.id))
    request.dbsession.execute(delete(Study).where(Study.collaboration_id == target.id))
    for dependent in list(target.nodes):
        request.dbsession.delete(dependent)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Collaboration {target.id} was deleted"}


def clear_member(request, item: Collaboration, organization: Organization) -> None:
    """Before ``organization`` leaves ``item``: refuse while it has a node, tasks or runs
    there, or delete those with ``delete_dependents=true``."""
    in_collaboration = select(Task.id).where(Task.collaboration_id == item.id)
    node_of = (Node.organization_id == organization.id, Node.collaboration_id == item.id)
    created = (Task.collaboration_id == item.id, Task.init_org_id == organization.id)
    asked = (Run.organization_id == organization.id, Run.task_id.in_(in_collaboration))
    refuse_unless_deleting(
        request,
        f"Organization {organization.id} in collaboration {item.id}",
        {
            "nodes": select(Node.id).where(*node_of),
            "tasks": select(Task.id).where(*created),
            "runs": select(Run.id).where(*asked),
        },
    )
    session = request.dbsession
    session.execute(delete(Task).where(*created))
    session.execute(delete(Run).where(*asked))
    for dependent in session.scalars(select(Node).where(*node_of)):
        session.delete(dependent)


@collaboration_organization.post(
    permission="edit_members",
    schema=ReferencedId(),
    validators=(json_body,),
    response_schemas=RECORDS,
)
def add_organization(request):
    """Add an organization; answers with the members the caller may view."""
    target = request.context.row
    (organization,) = organizations(request, [request.validated["id"]])
    if organization in target.organizations:
        raise HTTPBadRequest(
            f"Organization {organization.id} is already a member of collaboration {target.id}"
        )
    target.organizations.append(organization)
    flush_or_400(request, target)
    return visible_members(request, target)


@collaboration_organization.delete(
    permission="edit_members",
    schema=ReferencedId(),
    validators=(json_body,),
    response_schemas=RECORDS,
)
def remove_organization(request):
    """Remove an organization (see the module's note on dependents)."""
    target = request.context.row
    (organization,) = organizations(request, [request.validated["id"]])
    if organization not in target.organizations:
        raise HTTPBadRequest(
            f"Organization {organization.id} is not a member of collaboration {target.id}"
        )
    clear_member(request, target, organization)
    target.organizations.remove(organization)
    flush_or_400(request, target)
    return visible_members(request, target)
