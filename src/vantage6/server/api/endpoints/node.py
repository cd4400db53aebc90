"""``/node``: the accounts that organizations' nodes log in with, one per collaboration;
``/collaboration/<id>/node`` moves a node between collaborations.

The plain API key is shown once, when a node is registered or its key is reset
(``/recover/node``); only its hash is stored and no read ever returns it.
"""

from __future__ import annotations

import ipaddress
import uuid

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import select

from vantage6.server.api.answers import (
    MESSAGE,
    PAGE,
    RECORD,
    ApiKey,
    Records,
    RegisteredNode,
    answers,
)
from vantage6.server.api.contexts import filtered_by, require
from vantage6.server.api.pagination import paginate
from vantage6.server.api.params import query_int, time_param
from vantage6.server.api.render import iso, link
from vantage6.server.api.schema import (
    Body,
    boolean,
    documented,
    explained_refusal,
    json_body,
    optional_text,
    record_name,
    whole_number,
)
from vantage6.server.api.service import api_service
from vantage6.server.api.writes import flush_or_400, referenced, set_fields
from vantage6.server.models import Collaboration, Node, Organization, study_member
from vantage6.server.models.rule import Operation
from vantage6.server.resources.base import scoped_filter
from vantage6.server.resources.node import NewNode

nodes = api_service("nodes", "/node", traverse="/nodes")
node = api_service("node", "/node/{id}", traverse="/nodes/{id}")
recover_node = api_service("recover_node", "/recover/node", traverse="/nodes")
collaboration_node = api_service(
    "collaboration_node", "/collaboration/{id}/node", traverse="/collaborations/{id}"
)

OFFLINE = "offline"
TIME = "a date (yyyy-mm-dd) or an ISO 8601 time"


def _unchangeable(node, value):
    raise colander.Invalid(
        node, "cannot be changed: a node belongs to one organization and collaboration"
    )


@documented(format="ipv4")  # IPv6 is accepted too, but Swagger 2.0 has no way to say "either"
def _ip_address(node, value):
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise colander.Invalid(node, f"must be an IP address, not {value!r}") from None


def _unchangeable_id():
    return explained_refusal(whole_number(missing=colander.drop, validator=_unchangeable))


class NodeCreate(Body):
    collaboration_id = whole_number()
    organization_id = whole_number(missing=colander.drop)
    name = record_name(missing=colander.drop)


class NodePatch(Body):
    name = record_name(missing=colander.drop)
    ip = optional_text(validator=_ip_address)
    clear_ip = boolean(missing=colander.drop)
    organization_id = _unchangeable_id()
    collaboration_id = _unchangeable_id()


class NodeId(Body):
    id = whole_number()


def serialize(request, item: Node) -> dict:
    """The original's NodeSchema, without any trace of the API key."""
    return {
        "id": item.id,
        "name": item.name,
        "type": item.type,
        "status": item.status,
        "ip": item.ip,
        "last_seen": iso(item.last_seen),
        "organization": link(request, "organization", item.organization_id),
        "collaboration": link(request, "collaboration", item.collaboration_id),
        "config": item.config or [],  # what it last shared (events.inbound)
        "vpn_prefix": item.vpn_prefix,  # its block of VPN addresses (POST /vpn/peer)
    }


def visible(identity):
    """SQL condition: nodes the caller may view (mirrors NodeContext's ACL)."""
    return scoped_filter(
        identity,
        "node",
        Operation.VIEW,
        organization=lambda own: Node.organization_id == own,
        collaboration=lambda ids: Node.collaboration_id.in_(ids),
    )


def node_context(request, node_id: int, permission: str):
    """The context of the node a body refers to, once the caller may ``permission`` it."""
    try:
        context = request.root["nodes"][str(node_id)]
    except KeyError:
        raise HTTPBadRequest(f"Node {node_id} does not exist") from None
    require(request, permission, context)
    return context


@nodes.get(permission="view", response_schemas=PAGE)
def list_nodes(request):
    """Nodes the caller may see; filters name (LIKE), organization_id, collaboration_id,
    study_id (the nodes of its organizations in its collaboration), status, ip,
    last_seen_from, last_seen_till."""
    query = select(Node).where(visible(request.identity))
    params = request.params
    if "name" in params:
        query = query.where(Node.name.like(params["name"]))
    for column in ("organization_id", "collaboration_id"):
        if column in params:
            query = query.where(getattr(Node, column) == query_int(request, column))
    if "study_id" in params:
        study = filtered_by(request, "studies", "study_id")
        in_study = select(study_member.c.organization_id).where(study_member.c.study_id == study.id)
        query = query.where(
            Node.collaboration_id == study.collaboration_id, Node.organization_id.in_(in_study)
        )
    for column in ("status", "ip"):
        if column in params:
            query = query.where(getattr(Node, column) == params[column])
    if "last_seen_from" in params:
        query = query.where(Node.last_seen >= time_param(request, "last_seen_from", TIME))
    if "last_seen_till" in params:
        query = query.where(
            Node.last_seen <= time_param(request, "last_seen_till", TIME, end_of_day=True)
        )
    sortable = {
        "id": Node.id,
        "name": Node.name,
        "status": Node.status,
        "last_seen": Node.last_seen,
        "organization_id": Node.organization_id,
        "collaboration_id": Node.collaboration_id,
    }
    return paginate(request, query, lambda n: serialize(request, n), sortable, Node.id.asc())


