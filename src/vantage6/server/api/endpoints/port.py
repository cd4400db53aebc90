"""``/port``: the original's way for a node to register, one at a time, the ports at which a
run's algorithm takes VPN traffic. This server's nodes send them with the run instead
(``PATCH /run/<id>``, with its ``vpn_address``), so ``POST`` is refused with where to send them;
the node's clean-up after a run (``DELETE``) still works.

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

PORTS_COME_WITH_THE_RUN = (
    "Ports are not registered one at a time on this server: its nodes send an algorithm's "
    "ports with its run (PATCH /run/<id> with vpn_address and vpn_ports). The VPN of the "
    "original's nodes (EduVPN) is not supported"
)


@ports.delete(permission="view", response_schemas=MESSAGE)
def delete_ports(request):
    """``?run_id=``: only the node that executes the run may, as it alone edits the run. A
    finished run's place on the VPN (address and ports) is cleared; a run that has not
    finished keeps it, as its algorithm is still reached there (the original's node calls this
    when the algorithm starts too)."""
    if "run_id" not in request.params:
        raise HTTPBadRequest("run_id is required: the id of the run whose ports to delete")
    run_id = query_int(request, "run_id")
    context = context_for(request, request.context, run_id)
    if not request.has_permission("edit", context):
        raise Refused(f"Only the node that executes run {run_id} may delete its ports")
    run = context.row
    if run.complete:
        run.vpn_address = run.vpn_ports = None
    return {"msg": "Ports removed from the database."}


@ports.post(
    permission="view",
    response_schemas=answers(400, Message(), "Ports come with the run (PATCH /run/<id>)"),
)
def register_port(request):
    """Refused to all: it would store nothing, so reaching runs is all it asks of the caller."""
    raise HTTPBadRequest(PORTS_COME_WITH_THE_RUN)
