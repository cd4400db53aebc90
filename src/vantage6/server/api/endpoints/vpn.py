"""``/vpn``: the WireGuard VPN between the algorithm containers of a job. A node joins it
(``POST /vpn/peer``) with its public key, and gets its block of addresses and what it needs to
reach the hub; an algorithm container finds the addresses of its job's runs
(``GET /vpn/algorithm/addresses``). A run's own address and ports come with its node's report
(``PATCH /run/<id>``, :mod:`vantage6.server.api.vpn`).
"""

from __future__ import annotations

import logging
import re

import colander
from pyramid.httpexceptions import HTTPBadRequest, HTTPConflict, HTTPServiceUnavailable
from sqlalchemy import func, or_, select

from vantage6.server.api.answers import AlgorithmAddresses, VpnPeer, answers
from vantage6.server.api.errors import Refused
from vantage6.server.api.params import flag
from vantage6.server.api.schema import Body, documented, json_body, text
from vantage6.server.api.service import api_service
from vantage6.server.api.vpn import configured_vpn
from vantage6.server.api.writes import flush_or_400
from vantage6.server.models import Node, Run, Task
from vantage6.server.vpn.blocks import free_block, is_node_block
from vantage6.server.vpn.settings import VpnSettings

log = logging.getLogger(__name__)

peer = api_service("vpn_peer", "/vpn/peer", traverse="/vpn")
addresses = api_service("vpn_addresses", "/vpn/algorithm/addresses", traverse="/vpn")

KEEPALIVE_SECONDS = 25  # how often a node behind NAT sends, to keep its tunnel open
HUB_NOT_STARTED = "The VPN hub has not started yet: start `vserver vpn-hub` beside the server"
# Base64 of 32 bytes: the last character before the padding holds 4 bits, the rest zeros.
WIREGUARD_KEY = r"^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$"
_JOINING_LOCK = 0x76367670  # any constant: the advisory lock of nodes joining

# The original's flags: one only_ flag at most; an include_ flag goes with none but its own
# level's only_ flag (which it is then part of).
ONLY = ("only_children", "only_parent", "only_siblings", "only_self")
INCLUDE = {"include_children": "only_children", "include_parent": "only_parent"}


@documented(pattern=WIREGUARD_KEY)
def _wireguard_key(node, value):
    if not re.fullmatch(WIREGUARD_KEY, value):  # $ alone would let a final newline through
        raise colander.Invalid(node, "must be a WireGuard public key: the base64 of 32 bytes")


class Peer(Body):
    public_key = text(validator=_wireguard_key)


def _nodes_only(request, **kwargs):
    """Cornice validator, ahead of the body's: who may join is told before what they sent."""
    if not request.has_permission("join", request.context):
        raise Refused(
            "Only nodes join the VPN, each with a key of its own; users and algorithm "
            "containers do not"
        )


@peer.post(
    permission="view",
    schema=Peer(),
    validators=(_nodes_only, json_body),
    response_schemas=answers(200, VpnPeer(), "The node's block and how to reach the hub"),
)
def join_vpn(request):
    """A node's WireGuard key (a new one replaces the last) and the block of addresses its
    algorithms get: the lowest free one, kept from then on."""
    vpn = configured_vpn(request)
    hub_key = _hub_public_key(vpn)
    key = request.validated["public_key"]
    session = request.dbsession
    # Nodes join one at a time, so that no two get the same block: on PostgreSQL by a lock held
    # until the transaction ends, on SQLite as every writer (db.SQLiteWriters). The node is
    # then read again, as its own other request may have joined meanwhile.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(_JOINING_LOCK)))
    node = session.get(Node, request.identity.id, populate_existing=True)
    if session.scalar(select(Node.id).where(Node.vpn_public_key == key, Node.id != node.id)):
        raise HTTPConflict(
            "Another node has joined the VPN with this public key: each node makes a key pair "
            "of its own"
        )
    if node.vpn_prefix is None or not is_node_block(node.vpn_prefix, vpn):
        node.vpn_prefix = _new_block(session, node, vpn)
    node.vpn_public_key = key
    flush_or_400(request, node)
    return {
        "subnet": str(vpn.subnet),
        "prefix": node.vpn_prefix,
        "hub_public_key": hub_key,
        "endpoint": vpn.endpoint,
        "keepalive": KEEPALIVE_SECONDS,
    }


