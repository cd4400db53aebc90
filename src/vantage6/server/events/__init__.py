"""Real-time events: ``<api path>/ws`` sockets (and socket.io at ``/socket.io/`` for the original
4.x nodes and UI), rooms, and the bus between server processes.

Settings (``vantage6.events.``): ``bus`` (``memory``, or ``postgresql`` for several processes
on one PostgreSQL database), ``heartbeat_timeout_seconds``, ``recheck_seconds``,
``duty_seconds``, ``auth_timeout_seconds``, ``max_message_bytes``, ``queue_size``.

A change of rights made through the API (roles, rules, memberships, a deleted node or user, a
new password or API key) reaches the open sockets it concerns as soon as it commits, in every
process; one made behind the server's back within ``recheck_seconds``.
"""

from __future__ import annotations

import gevent
from gevent import monkey
from pyramid.events import ApplicationCreated
from pyramid.exceptions import ConfigurationError
from pyramid.security import NO_PERMISSION_REQUIRED

from vantage6.server.events.bus import MemoryBus
from vantage6.server.events.duties import leadership_for, run_duties
from vantage6.server.events.hub import SHUTDOWN, Hub
from vantage6.server.events.presence import Presence
from vantage6.server.events.rights import watch
from vantage6.server.events.sockets import Sockets, Timing
from vantage6.server.events.view import SOCKETS, socket_view
from vantage6.server.startup import planned_workers

PREFIX = "vantage6.events."
BUSES = ("memory", "postgresql")


def includeme(config) -> None:
    settings = config.get_settings()
    settings.setdefault(
        "tm.activate_hook", "vantage6.server.events.view.no_transaction_for_sockets"
    )
    registry = config.registry
    engine = registry["dbengine"]
    hub = Hub(settings[PREFIX + "queue_size"])
    bus = _bus(settings[PREFIX + "bus"], hub, engine)
    presence = Presence(
        registry["dbsession_factory"], bus, settings[PREFIX + "heartbeat_timeout_seconds"]
    )
    timing = Timing(
        auth_seconds=settings[PREFIX + "auth_timeout_seconds"],
        heartbeat_seconds=settings[PREFIX + "heartbeat_timeout_seconds"],
        recheck_seconds=settings[PREFIX + "recheck_seconds"],
    )
    registry["vantage6.events.hub"] = hub
    registry["vantage6.events.bus"] = bus
    registry["vantage6.events.presence"] = presence
    registry[SOCKETS] = Sockets(registry, hub, presence, timing)
    registry["vantage6.events.max_message_bytes"] = settings[PREFIX + "max_message_bytes"]
    registry[SHUTDOWN] = hub.close_all
    watch(registry["dbsession_factory"])
    config.add_route("events_socket", "/ws")
    config.add_view(socket_view, route_name="events_socket", permission=NO_PERMISSION_REQUIRED)
    config.add_subscriber(_start_background, ApplicationCreated)


def _bus(name: str, hub: Hub, engine):
    if name not in BUSES:
        raise ConfigurationError(f"{PREFIX}bus must be one of {', '.join(BUSES)}, not {name!r}")
    if name == "memory":
        return MemoryBus(hub)
    if engine.dialect.name != "postgresql":
        raise ConfigurationError(f"{PREFIX}bus = postgresql needs a PostgreSQL database")
    from vantage6.server.events.postgresql import PostgresBus  # psycopg: PostgreSQL only

    return PostgresBus(hub, engine)


def _start_background(event) -> None:
    """Listen to the bus and run the duties, when serving with gevent (the gevent_ws runner
    or gunicorn's gevent worker); an app built for tests or the shell starts nothing, and an
    app that forked workers will serve starts it in each of them (serve.py), not here."""
    if not monkey.is_module_patched("socket") or planned_workers() > 1:
        return
    start_background(event.app.registry)


def start_background(registry) -> None:
    """Start this process's bus listener and background duties (greenlets): in the process
    that serves the app, after it forked if it did (a greenlet, or a connection, does not
    survive a fork)."""
    settings = registry.settings
    registry["vantage6.events.bus"].start()
    gevent.spawn(
        run_duties,
        registry["vantage6.events.presence"],
        leadership_for(registry["dbengine"]),
        settings[PREFIX + "duty_seconds"],
    )
