"""``/collaboration``: organizations that agreed to analyse their data together.

Dependents of a collaboration are its nodes and tasks (a task's runs and subtasks go with it).
Removing an organization from a collaboration would strand its node there, the runs it was
asked to do and the tasks it created, so it is refused while those exist, unless
``?delete_dependents=true`` deletes them in the same transaction.
"""

from __future__ import annotations

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import delete, func, select

from vantage6.server.api.node import check_can_join, node_context, referenced, require
from vantage6.server.api.node import serialize as serialize_node
from vantage6.server.api.node import visible as node_visible
from vantage6.server.api.organization import serialize as serialize_organization
from vantage6.server.api.organization import visible as organization_visible
from vantage6.server.api.pagination import paginate
from vantage6.server.api.schema import Body, boolean, id_list, json_body, text, whole_number
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400, query_int, set_fields
from vantage6.server.models import Collaboration, Node, Organization, Run, Task, member
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import scoped_filter

collaborations = api_service("collaborations", "/collaboration", traverse="/collaborations")
collaboration = api_service("collaboration", "/collaboration/{id}", traverse="/collaborations/{id}")
collaboration_organization = api_service(
    "collaboration_organization",
    "/collaboration/{id}/organization",
    traverse="/collaborations/{id}",
)
collaboration_node = api_service(
    "collaboration_node", "/collaboration/{id}/node", traverse="/collaborations/{id}"
)

INCLUDABLE = {"organizations"}


def _name(**kw):
    return text(validator=colander.Length(min=1, max=128), **kw)


class CollaborationCreate(Body):
    name = _name()
    organization_ids = id_list(missing=())
    encrypted = boolean(missing=True)


class CollaborationPatch(Body):
    name = _name(missing=colander.drop)
    organization_ids = id_list(missing=colander.drop)
    encrypted = boolean(missing=colander.drop)


class ReferencedId(Body):
    id = whole_number()


def flag_param(request, name: str) -> bool:
    """A true/false query parameter (``False`` as sent by the Python client is false)."""
    raw = request.params.get(name)
    if raw is None:
        return False
    value = {"true": True, "1": True, "false": False, "0": False}.get(raw.lower())
    if value is None:
        raise HTTPBadRequest(f"{name} must be true or false, not {raw!r}")
    return value


def included(request) -> set[str]:
    names = {
        name.strip()
        for value in request.params.getall("include")
        for name in value.split(",")
        if name.strip()
    }
    unknown = names - INCLUDABLE
    if unknown:
        raise HTTPBadRequest(
            f"cannot include {', '.join(sorted(unknown))}; include one of: "
            + ", ".join(sorted(INCLUDABLE))
        )
    return names


def visible_members(request, item: Collaboration) -> list[dict]:
    """The member organizations, those the caller may view, in full."""
    query = (
        select(Organization)
        .join(member, member.c.organization_id == Organization.id)
        .where(member.c.collaboration_id == item.id, organization_visible(request.identity))
        .order_by(Organization.id)
    )
    return [serialize_organization(request, o) for o in request.dbsession.scalars(query)]


