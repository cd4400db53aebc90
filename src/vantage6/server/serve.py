"""``paste.server_factory`` for ``pserve``: gevent's WSGI server with the websocket handler, so
one port serves the REST API and ``/ws``; with ``workers`` above 1, from that many processes.

pserve imports this module before it loads the application, so patching the standard library
here comes before SQLAlchemy, psycopg and ssl are imported (style guide §3.2). pserve also
builds the server before the app: the server's settings are checked and its port is bound
first, and a failure stops the start at once, in one line (:mod:`vantage6.server.startup`).
A server factory, not a ``paste.server_runner``: pserve reports a runner's exit as a success.

Workers are forked from the process pserve started, once it has bound the port and built the
app: each listens on its own socket bound to that address (SO_REUSEPORT: the kernel spreads
new connections evenly over them), with its own database connections and its own bus
listener and background duties, so a cluster of workers is a cluster of servers on
PostgreSQL (:mod:`vantage6.server.events`). The first process only supervises them: it
starts another in place of one that dies, and stops them all, gracefully, on SIGTERM or
SIGINT.
"""

import functools
from importlib import metadata

from gevent import monkey


def _patch_all() -> None:
    """gevent's ``patch_all``, reading the installed distributions' entry points once: it
    tells plugins about each module it patches, and read them all anew for each of the 25
    announcements, a quarter of a second of every start."""
    read = metadata.entry_points
    metadata.entry_points = functools.cache(read)
    try:
        monkey.patch_all()
    finally:
        metadata.entry_points = read


_patch_all()

import gc  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
import gevent.os  # noqa: E402
from gevent.pool import Pool  # noqa: E402
from gevent.pywsgi import WSGIServer  # noqa: E402
from gevent.queue import Queue  # noqa: E402
from pyramid.exceptions import ConfigurationError  # noqa: E402

from vantage6.server import startup  # noqa: E402
from vantage6.server.events import start_background  # noqa: E402
from vantage6.server.events.hub import SHUTDOWN  # noqa: E402
from vantage6.server.events.websocket import GOING_AWAY, Handler  # noqa: E402
from vantage6.server.listen import DEFAULT_LISTEN, bind, parse_listen, refusal  # noqa: E402
from vantage6.server.startup import failures_in_one_line  # noqa: E402
from vantage6.server.workers import WORKER, Worker  # noqa: E402

log = logging.getLogger(__name__)

SETTINGS = ("listen", "max_connections", "shutdown_timeout", "workers")
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# A worker that dies this soon after it started is replaced only after this long, so that a
# worker failing at every start does not keep the machine busy forking.
RESTART_PAUSE_SECONDS = 1.0
# How long after shutdown_timeout the supervisor waits before it kills a worker still there.
KILL_GRACE_SECONDS = 5.0
ORPHAN_CHECK_SECONDS = 1.0


