"""The address a server listens on (``listen = host:port`` in ``[server:main]``): parsed and
bound, with a refusal told as something its operator can act on."""

from __future__ import annotations

import errno
import socket

DEFAULT_LISTEN = "0.0.0.0:7601"


def parse_listen(value: str) -> tuple[str, int]:
    """``host:port`` (``[::1]:7601`` for IPv6, ``:7601`` for every interface); ValueError
    when it is not."""
    host, _, port = value.strip().rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"{port!r} is not a port number")
    return host.strip("[]") or "0.0.0.0", int(port)


def bind(host: str, port: int, shared: bool = False) -> socket.socket:
    """A socket bound to the address, as the server binds it (reusing an address whose old
    connections linger), and not listening yet. ``shared``: other sockets of this user may
    bind the address too, and the kernel spreads new connections evenly over those that
    listen (SO_REUSEPORT), which is how the workers of one server share its port."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    bound = socket.socket(family, kind, proto)
    try:
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        bound.bind(address)
    except OSError:
        bound.close()
        raise
    return bound


def refusal(exc: OSError) -> str:
    """Why an address could not be bound, in words."""
    return "it is in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
