"""The websocket layer under the events: gevent-websocket with its gaps filled.

gevent-websocket 0.10.1 (the last release) sends a close frame without its status code and
reads a frame of any announced length into memory. :class:`Socket` packs the code and refuses
messages above a limit; :class:`Handler` makes the server hand out such sockets. The rest of
the events package sees only :class:`Connection` (receive, send, close), so the library can
be replaced.
"""

from __future__ import annotations

import json
import socket
import struct

import gevent
from gevent.lock import Semaphore
from gevent.pywsgi import WSGIHandler
from geventwebsocket.exceptions import FrameTooLargeException, ProtocolError, WebSocketError
from geventwebsocket.handler import WebSocketHandler
from geventwebsocket.websocket import Header, WebSocket

from vantage6.server import bounded_json

# Close codes: RFC 6455 ones, and ours in the 4000-4999 range it leaves to applications.
NORMAL = 1000
GOING_AWAY = 1001
PROTOCOL_ERROR = 1002
UNSUPPORTED_DATA = 1003
POLICY_VIOLATION = 1008
TOO_BIG = 1009
INTERNAL_ERROR = 1011
TRY_AGAIN_LATER = 1013
TOKEN_EXPIRED = 4001
TOKEN_INVALID = 4002
NO_TOKEN = 4003
MISSED_HEARTBEATS = 4004

MAX_MESSAGE_BYTES = 64 * 1024
# Registry key: a predicate on a request's WSGI environ, true for a websocket upgrade that the
# app must answer over plain HTTP, with a refusal (the handler upgrades before the app runs).
NOT_UPGRADED = "vantage6.events.not_upgraded"
MAX_REASON_BYTES = 123  # a control frame carries 125 bytes, two of them the code


class MessageTooBig(FrameTooLargeException):
    """The peer announced more bytes than one message may have."""


class Socket(WebSocket):
    """A gevent-websocket socket that closes with a code and bounds message size."""

    __slots__ = ("max_bytes", "_message_bytes")

    def __init__(self, environ, stream, handler, max_bytes: int = MAX_MESSAGE_BYTES):
        super().__init__(environ, stream, handler)
        self.max_bytes = max_bytes
        self._message_bytes = 0

    def read_frame(self):
        """Check the announced length before reading the payload (the library allocates it)."""
        header = Header.decode_header(self.stream)
        if header.opcode in (self.OPCODE_TEXT, self.OPCODE_BINARY):
            self._message_bytes = 0
        if header.opcode <= self.OPCODE_BINARY:
            self._message_bytes += header.length
            if self._message_bytes > self.max_bytes:
                raise MessageTooBig(f"a message may have at most {self.max_bytes} bytes")
        if header.flags:
            raise ProtocolError("reserved bits set")
        payload = self.raw_read(header.length) if header.length else b""
        if len(payload) != header.length:
            raise WebSocketError("Unexpected EOF reading frame payload")
        if header.mask:
            payload = header.unmask_payload(payload)
        return header, payload

    def close(self, code: int = NORMAL, message=b"") -> None:
        """Send a close frame with ``code`` and ``message`` (0.10.1 drops the code)."""
        if self.closed:
            return
        reason = message.encode() if isinstance(message, str) else bytes(message or b"")
        try:
            self.send_frame(struct.pack("!H", code) + reason[:MAX_REASON_BYTES], self.OPCODE_CLOSE)
        except WebSocketError:
            pass  # the peer is gone: nothing to tell it
        finally:
            self.closed = True
            self.stream = self.raw_write = self.raw_read = self.environ = None


class Handler(WebSocketHandler):
    """gevent-websocket's handler, handing the application a :class:`Socket`."""

    def handle(self):
        # Send each response as soon as it is written: with Nagle's algorithm a response
        # written in two parts (head, then body) waits for the client's delayed ACK, ~40 ms.
        # (Not on the Unix socket of requests that other workers pass on: it has no Nagle.)
        if self.socket.family != socket.AF_UNIX:
            self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return super().handle()

    def handle_one_request(self):
        # A keep-alive client whose next request is already there when this one is answered
        # would be served again and again without this greenlet ever waiting, while the other
        # connections starve for seconds: let the ones that are ready go first.
        gevent.sleep(0)
        return super().handle_one_request()

    def run_application(self):
        refused = getattr(self.application, "registry", {}).get(NOT_UPGRADED)
        if refused is not None and refused(self.environ):
            return WSGIHandler.run_application(self)  # plain HTTP: the app answers
        return super().run_application()

    def upgrade_connection(self):
        result = super().upgrade_connection()
        plain = self.environ.get("wsgi.websocket")
        if plain is not None and not isinstance(plain, Socket):
            plain.closed = True  # replaced before use: it must not send a close frame later
            self.websocket = Socket(self.environ, plain.stream, self)
            self.environ["wsgi.websocket"] = self.websocket
        return result


class ClosedByPeer(Exception):
    """The socket is closed (by the peer, or after a protocol error we answered)."""


class BadFrame(Exception):
    """A message that is not a JSON object; the connection stays open."""


class Connection:
    """One client's socket as the events package uses it: JSON in, JSON out, close with a
    code and a reason."""

    def __init__(self, socket: WebSocket):
        self._socket = socket
        self._sending = Semaphore()  # reader and writer both send: frames must not interleave

    @property
    def closed(self) -> bool:
        return self._socket.closed

    def receive(self) -> dict:
        """The next message as a JSON object; :class:`BadFrame` for other text, and the
        connection closed with the fitting code for binary data or protocol errors."""
        try:
            message = self._socket.read_message()
        except MessageTooBig as exc:
            self.close(TOO_BIG, str(exc))
            raise ClosedByPeer(str(exc)) from None
        except UnicodeError:
            self.close(1007, "text frames must be UTF-8")
            raise ClosedByPeer("invalid UTF-8") from None
        except ProtocolError as exc:
            self.close(PROTOCOL_ERROR, "protocol error")
            raise ClosedByPeer(str(exc)) from None
        except (WebSocketError, OSError, AttributeError) as exc:
            # AttributeError: the library's stream is gone once the socket closed under us
            self._socket.closed = True
            raise ClosedByPeer(str(exc)) from None
        if message is None:
            raise ClosedByPeer("closed by the peer")
        if not isinstance(message, str):
            self.close(UNSUPPORTED_DATA, "only JSON text frames are accepted")
            raise ClosedByPeer("binary frame")
        try:
            decoded = bounded_json.loads(message)
        except bounded_json.TooDeep as exc:
            raise BadFrame(f"the message is {exc}") from None
        except ValueError:
            raise BadFrame("the message is not JSON") from None
        if not isinstance(decoded, dict):
            raise BadFrame("the message must be a JSON object")
        return decoded

    def send(self, event: str, data=None) -> None:
        """Send ``{"event": ..., "data": ...}``; :class:`ClosedByPeer` if it cannot arrive."""
        frame = json.dumps({"event": event, "data": data}, separators=(",", ":"), default=str)
        try:
            with self._sending:
                self._socket.send(frame)
        except (WebSocketError, OSError, AttributeError) as exc:
            self._socket.closed = True
            raise ClosedByPeer(str(exc)) from None

    def close(self, code: int, reason: str) -> None:
        with self._sending:
            self._close(code, reason)

    def _close(self, code: int, reason: str) -> None:
        if isinstance(self._socket, Socket):
            self._socket.close(code, reason)
        elif not self._socket.closed:  # another server's plain socket: best effort
            self._socket.close(code, reason.encode())
