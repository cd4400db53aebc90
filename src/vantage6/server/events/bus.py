"""Buses carry committed events to the hub of every server process.

:class:`MemoryBus` serves one process. :class:`PostgresBus` lets several processes sharing a
PostgreSQL database hear each other: ``NOTIFY`` on publish, and one listening greenlet per
process that hands what it hears to its hub (its own events included, so every process
delivers the same way). Nothing is replayed: clients resync when they (re)connect.
"""

from __future__ import annotations

import logging

import gevent
import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url

from vantage6.server.events.hub import Hub
from vantage6.server.events.model import Event

log = logging.getLogger(__name__)

CHANNEL = "vantage6_events"
MAX_PAYLOAD_BYTES = 7999  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more


class MemoryBus:
    def __init__(self, hub: Hub):
        self.hub = hub

    def publish(self, events: list[Event]) -> None:
        for event in events:
            self.hub.deliver(event)

    def start(self) -> None:
        """Nothing to listen to."""


class PostgresBus:
    def __init__(self, hub: Hub, engine: Engine, retry_seconds: float = 1.0):
        self.hub = hub
        self.engine = engine
        self.retry_seconds = retry_seconds
        self._listener = None

    def publish(self, events: list[Event]) -> None:
        payloads = [event.to_json() for event in events]
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for event, payload in zip(events, payloads, strict=True):
                if len(payload.encode()) > MAX_PAYLOAD_BYTES:
                    log.error("Event %s not sent: its payload is above 8000 bytes", event.name)
                    continue
                connection.execute(select(func.pg_notify(CHANNEL, payload)))

    def start(self) -> None:
        if self._listener is None:
            self._listener = gevent.spawn(self._listen_forever)

    def _listen_forever(self) -> None:
        """Listen on a dedicated autocommit connection; reconnect when it is lost."""
        dsn = make_url(self.engine.url).set(drivername="postgresql")
        while True:
            try:
                with psycopg.connect(
                    dsn.render_as_string(hide_password=False), autocommit=True
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    for notification in connection.notifies():
                        self._deliver(notification.payload)
            except psycopg.Error as exc:
                log.warning("Event listener lost its connection (%s); reconnecting", exc)
            gevent.sleep(self.retry_seconds)

    def _deliver(self, payload: str) -> None:
        try:
            self.hub.deliver(Event.from_json(payload))
        except (ValueError, TypeError, KeyError, AttributeError):  # not written by a server
            log.error("Ignored a malformed event on channel %s", CHANNEL)