def serialize(request, item: Collaboration, include=frozenset()) -> dict:
    """The original's CollaborationSchema; ``organizations`` is a link, or with
    ``include=organizations`` the members the caller may view."""
    api = request.registry.settings["vantage6.api_path"]

    def link(resource: str) -> str:
        return f"{api}/{resource}?collaboration_id={item.id}"

    return {
        "id": item.id,
        "name": item.name,
        "encrypted": item.encrypted,
        "organizations": (
            visible_members(request, item) if "organizations" in include else link("organization")
        ),
        "nodes": link("node"),
        "tasks": link("task"),
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


@collaborations.get(permission="view")
def list_collaborations(request):
    """Collaborations the caller may see; filters name (LIKE), encrypted, organization_id,
    include=organizations."""
    include = included(request)
    query = select(Collaboration).where(visible(request.identity))
    params = request.params
    if "name" in params:
        query = query.where(Collaboration.name.like(params["name"]))
    if "encrypted" in params:
        query = query.where(Collaboration.encrypted == flag_param(request, "encrypted"))
    if "organization_id" in params:
        members = select(member.c.collaboration_id).where(
            member.c.organization_id == query_int(request, "organization_id")
        )
        query = query.where(Collaboration.id.in_(members))
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


@collaborations.post(permission="create", schema=CollaborationCreate(), validators=(json_body,))
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


@collaboration.get(permission="view")
def get_collaboration(request):
    return serialize(request, request.context.row, included(request))


@collaboration.patch(permission="edit", schema=CollaborationPatch(), validators=(json_body,))
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
    set_fields(changed, body, ("name", "encrypted"))
    flush_or_400(request, changed)
    return serialize(request, changed)


@collaboration.delete(permission="delete")
def delete_collaboration(request):
    """Delete the collaboration; with nodes or tasks only when ``delete_dependents=true``,
    which deletes them (tasks with their runs) too."""
    target = request.context.row
    dependents = {
        "nodes": select(Node.id).where(Node.collaboration_id == target.id),
        "tasks": select(Task.id).where(Task.collaboration_id == target.id),
    }
    refuse_unless_deleting(request, f"Collaboration {target.id}", dependents)
    request.dbsession.execute(delete(Task).where(Task.collaboration_id == target.id))
    for dependent in list(target.nodes):
        request.dbsession.delete(dependent)
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Collaboration {target.id} was deleted"}


def refuse_unless_deleting(request, owner: str, dependents: dict) -> None:
    """A 400 listing the dependents (label -> select of their ids) that exist, unless the
    caller asked to delete them with ``delete_dependents=true``."""
    if flag_param(request, "delete_dependents"):
        return
    counts = {
        label: request.dbsession.scalar(select(func.count()).select_from(query.subquery()))
        for label, query in dependents.items()
    }
    found = [f"{count} {label}" for label, count in counts.items() if count]
    if found:
        raise HTTPBadRequest(
            f"{owner} still has {', '.join(found)}; delete those first or add "
            "?delete_dependents=true to delete them along"
        )


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
    permission="edit_members", schema=ReferencedId(), validators=(json_body,)
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
    permission="edit_members", schema=ReferencedId(), validators=(json_body,)
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


@collaboration_node.post(permission="edit", schema=ReferencedId(), validators=(json_body,))
def add_node(request):
    """Move a node into this collaboration: a node belongs to exactly one collaboration, so
    adding it elsewhere means leaving the old one. Needs edit on the collaboration and on the
    node; its organization must be a member without a node here yet."""
    target = request.context.row
    moved = node_context(request, request.validated["id"], "edit").row
    if moved.collaboration_id == target.id:
        raise HTTPBadRequest(f"Node {moved.id} is already in collaboration {target.id}")
    check_can_join(request, moved.organization, target)
    moved.collaboration = target
    flush_or_400(request, moved)
    request.response.status = 201
    in_collaboration = select(Node).where(
        Node.collaboration_id == target.id, node_visible(request.identity)
    )
    return [serialize_node(request, n) for n in request.dbsession.scalars(in_collaboration)]


@collaboration_node.delete(permission="edit", schema=ReferencedId(), validators=(json_body,))
def remove_node(request):
    """Remove a node from this collaboration, which deletes it (a node cannot exist outside
    a collaboration); needs edit on the collaboration and delete on the node."""
    target = request.context.row
    removed = node_context(request, request.validated["id"], "delete").row
    if removed.collaboration_id != target.id:
        raise HTTPBadRequest(f"Node {removed.id} is not in collaboration {target.id}")
    request.dbsession.delete(removed)
    flush_or_400(request, removed)
    return {"msg": f"Node {removed.id} was removed from collaboration {target.id} and deleted"}
