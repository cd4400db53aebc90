"""socket.io beside ``<api path>/ws``, where the original 4.x nodes and web UI look for it: the
root ``/socket.io/`` (whatever the API path, as the original serves it), namespace ``/tasks``.

python-socketio speaks the protocol. Each client on the namespace becomes a connection of
:class:`~.sockets.Sockets`, exactly as a ``/ws`` socket is: the same identification from the
handshake's ``Authorization`` header (or the socket.io ``auth`` ``{"token": ...}``), the same
rooms, re-checks, presence and inbound events. Only the shapes on the wire are the
original's: its presence events are called ``node-online``/``node-offline``, and its handlers
of ``sync``, ``expired_token`` and ``invalid_token`` take no argument. Engine.IO's own pings
tell whether the peer is there, so these connections have no heartbeat timeout of ours.

Behind a load balancer, or with ``workers`` above 1, socket.io's long-polling needs sticky
sessions (its requests must reach the process that holds the session); ``/ws`` does not.
"""

from __future__ import annotations

import logging
from types import SimpleNamespace

import gevent
import socketio
from gevent.queue import Queue
from pyramid.security import NO_PERMISSION_REQUIRED

from vantage6.server.events.sockets import Sockets
from vantage6.server.events.websocket import TOKEN_INVALID, ClosedByPeer, Socket

log = logging.getLogger(__name__)

NAMESPACE = "/tasks"
SERVER = "vantage6.events.socket_io"  # registry key: the socketio.Server
RENAMED = {"node_online": "node-online", "node_offline": "node-offline"}
WITHOUT_DATA = frozenset({"sync", "expired_token", "invalid_token"})
NOT_SENT = frozenset({"pong"})  # Engine.IO keeps the connection alive by itself
GONE = object()  # in an inbox: the peer disconnected


class SocketIOConnection:
    """One client (a ``sid`` on :data:`NAMESPACE`) as the events package's connection:
    receive, send, close."""

    def __init__(self, server: socketio.Server, sid: str):
        self._server = server
        self._sid = sid
        self._inbox: Queue = Queue()
        self.closed = False

    def arrived(self, event: str, data) -> None:
        """An event the client sent, for :meth:`receive`."""
        self._inbox.put({"event": event, "data": data})

    def gone(self) -> None:
        self.closed = True
        self._inbox.put(GONE)

    def receive(self) -> dict:
        message = self._inbox.get()
        if message is GONE:
            self._inbox.put(GONE)  # for any later receive
            raise ClosedByPeer("disconnected")
        return message

    def send(self, event: str, data=None) -> None:
        if self.closed:
            raise ClosedByPeer("disconnected")
        if event in NOT_SENT:
            return
        name = RENAMED.get(event, event)
        arguments = {} if event in WITHOUT_DATA else {"data": data}
        self._server.emit(name, to=self._sid, namespace=NAMESPACE, **arguments)

    def close(self, code: int, reason: str) -> None:
        if self.closed:
            return
        self.closed = True
        if code == TOKEN_INVALID:  # the original node logs in again on this
            self._server.emit("invalid_token", to=self._sid, namespace=NAMESPACE)
        log.debug("Closing socket.io client %s: %s (%d)", self._sid, reason, code)
        self._server.disconnect(self._sid, namespace=NAMESPACE)


def includeme(config) -> None:
    """The ``/socket.io/`` route, at the root; ``events`` must be included first."""
    registry = config.registry
    server = socketio.Server(
        async_mode="gevent",
        always_connect=True,  # accepted first, then identified: refusals are events
        max_http_buffer_size=registry["vantage6.events.max_message_bytes"],
    )
    sockets = Sockets.without_heartbeat(registry["vantage6.events.sockets"])
    connections: dict[str, SocketIOConnection] = {}

    @server.on("connect", namespace=NAMESPACE)
    def connect(sid, environ, auth=None):
        connections[sid] = connection = SocketIOConnection(server, sid)
        handshake = SimpleNamespace(environ=_with_auth_token(environ, auth))
        gevent.spawn(sockets.serve, connection, handshake)

    @server.on("disconnect", namespace=NAMESPACE)
    def disconnect(sid, *reason):
        connection = connections.pop(sid, None)
        if connection is not None:
            connection.gone()

    @server.on("*", namespace=NAMESPACE)
    def any_event(event, sid, data=None, *more):
        connection = connections.get(sid)
        if connection is not None:
            connection.arrived(event, data)

    registry[SERVER] = server
    config.add_route("socket_io", "/socket.io/*path")
    config.add_view(_view, route_name="socket_io", permission=NO_PERMISSION_REQUIRED)


def _view(request):
    socket = request.environ.get("wsgi.websocket")
    if isinstance(socket, Socket):
        socket.max_bytes = request.registry["vantage6.events.max_message_bytes"]
    return request.get_response(request.registry[SERVER].handle_request)


def _with_auth_token(environ: dict, auth) -> dict:
    """The handshake's variables; a token in socket.io's ``auth`` stands for the header."""
    environ = {key: value for key, value in environ.items() if isinstance(value, str)}
    token = auth.get("token") if isinstance(auth, dict) else None
    if isinstance(token, str) and token and "HTTP_AUTHORIZATION" not in environ:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ
