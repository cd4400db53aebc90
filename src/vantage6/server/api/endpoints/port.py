"""``/port``: the ports at which a run's algorithm takes VPN traffic. This server has no VPN,
so no run has ports: the node's clean-up after every run (``DELETE``) succeeds with nothing to
remove, and registering a port (``POST``) is refused with the reason.

A 400 rather than the 501 the original gives for VPN requests to a server without one: no
answer of this API is a 5xx, which is kept for the server's own failures."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPBadRequest

from vantage6.server.api.answers import MESSAGE, Message, answers
from vantage6.server.api.contexts import context_for
from vantage6.server.api.errors import Refused
from vantage6.server.api.params import query_int
from vantage6.server.api.service import api_service

ports = api_service("port", "/port", traverse="/runs")

NO_VPN = (
    "This server does not support VPN: no VPN is configured on this server, so algorithm "
    "ports cannot be registered"
)


@ports.delete(permission="view", response_schemas=MESSAGE)
def delete_ports(request):
    """``?run_id=``: only the node that executes the run may, as it alone edits the run."""
    if "run_id" not in request.params:
        raise HTTPBadRequest("run_id is required: the id of the run whose ports to delete")
    run_id = query_int(request, "run_id")
    context = context_for(request, request.context, run_id)
    if not request.has_permission("edit", context):
        raise Refused(f"Only the node that executes run {run_id} may delete its ports")
    return {"msg": "Ports removed from the database."}


@ports.post(permission="view", response_schemas=answers(400, Message(), "This server has no VPN"))
def register_port(request):
    """Refused to all: it would store nothing, so reaching runs is all it asks of the caller."""
    raise HTTPBadRequest(NO_VPN)
