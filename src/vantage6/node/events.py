"""The node's end of the server's event socket (``/api/ws``), kept open for the node's life.

The server says ``sync`` first on every connection; whatever happened while the node was away
is found by the resync that event triggers, so nothing needs replaying. The node pings more
often than the server's heartbeat timeout and takes a long silence as a dead connection.
After any drop it connects again, with backoff, and with a fresh token when the server said its
token expired (4001) or was not valid (4002, e.g. a server restarted with another secret).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable

import websocket

from vantage6.node.server import Rejected, ServerClient, ServerError, backoff

log = logging.getLogger(__name__)

PING_SECONDS = 20.0  # the server's default heartbeat timeout is 90 s
SILENCE_LIMIT = 3  # pings without any answer after which the connection is taken as dead
RECONNECT_MAX = 15.0  # seconds between attempts to reach a server that is away
TOKEN_EXPIRED = 4001
TOKEN_INVALID = 4002


class EventStream:
    """Calls ``on_event(name, data)`` (in its own thread) for every event the server sends;
    ``on_fatal(exc)`` when the node's API key is refused, after which it stops. ``shared`` is
    told the server on every connect (``node_info_update``): what others may know of the node,
    such as the encryption formats it reads."""

    def __init__(
        self,
        server: ServerClient,
        on_event: Callable[[str, object], None],
        on_fatal: Callable[[Exception], None],
        ping_seconds: float | None = None,
        shared: dict | None = None,
    ):
        self._server = server
        self._shared = shared
        self._on_event = on_event
        self._on_fatal = on_fatal
        self._ping_seconds = ping_seconds or PING_SECONDS
        self.connections = 0  # how often it connected (a steady socket stays at 1)
        self._url = "ws" + server.base_url.removeprefix("http") + "/ws"
        self._stopped = threading.Event()
        self._ws: websocket.WebSocket | None = None
        self._thread = threading.Thread(target=self._run, name="vantage6-node-events", daemon=True)
        self.connected = threading.Event()

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Stop reconnecting and close the socket (the reader thread then ends)."""
        self._stopped.set()
        ws = self._ws
        if ws is not None:
            try:
                ws.send_close(websocket.STATUS_NORMAL, b"node stopping")
            except (websocket.WebSocketException, OSError):
                pass
            ws.shutdown()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        delays = backoff(0.5, RECONNECT_MAX, 1.5)
        renew = None  # what to do about the token before the next connect
        while not self._stopped.is_set():
            try:
                ws = self._connect(renew)
            except Rejected as exc:
                self._on_fatal(exc)
                return
            except (ServerError, websocket.WebSocketException, OSError) as exc:
                delay = next(delays)
                log.warning(
                    "Event socket: cannot connect (%s); again in %.1f s", _brief(exc), delay
                )
                self._stopped.wait(delay)
                continue
            renewed, renew = renew is not None, None
            self._ws = ws
            try:
                code, heard = self._listen(ws)
            finally:
                self._ws = None
                ws.shutdown()
            self.connected.clear()
            if self._stopped.is_set():
                return
            if heard:
                delays = backoff(0.5, RECONNECT_MAX, 1.5)
            if code == TOKEN_EXPIRED:
                renew = "refresh"
            elif code == TOKEN_INVALID:
                renew = "login"
            delay = 0.0 if renew and not renewed else next(delays)
            log.warning("Event socket closed (code %s); reconnecting in %.1f s", code, delay)
            self._stopped.wait(delay)

    def _connect(self, renew: str | None) -> websocket.WebSocket:
        if renew == "login":
            self._server.relogin()
        token = self._server.fresh_token(force=renew == "refresh")
        ws = websocket.create_connection(
            self._url, header=[f"Authorization: Bearer {token}"], timeout=10
        )
        self.connections += 1
        log.info("Event socket connected to %s", self._url)
        if self._shared is not None:
            ws.send(json.dumps({"event": "node_info_update", "data": self._shared}))
        return ws

    def _listen(self, ws: websocket.WebSocket) -> tuple[int | None, bool]:
        """Read until the socket closes; returns its close code (None when it just broke) and
        whether any event arrived."""
        heard_any = False
        last_heard = time.monotonic()
        next_ping = last_heard + self._ping_seconds
        while not self._stopped.is_set():
            ws.settimeout(max(next_ping - time.monotonic(), 0.05))
            try:
                opcode, data = ws.recv_data(control_frame=True)
            except websocket.WebSocketTimeoutException:
                if time.monotonic() - last_heard > SILENCE_LIMIT * self._ping_seconds:
                    log.warning("Event socket: the server has been silent; reconnecting")
                    return None, heard_any
                next_ping = time.monotonic() + self._ping_seconds
                if not self._send_ping(ws):
                    return None, heard_any
                continue
            except (websocket.WebSocketException, OSError):
                return None, heard_any
            last_heard = time.monotonic()
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
                log.info(
                    "Event socket: server closed it (%s %s)",
                    code,
                    data[2:].decode(errors="replace"),
                )
                return code, heard_any
            if opcode != websocket.ABNF.OPCODE_TEXT:
                continue
            heard_any = True
            self._dispatch(data)
        return None, heard_any

    def _dispatch(self, data: bytes | str) -> None:
        try:
            message = json.loads(data)
            name, payload = message["event"], message.get("data")
        except (ValueError, KeyError, TypeError):
            log.warning("Event socket: ignoring a frame that is no event: %.200r", data)
            return
        if name == "sync":
            self.connected.set()
        if name in ("pong", "error"):
            if name == "error":
                log.warning("Event socket: server reports an error: %s", payload)
            return
        self._on_event(name, payload)

    @staticmethod
    def _send_ping(ws: websocket.WebSocket) -> bool:
        try:
            ws.send(json.dumps({"event": "ping"}))
            return True
        except (websocket.WebSocketException, OSError):
            return False


def _brief(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