def gevent_ws_server(
    global_conf,
    listen=DEFAULT_LISTEN,
    max_connections="10000",
    shutdown_timeout="10",
    workers="1",
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
        processes = _setting("workers", workers, _positive(int, "whole number"))
        try:
            listener = bind(host, port, shared=processes > 1)
        except OSError as exc:
            raise ConfigurationError(
                f"cannot listen on {host}:{port}: {refusal(exc)}; free that address, or change "
                "listen in the server section"
            ) from None
    # pserve builds the app next, in this process: it must know now that workers will serve it
    # (what they cannot share is refused; its background is started in each worker).
    startup.plan_workers(processes)
    serve = _serve if processes == 1 else functools.partial(_serve_from_workers, processes)
    return functools.partial(serve, listener, pool_size, stop_timeout)


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


def _serve(
    listener, pool_size: int, stop_timeout: float, wsgi_app, who="Serving", siblings=None
) -> None:
    """Serve until SIGTERM or SIGINT, then stop gracefully: stop accepting, close every
    websocket with 1001 (going away), let requests in flight finish for ``stop_timeout``
    seconds, and return. ``siblings``: a second listener, for requests that the other
    workers pass on (:mod:`vantage6.server.workers`)."""
    pool = Pool(pool_size)

    def wsgi_server(on):
        on.listen(WSGIServer.backlog)
        server = WSGIServer(
            on,
            wsgi_app,
            handler_class=Handler,
            spawn=pool,
            log=logging.getLogger("vantage6.access"),
            error_log=logging.getLogger("vantage6.server.errors"),
        )
        server.stop_timeout = stop_timeout
        return server

    server = wsgi_server(listener)
    passed_on = None if siblings is None else wsgi_server(siblings)
    stopping = []

    def stop():
        if stopping:
            return
        stopping.append(True)
        log.info("Shutting down: closing websockets, finishing requests in flight")
        close_sockets = getattr(wsgi_app, "registry", {}).get(SHUTDOWN)
        server.close()
        if passed_on is not None:
            passed_on.close()
        if close_sockets is not None:
            close_sockets(GOING_AWAY, "server shutting down")
        server.stop()  # waits for the requests in flight, passed-on ones too (one pool)
        if passed_on is not None:
            passed_on.stop()

    for signum in STOP_SIGNALS:
        gevent.signal_handler(signum, lambda: gevent.spawn(stop))
    log.info("%s on http://%s:%s", who, *listener.getsockname()[:2])
    # What start-up built lives as long as the process: keep it out of every garbage-collector
    # pass, which would otherwise walk it all and pause every request now and then.
    gc.collect()
    gc.freeze()
    if passed_on is not None:
        passed_on.start()
    server.serve_forever()


def _serve_from_workers(
    processes: int, listener, pool_size: int, stop_timeout: float, wsgi_app
) -> None:
    """Fork ``processes`` workers that serve ``listener``'s address as :func:`_serve` does,
    and supervise them until they stopped. The supervisor's socket holds the address but
    never listens: each worker listens on a socket of its own bound to it, and the kernel
    hands new connections to them in turn (a shared listening socket gave most connections
    to whichever worker was quickest to accept, 15 of 16 in a benchmark)."""
    registry = wsgi_app.registry
    # Building the app used the database: a pooled connection inherited by two processes
    # would carry both their conversations. Each worker opens its own.
    registry["dbengine"].dispose()
    log.info(
        "Serving on http://%s:%s from %d worker processes",
        *listener.getsockname()[:2],
        processes,
    )
    # Frozen before the fork, start-up's objects stay in pages the workers share.
    gc.collect()
    gc.freeze()
    folder = tempfile.mkdtemp(prefix="vantage6-workers-")  # mode 0700: the server's user only

    def work(number: int) -> None:
        worker = registry[WORKER] = Worker(number, folder)
        start_background(registry)
        gevent.spawn(_stop_when_orphaned, os.getppid())
        who = f"Worker {number} (pid {os.getpid()}) serving"
        own = bind(*listener.getsockname()[:2], shared=True)
        listener.close()
        _serve(own, pool_size, stop_timeout, wsgi_app, who, siblings=worker.listen())

    try:
        _Workers(processes, work, stop_timeout).supervise()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stop_when_orphaned(parent: int) -> None:
    """A worker whose supervisor died (SIGKILL, say) stops as on SIGTERM: nobody would
    restart it, nor stop it."""
    while os.getppid() == parent:
        gevent.sleep(ORPHAN_CHECK_SECONDS)
    log.warning("The supervising process %d is gone: this worker stops", parent)
    os.kill(os.getpid(), signal.SIGTERM)


class _Workers:
    """The supervisor: forks the workers, starts another in place of one that dies, and on
    SIGTERM or SIGINT passes SIGTERM on to them and waits until they stopped."""

    def __init__(self, processes: int, work, stop_timeout: float):
        self.processes = processes
        self.work = work  # what a worker runs (given its number), in the forked process
        self.kill_after = stop_timeout + KILL_GRACE_SECONDS
        self.running: dict[int, tuple[int, float]] = {}  # pid -> (worker number, started)
        self.exits = Queue()  # (pid, wait status) of each worker that ended
        self.stopping = False
        self.signal_handlers = []
        self.killer = None  # kills the workers still there when the stop takes too long

    def supervise(self) -> None:
        self.signal_handlers = [
            gevent.signal_handler(signum, self.stop, signum) for signum in STOP_SIGNALS
        ]
        for number in range(1, self.processes + 1):
            self._fork(number)
        while self.running:
            pid, status = self.exits.get()
            number, started = self.running.pop(pid)
            if self.stopping:
                continue
            log.error("Worker %d (pid %d) %s; starting another", number, pid, _how_it_ended(status))
            if time.monotonic() - started < RESTART_PAUSE_SECONDS:
                gevent.sleep(RESTART_PAUSE_SECONDS)
            if not self.stopping:
                self._fork(number)
        if self.killer is not None:
            self.killer.kill()
        log.info("All workers stopped")

    def stop(self, signum: int) -> None:
        if self.stopping:
            return
        self.stopping = True
        log.info(
            "%s: stopping the workers (pids %s)",
            signal.Signals(signum).name,
            ", ".join(map(str, self.running)),
        )
        for pid in self.running:
            _signal(pid, signal.SIGTERM)
        self.killer = gevent.spawn_later(self.kill_after, self._kill_the_rest)

    def _kill_the_rest(self) -> None:
        for pid, (number, _) in self.running.items():
            log.error("Worker %d (pid %d) did not stop in time: killed", number, pid)
            _signal(pid, signal.SIGKILL)

    def _fork(self, number: int) -> None:
        # gevent's fork: the child's event loop is made anew (gevent.reinit), and the parent
        # watches the child, whose end `_ended` queues.
        pid = gevent.os.fork_and_watch(self._ended, ref=True)
        if pid == 0:
            self._be_worker(number)
        self.running[pid] = (number, time.monotonic())

    def _ended(self, watcher) -> None:
        self.exits.put((watcher.pid, watcher.rstatus))

    def _be_worker(self, number: int) -> None:
        """In the forked process: serve, then exit (never back into pserve's code)."""
        status = 1
        try:
            for handler in self.signal_handlers:  # the supervisor's, inherited
                handler.cancel()
            self.work(number)
            status = 0
        except BaseException:
            log.exception("Worker %d failed", number)
        finally:
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass  # it ended meanwhile; its end is queued


def _how_it_ended(status: int) -> str:
    code = os.waitstatus_to_exitcode(status)
    if code < 0:
        return f"was killed by {signal.Signals(-code).name}"
    return f"exited with status {code}"
