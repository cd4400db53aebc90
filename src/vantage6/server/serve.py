"""``paste.server_runner`` for ``pserve``: gevent's WSGI server with the websocket handler, so
one port serves the REST API and ``/ws``.

pserve imports this module before it loads the application, so patching the standard library
here comes before SQLAlchemy, psycopg and ssl are imported (style guide §3.2).
"""

from gevent import monkey

monkey.patch_all()

import gc  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402

import gevent  # noqa: E402
from gevent.pool import Pool  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402

from vantage6.server.events.hub import SHUTDOWN  # noqa: E402
from vantage6.server.events.websocket import GOING_AWAY, Handler  # noqa: E402

log = logging.getLogger(__name__)


def gevent_ws_runner(
    wsgi_app,
    global_conf,
    listen="0.0.0.0:7601",
    max_connections="10000",
    shutdown_timeout="10",
):
    """Serve until SIGTERM or SIGINT, then stop gracefully: stop accepting, close every
    websocket with 1001 (going away), let requests in flight finish for ``shutdown_timeout``
    seconds, and return. An unknown key in ``[server:main]`` (a typo of ``listen``, say) stops
    pserve with an error instead of serving on a default address."""
    host, _, port = listen.rpartition(":")
    server = WSGIServer(
        (host.strip("[]") or "0.0.0.0", int(port)),
        wsgi_app,
        handler_class=Handler,
        spawn=Pool(int(max_connections)),
        log=logging.getLogger("vantage6.access"),
        error_log=logging.getLogger("vantage6.server.errors"),
    )
    server.stop_timeout = float(shutdown_timeout)
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
    log.info("Serving on http://%s:%s", host or "0.0.0.0", port)
    # What start-up built lives as long as the process: keep it out of every garbage-collector
    # pass, which would otherwise walk it all and pause every request now and then.
    gc.collect()
    gc.freeze()
    server.serve_forever()
