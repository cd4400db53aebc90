"""The exchange on the wire: one line of JSON each way over TCP,
``{"organization_id": ..., "value": ...}``.

A partial serves its line to every connection on :data:`PORT` and reads the caller's
(:class:`Exchanger`); it calls each peer the same way (:func:`contact`). Every socket has a
timeout and every thread is a daemon, so nothing outlives the run or hangs it.
"""

from __future__ import annotations

import json
import logging
import socket
import socketserver
import threading
import time

from vantage6.algorithm.errors import AlgorithmError

log = logging.getLogger(__name__)

PORT = 8888  # the image's EXPOSE, labelled "exchange"
IO_TIMEOUT = 5.0  # seconds for a connection to a peer, or a line from it
MAX_LINE = 4096
PATIENCE = 60.0  # a listed peer's address may be routed a moment after it is listed
RETRY = 0.5  # seconds between attempts to connect; also how soon a closed exchanger stops


def encode(message: dict) -> bytes:
    return json.dumps(message).encode() + b"\n"


def read_line(connection: socket.socket) -> dict:
    """The other side's message; ConnectionError when it closed first (it is going away, or
    was only probed), ValueError when it sent something else."""
    with connection.makefile("rb") as stream:
        raw = stream.readline(MAX_LINE)
    if not raw:
        raise ConnectionError("closed without a line")
    message = json.loads(raw)
    if not (
        isinstance(message, dict)
        and type(message.get("organization_id")) is int
        and type(message.get("value")) is int
    ):
        raise ValueError(f"not an exchange message: {raw[:200]!r}")
    return message


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class Exchanger:
    """Serves ``mine`` on ``host``:``port`` in a daemon thread until :meth:`close`; remembers
    the value each caller sent, by organization (:meth:`wait_for_callers`)."""

    def __init__(self, mine: dict, host: str = "0.0.0.0", port: int = PORT):
        self.mine = mine
        self.heard: dict[int, int] = {}
        self._changed = threading.Condition()
        try:
            self._server = _Server((host, port), self._handler())
        except OSError as exc:
            raise AlgorithmError(f"port {port} cannot be served ({exc})")
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, args=(RETRY,), daemon=True).start()

    def wait_for_callers(self, organizations: set[int], wait: float) -> set[int]:
        """Wait until each of ``organizations`` called, at most ``wait`` s; those that did not
        (their own runs say why)."""
        with self._changed:
            self._changed.wait_for(lambda: organizations <= self.heard.keys(), timeout=wait)
            missing = organizations - self.heard.keys()
        if missing:
            log.warning("organization(s) %s did not call within %s s", sorted(missing), wait)
        return missing

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Exchanger:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _handler(self):
        exchanger = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self):
                exchanger._answer(self.request, self.client_address)

        return Handler

    def _answer(self, connection: socket.socket, address: tuple) -> None:
        """Ours to the caller, and the caller's remembered (a probe sends none)."""
        connection.settimeout(IO_TIMEOUT)
        try:
            connection.sendall(encode(self.mine))
            caller = read_line(connection)
        except (OSError, ValueError) as exc:
            log.info("%s:%s sent no value (%s)", *address[:2], exc)
            return
        log.info("organization %s called from %s", caller["organization_id"], address[0])
        with self._changed:
            self.heard[caller["organization_id"]] = caller["value"]
            self._changed.notify_all()


def contact(
    ip: str, port: int, mine: dict, timeout: float = IO_TIMEOUT, patience: float = PATIENCE
) -> dict:
    """The message of the exchanger at ``ip``:``port``, to which ``mine`` is sent; an attempt
    that fails to connect or to hear back within ``timeout`` s is tried again for ``patience``
    s, then an AlgorithmError says why."""
    deadline = time.monotonic() + patience
    while True:
        try:
            with socket.create_connection((ip, port), timeout=timeout) as connection:
                connection.sendall(encode(mine))
                return read_line(connection)
        except ValueError as exc:
            raise AlgorithmError(f"{ip}:{port} does not speak the exchange ({exc})")
        except OSError as exc:
            if time.monotonic() + RETRY > deadline:
                raise AlgorithmError(f"{ip}:{port} cannot be reached after {patience} s ({exc})")
            time.sleep(RETRY)


def reach(ip: str, port: int, timeout: float) -> dict:
    """Whether a TCP connection to ``ip``:``port`` opens within ``timeout`` s, and if not why."""
    try:
        with socket.create_connection((ip, port), timeout=timeout):
            return {"ip": ip, "port": port, "reachable": True, "error": None}
    except OSError as exc:
        return {"ip": ip, "port": port, "reachable": False, "error": str(exc) or repr(exc)}
