"""Waiting for a task to finish: woken by the server's events on its websocket, or polling the
task's status (with a growing interval) when no socket can be had, within an optional time
limit, showing progress on one console line.

Events only wake the client up; the task's status endpoint always has the last word, so a
missed event costs at most :data:`RECHECK_SECONDS`, and a socket that ends is reopened (with a
fresh token); polling takes over when that fails.
"""

from __future__ import annotations

import json
import logging
import sys
import time

import websocket

from vantage6.client.errors import TaskTimeout
from vantage6.common.task_status import TaskStatus

log = logging.getLogger(__name__)

PING_SECONDS = 30  # well within the server's heartbeat timeout (90 s by default)
RECHECK_SECONDS = 30  # ask for the status even when no event came (none are replayed)
MAX_POLL_SECONDS = 30
HANDSHAKE_SECONDS = 10


class EventSocket:
    """The server's event socket (``<api>/ws``), authenticated as the client's user."""

    def __init__(self, ws: websocket.WebSocket):
        self.ws = ws
        self.closed = False
        self._last_sent = time.monotonic()

    @classmethod
    def open(cls, connection) -> EventSocket | None:
        """A socket that heard the server's ``sync``, or None (with the reason logged) when
        the server has none or refuses it, e.g. to users without an event receive rule."""
        url = "ws" + connection.base_url.removeprefix("http") + "/ws"
        header = [f"Authorization: Bearer {connection.fresh_token()}"]
        try:
            ws = websocket.create_connection(url, header=header, timeout=HANDSHAKE_SECONDS)
        except (websocket.WebSocketException, OSError) as exc:
            log.info("No event socket (%s); polling the task status instead", exc)
            return None
        socket = cls(ws)
        first = socket._receive(HANDSHAKE_SECONDS)
        if first is None or first.get("event") != "sync":
            log.info("The event socket was refused; polling the task status instead")
            socket.close()
            return None
        log.debug("Listening for events on %s", url)
        return socket

    def wait(self, task_id: int, seconds: float) -> bool:
        """Until an event about the task's runs arrives (True) or ``seconds`` pass (False);
        sets ``closed`` when the socket ends."""
        deadline = time.monotonic() + seconds
        while not self.closed and (remaining := deadline - time.monotonic()) > 0:
            if time.monotonic() - self._last_sent >= PING_SECONDS:
                self._send({"event": "ping"})
            message = self._receive(min(remaining, PING_SECONDS))
            if message is not None and _wakes(message, task_id):
                return True
        return False

    def close(self) -> None:
        self.closed = True
        try:
            self.ws.close()
        except (websocket.WebSocketException, OSError):
            pass

    def _send(self, message: dict) -> None:
        try:
            self.ws.send(json.dumps(message))
            self._last_sent = time.monotonic()
        except (websocket.WebSocketException, OSError):
            self.closed = True

    def _receive(self, seconds: float) -> dict | None:
        """The next event, or None after ``seconds`` of quiet or when the socket ended."""
        self.ws.settimeout(seconds)
        try:
            opcode, data = self.ws.recv_data(control_frame=True)
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketException, OSError):
            self.closed = True
            return None
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            code = int.from_bytes(data[:2], "big") if len(data) >= 2 else None
            log.info("The server closed the event socket (%s %s)", code, data[2:].decode())
            self.closed = True
            return None
        if opcode != websocket.ABNF.OPCODE_TEXT:
            return None
        try:
            message = json.loads(data)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        if message.get("event") == "expired_token":  # the server closes the socket next
            log.debug("The event socket's token expired")
            self.closed = True
        return message


def _wakes(message: dict, task_id: int) -> bool:
    """A report on some run (``status_update`` names only the run), or a status change of
    this task's runs. New (sub)tasks do not change this task's status."""
    event, data = message.get("event"), message.get("data") or {}
    if event == "status_update":
        return True
    return event == "algorithm_status_change" and data.get("task_id") == task_id


class Progress:
    """One console line that tells how long the task has been waited for and its status."""

    def __init__(self, task_id: int, enabled: bool, stream=None):
        self.task_id = task_id
        self.enabled = enabled
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._width = 0

    def show(self, status: str, how: str) -> None:
        if not self.enabled:
            return
        seconds = time.monotonic() - self.started
        line = f"Waiting for task {self.task_id} ({how}): {status}, {seconds:.0f} s"
        self.stream.write("\r" + line.ljust(self._width))
        self.stream.flush()
        self._width = len(line)

    def done(self) -> None:
        if self.enabled and self._width:
            self.stream.write("\n")
            self.stream.flush()


def wait_for_task(client, task_id: int, interval: float, timeout: float | None, progress):
    """The task's final :class:`TaskStatus`; :class:`TaskTimeout` after ``timeout`` s."""
    deadline = None if timeout is None else time.monotonic() + timeout
    socket = EventSocket.open(client.connection)
    delay = interval
    try:
        while True:
            status = TaskStatus(client.task.status(task_id))
            progress.show(status.value, "events" if socket else "polling")
            if status.is_finished:
                return status
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                raise TaskTimeout(task_id, status.value, timeout)
            if socket is not None:
                socket.wait(task_id, min(RECHECK_SECONDS, remaining or RECHECK_SECONDS))
                if socket.closed:  # e.g. its token expired: a new one, or polling from now on
                    socket = EventSocket.open(client.connection)
            else:
                time.sleep(delay if remaining is None else min(delay, remaining))
                delay = min(delay * 1.5, MAX_POLL_SECONDS)
    finally:
        if socket is not None:
            socket.close()
        progress.done()