@nodes.post(
    permission="create",
    schema=NodeCreate(),
    validators=(json_body,),
    response_schemas=answers(201, RegisteredNode(), "Registered"),
)
def create_node(request):
    """Register a node for an organization (default: the caller's) in a collaboration it is a
    member of; the answer holds the new API key, which is never shown again."""
    body = request.validated
    organization_id = body.get("organization_id", request.identity.organization_id)
    collaboration_id = body["collaboration_id"]
    require(request, "create", NewNode(request.context, organization_id, collaboration_id))
    (collaboration,) = referenced(request, Collaboration, [collaboration_id])
    (organization,) = referenced(request, Organization, [organization_id])
    check_can_join(request, organization, collaboration)
    api_key = str(uuid.uuid4())
    created = Node(
        name=body.get("name") or unused_name(request, organization, collaboration),
        organization=organization,
        collaboration=collaboration,
        api_key=api_key,
        status=OFFLINE,
    )
    request.dbsession.add(created)
    flush_or_400(request, created)
    request.response.status = 201
    return {**serialize(request, created), "api_key": api_key}


def check_can_join(request, organization: Organization, collaboration: Collaboration) -> None:
    """A node needs its organization in the collaboration, and one node per pair."""
    if organization not in collaboration.organizations:
        raise HTTPBadRequest(
            f"Organization {organization.id} is not a member of collaboration "
            f"{collaboration.id}; add it to the collaboration first"
        )
    existing = request.dbsession.scalars(
        select(Node.id).filter_by(
            organization_id=organization.id, collaboration_id=collaboration.id
        )
    ).first()
    if existing is not None:
        raise HTTPBadRequest(
            f"Organization {organization.id} already has node {existing} in collaboration "
            f"{collaboration.id}"
        )


def unused_name(request, organization: Organization, collaboration: Collaboration) -> str:
    """``<organization> - <collaboration> Node`` as the original names nodes, numbered when
    that name is taken (e.g. by a renamed or moved node)."""
    base = f"{organization.name} - {collaboration.name} Node"
    candidate, number = base, 1
    while request.dbsession.scalars(select(Node.id).filter_by(name=candidate)).first():
        number += 1
        candidate = f"{base} ({number})"
    return candidate


@node.get(permission="view", response_schemas=RECORD)
def get_node(request):
    return serialize(request, request.context.row)


@node.patch(permission="edit", schema=NodePatch(), validators=(json_body,), response_schemas=RECORD)
def patch_node(request):
    """Change name and/or VPN ip (``clear_ip: true`` removes it); a node may do this for
    itself only."""
    changed = request.context.row
    body = dict(request.validated)
    if body.pop("clear_ip", False):
        if body.get("ip") is not None:
            raise HTTPBadRequest("Send either ip or clear_ip, not both")
        body["ip"] = None
    set_fields(changed, body, ("name", "ip"))
    flush_or_400(request, changed)
    return serialize(request, changed)


@node.delete(permission="delete", response_schemas=MESSAGE)
def delete_node(request):
    """Delete the node account; its organization's runs stay (they belong to tasks)."""
    target = request.context.row
    request.dbsession.delete(target)
    flush_or_400(request, target)
    return {"msg": f"Node {target.id} was deleted"}


@recover_node.post(
    permission="reset_key",
    schema=NodeId(),
    validators=(json_body,),
    response_schemas=answers(200, ApiKey(), "The new API key"),
)
def reset_api_key(request):
    """Give a node a new API key (the old one stops working) and show it once."""
    target = node_context(request, request.validated["id"], "reset_key").row
    api_key = str(uuid.uuid4())
    target.api_key = api_key
    flush_or_400(request, target)
    return {"api_key": api_key}


@collaboration_node.post(
    permission="edit",
    schema=NodeId(),
    validators=(json_body,),
    response_schemas=answers(201, Records(), "The collaboration's nodes"),
)
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
        Node.collaboration_id == target.id, visible(request.identity)
    )
    return [serialize(request, n) for n in request.dbsession.scalars(in_collaboration)]


@collaboration_node.delete(
    permission="edit", schema=NodeId(), validators=(json_body,), response_schemas=MESSAGE
)
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
