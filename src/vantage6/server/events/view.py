"""``<api path>/ws``: the event socket. Authentication happens in the socket (see sockets),
because gevent-websocket has already answered the handshake when the view runs."""

from __future__ import annotations

from vantage6.server.api.errors import json_error
from vantage6.server.events.websocket import Connection, Socket

SOCKETS = "vantage6.events.sockets"


def socket_view(request):
    socket = request.environ.get("wsgi.websocket")
    if socket is None:
        return json_error(
            request, 426, "This endpoint takes websocket connections (Upgrade: websocket)"
        )
    if isinstance(socket, Socket):
        socket.max_bytes = request.registry["vantage6.events.max_message_bytes"]
    request.registry[SOCKETS].serve(Connection(socket), request)
    return request.response  # gevent-websocket discards it


def no_transaction_for_sockets(request) -> bool:
    """pyramid_tm's activate hook: a socket (or a socket.io long poll) must not hold a
    transaction for its whole life."""
    socket_io = request.path_info.startswith("/socket.io/")
    return "wsgi.websocket" not in request.environ and not socket_io
