"""What server processes sharing a PostgreSQL database use to act as one cluster: a bus on
``LISTEN``/``NOTIFY`` and the advisory lock of the cluster's background duties.

Imported only when PostgreSQL is configured: psycopg comes with the ``postgresql`` extra, and
a server on SQLite runs without it.
"""

from __future__ import annotations

import logging

import gevent
import psycopg
from sqlalchemy import func, select
from sqlalchemy.engine import Engine, make_url

from vantage6.server.events.hub import Hub
from vantage6.server.events.model import Event, parts_within

log = logging.getLogger(__name__)

CHANNEL = "vantage6_events"
MAX_PAYLOAD_BYTES = 7999  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
LOCK_KEY = 0x76366576  # "v6ev": the advisory lock of the cluster's duty holder


def _libpq_url(engine: Engine) -> str:
    """The engine's database as a URL psycopg takes, whatever SQLAlchemy driver it names."""
    url = make_url(engine.url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


class PostgresBus:
    """``NOTIFY`` on publish, and one listening greenlet per process that hands what it hears
    to its hub (its own events included, so every process delivers the same way)."""

    def __init__(self, hub: Hub, engine: Engine, retry_seconds: float = 1.0):
        self.hub = hub
        self.engine = engine
        self.retry_seconds = retry_seconds
        self._listener = None

    def publish(self, events: list[Event]) -> None:
        """NOTIFY each event, one too large for a NOTIFY in parts (``parts_within``)."""
        parts = [part for event in events for part in parts_within(event, MAX_PAYLOAD_BYTES)]
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for part in parts:
                connection.execute(select(func.pg_notify(CHANNEL, part.to_json())))

    def start(self) -> None:
        if self._listener is None:
            self._listener = gevent.spawn(self._listen_forever)

    def _listen_forever(self) -> None:
        """Listen on a dedicated autocommit connection; reconnect when it is lost."""
        while True:
            try:
                with psycopg.connect(_libpq_url(self.engine), autocommit=True) as connection:
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


class AdvisoryLockLeadership:
    """Whether this process runs the once-per-cluster duties: it does while it holds the
    advisory lock, on a dedicated connection kept for the process's life (and so freed when
    the process dies)."""

    def __init__(self, engine: Engine):
        self._url = _libpq_url(engine)
        self._connection = None

    def held(self) -> bool:
        if self._connection is not None and not self._connection.closed:
            return True
        try:
            connection = psycopg.connect(self._url, autocommit=True)
            query = "SELECT pg_try_advisory_lock(%s)"
            (locked,) = connection.execute(query, (LOCK_KEY,)).fetchone()
        except psycopg.Error as exc:
            log.warning("Could not ask for the duty lock: %s", exc)
            return False
        if locked:
            self._connection = connection
            log.info("This process runs the cluster's background duties")
        else:
            connection.close()
        return locked
