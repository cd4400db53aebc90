"""socket.io beside ``<api path>/ws``, where the original 4.x nodes and web UI look for it: the
root ``/socket.io/`` (whatever the API path, as the original serves it), namespace ``/tasks``.

python-socketio speaks the protocol. Each client on the namespace becomes a connection of
:class:`~.sockets.Sockets`, exactly as a ``/ws`` socket is: the same identification from the
handshake's ``Authorization`` header (or the socket.io ``auth`` ``{"token": ...}``), the same
rooms, re-checks, presence and inbound events. Only the shapes on the wire are the
original's: its presence events are called ``node-online``/``node-offline``, and its handlers
of ``sync``, ``expired_token`` and ``invalid_token`` take no argument. Engine.IO's own pings
tell whether the peer is there, so these connections have no heartbeat timeout of ours.

A long-polling session lives in the process that opened it, while the client's later
requests come on new connections. With ``workers`` above 1 a session's id starts with the
number of the worker holding it, and another worker passes its polling requests on to that one
(:mod:`vantage6.server.workers`); a websocket upgrade that reaches another worker fails, and the
client goes on polling, as socket.io clients do. Behind a load balancer over several hosts,
socket.io needs sticky sessions; ``/ws`` does not.
"""

from __future__ import annotations

import functools
import logging
from types import SimpleNamespace
from urllib.parse import parse_qs

import engineio
import gevent
import socketio
from gevent.queue import Queue
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.security import NO_PERMISSION_REQUIRED

from vantage6.server.events.sockets import Sockets
from vantage6.server.events.websocket import NOT_UPGRADED, TOKEN_INVALID, ClosedByPeer, Socket
from vantage6.server.workers import WORKER, pass_on

log = logging.getLogger(__name__)

NAMESPACE = "/tasks"
SERVER = "vantage6.events.socket_io"  # registry key: the socketio.Server
RENAMED = {"node_online": "node-online", "node_offline": "node-offline"}
WITHOUT_DATA = frozenset({"sync", "expired_token", "invalid_token"})
NOT_SENT = frozenset({"pong"})  # Engine.IO keeps the connection alive by itself
GONE = object()  # in an inbox: the peer disconnected
# How long a request passed on to the worker holding its session may take: a long poll is
# answered within Engine.IO's ping interval (25 s).
PASS_ON_TIMEOUT_SECONDS = 60


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


class _WorkerSessions(engineio.Server):
    """Engine.IO whose session ids start with the number of the worker that holds them."""

    def __init__(self, registry, **options):
        super().__init__(**options)
        self._registry = registry

    def generate_id(self) -> str:
        worker = self._registry.get(WORKER)
        plain = super().generate_id()
        return plain if worker is None else f"{worker.number}.{plain}"


class _Server(socketio.Server):
    def __init__(self, registry, **options):
        self._registry = registry
        super().__init__(**options)

    def _engineio_server_class(self):
        return functools.partial(_WorkerSessions, self._registry)


def includeme(config) -> None:
    """The ``/socket.io/`` route, at the root; ``events`` must be included first."""
    registry = config.registry
    server = _Server(
        registry,
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
    registry[NOT_UPGRADED] = _upgrade_elsewhere(registry)
    config.add_route("socket_io", "/socket.io/*path")
    config.add_view(_view, route_name="socket_io", permission=NO_PERMISSION_REQUIRED)


def _view(request):
    holder = _other_worker_holding(request.registry, request.environ)
    if holder is not None:
        if _upgrade(request.environ):
            return HTTPBadRequest(
                "Upgrade refused: go on polling (the session is in another worker)"
            )
        try:
            return pass_on(request, request.registry[WORKER], holder, PASS_ON_TIMEOUT_SECONDS)
        except OSError as exc:  # it died: the session died with it, and the client reconnects
            log.warning("socket.io session of worker %d not reachable: %s", holder, exc)
            return HTTPBadRequest("Invalid session: its worker is gone; connect again")
    socket = request.environ.get("wsgi.websocket")
    if isinstance(socket, Socket):
        socket.max_bytes = request.registry["vantage6.events.max_message_bytes"]
    return request.get_response(request.registry[SERVER].handle_request)


def _other_worker_holding(registry, environ: dict) -> int | None:
    """The number of the worker holding this request's session, when it is not this one."""
    worker = registry.get(WORKER)
    sid = parse_qs(environ.get("QUERY_STRING", "")).get("sid", [""])[0]
    number, dot, _ = sid.partition(".")
    if worker is None or not dot or not number.isdigit() or int(number) == worker.number:
        return None
    return int(number)


def _upgrade(environ: dict) -> bool:
    return environ.get("HTTP_UPGRADE", "").lower() == "websocket"


def _upgrade_elsewhere(registry):
    """:data:`NOT_UPGRADED` for the server's handler: an upgrade for a session that another
    worker holds is refused over plain HTTP, and the client goes on polling."""
    return lambda environ: (
        environ.get("PATH_INFO", "").startswith("/socket.io/")
        and _upgrade(environ)
        and _other_worker_holding(registry, environ) is not None
    )


def _with_auth_token(environ: dict, auth) -> dict:
    """The handshake's variables; a token in socket.io's ``auth`` stands for the header."""
    environ = {key: value for key, value in environ.items() if isinstance(value, str)}
    token = auth.get("token") if isinstance(auth, dict) else None
    if isinstance(token, str) and token and "HTTP_AUTHORIZATION" not in environ:
        environ["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return environ
