"""Where the node proxy listens: one port, on each address the runtime opens.

Each Docker run has an internal network of its own, whose containers reach this machine only
at that network's gateway, so the proxy listens on every such gateway (and nowhere else),
always on the same port: algorithms that outlive a node restart know it. Each address is served
by a waitress server of its own, in its own thread, so addresses come and go with their runs.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass

from waitress.server import create_server

log = logging.getLogger(__name__)

THREADS = 4  # request threads per address (waitress's default; the process runtime shares one)


@dataclass
class _Served:
    server: object  # waitress's server for one address
    thread: threading.Thread


class Listeners:
    """Serves ``app`` on ``port`` (0: the first address opened picks a free one)."""

    def __init__(self, app, port: int, max_body: int):
        self.app = app
        self.port = port
        self.max_body = max_body
        self._served: dict[str, _Served] = {}
        self._lock = threading.Lock()

    def open(self, host: str) -> int:
        """Serve on exactly ``host`` too (nothing when it is served already); returns the
        port. OSError when the port cannot be used there."""
        with self._lock:
            if host in self._served:
                return self.port
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            listener = socket.create_server((host, self.port), family=family)
            server = create_server(
                self.app,
                sockets=[listener],
                threads=THREADS,
                max_request_body_size=self.max_body,
                ident="vantage6-node-proxy",
            )
            thread = threading.Thread(
                target=server.run, name=f"vantage6-node-proxy-{host}", daemon=True
            )
            thread.start()
            self.port = listener.getsockname()[1]  # an int, unlike waitress's effective_port
            self._served[host] = _Served(server, thread)
        log.info("Node proxy listens on %s:%s", host, self.port)
        return self.port

    def close(self, host: str) -> None:
        """Stop serving on ``host`` (nothing when it is not served)."""
        with self._lock:
            served = self._served.pop(host, None)
        if served is not None:
            _shut(served)
            log.info("Node proxy no longer listens on %s", host)

    def close_all(self) -> None:
        with self._lock:
            hosts = list(self._served)
        for host in hosts:
            self.close(host)


def _shut(served: _Served) -> None:
    """Close the listening socket and open connections (in the serving thread, where
    waitress expects it), then wait for the request threads."""
    server = served.server

    def close_all():  # waitress has no public way to reach its socket map
        for dispatcher in list(server._map.values()):
            dispatcher.close()

    try:
        server.trigger.pull_trigger(close_all)
    except OSError:  # the serving loop has already ended and closed its trigger
        close_all()
    served.thread.join(timeout=10)
    server.task_dispatcher.shutdown()


def free_port(port: int = 0) -> int | None:
    """``port`` (0: any port) when no address of this machine uses it, else None."""
    try:
        with socket.create_server(("", port)) as probe:
            return probe.getsockname()[1]
    except OSError:
        return None
