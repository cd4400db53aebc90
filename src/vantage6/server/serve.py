"""``paste.server_factory`` for ``pserve``: gevent's WSGI server with the websocket handler, so
one port serves the REST API and ``/ws``.

pserve imports this module before it loads the application, so patching the standard library
here comes before SQLAlchemy, psycopg and ssl are imported (style guide §3.2). pserve also
builds the server before the app: the server's settings are checked and its port is bound
first, and a failure stops the start at once, in one line (:mod:`vantage6.server.startup`).
A server factory, not a ``paste.server_runner``: pserve reports a runner's exit as a success.
"""

from gevent import monkey

monkey.patch_all()

import functools  # noqa: E402
import gc  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402

import gevent  # noqa: E402
from gevent.pool import Pool  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402
from pyramid.exceptions import ConfigurationError  # noqa: E402

from vantage6.server.events.hub import SHUTDOWN  # noqa: E402
from vantage6.server.events.websocket import GOING_AWAY, Handler  # noqa: E402
from vantage6.server.listen import DEFAULT_LISTEN, bind, parse_listen, refusal  # noqa: E402
from vantage6.server.startup import failures_in_one_line  # noqa: E402

log = logging.getLogger(__name__)

SETTINGS = ("listen", "max_connections", "shutdown_timeout")


def gevent_ws_server(
    global_conf,
    listen=DEFAULT_LISTEN,
    max_connections="10000",
    shutdown_timeout="10",
    **unknown,
):
    """The ``serve(app)`` that pserve calls once the app is built, on the port bound now.
    An unknown key in ``[server:main]`` (a typo of ``listen``, say) stops pserve with an error
    instead of serving on a default address."""
    with failures_in_one_line(global_conf):
        if unknown:
            raise ConfigurationError(
                f"unknown setting {', '.join(sorted(unknown))} in the server section "
                f"(it takes {', '.join(SETTINGS)})"
            )
        host, port = _setting("listen", listen, parse_listen)
        pool_size = _setting("max_connections", max_connections, _positive(int, "whole number"))
        stop_timeout = _setting("shutdown_timeout", shutdown_timeout, _positive(float, "number"))
        try:
            listener = bind(host, port)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: {refusal(exc)}; free that address, or change "
                "listen in the server section"
            ) from None
    return functools.partial(_serve, listener, pool_size, stop_timeout)


def _setting(key: str, value: str, parse):
    try:
        return parse(value)
    except ValueError as exc:
        raise ConfigurationError(f"{key} = {value} in the server section: {exc}") from None


def _positive(kind, name: str):
    def parse(value: str):
        try:
            number = kind(value)
        except ValueError:
            number = 0
        if not number > 0:
            raise ValueError(f"it must be a {name} above 0")
        return number

    return parse


def _serve(listener, pool_size: int, stop_timeout: float, wsgi_app) -> None:
    """Serve until SIGTERM or SIGINT, then stop gracefully: stop accepting, close every
    websocket with 1001 (going away), let requests in flight finish for ``stop_timeout``
    seconds, and return."""
    listener.listen(WSGIServer.backlog)
    server = WSGIServer(
        listener,
        wsgi_app,
        handler_class=Handler,
        spawn=Pool(pool_size),
        log=logging.getLogger("vantage6.access"),
        error_log=logging.getLogger("vantage6.server.errors"),
    )
    server.stop_timeout = stop_timeout
    stopping = []

    def stop():
        if stopping:
            return
        stopping.append(True)
        log.info("Shutting down: closing websockets, finishing requests in flight")
        close_sockets = getattr(wsgi_app, "registry", {}).get(SHUTDOWN)
        server.close()
        if close_sockets is not None:
            close_sockets(GOING_AWAY, "server shutting down")
        server.stop()

    for signum in (signal.SIGTERM, signal.SIGINT):
        gevent.signal_handler(signum, lambda: gevent.spawn(stop))
    log.info("Serving on http://%s:%s", *listener.getsockname()[:2])
    # What start-up built lives as long as the process: keep it out of every garbage-collector
    # pass, which would otherwise walk it all and pause every request now and then.
    gc.collect()
    gc.freeze()
    server.serve_forever()
