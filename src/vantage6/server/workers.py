"""Which worker process of a ``workers = N`` server this is, and how a worker passes an HTTP
request on to another one.

Each worker takes, beside the shared port, requests passed on by its siblings on a Unix socket
of its own in a folder only the server's user can enter. socket.io's long-polling needs it
(:mod:`vantage6.server.events.socket_io`): a session lives in the worker that opened it, while
the kernel hands each new connection of its client to any worker.
"""

from __future__ import annotations

import http.client
import os
import socket
from dataclasses import dataclass

from pyramid.response import Response

WORKER = "vantage6.worker"  # registry key: this process's Worker; absent with one process

# Not passed on: they describe one connection, not the request (RFC 9110 §7.6.1).
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


@dataclass(frozen=True)
class Worker:
    number: int  # 1 to N, kept by the worker started in place of one that died
    folder: str  # where every worker's Unix socket is

    def address_of(self, number: int) -> str:
        return os.path.join(self.folder, f"worker-{number}.sock")

    def listen(self) -> socket.socket:
        """The socket on which this worker takes its siblings' requests, bound anew (a
        worker that died left its socket file behind)."""
        path = self.address_of(self.number)
        if os.path.exists(path):
            os.unlink(path)
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        return listener


class _UnixConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket: the address is a path, the Host header stays the client's."""

    def __init__(self, path: str, timeout: float):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def pass_on(request, worker: Worker, number: int, timeout: float) -> Response:
    """``request`` as worker ``number`` answers it. OSError when that worker cannot be
    reached (it died, and the one started in its place is not listening yet)."""
    connection = _UnixConnection(worker.address_of(number), timeout)
    try:
        headers = {
            name: value for name, value in request.headers.items() if name.lower() not in HOP_BY_HOP
        }
        connection.request(request.method, request.path_qs, body=request.body, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
    finally:
        connection.close()
    response = Response(
        status=answer.status,
        headerlist=[
            (name, value) for name, value in answer.getheaders() if name.lower() not in HOP_BY_HOP
        ],
    )
    response.body = body  # and its Content-Length
    return response