def _new_block(session, node: Node, vpn: VpnSettings) -> str:
    taken = session.scalars(
        select(Node.vpn_prefix).where(Node.vpn_prefix.is_not(None), Node.id != node.id)
    )
    block = free_block(vpn, taken)
    if block is None:
        raise HTTPConflict(
            f"The VPN's subnet {vpn.subnet} has no free block of /{vpn.prefix_length} left for "
            "this node: its administrator can widen vantage6.vpn.subnet or lengthen "
            "vantage6.vpn.prefix_length"
        )
    return str(block)


def _hub_public_key(vpn: VpnSettings) -> str:
    """The key the hub publishes once it takes connections; nodes cannot join before."""
    try:
        key = vpn.public_key_file.read_text().strip()
    except OSError as exc:
        log.warning("The VPN hub's public key %s: %s", vpn.public_key_file, exc.strerror)
        raise HTTPServiceUnavailable(HUB_NOT_STARTED) from None
    if not re.fullmatch(WIREGUARD_KEY, key):  # being written, say
        log.warning("The VPN hub's public key %s holds no key", vpn.public_key_file)
        raise HTTPServiceUnavailable(HUB_NOT_STARTED)
    return key


@addresses.get(
    permission="view",
    response_schemas=answers(200, AlgorithmAddresses(), "The addresses, one per port"),
)
def find_addresses(request):
    """The VPN addresses of the unfinished runs of the caller's task (its own run's and its
    siblings'), one per port; with ``include_children``/``include_parent`` also those of its
    subtasks and parent task, with one of ``only_children``, ``only_parent``,
    ``only_siblings`` and ``only_self`` those alone. ``label`` keeps the ports so labelled.
    Without a VPN there are none, as the original answers without ports."""
    if not request.has_permission("find_addresses", request.context):
        raise Refused("Only algorithm containers look up VPN addresses, those of their own job")
    levels = _levels(request)
    if request.registry["vantage6.vpn"] is None:
        return {"addresses": []}
    identity = request.identity
    about = identity.claims["sub"]
    task = request.dbsession.get(Task, about["task_id"])
    where = {
        "self": Run.id == about["run_id"],
        "siblings": (Run.task_id == task.id) & (Run.id != about["run_id"]),
        "children": Task.parent_id == task.id,
        "parent": Task.id == task.parent_id,  # IS NULL for a task without one: nothing
    }
    query = (
        select(
            Run.id, Run.vpn_address, Run.vpn_ports, Run.organization_id, Run.task_id, Task.parent_id
        )
        .join(Run.task)
        .where(Task.job_id == identity.job_id, or_(*(where[level] for level in levels)))
        .where(Run.vpn_address.is_not(None), Run.finished_at.is_(None))
        .order_by(Run.id)
    )
    label = request.params.get("label")
    return {
        "addresses": [
            {
                "ip": run.vpn_address,
                "port": port["port"],
                "label": port["label"],
                "organization_id": run.organization_id,
                "task_id": run.task_id,
                "parent_id": run.parent_id,
                "run_id": run.id,
            }
            for run in request.dbsession.execute(query)
            for port in run.vpn_ports or ()
            if not label or port["label"] == label
        ]
    }


def _levels(request) -> set[str]:
    """Which runs of the job the flags ask for: self, siblings, children, parent."""
    only = [name for name in ONLY if flag(request, name)]
    if len(only) > 1:
        raise HTTPBadRequest(f"Give at most one of the only_ flags, not {' and '.join(only)}")
    included = [name for name in INCLUDE if flag(request, name)]
    clashing = [name for name in included if only and INCLUDE[name] != only[0]]
    if clashing:
        raise HTTPBadRequest(
            f"{clashing[0]} cannot go with {only[0]}: an include_ flag goes only with the only_ "
            "flag of its own level"
        )
    if only:
        return {only[0].removeprefix("only_")}
    return {"self", "siblings", *(name.removeprefix("include_") for name in included)}
