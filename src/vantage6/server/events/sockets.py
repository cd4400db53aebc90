"""One client's socket from handshake to close: authenticate, join rooms, say ``sync``, then
a reader (heartbeats, bad input) and a writer (events, re-checks of the token) until either
ends. Every way of ending closes the socket with a code and a reason."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import gevent
from gevent.queue import Empty

from vantage6.server.events.auth import Refusal, authenticate
from vantage6.server.events.hub import Close, Hub, Subscription
from vantage6.server.events.presence import Presence
from vantage6.server.events.rooms import identity_rooms
from vantage6.server.events.websocket import (
    INTERNAL_ERROR,
    MISSED_HEARTBEATS,
    NO_TOKEN,
    POLICY_VIOLATION,
    TOKEN_EXPIRED,
    BadFrame,
    ClosedByPeer,
    Connection,
)
from vantage6.server.security.jwt_backend import bearer_token

log = logging.getLogger(__name__)

INBOUND = ("ping",)


@dataclass(frozen=True)
class Timing:
    auth_seconds: float  # to send the token when the handshake had none
    heartbeat_seconds: float  # silence after which the socket is closed
    recheck_seconds: float  # how often the token and the rights are checked again


@dataclass
class Client:
    connection: Connection
    token: str
    identity: object
    expires: float | None
    subscription: Subscription | None = None


class Sockets:
    def __init__(self, registry, hub: Hub, presence: Presence, timing: Timing):
        self._registry = registry
        self._hub = hub
        self._presence = presence
        self._timing = timing

    def serve(self, connection: Connection, request) -> None:
        """Blocks for the life of the socket (the view's contract with gevent-websocket)."""
        try:
            client = self._accept(connection, request)
        except Refusal as refusal:
            self._refuse(connection, refusal)
            return
        except ClosedByPeer:
            return
        node_id = client.identity.id if client.identity.kind == "node" else None
        client.subscription = self._hub.subscribe(identity_rooms(client.identity))
        try:
            if node_id is not None:
                self._presence.connected(node_id)
            connection.send("sync", self._about(client))
            tasks = [gevent.spawn(self._guarded, job, client) for job in (self._read, self._write)]
            gevent.joinall(tasks, count=1)
            gevent.killall(tasks)
        except ClosedByPeer:
            pass
        finally:
            self._hub.unsubscribe(client.subscription)
            if node_id is not None:
                self._presence.disconnected(node_id)
            connection.close(1000, "bye")

    def _accept(self, connection: Connection, request) -> Client:
        token = bearer_token(request) or self._first_message_token(connection)
        identity, expires = self._check(token)
        if not identity_rooms(identity):
            raise Refusal(POLICY_VIOLATION, "you may not receive events (no event receive rule)")
        return Client(connection, token, identity, expires)

    def _first_message_token(self, connection: Connection) -> str:
        try:
            with gevent.Timeout(self._timing.auth_seconds):
                message = connection.receive()
        except gevent.Timeout:
            raise Refusal(NO_TOKEN, 'no token: send an Authorization header or {"token": ...}')
        except BadFrame:
            message = {}
        token = message.get("token")
        if not isinstance(token, str) or not token or len(message) != 1:
            raise Refusal(NO_TOKEN, 'the first message must be {"token": "<access token>"}')
        return token

    def _check(self, token: str):
        with self._registry["dbsession_factory"]() as session:
            return authenticate(self._registry, session, token)

    def _refuse(self, connection: Connection, refusal: Refusal) -> None:
        """Tell clients of the original protocol too, then close with the code."""
        if refusal.code == TOKEN_EXPIRED:
            self._try_send(connection, "expired_token", {"msg": refusal.reason})
        connection.close(refusal.code, refusal.reason)

    @staticmethod
    def _guarded(work, client: Client) -> None:
        """Run the reader or writer; a closed socket ends it quietly, a bug ends it with 1011."""
        try:
            work(client)
        except ClosedByPeer:
            pass
        except Exception:
            log.exception("Event socket of %s failed", client.identity.principal)
            client.connection.close(INTERNAL_ERROR, "internal error")

    def _read(self, client: Client) -> None:
        connection = client.connection
        while True:
            try:
                with gevent.Timeout(self._timing.heartbeat_seconds):
                    message = connection.receive()
            except gevent.Timeout:
                seconds = self._timing.heartbeat_seconds
                connection.close(MISSED_HEARTBEATS, f"nothing heard for {seconds:g} s")
                return
            except BadFrame as exc:
                self._error(connection, str(exc))
                continue
            except ClosedByPeer:
                return
            if client.identity.kind == "node":
                self._presence.heard(client.identity.id)
            event = message.get("event")
            if event == "ping":
                connection.send("pong", None)
            else:
                self._error(connection, f"unknown event {event!r}; this server accepts {INBOUND}")

    def _write(self, client: Client) -> None:
        queue = client.subscription.queue
        while True:
            try:
                item = queue.get(timeout=self._until_recheck(client))
            except Empty:
                try:
                    self._recheck(client)
                except Refusal as refusal:
                    self._refuse(client.connection, refusal)
                    return
                continue
            if isinstance(item, Close):
                client.connection.close(item.code, item.reason)
                return
            client.connection.send(item.name, item.data)

    def _until_recheck(self, client: Client) -> float:
        seconds = self._timing.recheck_seconds
        if client.expires is not None:
            seconds = min(seconds, client.expires - time.time() + 0.05)
        return max(seconds, 0.0)

    def _recheck(self, client: Client) -> None:
        """The token must still be valid and the account the same; rights may have changed."""
        client.identity, client.expires = self._check(client.token)
        rooms = identity_rooms(client.identity)
        if not rooms:
            raise Refusal(POLICY_VIOLATION, "you may no longer receive events")
        if rooms != client.subscription.rooms:
            self._hub.move(client.subscription, rooms)

    def _error(self, connection: Connection, message: str) -> None:
        connection.send("error", {"msg": message})

    @staticmethod
    def _try_send(connection: Connection, event: str, data) -> None:
        try:
            connection.send(event, data)
        except ClosedByPeer:
            pass

    @staticmethod
    def _about(client: Client) -> dict:
        identity = client.identity
        return {
            "kind": identity.kind,
            "id": identity.id,
            "rooms": sorted(client.subscription.rooms),
        }
