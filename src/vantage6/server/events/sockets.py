"""One client's socket from handshake to close: identify it, join rooms, say ``sync``, then
a reader (heartbeats, bad input) and a writer (events, re-checks) until either ends. Every way
of ending closes the socket with a code and a reason.

A re-check asks the auth hooks again and moves the socket to the rooms its rights now allow
(saying ``sync`` with them, since it may have missed events there). It happens as soon as a
request that changed those rights commits (see rights), when the token expires, and at the
latest every ``recheck_seconds`` for changes the server did not see.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, replace

import gevent
from gevent.queue import Empty

from vantage6.server.events.auth import Credentials, Refusal, identify
from vantage6.server.events.hub import Close, Hub, Subscription
from vantage6.server.events.inbound import HANDLERS
from vantage6.server.events.model import RECHECK
from vantage6.server.events.presence import Presence
from vantage6.server.events.rooms import identity_rooms
from vantage6.server.events.websocket import (
    INTERNAL_ERROR,
    MISSED_HEARTBEATS,
    NO_TOKEN,
    POLICY_VIOLATION,
    TOKEN_EXPIRED,
    TOKEN_INVALID,
    BadFrame,
    ClosedByPeer,
    Connection,
)

log = logging.getLogger(__name__)

INBOUND = ("ping", *HANDLERS)


@dataclass(frozen=True)
class Timing:
    auth_seconds: float  # to send the token when the handshake had none
    heartbeat_seconds: float | None  # silence after which the socket is closed
    recheck_seconds: float  # how often the credentials and the rights are checked anyway


@dataclass
class Client:
    connection: Connection
    credentials: Credentials
    identity: object
    expires: float | None  # epoch seconds
    next_recheck: float  # monotonic seconds
    subscription: Subscription | None = None


def holders(identity) -> frozenset[str]:
    """The principals a re-check may name to reach this identity's sockets."""
    return frozenset({identity.principal, f"org:{identity.organization_id}"})


class Sockets:
    def __init__(self, registry, hub: Hub, presence: Presence, timing: Timing):
        self._registry = registry
        self._hub = hub
        self._presence = presence
        self._timing = timing

    def without_heartbeat(self) -> Sockets:
        """The same, for a transport that knows by itself whether its peer is there."""
        timing = replace(self._timing, heartbeat_seconds=None)
        return Sockets(self._registry, self._hub, self._presence, timing)

    def serve(self, connection: Connection, request) -> None:
        """Blocks for the life of the socket (the view's contract with gevent-websocket)."""
        try:
            client = self._accept(connection, request)
        except Refusal as refusal:
            self._refuse(connection, refusal)
            return
        except ClosedByPeer:
            return
        except Exception:
            log.exception("Could not identify an event socket")
            connection.close(INTERNAL_ERROR, "internal error")
            return
        identity = client.identity
        node_id = identity.id if identity.kind == "node" else None
        client.subscription = self._hub.subscribe(identity_rooms(identity), holders(identity))
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
        credentials = Credentials.of(request)
        try:
            identity, expires = self._identify(credentials)
        except Refusal as refusal:
            if refusal.code != NO_TOKEN:
                raise
            credentials = credentials.with_token(self._first_message_token(connection))
            identity, expires = self._identify(credentials)
        if not identity_rooms(identity):
            raise Refusal(POLICY_VIOLATION, "you may not receive events (no event receive rule)")
        next_recheck = time.monotonic() + self._timing.recheck_seconds
        return Client(connection, credentials, identity, expires, next_recheck)

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

    def _identify(self, credentials: Credentials):
        return identify(self._registry, credentials)

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
            identity = client.identity
            if identity.kind == "node":
                self._presence.heard(identity.id)
            event = message.get("event")
            if event == "ping":
                connection.send("pong", None)
            elif event in HANDLERS and identity.kind != "node":
                self._error(connection, f"only nodes send {event!r}")
            elif event in HANDLERS:
                problem = HANDLERS[event](self._registry, identity, message.get("data"))
                if problem:
                    self._error(connection, problem)
            else:
                self._error(connection, _not_accepted(event))

    def _write(self, client: Client) -> None:
        queue = client.subscription.queue
        while True:
            try:
                item = queue.get(timeout=self._until_recheck(client))
            except Empty:
                item = None
            if isinstance(item, Close):
                client.connection.close(item.code, item.reason)
                return
            if item is None or item.name == RECHECK:
                if not self._recheck_or_close(client):
                    return
                continue
            client.connection.send(item.name, item.data)

    def _until_recheck(self, client: Client) -> float:
        seconds = client.next_recheck - time.monotonic()
        if client.expires is not None:
            seconds = min(seconds, client.expires - time.time() + 0.05)
        return max(seconds, 0.0)

    def _recheck_or_close(self, client: Client) -> bool:
        """Re-check now; False when the socket was closed because it may no longer be open."""
        client.next_recheck = time.monotonic() + self._timing.recheck_seconds
        try:
            self._recheck(client)
        except Refusal as refusal:
            self._refuse(client.connection, refusal)
            return False
        return True

    def _recheck(self, client: Client) -> None:
        """The credentials must still be accepted; the rights may have changed."""
        try:
            client.identity, client.expires = self._identify(client.credentials)
        except Refusal as refusal:
            if refusal.code == NO_TOKEN:  # a plugin's identity without a token: not any more
                raise Refusal(TOKEN_INVALID, "your credentials are no longer accepted") from None
            raise
        rooms = identity_rooms(client.identity)
        if not rooms:
            raise Refusal(POLICY_VIOLATION, "you may no longer receive events")
        subscription, moved = client.subscription, rooms != client.subscription.rooms
        if moved or holders(client.identity) != subscription.holders:
            self._hub.move(subscription, rooms, holders(client.identity))
        if moved:
            client.connection.send("sync", self._about(client))

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


def _not_accepted(event) -> str:
    if not isinstance(event, str):
        return 'a message needs an "event" name, e.g. {"event": "ping"}'
    return f"unknown event {event!r}; this server accepts {', '.join(INBOUND)}"
