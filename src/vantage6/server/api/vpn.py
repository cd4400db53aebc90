"""The VPN in the API: its settings, or the 400 of a server without one, and a run's place on it
(its address and ports), which the node that executes the run reports with the run
(``PATCH /run/<id>``)."""

from __future__ import annotations

from ipaddress import IPv4Address

import colander
from pyramid.httpexceptions import HTTPBadRequest
from sqlalchemy import select

from vantage6.server.api.schema import (
    NAME_LENGTH,
    Body,
    Nullable,
    StrictString,
    documented,
    text,
    whole_number,
)
from vantage6.server.models import Run
from vantage6.server.vpn.blocks import is_host
from vantage6.server.vpn.settings import VpnSettings

NO_VPN = (
    "This server has no VPN between algorithms: its administrator has not set vantage6.vpn.subnet"
)
MOST_PORTS = 64
VPN_FIELDS = {"vpn_address", "vpn_ports"}


def configured_vpn(request) -> VpnSettings:
    """The VPN's settings (read at start-up), for a request that needs a VPN."""
    vpn = request.registry["vantage6.vpn"]
    if vpn is None:
        raise HTTPBadRequest(NO_VPN)
    return vpn


@documented(format="ipv4")
def _ipv4_address(node, value):
    try:
        IPv4Address(value)
    except ValueError:
        raise colander.Invalid(node, f"must be an IPv4 address, not {value!r}") from None


def ipv4_text(**kw):
    return text(validator=_ipv4_address, **kw)


class VpnPort(Body):
    """A port at which the algorithm takes VPN traffic, and what it is for."""

    port = whole_number(validator=colander.Range(min=1, max=65535))
    label = Nullable(StrictString(), validator=NAME_LENGTH, missing=None)


def port_list(**kw):
    return colander.SchemaNode(
        colander.Sequence(), VpnPort(), validator=colander.Length(max=MOST_PORTS), **kw
    )


def place_run(request, run: Run, body: dict, finishing: bool) -> None:
    """Sets the run's VPN address and ports when the report has them: the address must be a
    host of its node's block that no other unfinished run has, ports come with an address,
    and a run this report finishes gets neither (its algorithm is gone)."""
    if not VPN_FIELDS & body.keys():
        return
    configured_vpn(request)
    if finishing:
        raise HTTPBadRequest(
            f"Run {run.id} finishes with this report, so it has no place on the VPN: send "
            "vpn_address and vpn_ports while it runs"
        )
    if "vpn_address" in body:
        run.vpn_address = _free_address(request, run, body["vpn_address"])
    if "vpn_ports" in body:
        if run.vpn_address is None:
            raise HTTPBadRequest(f"Run {run.id} has no vpn_address: send it with vpn_ports")
        run.vpn_ports = body["vpn_ports"]


def _free_address(request, run: Run, address: str) -> str:
    node = run.node  # the caller: only it may report on the run (RunContext)
    if node.vpn_prefix is None:
        raise HTTPBadRequest(
            f"Node {node.id} has no block of VPN addresses: it joins the VPN first (POST /vpn/peer)"
        )
    if not is_host(IPv4Address(address), node.vpn_prefix):
        raise HTTPBadRequest(
            f"vpn_address {address} is not one of the host addresses of node {node.id}'s "
            f"block {node.vpn_prefix}"
        )
    holder = request.dbsession.scalar(
        select(Run.id).where(
            Run.vpn_address == address, Run.finished_at.is_(None), Run.id != run.id
        )
    )
    if holder is not None:
        raise HTTPBadRequest(f"vpn_address {address} is taken by run {holder}, which still runs")
    return address
